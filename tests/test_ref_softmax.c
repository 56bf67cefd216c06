/* Naive backend, row softmax: against a long double formula, rows summing to
 * one, the causal mask (pos0 = 0 and > 0, more rows than columns), huge and
 * -inf inputs, scale, and in-place calls. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/ops.h"
#include "util.h"

#define NAIVE REALM_BACKEND_NAIVE

/* Each probability is a double rounded once to float, so it is within half a
 * float ulp (6e-8) of the truth; 1e-6 is the bar for every backend. */
#define SM_RTOL 1e-6
/* Probabilities that underflow float are compared absolutely. */
#define SM_ATOL 1e-40
/* A row of n probabilities, each off by at most half an ulp, sums to one
 * within about 6e-8; 1e-6 leaves room for any backend's summation order. */
#define SUM_TOL 1e-6

/* Truth for one row: softmax of scale * x over its first vis columns. */
static void softmax_truth(const float *x, float *y, int64_t cols, int64_t vis, float scale) {
    long double max = -INFINITY, sum = 0;
    for (int64_t j = 0; j < vis; j++)
        max = fmaxl(max, (long double)scale * x[j]);
    for (int64_t j = 0; j < vis; j++)
        sum += expl((long double)scale * x[j] - max);
    for (int64_t j = 0; j < cols; j++)
        y[j] = j < vis ? (float)(expl((long double)scale * x[j] - max) / sum) : 0.0f;
}

/* Columns query row i sees under the causal mask with the given pos0. */
static int64_t visible(int64_t i, int64_t cols, bool causal, int64_t pos0) {
    return causal && pos0 + i + 1 < cols ? pos0 + i + 1 : cols;
}

/* Runs one case and checks values, masked zeros and row sums. */
static void check_case(const float *x, int64_t rows, int64_t cols, float scale, bool causal, int64_t pos0) {
    float *y = malloc(sizeof(float) * (size_t)(rows * cols)), *want = malloc(sizeof(float) * (size_t)cols);
    cr_assert_eq(realm_softmax(NAIVE, x, y, rows, cols, scale, causal, pos0), REALM_OK, "%s",
                 realm_last_error());
    for (int64_t i = 0; i < rows; i++) {
        const float *yr = y + i * cols;
        int64_t vis = visible(i, cols, causal, pos0);
        softmax_truth(x + i * cols, want, cols, vis, scale);
        double sum = 0;
        for (int64_t j = 0; j < cols; j++) {
            sum += yr[j];
            if (j >= vis) {
                cr_expect_eq(yr[j], 0.0f, "row %lld col %lld masked (pos0 %lld) but %g", (long long)i,
                             (long long)j, (long long)pos0, (double)yr[j]);
                continue;
            }
            cr_expect(fabs((double)yr[j] - want[j]) <= SM_RTOL * want[j] + SM_ATOL,
                      "rows %lld cols %lld scale %g: [%lld][%lld] got %.9g want %.9g", (long long)rows,
                      (long long)cols, (double)scale, (long long)i, (long long)j, (double)yr[j],
                      (double)want[j]);
        }
        cr_expect(fabs(sum - 1.0) <= SUM_TOL, "row %lld sums to %.12g", (long long)i, sum);
    }
    free(y);
    free(want);
}

Test(ref_softmax, matches_formula_and_sums_to_one) {
    static const int64_t col_counts[] = {1, 5, 33, 1000};
    static const float scales[] = {1.0f, 0.125f, -0.5f, 0.0f};
    tu_rng rng = {21};
    for (size_t c = 0; c < sizeof col_counts / sizeof col_counts[0]; c++) {
        const int64_t rows = 4, cols = col_counts[c];
        float *x = malloc(sizeof(float) * (size_t)(rows * cols));
        tu_fill(&rng, x, rows * cols, 3.0f);
        for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++)
            check_case(x, rows, cols, scales[s], false, 0);
        free(x);
    }
}

Test(ref_softmax, causal_mask) {
    /* (rows, cols, pos0): square from 0, a decode-style tail with pos0 > 0,
     * more rows than columns, and pos0 past the last column (nothing masked). */
    static const int64_t cases[][3] = {{8, 8, 0}, {3, 10, 4}, {12, 5, 0}, {4, 9, 2}, {3, 6, 100}, {1, 1, 0}};
    tu_rng rng = {22};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int64_t rows = cases[c][0], cols = cases[c][1], pos0 = cases[c][2];
        float *x = malloc(sizeof(float) * (size_t)(rows * cols));
        tu_fill(&rng, x, rows * cols, 2.0f);
        check_case(x, rows, cols, 0.7f, true, pos0);
        free(x);
    }
}

/* Visible entries of unit-scale rows are all well above underflow, so the
 * mask is exactly "zero for j > pos0 + i, positive otherwise". */
Test(ref_softmax, causal_zeroes_exactly_the_future) {
    enum { ROWS = 4, COLS = 12, POS0 = 5 };
    float x[ROWS * COLS], y[ROWS * COLS];
    tu_rng rng = {23};
    tu_fill(&rng, x, ROWS * COLS, 1.0f);
    cr_assert_eq(realm_softmax(NAIVE, x, y, ROWS, COLS, 1.0f, true, POS0), REALM_OK);
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < COLS; j++) {
            if (j > POS0 + i)
                cr_expect_eq(y[i * COLS + j], 0.0f, "[%d][%d] should be masked", i, j);
            else
                cr_expect(y[i * COLS + j] > 0.0f, "[%d][%d] should be visible", i, j);
        }
}

/* Inputs of 1e4 would overflow exp without the max subtraction. */
Test(ref_softmax, huge_inputs_stay_finite) {
    enum { ROWS = 3, COLS = 64 };
    float x[ROWS * COLS], y[ROWS * COLS];
    tu_rng rng = {24};
    for (int i = 0; i < ROWS * COLS; i++)
        x[i] = tu_uniform(&rng, -1e4f, 1e4f);
    for (int j = 0; j < COLS; j++)
        x[2 * COLS + j] = 1e4f; /* all equal: uniform */
    cr_assert_eq(realm_softmax(NAIVE, x, y, ROWS, COLS, 1.0f, false, 0), REALM_OK);
    for (int i = 0; i < ROWS * COLS; i++)
        cr_expect(isfinite(y[i]), "y[%d] = %g", i, (double)y[i]);
    for (int j = 0; j < COLS; j++)
        cr_expect_eq(y[2 * COLS + j], 1.0f / COLS);
    check_case(x, ROWS, COLS, 1.0f, false, 0);
    check_case(x, ROWS, COLS, 1.0f, true, 3);
}

/* -inf scores act as an additive mask; a row masked entirely gives zeros. */
Test(ref_softmax, minus_infinity_masks) {
    enum { COLS = 6 };
    float x[2 * COLS] = {1.0f, -INFINITY, 2.0f, -INFINITY, 0.5f, -INFINITY};
    for (int j = 0; j < COLS; j++)
        x[COLS + j] = -INFINITY;
    float y[2 * COLS];
    cr_assert_eq(realm_softmax(NAIVE, x, y, 2, COLS, 1.0f, false, 0), REALM_OK);
    double sum = 0;
    for (int j = 0; j < COLS; j++) {
        sum += y[j];
        if (isinf(x[j])) cr_expect_eq(y[j], 0.0f, "[0][%d]", j);
        cr_expect_eq(y[COLS + j], 0.0f, "fully masked row [1][%d] = %g", j, (double)y[COLS + j]);
    }
    cr_expect(fabs(sum - 1.0) <= SUM_TOL);
}

Test(ref_softmax, scale_is_applied_before_the_exponent) {
    enum { COLS = 40 };
    float x[COLS], xs[COLS], y1[COLS], y2[COLS];
    tu_rng rng = {25};
    tu_fill(&rng, x, COLS, 4.0f);
    for (int j = 0; j < COLS; j++)
        xs[j] = 0.25f * x[j]; /* exact: a power of two */
    cr_assert_eq(realm_softmax(NAIVE, x, y1, 1, COLS, 0.25f, false, 0), REALM_OK);
    cr_assert_eq(realm_softmax(NAIVE, xs, y2, 1, COLS, 1.0f, false, 0), REALM_OK);
    cr_expect_eq(memcmp(y1, y2, sizeof y1), 0);
}

Test(ref_softmax, in_place_equals_out_of_place) {
    enum { ROWS = 5, COLS = 17 };
    float x[ROWS * COLS], want[ROWS * COLS];
    tu_rng rng = {26};
    tu_fill(&rng, x, ROWS * COLS, 2.0f);
    for (int causal = 0; causal < 2; causal++) {
        float z[ROWS * COLS];
        memcpy(z, x, sizeof z);
        cr_assert_eq(realm_softmax(NAIVE, x, want, ROWS, COLS, 0.5f, causal, 2), REALM_OK);
        cr_assert_eq(realm_softmax(NAIVE, z, z, ROWS, COLS, 0.5f, causal, 2), REALM_OK);
        cr_expect_eq(memcmp(z, want, sizeof z), 0, "in place differs (causal %d)", causal);
    }
}
