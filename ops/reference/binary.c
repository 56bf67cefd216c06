/* Naive elementwise arithmetic. One float operation per element is already
 * correctly rounded, so there is nothing to gain from double here. */
#include "reference/reference.h"

void realm_ref_add(const float *a, const float *b, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        y[i] = a[i] + b[i];
}

void realm_ref_mul(const float *a, const float *b, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        y[i] = a[i] * b[i];
}

void realm_ref_scale(const float *x, float s, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        y[i] = s * x[i];
}
