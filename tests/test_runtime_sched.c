/* The row scheduler and thread placement as pure functions, without
 * starting a thread: chunking aligned to the grain, node shares in
 * proportion to threads, exactly-once claiming under any interleaving,
 * stealing only after the home share is done, and placement on synthetic
 * machines (2 and 8 NUMA nodes, SMT on and off, node CPUs not numbered
 * consecutively, cpusets). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/placement.h"
#include "runtime/sched.h"
#include "runtime/topology.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

/* ---- synthetic layouts ---------------------------------------------------- */

typedef struct layout_buf {
    realm_sched_group groups[64];
    int thread_group[1024];
    realm_sched_layout l;
} layout_buf;

/* Groups with the given thread counts, numbered in order. */
static void make_layout(layout_buf *b, const int *sizes, int n_groups) {
    int t = 0;
    for (int g = 0; g < n_groups; g++) {
        b->groups[g] = (realm_sched_group){.thread0 = t, .n_threads = sizes[g], .node = g};
        for (int i = 0; i < sizes[g]; i++)
            b->thread_group[t++] = g;
    }
    b->l = (realm_sched_layout){
        .n_threads = t, .n_groups = n_groups, .groups = b->groups, .thread_group = b->thread_group};
}

static const int64_t row_counts[] = {1, 2, 3, 7, 16, 31, 64, 100, 255, 256, 1000, 4096, 12345};
static const int64_t grains[] = {1, 2, 3, 4, 8, 16, 32, 256};
#define N_ROWS (sizeof row_counts / sizeof row_counts[0])
#define N_GRAINS (sizeof grains / sizeof grains[0])

Test(runtime_sched, split_aligns_chunks_to_grain) {
    for (size_t i = 0; i < N_ROWS; i++)
        for (size_t j = 0; j < N_GRAINS; j++)
            for (int T = 1; T <= 64; T *= 2) {
                const int64_t n = row_counts[i], g = grains[j];
                realm_sched_split s = realm_sched_split_rows(n, g, T);
                cr_assert_eq(s.chunk_rows % g, 0, "n=%lld g=%lld T=%d: chunk %lld", (long long)n,
                             (long long)g, T, (long long)s.chunk_rows);
                cr_assert_geq(s.n_chunks, 1);
                cr_assert_lt((s.n_chunks - 1) * s.chunk_rows, n, "too many chunks");
                cr_assert_geq(s.n_chunks * s.chunk_rows, n, "chunks do not cover the rows");
                if (T == 1) cr_assert_eq(s.n_chunks, 1, "one thread gets one chunk");
                /* Enough chunks to balance when there are enough grains. */
                const int64_t n_grains = (n + g - 1) / g;
                if (T > 1 && n_grains >= (int64_t)T * REALM_SCHED_CHUNKS_PER_THREAD)
                    cr_assert_geq(s.n_chunks, (int64_t)T * REALM_SCHED_CHUNKS_PER_THREAD);
            }
}

Test(runtime_sched, split_never_overflows) {
    realm_sched_split s = realm_sched_split_rows(INT64_MAX - 64, 64, 1000);
    cr_assert_eq(s.chunk_rows % 64, 0);
    cr_assert_lt((s.n_chunks - 1) * s.chunk_rows, s.n_rows);
    int64_t r0, r1;
    realm_sched_chunk_rows(&s, s.n_chunks - 1, &r0, &r1);
    cr_assert_eq(r1, s.n_rows, "last chunk ends at the last row");
}

/* Shares are contiguous, in group order, cover every chunk, and each is
 * within one chunk of its exact proportional size. */
static void check_shares(const realm_sched_layout *l, const realm_sched_split *s) {
    int64_t next = 0;
    for (int g = 0; g < l->n_groups; g++) {
        int64_t c0, c1;
        realm_sched_share(l, s, g, &c0, &c1);
        cr_assert_eq(c0, next, "group %d share starts at %lld, want %lld", g, (long long)c0, (long long)next);
        cr_assert_leq(c0, c1);
        const double exact = (double)s->n_chunks * l->groups[g].n_threads / l->n_threads;
        cr_assert_leq(abs((int)((double)(c1 - c0) - exact)), 1, "group %d share %lld, proportional %.2f", g,
                      (long long)(c1 - c0), exact);
        next = c1;
    }
    cr_assert_eq(next, s->n_chunks);
}

static const int shapes[][9] = {
    /* n_groups, sizes... */
    {1, 1},
    {1, 2},
    {1, 16},
    {2, 1, 1},
    {2, 8, 8},
    {2, 3, 5},
    {2, 16, 16},
    {8, 1, 1, 1, 1, 1, 1, 1, 1},
    {8, 4, 4, 4, 4, 4, 4, 4, 4},
    {8, 2, 1, 3, 1, 8, 1, 1, 7},
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

Test(runtime_sched, shares_proportional_to_threads) {
    for (size_t k = 0; k < N_SHAPES; k++) {
        layout_buf b;
        make_layout(&b, &shapes[k][1], shapes[k][0]);
        for (size_t i = 0; i < N_ROWS; i++)
            for (size_t j = 0; j < N_GRAINS; j++) {
                realm_sched_split s = realm_sched_split_rows(row_counts[i], grains[j], b.l.n_threads);
                check_shares(&b.l, &s);
            }
    }
}

/* Runs every thread's cursor to completion in a random interleaving (one
 * claim at a time, as threads racing on the counters would), recording who
 * got each chunk. */
static void simulate(const realm_sched_layout *l, const realm_sched_split *s, bool node_local, uint64_t seed,
                     int *owner /* [n_chunks] */) {
    realm_sched_counter *counters = aligned_alloc(64, sizeof *counters * (size_t)l->n_threads);
    realm_sched_reset(l, s, counters);
    realm_sched_cursor *cur = malloc(sizeof *cur * (size_t)l->n_threads);
    bool *done = calloc((size_t)l->n_threads, 1);
    int *claims = calloc((size_t)l->n_threads, sizeof(int));
    int64_t *last_own = malloc(sizeof *last_own * (size_t)l->n_threads);
    for (int t = 0; t < l->n_threads; t++)
        realm_sched_cursor_init(&cur[t], l, s, t, node_local);
    for (int64_t c = 0; c < s->n_chunks; c++)
        owner[c] = -1;
    tu_rng rng = {seed};
    for (int left = l->n_threads; left > 0;) {
        const int t = (int)(tu_next(&rng) % (uint64_t)l->n_threads);
        if (done[t]) continue;
        int64_t r0, r1;
        if (!realm_sched_next(&cur[t], l, s, counters, &r0, &r1)) {
            done[t] = true;
            left--;
            continue;
        }
        const int64_t c = r0 / s->chunk_rows;
        cr_assert_eq(r0, c * s->chunk_rows, "chunk start");
        cr_assert_eq(owner[c], -1, "chunk %lld claimed twice (threads %d and %d)", (long long)c, owner[c], t);
        owner[c] = t;
        const int g = l->thread_group[t];
        int64_t c0, c1;
        realm_sched_share(l, s, g, &c0, &c1);
        int64_t p0, p1;
        realm_sched_range(l, s, t, &p0, &p1);
        cr_assert(c0 <= p0 && p0 <= p1 && p1 <= c1, "thread %d's part is not inside its group's share", t);
        /* A thread's first claim is the first chunk of its own part, and it
         * takes its own chunks in order (one contiguous stream). */
        if (claims[t]++ == 0 && p0 < p1) cr_assert_eq(c, p0, "thread %d did not start at its own chunk", t);
        if (c >= p0 && c < p1) {
            if (c > p0) cr_assert_eq(c, last_own[t] + 1, "thread %d skipped own chunks", t);
            last_own[t] = c;
        } else {
            /* a stolen chunk: never another part's first one */
            int64_t v0 = -1, v1 = -1;
            for (int u = 0; u < l->n_threads; u++) {
                realm_sched_range(l, s, u, &v0, &v1);
                if (c >= v0 && c < v1) break;
            }
            cr_assert_gt(c, v0, "thread %d stole chunk %lld, the first of another part", t, (long long)c);
            cr_assert_eq(realm_sched_left(counters, t), 0, "thread %d stole with own chunks left", t);
        }
        /* It leaves its share only once the share is handed out, but for
         * first chunks whose owners have not come yet (reserved to them). */
        if (c < c0 || c >= c1) {
            cr_assert(!node_local, "node-local step stole chunk %lld", (long long)c);
            for (int u = l->groups[g].thread0; u < l->groups[g].thread0 + l->groups[g].n_threads; u++) {
                const int64_t rest = realm_sched_left(counters, u);
                cr_assert(rest == 0 || (rest == 1 && claims[u] == 0),
                          "thread %d stole before its share was done", t);
            }
        }
    }
    for (int64_t c = 0; c < s->n_chunks; c++)
        cr_assert_neq(owner[c], -1, "chunk %lld never claimed", (long long)c);
    free(last_own);
    free(claims);
    free(done);
    free(cur);
    free(counters);
}

Test(runtime_sched, every_chunk_claimed_exactly_once) {
    for (size_t k = 0; k < N_SHAPES; k++) {
        layout_buf b;
        make_layout(&b, &shapes[k][1], shapes[k][0]);
        for (size_t i = 0; i < N_ROWS; i++)
            for (size_t j = 0; j < N_GRAINS; j += 3) {
                realm_sched_split s = realm_sched_split_rows(row_counts[i], grains[j], b.l.n_threads);
                int *owner = malloc(sizeof *owner * (size_t)s.n_chunks);
                for (uint64_t seed = 1; seed <= 4; seed++) {
                    simulate(&b.l, &s, false, seed * 1000 + i, owner);
                    simulate(&b.l, &s, true, seed * 7777 + i, owner);
                    /* Node-local: each chunk went to a thread of its owner group. */
                    for (int g = 0; g < b.l.n_groups; g++) {
                        int64_t c0, c1;
                        realm_sched_share(&b.l, &s, g, &c0, &c1);
                        for (int64_t c = c0; c < c1; c++)
                            cr_assert_eq(b.thread_group[owner[c]], g);
                    }
                }
                free(owner);
            }
    }
}

/* More threads than chunks: a group may own nothing, and its threads then
 * try the other groups' counters, but never a chunk reserved as another
 * thread's first one. */
Test(runtime_sched, reserved_first_chunks_are_not_stolen) {
    const int sizes[2] = {1, 3};
    layout_buf b;
    make_layout(&b, sizes, 2);
    realm_sched_split s = realm_sched_split_rows(1, 1, 4); /* one chunk */
    int64_t c0, c1;
    realm_sched_share(&b.l, &s, 0, &c0, &c1);
    cr_assert_eq(c1 - c0, 0, "group 0 (1 of 4 threads) owns nothing");
    realm_sched_counter counters[4];
    realm_sched_reset(&b.l, &s, counters);
    realm_sched_cursor cur;
    realm_sched_cursor_init(&cur, &b.l, &s, 0, false);
    int64_t r0, r1;
    cr_assert(!realm_sched_next(&cur, &b.l, &s, counters, &r0, &r1), "thread 0 took thread 1's first chunk");
    realm_sched_cursor_init(&cur, &b.l, &s, 1, false);
    cr_assert(realm_sched_next(&cur, &b.l, &s, counters, &r0, &r1));
    cr_assert_eq(r0, 0);
    cr_assert_eq(r1, 1);
}

/* ---- placement on synthetic machines ------------------------------------- */

typedef struct planned {
    realm_topo topo;
    realm_placement p;
} planned;

static void plan(planned *pl, const char *synthetic, const char *cpuset, int n_threads,
                 realm_numa_policy numa) {
    cr_assert_eq(realm_topo_load(&pl->topo, NULL, synthetic), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_topo_select(&pl->topo, cpuset), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(
        realm_place_threads(pl->topo.cores, pl->topo.n_cores, pl->topo.n_nodes, n_threads, numa, 0, &pl->p),
        REALM_OK, "%s", realm_last_error());
}

static void unplan(planned *pl) {
    realm_placement_free(&pl->p);
    realm_topo_free(&pl->topo);
}

/* Every thread's PU belongs to its core and node in hwloc's own terms. */
static void check_consistent(const planned *pl) {
    for (int t = 0; t < pl->p.n_threads; t++) {
        const realm_thread_slot *s = &pl->p.slots[t];
        hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(pl->topo.hw, (unsigned)s->pu);
        cr_assert_not_null(pu);
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(pl->topo.hw, HWLOC_OBJ_CORE, pu);
        cr_assert_eq((int)core->logical_index, s->core, "thread %d: PU %d is not in core %d", t, s->pu,
                     s->core);
        cr_assert(hwloc_bitmap_isset(pl->topo.nodes[s->node]->cpuset, (unsigned)s->pu), "thread %d: node", t);
    }
    /* Groups: contiguous thread ranges, in order, covering all threads. */
    int next = 0;
    for (int g = 0; g < pl->p.n_groups; g++) {
        cr_assert_eq(pl->p.groups[g].thread0, next);
        for (int t = next; t < next + pl->p.groups[g].n_threads; t++)
            cr_assert_eq(pl->p.thread_group[t], g);
        next += pl->p.groups[g].n_threads;
    }
    cr_assert_eq(next, pl->p.n_threads);
}

Test(runtime_place, default_is_one_thread_per_core_smt_on) {
    planned pl;
    plan(&pl, "pack:2 numa:1 core:8 pu:2", NULL, 0, REALM_NUMA_DISTRIBUTE); /* 2 nodes, SMT */
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_threads, 16);
    cr_assert_eq(pl.p.default_threads, 16);
    cr_assert_eq(pl.p.n_cores_used, 16, "no two threads on one core");
    cr_assert_eq(pl.p.n_groups, 2);
    cr_assert_eq(pl.p.groups[0].n_threads, 8);
    cr_assert_eq(pl.p.groups[1].n_threads, 8);
    for (int t = 0; t < 16; t++)
        cr_assert_eq(pl.p.slots[t].pu % 2, 0, "thread %d on an SMT sibling", t);
    unplan(&pl);
}

Test(runtime_place, eight_nodes_smt_off) {
    planned pl;
    plan(&pl, "numa:8 core:4 pu:1", NULL, 8, REALM_NUMA_DISTRIBUTE);
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_groups, 8, "8 threads spread over 8 nodes");
    cr_assert_eq(pl.p.n_nodes_used, 8);
    for (int g = 0; g < 8; g++)
        cr_assert_eq(pl.p.groups[g].n_threads, 1);
    unplan(&pl);

    plan(&pl, "numa:8 core:4 pu:1", NULL, 0, REALM_NUMA_DISTRIBUTE);
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_threads, 32);
    cr_assert_eq(pl.p.n_groups, 8);
    unplan(&pl);

    plan(&pl, "numa:8 core:4 pu:1", NULL, 64, REALM_NUMA_DISTRIBUTE); /* oversubscribed: 2 per core */
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_threads, 64);
    cr_assert_eq(pl.p.n_cores_used, 32);
    for (int g = 0; g < 8; g++)
        cr_assert_eq(pl.p.groups[g].n_threads, 8);
    unplan(&pl);
}

Test(runtime_place, eight_nodes_smt_on_siblings_after_cores) {
    planned pl;
    plan(&pl, "numa:8 core:2 pu:2", NULL, 16, REALM_NUMA_DISTRIBUTE);
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_cores_used, 16, "16 threads on 16 cores before any sibling");
    unplan(&pl);
    plan(&pl, "numa:8 core:2 pu:2", NULL, 32, REALM_NUMA_DISTRIBUTE);
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_pus_used, 32, "then every sibling once");
    unplan(&pl);
}

/* Big servers number a node's CPUs 0-3 plus 8-11: membership must come
 * from hwloc, and SMT siblings are 0 and 8. */
Test(runtime_place, node_cpus_not_consecutive) {
    planned pl;
    plan(&pl, "numa:2 core:4 pu:2(indexes=0,8,1,9,2,10,3,11,4,12,5,13,6,14,7,15)", NULL, 0,
         REALM_NUMA_DISTRIBUTE);
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_threads, 8);
    for (int t = 0; t < 8; t++)
        cr_assert_lt(pl.p.slots[t].pu, 8, "thread %d on sibling PU %d", t, pl.p.slots[t].pu);
    unplan(&pl);
    plan(&pl, "numa:2(indexes=1,0) core:2 pu:1", NULL, 0, REALM_NUMA_DISTRIBUTE);
    check_consistent(&pl);
    cr_assert_eq(realm_topo_node_os_index(&pl.topo, pl.p.slots[0].node), 1, "dense node 0 is OS node 1");
    unplan(&pl);
}

Test(runtime_place, numa_none_is_compact_and_one_group) {
    planned pl;
    plan(&pl, "pack:2 numa:2 core:8 pu:2", NULL, 4, REALM_NUMA_NONE);
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_groups, 1);
    cr_assert_eq(pl.p.n_nodes_used, 1, "first cores in hwloc order, all on node 0");
    cr_assert_eq(pl.p.groups[0].node, 0);
    unplan(&pl);
    plan(&pl, "pack:2 numa:2 core:8 pu:2", NULL, 0, REALM_NUMA_NONE);
    cr_assert_eq(pl.p.n_groups, 1);
    cr_assert_eq(pl.p.groups[0].node, -1, "one group across nodes");
    unplan(&pl);
}

Test(runtime_place, distribute_spreads_few_threads) {
    planned pl;
    plan(&pl, "pack:2 numa:2 core:8 pu:2", NULL, 4, REALM_NUMA_DISTRIBUTE);
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_groups, 4, "one thread on each of the 4 nodes");
    unplan(&pl);
}

Test(runtime_place, isolate_keeps_home_node) {
    planned pl;
    cr_assert_eq(realm_topo_load(&pl.topo, NULL, "numa:2 core:4 pu:2"), REALM_OK);
    cr_assert_eq(realm_topo_select(&pl.topo, NULL), REALM_OK);
    cr_assert_eq(realm_place_threads(pl.topo.cores, pl.topo.n_cores, 2, 0, REALM_NUMA_ISOLATE, 1, &pl.p),
                 REALM_OK);
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_threads, 4);
    for (int t = 0; t < 4; t++)
        cr_assert_eq(pl.p.slots[t].node, 1);
    unplan(&pl);
}

Test(runtime_place, cpuset_restricts_cores) {
    planned pl;
    /* PUs 0-3 are cores 0-1 (both siblings), PU 8 is core 4. */
    plan(&pl, "numa:2 core:4 pu:2", "0-3,8", 0, REALM_NUMA_DISTRIBUTE);
    check_consistent(&pl);
    cr_assert_eq(pl.p.n_threads, 3);
    cr_assert_eq(pl.p.n_nodes_used, 2);
    unplan(&pl);
    plan(&pl, "numa:2 core:4 pu:2", "0x0000ff00", 0, REALM_NUMA_NONE); /* node 1 only */
    cr_assert_eq(pl.p.n_threads, 4);
    for (int t = 0; t < 4; t++)
        cr_assert_eq(pl.p.slots[t].node, 1);
    unplan(&pl);
    plan(&pl, "numa:2 core:4 pu:2", "1,3", 2, REALM_NUMA_NONE); /* second siblings only */
    cr_assert_eq(pl.p.slots[0].pu, 1);
    cr_assert_eq(pl.p.slots[1].pu, 3);
    unplan(&pl);
}

/* Hybrid CPU, as hwloc reports it: kind rank 1 (performance) on cores 0-3,
 * rank 0 (efficiency) on cores 4-7. The default takes the P-cores only;
 * explicit counts take P-cores first. */
Test(runtime_place, hybrid_prefers_performance_cores) {
    realm_topo_core cores[8];
    for (int i = 0; i < 8; i++)
        cores[i] = (realm_topo_core){.core = i, .node = 0, .kind = i < 4 ? 0 : 1, .n_pus = 1, .pus = {i}};
    realm_placement p;
    cr_assert_eq(realm_place_threads(cores, 8, 1, 0, REALM_NUMA_DISTRIBUTE, 0, &p), REALM_OK);
    cr_assert_eq(p.n_threads, 4);
    for (int t = 0; t < 4; t++)
        cr_assert_geq(p.slots[t].core, 4, "default thread %d on an E-core", t);
    realm_placement_free(&p);
    cr_assert_eq(realm_place_threads(cores, 8, 1, 6, REALM_NUMA_DISTRIBUTE, 0, &p), REALM_OK);
    for (int t = 0; t < 4; t++)
        cr_assert_geq(p.slots[t].core, 4);
    cr_assert_lt(p.slots[4].core, 4);
    realm_placement_free(&p);
}
