/* The parallel entry points: argument checks, chunking of each rows step,
 * counter reset, then the executor. */
#include <stdint.h>

#include "core/error.h"
#include "runtime/runtime_impl.h"

realm_status realm_runtime_check_rows(const char *fn, int64_t n_rows, int64_t grain) {
    if (n_rows < 0)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: n_rows = %lld is negative", fn, (long long)n_rows);
    if (grain < 1)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: grain = %lld is below 1", fn, (long long)grain);
    if (n_rows > INT64_MAX - grain)
        return realm_error(REALM_ERR_OVERFLOW, "%s: n_rows = %lld with grain %lld overflows", fn,
                           (long long)n_rows, (long long)grain);
    return REALM_OK;
}

static realm_status check_step(const char *fn, const realm_parallel_step *st, int i) {
    if (!st->threads_fn == !st->rows_fn)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "%s: step %d must set exactly one of threads_fn and rows_fn", fn, i);
    if (st->flags & ~REALM_STEP_NODE_LOCAL)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: step %d has unknown flags 0x%x", fn, i,
                           (unsigned)st->flags);
    return st->rows_fn ? realm_runtime_check_rows(fn, st->n_rows, st->grain) : REALM_OK;
}

/* Runs checked steps. A call with no work at all (only empty rows steps)
 * returns without waking anyone. */
static realm_status run_steps(const char *fn, realm_runtime *rt, const realm_parallel_step *steps,
                              int n_steps, void *ctx) {
    if (realm_region_current() == rt)
        return realm_error(REALM_ERR_STATE, "%s: called from inside a parallel call of the same runtime", fn);
    realm_region r = {.rt = rt,
                      .steps = steps,
                      .n_steps = n_steps,
                      .ctx = ctx,
                      .layout = &rt->layout,
                      .counters = rt->counters};
    bool work = false;
    for (int s = 0; s < n_steps; s++) {
        if (steps[s].rows_fn && steps[s].n_rows > 0)
            r.splits[s] = realm_sched_split_rows(steps[s].n_rows, steps[s].grain, rt->layout.n_threads);
        work = work || steps[s].threads_fn || steps[s].n_rows > 0;
    }
    if (!work) return REALM_OK;
    pthread_mutex_lock(&rt->lock);
    for (int s = 0; s < n_steps; s++)
        realm_sched_reset(&rt->layout, &r.splits[s], rt->counters + (size_t)s * (size_t)rt->layout.n_threads);
    rt->exec->run(rt, &r);
    pthread_mutex_unlock(&rt->lock);
    return REALM_OK;
}

realm_status realm_runtime_parallel_steps(realm_runtime *rt, const realm_parallel_step *steps, int n_steps,
                                          void *ctx) {
    static const char fn[] = "realm_runtime_parallel_steps";
    if (!rt || !steps) return realm_error(REALM_ERR_INVALID_ARG, "%s: %s is NULL", fn, rt ? "steps" : "rt");
    if (n_steps < 1 || n_steps > REALM_RUNTIME_MAX_STEPS)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: n_steps = %d is outside [1, %d]", fn, n_steps,
                           REALM_RUNTIME_MAX_STEPS);
    for (int i = 0; i < n_steps; i++) {
        realm_status s = check_step(fn, &steps[i], i);
        if (s != REALM_OK) return s;
    }
    return run_steps(fn, rt, steps, n_steps, ctx);
}

realm_status realm_runtime_parallel_rows(realm_runtime *rt, int64_t n_rows, int64_t grain, realm_rows_fn fn,
                                         void *ctx) {
    static const char name[] = "realm_runtime_parallel_rows";
    if (!rt || !fn) return realm_error(REALM_ERR_INVALID_ARG, "%s: %s is NULL", name, rt ? "fn" : "rt");
    realm_status s = realm_runtime_check_rows(name, n_rows, grain);
    if (s != REALM_OK) return s;
    const realm_parallel_step step = {.rows_fn = fn, .n_rows = n_rows, .grain = grain};
    return run_steps(name, rt, &step, 1, ctx);
}

realm_status realm_runtime_parallel_threads(realm_runtime *rt, realm_threads_fn fn, void *ctx) {
    static const char name[] = "realm_runtime_parallel_threads";
    if (!rt || !fn) return realm_error(REALM_ERR_INVALID_ARG, "%s: %s is NULL", name, rt ? "fn" : "rt");
    const realm_parallel_step step = {.threads_fn = fn};
    return run_steps(name, rt, &step, 1, ctx);
}
