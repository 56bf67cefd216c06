/* Internal: the optimized quantized matmul, split in two phases so a
 * scheduler can run each phase on many threads:
 *   1. realm_qmm_quantize(): activation columns -> 8-bit, once per op
 *      (any column ranges, in parallel);
 *   2. realm_qmm_rows(): output rows [r0, r1) for every column (any row
 *      ranges aligned to realm_qmm_grain(), in parallel).
 * Batch below REALM_QMM_GEMM_MIN_BATCH takes the GEMV path (dot partner
 * activations, weights read in place); larger batches the int8 GEMM path
 * (16-row panels repacked on the fly, register-tiled VNNI kernel, two
 * panels at a time where the CPU has a two-panel kernel). Every
 * output element is computed by exactly one call with the same arithmetic
 * whatever the split: results are bit-identical for any thread count. */
#ifndef REALM_QMM_H
#define REALM_QMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gemv/gemv.h"
#include "qgemm/qgemm.h"
#include "realm/repack.h"
#include "repack/repack.h"

#define REALM_QMM_GEMM_MIN_BATCH 8

typedef struct realm_qmm {
    realm_type type;
    const void *W; /* rows x k, GGUF blocks or ROWS16 (layout) */
    realm_layout layout;
    const realm_rows16_traits *rows16; /* ROWS16: the type's (un)packing */
    size_t row_bytes;
    int64_t rows, k, batch;
    int gemm; /* 1: int8 GEMM path, 0: GEMV path */
    /* GEMV path */
    const realm_gemv_table *gemv;
    size_t xq_row_bytes; /* bytes of one quantized activation row */
    /* GEMM path */
    const qg_type *qg;
    qg_kernel_fn kernel;
    qg_kernel2_fn kernel2; /* two panels at once, or NULL */
    qg_act act;
    void *act_ws; /* quantized activations (caller-provided memory) */
} realm_qmm;

/* Sets up the op (no allocation). Returns REALM_ERR_UNSUPPORTED for types
 * without a fast path (f32, f16). */
realm_status realm_qmm_init(realm_qmm *q, realm_type t, const void *W, int64_t rows, int64_t k,
                            int64_t batch);
/* The same, for weights in layout l: REALM_ERR_UNSUPPORTED when type t has
 * no such layout. ROWS16 weights run the ROWS16 GEMV kernels; the GEMM
 * path unpacks a group of 16 rows (one panel) at a time into its scratch. */
realm_status realm_qmm_init_layout(realm_qmm *q, realm_type t, realm_layout l, const void *W, int64_t rows,
                                   int64_t k, int64_t batch);
/* Bytes of shared workspace (quantized activations), 64-byte aligned. */
size_t realm_qmm_act_bytes(const realm_qmm *q);
/* Bytes of per-thread scratch for realm_qmm_rows(). */
size_t realm_qmm_scratch_bytes(const realm_qmm *q);
/* Row ranges handed to realm_qmm_rows() should start at multiples of this. */
int64_t realm_qmm_grain(const realm_qmm *q);
/* True when a and b (same k and batch) quantize activations to the same
 * bytes, so one quantization can serve both. */
bool realm_qmm_same_act(const realm_qmm *a, const realm_qmm *b);
/* Attach the shared workspace (realm_qmm_act_bytes, 64-byte aligned). */
void realm_qmm_bind(realm_qmm *q, void *act_ws);
/* Phase 1: quantize activation columns [b0, b1) of X [batch][ldx]. */
void realm_qmm_quantize(const realm_qmm *q, const float *X, int64_t ldx, int64_t b0, int64_t b1);
/* Phase 2: Y[b][r] for r in [r0, r1), every b; scratch: per thread. */
void realm_qmm_rows(const realm_qmm *q, int64_t r0, int64_t r1, float *Y, int64_t ldy, void *scratch);

/* The micro-kernel this CPU uses for the GEMM path (REALM_ISA caps it),
 * and its two-panel form where there is one (else NULL). */
qg_kernel_fn realm_qgemm_kernel(void);
qg_kernel2_fn realm_qgemm_kernel2(void);

#endif
