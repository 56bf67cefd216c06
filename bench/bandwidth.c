/* STREAM-style read bandwidth probe: the ceiling for batch-1 matmuls. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* Sum of 64-bit words with 8 independent chains: enough to saturate the
 * load ports while the compiler vectorises; the result defeats dead-code
 * elimination. */
static uint64_t read_slice(const uint64_t *p, size_t n) {
    uint64_t s[8] = {0};
    for (size_t i = 0; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            s[j] += p[i + j];
    return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

int bench_bandwidth(int threads, size_t bytes, int reps, bench_bandwidth_result *out) {
    if (threads < 1 || reps < 1 || bytes < 4096) return -1;
    const size_t words = bytes / sizeof(uint64_t);
    uint64_t *buf = aligned_alloc(64, words * sizeof(uint64_t));
    double *times = malloc(sizeof(double) * (size_t)reps);
    if (!buf || !times) {
        free(buf);
        free(times);
        return -1;
    }
    /* first touch by the reading threads: pages land near them */
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < words; i++)
        buf[i] = i;
    volatile uint64_t sink = 0;
    for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        uint64_t total = 0;
        const double t0 = bench_now();
#pragma omp parallel num_threads(threads) reduction(+ : total)
        {
            const size_t nt = (size_t)omp_get_num_threads(), id = (size_t)omp_get_thread_num();
            const size_t lo = words * id / nt, hi = words * (id + 1) / nt;
            total += read_slice(buf + lo, hi - lo);
        }
        const double dt = bench_now() - t0;
        sink += total;
        if (r >= 0) times[r] = dt;
    }
    (void)sink;
    out->threads = threads;
    out->bytes = words * sizeof(uint64_t);
    out->median_s = bench_median(times, reps);
    out->gbps = (double)out->bytes / out->median_s / 1e9;
    free(buf);
    free(times);
    return 0;
}
