/* Naive rotary position embedding. Pair i of a head (i < n_rot / 2) turns
 * by theta_i = pos * freq_scale * freq_base^(-2i / n_rot). Angles are taken
 * in double: at positions in the hundreds of thousands a float angle has
 * already lost several bits before cos/sin see it. Dims from n_rot to
 * head_dim pass through unchanged. Both elements of a pair are read before
 * either is written, so y may be x (in place). */
#include <math.h>

#include "reference/reference.h"

/* Rotates one head from in to out; in may equal out. */
static void rope_head(const float *in, float *out, int64_t head_dim, double pos, const realm_rope_params *p) {
    int64_t half = p->n_rot / 2;
    for (int64_t i = 0; i < half; i++) {
        double theta =
            pos * (double)p->freq_scale * pow((double)p->freq_base, -2.0 * (double)i / (double)p->n_rot);
        double c = cos(theta), s = sin(theta);
        /* NORMAL pairs adjacent dims (llama's GGUF layout); NEOX pairs the
         * two halves of the rotated span. */
        int64_t a = p->mode == REALM_ROPE_NEOX ? i : 2 * i;
        int64_t b = p->mode == REALM_ROPE_NEOX ? i + half : 2 * i + 1;
        double x0 = in[a], x1 = in[b];
        out[a] = (float)(x0 * c - x1 * s);
        out[b] = (float)(x0 * s + x1 * c);
    }
    for (int64_t d = p->n_rot; d < head_dim; d++)
        out[d] = in[d];
}

void realm_ref_rope(const float *x, float *y, int64_t n_tokens, int64_t n_heads, int64_t head_dim,
                    const int32_t *positions, const realm_rope_params *p) {
    for (int64_t t = 0; t < n_tokens; t++) {
        double pos = positions ? (double)positions[t] : (double)(p->pos0 + t);
        for (int64_t h = 0; h < n_heads; h++) {
            int64_t off = (t * n_heads + h) * head_dim;
            rope_head(x + off, y + off, head_dim, pos, p);
        }
    }
}
