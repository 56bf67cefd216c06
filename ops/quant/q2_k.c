/* q2_K: super-blocks of 256 in 16 sub-blocks of 16. y = d*sc*q - dmin*m with
 * 2-bit q; scales[j] holds sc (low nibble) and m (high nibble). */
#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/kquant_util.h"

static const kq_layout layout = {
    .nsub = 16, .len = 16, .qmin = 0, .qmax = 3, .smin = 0, .smax = 15, .mmax = 15};

void realm_quantize_q2_K_ref(const float *x, void *y, int64_t n, const float *imp) {
    block_q2_K *b = y;
    for (int64_t i = 0; i < n / QK_K; i++, b++, x += QK_K) {
        const float *w = imp ? imp + i * QK_K : NULL;
        kq_scales s;
        float scales[16], mins[16];
        int8_t L[QK_K];
        kq_seed_affine(&layout, x, w, false, -0.5f, 15, true, &s, scales, mins);
        kq_refine(&layout, x, w, scales, mins, &s, L);
        b->d = s.d;
        b->dmin = s.dmin;
        for (int j = 0; j < 16; j++)
            b->scales[j] = (uint8_t)(s.sc[j] | (s.mn[j] << 4));
        /* byte l of each 32-byte group holds elements l, l+32, l+64, l+96 */
        for (int j = 0; j < QK_K; j += 128)
            for (int l = 0; l < 32; l++)
                b->qs[j / 4 + l] =
                    (uint8_t)(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
    }
}

void realm_dequantize_q2_K_ref(const void *x, float *y, int64_t n) {
    const block_q2_K *b = x;
    for (int64_t i = 0; i < n / QK_K; i++, b++) {
        const float d = realm_fp16_to_fp32(b->d), dmin = realm_fp16_to_fp32(b->dmin);
        for (int j = 0; j < 16; j++) {
            const float dl = d * (b->scales[j] & 0xF), ml = dmin * (b->scales[j] >> 4);
            const uint8_t *q = b->qs + 32 * (j / 8) + 16 * (j % 2);
            const int shift = 2 * ((j % 8) / 2);
            for (int l = 0; l < 16; l++)
                *y++ = dl * ((q[l] >> shift) & 3) - ml;
        }
    }
}
