/* Internal: reference quantize/dequantize of each format, one file each
 * (ops/quant/<type>.c). Signatures match realm_quantize_fn and
 * realm_dequantize_fn; n is a multiple of the block size (checked by the
 * caller), imp (importance weights) may be NULL. */
#ifndef REALM_QUANT_FORMATS_H
#define REALM_QUANT_FORMATS_H

#include "realm/types.h"

void realm_quantize_f32_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_f32_ref(const void *x, float *y, int64_t n);
void realm_quantize_f16_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_f16_ref(const void *x, float *y, int64_t n);
void realm_quantize_q4_0_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q4_0_ref(const void *x, float *y, int64_t n);
void realm_quantize_q4_1_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q4_1_ref(const void *x, float *y, int64_t n);
void realm_quantize_q5_0_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q5_0_ref(const void *x, float *y, int64_t n);
void realm_quantize_q5_1_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q5_1_ref(const void *x, float *y, int64_t n);
void realm_quantize_q8_0_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q8_0_ref(const void *x, float *y, int64_t n);
void realm_quantize_q8_1_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q8_1_ref(const void *x, float *y, int64_t n);
void realm_quantize_q2_K_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q2_K_ref(const void *x, float *y, int64_t n);
void realm_quantize_q3_K_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q3_K_ref(const void *x, float *y, int64_t n);
void realm_quantize_q4_K_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q4_K_ref(const void *x, float *y, int64_t n);
void realm_quantize_q5_K_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q5_K_ref(const void *x, float *y, int64_t n);
void realm_quantize_q6_K_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q6_K_ref(const void *x, float *y, int64_t n);
void realm_quantize_q8_K_ref(const float *x, void *y, int64_t n, const float *imp);
void realm_dequantize_q8_K_ref(const void *x, float *y, int64_t n);

#endif
