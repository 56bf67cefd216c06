/* The optimized backend of realm_matmul_quant against the naive one: all 12
 * types plus f32/f16, the batch sizes where the GEMV and GEMM paths meet,
 * rows that are not a multiple of the 16-row tile, k of one and many
 * blocks, poisoned outputs. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/ops.h"
#include "realm/quant.h"
#include "util.h"

/* Error bound per weight type, relative to sum |w||x| per output (which
 * cancellation cannot shrink), RMS over outputs. The optimized path
 * quantizes activations to 8 bits: one scale per 32 (Q8_0/Q8_1 partners
 * and the GEMM path) or per 256 (Q8_K partner of the K types at batch 1),
 * a step of up to amax/127 with outliers at 8 sigma: about 1e-2 at most. */
static double tol(realm_type t) {
    const realm_type_traits *tr = realm_type_get_traits(t);
    if (!tr->is_quantized) return 1e-5; /* f32 GEMM: float order only */
    return tr->dot_type == REALM_TYPE_Q8_K ? 1.5e-2 : 1e-2;
}

static const realm_type types[] = {REALM_TYPE_F32,  REALM_TYPE_F16,  REALM_TYPE_Q4_0, REALM_TYPE_Q4_1,
                                   REALM_TYPE_Q5_0, REALM_TYPE_Q5_1, REALM_TYPE_Q8_0, REALM_TYPE_Q8_1,
                                   REALM_TYPE_Q2_K, REALM_TYPE_Q3_K, REALM_TYPE_Q4_K, REALM_TYPE_Q5_K,
                                   REALM_TYPE_Q6_K, REALM_TYPE_Q8_K};

static void check(realm_type t, int64_t rows, int64_t k, int64_t batch, uint64_t seed) {
    tu_rng r = {seed};
    const size_t rb = realm_row_bytes(t, k);
    float *wf = malloc(sizeof(float) * rows * k), *x = malloc(sizeof(float) * batch * k);
    float *yn = malloc(sizeof(float) * batch * rows), *yo = malloc(sizeof(float) * batch * rows);
    uint8_t *w = malloc(rb * rows);
    tu_fill(&r, wf, rows * k, 0.3f);
    tu_fill(&r, x, batch * k, 1.0f);
    for (int64_t i = 0; i < rows; i++) {
        cr_assert_eq(realm_quantize_row(t, wf + i * k, w + i * rb, k), REALM_OK);
        cr_assert_eq(realm_dequantize_row(t, w + i * rb, wf + i * k, k), REALM_OK);
    }
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, t, w, rows, k, x, batch, yn), REALM_OK);
    for (int64_t i = 0; i < batch * rows; i++)
        yo[i] = NAN;
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_OPTIMIZED, t, w, rows, k, x, batch, yo), REALM_OK, "%s",
                 realm_last_error());
    double s = 0;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t o = 0; o < rows; o++) {
            double mag = 0;
            for (int64_t i = 0; i < k; i++)
                mag += fabs((double)wf[o * k + i] * x[b * k + i]);
            const double got = yo[b * rows + o], want = yn[b * rows + o];
            cr_assert(isfinite(got), "%s: Y[%lld][%lld] not written", realm_type_name(t), (long long)b,
                      (long long)o);
            const double e = fabs(got - want) / (mag + 1e-30);
            s += e * e;
        }
    const double rms = sqrt(s / (double)(batch * rows));
    cr_assert(rms <= tol(t), "%s rows=%lld k=%lld batch=%lld: error %.3g above %.3g", realm_type_name(t),
              (long long)rows, (long long)k, (long long)batch, rms, tol(t));
    free(wf);
    free(x);
    free(yn);
    free(yo);
    free(w);
}

Test(matmul_opt, all_types_against_naive) {
    static const int64_t batches[] = {1, 2, 3, 7, 16, 64, 129};
    uint64_t seed = 5;
    for (size_t ti = 0; ti < sizeof types / sizeof types[0]; ti++) {
        const realm_type t = types[ti];
        const int64_t blk =
            realm_type_get_traits(t)->block_elems > 1 ? realm_type_get_traits(t)->block_elems : 32;
        for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++) {
            const int64_t rows = bi % 2 ? 37 : 19; /* never a multiple of 16 */
            check(t, rows, blk, batches[bi], seed++);
            check(t, rows, blk * (blk == 256 ? 3 : 9), batches[bi], seed++);
        }
    }
}

/* The same op, split the way a scheduler splits it, gives the same bits
 * as one call: every row range computes its rows with the same arithmetic. */
Test(matmul_opt, row_split_is_bit_identical) {
    static const realm_type split_types[] = {REALM_TYPE_Q4_K, REALM_TYPE_Q8_0, REALM_TYPE_Q5_1,
                                             REALM_TYPE_F32};
    const int64_t rows = 80, k = 512;
    for (size_t ti = 0; ti < sizeof split_types / sizeof split_types[0]; ti++) {
        for (int64_t batch = 1; batch <= 33; batch += 16) {
            const realm_type t = split_types[ti];
            tu_rng r = {77 + (uint64_t)batch};
            const size_t rb = realm_row_bytes(t, k);
            float *wf = malloc(sizeof(float) * rows * k), *x = malloc(sizeof(float) * batch * k);
            float *y1 = malloc(sizeof(float) * batch * rows), *y2 = malloc(sizeof(float) * batch * rows);
            float *part = malloc(sizeof(float) * batch * rows);
            uint8_t *w = malloc(rb * rows);
            tu_fill(&r, wf, rows * k, 0.3f);
            tu_fill(&r, x, batch * k, 1.0f);
            for (int64_t i = 0; i < rows; i++)
                realm_quantize_row(t, wf + i * k, w + i * rb, k);
            cr_assert_eq(realm_matmul_quant(REALM_BACKEND_OPTIMIZED, t, w, rows, k, x, batch, y1), REALM_OK);
            /* rows [0,48) and [48,80) as two calls */
            const int64_t cut = 48;
            cr_assert_eq(realm_matmul_quant(REALM_BACKEND_OPTIMIZED, t, w, cut, k, x, batch, part), REALM_OK);
            for (int64_t b = 0; b < batch; b++)
                memcpy(y2 + b * rows, part + b * cut, sizeof(float) * cut);
            cr_assert_eq(
                realm_matmul_quant(REALM_BACKEND_OPTIMIZED, t, w + cut * rb, rows - cut, k, x, batch, part),
                REALM_OK);
            for (int64_t b = 0; b < batch; b++)
                memcpy(y2 + b * rows + cut, part + b * (rows - cut), sizeof(float) * (rows - cut));
            cr_assert_eq(memcmp(y1, y2, sizeof(float) * batch * rows), 0, "%s batch %lld: split differs",
                         realm_type_name(t), (long long)batch);
            free(wf);
            free(x);
            free(y1);
            free(y2);
            free(part);
            free(w);
        }
    }
}
