/* f32 and f16 "formats": a copy and an exact element conversion. */
#include <string.h>

#include "quant/formats.h"

void realm_quantize_f32_ref(const float *x, void *y, int64_t n, const float *imp) {
    (void)imp;
    memmove(y, x, (size_t)n * sizeof(float));
}

void realm_dequantize_f32_ref(const void *x, float *y, int64_t n) {
    memmove(y, x, (size_t)n * sizeof(float));
}

void realm_quantize_f16_ref(const float *x, void *y, int64_t n, const float *imp) {
    (void)imp;
    uint16_t *h = y;
    for (int64_t i = 0; i < n; i++)
        h[i] = realm_fp32_to_fp16(x[i]);
}

void realm_dequantize_f16_ref(const void *x, float *y, int64_t n) {
    const uint16_t *h = x;
    for (int64_t i = 0; i < n; i++)
        y[i] = realm_fp16_to_fp32(h[i]);
}
