/* The optimized backend's fused matmul for one caller thread: quantized
 * weights through qmm (quantize activations once, then all rows), f32 and
 * f16 weights through the f32 GEMM (f16 converted a slab of rows at a time). */
#include <stdlib.h>

#include "core/error.h"
#include "kernels.h"
#include "qmm/qmm.h"
#include "realm/quant.h"

/* Rows converted to f32 per GEMM call: each call packs all of X again, so
 * large batches take larger slabs. */
enum { F16_SLAB_ROWS = 64, F16_SLAB_ROWS_GEMM = 256 };

static realm_status matmul_f16(const realm_kernel_table *kt, const void *W, int64_t rows, int64_t k,
                               const float *X, int64_t ldx, int64_t batch, float *Y, int64_t ldy) {
    const int64_t slab_rows = batch >= REALM_QMM_GEMM_MIN_BATCH ? F16_SLAB_ROWS_GEMM : F16_SLAB_ROWS;
    float *slab = malloc(sizeof(float) * (size_t)(slab_rows * k));
    if (!slab) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_matmul_quant: cannot allocate an f16 slab");
    const uint16_t *w = W;
    for (int64_t r0 = 0; r0 < rows; r0 += slab_rows) {
        const int64_t n = rows - r0 < slab_rows ? rows - r0 : slab_rows;
        realm_dequantize_row(REALM_TYPE_F16, w + r0 * k, slab, n * k);
        kt->gemm_f32_nt(batch, n, k, X, ldx, slab, k, Y + r0, ldy);
    }
    free(slab);
    return REALM_OK;
}

realm_status realm_opt_matmul_quant(realm_type t, const void *W, int64_t rows, int64_t k, const float *X,
                                    int64_t ldx, int64_t batch, float *Y, int64_t ldy) {
    const realm_kernel_table *kt = realm_kernels_get(REALM_BACKEND_OPTIMIZED);
    if (t == REALM_TYPE_F32) {
        kt->gemm_f32_nt(batch, rows, k, X, ldx, W, k, Y, ldy);
        return REALM_OK;
    }
    if (t == REALM_TYPE_F16) return matmul_f16(kt, W, rows, k, X, ldx, batch, Y, ldy);
    realm_qmm q;
    realm_status s = realm_qmm_init(&q, t, W, rows, k, batch);
    if (s != REALM_OK) return s;
    const size_t act = realm_qmm_act_bytes(&q), scratch = realm_qmm_scratch_bytes(&q);
    uint8_t *ws = aligned_alloc(64, (act + scratch + 127) & ~(size_t)63);
    if (!ws)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_matmul_quant: cannot allocate %zu bytes",
                           act + scratch);
    realm_qmm_bind(&q, ws);
    realm_qmm_quantize(&q, X, ldx, 0, batch);
    realm_qmm_rows(&q, 0, rows, Y, ldy, ws + ((act + 63) & ~(size_t)63));
    free(ws);
    return REALM_OK;
}
