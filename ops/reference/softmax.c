/* Naive row softmax with an optional causal mask, in double.
 *
 * Row i is the query at position pos0 + i, so it sees columns j <= pos0 + i:
 * the first min(cols, pos0 + i + 1) columns. The row maximum is subtracted
 * before exponentiating so large inputs cannot overflow. Every pass reads
 * x[j] before y[j] is written, so y may be x (in place). */
#include <math.h>

#include "reference/reference.h"

/* Columns row i may attend to, written so pos0 + i + 1 cannot overflow. */
static int64_t visible_cols(int64_t i, int64_t cols, bool causal, int64_t pos0) {
    if (!causal || pos0 >= cols - 1 - i) return cols;
    return pos0 + i + 1;
}

static void softmax_row(const float *x, float *y, int64_t cols, int64_t vis, double scale) {
    double max = -INFINITY;
    for (int64_t j = 0; j < vis; j++)
        max = fmax(max, scale * x[j]);
    /* Every visible score is -inf (an additive mask hid them all): there is
     * no distribution to normalise, and zeros are what attention expects. */
    if (max == -INFINITY) vis = 0;
    double sum = 0.0;
    for (int64_t j = 0; j < vis; j++)
        sum += exp(scale * x[j] - max);
    for (int64_t j = 0; j < vis; j++)
        y[j] = (float)(exp(scale * x[j] - max) / sum);
    for (int64_t j = vis; j < cols; j++)
        y[j] = 0.0f;
}

void realm_ref_softmax(const float *x, float *y, int64_t rows, int64_t cols, float scale, bool causal,
                       int64_t pos0) {
    for (int64_t i = 0; i < rows; i++)
        softmax_row(x + i * cols, y + i * cols, cols, visible_cols(i, cols, causal, pos0), scale);
}
