/* Portable part of the f32 GEMM: A packing. Each element of A is packed
 * once per call when m fits one block, so plain loops cost little next to
 * the 2n FLOPs that reuse it. */
#include "gemm/gemm_f32.h"

void realm_gemm_f32_pack_a(const float *A, int64_t lda, int64_t mc, int64_t kc, int mr, float *Ap) {
    for (int64_t i0 = 0; i0 < mc; i0 += mr, Ap += mr * kc) {
        const int rows = mc - i0 < mr ? (int)(mc - i0) : mr;
        for (int r = 0; r < rows; r++) {
            const float *a = A + (i0 + r) * lda;
            for (int64_t p = 0; p < kc; p++)
                Ap[p * mr + r] = a[p];
        }
    }
}
