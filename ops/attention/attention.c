/* Fast causal attention: one pass per query row with an online softmax
 * (running max and sum, accumulator rescaled when the max grows), f32 with
 * 16 partial sums so the compiler vectorizes the dot products. Rows are
 * independent, so any row split gives the same bits. */
#include <math.h>
#include <string.h>

#include "attention/attention.h"

#define LANES 16

/* q . k with a fixed reduction order (LANES partial sums, then a tree). */
static float dot(const float *a, const float *b, int64_t n) {
    float part[LANES] = {0};
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int l = 0; l < LANES; l++)
            part[l] += a[i + l] * b[i + l];
    for (int l = 0; i < n; i++, l++)
        part[l] += a[i] * b[i];
    for (int w = LANES / 2; w > 0; w /= 2)
        for (int l = 0; l < w; l++)
            part[l] += part[l + w];
    return part[0];
}

void realm_opt_attention(const float *q, const float *k, const float *v, float *out, int64_t r0, int64_t r1,
                         int64_t n_head, int64_t n_head_kv, int64_t hd, int64_t n_kv, int64_t pos0,
                         float scale) {
    const int64_t group = n_head / n_head_kv, kv_stride = n_head_kv * hd;
    float acc[REALM_ATTENTION_MAX_HEAD_DIM];
    for (int64_t r = r0; r < r1; r++) {
        const int64_t t = r / n_head, h = r % n_head, kh = h / group;
        const float *qr = q + r * hd;
        const int64_t last = pos0 + t < n_kv - 1 ? pos0 + t : n_kv - 1;
        float m = -INFINITY, sum = 0;
        memset(acc, 0, sizeof(float) * (size_t)hd);
        for (int64_t j = 0; j <= last; j++) {
            const float *kj = k + j * kv_stride + kh * hd, *vj = v + j * kv_stride + kh * hd;
            const float s = dot(qr, kj, hd) * scale;
            if (s > m) {
                /* exp(-inf) = 0 on the first key: acc and sum start at 0 */
                const float c = expf(m - s);
                sum *= c;
                for (int64_t d = 0; d < hd; d++)
                    acc[d] *= c;
                m = s;
            }
            const float p = expf(s - m);
            sum += p;
            for (int64_t d = 0; d < hd; d++)
                acc[d] += p * vj[d];
        }
        const float inv = 1.0f / sum;
        for (int64_t d = 0; d < hd; d++)
            out[r * hd + d] = acc[d] * inv;
    }
}
