/* Naive f32 GEMM: one double accumulator per output element, summed in
 * order p = 0..k-1, so the result is the exact sum rounded (nearly) once. */
#include "reference/reference.h"

void realm_ref_gemm_f32_nn(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *B,
                           int64_t ldb, float *C, int64_t ldc) {
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double acc = 0.0;
            for (int64_t p = 0; p < k; p++)
                acc += (double)A[i * lda + p] * (double)B[p * ldb + j];
            C[i * ldc + j] = (float)acc;
        }
    }
}

void realm_ref_gemm_f32_nt(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *Bt,
                           int64_t ldb, float *C, int64_t ldc) {
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double acc = 0.0;
            for (int64_t p = 0; p < k; p++)
                acc += (double)A[i * lda + p] * (double)Bt[j * ldb + p];
            C[i * ldc + j] = (float)acc;
        }
    }
}
