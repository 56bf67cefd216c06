/* Internal: the int8 GEMM path of the quantized matmul (batch > 1).
 *
 * Every weight type is converted, 16 rows at a time ("panel"), to unsigned
 * 8-bit integers with one float scale per block of B = 32 (or 16) elements
 * and an optional float min:   w = s1 * (q - off) + m.
 * Activations are quantized once per op to signed 8-bit with one float
 * scale per 32 elements. The micro-kernel (vpdpbusd: u8 x s8 -> s32) then
 * serves all 12 types; only the cheap, exact extraction is per type.
 * The integer zero point `off` is folded into the accumulator's initial
 * value (-off * sum(a)), so symmetric types cost no float work for it. */
#ifndef REALM_QGEMM_H
#define REALM_QGEMM_H

#include <stddef.h>
#include <stdint.h>

#include "realm/types.h"

#define QG_ROWS 16 /* rows per panel: one int32 lane each in a zmm */
#define QG_ABLK 32 /* activation block: one float scale per 32 */

/* One row of a type, exactly: q[k] levels (0..255), s1[k/B], m[k/Bm]. */
typedef void (*qg_extract_fn)(const void *row, int64_t k, uint8_t *q, float *s1, float *m);

struct qg_panel;
/* Rows [r0, r0 + n) (n <= 16) of W straight into a panel, missing rows
 * zero: the same bytes as extract + interleave, faster. */
typedef void (*qg_pack_fn)(const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k,
                           struct qg_panel *p);

typedef struct qg_type {
    int B;       /* weight scale block: 16 or 32 */
    int Bm;      /* min block (divides B): 16 or 32 */
    int off;     /* integer zero point subtracted from q */
    int has_min; /* 1 when m is used */
    qg_extract_fn extract;
    qg_pack_fn pack; /* or NULL: qg_pack_panel extracts and interleaves */
} qg_type;

/* Descriptor of a quantized type; NULL for f32/f16. */
const qg_type *qg_type_get(realm_type t);

/* Weights of up to 16 rows, interleaved for the kernel. For block j and
 * 4-byte group g: q[((j * B/4) + g) * 64 + row * 4 + i] = q_row[j*B + 4g + i]. */
typedef struct qg_panel {
    uint8_t *q; /* [k/B][B/4][16][4] */
    float *s1;  /* [k/B][16] */
    float *m;   /* [k/Bm][16] (zeros for types without a min) */
} qg_panel;

/* Activations of `batch` columns, k each. */
typedef struct qg_act {
    int8_t *q;     /* [batch][k] */
    float *d;      /* [batch][k/32] */
    float *dsum;   /* [batch][k/Bm]: d * sum of the min block's q */
    int32_t *noff; /* [batch][k/B]: -off * sum of the block's q */
} qg_act;

/* Bytes of workspace for a panel / for activations. */
size_t qg_panel_bytes(const qg_type *ty, int64_t k);
size_t qg_act_bytes(const qg_type *ty, int64_t k, int64_t batch);
/* Lay out the structures in a 64-byte aligned workspace of those sizes. */
void qg_panel_init(qg_panel *p, const qg_type *ty, int64_t k, void *ws);
void qg_act_init(qg_act *a, const qg_type *ty, int64_t k, int64_t batch, void *ws);

/* Quantize activation columns [b0, b1) of X [batch][ldx]: per 32, d =
 * amax / 127, q = round-to-nearest-even(x * 127 / amax). The AVX-512
 * version writes the same bytes. */
void qg_quantize_act(const qg_type *ty, const float *X, int64_t ldx, int64_t k, int64_t b0, int64_t b1,
                     qg_act *a);
void qg_quantize_act_avx512(const qg_type *ty, const float *X, int64_t ldx, int64_t k, int64_t b0, int64_t b1,
                            qg_act *a);
/* Stores dsum / noff of 32-block i of column b from its two 16-sums. */
void qg_store_block_sums(const qg_type *ty, qg_act *a, int64_t k, int64_t b, int64_t i, float d,
                         const int *sum16);
/* Convert rows [r0, r0 + n) (n <= 16) of W into the panel; missing rows
 * are zero. tmp: qg_pack_tmp_bytes() of 64-byte aligned scratch. */
size_t qg_pack_tmp_bytes(const qg_type *ty, int64_t k);
void qg_pack_panel(const qg_type *ty, const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k,
                   void *tmp, qg_panel *p);
/* The same through extract + interleave whatever ty->pack is (tests). */
void qg_pack_panel_generic(const qg_type *ty, const void *W, size_t row_bytes, int64_t r0, int64_t n,
                           int64_t k, void *tmp, qg_panel *p);
/* Direct packers of the 32-element types (ops/qgemm/pack_q32.c). */
void qg_pack_Q4_0(const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k, qg_panel *p);
void qg_pack_Q4_1(const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k, qg_panel *p);
void qg_pack_Q5_0(const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k, qg_panel *p);
void qg_pack_Q5_1(const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k, qg_panel *p);
void qg_pack_Q8_0(const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k, qg_panel *p);
void qg_pack_Q8_1(const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k, qg_panel *p);

/* Micro-kernel: Y[b][0..nrows) for the panel and columns [b0, b1),
 * Y row stride ldy. */
typedef void (*qg_kernel_fn)(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a,
                             int64_t b0, int64_t b1, float *Y, int64_t ldy);
void qg_kernel_scalar(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a, int64_t b0,
                      int64_t b1, float *Y, int64_t ldy);
void qg_kernel_avx2(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a, int64_t b0,
                    int64_t b1, float *Y, int64_t ldy);
void qg_kernel_avxvnni(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a,
                       int64_t b0, int64_t b1, float *Y, int64_t ldy);
/* AVX-512 F/BW without VNNI (ops/x86/avx512bw/). */
void qg_kernel_avx512bw(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a,
                        int64_t b0, int64_t b1, float *Y, int64_t ldy);
void qg_kernel_avx512vnni(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a,
                          int64_t b0, int64_t b1, float *Y, int64_t ldy);

/* Two-panel micro-kernel: Y[b][0..32) from full panels p0 (rows 0-15) and
 * p1 (rows 16-31), the same bits as two qg_kernel_fn calls. */
typedef void (*qg_kernel2_fn)(const qg_type *ty, const qg_panel *p0, const qg_panel *p1, int64_t k,
                              const qg_act *a, int64_t b0, int64_t b1, float *Y, int64_t ldy);
void qg_kernel2_avx512vnni(const qg_type *ty, const qg_panel *p0, const qg_panel *p1, int64_t k,
                           const qg_act *a, int64_t b0, int64_t b1, float *Y, int64_t ldy);

/* Whole matmul (single thread): Y[b][r] for all rows and columns. Returns
 * REALM_ERR_OUT_OF_MEMORY when the workspace cannot be allocated. */
realm_status qg_matmul(const qg_type *ty, qg_kernel_fn kern, const void *W, size_t row_bytes, int64_t rows,
                       int64_t k, const float *X, int64_t ldx, int64_t batch, float *Y, int64_t ldy);

#endif
