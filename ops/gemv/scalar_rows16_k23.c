/* Portable batch-1 kernels for ROWS16 q2_K / q3_K weights
 * (repack/rows16_layout_k23.h) against GGUF Q8_K activations: 16 outputs
 * per call. They define the bits the SIMD kernels reproduce: per row and
 * super-block exact integer sums (as in scalar_k.c), then
 *   q2_K: acc = fma(isum, d * dx, acc); acc = fma(-msum, dmin * dx, acc)
 *   q3_K: acc = fma(isum - 4 * osum, d * dx, acc)
 * in super-block order. Bounds (|q8_K quant| <= 128, |bsum| <= 16 * 128):
 *   q2_K: per sub-block |t| <= 16 * 3 * 128 = 6144 (< 2^15, the SIMD kernel
 *   feeds it to vpdpwssd as a word); |isum| <= 16 * 15 * 6144 and
 *   |msum| <= 16 * 15 * 2048, both < 2^21;
 *   q3_K: |t| <= 16 * 7 * 128 = 14336 < 2^15; scale - 32 in [-32, 31];
 *   |isum| <= 16 * 32 * 14336 < 2^23, |4 osum| <= 4 * 16 * 32 * 2048 = 2^22. */
#include <math.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "repack/rows16_layout_k23.h"

static void dot16_q2_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q2_K *g = vw;
    const block_q8_K *x = vx;
    float acc[16] = {0};
    for (int64_t i = 0; i < k / QK_K; i++, g++, x++)
        for (int r = 0; r < 16; r++) {
            int32_t isum = 0, msum = 0;
            for (int s = 0; s < 16; s++) {
                const int sm = g->sm[s / 2][r][s % 2];
                int32_t t = 0;
                for (int e = 0; e < 16; e++) /* element 16s + e: bits 2 (e / 4) of byte e % 4 */
                    t += ((g->qs[s][r][e % 4] >> (2 * (e / 4))) & 3) * x->qs[16 * s + e];
                isum += (sm & 15) * t;
                msum += (sm >> 4) * x->bsums[s];
            }
            const float d = realm_fp16_to_fp32(g->d[r]) * x->d, dm = realm_fp16_to_fp32(g->dmin[r]) * x->d;
            acc[r] = fmaf((float)isum, d, acc[r]);
            acc[r] = fmaf(-(float)msum, dm, acc[r]);
        }
    for (int r = 0; r < 16; r++)
        out[r] = acc[r];
}

static void dot16_q3_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q3_K *g = vw;
    const block_q8_K *x = vx;
    float acc[16] = {0};
    for (int64_t i = 0; i < k / QK_K; i++, g++, x++)
        for (int r = 0; r < 16; r++) {
            int32_t isum = 0, osum = 0;
            for (int s = 0; s < 16; s++) {
                const int sc = rows16_q3_scale(g, s, r) - 32;
                int32_t t = 0;
                for (int e = 0; e < 16; e++) /* element 16s + e: group 4 (s % 2) + e / 4 of pair s / 2 */
                    t += rows16_q3_level(g, s / 2, 4 * (s % 2) + e / 4, r, e % 4) * x->qs[16 * s + e];
                isum += sc * t;
                osum += sc * x->bsums[s];
            }
            const float d = realm_fp16_to_fp32(g->d[r]) * x->d;
            acc[r] = fmaf((float)(isum - 4 * osum), d, acc[r]);
        }
    for (int r = 0; r < 16; r++)
        out[r] = acc[r];
}

void realm_gemv_fill_scalar_rows16_k23(realm_gemv_table *t) {
    t->vec_dot16[REALM_TYPE_Q2_K] = dot16_q2_K;
    t->vec_dot16[REALM_TYPE_Q3_K] = dot16_q3_K;
}
