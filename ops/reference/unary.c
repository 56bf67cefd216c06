/* Naive activations, evaluated in double and rounded once. Each uses a form
 * that stays accurate for large negative x, where the textbook 1 + tanh(u)
 * or 1 + erf(u) cancels to nothing long before the true result underflows
 * float. */
#include <math.h>

#include "reference/reference.h"

/* sqrt(2 / pi) and 1 / sqrt(2) */
#define GELU_TANH_C 0.79788456080286535588
#define GELU_TANH_A 0.044715
#define INV_SQRT2 0.70710678118654752440

/* x * sigmoid(x) = x / (1 + e^-x); e^-x overflowing to inf gives -0, the
 * correctly signed underflow. */
void realm_ref_silu(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double v = x[i];
        y[i] = (float)(v / (1.0 + exp(-v)));
    }
}

/* 0.5 x (1 + tanh(u)) equals x * sigmoid(2u), which has no cancellation. */
void realm_ref_gelu_tanh(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double v = x[i];
        double u = GELU_TANH_C * (v + GELU_TANH_A * v * v * v);
        y[i] = (float)(v / (1.0 + exp(-2.0 * u)));
    }
}

/* 0.5 x (1 + erf(x / sqrt 2)) equals 0.5 x erfc(-x / sqrt 2). */
void realm_ref_gelu_erf(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double v = x[i];
        y[i] = (float)(0.5 * v * erfc(-v * INV_SQRT2));
    }
}

/* Written as x < 0 ? 0 : x so a NaN input stays NaN instead of hiding as 0. */
void realm_ref_relu(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}
