/* The row scheduler (see sched.h): chunking, node shares, chunk claiming. */
#include "runtime/sched.h"

realm_sched_split realm_sched_split_rows(int64_t n_rows, int64_t grain, int n_threads) {
    const int64_t grains = n_rows / grain + (n_rows % grain != 0);
    /* One thread gets one chunk: nothing to balance, one call. */
    const int64_t target = n_threads == 1 ? 1 : (int64_t)n_threads * REALM_SCHED_CHUNKS_PER_THREAD;
    int64_t per_chunk = grains / target;
    if (per_chunk < 1) per_chunk = 1;
    realm_sched_split s = {
        .n_rows = n_rows,
        .chunk_rows = per_chunk * grain, /* <= n_rows + grain - 1: no overflow by the precondition */
        .n_chunks = grains / per_chunk + (grains % per_chunk != 0),
    };
    return s;
}

/* floor(n_chunks * t / T) without the product overflowing. */
static int64_t share_edge(int64_t n_chunks, int t, int n_threads) {
    return n_chunks / n_threads * t + n_chunks % n_threads * t / n_threads;
}

void realm_sched_share(const realm_sched_layout *l, const realm_sched_split *s, int g, int64_t *c0,
                       int64_t *c1) {
    const realm_sched_group *gr = &l->groups[g];
    *c0 = share_edge(s->n_chunks, gr->thread0, l->n_threads);
    *c1 = share_edge(s->n_chunks, gr->thread0 + gr->n_threads, l->n_threads);
}

void realm_sched_chunk_rows(const realm_sched_split *s, int64_t c, int64_t *r0, int64_t *r1) {
    *r0 = c * s->chunk_rows;
    const int64_t left = s->n_rows - *r0;
    *r1 = *r0 + (left < s->chunk_rows ? left : s->chunk_rows);
}

void realm_sched_reset(const realm_sched_layout *l, realm_sched_counter *counters) {
    for (int g = 0; g < l->n_groups; g++)
        atomic_store_explicit(&counters[g].next, l->groups[g].n_threads, memory_order_relaxed);
}

void realm_sched_cursor_init(realm_sched_cursor *cur, const realm_sched_layout *l, const realm_sched_split *s,
                             int thread, bool node_local) {
    const int g = l->thread_group[thread];
    int64_t c0, c1;
    realm_sched_share(l, s, g, &c0, &c1);
    const int64_t own = c0 + (thread - l->groups[g].thread0);
    cur->group = g;
    cur->hops = 0;
    cur->max_hops = node_local ? 1 : l->n_groups;
    cur->first = own < c1 ? own : -1;
}

bool realm_sched_next(realm_sched_cursor *cur, const realm_sched_layout *l, const realm_sched_split *s,
                      realm_sched_counter *counters, int64_t *r0, int64_t *r1) {
    if (cur->first >= 0) {
        realm_sched_chunk_rows(s, cur->first, r0, r1);
        cur->first = -1;
        return true;
    }
    while (cur->hops < cur->max_hops) {
        int64_t c0, c1;
        realm_sched_share(l, s, cur->group, &c0, &c1);
        /* Relaxed: the claim only has to be unique; the barrier that ends
         * the step orders the rows' results. */
        const int64_t c = c0 + atomic_fetch_add_explicit(&counters[cur->group].next, 1, memory_order_relaxed);
        if (c < c1) {
            realm_sched_chunk_rows(s, c, r0, r1);
            return true;
        }
        cur->hops++;
        cur->group = cur->group + 1 == l->n_groups ? 0 : cur->group + 1;
    }
    return false;
}
