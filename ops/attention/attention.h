/* Internal: the optimized attention kernel (signature realm_attention_fn). */
#ifndef REALM_ATTENTION_H
#define REALM_ATTENTION_H

#include "kernels.h"

void realm_opt_attention(const float *q, const float *k, const float *v, float *out, int64_t r0, int64_t r1,
                         int64_t n_head, int64_t n_head_kv, int64_t hd, int64_t n_kv, int64_t pos0,
                         float scale);

/* ops/x86/avx512/attention.c (AVX-512F). */
void realm_attention_avx512(const float *q, const float *k, const float *v, float *out, int64_t r0,
                            int64_t r1, int64_t n_head, int64_t n_head_kv, int64_t hd, int64_t n_kv,
                            int64_t pos0, float scale);

/* ops/x86/avx512/unary.c (AVX-512F): SiLU and tanh-GELU. */
void realm_silu_avx512(const float *x, float *y, int64_t n);
void realm_gelu_tanh_avx512(const float *x, float *y, int64_t n);

/* ops/attention/rope.c: the reference formula with each token's angles
 * computed once for all its heads (the same bits as the reference). */
void realm_opt_rope(const float *x, float *y, int64_t n_tokens, int64_t n_heads, int64_t head_dim,
                    const int32_t *positions, const realm_rope_params *p);

#endif
