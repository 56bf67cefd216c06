/* Q8_0: 32 elements, fp16 scale d, int8 q in [-127,127], x = d * q. */
#include <math.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/search.h"

/* Levels as offsets from -127 (search.h convention). Returns the fp16 bits
 * of d. The reference rule (d = amax / 127) competes with the search. */
uint16_t realm_q8_block_levels(const float *x, const float *w, int8_t *q);

uint16_t realm_q8_block_levels(const float *x, const float *w, int8_t *q) {
    float amax = 0;
    for (int j = 0; j < QK8_0; j++)
        amax = fmaxf(amax, fabsf(x[j]));
    const float d = amax / 127;
    const float id = d ? 1.0f / d : 0.0f;
    uint8_t L[QK8_0], Ls[QK8_0];
    for (int j = 0; j < QK8_0; j++)
        L[j] = (uint8_t)((int)roundf(x[j] * id) + 127);
    uint16_t dh = realm_fp32_to_fp16(d), dhs;
    double e = realm_sse_sym(x, w, QK8_0, -127, L, realm_fp16_to_fp32(dh));
    if (realm_search_sym(x, w, QK8_0, -127, 127, Ls, &dhs) < e) {
        dh = dhs;
        for (int j = 0; j < QK8_0; j++)
            L[j] = Ls[j];
    }
    for (int j = 0; j < QK8_0; j++)
        q[j] = (int8_t)(L[j] - 127);
    return dh;
}

void realm_quantize_q8_0_ref(const float *x, void *vy, int64_t n, const float *imp) {
    block_q8_0 *y = vy;
    for (int64_t i = 0; i < n / QK8_0; i++, x += QK8_0)
        y[i].d = realm_q8_block_levels(x, imp ? imp + i * QK8_0 : NULL, y[i].qs);
}

void realm_dequantize_q8_0_ref(const void *vx, float *y, int64_t n) {
    const block_q8_0 *x = vx;
    for (int64_t i = 0; i < n / QK8_0; i++, y += QK8_0) {
        const float d = realm_fp16_to_fp32(x[i].d);
        for (int j = 0; j < QK8_0; j++)
            y[j] = (float)x[i].qs[j] * d;
    }
}
