/* q6_K: super-blocks of 256 in 16 sub-blocks of 16. y = d*sc*q with q in
 * [-32, 31] (stored q+32: low 4 bits in ql, high 2 bits in qh) and int8 sc. */
#include <string.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/kquant_util.h"

static const kq_layout layout = {
    .nsub = 16, .len = 16, .qmin = -32, .qmax = 31, .smin = -128, .smax = 127, .mmax = 0};

void realm_quantize_q6_K_ref(const float *x, void *y, int64_t n, const float *imp) {
    block_q6_K *b = y;
    for (int64_t i = 0; i < n / QK_K; i++, b++, x += QK_K) {
        const float *w = imp ? imp + i * QK_K : NULL;
        kq_scales s;
        float scales[16];
        int8_t L[QK_K];
        kq_seed_sym(&layout, x, w, false, &s, scales);
        kq_refine(&layout, x, w, scales, NULL, &s, L);
        b->d = s.d;
        for (int j = 0; j < 16; j++)
            b->scales[j] = (int8_t)s.sc[j];
        /* per half h, element 128h + 32k + l: low nibble (k < 2) or high
         * nibble (k >= 2) of ql[64h + 32(k%2) + l], bits 2k of qh[32h + l] */
        memset(b->ql, 0, sizeof b->ql);
        memset(b->qh, 0, sizeof b->qh);
        for (int e = 0; e < QK_K; e++) {
            const int u = L[e] + 32, h = e / 128, k = (e % 128) / 32, l = e % 32;
            b->ql[64 * h + 32 * (k % 2) + l] |= (uint8_t)((u & 0xF) << (4 * (k / 2)));
            b->qh[32 * h + l] |= (uint8_t)((u >> 4) << (2 * k));
        }
    }
}

void realm_dequantize_q6_K_ref(const void *x, float *y, int64_t n) {
    const block_q6_K *b = x;
    for (int64_t i = 0; i < n / QK_K; i++, b++) {
        const float d = realm_fp16_to_fp32(b->d);
        for (int j = 0; j < 16; j++) {
            const float dl = d * b->scales[j];
            const int h = j / 8, k = (j % 8) / 2, o = 16 * (j % 2);
            for (int l = o; l < o + 16; l++) {
                const int u = ((b->ql[64 * h + 32 * (k % 2) + l] >> (4 * (k / 2))) & 0xF) |
                              (((b->qh[32 * h + l] >> (2 * k)) & 3) << 4);
                *y++ = dl * (u - 32);
            }
        }
    }
}
