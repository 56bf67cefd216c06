/* Internal: the kernel table. One table per backend (naive reference,
 * optimized). The optimized table starts as a copy of the reference and the
 * CPU's features override slots (BLIS-style), chosen once at first use.
 *
 * Kernels do no argument checking (the public wrappers in ops/api/ do) and
 * work on whatever slice the caller passes: to split work across threads,
 * offset the pointers and shrink the counts. */
#ifndef REALM_KERNELS_H
#define REALM_KERNELS_H

#include "realm/ops.h"

/* Y[b][r] = sum_i dequant(W[r])[i] * X[b][i] for b < batch, r < rows.
 * W: rows x k of type t, rows back to back; X: [batch][ldx]; Y: [batch][ldy].
 * The only kernel that may fail: fast paths need workspace
 * (REALM_ERR_OUT_OF_MEMORY). */
typedef realm_status (*realm_matmul_quant_fn)(realm_type t, const void *W, int64_t rows, int64_t k,
                                              const float *X, int64_t ldx, int64_t batch, float *Y,
                                              int64_t ldy);

/* C = A B (nn) or C = A Bt^T (nt); row-major with strides, as in ops.h. */
typedef void (*realm_gemm_f32_fn)(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda,
                                  const float *B, int64_t ldb, float *C, int64_t ldc);

/* C = A Bt^T with A packed whole by realm_gemm_f32_apack(gemm_f32_mr, ...)
 * (ops/gemm/gemm_f32.h). */
typedef void (*realm_gemm_f32_packed_fn)(int64_t m, int64_t n, int64_t k, const float *Ap, const float *Bt,
                                         int64_t ldb, float *C, int64_t ldc);

typedef void (*realm_unary_fn)(const float *x, float *y, int64_t n);
typedef void (*realm_binary_fn)(const float *a, const float *b, float *y, int64_t n);
typedef void (*realm_scale_fn)(const float *x, float s, float *y, int64_t n);
/* weight (and bias) may be NULL */
typedef void (*realm_rms_norm_fn)(const float *x, const float *weight, float *y, int64_t rows, int64_t cols,
                                  float eps);
typedef void (*realm_layer_norm_fn)(const float *x, const float *weight, const float *bias, float *y,
                                    int64_t rows, int64_t cols, float eps);
typedef void (*realm_softmax_fn)(const float *x, float *y, int64_t rows, int64_t cols, float scale,
                                 bool causal, int64_t pos0);
/* positions: one per token, or NULL for p->pos0 + token; p fully resolved
 * (n_rot != 0). */
typedef void (*realm_rope_fn)(const float *x, float *y, int64_t n_tokens, int64_t n_heads, int64_t head_dim,
                              const int32_t *positions, const realm_rope_params *p);

/* Causal attention for query rows [r0, r1) of n_tokens * n_head rows (row =
 * token * n_head + head). q [n_tokens][n_head][hd]; k, v [n_kv][n_head_kv][hd];
 * token t sits at position pos0 + t and sees keys 0..pos0 + t (< n_kv);
 * head h reads kv head h / (n_head / n_head_kv). out like q. */
typedef void (*realm_attention_fn)(const float *q, const float *k, const float *v, float *out, int64_t r0,
                                   int64_t r1, int64_t n_head, int64_t n_head_kv, int64_t hd, int64_t n_kv,
                                   int64_t pos0, float scale);

typedef struct realm_kernel_table {
    const char *name; /* e.g. "naive", "avx512-vnni" */
    realm_matmul_quant_fn matmul_quant;
    realm_gemm_f32_fn gemm_f32_nn;
    realm_gemm_f32_fn gemm_f32_nt;
    int gemm_f32_mr;                             /* 0: no packed-A form */
    realm_gemm_f32_packed_fn gemm_f32_nt_packed; /* or NULL */
    realm_unary_fn unary[REALM_UNARY_COUNT];
    realm_binary_fn add, mul;
    realm_scale_fn scale;
    realm_rms_norm_fn rms_norm;
    realm_layer_norm_fn layer_norm;
    realm_softmax_fn softmax;
    realm_rope_fn rope;
    realm_attention_fn attention;
} realm_kernel_table;

/* The naive reference table (ops/reference/table.c). */
const realm_kernel_table *realm_kernels_reference(void);

/* Table for a backend; NULL for an invalid value. */
const realm_kernel_table *realm_kernels_get(realm_backend be);

#endif
