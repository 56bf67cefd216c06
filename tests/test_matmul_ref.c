/* Naive fused dequantize+matmul against a float64 computation from the
 * dequantized weights, for every type, on awkward shapes. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/ops.h"
#include "realm/quant.h"
#include "util.h"

static const realm_type all_types[] = {REALM_TYPE_F32,  REALM_TYPE_F16,  REALM_TYPE_Q4_0, REALM_TYPE_Q4_1,
                                       REALM_TYPE_Q5_0, REALM_TYPE_Q5_1, REALM_TYPE_Q8_0, REALM_TYPE_Q8_1,
                                       REALM_TYPE_Q2_K, REALM_TYPE_Q3_K, REALM_TYPE_Q4_K, REALM_TYPE_Q5_K,
                                       REALM_TYPE_Q6_K, REALM_TYPE_Q8_K};

/* The naive kernel accumulates in double and rounds once: only the final
 * rounding to float separates it from the exact value. */
#define NAIVE_REL_TOL 1e-5

static void check_shape(realm_type t, int64_t rows, int64_t k, int64_t batch, uint64_t seed) {
    tu_rng r = {seed};
    const size_t rb = realm_row_bytes(t, k);
    float *wf = malloc(sizeof(float) * rows * k), *wd = malloc(sizeof(float) * rows * k);
    float *x = malloc(sizeof(float) * batch * k), *y = malloc(sizeof(float) * batch * rows);
    uint8_t *w = malloc(rb * rows);
    tu_fill(&r, wf, rows * k, 0.5f);
    tu_fill(&r, x, batch * k, 2.0f);
    for (int64_t i = 0; i < rows; i++) {
        cr_assert_eq(realm_quantize_row(t, wf + i * k, w + i * rb, k), REALM_OK);
        cr_assert_eq(realm_dequantize_row(t, w + i * rb, wd + i * k, k), REALM_OK);
    }
    for (int64_t i = 0; i < batch * rows; i++)
        y[i] = NAN; /* poison: every element must be written */
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, t, w, rows, k, x, batch, y), REALM_OK, "%s",
                 realm_last_error());
    double num = 0, den = 0;
    for (int64_t b = 0; b < batch; b++) {
        for (int64_t o = 0; o < rows; o++) {
            double acc = 0, mag = 0;
            for (int64_t i = 0; i < k; i++) {
                acc += (double)wd[o * k + i] * x[b * k + i];
                mag += fabs((double)wd[o * k + i] * x[b * k + i]);
            }
            double got = y[b * rows + o];
            cr_assert(isfinite(got), "%s: Y[%lld][%lld] not written", realm_type_name(t), (long long)b,
                      (long long)o);
            /* per element against the magnitude of its terms (cancellation-proof) */
            cr_assert(fabs(got - acc) <= NAIVE_REL_TOL * (mag + 1e-30), "%s %lldx%lld b=%lld: %g vs %g",
                      realm_type_name(t), (long long)rows, (long long)k, (long long)batch, got, acc);
            num += (got - acc) * (got - acc);
            den += acc * acc;
        }
    }
    cr_assert(sqrt(num / den) <= NAIVE_REL_TOL);
    free(wf);
    free(wd);
    free(x);
    free(y);
    free(w);
}

Test(matmul_ref, all_types_awkward_shapes) {
    static const int64_t rows_set[] = {1, 7, 33};
    static const int64_t batch_set[] = {1, 3, 17};
    uint64_t seed = 1;
    for (size_t ti = 0; ti < sizeof all_types / sizeof all_types[0]; ti++) {
        realm_type t = all_types[ti];
        int64_t blk = realm_type_get_traits(t)->block_elems;
        if (blk == 1) blk = 32;
        const int64_t k_set[] = {blk, blk * 5};
        for (int ri = 0; ri < 3; ri++)
            for (int bi = 0; bi < 3; bi++)
                for (int ki = 0; ki < 2; ki++)
                    check_shape(t, rows_set[ri], k_set[ki], batch_set[bi], seed++);
    }
}

Test(matmul_ref, bad_input) {
    float x[64] = {0}, y[64];
    uint8_t w[256] = {0};
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, REALM_TYPE_Q8_0, NULL, 1, 32, x, 1, y),
                 REALM_ERR_INVALID_ARG);
    cr_assert(strstr(realm_last_error(), "realm_matmul_quant") != NULL);
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, REALM_TYPE_Q8_0, w, 1, 32, NULL, 1, y),
                 REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, REALM_TYPE_Q8_0, w, 1, 32, x, 1, NULL),
                 REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, REALM_TYPE_Q8_0, w, 1, 33, x, 1, y),
                 REALM_ERR_SHAPE);
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, REALM_TYPE_Q8_0, w, 0, 32, x, 1, y),
                 REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, REALM_TYPE_Q8_0, w, 1, 32, x, -1, y),
                 REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, (realm_type)4, w, 1, 32, x, 1, y),
                 REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_matmul_quant((realm_backend)9, REALM_TYPE_Q8_0, w, 1, 32, x, 1, y),
                 REALM_ERR_INVALID_ARG);
    cr_assert_eq(
        realm_matmul_quant(REALM_BACKEND_NAIVE, REALM_TYPE_F32, w, INT64_MAX / 2, INT64_MAX / 4, x, 1, y),
        REALM_ERR_OVERFLOW);
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, REALM_TYPE_Q8_0, w, 1, 32, x, INT64_MAX / 8, y),
                 REALM_ERR_OVERFLOW);
}
