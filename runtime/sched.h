/* Internal: the row scheduler, as pure functions over a thread layout.
 *
 * Threads are numbered so that each scheduler group (one per NUMA node with
 * numa distribute, else one for all) holds a contiguous range of them.
 * For one parallel call:
 *   - realm_sched_split_rows() cuts n_rows into chunks whose starts are
 *     multiples of the grain, about REALM_SCHED_CHUNKS_PER_THREAD per thread;
 *   - group g owns the contiguous chunk range realm_sched_share(), sized in
 *     proportion to its threads, and each thread of it a contiguous part of
 *     that (realm_sched_range(); the first threads get one more when it does
 *     not divide);
 *   - a thread claims its own chunks from the front, in order, so it reads
 *     one contiguous stream of weights (a GEMV's prefetch runs on into its
 *     next chunk: no restart per chunk, which cost about 1 us each, see
 *     bench/RESULTS.md); once its part is empty it steals from the back of
 *     the other parts of its group, then (unless the step is node-local)
 *     from the other groups' threads, never a part's first chunk, which its
 *     owner always takes itself.
 * Every chunk is handed out exactly once: a part's front and back sit in one
 * 64-bit word that every claim changes by compare-and-swap. */
#ifndef REALM_RUNTIME_SCHED_H
#define REALM_RUNTIME_SCHED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define REALM_SCHED_CHUNKS_PER_THREAD 16

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

/* The unclaimed chunks [front, back) of one thread's part, packed as
 * front << 32 | back, alone on its cache line so that threads (and the
 * barrier) do not share lines. Chunk counts stay far below 2^32. */
typedef struct realm_sched_counter {
    _Alignas(64) _Atomic uint64_t range;
} realm_sched_counter;

/* What one thread is about to claim in one step. */
typedef struct realm_sched_cursor {
    int thread;   /* the claiming thread */
    int victim;   /* whose part it claims from now (itself first) */
    int group;    /* the victim's group */
    int tried;    /* parts of that group found empty */
    int hops;     /* groups already found exhausted */
    int max_hops; /* 1 when node-local, else n_groups */
} realm_sched_cursor;

/* Chunking of n_rows >= 1 (grain >= 1, n_rows + grain without overflow)
 * for n_threads >= 1. Depends on nothing else, so placement and compute
 * agree on the shares. */
realm_sched_split realm_sched_split_rows(int64_t n_rows, int64_t grain, int n_threads);

/* Chunk range [*c0, *c1) that group g owns. */
void realm_sched_share(const realm_sched_layout *l, const realm_sched_split *s, int g, int64_t *c0,
                       int64_t *c1);

/* Chunk range [*c0, *c1) that thread t owns (a part of its group's share). */
void realm_sched_range(const realm_sched_layout *l, const realm_sched_split *s, int t, int64_t *c0,
                       int64_t *c1);

/* Chunks of thread t's part not claimed yet. */
int64_t realm_sched_left(const realm_sched_counter *counters, int t);

/* Row range of chunk c. */
void realm_sched_chunk_rows(const realm_sched_split *s, int64_t c, int64_t *r0, int64_t *r1);

/* Puts every thread's part back to whole (before a step starts);
 * counters: [l->n_threads]. */
void realm_sched_reset(const realm_sched_layout *l, const realm_sched_split *s,
                       realm_sched_counter *counters);

void realm_sched_cursor_init(realm_sched_cursor *cur, const realm_sched_layout *l, const realm_sched_split *s,
                             int thread, bool node_local);

/* Claims the next chunk for the cursor's thread: true with its rows, false
 * when nothing is left that this thread may take. */
bool realm_sched_next(realm_sched_cursor *cur, const realm_sched_layout *l, const realm_sched_split *s,
                      realm_sched_counter *counters, int64_t *r0, int64_t *r1);

#endif
