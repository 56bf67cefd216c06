/* Per-thread execution of a step (see region.h). */
#include "runtime/region.h"

/* Lets a parallel call made from inside a step of the same runtime fail
 * cleanly instead of deadlocking on the runtime's own threads. */
static _Thread_local const realm_runtime *running;

const realm_runtime *realm_region_current(void) { return running; }

void realm_region_run_step(const realm_region *r, int s, int thread) {
    const realm_parallel_step *st = &r->steps[s];
    const realm_runtime *outer = running;
    running = r->rt;
    if (st->threads_fn) {
        st->threads_fn(r->ctx, thread, r->layout->n_threads);
    } else if (r->splits[s].n_rows > 0) {
        realm_sched_counter *counters = r->counters + (size_t)s * (size_t)r->layout->n_threads;
        realm_sched_cursor cur;
        realm_sched_cursor_init(&cur, r->layout, &r->splits[s], thread,
                                (st->flags & REALM_STEP_NODE_LOCAL) != 0);
        int64_t r0, r1;
        while (realm_sched_next(&cur, r->layout, &r->splits[s], counters, &r0, &r1))
            st->rows_fn(r->ctx, r0, r1, thread);
    }
    running = outer;
}
