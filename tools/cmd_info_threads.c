/* The runtime's part of `realm info`: the topology realm sees and what the
 * default parameters pick (tool_info_runtime), and, for --threads, where
 * each thread of a pool runtime is bound and where it actually ran
 * (tool_info_threads), which shows that pinning is applied. */
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "diag.h"
#include "json.h"
#include "realm/realm.h"

/* tool_info_runtime prints the topology and the defaults, as text or as one
 * JSON object (no trailing newline, to sit under a key of `realm info
 * --format json`). tool_info_threads starts a pool runtime with n_threads
 * threads (0: the default) and prints one line per thread: its group, NUMA
 * node, core, PU, whether realm bound it, and the CPU it ran on during a
 * parallel call. Both return the exit code. */

int tool_info_runtime(FILE *out, bool json) {
    const realm_runtime_params p = realm_runtime_params_default();
    realm_runtime *rt = NULL;
    realm_status s = realm_runtime_create(&p, &rt);
    if (s != REALM_OK) {
        tool_error_status("info", s, "realm_runtime_create");
        return TOOL_EXIT_FAILURE;
    }
    realm_topology_info t;
    realm_runtime_topology_info(rt, &t);
    if (json) {
        fprintf(out,
                "{\"topology\": {\"packages\": %d, \"numa_nodes\": %d, \"cores\": %d, \"pus\": %d, "
                "\"cpu_kinds\": %d, \"usable_cores\": %d}, \"defaults\": {\"threads\": %d, \"executor\": ",
                t.packages, t.nodes, t.cores, t.pus, t.cpu_kinds, t.usable_cores, t.default_threads);
        tool_json_string(out, realm_executor_name(p.executor));
        fprintf(out, ", \"numa\": ");
        tool_json_string(out, realm_numa_policy_name(p.numa));
        fprintf(out, ", \"pin\": %s, \"spin_us\": %d, \"groups\": %d}, \"description\": ",
                p.pin ? "true" : "false", p.spin_us, realm_runtime_n_groups(rt));
        tool_json_string(out, realm_runtime_description(rt));
        fputc('}', out);
    } else {
        fprintf(
            out,
            "topology: %d package%s, %d NUMA node%s, %d core%s, %d PU%s, %d CPU kind%s; %d usable core%s\n",
            t.packages, t.packages == 1 ? "" : "s", t.nodes, t.nodes == 1 ? "" : "s", t.cores,
            t.cores == 1 ? "" : "s", t.pus, t.pus == 1 ? "" : "s", t.cpu_kinds, t.cpu_kinds == 1 ? "" : "s",
            t.usable_cores, t.usable_cores == 1 ? "" : "s");
        fprintf(out, "defaults: %d thread%s (one per core%s), executor %s, numa %s, pin %s, spin %d us\n",
                t.default_threads, t.default_threads == 1 ? "" : "s",
                t.cpu_kinds > 1 ? ", performance cores" : "", realm_executor_name(p.executor),
                realm_numa_policy_name(p.numa), p.pin ? "on" : "off", p.spin_us);
        fprintf(out, "runtime: %s\n", realm_runtime_description(rt));
    }
    realm_runtime_destroy(rt);
    return TOOL_EXIT_OK;
}

typedef struct ran_on {
    atomic_int *cpu; /* [n_threads] */
} ran_on;

static void record_cpu(void *ctx, int thread, int n_threads) {
    (void)n_threads;
    ran_on *r = ctx;
    atomic_store(&r->cpu[thread], sched_getcpu());
}

int tool_info_threads(FILE *out, int n_threads) {
    realm_runtime_params p = realm_runtime_params_default();
    p.n_threads = n_threads;
    realm_runtime *rt = NULL;
    realm_status s = realm_runtime_create(&p, &rt);
    if (s != REALM_OK) {
        tool_error_status("info", s, "realm_runtime_create");
        return TOOL_EXIT_FAILURE;
    }
    const int n = realm_runtime_n_threads(rt);
    ran_on r = {calloc((size_t)n, sizeof(atomic_int))};
    if (!r.cpu) {
        realm_runtime_destroy(rt);
        tool_error("info", "out of memory");
        return TOOL_EXIT_FAILURE;
    }
    s = realm_runtime_parallel_threads(rt, record_cpu, &r);
    if (s != REALM_OK) {
        tool_error_status("info", s, "realm_runtime_parallel_threads");
    } else {
        fprintf(out, "runtime: %s\n", realm_runtime_description(rt));
        fprintf(out, "%6s %5s %4s %4s %4s %5s %6s\n", "thread", "group", "node", "core", "pu", "bound",
                "ran on");
        for (int t = 0; t < n; t++) {
            realm_thread_info ti;
            realm_runtime_thread_info(rt, t, &ti);
            fprintf(out, "%6d %5d %4d %4d %4d %5s %6d%s\n", t, ti.group, ti.node, ti.core, ti.pu,
                    ti.bound ? "yes" : "no", atomic_load(&r.cpu[t]), t == 0 ? "  (the calling thread)" : "");
        }
    }
    free(r.cpu);
    realm_runtime_destroy(rt);
    return s == REALM_OK ? TOOL_EXIT_OK : TOOL_EXIT_FAILURE;
}
