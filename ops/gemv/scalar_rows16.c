/* Portable batch-1 kernels for ROWS16 weights (repack/rows16_layout.h)
 * against GGUF Q8_K activations: 16 outputs per call. They define the bits
 * the SIMD kernels reproduce: per row and super-block, exact integer sums
 * (as in scalar_k.c), then
 *   acc = fma(isum, d * dx, acc), and for q4_K acc = fma(-msum, dmin * dx, acc)
 * in super-block order. */
#include <math.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "repack/rows16_layout.h"

static void dot16_q4_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q4_K *g = vw;
    const block_q8_K *x = vx;
    float acc[16] = {0};
    for (int64_t i = 0; i < k / QK_K; i++, g++, x++)
        for (int r = 0; r < 16; r++) {
            int32_t isum = 0, msum = 0; /* |isum| <= 8 * 63 * 32 * 15 * 128 < 2^31 */
            for (int j = 0; j < 8; j++) {
                int sc, m;
                rows16_sm6(g->scm[j][r], g->hi[r], j, &sc, &m);
                int32_t t = 0;
                for (int u = 0; u < 4; u++)
                    for (int e = 0; e < 4; e++) {
                        const uint8_t b = g->qs[j][u][r][e];
                        t += (b & 15) * x->qs[32 * j + 8 * u + e] + (b >> 4) * x->qs[32 * j + 8 * u + 4 + e];
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

static void dot16_q6_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q6_K *g = vw;
    const block_q8_K *x = vx;
    float acc[16] = {0};
    for (int64_t i = 0; i < k / QK_K; i++, g++, x++)
        for (int r = 0; r < 16; r++) {
            int32_t isum = 0, osum = 0; /* |isum| <= 16 * 128 * 16 * 63 * 128 < 2^31 */
            for (int s = 0; s < 16; s++) {
                const int sc = g->sc[s / 2][r][s % 2];
                int32_t t = 0;
                for (int e4 = 0; e4 < 16; e4++) {
                    const int u = e4 / 8, e = e4 % 4, hi = (e4 % 8) / 4, i4 = e4 / 4;
                    const int lv = ((g->ql[s][u][r][e] >> (4 * hi)) & 15) | ((g->qh[s][r][e] >> (2 * i4)) & 3)
                                                                                << 4;
                    t += lv * x->qs[16 * s + e4];
                }
                isum += sc * t;
                osum += sc * x->bsums[s];
            }
            const float d = realm_fp16_to_fp32(g->d[r]) * x->d;
            acc[r] = fmaf((float)(isum - 32 * osum), d, acc[r]);
        }
    for (int r = 0; r < 16; r++)
        out[r] = acc[r];
}

void realm_gemv_fill_scalar_rows16(realm_gemv_table *t) {
    t->vec_dot16[REALM_TYPE_Q4_K] = dot16_q4_K;
    t->vec_dot16[REALM_TYPE_Q6_K] = dot16_q6_K;
    realm_gemv_fill_scalar_rows16_k23(t);
    realm_gemv_fill_scalar_rows16_k58(t);
    realm_gemv_fill_scalar_rows16_q32(t);
}
