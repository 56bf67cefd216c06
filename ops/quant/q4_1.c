/* Q4_1: 32 elements, fp16 scale d and min m, 4-bit q in [0,15],
 * x = d * q + m. Nibble order as Q4_0. */
#include <float.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/search.h"

/* The reference rule: m = block min, d = (max - min) / 15. */
static double ref_levels(const float *x, const float *w, uint8_t *L, uint16_t *dh, uint16_t *mh) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < QK4_1; j++) {
        if (x[j] < min) min = x[j];
        if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / 15;
    const float id = d ? 1.0f / d : 0.0f;
    for (int j = 0; j < QK4_1; j++) {
        int q = (int8_t)((x[j] - min) * id + 0.5f);
        L[j] = (uint8_t)(q < 15 ? q : 15);
    }
    *dh = realm_fp32_to_fp16(d);
    *mh = realm_fp32_to_fp16(min);
    return realm_sse_affine(x, w, QK4_1, L, realm_fp16_to_fp32(*dh), realm_fp16_to_fp32(*mh));
}

void realm_quantize_q4_1_ref(const float *x, void *vy, int64_t n, const float *imp) {
    block_q4_1 *y = vy;
    for (int64_t i = 0; i < n / QK4_1; i++, x += QK4_1) {
        const float *w = imp ? imp + i * QK4_1 : NULL;
        uint8_t L[QK4_1], Ls[QK4_1];
        uint16_t dh, mh, dhs, mhs;
        double e = ref_levels(x, w, L, &dh, &mh);
        if (realm_search_affine(x, w, QK4_1, 15, Ls, &dhs, &mhs) < e) {
            dh = dhs;
            mh = mhs;
            for (int j = 0; j < QK4_1; j++)
                L[j] = Ls[j];
        }
        y[i].d = dh;
        y[i].m = mh;
        for (int j = 0; j < QK4_1 / 2; j++)
            y[i].qs[j] = (uint8_t)(L[j] | (L[j + QK4_1 / 2] << 4));
    }
}

void realm_dequantize_q4_1_ref(const void *vx, float *y, int64_t n) {
    const block_q4_1 *x = vx;
    for (int64_t i = 0; i < n / QK4_1; i++, y += QK4_1) {
        const float d = realm_fp16_to_fp32(x[i].d);
        const float m = realm_fp16_to_fp32(x[i].m);
        for (int j = 0; j < QK4_1 / 2; j++) {
            y[j] = (float)(x[i].qs[j] & 0x0F) * d + m;
            y[j + QK4_1 / 2] = (float)(x[i].qs[j] >> 4) * d + m;
        }
    }
}
