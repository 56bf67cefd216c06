/* Naive backend, RMS norm and layer norm: against long double formulas with
 * and without weight/bias, the statistics they promise, constant and zero
 * rows, and in-place calls. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/ops.h"
#include "util.h"

#define NAIVE REALM_BACKEND_NAIVE

/* The kernels accumulate in double and round each output once: within half
 * a float ulp (6e-8) of the truth, with 1e-6 as the bar for every backend. */
#define NORM_RTOL 1e-6
/* Outputs computed from unit-scale rows are compared relative to 1e-30 at
 * least, so a true zero does not demand an exact zero. */
#define NORM_ATOL 1e-30
/* mean(y^2) and var(y) of a normalized row are 1 up to eps / mean(x^2) and
 * float rounding; rows here have mean(x^2) >= 1e-2 and eps = 1e-6. */
#define STAT_TOL 1e-3

#define EPS 1e-6f
static const int64_t col_counts[] = {1, 7, 64, 4096};
#define N_COLS (sizeof col_counts / sizeof col_counts[0])
#define ROWS 4

/* Rows at different scales and one with a large common offset (the case
 * where E[x^2] - E[x]^2 would cancel). */
static float *make_rows(tu_rng *rng, int64_t cols) {
    float *x = malloc(sizeof(float) * ROWS * (size_t)cols);
    cr_assert(x);
    const float scales[ROWS] = {1.0f, 1e-1f, 30.0f, 1.0f};
    for (int r = 0; r < ROWS; r++)
        tu_fill(rng, x + r * cols, cols, scales[r]);
    for (int64_t c = 0; c < cols; c++)
        x[3 * cols + c] += 1000.0f;
    return x;
}

static void rms_truth(const float *x, const float *w, float *y, int64_t cols, float eps) {
    long double ss = 0;
    for (int64_t c = 0; c < cols; c++)
        ss += (long double)x[c] * x[c];
    long double inv = 1.0L / sqrtl(ss / cols + eps);
    for (int64_t c = 0; c < cols; c++)
        y[c] = (float)(x[c] * inv * (w ? w[c] : 1.0L));
}

static void layer_truth(const float *x, const float *w, const float *b, float *y, int64_t cols, float eps) {
    long double sum = 0, ss = 0;
    for (int64_t c = 0; c < cols; c++)
        sum += x[c];
    long double mean = sum / cols;
    for (int64_t c = 0; c < cols; c++)
        ss += (x[c] - mean) * (x[c] - mean);
    long double inv = 1.0L / sqrtl(ss / cols + eps);
    for (int64_t c = 0; c < cols; c++)
        y[c] = (float)((x[c] - mean) * inv * (w ? w[c] : 1.0L) + (b ? b[c] : 0.0L));
}

static void expect_rows_close(const float *got, const float *want, int64_t n, const char *what) {
    for (int64_t i = 0; i < n; i++) {
        double err = fabs((double)got[i] - (double)want[i]);
        cr_expect(err <= NORM_RTOL * fabs((double)want[i]) + NORM_ATOL, "%s [%lld]: got %.9g want %.9g", what,
                  (long long)i, (double)got[i], (double)want[i]);
    }
}

Test(ref_norm, rms_norm_matches_formula) {
    tu_rng rng = {5};
    for (size_t ci = 0; ci < N_COLS; ci++) {
        int64_t cols = col_counts[ci];
        float *x = make_rows(&rng, cols);
        float *w = malloc(sizeof(float) * (size_t)cols);
        float *y = malloc(sizeof(float) * ROWS * (size_t)cols),
              *want = malloc(sizeof(float) * ROWS * (size_t)cols);
        tu_fill(&rng, w, cols, 1.0f);
        for (int with_w = 0; with_w < 2; with_w++) {
            const float *wp = with_w ? w : NULL;
            cr_assert_eq(realm_rms_norm(NAIVE, x, wp, y, ROWS, cols, EPS), REALM_OK);
            for (int r = 0; r < ROWS; r++)
                rms_truth(x + r * cols, wp, want + r * cols, cols, EPS);
            expect_rows_close(y, want, ROWS * cols, with_w ? "rms_norm with weight" : "rms_norm");
        }
        free(x);
        free(w);
        free(y);
        free(want);
    }
}

Test(ref_norm, layer_norm_matches_formula) {
    tu_rng rng = {6};
    for (size_t ci = 0; ci < N_COLS; ci++) {
        int64_t cols = col_counts[ci];
        float *x = make_rows(&rng, cols);
        float *w = malloc(sizeof(float) * (size_t)cols), *b = malloc(sizeof(float) * (size_t)cols);
        float *y = malloc(sizeof(float) * ROWS * (size_t)cols),
              *want = malloc(sizeof(float) * ROWS * (size_t)cols);
        tu_fill(&rng, w, cols, 1.0f);
        tu_fill(&rng, b, cols, 1.0f);
        for (int mask = 0; mask < 4; mask++) {
            const float *wp = mask & 1 ? w : NULL, *bp = mask & 2 ? b : NULL;
            cr_assert_eq(realm_layer_norm(NAIVE, x, wp, bp, y, ROWS, cols, EPS), REALM_OK);
            for (int r = 0; r < ROWS; r++)
                layer_truth(x + r * cols, wp, bp, want + r * cols, cols, EPS);
            expect_rows_close(y, want, ROWS * cols, "layer_norm");
        }
        free(x);
        free(w);
        free(b);
        free(y);
        free(want);
    }
}

Test(ref_norm, normalized_statistics) {
    enum { COLS = 512 };
    tu_rng rng = {8};
    float *x = make_rows(&rng, COLS), *y = malloc(sizeof(float) * ROWS * COLS);
    cr_assert_eq(realm_rms_norm(NAIVE, x, NULL, y, ROWS, COLS, EPS), REALM_OK);
    for (int r = 0; r < ROWS; r++) {
        double ms = 0;
        for (int c = 0; c < COLS; c++)
            ms += (double)y[r * COLS + c] * y[r * COLS + c];
        cr_expect(fabs(ms / COLS - 1.0) <= STAT_TOL, "rms_norm row %d: mean square %g", r, ms / COLS);
    }
    cr_assert_eq(realm_layer_norm(NAIVE, x, NULL, NULL, y, ROWS, COLS, EPS), REALM_OK);
    for (int r = 0; r < ROWS; r++) {
        double sum = 0, ss = 0;
        for (int c = 0; c < COLS; c++)
            sum += y[r * COLS + c];
        for (int c = 0; c < COLS; c++)
            ss += (y[r * COLS + c] - sum / COLS) * (y[r * COLS + c] - sum / COLS);
        cr_expect(fabs(sum / COLS) <= STAT_TOL, "layer_norm row %d: mean %g", r, sum / COLS);
        cr_expect(fabs(ss / COLS - 1.0) <= STAT_TOL, "layer_norm row %d: variance %g", r, ss / COLS);
    }
    free(x);
    free(y);
}

/* A constant row has zero variance: eps keeps the scale finite, and x - mean
 * is exactly 0, so layer norm returns the bias exactly. A zero row under
 * RMS norm likewise returns zeros, not NaN. */
Test(ref_norm, constant_and_zero_rows) {
    enum { COLS = 33 };
    float x[COLS], b[COLS], y[COLS];
    tu_rng rng = {9};
    tu_fill(&rng, b, COLS, 1.0f);
    for (int c = 0; c < COLS; c++)
        x[c] = 3.25f;
    cr_assert_eq(realm_layer_norm(NAIVE, x, NULL, b, y, 1, COLS, EPS), REALM_OK);
    cr_expect_eq(memcmp(y, b, sizeof y), 0, "layer_norm of a constant row is not the bias");
    for (int c = 0; c < COLS; c++)
        x[c] = 0.0f;
    cr_assert_eq(realm_rms_norm(NAIVE, x, NULL, y, 1, COLS, EPS), REALM_OK);
    for (int c = 0; c < COLS; c++)
        cr_expect_eq(y[c], 0.0f, "rms_norm of zeros [%d] = %g", c, (double)y[c]);
}

Test(ref_norm, in_place_equals_out_of_place) {
    enum { COLS = 100 };
    tu_rng rng = {10};
    float *x = make_rows(&rng, COLS);
    float w[COLS], b[COLS], want[ROWS * COLS], z[ROWS * COLS];
    tu_fill(&rng, w, COLS, 1.0f);
    tu_fill(&rng, b, COLS, 1.0f);
    cr_assert_eq(realm_rms_norm(NAIVE, x, w, want, ROWS, COLS, EPS), REALM_OK);
    memcpy(z, x, sizeof z);
    cr_assert_eq(realm_rms_norm(NAIVE, z, w, z, ROWS, COLS, EPS), REALM_OK);
    cr_expect_eq(memcmp(z, want, sizeof z), 0, "rms_norm in place differs");
    cr_assert_eq(realm_layer_norm(NAIVE, x, w, b, want, ROWS, COLS, EPS), REALM_OK);
    memcpy(z, x, sizeof z);
    cr_assert_eq(realm_layer_norm(NAIVE, z, w, b, z, ROWS, COLS, EPS), REALM_OK);
    cr_expect_eq(memcmp(z, want, sizeof z), 0, "layer_norm in place differs");
    free(x);
}
