/* `realm bench matmul`: Y = X W^T timed as one op on a runtime
 * (realm_runtime_matmul_quant: activation quantization included, rows split
 * across the runtime's threads). */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "qmm/qmm.h"
#include "realm/quant.h"
#include "realm/repack.h"
#include "realm/runtime.h"

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

int bench_matmul(const bench_matmul_params *p, bench_matmul_result *out) {
    if (p->threads < 1 || p->reps < 1 || p->n < 1 || p->k < 1 || p->batch < 1) return -1;
    realm_runtime_params rp = realm_runtime_params_default();
    rp.n_threads = p->threads;
    rp.executor = p->executor;
    rp.flags = REALM_RUNTIME_PIN_CALLER; /* the bench owns its thread: keep it off the workers' CPUs */
    realm_runtime *rt = NULL;
    if (realm_runtime_create(&rp, &rt) != REALM_OK) return -1;
    size_t rb = 0;
    uint8_t *w0 = make_weights(p->type, p->n, p->k, &rb);
    if (!w0) {
        realm_runtime_destroy(rt);
        return -1;
    }
    realm_layout layout = p->layout < 0 ? realm_layout_preferred(p->type) : (realm_layout)p->layout;
    if (!realm_type_get_traits(p->type)->is_quantized || (p->layout < 0 && p->backend == REALM_BACKEND_NAIVE))
        layout = REALM_LAYOUT_GGUF;
    if (layout != REALM_LAYOUT_GGUF) { /* repacked in place of the GGUF rows (same bytes) */
        const size_t bytes = rb * (size_t)p->n;
        uint8_t *packed = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
        if (!packed || realm_repack(p->type, layout, w0, packed, p->n, p->k) != REALM_OK) {
            free(packed);
            free(w0);
            realm_runtime_destroy(rt);
            return -1;
        }
        free(w0);
        w0 = packed;
    }
    const size_t wbytes = rb * (size_t)p->n, xbytes = sizeof(float) * (size_t)(p->batch * p->k);
    int copies = (int)(ROTATE_BYTES / (wbytes + xbytes)) + 1;
    if (copies > 16) copies = 16;
    uint8_t **w = calloc((size_t)copies, sizeof *w);
    float **x = calloc((size_t)copies, sizeof *x);
    float *y = aligned_alloc(64, (sizeof(float) * (size_t)(p->batch * p->n) + 63) & ~(size_t)63);
    double *times = malloc(sizeof(double) * (size_t)p->reps);
    int rc = (!w || !x || !y || !times) ? -1 : 0;
    for (int c = 0; rc == 0 && c < copies; c++) {
        w[c] = c == 0 ? w0 : aligned_alloc(64, (wbytes + 63) & ~(size_t)63);
        x[c] = aligned_alloc(64, (xbytes + 63) & ~(size_t)63);
        if (!w[c] || !x[c]) {
            rc = -1;
        } else {
            if (c > 0) memcpy(w[c], w0, wbytes);
            for (int64_t i = 0; i < p->batch * p->k; i++)
                x[c][i] = (float)((i * 7 + c) % 23) / 11.0f - 1.0f;
        }
    }
    bench_probe *probe = p->probe_bytes && rc == 0 ? bench_probe_create(rt, p->probe_bytes) : NULL;
    double *gbps = p->probe_bytes ? calloc((size_t)p->reps, sizeof *gbps) : NULL;
    double *ratio = p->probe_bytes ? calloc((size_t)p->reps, sizeof *ratio) : NULL;
    if (p->probe_bytes && (!probe || !gbps || !ratio)) rc = -1;
    for (int r = -2; rc == 0 && r < p->reps; r++) { /* two warm-up runs */
        const int c = (r + 2) % copies;
        /* the probe right before each timed run: the machine's bandwidth
         * drifts (shared VM), so each run is compared with its own moment */
        if (probe && r >= 0) gbps[r] = bench_probe_gbps(probe);
        const double t0 = bench_now();
        if (realm_runtime_matmul_quant_layout(rt, p->backend, p->type, layout, w[c], p->n, p->k, x[c],
                                              p->batch, y) != REALM_OK)
            rc = -1;
        const double dt = bench_now() - t0;
        if (r >= 0) times[r] = dt;
        if (probe && r >= 0) ratio[r] = gbps[r] > 0 ? (double)wbytes / dt / 1e9 / gbps[r] : 0;
    }
    if (rc == 0) {
        realm_qmm q;
        const int quant = p->backend == REALM_BACKEND_OPTIMIZED &&
                          realm_type_get_traits(p->type)->is_quantized &&
                          realm_qmm_init(&q, p->type, w0, p->n, p->k, p->batch) == REALM_OK;
        out->median_s = bench_median(times, p->reps);
        out->gflops = 2.0 * (double)p->n * (double)p->k * (double)p->batch / out->median_s / 1e9;
        out->weight_gbps = (double)wbytes / out->median_s / 1e9;
        out->layout = realm_layout_name(layout);
        out->path = quant ? (q.gemm ? "gemm" : "gemv") : p->backend == REALM_BACKEND_NAIVE ? "naive" : "f32";
        out->bw_gbps = probe ? bench_median(gbps, p->reps) : 0;
        out->bw_ratio = probe ? bench_median(ratio, p->reps) : 0;
    }
    bench_probe_destroy(probe);
    free(gbps);
    free(ratio);
    for (int c = 0; w && x && c < copies; c++) {
        free(w[c]);
        free(x[c]);
    }
    if (!w) free(w0);
    free(w);
    free(x);
    free(y);
    free(times);
    realm_runtime_destroy(rt);
    return rc;
}
