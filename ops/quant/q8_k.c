/* q8_K: f32 scale, 256 int8 quants and the sums of each 16 (bsums), which
 * the dot kernels use to apply the mins of q2_K..q5_K without touching the
 * quants again. This is ggml's rule exactly: the element of largest
 * magnitude maps to -127 and the others round to nearest, clamped to 127.
 * Importance weights are not used: with 8 bits and an f32 scale the
 * rounding error is already uniform and small. */
#include <math.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/formats.h"
#include "quant/kquant_util.h"

void realm_quantize_q8_K_ref(const float *x, void *y, int64_t n, const float *imp) {
    (void)imp;
    block_q8_K *b = y;
    for (int64_t i = 0; i < n / QK_K; i++, b++, x += QK_K) {
        float max = 0, amax = 0;
        for (int j = 0; j < QK_K; j++) {
            if (fabsf(x[j]) > amax) {
                amax = fabsf(x[j]);
                max = x[j];
            }
        }
        memset(b, 0, sizeof *b);
        if (amax == 0) continue;
        const float iscale = -127.0f / max;
        if (isinf(iscale)) continue; /* |max| < 127 / FLT_MAX: below any 8-bit grid */
        for (int j = 0; j < QK_K; j++)
            b->qs[j] = (int8_t)kq_round_clamp(iscale * x[j], -127, 127);
        for (int j = 0; j < QK_K / 16; j++) {
            int sum = 0;
            for (int l = 0; l < 16; l++)
                sum += b->qs[16 * j + l];
            b->bsums[j] = (int16_t)sum;
        }
        b->d = 1 / iscale;
    }
}

void realm_dequantize_q8_K_ref(const void *x, float *y, int64_t n) {
    const block_q8_K *b = x;
    for (int64_t i = 0; i < n / QK_K; i++, b++)
        for (int j = 0; j < QK_K; j++)
            *y++ = b->d * b->qs[j];
}
