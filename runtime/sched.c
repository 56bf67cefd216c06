/* The row scheduler (see sched.h): chunking, group shares, thread parts,
 * claiming from the front of one's own part and stealing from the back of
 * the others'. */
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

/* Start of part j of n chunks over nt threads: the first n % nt parts get
 * one more, so with fewer chunks than threads the first threads have one. */
static int64_t part_edge(int64_t n, int j, int nt) { return n / nt * j + (j < n % nt ? j : n % nt); }

void realm_sched_range(const realm_sched_layout *l, const realm_sched_split *s, int t, int64_t *c0,
                       int64_t *c1) {
    const int g = l->thread_group[t];
    const realm_sched_group *gr = &l->groups[g];
    int64_t g0, g1;
    realm_sched_share(l, s, g, &g0, &g1);
    const int j = t - gr->thread0;
    *c0 = g0 + part_edge(g1 - g0, j, gr->n_threads);
    *c1 = g0 + part_edge(g1 - g0, j + 1, gr->n_threads);
}

void realm_sched_chunk_rows(const realm_sched_split *s, int64_t c, int64_t *r0, int64_t *r1) {
    *r0 = c * s->chunk_rows;
    const int64_t left = s->n_rows - *r0;
    *r1 = *r0 + (left < s->chunk_rows ? left : s->chunk_rows);
}

static uint64_t pack(int64_t front, int64_t back) { return (uint64_t)front << 32 | (uint64_t)back; }

void realm_sched_reset(const realm_sched_layout *l, const realm_sched_split *s,
                       realm_sched_counter *counters) {
    for (int t = 0; t < l->n_threads; t++) {
        int64_t c0 = 0, c1 = 0;
        if (s->n_chunks > 0) realm_sched_range(l, s, t, &c0, &c1);
        atomic_store_explicit(&counters[t].range, pack(c0, c1), memory_order_relaxed);
    }
}

int64_t realm_sched_left(const realm_sched_counter *counters, int t) {
    const uint64_t v = atomic_load_explicit(&counters[t].range, memory_order_relaxed);
    const int64_t front = (int64_t)(v >> 32), back = (int64_t)(v & 0xFFFFFFFFu);
    return back > front ? back - front : 0;
}

void realm_sched_cursor_init(realm_sched_cursor *cur, const realm_sched_layout *l, const realm_sched_split *s,
                             int thread, bool node_local) {
    (void)s;
    cur->thread = thread;
    cur->victim = thread;
    cur->group = l->thread_group[thread];
    cur->tried = 0;
    cur->hops = 0;
    cur->max_hops = node_local ? 1 : l->n_groups;
}

/* One claim on part v: from the front by its owner, else from the back but
 * never the part's first chunk (lo). Relaxed: the claim only has to be
 * unique; the barrier that ends the step orders the rows' results. */
static bool claim(realm_sched_counter *counters, int v, bool owner, int64_t lo, int64_t *c) {
    uint64_t old = atomic_load_explicit(&counters[v].range, memory_order_relaxed);
    for (;;) {
        const int64_t front = (int64_t)(old >> 32), back = (int64_t)(old & 0xFFFFFFFFu);
        if (front >= back || (!owner && back - 1 <= lo)) return false;
        const uint64_t next = owner ? pack(front + 1, back) : pack(front, back - 1);
        if (atomic_compare_exchange_weak_explicit(&counters[v].range, &old, next, memory_order_relaxed,
                                                  memory_order_relaxed)) {
            *c = owner ? front : back - 1;
            return true;
        }
    }
}

bool realm_sched_next(realm_sched_cursor *cur, const realm_sched_layout *l, const realm_sched_split *s,
                      realm_sched_counter *counters, int64_t *r0, int64_t *r1) {
    while (cur->hops < cur->max_hops) {
        const realm_sched_group *gr = &l->groups[cur->group];
        int64_t lo, hi, c;
        realm_sched_range(l, s, cur->victim, &lo, &hi);
        if (claim(counters, cur->victim, cur->victim == cur->thread, lo, &c)) {
            realm_sched_chunk_rows(s, c, r0, r1);
            return true;
        }
        /* this part is done for us: the next one of the group, then the
         * next group (an empty part stays empty: parts only shrink) */
        if (++cur->tried < gr->n_threads) {
            cur->victim = cur->victim + 1 == gr->thread0 + gr->n_threads ? gr->thread0 : cur->victim + 1;
            continue;
        }
        cur->hops++;
        cur->group = cur->group + 1 == l->n_groups ? 0 : cur->group + 1;
        cur->tried = 0;
        /* spread thieves over the other group's parts */
        const realm_sched_group *ng = &l->groups[cur->group];
        cur->victim =
            ng->thread0 + (cur->thread - l->groups[l->thread_group[cur->thread]].thread0) % ng->n_threads;
    }
    return false;
}
