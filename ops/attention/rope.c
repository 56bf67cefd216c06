/* Optimized RoPE: the reference's formula and double arithmetic (so the
 * same bits), but each token's cos/sin are computed once for all its heads
 * instead of once per head. */
#include <math.h>

#include "attention/attention.h"

/* Pairs handled per batch of angles (stack arrays). */
#define CHUNK 64

void realm_opt_rope(const float *x, float *y, int64_t n_tokens, int64_t n_heads, int64_t head_dim,
                    const int32_t *positions, const realm_rope_params *p) {
    const int64_t half = p->n_rot / 2;
    const bool neox = p->mode == REALM_ROPE_NEOX;
    double c[CHUNK], s[CHUNK];
    for (int64_t t = 0; t < n_tokens; t++) {
        const double pos = positions ? (double)positions[t] : (double)(p->pos0 + t);
        for (int64_t i0 = 0; i0 < half; i0 += CHUNK) {
            const int64_t n = half - i0 < CHUNK ? half - i0 : CHUNK;
            for (int64_t i = 0; i < n; i++) {
                const double theta = pos * (double)p->freq_scale *
                                     pow((double)p->freq_base, -2.0 * (double)(i0 + i) / (double)p->n_rot);
                c[i] = cos(theta);
                s[i] = sin(theta);
            }
            for (int64_t h = 0; h < n_heads; h++) {
                const float *in = x + (t * n_heads + h) * head_dim;
                float *out = y + (t * n_heads + h) * head_dim;
                for (int64_t i = 0; i < n; i++) {
                    const int64_t a = neox ? i0 + i : 2 * (i0 + i),
                                  b = neox ? i0 + i + half : 2 * (i0 + i) + 1;
                    const double x0 = in[a], x1 = in[b];
                    out[a] = (float)(x0 * c[i] - x1 * s[i]);
                    out[b] = (float)(x0 * s[i] + x1 * c[i]);
                }
            }
        }
        for (int64_t h = 0; h < n_heads; h++)
            for (int64_t d = p->n_rot; d < head_dim; d++)
                y[(t * n_heads + h) * head_dim + d] = x[(t * n_heads + h) * head_dim + d];
    }
}
