/**
 * @file ops.h
 * @brief Direct kernel calls, no graph: matmuls, activations, norms,
 *        softmax, RoPE.
 *
 * Every call takes a ::realm_backend: REALM_BACKEND_NAIVE is the single
 * threaded reference (obvious loops, exact dequantized weights, double
 * accumulation) every fast path is tested against. Buffers are caller-owned;
 * realm keeps no pointer after a call returns. Unless a call says otherwise
 * the output may alias an input exactly (in place) but not partially.
 */
#ifndef REALM_OPS_H
#define REALM_OPS_H

#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which implementation runs an op. */
typedef enum realm_backend {
    REALM_BACKEND_NAIVE = 0,     /**< scalar reference, single thread */
    REALM_BACKEND_OPTIMIZED = 1, /**< SIMD kernels picked from CPU features */
} realm_backend;

/** @brief "naive" / "optimized"; "invalid" otherwise. Static string. */
const char *realm_backend_name(realm_backend be);

/**
 * @brief Look a backend up by name ("naive", "optimized"; case-insensitive).
 * @return REALM_OK or REALM_ERR_INVALID_ARG.
 */
realm_status realm_backend_from_name(const char *name, realm_backend *out);

/**
 * @brief Fused dequantize + matmul: Y[b][r] = sum_i dequant(W[r])[i] * X[b][i].
 *
 * @param be backend.
 * @param wtype type of W: f32, f16 or any of the 12 quantized formats.
 * @param W @p rows rows of @p k elements of @p wtype, back to back
 *          (realm_row_bytes(wtype, k) bytes each), e.g. straight from GGUF.
 * @param rows number of weight rows (output features), >= 1.
 * @param k row length (input features), a multiple of the block size.
 * @param X activations, f32, [batch][k].
 * @param batch number of activation rows (tokens), >= 1.
 * @param Y output, f32, [batch][rows]; must not overlap W or X.
 * @return REALM_OK; REALM_ERR_INVALID_ARG (NULL, sizes < 1, bad type or
 *         backend), REALM_ERR_SHAPE (k not a multiple of the block),
 *         REALM_ERR_OVERFLOW (sizes beyond the address space).
 */
realm_status realm_matmul_quant(realm_backend be, realm_type wtype, const void *W, int64_t rows, int64_t k,
                                const float *X, int64_t batch, float *Y);

/**
 * @brief Row-major f32 GEMM: C[i][j] = sum_p A[i][p] * B[p][j].
 *
 * A is m x k with row stride @p lda, B is k x n with row stride @p ldb, C is
 * m x n with row stride @p ldc (strides in elements, each >= the row length).
 * C must not overlap A or B (the bytes from first to last element of each).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, sizes < 1, short
 *         strides or C overlapping A or B; REALM_ERR_OVERFLOW for sizes
 *         beyond the address space.
 */
realm_status realm_matmul_f32(realm_backend be, int64_t m, int64_t n, int64_t k, const float *A, int64_t lda,
                              const float *B, int64_t ldb, float *C, int64_t ldc);

/**
 * @brief Transposed-B f32 GEMM: C[i][j] = sum_p A[i][p] * Bt[j][p].
 *
 * Bt is n x k (each of the n rows holds k elements, stride @p ldb): the
 * layout of weight matrices and of attention keys. Errors as
 * realm_matmul_f32().
 */
realm_status realm_matmul_f32_t(realm_backend be, int64_t m, int64_t n, int64_t k, const float *A,
                                int64_t lda, const float *Bt, int64_t ldb, float *C, int64_t ldc);

/** Elementwise unary functions (realm_unary()). */
typedef enum realm_unary_op {
    REALM_UNARY_SILU = 0,      /**< x * sigmoid(x) */
    REALM_UNARY_GELU_TANH = 1, /**< 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
    REALM_UNARY_GELU_ERF = 2,  /**< 0.5 x (1 + erf(x / sqrt(2))) */
    REALM_UNARY_RELU = 3,      /**< max(x, 0) */
    REALM_UNARY_COUNT = 4,     /**< not an op */
} realm_unary_op;

/**
 * @brief y[i] = f(x[i]) for i < n.
 *
 * n == 0 is a no-op (the pointers must still be non-NULL). y may be x (in
 * place) but must not overlap it otherwise.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, n < 0, bad op or
 *         backend, partial overlap; REALM_ERR_OVERFLOW for n beyond the
 *         address space.
 */
realm_status realm_unary(realm_backend be, realm_unary_op op, const float *x, float *y, int64_t n);

/** @brief realm_unary() with REALM_UNARY_SILU. */
realm_status realm_silu(realm_backend be, const float *x, float *y, int64_t n);
/** @brief realm_unary() with REALM_UNARY_GELU_TANH. */
realm_status realm_gelu(realm_backend be, const float *x, float *y, int64_t n);
/** @brief realm_unary() with REALM_UNARY_GELU_ERF. */
realm_status realm_gelu_erf(realm_backend be, const float *x, float *y, int64_t n);
/** @brief realm_unary() with REALM_UNARY_RELU. */
realm_status realm_relu(realm_backend be, const float *x, float *y, int64_t n);

/** @brief y[i] = a[i] + b[i]. Errors as realm_unary(). */
realm_status realm_add(realm_backend be, const float *a, const float *b, float *y, int64_t n);
/** @brief y[i] = a[i] * b[i]. Errors as realm_unary(). */
realm_status realm_mul(realm_backend be, const float *a, const float *b, float *y, int64_t n);
/** @brief y[i] = s * x[i]. Errors as realm_unary(). */
realm_status realm_scale(realm_backend be, const float *x, float s, float *y, int64_t n);

/**
 * @brief RMS norm of each row: y = x / sqrt(mean(x^2) + eps) * weight.
 *
 * y may be x (in place); weight must not overlap y.
 * @param be backend.
 * @param x input [rows][cols].
 * @param weight per-column gain [cols], or NULL for none.
 * @param y output [rows][cols].
 * @param rows number of rows, >= 1.
 * @param cols row length, >= 1.
 * @param eps > 0 and finite.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL x/y, rows/cols < 1, bad
 *         eps, partial overlap; REALM_ERR_OVERFLOW for sizes beyond the
 *         address space.
 */
realm_status realm_rms_norm(realm_backend be, const float *x, const float *weight, float *y, int64_t rows,
                            int64_t cols, float eps);

/**
 * @brief Layer norm of each row: y = (x - mean) / sqrt(var + eps) * weight + bias.
 *
 * Parameters and errors as realm_rms_norm(), plus @p bias.
 * @param be backend.
 * @param x input [rows][cols].
 * @param weight per-column gain [cols], or NULL (gain 1); must not overlap y.
 * @param bias per-column offset [cols], or NULL (0); must not overlap y.
 * @param y output [rows][cols].
 * @param rows number of rows, >= 1.
 * @param cols row length, >= 1.
 * @param eps > 0 and finite.
 * @return as realm_rms_norm().
 */
realm_status realm_layer_norm(realm_backend be, const float *x, const float *weight, const float *bias,
                              float *y, int64_t rows, int64_t cols, float eps);

/**
 * @brief Row softmax of scale * x, optionally causally masked.
 *
 * With @p causal, row i is the query at position pos0 + i and column j the
 * key at position j: columns j > pos0 + i get probability 0. Scores of -inf
 * act as an additive mask; a row whose visible scores are all -inf is all
 * zeros. y may be x (in place).
 * @param be backend.
 * @param x input [rows][cols].
 * @param y output [rows][cols].
 * @param rows number of rows (queries), >= 1.
 * @param cols row length (keys), >= 1.
 * @param scale finite multiplier applied before the exponent (e.g. 1/sqrt(d)).
 * @param causal apply the causal mask.
 * @param pos0 >= 0, position of row 0 (ignored without @p causal).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, sizes < 1, pos0 < 0
 *         with @p causal, non-finite scale, partial overlap;
 *         REALM_ERR_OVERFLOW for sizes beyond the address space.
 */
realm_status realm_softmax(realm_backend be, const float *x, float *y, int64_t rows, int64_t cols,
                           float scale, bool causal, int64_t pos0);

/** RoPE pairing of dimensions. */
typedef enum realm_rope_mode {
    REALM_ROPE_NORMAL = 0, /**< rotate adjacent pairs (x[2i], x[2i+1]) (llama GGUF) */
    REALM_ROPE_NEOX = 1,   /**< rotate half-split pairs (x[i], x[i + n_rot/2]) (GPT-NeoX) */
} realm_rope_mode;

/** RoPE settings; start from realm_rope_params_default(). */
typedef struct realm_rope_params {
    realm_rope_mode mode; /**< pairing; default NORMAL */
    int64_t n_rot;        /**< leading dims rotated per head, even, <= head_dim; 0 = head_dim */
    float freq_base;      /**< theta_i = pos * freq_scale * freq_base^(-2i/n_rot); default 10000 */
    float freq_scale;     /**< linear position scaling; default 1 */
    int64_t pos0;         /**< position of token 0 when no positions array is given; default 0 */
} realm_rope_params;

/** @brief Default RoPE params: NORMAL, n_rot 0 (all), base 10000, scale 1, pos0 0. */
realm_rope_params realm_rope_params_default(void);

/**
 * @brief Rotary position embedding.
 *
 * y may be x (in place); positions must not overlap y.
 * @param be backend.
 * @param x input [n_tokens][n_heads][head_dim].
 * @param y output, same shape.
 * @param n_tokens number of tokens, >= 1.
 * @param n_heads heads per token, >= 1.
 * @param head_dim elements per head, >= 1.
 * @param positions one position per token, or NULL for pos0 + token index.
 * @param params settings, or NULL for the defaults.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL x/y, sizes < 1, odd,
 *         negative or too large n_rot, freq_base or freq_scale not finite
 *         and > 0, bad mode, partial overlap; REALM_ERR_OVERFLOW for sizes
 *         beyond the address space or pos0 + n_tokens - 1 beyond INT64_MAX.
 */
realm_status realm_rope(realm_backend be, const float *x, float *y, int64_t n_tokens, int64_t n_heads,
                        int64_t head_dim, const int32_t *positions, const realm_rope_params *params);

/** Largest head_dim realm_attention() takes. */
#define REALM_ATTENTION_MAX_HEAD_DIM 512

/**
 * @brief Causal scaled dot-product attention with grouped-query heads.
 *
 * Query token t sits at position pos0 + t and attends to keys 0 ..
 * pos0 + t: out[t][h] = sum_j softmax_j(scale * q[t][h] . k[j][g]) v[j][g]
 * with g = h / (n_head / n_head_kv). Rows are independent: any split of the
 * work gives the same bits.
 * @param be backend.
 * @param q queries [n_tokens][n_head][head_dim].
 * @param k keys [n_kv][n_head_kv][head_dim] (e.g. a KV cache).
 * @param v values, like @p k.
 * @param out output [n_tokens][n_head][head_dim]; must not overlap the others.
 * @param n_tokens queries, >= 1.
 * @param n_head query heads, >= 1, a multiple of @p n_head_kv.
 * @param n_head_kv key/value heads, >= 1.
 * @param head_dim 1..::REALM_ATTENTION_MAX_HEAD_DIM.
 * @param n_kv keys stored, >= pos0 + n_tokens.
 * @param pos0 position of query 0, >= 0.
 * @param scale finite multiplier of the scores (usually 1/sqrt(head_dim)).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, bad sizes, overlap;
 *         REALM_ERR_SHAPE when n_head is not a multiple of n_head_kv or
 *         n_kv < pos0 + n_tokens; REALM_ERR_OVERFLOW for sizes beyond the
 *         address space.
 */
realm_status realm_attention(realm_backend be, const float *q, const float *k, const float *v, float *out,
                             int64_t n_tokens, int64_t n_head, int64_t n_head_kv, int64_t head_dim,
                             int64_t n_kv, int64_t pos0, float scale);

#ifdef __cplusplus
}
#endif

#endif /* REALM_OPS_H */
