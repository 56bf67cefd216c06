/* Reference causal attention: two passes per query row (max, then
 * exp-weighted sums) in double. Obvious, slow, the yardstick. */
#include <math.h>

#include "reference/reference.h"

void realm_ref_attention(const float *q, const float *k, const float *v, float *out, int64_t r0, int64_t r1,
                         int64_t n_head, int64_t n_head_kv, int64_t hd, int64_t n_kv, int64_t pos0,
                         float scale) {
    const int64_t group = n_head / n_head_kv, kv_stride = n_head_kv * hd;
    double acc[REALM_ATTENTION_MAX_HEAD_DIM];
    for (int64_t r = r0; r < r1; r++) {
        const int64_t t = r / n_head, h = r % n_head, kh = h / group;
        const float *qr = q + r * hd;
        const int64_t last = pos0 + t < n_kv - 1 ? pos0 + t : n_kv - 1;
        double m = -INFINITY, sum = 0;
        for (int64_t j = 0; j <= last; j++) {
            double s = 0;
            for (int64_t d = 0; d < hd; d++)
                s += (double)qr[d] * k[j * kv_stride + kh * hd + d];
            s *= scale;
            if (s > m) m = s;
        }
        for (int64_t d = 0; d < hd; d++)
            acc[d] = 0;
        for (int64_t j = 0; j <= last; j++) {
            double s = 0;
            for (int64_t d = 0; d < hd; d++)
                s += (double)qr[d] * k[j * kv_stride + kh * hd + d];
            const double p = exp(s * scale - m);
            sum += p;
            for (int64_t d = 0; d < hd; d++)
                acc[d] += p * v[j * kv_stride + kh * hd + d];
        }
        for (int64_t d = 0; d < hd; d++)
            out[r * hd + d] = (float)(acc[d] / sum);
    }
}
