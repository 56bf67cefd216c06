/* Q4_0: 32 elements, fp16 scale d, 4-bit q in [0,15], x = d * (q - 8).
 * Element j sits in the low nibble of qs[j], element j+16 in the high one. */
#include <math.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/search.h"

/* The reference rule: d = (value of largest magnitude) / -8. */
static double ref_levels(const float *x, const float *w, uint8_t *L, uint16_t *dh) {
    float amax = 0, max = 0;
    for (int j = 0; j < QK4_0; j++) {
        if (amax < fabsf(x[j])) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    const float d = max / -8;
    const float id = d ? 1.0f / d : 0.0f;
    for (int j = 0; j < QK4_0; j++) {
        int q = (int8_t)(x[j] * id + 8.5f);
        L[j] = (uint8_t)(q < 15 ? q : 15);
    }
    *dh = realm_fp32_to_fp16(d);
    return realm_sse_sym(x, w, QK4_0, -8, L, realm_fp16_to_fp32(*dh));
}

void realm_quantize_q4_0_ref(const float *x, void *vy, int64_t n, const float *imp) {
    block_q4_0 *y = vy;
    for (int64_t i = 0; i < n / QK4_0; i++, x += QK4_0) {
        const float *w = imp ? imp + i * QK4_0 : NULL;
        uint8_t L[QK4_0], Ls[QK4_0];
        uint16_t dh, dhs;
        double e = ref_levels(x, w, L, &dh);
        if (realm_search_sym(x, w, QK4_0, -8, 7, Ls, &dhs) < e) {
            dh = dhs;
            for (int j = 0; j < QK4_0; j++)
                L[j] = Ls[j];
        }
        y[i].d = dh;
        for (int j = 0; j < QK4_0 / 2; j++)
            y[i].qs[j] = (uint8_t)(L[j] | (L[j + QK4_0 / 2] << 4));
    }
}

void realm_dequantize_q4_0_ref(const void *vx, float *y, int64_t n) {
    const block_q4_0 *x = vx;
    for (int64_t i = 0; i < n / QK4_0; i++, y += QK4_0) {
        const float d = realm_fp16_to_fp32(x[i].d);
        for (int j = 0; j < QK4_0 / 2; j++) {
            y[j] = (float)((x[i].qs[j] & 0x0F) - 8) * d;
            y[j + QK4_0 / 2] = (float)((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}
