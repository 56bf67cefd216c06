/* Q5_1: 32 elements, fp16 scale d and min m, 5-bit q in [0,31],
 * x = d * q + m. Bit layout as Q5_0. */
#include <float.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/search.h"

/* The reference rule: m = block min, d = (max - min) / 31. */
static double ref_levels(const float *x, const float *w, uint8_t *L, uint16_t *dh, uint16_t *mh) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < QK5_1; j++) {
        if (x[j] < min) min = x[j];
        if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / 31;
    const float id = d ? 1.0f / d : 0.0f;
    for (int j = 0; j < QK5_1; j++) {
        int q = (uint8_t)((x[j] - min) * id + 0.5f);
        L[j] = (uint8_t)(q < 31 ? q : 31);
    }
    *dh = realm_fp32_to_fp16(d);
    *mh = realm_fp32_to_fp16(min);
    return realm_sse_affine(x, w, QK5_1, L, realm_fp16_to_fp32(*dh), realm_fp16_to_fp32(*mh));
}

void realm_quantize_q5_1_ref(const float *x, void *vy, int64_t n, const float *imp) {
    block_q5_1 *y = vy;
    for (int64_t i = 0; i < n / QK5_1; i++, x += QK5_1) {
        const float *w = imp ? imp + i * QK5_1 : NULL;
        uint8_t L[QK5_1], Ls[QK5_1];
        uint16_t dh, mh, dhs, mhs;
        double e = ref_levels(x, w, L, &dh, &mh);
        if (realm_search_affine(x, w, QK5_1, 31, Ls, &dhs, &mhs) < e) {
            dh = dhs;
            mh = mhs;
            for (int j = 0; j < QK5_1; j++)
                L[j] = Ls[j];
        }
        y[i].d = dh;
        y[i].m = mh;
        uint32_t qh = 0;
        for (int j = 0; j < QK5_1 / 2; j++) {
            y[i].qs[j] = (uint8_t)((L[j] & 0x0F) | ((L[j + QK5_1 / 2] & 0x0F) << 4));
            qh |= (uint32_t)(L[j] >> 4) << j;
            qh |= (uint32_t)(L[j + QK5_1 / 2] >> 4) << (j + QK5_1 / 2);
        }
        memcpy(y[i].qh, &qh, sizeof qh);
    }
}

void realm_dequantize_q5_1_ref(const void *vx, float *y, int64_t n) {
    const block_q5_1 *x = vx;
    for (int64_t i = 0; i < n / QK5_1; i++, y += QK5_1) {
        const float d = realm_fp16_to_fp32(x[i].d);
        const float m = realm_fp16_to_fp32(x[i].m);
        uint32_t qh;
        memcpy(&qh, x[i].qh, sizeof qh);
        for (int j = 0; j < QK5_1 / 2; j++) {
            const int h0 = (int)((qh >> j) << 4) & 0x10;
            const int h1 = (int)(qh >> (j + 12)) & 0x10;
            y[j] = (float)((x[i].qs[j] & 0x0F) | h0) * d + m;
            y[j + QK5_1 / 2] = (float)((x[i].qs[j] >> 4) | h1) * d + m;
        }
    }
}
