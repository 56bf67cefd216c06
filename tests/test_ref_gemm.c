/* Naive backend, f32 GEMM (nn and nt) against a double computation on
 * awkward shapes with padded strides. Padding holds NaN in the inputs (a
 * kernel reading it poisons the result) and a sentinel in C (a kernel
 * writing it is caught). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/ops.h"
#include "util.h"

#define NAIVE REALM_BACKEND_NAIVE

/* Accumulating in double and rounding once keeps each element within about
 * one float ulp of the exact sum; 1e-5 of the largest element is the bar
 * every backend is held to. */
#define GEMM_RTOL 1e-5
#define SENTINEL 12345.0f

static const int64_t dims[] = {1, 3, 7, 17, 33, 65};
#define N_DIMS (sizeof dims / sizeof dims[0])

/* rows x cols matrix with row stride ld: random values, NaN padding. */
static float *make_matrix(tu_rng *rng, int64_t rows, int64_t cols, int64_t ld) {
    float *m = malloc(sizeof(float) * (size_t)(rows * ld));
    cr_assert(m);
    for (int64_t r = 0; r < rows; r++) {
        tu_fill(rng, m + r * ld, cols, 1.0f);
        for (int64_t c = cols; c < ld; c++)
            m[r * ld + c] = NAN;
    }
    return m;
}

/* Runs one shape; B is k x n, or n x k when trans_b. */
static void check_shape(tu_rng *rng, bool trans_b, int64_t m, int64_t n, int64_t k) {
    const int64_t lda = k + 3, ldb = (trans_b ? k : n) + 5, ldc = n + 2;
    float *A = make_matrix(rng, m, k, lda);
    float *B = trans_b ? make_matrix(rng, n, k, ldb) : make_matrix(rng, k, n, ldb);
    float *C = malloc(sizeof(float) * (size_t)(m * ldc));
    float *got = malloc(sizeof(float) * (size_t)(m * n)), *want = malloc(sizeof(float) * (size_t)(m * n));
    for (int64_t i = 0; i < m * ldc; i++)
        C[i] = SENTINEL;

    realm_status s = trans_b ? realm_matmul_f32_t(NAIVE, m, n, k, A, lda, B, ldb, C, ldc)
                             : realm_matmul_f32(NAIVE, m, n, k, A, lda, B, ldb, C, ldc);
    cr_assert_eq(s, REALM_OK, "%s m=%lld n=%lld k=%lld: %s", trans_b ? "nt" : "nn", (long long)m,
                 (long long)n, (long long)k, realm_last_error());
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double acc = 0.0;
            for (int64_t p = 0; p < k; p++)
                acc += (double)A[i * lda + p] * (trans_b ? B[j * ldb + p] : B[p * ldb + j]);
            want[i * n + j] = (float)acc;
            got[i * n + j] = C[i * ldc + j];
        }
        for (int64_t j = n; j < ldc; j++)
            cr_assert_eq(C[i * ldc + j], SENTINEL, "padding of C row %lld written", (long long)i);
    }
    double err = tu_rel_maxerr(got, want, m * n);
    cr_expect(err <= GEMM_RTOL, "%s m=%lld n=%lld k=%lld: relative error %g", trans_b ? "nt" : "nn",
              (long long)m, (long long)n, (long long)k, err);
    free(A);
    free(B);
    free(C);
    free(got);
    free(want);
}

Test(ref_gemm, nn_awkward_shapes) {
    tu_rng rng = {1};
    for (size_t a = 0; a < N_DIMS; a++)
        for (size_t b = 0; b < N_DIMS; b++)
            for (size_t c = 0; c < N_DIMS; c++)
                check_shape(&rng, false, dims[a], dims[b], dims[c]);
}

Test(ref_gemm, nt_awkward_shapes) {
    tu_rng rng = {2};
    for (size_t a = 0; a < N_DIMS; a++)
        for (size_t b = 0; b < N_DIMS; b++)
            for (size_t c = 0; c < N_DIMS; c++)
                check_shape(&rng, true, dims[a], dims[b], dims[c]);
}

/* The naive kernels sum the same products in the same order whichever way
 * B is stored, so nn with B and nt with B transposed agree bit for bit. */
Test(ref_gemm, nn_equals_nt_of_transpose) {
    enum { M = 9, N = 13, K = 31 };
    tu_rng rng = {3};
    float A[M * K], B[K * N], Bt[N * K], C1[M * N], C2[M * N];
    tu_fill(&rng, A, M * K, 1.0f);
    tu_fill(&rng, B, K * N, 1.0f);
    for (int p = 0; p < K; p++)
        for (int j = 0; j < N; j++)
            Bt[j * K + p] = B[p * N + j];
    cr_assert_eq(realm_matmul_f32(NAIVE, M, N, K, A, K, B, N, C1, N), REALM_OK);
    cr_assert_eq(realm_matmul_f32_t(NAIVE, M, N, K, A, K, Bt, K, C2, N), REALM_OK);
    cr_expect_eq(memcmp(C1, C2, sizeof C1), 0);
}

/* Products that cancel almost exactly: a float accumulator would return
 * noise, double returns the small true sum. */
Test(ref_gemm, cancellation_is_accumulated_in_double) {
    const float A[4] = {1e8f, 1.0f, -1e8f, 1.0f};
    const float B[4] = {1.0f, 1.0f, 1.0f, 1.0f};
    float C = 0.0f;
    cr_assert_eq(realm_matmul_f32(NAIVE, 1, 1, 4, A, 4, B, 1, &C, 1), REALM_OK);
    cr_expect_eq(C, 2.0f, "got %g", (double)C);
}
