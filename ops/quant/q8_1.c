/* Q8_1: Q8_0 plus s = d * sum(q) (fp16), which lets dot products with
 * Q4_1/Q5_1 weights fold the weights' min in one multiply. */
#include "quant/blocks.h"
#include "quant/formats.h"

uint16_t realm_q8_block_levels(const float *x, const float *w, int8_t *q);

void realm_quantize_q8_1_ref(const float *x, void *vy, int64_t n, const float *imp) {
    block_q8_1 *y = vy;
    for (int64_t i = 0; i < n / QK8_1; i++, x += QK8_1) {
        y[i].d = realm_q8_block_levels(x, imp ? imp + i * QK8_1 : NULL, y[i].qs);
        int sum = 0;
        for (int j = 0; j < QK8_1; j++)
            sum += y[i].qs[j];
        y[i].s = realm_fp32_to_fp16((float)sum * realm_fp16_to_fp32(y[i].d));
    }
}

void realm_dequantize_q8_1_ref(const void *vx, float *y, int64_t n) {
    const block_q8_1 *x = vx;
    for (int64_t i = 0; i < n / QK8_1; i++, y += QK8_1) {
        const float d = realm_fp16_to_fp32(x[i].d);
        for (int j = 0; j < QK8_1; j++)
            y[j] = (float)x[i].qs[j] * d;
    }
}
