/* q3_K: super-blocks of 256 in 16 sub-blocks of 16. y = d*(sc-32)*q with
 * q in [-4, 3] stored as 2 low bits (qs) plus a high bit (hmask, set means
 * "no -4"), and 6-bit sc packed in 12 bytes. */
#include <string.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/kquant_util.h"

static const kq_layout layout = {
    .nsub = 16, .len = 16, .qmin = -4, .qmax = 3, .smin = -32, .smax = 31, .mmax = 0};

/* Low 4 bits: byte j (j < 8) or the high nibble of byte j - 8; the top 2
 * bits: bits 2*(j/4) of byte 8 + j%4. Stored value is sc + 32. */
static int unpack_scale(const uint8_t *s, int j) {
    const int lo = j < 8 ? s[j] & 0xF : s[j - 8] >> 4;
    return (lo | (((s[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
}

void realm_quantize_q3_K_ref(const float *x, void *y, int64_t n, const float *imp) {
    block_q3_K *b = y;
    for (int64_t i = 0; i < n / QK_K; i++, b++, x += QK_K) {
        const float *w = imp ? imp + i * QK_K : NULL;
        kq_scales s;
        float scales[16];
        int8_t L[QK_K];
        kq_seed_sym(&layout, x, w, true, &s, scales);
        kq_refine(&layout, x, w, scales, NULL, &s, L);
        b->d = s.d;
        memset(b->scales, 0, sizeof b->scales);
        for (int j = 0; j < 16; j++) {
            const int v = s.sc[j] + 32;
            b->scales[j % 8] |= (uint8_t)((v & 0xF) << (j < 8 ? 0 : 4));
            b->scales[8 + j % 4] |= (uint8_t)((v >> 4) << (2 * (j / 4)));
        }
        /* element e: bit e/32 of hmask[e%32]; low bits at 2*((e%128)/32) of
         * qs[32*(e/128) + e%32] */
        memset(b->hmask, 0, sizeof b->hmask);
        memset(b->qs, 0, sizeof b->qs);
        for (int e = 0; e < QK_K; e++) {
            const int u = L[e] + 4;
            b->hmask[e % 32] |= (uint8_t)((u >> 2) << (e / 32));
            b->qs[32 * (e / 128) + e % 32] |= (uint8_t)((u & 3) << (2 * ((e % 128) / 32)));
        }
    }
}

void realm_dequantize_q3_K_ref(const void *x, float *y, int64_t n) {
    const block_q3_K *b = x;
    for (int64_t i = 0; i < n / QK_K; i++, b++) {
        const float d_all = realm_fp16_to_fp32(b->d);
        for (int j = 0; j < 16; j++) {
            const float dl = d_all * unpack_scale(b->scales, j);
            const int h = j / 8, k = (j % 8) / 2, o = 16 * (j % 2);
            for (int l = o; l < o + 16; l++) {
                const int q =
                    ((b->qs[32 * h + l] >> (2 * k)) & 3) - ((b->hmask[l] >> (4 * h + k)) & 1 ? 0 : 4);
                *y++ = dl * q;
            }
        }
    }
}
