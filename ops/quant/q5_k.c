/* q5_K: as q4_K with 5-bit q; the fifth bits live in qh (bit 2k of qh[l]
 * for element 64k + l, bit 2k + 1 for element 64k + 32 + l). */
#include <string.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/kquant_util.h"

static const kq_layout layout = {
    .nsub = 8, .len = 32, .qmin = 0, .qmax = 31, .smin = 0, .smax = 63, .mmax = 63};

void realm_quantize_q5_K_ref(const float *x, void *y, int64_t n, const float *imp) {
    block_q5_K *b = y;
    for (int64_t i = 0; i < n / QK_K; i++, b++, x += QK_K) {
        const float *w = imp ? imp + i * QK_K : NULL;
        kq_scales s;
        float scales[8], mins[8];
        int8_t L[QK_K];
        kq_seed_affine(&layout, x, w, true, -0.5f, 15, false, &s, scales, mins);
        kq_refine(&layout, x, w, scales, mins, &s, L);
        b->d = s.d;
        b->dmin = s.dmin;
        memset(b->scales, 0, sizeof b->scales);
        for (int j = 0; j < 8; j++)
            kq_pack_scale_min_k4(b->scales, j, s.sc[j], s.mn[j]);
        memset(b->qh, 0, sizeof b->qh);
        for (int k = 0; k < 4; k++) {
            for (int l = 0; l < 32; l++) {
                const int lo = L[64 * k + l], hi = L[64 * k + 32 + l];
                b->qs[32 * k + l] = (uint8_t)((lo & 0xF) | ((hi & 0xF) << 4));
                b->qh[l] |= (uint8_t)(((lo >> 4) << (2 * k)) | ((hi >> 4) << (2 * k + 1)));
            }
        }
    }
}

void realm_dequantize_q5_K_ref(const void *x, float *y, int64_t n) {
    const block_q5_K *b = x;
    for (int64_t i = 0; i < n / QK_K; i++, b++) {
        const float d = realm_fp16_to_fp32(b->d), dmin = realm_fp16_to_fp32(b->dmin);
        const uint8_t *ql = b->qs, *qh = b->qh;
        for (int j = 0; j < 8; j += 2, ql += 32) {
            int sc1, m1, sc2, m2;
            kq_unpack_scale_min_k4(b->scales, j, &sc1, &m1);
            kq_unpack_scale_min_k4(b->scales, j + 1, &sc2, &m2);
            const float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
            const int u1 = 1 << j, u2 = 2 << j;
            for (int l = 0; l < 32; l++)
                *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - min1;
            for (int l = 0; l < 32; l++)
                *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - min2;
        }
    }
}
