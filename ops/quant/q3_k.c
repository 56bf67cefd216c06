/* placeholder until the format lands */
#include <string.h>
#include "quant/formats.h"
void realm_quantize_q3_K_ref(const float *x, void *y, int64_t n, const float *imp) { (void)x; (void)y; (void)n; (void)imp; }
void realm_dequantize_q3_K_ref(const void *x, float *y, int64_t n) { (void)x; memset(y, 0, (size_t)n * 4); }
