/* NUMA memory placement that follows the row partition: the rows a node's
 * threads compute first live in that node's memory. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "runtime/runtime_impl.h"

/* Rows of group g for a call with these sizes: the chunks of its share. */
static void group_rows(const realm_runtime *rt, int g, int64_t n_rows, int64_t grain, int64_t *r0,
                       int64_t *r1) {
    *r0 = *r1 = 0;
    if (n_rows == 0) return;
    const realm_sched_split s = realm_sched_split_rows(n_rows, grain, rt->layout.n_threads);
    int64_t c0, c1;
    realm_sched_share(&rt->layout, &s, g, &c0, &c1);
    if (c0 == c1) return;
    int64_t unused;
    realm_sched_chunk_rows(&s, c0, r0, &unused);
    realm_sched_chunk_rows(&s, c1 - 1, &unused, r1);
}

int realm_runtime_n_groups(const realm_runtime *rt) { return rt ? rt->layout.n_groups : 0; }

realm_status realm_runtime_group_rows(const realm_runtime *rt, int group, int64_t n_rows, int64_t grain,
                                      int64_t *r0, int64_t *r1) {
    static const char fn[] = "realm_runtime_group_rows";
    if (!rt || !r0 || !r1)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: %s is NULL", fn, !rt ? "rt" : "r0 or r1");
    if (group < 0 || group >= rt->layout.n_groups)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: group %d is outside [0, %d)", fn, group,
                           rt->layout.n_groups);
    realm_status s = realm_runtime_check_rows(fn, n_rows, grain);
    if (s != REALM_OK) return s;
    group_rows(rt, group, n_rows, grain, r0, r1);
    return REALM_OK;
}

realm_status realm_numa_bind_rows(const realm_topo *t, void *base, size_t row_bytes, int64_t r0, int64_t r1,
                                  int node) {
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    const uintptr_t lo = ((uintptr_t)base + (uintptr_t)r0 * row_bytes + page - 1) / page * page;
    const uintptr_t hi = ((uintptr_t)base + (uintptr_t)r1 * row_bytes) / page * page;
    if (hi <= lo) return REALM_OK;
    hwloc_obj_t obj = t->nodes[node];
    if (hwloc_set_area_membind(t->hw, (void *)lo, hi - lo, obj->nodeset, HWLOC_MEMBIND_BIND,
                               HWLOC_MEMBIND_MIGRATE | HWLOC_MEMBIND_BYNODESET) != 0)
        return realm_error(REALM_ERR_UNSUPPORTED,
                           "realm_runtime_place_rows: cannot bind %zu bytes to NUMA node %u: %s",
                           (size_t)(hi - lo), obj->os_index, strerror(errno));
    return REALM_OK;
}

realm_status realm_runtime_place_rows(realm_runtime *rt, void *base, size_t row_bytes, int64_t n_rows,
                                      int64_t grain) {
    static const char fn[] = "realm_runtime_place_rows";
    if (!rt || !base) return realm_error(REALM_ERR_INVALID_ARG, "%s: %s is NULL", fn, rt ? "base" : "rt");
    if (row_bytes == 0) return realm_error(REALM_ERR_INVALID_ARG, "%s: row_bytes is 0", fn);
    realm_status s = realm_runtime_check_rows(fn, n_rows, grain);
    if (s != REALM_OK) return s;
    if ((uint64_t)n_rows > (UINTPTR_MAX - (uintptr_t)base) / row_bytes)
        return realm_error(REALM_ERR_OVERFLOW, "%s: %lld rows of %zu bytes exceed the address space", fn,
                           (long long)n_rows, row_bytes);
    /* One group computes everything: nothing to place. An override plans
     * for another machine: its nodes are not this machine's. */
    if (rt->layout.n_groups == 1 || !rt->topo.this_system) return REALM_OK;
    for (int g = 0; g < rt->layout.n_groups && s == REALM_OK; g++) {
        int64_t r0, r1;
        group_rows(rt, g, n_rows, grain, &r0, &r1);
        s = realm_numa_bind_rows(&rt->topo, base, row_bytes, r0, r1, rt->layout.groups[g].node);
    }
    return s;
}
