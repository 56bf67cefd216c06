/* Driver of the int8 GEMM path: quantize the activations once, then walk
 * 16-row weight panels; each panel is packed once and reused across every
 * activation column. */
#include <stdlib.h>

#include "core/error.h"
#include "qgemm/qgemm.h"

realm_status qg_matmul(const qg_type *ty, qg_kernel_fn kern, const void *W, size_t row_bytes, int64_t rows,
                       int64_t k, const float *X, int64_t ldx, int64_t batch, float *Y, int64_t ldy) {
    const size_t act_bytes = qg_act_bytes(ty, k, batch), panel_bytes = qg_panel_bytes(ty, k);
    const size_t tmp_bytes = qg_pack_tmp_bytes(ty, k);
    uint8_t *ws = aligned_alloc(64, act_bytes + panel_bytes + tmp_bytes);
    if (!ws)
        return realm_error(REALM_ERR_OUT_OF_MEMORY,
                           "quantized matmul: cannot allocate %zu bytes of workspace",
                           act_bytes + panel_bytes + tmp_bytes);
    qg_act a;
    qg_panel p;
    qg_act_init(&a, ty, k, batch, ws);
    qg_panel_init(&p, ty, k, ws + act_bytes);
    qg_quantize_act(ty, X, ldx, k, 0, batch, &a);
    for (int64_t r0 = 0; r0 < rows; r0 += QG_ROWS) {
        const int64_t n = rows - r0 < QG_ROWS ? rows - r0 : QG_ROWS;
        qg_pack_panel(ty, W, row_bytes, r0, n, k, ws + act_bytes + panel_bytes, &p);
        kern(ty, &p, (int)n, k, &a, 0, batch, Y + r0, ldy);
    }
    free(ws);
    return REALM_OK;
}
