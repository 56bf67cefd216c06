/* Runtime queries: counts, per-thread placement, topology, description,
 * and the names of executors and NUMA policies. */
#include <stdio.h>
#include <strings.h>

#include "core/error.h"
#include "runtime/runtime_impl.h"

static const char *const executor_names[REALM_EXECUTOR_COUNT] = {
    [REALM_EXECUTOR_POOL] = "pool",
    [REALM_EXECUTOR_OPENMP] = "openmp",
    [REALM_EXECUTOR_SERIAL] = "serial",
};

static const char *const numa_names[REALM_NUMA_COUNT] = {
    [REALM_NUMA_NONE] = "none",
    [REALM_NUMA_DISTRIBUTE] = "distribute",
    [REALM_NUMA_ISOLATE] = "isolate",
};

const char *realm_executor_name(realm_executor e) {
    return (unsigned)e < REALM_EXECUTOR_COUNT ? executor_names[e] : "invalid";
}

const char *realm_numa_policy_name(realm_numa_policy p) {
    return (unsigned)p < REALM_NUMA_COUNT ? numa_names[p] : "invalid";
}

static int find_name(const char *const *names, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcasecmp(names[i], name) == 0) return i;
    return -1;
}

realm_status realm_executor_from_name(const char *name, realm_executor *out) {
    if (!name || !out) return realm_error(REALM_ERR_INVALID_ARG, "realm_executor_from_name: NULL argument");
    const int i = find_name(executor_names, REALM_EXECUTOR_COUNT, name);
    if (i < 0)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "realm_executor_from_name: unknown executor '%s' (pool, openmp, serial)", name);
    *out = (realm_executor)i;
    return REALM_OK;
}

realm_status realm_numa_policy_from_name(const char *name, realm_numa_policy *out) {
    if (!name || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_numa_policy_from_name: NULL argument");
    const int i = find_name(numa_names, REALM_NUMA_COUNT, name);
    if (i < 0)
        return realm_error(
            REALM_ERR_INVALID_ARG,
            "realm_numa_policy_from_name: unknown numa policy '%s' (none, distribute, isolate)", name);
    *out = (realm_numa_policy)i;
    return REALM_OK;
}

int realm_runtime_n_threads(const realm_runtime *rt) { return rt ? rt->place.n_threads : 0; }
int realm_runtime_n_nodes(const realm_runtime *rt) { return rt ? rt->place.n_nodes_used : 0; }
int realm_runtime_n_cores(const realm_runtime *rt) { return rt ? rt->place.n_cores_used : 0; }

realm_executor realm_runtime_executor(const realm_runtime *rt) {
    return rt ? rt->executor : REALM_EXECUTOR_COUNT;
}

realm_status realm_runtime_thread_info(const realm_runtime *rt, int thread, realm_thread_info *out) {
    static const char fn[] = "realm_runtime_thread_info";
    if (!rt || !out) return realm_error(REALM_ERR_INVALID_ARG, "%s: %s is NULL", fn, rt ? "out" : "rt");
    if (thread < 0 || thread >= rt->place.n_threads)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: thread %d is outside [0, %d)", fn, thread,
                           rt->place.n_threads);
    const realm_thread_slot *s = &rt->place.slots[thread];
    *out = (realm_thread_info){
        .thread = thread,
        .core = s->core,
        .pu = s->pu,
        .node = realm_topo_node_os_index(&rt->topo, s->node),
        .group = rt->place.thread_group[thread],
        .bound = rt->bound[thread],
    };
    return REALM_OK;
}

realm_status realm_runtime_topology_info(const realm_runtime *rt, realm_topology_info *out) {
    if (!rt || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_runtime_topology_info: %s is NULL",
                           rt ? "out" : "rt");
    *out = rt->info;
    return REALM_OK;
}

const char *realm_runtime_description(const realm_runtime *rt) { return rt ? rt->description : ""; }

static const char *plural(int n) { return n == 1 ? "" : "s"; }

void realm_runtime_write_description(realm_runtime *rt, const char *override) {
    const realm_placement *p = &rt->place;
    const realm_topology_info *i = &rt->info;
    const char *binding = rt->caller_pinned       ? "all threads pinned, the caller too"
                          : rt->pinned            ? "threads 1.. pinned"
                          : !rt->topo.this_system ? "not pinned (topology override)"
                                                  : "not pinned";
    char machine[96];
    if (override)
        snprintf(machine, sizeof machine, "topology '%.60s'", override);
    else
        snprintf(machine, sizeof machine, "this machine");
    snprintf(rt->description, sizeof rt->description,
             "%s, %d thread%s on %d core%s of %d NUMA node%s (numa %s, %d group%s, %s, spin %d us); "
             "%s: %d package%s, %d node%s, %d core%s, %d PU%s",
             executor_names[rt->executor], p->n_threads, plural(p->n_threads), p->n_cores_used,
             plural(p->n_cores_used), p->n_nodes_used, plural(p->n_nodes_used), numa_names[rt->numa],
             p->n_groups, plural(p->n_groups), binding, rt->spin_us, machine, i->packages,
             plural(i->packages), i->nodes, plural(i->nodes), i->cores, plural(i->cores), i->pus,
             plural(i->pus));
}
