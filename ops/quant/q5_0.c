/* Q5_0: 32 elements, fp16 scale d, 5-bit q in [0,31], x = d * (q - 16).
 * Low 4 bits as in Q4_0; bit 4 of element j is bit j of the 32-bit qh. */
#include <math.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/search.h"

/* The reference rule: d = (value of largest magnitude) / -16. */
static double ref_levels(const float *x, const float *w, uint8_t *L, uint16_t *dh) {
    float amax = 0, max = 0;
    for (int j = 0; j < QK5_0; j++) {
        if (amax < fabsf(x[j])) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    const float d = max / -16;
    const float id = d ? 1.0f / d : 0.0f;
    for (int j = 0; j < QK5_0; j++) {
        int q = (int8_t)(x[j] * id + 16.5f);
        L[j] = (uint8_t)(q < 31 ? q : 31);
    }
    *dh = realm_fp32_to_fp16(d);
    return realm_sse_sym(x, w, QK5_0, -16, L, realm_fp16_to_fp32(*dh));
}

void realm_quantize_q5_0_ref(const float *x, void *vy, int64_t n, const float *imp) {
    block_q5_0 *y = vy;
    for (int64_t i = 0; i < n / QK5_0; i++, x += QK5_0) {
        const float *w = imp ? imp + i * QK5_0 : NULL;
        uint8_t L[QK5_0], Ls[QK5_0];
        uint16_t dh, dhs;
        double e = ref_levels(x, w, L, &dh);
        if (realm_search_sym(x, w, QK5_0, -16, 15, Ls, &dhs) < e) {
            dh = dhs;
            for (int j = 0; j < QK5_0; j++)
                L[j] = Ls[j];
        }
        y[i].d = dh;
        uint32_t qh = 0;
        for (int j = 0; j < QK5_0 / 2; j++) {
            y[i].qs[j] = (uint8_t)((L[j] & 0x0F) | ((L[j + QK5_0 / 2] & 0x0F) << 4));
            qh |= (uint32_t)(L[j] >> 4) << j;
            qh |= (uint32_t)(L[j + QK5_0 / 2] >> 4) << (j + QK5_0 / 2);
        }
        memcpy(y[i].qh, &qh, sizeof qh); /* little-endian, as GGUF */
    }
}

void realm_dequantize_q5_0_ref(const void *vx, float *y, int64_t n) {
    const block_q5_0 *x = vx;
    for (int64_t i = 0; i < n / QK5_0; i++, y += QK5_0) {
        const float d = realm_fp16_to_fp32(x[i].d);
        uint32_t qh;
        memcpy(&qh, x[i].qh, sizeof qh);
        for (int j = 0; j < QK5_0 / 2; j++) {
            const int h0 = (int)((qh >> j) << 4) & 0x10;
            const int h1 = (int)(qh >> (j + 12)) & 0x10;
            y[j] = (float)(((x[i].qs[j] & 0x0F) | h0) - 16) * d;
            y[j + QK5_0 / 2] = (float)(((x[i].qs[j] >> 4) | h1) - 16) * d;
        }
    }
}
