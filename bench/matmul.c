/* `realm bench matmul`: Y = X W^T timed as one op on a runtime
 * (realm_runtime_matmul_quant: activation quantization included, rows split
 * across the runtime's threads). Several types run interleaved, rep by rep,
 * on one runtime, so that their ratios come from the same moments of a
 * noisy machine. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "qmm/qmm.h"
#include "realm/quant.h"
#include "realm/repack.h"
#include "realm/runtime.h"

enum { DISTINCT_ROWS = 64, MAX_COPIES = 16 };
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

/* One type's weights (in its layout) and activations, in rotating copies. */
typedef struct mm_case {
    bench_matmul_params p;
    realm_layout layout;
    size_t wbytes;
    int copies;
    uint8_t *w[MAX_COPIES];
    float *x[MAX_COPIES];
    double *times, *gbps, *ratio, *vs;
} mm_case;

static void case_free(mm_case *c) {
    for (int i = 0; i < MAX_COPIES; i++) {
        free(c->w[i]);
        free(c->x[i]);
    }
    free(c->times);
    free(c->gbps);
    free(c->ratio);
    free(c->vs);
}

static int case_init(mm_case *c, const bench_matmul_params *p) {
    memset(c, 0, sizeof *c);
    c->p = *p;
    size_t rb = 0;
    uint8_t *w0 = make_weights(p->type, p->n, p->k, &rb);
    if (!w0) return -1;
    c->wbytes = rb * (size_t)p->n;
    realm_layout layout = p->layout < 0 ? realm_layout_preferred(p->type) : (realm_layout)p->layout;
    if (!realm_type_get_traits(p->type)->is_quantized || (p->layout < 0 && p->backend == REALM_BACKEND_NAIVE))
        layout = REALM_LAYOUT_GGUF;
    c->layout = layout;
    if (layout != REALM_LAYOUT_GGUF) { /* repacked in place of the GGUF rows (same bytes) */
        uint8_t *packed = aligned_alloc(64, (c->wbytes + 63) & ~(size_t)63);
        if (!packed || realm_repack(p->type, layout, w0, packed, p->n, p->k) != REALM_OK) {
            free(packed);
            free(w0);
            return -1;
        }
        free(w0);
        w0 = packed;
    }
    const size_t xbytes = sizeof(float) * (size_t)(p->batch * p->k);
    c->copies = (int)(ROTATE_BYTES / (c->wbytes + xbytes)) + 1;
    if (c->copies > MAX_COPIES) c->copies = MAX_COPIES;
    c->w[0] = w0;
    c->times = malloc(sizeof(double) * (size_t)p->reps);
    c->gbps = calloc((size_t)p->reps, sizeof(double));
    c->ratio = calloc((size_t)p->reps, sizeof(double));
    c->vs = calloc((size_t)p->reps, sizeof(double));
    int rc = c->times && c->gbps && c->ratio && c->vs ? 0 : -1;
    for (int i = 0; rc == 0 && i < c->copies; i++) {
        if (i > 0) c->w[i] = aligned_alloc(64, (c->wbytes + 63) & ~(size_t)63);
        c->x[i] = aligned_alloc(64, (xbytes + 63) & ~(size_t)63);
        if (!c->w[i] || !c->x[i]) {
            rc = -1;
        } else {
            if (i > 0) memcpy(c->w[i], w0, c->wbytes);
            for (int64_t e = 0; e < p->batch * p->k; e++)
                c->x[i][e] = (float)((e * 7 + i) % 23) / 11.0f - 1.0f;
        }
    }
    if (rc != 0) case_free(c);
    return rc;
}

/* Run r (< 0: warm-up) of one case, with the probe right before it: the
 * machine's bandwidth drifts (shared VM), so each run is compared with its
 * own moment. */
static int case_run(mm_case *c, realm_runtime *rt, bench_probe *probe, float *y, int r, int warm) {
    const int i = (r + warm) % c->copies;
    const double bw = probe && r >= 0 ? bench_probe_gbps(probe) : 0;
    const double t0 = bench_now();
    if (realm_runtime_matmul_quant_layout(rt, c->p.backend, c->p.type, c->layout, c->w[i], c->p.n, c->p.k,
                                          c->x[i], c->p.batch, y) != REALM_OK)
        return -1;
    const double dt = bench_now() - t0;
    if (r >= 0) {
        c->times[r] = dt;
        c->gbps[r] = bw;
        c->ratio[r] = bw > 0 ? (double)c->wbytes / dt / 1e9 / bw : 0;
    }
    return 0;
}

static void case_result(mm_case *c, bench_matmul_result *out) {
    const bench_matmul_params *p = &c->p;
    realm_qmm q;
    const int quant = p->backend == REALM_BACKEND_OPTIMIZED && realm_type_get_traits(p->type)->is_quantized &&
                      realm_qmm_init(&q, p->type, c->w[0], p->n, p->k, p->batch) == REALM_OK;
    out->median_s = bench_median(c->times, p->reps);
    out->gflops = 2.0 * (double)p->n * (double)p->k * (double)p->batch / out->median_s / 1e9;
    out->weight_gbps = (double)c->wbytes / out->median_s / 1e9;
    out->layout = realm_layout_name(c->layout);
    out->path = quant ? (q.gemm ? "gemm" : "gemv") : p->backend == REALM_BACKEND_NAIVE ? "naive" : "f32";
    out->bw_gbps = p->probe_bytes ? bench_median(c->gbps, p->reps) : 0;
    out->bw_ratio = p->probe_bytes ? bench_median(c->ratio, p->reps) : 0;
    out->vs_first = bench_median(c->vs, p->reps);
}

int bench_matmul_types(const bench_matmul_params *p, const realm_type *types, int n_types,
                       bench_matmul_result *out) {
    if (p->threads < 1 || p->reps < 1 || p->n < 1 || p->k < 1 || p->batch < 1 || n_types < 1) return -1;
    realm_runtime_params rp = realm_runtime_params_default();
    rp.n_threads = p->threads;
    rp.executor = p->executor;
    rp.flags = REALM_RUNTIME_PIN_CALLER; /* the bench owns its thread: keep it off the workers' CPUs */
    realm_runtime *rt = NULL;
    if (realm_runtime_create(&rp, &rt) != REALM_OK) return -1;
    mm_case *cs = calloc((size_t)n_types, sizeof *cs);
    float *y = aligned_alloc(64, (sizeof(float) * (size_t)(p->batch * p->n) + 63) & ~(size_t)63);
    int rc = cs && y ? 0 : -1, made = 0;
    while (rc == 0 && made < n_types) { /* a case that fails frees itself */
        bench_matmul_params pt = *p;
        pt.type = types[made];
        if (case_init(&cs[made], &pt) != 0)
            rc = -1;
        else
            made++;
    }
    bench_probe *probe = p->probe_bytes && rc == 0 ? bench_probe_create(rt, p->probe_bytes) : NULL;
    if (p->probe_bytes && !probe) rc = -1;
    /* warm-up: at least two runs, and every copy read once (on the dev VM
     * the first reads of freshly written weights ran up to 2x slower, over
     * more than the first two runs); each rep starts at the next type, so no
     * type always follows the same one */
    int warm = 2;
    for (int t = 0; t < made; t++)
        warm = cs[t].copies > warm ? cs[t].copies : warm;
    for (int r = -warm; rc == 0 && r < p->reps; r++)
        for (int i = 0; rc == 0 && i < n_types; i++)
            rc = case_run(&cs[(i + r + warm) % n_types], rt, probe, y, r, warm);
    /* speed relative to the first type, rep by rep (their runs sat side by
     * side), before the medians sort the times */
    for (int t = 0; rc == 0 && t < n_types; t++)
        for (int r = 0; r < p->reps; r++)
            cs[t].vs[r] = cs[0].times[r] / cs[t].times[r];
    for (int t = 0; rc == 0 && t < n_types; t++)
        case_result(&cs[t], &out[t]);
    bench_probe_destroy(probe);
    for (int t = 0; t < made; t++)
        case_free(&cs[t]);
    free(cs);
    free(y);
    realm_runtime_destroy(rt);
    return rc;
}

int bench_matmul(const bench_matmul_params *p, bench_matmul_result *out) {
    return bench_matmul_types(p, &p->type, 1, out);
}
