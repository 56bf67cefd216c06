/* Public f32 GEMMs: argument checks, then the backend's kernel. */
#include "api/check.h"

/* Checks shared by both layouts; B is k x n, or n x k when trans_b. */
static realm_status gemm(const char *fn, bool trans_b, realm_backend be, int64_t m, int64_t n, int64_t k,
                         const float *A, int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc) {
    const realm_kernel_table *kt;
    const char *b_name = trans_b ? "Bt" : "B";
    size_t a_bytes, b_bytes, c_bytes;
    REALM_TRY(realm_check_backend(fn, be, &kt));
    REALM_TRY(realm_check_ptr(fn, "A", A));
    REALM_TRY(realm_check_ptr(fn, b_name, B));
    REALM_TRY(realm_check_ptr(fn, "C", C));
    REALM_TRY(realm_check_min(fn, "m", m, 1));
    REALM_TRY(realm_check_min(fn, "n", n, 1));
    REALM_TRY(realm_check_min(fn, "k", k, 1));
    REALM_TRY(realm_check_matrix(fn, "A", m, k, lda, "lda", &a_bytes));
    REALM_TRY(realm_check_matrix(fn, b_name, trans_b ? n : k, trans_b ? k : n, ldb, "ldb", &b_bytes));
    REALM_TRY(realm_check_matrix(fn, "C", m, n, ldc, "ldc", &c_bytes));
    REALM_TRY(realm_check_overlap(fn, "C", C, c_bytes, "A", A, a_bytes, false));
    REALM_TRY(realm_check_overlap(fn, "C", C, c_bytes, b_name, B, b_bytes, false));
    (trans_b ? kt->gemm_f32_nt : kt->gemm_f32_nn)(m, n, k, A, lda, B, ldb, C, ldc);
    return REALM_OK;
}

realm_status realm_matmul_f32(realm_backend be, int64_t m, int64_t n, int64_t k, const float *A, int64_t lda,
                              const float *B, int64_t ldb, float *C, int64_t ldc) {
    return gemm("realm_matmul_f32", false, be, m, n, k, A, lda, B, ldb, C, ldc);
}

realm_status realm_matmul_f32_t(realm_backend be, int64_t m, int64_t n, int64_t k, const float *A,
                                int64_t lda, const float *Bt, int64_t ldb, float *C, int64_t ldc) {
    return gemm("realm_matmul_f32_t", true, be, m, n, k, A, lda, Bt, ldb, C, ldc);
}
