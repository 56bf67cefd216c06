/* Portable batch-1 kernels for ROWS16 weights of the 32-element types
 * (repack/rows16_q32.h) against GGUF Q8_0 / Q8_1 activations. They define
 * the bits the SIMD kernels reproduce, per row and block:
 *   isum = sum (level - off) * q_x            (8-bit types: signed q_w)
 *   acc  = fma(isum, d * d_x, acc);  Q4_1/Q5_1: acc = fma(m, s_x, acc)
 * in block order. */
#include <math.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "repack/rows16_q32.h"

static float half_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return realm_fp16_to_fp32(h);
}

/* Level of element e of row r in group block g. */
static int level(const rows16_q32 *q, const uint8_t *g, int r, int e) {
    if (q->bits == 8) return (int8_t)g[64 * (e / 4) + 4 * r + e % 4];
    const int t = e / 8, h = (e % 8) / 4, b = e % 4;
    int v = (g[64 * t + 4 * r + b] >> (4 * h)) & 15;
    if (q->qh_bytes) v |= ((g[q->qs_bytes + 4 * r + b] >> (2 * t + h)) & 1) << 4;
    return v - q->off;
}

static void dot16(realm_type t, int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q32 *q = rows16_q32_get(t);
    const uint8_t *g = vw;
    const size_t gb = (size_t)q->qs_bytes + (size_t)q->qh_bytes + (q->m_at >= 0 ? 64 : 32);
    const bool q81 = realm_type_get_traits(t)->dot_type == REALM_TYPE_Q8_1;
    const size_t xb = q81 ? sizeof(block_q8_1) : sizeof(block_q8_0);
    float acc[16] = {0};
    for (int64_t i = 0; i < k / 32; i++, g += gb) {
        const uint8_t *x = (const uint8_t *)vx + (size_t)i * xb;
        const float dx = half_at(x), sx = q81 ? half_at(x + 2) : 0.0f;
        const int8_t *xq = (const int8_t *)(x + (q81 ? 4 : 2));
        for (int r = 0; r < 16; r++) {
            int32_t isum = 0; /* |isum| <= 32 * 128 * 128 */
            for (int e = 0; e < 32; e++)
                isum += level(q, g, r, e) * xq[e];
            acc[r] = fmaf((float)isum, half_at(g + q->d_at + 2 * r) * dx, acc[r]);
            if (q->has_m) acc[r] = fmaf(half_at(g + q->m_at + 2 * r), sx, acc[r]);
        }
    }
    memcpy(out, acc, sizeof acc);
}

#define DOT16(T)                                                                                             \
    static void dot16_##T(int64_t k, const void *w, const void *x, float *out) {                             \
        dot16(REALM_TYPE_##T, k, w, x, out);                                                                 \
    }
DOT16(Q4_0)
DOT16(Q4_1)
DOT16(Q5_0)
DOT16(Q5_1)
DOT16(Q8_0)
DOT16(Q8_1)

void realm_gemv_fill_scalar_rows16_q32(realm_gemv_table *t) {
    t->vec_dot16[REALM_TYPE_Q4_0] = dot16_Q4_0;
    t->vec_dot16[REALM_TYPE_Q4_1] = dot16_Q4_1;
    t->vec_dot16[REALM_TYPE_Q5_0] = dot16_Q5_0;
    t->vec_dot16[REALM_TYPE_Q5_1] = dot16_Q5_1;
    t->vec_dot16[REALM_TYPE_Q8_0] = dot16_Q8_0;
    t->vec_dot16[REALM_TYPE_Q8_1] = dot16_Q8_1;
}
