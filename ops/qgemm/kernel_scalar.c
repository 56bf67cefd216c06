/* Portable micro-kernel of the int8 GEMM path: the same integer sums and
 * the same float operations, in the same order, as the SIMD kernels, so
 * every ISA gives the same bits. */
#include <math.h>

#include "qgemm/qgemm.h"

void qg_kernel_scalar(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a, int64_t b0,
                      int64_t b1, float *Y, int64_t ldy) {
    const int64_t nb = k / ty->B, groups = ty->B / 4, na = k / QG_ABLK, per = QG_ABLK / ty->B;
    const int64_t nm = k / ty->Bm, mper = ty->B / ty->Bm;
    for (int64_t b = b0; b < b1; b++) {
        const int8_t *x = a->q + b * k;
        for (int r = 0; r < nrows; r++) {
            float acc = 0.0f;
            for (int64_t j = 0; j < nb; j++) {
                int32_t ai = a->noff[b * nb + j];
                for (int64_t g = 0; g < groups; g++) {
                    const uint8_t *w = p->q + ((j * groups + g) * QG_ROWS + r) * 4;
                    const int8_t *xv = x + j * ty->B + g * 4;
                    ai += w[0] * xv[0] + w[1] * xv[1] + w[2] * xv[2] + w[3] * xv[3];
                }
                const float t = p->s1[j * QG_ROWS + r] * a->d[b * na + j / per];
                acc = fmaf((float)ai, t, acc);
                for (int64_t h = 0; ty->has_min && h < mper; h++)
                    acc = fmaf(p->m[(j * mper + h) * QG_ROWS + r], a->dsum[b * nm + j * mper + h], acc);
            }
            Y[b * ldy + r] = acc;
        }
    }
}
