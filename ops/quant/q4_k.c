/* q4_K: super-blocks of 256 in 8 sub-blocks of 32. y = d*sc*q - dmin*m with
 * 4-bit q and 6-bit sc, m (packed in 12 bytes); d, dmin fp16. */
#include <string.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/kquant_util.h"

static const kq_layout layout = {
    .nsub = 8, .len = 32, .qmin = 0, .qmax = 15, .smin = 0, .smax = 63, .mmax = 63};

void realm_quantize_q4_K_ref(const float *x, void *y, int64_t n, const float *imp) {
    block_q4_K *b = y;
    for (int64_t i = 0; i < n / QK_K; i++, b++, x += QK_K) {
        const float *w = imp ? imp + i * QK_K : NULL;
        kq_scales s;
        float scales[8], mins[8];
        int8_t L[QK_K];
        kq_seed_affine(&layout, x, w, true, -1.0f, 20, false, &s, scales, mins);
        kq_refine(&layout, x, w, scales, mins, &s, L);
        b->d = s.d;
        b->dmin = s.dmin;
        memset(b->scales, 0, sizeof b->scales);
        for (int j = 0; j < 8; j++)
            kq_pack_scale_min_k4(b->scales, j, s.sc[j], s.mn[j]);
        /* 32 bytes per 64 elements: low nibbles the first 32, high the next */
        for (int j = 0; j < QK_K; j += 64)
            for (int l = 0; l < 32; l++)
                b->qs[j / 2 + l] = (uint8_t)(L[j + l] | (L[j + l + 32] << 4));
    }
}

void realm_dequantize_q4_K_ref(const void *x, float *y, int64_t n) {
    const block_q4_K *b = x;
    for (int64_t i = 0; i < n / QK_K; i++, b++) {
        const float d = realm_fp16_to_fp32(b->d), dmin = realm_fp16_to_fp32(b->dmin);
        const uint8_t *q = b->qs;
        for (int j = 0; j < 8; j += 2, q += 32) {
            int sc1, m1, sc2, m2;
            kq_unpack_scale_min_k4(b->scales, j, &sc1, &m1);
            kq_unpack_scale_min_k4(b->scales, j + 1, &sc2, &m2);
            const float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
            for (int l = 0; l < 32; l++)
                *y++ = d1 * (q[l] & 0xF) - min1;
            for (int l = 0; l < 32; l++)
                *y++ = d2 * (q[l] >> 4) - min2;
        }
    }
}
