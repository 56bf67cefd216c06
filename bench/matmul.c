/* `realm bench matmul`: Y = X W^T timed as one op (activation quantization
 * included), rows split statically across an OpenMP team in grain-aligned
 * ranges, as the runtime will. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "kernels.h"
#include "qmm/qmm.h"
#include "realm/quant.h"

enum { DISTINCT_ROWS = 64 };
static const size_t ROTATE_BYTES = (size_t)256 << 20; /* well past any LLC */

/* Random weights: a few distinct quantized rows repeated (quantizing
 * millions of rows with the searching quantizer would dominate the run). */
static uint8_t *make_weights(realm_type t, int64_t n, int64_t k, size_t *row_bytes) {
    const size_t rb = realm_row_bytes(t, k);
    uint8_t *w = aligned_alloc(64, (rb * (size_t)n + 63) & ~(size_t)63);
    float *row = malloc(sizeof(float) * (size_t)k);
    if (!w || !row) {
        free(w);
        free(row);
        return NULL;
    }
    uint64_t s = 0x1234567u;
    for (int64_t r = 0; r < n; r++) {
        if (r < DISTINCT_ROWS) {
            for (int64_t i = 0; i < k; i++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                row[i] = (float)((int64_t)(s >> 40) - (1 << 23)) / (float)(1 << 23);
            }
            realm_quantize_row(t, row, w + (size_t)r * rb, k);
        } else {
            memcpy(w + (size_t)r * rb, w + (size_t)(r % DISTINCT_ROWS) * rb, rb);
        }
    }
    free(row);
    *row_bytes = rb;
    return w;
}

/* One timed op with every thread of the team. */
static void run_op(const bench_matmul_params *p, const realm_kernel_table *kt, realm_qmm *q, const void *W,
                   size_t rb, const float *X, float *Y, void **scratch) {
    const int64_t n = p->n, batch = p->batch, k = p->k;
#pragma omp parallel num_threads(p->threads)
    {
        const int nt = omp_get_num_threads(), id = omp_get_thread_num();
        if (q) {
            realm_qmm_quantize(q, X, k, batch * id / nt, batch * (id + 1) / nt);
#pragma omp barrier
            const int64_t g = realm_qmm_grain(q), chunks = (n + g - 1) / g;
            const int64_t r0 = chunks * id / nt * g, r1 = chunks * (id + 1) / nt * g;
            realm_qmm_rows(q, r0, r1 < n ? r1 : n, Y, n, scratch[id]);
        } else {
            const int64_t r0 = n * id / nt, r1 = n * (id + 1) / nt;
            if (r1 > r0) {
                if (p->type == REALM_TYPE_F32)
                    kt->gemm_f32_nt(batch, r1 - r0, k, X, k, (const float *)W + r0 * k, k, Y + r0, n);
                else
                    kt->matmul_quant(p->type, (const uint8_t *)W + (size_t)r0 * rb, r1 - r0, k, X, k, batch,
                                     Y + r0, n);
            }
        }
    }
}

int bench_matmul(const bench_matmul_params *p, bench_matmul_result *out) {
    const realm_kernel_table *kt = realm_kernels_get(p->backend);
    if (!kt || p->threads < 1 || p->reps < 1 || p->n < 1 || p->k < 1 || p->batch < 1) return -1;
    size_t rb = 0;
    uint8_t *w0 = make_weights(p->type, p->n, p->k, &rb);
    if (!w0) return -1;
    const size_t wbytes = rb * (size_t)p->n, xbytes = sizeof(float) * (size_t)(p->batch * p->k);
    int copies = (int)(ROTATE_BYTES / (wbytes + xbytes)) + 1;
    if (copies > 16) copies = 16;
    uint8_t **w = calloc((size_t)copies, sizeof *w);
    float **x = calloc((size_t)copies, sizeof *x);
    float *y = aligned_alloc(64, (sizeof(float) * (size_t)(p->batch * p->n) + 63) & ~(size_t)63);
    void **scratch = calloc((size_t)p->threads, sizeof *scratch);
    double *times = malloc(sizeof(double) * (size_t)p->reps);
    realm_qmm q;
    const int use_qmm = p->backend == REALM_BACKEND_OPTIMIZED &&
                        realm_qmm_init(&q, p->type, w0, p->n, p->k, p->batch) == REALM_OK;
    void *act = use_qmm ? aligned_alloc(64, realm_qmm_act_bytes(&q) + 64) : NULL;
    int rc = (!w || !x || !y || !scratch || !times || (use_qmm && !act)) ? -1 : 0;
    for (int c = 0; rc == 0 && c < copies; c++) {
        w[c] = c == 0 ? w0 : aligned_alloc(64, (wbytes + 63) & ~(size_t)63);
        x[c] = aligned_alloc(64, (xbytes + 63) & ~(size_t)63);
        if (!w[c] || !x[c])
            rc = -1;
        else {
            if (c > 0) memcpy(w[c], w0, wbytes);
            for (int64_t i = 0; i < p->batch * p->k; i++)
                x[c][i] = (float)((i * 7 + c) % 23) / 11.0f - 1.0f;
        }
    }
    for (int t = 0; rc == 0 && use_qmm && t < p->threads; t++)
        if (!(scratch[t] = aligned_alloc(64, realm_qmm_scratch_bytes(&q) + 64))) rc = -1;
    if (use_qmm) realm_qmm_bind(&q, act);
    for (int r = -2; rc == 0 && r < p->reps; r++) { /* two warm-up runs */
        const int c = (r + 2) % copies;
        if (use_qmm) q.W = w[c];
        const double t0 = bench_now();
        run_op(p, kt, use_qmm ? &q : NULL, w[c], rb, x[c], y, scratch);
        const double dt = bench_now() - t0;
        if (r >= 0) times[r] = dt;
    }
    if (rc == 0) {
        out->median_s = bench_median(times, p->reps);
        out->gflops = 2.0 * (double)p->n * (double)p->k * (double)p->batch / out->median_s / 1e9;
        out->weight_gbps = (double)wbytes / out->median_s / 1e9;
        out->path = use_qmm                             ? (q.gemm ? "gemm" : "gemv")
                    : p->backend == REALM_BACKEND_NAIVE ? "naive"
                                                        : "f32";
    }
    for (int c = 0; w && x && c < copies; c++) {
        free(w[c]);
        free(x[c]);
    }
    if (!w) free(w0);
    for (int t = 0; scratch && t < p->threads; t++)
        free(scratch[t]);
    free(w);
    free(x);
    free(y);
    free(scratch);
    free(times);
    free(act);
    return rc;
}
