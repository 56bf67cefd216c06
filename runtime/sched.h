/* Internal: the row scheduler, as pure functions over a thread layout.
 *
 * Threads are numbered so that each scheduler group (one per NUMA node with
 * numa distribute, else one for all) holds a contiguous range of them.
 * For one parallel call:
 *   - realm_sched_split_rows() cuts n_rows into chunks whose starts are
 *     multiples of the grain, about REALM_SCHED_CHUNKS_PER_THREAD per thread
 *     (enough slack to balance uneven threads, few enough to keep the
 *     per-chunk cost small);
 *   - group g owns the contiguous chunk range realm_sched_share(), sized in
 *     proportion to its threads;
 *   - thread j of a group first takes chunk j of its share (no atomic), then
 *     claims chunks from the group's counter, which starts at the group's
 *     thread count; when its group is exhausted it claims from the other
 *     groups' counters in turn (stealing), unless the step is node-local.
 * Every chunk is handed out exactly once: the first n chunks of a share by
 * thread index, the rest by one fetch_add each. */
#ifndef REALM_RUNTIME_SCHED_H
#define REALM_RUNTIME_SCHED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define REALM_SCHED_CHUNKS_PER_THREAD 4

typedef struct realm_sched_group {
    int thread0;   /* first thread of the group */
    int n_threads; /* threads [thread0, thread0 + n_threads) */
    int node;      /* dense NUMA node index (topology order); -1: several */
} realm_sched_group;

typedef struct realm_sched_layout {
    int n_threads;
    int n_groups;
    const realm_sched_group *groups; /* [n_groups], thread ranges in order, covering all threads */
    const int *thread_group;         /* [n_threads]: group of each thread */
} realm_sched_layout;

typedef struct realm_sched_split {
    int64_t n_rows;
    int64_t chunk_rows; /* a multiple of the grain; the last chunk may be shorter */
    int64_t n_chunks;
} realm_sched_split;

/* One claim counter per group, alone on its cache line so that groups (and
 * the barrier) do not share lines. */
typedef struct realm_sched_counter {
    _Alignas(64) atomic_int_fast64_t next;
} realm_sched_counter;

/* What one thread is about to claim in one step. */
typedef struct realm_sched_cursor {
    int group;     /* the group it claims from now */
    int hops;      /* groups already found exhausted */
    int max_hops;  /* 1 when node-local, else n_groups */
    int64_t first; /* its own first chunk, or -1 once taken / when none */
} realm_sched_cursor;

/* Chunking of n_rows >= 1 (grain >= 1, n_rows + grain without overflow)
 * for n_threads >= 1. Depends on nothing else, so placement and compute
 * agree on the shares. */
realm_sched_split realm_sched_split_rows(int64_t n_rows, int64_t grain, int n_threads);

/* Chunk range [*c0, *c1) that group g owns. */
void realm_sched_share(const realm_sched_layout *l, const realm_sched_split *s, int g, int64_t *c0,
                       int64_t *c1);

/* Row range of chunk c. */
void realm_sched_chunk_rows(const realm_sched_split *s, int64_t c, int64_t *r0, int64_t *r1);

/* Puts every group's counter at its thread count (before a step starts). */
void realm_sched_reset(const realm_sched_layout *l, realm_sched_counter *counters);

void realm_sched_cursor_init(realm_sched_cursor *cur, const realm_sched_layout *l, const realm_sched_split *s,
                             int thread, bool node_local);

/* Claims the next chunk for the cursor's thread: true with its rows, false
 * when nothing is left that this thread may take. */
bool realm_sched_next(realm_sched_cursor *cur, const realm_sched_layout *l, const realm_sched_split *s,
                      realm_sched_counter *counters, int64_t *r0, int64_t *r1);

#endif
