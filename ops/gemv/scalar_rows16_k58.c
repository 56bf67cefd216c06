/* Portable batch-1 kernels for ROWS16 q5_K and q8_K weights
 * (repack/rows16_layout_k58.h) against GGUF Q8_K activations: 16 outputs
 * per call. They define the bits the SIMD kernels reproduce: per row and
 * super-block, exact integer sums (as in scalar_k.c), then
 *   q5_K: acc = fma(isum, d * dx, acc); acc = fma(-msum, dmin * dx, acc)
 *   q8_K: acc = fma(isum, d * dx, acc)   (d an f32)
 * in super-block order. */
#include <math.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "repack/rows16_layout_k58.h"

/* Bounds (activation quants in [-128, 127], bsums of 16 in [-2048, 2032]):
 * a sub-block's level sum |t| <= 32 * 31 * 128 = 126976;
 * |isum| <= 8 * 63 * 126976 < 2^26; |msum| <= 8 * 63 * 2 * 2048 < 2^21. */
static void dot16_q5_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q5_K *g = vw;
    const block_q8_K *x = vx;
    float acc[16] = {0};
    for (int64_t i = 0; i < k / QK_K; i++, g++, x++)
        for (int r = 0; r < 16; r++) {
            int32_t isum = 0, msum = 0;
            for (int j = 0; j < 8; j++) {
                int sc, m;
                rows16_sm6(g->scm[j][r], g->hi[r], j, &sc, &m);
                int32_t t = 0;
                for (int u = 0; u < 4; u++)
                    for (int e = 0; e < 4; e++) {
                        const int b = g->qs[j][u][r][e], h = g->qh[j][r][e] >> (2 * u);
                        const int lo = (b & 15) | (h & 1) << 4, hi = (b >> 4) | (h & 2) << 3;
                        t += lo * x->qs[32 * j + 8 * u + e] + hi * x->qs[32 * j + 8 * u + 4 + e];
                    }
                isum += sc * t;
                msum += m * (x->bsums[2 * j] + x->bsums[2 * j + 1]);
            }
            const float d = realm_fp16_to_fp32(g->d[r]) * x->d, dm = realm_fp16_to_fp32(g->dmin[r]) * x->d;
            acc[r] = fmaf((float)isum, d, acc[r]);
            acc[r] = fmaf(-(float)msum, dm, acc[r]);
        }
    for (int r = 0; r < 16; r++)
        out[r] = acc[r];
}

/* |isum| <= 256 * 128 * 128 = 2^22. */
static void dot16_q8_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q8_K *g = vw;
    const block_q8_K *x = vx;
    float acc[16] = {0};
    for (int64_t i = 0; i < k / QK_K; i++, g++, x++)
        for (int r = 0; r < 16; r++) {
            int32_t isum = 0;
            for (int t = 0; t < 64; t++)
                for (int e = 0; e < 4; e++)
                    isum += g->qs[t][r][e] * x->qs[4 * t + e];
            acc[r] = fmaf((float)isum, g->d[r] * x->d, acc[r]);
        }
    for (int r = 0; r < 16; r++)
        out[r] = acc[r];
}

void realm_gemv_fill_scalar_rows16_k58(realm_gemv_table *t) {
    t->vec_dot16[REALM_TYPE_Q5_K] = dot16_q5_K;
    t->vec_dot16[REALM_TYPE_Q8_K] = dot16_q8_K;
}
