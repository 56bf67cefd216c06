/* `realm bench sgemm-ref`: OpenBLAS sgemm on a matmul shape, timed like
 * bench_matmul, for side-by-side ratios. Built only with OpenBLAS. */
#include <cblas.h>
#include <stdlib.h>

#include "bench.h"

void openblas_set_num_threads(int num_threads);

int bench_sgemm_ref(int64_t m, int64_t n, int64_t k, int threads, int reps, bench_matmul_result *out) {
    if (m < 1 || n < 1 || k < 1 || threads < 1 || reps < 1) return -1;
    float *a = malloc(sizeof(float) * (size_t)(m * k)), *b = malloc(sizeof(float) * (size_t)(n * k));
    float *c = malloc(sizeof(float) * (size_t)(m * n));
    double *times = malloc(sizeof(double) * (size_t)reps);
    if (!a || !b || !c || !times) {
        free(a);
        free(b);
        free(c);
        free(times);
        return -1;
    }
    for (int64_t i = 0; i < m * k; i++)
        a[i] = (float)(i % 17) / 17.0f - 0.5f;
    for (int64_t i = 0; i < n * k; i++)
        b[i] = (float)(i % 13) / 13.0f - 0.5f;
    openblas_set_num_threads(threads);
    for (int r = -2; r < reps; r++) {
        const double t0 = bench_now();
        /* C = A B^T with B as [n][k]: the weight layout */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)k, 1.0f, a, (int)k, b,
                    (int)k, 0.0f, c, (int)n);
        const double dt = bench_now() - t0;
        if (r >= 0) times[r] = dt;
    }
    out->median_s = bench_median(times, reps);
    out->gflops = 2.0 * (double)m * (double)n * (double)k / out->median_s / 1e9;
    out->weight_gbps = (double)(n * k) * sizeof(float) / out->median_s / 1e9;
    out->path = "openblas";
    free(a);
    free(b);
    free(c);
    free(times);
    return 0;
}
