/* Internal: the naive reference kernels, one per slot of the kernel table
 * (signatures as the typedefs in kernels.h). Single thread, obvious loops,
 * double accumulation: every fast kernel is tested against these. Like all
 * kernels they do no argument checking; the wrappers in ops/api/ do. */
#ifndef REALM_REFERENCE_H
#define REALM_REFERENCE_H

#include "kernels.h"

/* ops/reference/matmul_quant.c: exact dequantized weights times f32 X. */
realm_status realm_ref_matmul_quant(realm_type t, const void *W, int64_t rows, int64_t k, const float *X,
                                    int64_t ldx, int64_t batch, float *Y, int64_t ldy);

/* ops/reference/gemm_f32.c */
void realm_ref_gemm_f32_nn(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *B,
                           int64_t ldb, float *C, int64_t ldc);
void realm_ref_gemm_f32_nt(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *Bt,
                           int64_t ldb, float *C, int64_t ldc);

/* ops/reference/unary.c */
void realm_ref_silu(const float *x, float *y, int64_t n);
void realm_ref_gelu_tanh(const float *x, float *y, int64_t n);
void realm_ref_gelu_erf(const float *x, float *y, int64_t n);
void realm_ref_relu(const float *x, float *y, int64_t n);

/* ops/reference/binary.c */
void realm_ref_add(const float *a, const float *b, float *y, int64_t n);
void realm_ref_mul(const float *a, const float *b, float *y, int64_t n);
void realm_ref_scale(const float *x, float s, float *y, int64_t n);

/* ops/reference/norm.c */
void realm_ref_rms_norm(const float *x, const float *weight, float *y, int64_t rows, int64_t cols, float eps);
void realm_ref_layer_norm(const float *x, const float *weight, const float *bias, float *y, int64_t rows,
                          int64_t cols, float eps);

/* ops/reference/softmax.c */
void realm_ref_softmax(const float *x, float *y, int64_t rows, int64_t cols, float scale, bool causal,
                       int64_t pos0);

/* ops/reference/rope.c */
void realm_ref_rope(const float *x, float *y, int64_t n_tokens, int64_t n_heads, int64_t head_dim,
                    const int32_t *positions, const realm_rope_params *p);

/* ops/reference/attention.c */
void realm_ref_attention(const float *q, const float *k, const float *v, float *out, int64_t r0, int64_t r1,
                         int64_t n_head, int64_t n_head_kv, int64_t hd, int64_t n_kv, int64_t pos0,
                         float scale);

#endif
