/* Naive row norms. Statistics are accumulated in double over the whole row
 * before any output is written, so y may be x (in place). */
#include <math.h>

#include "reference/reference.h"

void realm_ref_rms_norm(const float *x, const float *weight, float *y, int64_t rows, int64_t cols,
                        float eps) {
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        double sumsq = 0.0;
        for (int64_t c = 0; c < cols; c++)
            sumsq += (double)xr[c] * (double)xr[c];
        double inv = 1.0 / sqrt(sumsq / (double)cols + (double)eps);
        for (int64_t c = 0; c < cols; c++) {
            double g = weight ? (double)weight[c] : 1.0;
            yr[c] = (float)((double)xr[c] * inv * g);
        }
    }
}

/* The variance is taken around the mean in a second pass rather than as
 * E[x^2] - E[x]^2, which cancels badly for rows with a large offset. */
void realm_ref_layer_norm(const float *x, const float *weight, const float *bias, float *y, int64_t rows,
                          int64_t cols, float eps) {
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        double sum = 0.0;
        for (int64_t c = 0; c < cols; c++)
            sum += xr[c];
        double mean = sum / (double)cols;
        double sumsq = 0.0;
        for (int64_t c = 0; c < cols; c++)
            sumsq += ((double)xr[c] - mean) * ((double)xr[c] - mean);
        double inv = 1.0 / sqrt(sumsq / (double)cols + (double)eps);
        for (int64_t c = 0; c < cols; c++) {
            double g = weight ? (double)weight[c] : 1.0;
            double b = bias ? (double)bias[c] : 0.0;
            yr[c] = (float)(((double)xr[c] - mean) * inv * g + b);
        }
    }
}
