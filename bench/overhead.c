/* Dispatch + barrier round trip of an empty parallel region (overhead.h). */
#include "overhead.h"

#include <stdlib.h>

#include "bench.h"

static void empty_region(void *ctx, int thread, int n_threads) { (void)ctx, (void)thread, (void)n_threads; }

realm_status bench_overhead(realm_executor executor, int threads, int reps, bench_overhead_result *out) {
    realm_runtime_params p = realm_runtime_params_default();
    p.executor = executor;
    p.n_threads = threads;
    realm_runtime *rt = NULL;
    realm_status s = realm_runtime_create(&p, &rt);
    if (s != REALM_OK) return s;
    double *t = malloc(sizeof *t * (size_t)(reps > 0 ? reps : 1));
    if (!t) {
        realm_runtime_destroy(rt);
        return REALM_ERR_OUT_OF_MEMORY;
    }
    /* Warm-up: threads started, pages of the runtime touched, caches hot. */
    for (int i = 0; i < 1000 && s == REALM_OK; i++)
        s = realm_runtime_parallel_threads(rt, empty_region, NULL);
    /* Each region timed alone: the median is the typical round trip, not
     * an average that preemption outliers would pull up. */
    for (int i = 0; i < reps && s == REALM_OK; i++) {
        const double t0 = bench_now();
        s = realm_runtime_parallel_threads(rt, empty_region, NULL);
        t[i] = (bench_now() - t0) * 1e6;
    }
    if (s == REALM_OK) {
        out->executor = executor;
        out->threads = realm_runtime_n_threads(rt);
        out->reps = reps;
        out->median_us = bench_median(t, reps); /* sorts t */
        out->p10_us = t[reps / 10];
        out->p90_us = t[reps - 1 - reps / 10];
        out->min_us = t[0];
    }
    free(t);
    realm_runtime_destroy(rt);
    return s;
}
