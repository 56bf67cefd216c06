/* The runtime's public surface: defaults, every bad parameter (a status and
 * a message naming the problem, never a crash), queries and description,
 * executor / policy names, topology overrides (synthetic and XML, with CPU
 * kinds), and NUMA placement calls. */
#include <criterion/criterion.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "realm/realm.h"
#include "runtime/runtime_impl.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

static void clear_error(void) { realm_error(REALM_OK, "%s", ""); }

/* create must fail with `want`, leave *out NULL, and say `keyword`. */
static void expect_create_fails(const realm_runtime_params *p, realm_status want, const char *keyword) {
    realm_runtime *rt = (realm_runtime *)&rt; /* not NULL: create must clear it */
    clear_error();
    realm_status s = realm_runtime_create(p, &rt);
    cr_expect_eq(s, want, "got %s, want %s (%s)", realm_status_str(s), realm_status_str(want),
                 realm_last_error());
    cr_expect_null(rt, "out not cleared on failure");
    cr_expect(strstr(realm_last_error(), "realm_runtime_create") != NULL,
              "message \"%s\" does not name the call", realm_last_error());
    cr_expect(strstr(realm_last_error(), keyword) != NULL, "message \"%s\" does not mention '%s'",
              realm_last_error(), keyword);
    if (s == REALM_OK) realm_runtime_destroy(rt);
}

Test(runtime_api, defaults) {
    realm_runtime_params p = realm_runtime_params_default();
    cr_assert_eq(p.n_threads, 0);
    cr_assert_eq(p.executor, REALM_EXECUTOR_POOL);
    cr_assert_eq(p.numa, REALM_NUMA_DISTRIBUTE);
    cr_assert(p.pin);
    cr_assert_null(p.cpuset);
    cr_assert_null(p.topology_xml);
    cr_assert_null(p.topology_synthetic);
    cr_assert_gt(p.spin_us, 0);
    cr_assert_eq(p.flags, 0);
    realm_runtime *rt;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    realm_topology_info info;
    cr_assert_eq(realm_runtime_topology_info(rt, &info), REALM_OK);
    cr_assert(info.this_system);
    cr_assert_eq(realm_runtime_n_threads(rt), info.default_threads);
    cr_assert_leq(realm_runtime_n_threads(rt), info.cores, "default threads exceed physical cores");
    cr_assert_eq(realm_runtime_n_cores(rt), realm_runtime_n_threads(rt), "two default threads share a core");
    realm_runtime_destroy(rt);
}

Test(runtime_api, bad_params) {
    realm_runtime_params p = realm_runtime_params_default();
    realm_runtime *rt = NULL;
    clear_error();
    cr_expect_eq(realm_runtime_create(NULL, &rt), REALM_ERR_INVALID_ARG);
    cr_expect(strstr(realm_last_error(), "params") != NULL);
    cr_expect_eq(realm_runtime_create(&p, NULL), REALM_ERR_INVALID_ARG);

    p.n_threads = -1;
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "n_threads = -1");
    p.n_threads = REALM_RUNTIME_MAX_THREADS + 1;
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "n_threads");

    p = realm_runtime_params_default();
    p.executor = (realm_executor)7;
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "executor 7");
    p.executor = (realm_executor)-1;
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "executor");

    p = realm_runtime_params_default();
    p.numa = (realm_numa_policy)3;
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "numa policy 3");

    p = realm_runtime_params_default();
    p.executor = REALM_EXECUTOR_SERIAL;
    p.n_threads = 2;
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "serial");

    p = realm_runtime_params_default();
    p.spin_us = -5;
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "spin_us");
    p.spin_us = REALM_RUNTIME_MAX_SPIN_US + 1;
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "spin_us");

    p = realm_runtime_params_default();
    p.flags = 4;
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "flags");

    p = realm_runtime_params_default();
    p.topology_synthetic = "core:2";
    p.topology_xml = "x.xml";
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "both");
}

Test(runtime_api, bad_cpusets) {
    realm_runtime_params p = realm_runtime_params_default();
    p.cpuset = "100000-100003"; /* no such CPUs */
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "no CPU");
    p.cpuset = "";
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "cpuset");
    p.cpuset = "cores please";
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "cpuset 'cores please'");
    p.cpuset = "0xzz";
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "bitmap");
    p.cpuset = "3-1"; /* an empty range */
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "no CPU");
    p.topology_synthetic = "numa:2 core:2 pu:1";
    p.cpuset = "0x00000030"; /* PUs 4-5 do not exist on that machine */
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "no CPU");
}

Test(runtime_api, bad_topologies) {
    realm_runtime_params p = realm_runtime_params_default();
    p.topology_xml = "/nonexistent/dir/machine.xml";
    expect_create_fails(&p, REALM_ERR_IO, "/nonexistent/dir/machine.xml");
    char path[256];
    const int fd = tu_mkstemp(path, sizeof path, "realm-topo-");
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "<topology>not really", 20), 20);
    close(fd);
    p.topology_xml = path;
    expect_create_fails(&p, REALM_ERR_FORMAT, "XML");
    unlink(path);
    p.topology_xml = NULL;
    p.topology_synthetic = "bogus:3";
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "synthetic");
    p.topology_synthetic = "pack:2 numa:2 core:8 pu:2 extra";
    expect_create_fails(&p, REALM_ERR_INVALID_ARG, "synthetic");
}

Test(runtime_api, names) {
    for (int e = 0; e < REALM_EXECUTOR_COUNT; e++) {
        realm_executor back;
        cr_assert_eq(realm_executor_from_name(realm_executor_name((realm_executor)e), &back), REALM_OK);
        cr_assert_eq((int)back, e);
    }
    for (int n = 0; n < REALM_NUMA_COUNT; n++) {
        realm_numa_policy back;
        cr_assert_eq(realm_numa_policy_from_name(realm_numa_policy_name((realm_numa_policy)n), &back),
                     REALM_OK);
        cr_assert_eq((int)back, n);
    }
    realm_executor e;
    realm_numa_policy n;
    cr_assert_eq(realm_executor_from_name("OpenMP", &e), REALM_OK);
    cr_assert_eq(e, REALM_EXECUTOR_OPENMP);
    cr_assert_eq(realm_executor_from_name("tbb", &e), REALM_ERR_INVALID_ARG);
    cr_assert(strstr(realm_last_error(), "tbb") != NULL);
    cr_assert_eq(realm_executor_from_name(NULL, &e), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_numa_policy_from_name("interleave", &n), REALM_ERR_INVALID_ARG);
    cr_assert_str_eq(realm_executor_name((realm_executor)9), "invalid");
    cr_assert_str_eq(realm_numa_policy_name((realm_numa_policy)-1), "invalid");
}

static void nop_rows(void *ctx, int64_t r0, int64_t r1, int thread) {
    (void)ctx, (void)r0, (void)r1, (void)thread;
}
static void nop_threads(void *ctx, int thread, int n) { (void)ctx, (void)thread, (void)n; }

Test(runtime_api, bad_parallel_calls) {
    realm_runtime_params p = realm_runtime_params_default();
    p.n_threads = 2;
    realm_runtime *rt;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK);
    cr_expect_eq(realm_runtime_parallel_rows(NULL, 10, 1, nop_rows, NULL), REALM_ERR_INVALID_ARG);
    cr_expect_eq(realm_runtime_parallel_rows(rt, 10, 1, NULL, NULL), REALM_ERR_INVALID_ARG);
    cr_expect_eq(realm_runtime_parallel_rows(rt, -1, 1, nop_rows, NULL), REALM_ERR_INVALID_ARG);
    cr_expect(strstr(realm_last_error(), "n_rows") != NULL);
    cr_expect_eq(realm_runtime_parallel_rows(rt, 10, 0, nop_rows, NULL), REALM_ERR_INVALID_ARG);
    cr_expect(strstr(realm_last_error(), "grain") != NULL);
    cr_expect_eq(realm_runtime_parallel_rows(rt, INT64_MAX - 2, 16, nop_rows, NULL), REALM_ERR_OVERFLOW);
    cr_expect_eq(realm_runtime_parallel_rows(rt, 0, 1, nop_rows, NULL), REALM_OK);
    cr_expect_eq(realm_runtime_parallel_threads(rt, NULL, NULL), REALM_ERR_INVALID_ARG);
    cr_expect_eq(realm_runtime_parallel_threads(NULL, nop_threads, NULL), REALM_ERR_INVALID_ARG);

    realm_parallel_step steps[REALM_RUNTIME_MAX_STEPS + 1];
    for (int i = 0; i <= REALM_RUNTIME_MAX_STEPS; i++)
        steps[i] = (realm_parallel_step){.threads_fn = nop_threads};
    cr_expect_eq(realm_runtime_parallel_steps(rt, steps, REALM_RUNTIME_MAX_STEPS, NULL), REALM_OK);
    cr_expect_eq(realm_runtime_parallel_steps(rt, steps, REALM_RUNTIME_MAX_STEPS + 1, NULL),
                 REALM_ERR_INVALID_ARG);
    cr_expect_eq(realm_runtime_parallel_steps(rt, steps, 0, NULL), REALM_ERR_INVALID_ARG);
    cr_expect_eq(realm_runtime_parallel_steps(rt, NULL, 1, NULL), REALM_ERR_INVALID_ARG);
    steps[1].rows_fn = nop_rows; /* both functions */
    cr_expect_eq(realm_runtime_parallel_steps(rt, steps, 2, NULL), REALM_ERR_INVALID_ARG);
    cr_expect(strstr(realm_last_error(), "step 1") != NULL, "%s", realm_last_error());
    steps[1] = (realm_parallel_step){0}; /* neither */
    cr_expect_eq(realm_runtime_parallel_steps(rt, steps, 2, NULL), REALM_ERR_INVALID_ARG);
    steps[1] = (realm_parallel_step){.rows_fn = nop_rows, .n_rows = 5, .grain = 1, .flags = 2};
    cr_expect_eq(realm_runtime_parallel_steps(rt, steps, 2, NULL), REALM_ERR_INVALID_ARG);
    cr_expect(strstr(realm_last_error(), "flags") != NULL);
    steps[1].flags = 0;
    steps[1].grain = -3;
    cr_expect_eq(realm_runtime_parallel_steps(rt, steps, 2, NULL), REALM_ERR_INVALID_ARG);
    realm_runtime_destroy(rt);
    realm_runtime_destroy(NULL);
}

Test(runtime_api, queries) {
    realm_runtime_params p = realm_runtime_params_default();
    p.topology_synthetic = "pack:2 numa:2 core:4 pu:2";
    p.n_threads = 6;
    realm_runtime *rt;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_runtime_n_threads(rt), 6);
    cr_assert_eq(realm_runtime_n_cores(rt), 6);
    cr_assert_eq(realm_runtime_n_nodes(rt), 4);
    cr_assert_eq(realm_runtime_n_groups(rt), 4);
    cr_assert_eq(realm_runtime_executor(rt), REALM_EXECUTOR_POOL);
    realm_topology_info info;
    cr_assert_eq(realm_runtime_topology_info(rt, &info), REALM_OK);
    cr_assert_eq(info.packages, 2);
    cr_assert_eq(info.nodes, 4);
    cr_assert_eq(info.cores, 16);
    cr_assert_eq(info.pus, 32);
    cr_assert_eq(info.usable_cores, 16);
    cr_assert_eq(info.default_threads, 16);
    cr_assert(!info.this_system);
    int per_group[4] = {0};
    for (int t = 0; t < 6; t++) {
        realm_thread_info ti;
        cr_assert_eq(realm_runtime_thread_info(rt, t, &ti), REALM_OK);
        cr_assert_eq(ti.thread, t);
        cr_assert(!ti.bound, "a topology override binds nothing");
        cr_assert_eq(ti.pu % 2, 0, "thread %d on an SMT sibling", t);
        cr_assert_eq(ti.node, ti.pu / 8);
        per_group[ti.group]++;
    }
    for (int g = 0; g < 4; g++)
        cr_assert_geq(per_group[g], 1);
    realm_thread_info ti;
    cr_assert_eq(realm_runtime_thread_info(rt, 6, &ti), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_thread_info(rt, -1, &ti), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_thread_info(rt, 0, NULL), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_topology_info(NULL, &info), REALM_ERR_INVALID_ARG);
    const char *d = realm_runtime_description(rt);
    cr_assert(strstr(d, "pool") && strstr(d, "6 threads") && strstr(d, "4 NUMA nodes") && strstr(d, "pack:2"),
              "description: %s", d);
    cr_assert(strstr(d, "not pinned"), "description: %s", d);
    realm_runtime_destroy(rt);
    cr_assert_eq(realm_runtime_n_threads(NULL), 0);
    cr_assert_str_eq(realm_runtime_description(NULL), "");
}

/* An XML topology of a hybrid CPU (cores 4-7 ranked more performant, as
 * hwloc's cpukinds report them): the default takes those cores only. */
Test(runtime_api, xml_override_with_cpu_kinds) {
    hwloc_topology_t t;
    cr_assert_eq(hwloc_topology_init(&t), 0);
    cr_assert_eq(hwloc_topology_set_synthetic(t, "pack:1 core:8 pu:2"), 0);
    cr_assert_eq(hwloc_topology_load(t), 0);
    hwloc_bitmap_t e_cores = hwloc_bitmap_alloc(), p_cores = hwloc_bitmap_alloc();
    hwloc_bitmap_set_range(e_cores, 0, 7);
    hwloc_bitmap_set_range(p_cores, 8, 15);
    cr_assert_eq(hwloc_cpukinds_register(t, e_cores, 0, 0, NULL, 0), 0);
    cr_assert_eq(hwloc_cpukinds_register(t, p_cores, 1, 0, NULL, 0), 0);
    char path[256];
    const int fd = tu_mkstemp(path, sizeof path, "realm-hybrid-");
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(hwloc_topology_export_xml(t, path, 0), 0);
    hwloc_bitmap_free(e_cores);
    hwloc_bitmap_free(p_cores);
    hwloc_topology_destroy(t);

    realm_runtime_params p = realm_runtime_params_default();
    p.topology_xml = path;
    realm_runtime *rt;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    realm_topology_info info;
    cr_assert_eq(realm_runtime_topology_info(rt, &info), REALM_OK);
    cr_assert_eq(info.cpu_kinds, 2);
    cr_assert_eq(realm_runtime_n_threads(rt), 4, "default should be the 4 performance cores");
    for (int i = 0; i < 4; i++) {
        realm_thread_info ti;
        cr_assert_eq(realm_runtime_thread_info(rt, i, &ti), REALM_OK);
        cr_assert_geq(ti.pu, 8, "thread %d on an efficiency core", i);
    }
    realm_runtime_destroy(rt);
    unlink(path);
}

Test(runtime_api, place_rows) {
    realm_runtime_params p = realm_runtime_params_default();
    realm_runtime *rt;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK);
    const size_t row_bytes = 1000;
    unsigned char *buf = malloc(row_bytes * 300);
    /* One node here: a no-op without error. */
    cr_assert_eq(realm_runtime_place_rows(rt, buf, row_bytes, 300, 4), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_runtime_place_rows(rt, buf, row_bytes, 0, 4), REALM_OK);
    cr_assert_eq(realm_runtime_place_rows(NULL, buf, row_bytes, 300, 4), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_place_rows(rt, NULL, row_bytes, 300, 4), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_place_rows(rt, buf, 0, 300, 4), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_place_rows(rt, buf, row_bytes, -1, 4), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_place_rows(rt, buf, row_bytes, 300, 0), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_place_rows(rt, buf, SIZE_MAX / 2, 300, 4), REALM_ERR_OVERFLOW);
    int64_t r0, r1;
    cr_assert_eq(realm_runtime_group_rows(rt, 0, 300, 4, &r0, &r1), REALM_OK);
    cr_assert_eq(r0, 0);
    cr_assert_eq(r1, 300);
    cr_assert_eq(realm_runtime_group_rows(rt, 1, 300, 4, &r0, &r1), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_group_rows(rt, 0, 300, 4, NULL, &r1), REALM_ERR_INVALID_ARG);
    free(buf);
    realm_runtime_destroy(rt);

    /* Planned for 2 nodes: shares follow the groups; nothing to bind here. */
    p.topology_synthetic = "numa:2 core:4 pu:1";
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK);
    cr_assert_eq(realm_runtime_n_groups(rt), 2);
    int64_t a0, a1, b0, b1;
    cr_assert_eq(realm_runtime_group_rows(rt, 0, 1000, 16, &a0, &a1), REALM_OK);
    cr_assert_eq(realm_runtime_group_rows(rt, 1, 1000, 16, &b0, &b1), REALM_OK);
    cr_assert_eq(a0, 0);
    cr_assert_eq(a1, b0);
    cr_assert_eq(b1, 1000);
    cr_assert_eq(a1 % 16, 0);
    cr_assert(a1 >= 500 - 16 && a1 <= 500 + 16, "4 of 8 threads own %lld of 1000 rows, not about half",
              (long long)a1);
    unsigned char dummy[64];
    cr_assert_eq(realm_runtime_place_rows(rt, dummy, 1, 64, 16), REALM_OK);
    realm_runtime_destroy(rt);
}

/* The binding call that place_rows makes per node, on this machine's node
 * 0, checked with hwloc's own query. */
Test(runtime_api, bind_rows_to_node) {
    realm_runtime_params p = realm_runtime_params_default();
    realm_runtime *rt;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK);
    const long page = sysconf(_SC_PAGESIZE);
    const size_t row_bytes = 256, rows = (size_t)page * 8 / row_bytes;
    unsigned char *buf = aligned_alloc((size_t)page, row_bytes * rows);
    memset(buf, 1, row_bytes * rows);
    const realm_status s = realm_numa_bind_rows(&rt->topo, buf, row_bytes, 0, (int64_t)rows, 0);
    hwloc_bitmap_t nodes = hwloc_bitmap_alloc();
    hwloc_membind_policy_t policy = HWLOC_MEMBIND_DEFAULT;
    const int got = s == REALM_OK ? hwloc_get_area_membind(rt->topo.hw, buf, row_bytes * rows, nodes, &policy,
                                                           HWLOC_MEMBIND_BYNODESET)
                                  : -1;
    const bool on_node0 = got == 0 && hwloc_bitmap_isequal(nodes, rt->topo.nodes[0]->nodeset);
    hwloc_bitmap_free(nodes);
    free(buf);
    realm_runtime_destroy(rt);
    if (s == REALM_ERR_UNSUPPORTED) cr_skip_test("memory binding refused here: %s", realm_last_error());
    cr_assert_eq(s, REALM_OK, "%s", realm_last_error());
    cr_assert_eq(got, 0, "hwloc_get_area_membind failed");
    cr_assert_eq(policy, HWLOC_MEMBIND_BIND);
    cr_assert(on_node0, "pages not bound to node 0");
}

/* Every NUMA policy and pin setting works on this machine. */
Test(runtime_api, policies_and_pinning_on_this_machine) {
    for (int numa = 0; numa < REALM_NUMA_COUNT; numa++)
        for (int pin = 0; pin < 2; pin++) {
            realm_runtime_params p = realm_runtime_params_default();
            p.numa = (realm_numa_policy)numa;
            p.pin = pin;
            p.n_threads = 2;
            realm_runtime *rt;
            cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
            cr_assert_eq(realm_runtime_n_groups(rt), 1, "one node here");
            realm_thread_info ti;
            cr_assert_eq(realm_runtime_thread_info(rt, 1, &ti), REALM_OK);
            cr_assert_eq(ti.bound, (bool)pin, "numa %s pin %d",
                         realm_numa_policy_name((realm_numa_policy)numa), pin);
            cr_assert(strstr(realm_runtime_description(rt), pin ? "threads 1.. pinned" : "not pinned") !=
                      NULL);
            realm_runtime_destroy(rt);
        }
}

/* A cpuset keeps the threads on its CPUs (here: CPU 0 only). */
Test(runtime_api, cpuset_on_this_machine) {
    realm_runtime_params p = realm_runtime_params_default();
    p.cpuset = "0";
    realm_runtime *rt;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_runtime_n_threads(rt), 1);
    realm_topology_info info;
    cr_assert_eq(realm_runtime_topology_info(rt, &info), REALM_OK);
    cr_assert_eq(info.usable_cores, 1);
    realm_runtime_destroy(rt);
    p.n_threads = 3; /* oversubscribes CPU 0: every worker bound there */
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    for (int t = 0; t < 3; t++) {
        realm_thread_info ti;
        cr_assert_eq(realm_runtime_thread_info(rt, t, &ti), REALM_OK);
        cr_assert_eq(ti.pu, 0);
    }
    realm_runtime_destroy(rt);
}
