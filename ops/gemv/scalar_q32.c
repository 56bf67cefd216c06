/* Portable batch-1 kernels for the 32-element types (Q4_0 .. Q8_1) and the
 * activation quantizers to Q8_0 / Q8_1. They define the exact semantics the
 * SIMD versions follow:
 *   block term = d_w * d_x * sum(q_w * q_x)            (offsets folded into q_w)
 *              + m_w * s_x                             (Q4_1, Q5_1: the min)
 * with s_x = fp16(d_x * sum(q_x)) from the Q8_1 block. A Q8_1 weight is a
 * plain symmetric int8 block; its s is not used. */
#include <math.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"

static float h2f(realm_half h) { return realm_fp16_to_fp32(h); }

/* sum over a block of (q - off) * x for 4-bit q: byte j holds element j
 * (low nibble) and j + 16 (high nibble); the optional qh adds bit j of qh
 * as bit 4 of element j (Q5). */
static int dot_nibbles(const uint8_t *qs, uint32_t qh, int off, const int8_t *x) {
    int s = 0;
    for (int j = 0; j < 16; j++) {
        const int lo = (qs[j] & 0x0F) | (int)((qh >> j) & 1) << 4;
        const int hi = (qs[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
        s += (lo - off) * x[j] + (hi - off) * x[j + 16];
    }
    return s;
}

static uint32_t load_qh(const uint8_t *p) {
    uint32_t qh;
    memcpy(&qh, p, sizeof qh);
    return qh;
}

static void vec_dot_q4_0(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q4_0 *w = vw;
    const block_q8_0 *x = vx;
    float sum = 0;
    for (int64_t i = 0; i < k / QK4_0; i++)
        sum += h2f(w[i].d) * h2f(x[i].d) * (float)dot_nibbles(w[i].qs, 0, 8, x[i].qs);
    *out = sum;
}

static void vec_dot_q4_1(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q4_1 *w = vw;
    const block_q8_1 *x = vx;
    float sum = 0;
    for (int64_t i = 0; i < k / QK4_1; i++)
        sum += h2f(w[i].d) * h2f(x[i].d) * (float)dot_nibbles(w[i].qs, 0, 0, x[i].qs) +
               h2f(w[i].m) * h2f(x[i].s);
    *out = sum;
}

static void vec_dot_q5_0(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q5_0 *w = vw;
    const block_q8_0 *x = vx;
    float sum = 0;
    for (int64_t i = 0; i < k / QK5_0; i++)
        sum += h2f(w[i].d) * h2f(x[i].d) * (float)dot_nibbles(w[i].qs, load_qh(w[i].qh), 16, x[i].qs);
    *out = sum;
}

static void vec_dot_q5_1(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q5_1 *w = vw;
    const block_q8_1 *x = vx;
    float sum = 0;
    for (int64_t i = 0; i < k / QK5_1; i++)
        sum += h2f(w[i].d) * h2f(x[i].d) * (float)dot_nibbles(w[i].qs, load_qh(w[i].qh), 0, x[i].qs) +
               h2f(w[i].m) * h2f(x[i].s);
    *out = sum;
}

static void vec_dot_q8_0(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q8_0 *w = vw;
    const block_q8_0 *x = vx;
    float sum = 0;
    for (int64_t i = 0; i < k / QK8_0; i++) {
        int s = 0;
        for (int j = 0; j < QK8_0; j++)
            s += w[i].qs[j] * x[i].qs[j];
        sum += h2f(w[i].d) * h2f(x[i].d) * (float)s;
    }
    *out = sum;
}

static void vec_dot_q8_1(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q8_1 *w = vw;
    const block_q8_1 *x = vx;
    float sum = 0;
    for (int64_t i = 0; i < k / QK8_1; i++) {
        int s = 0;
        for (int j = 0; j < QK8_1; j++)
            s += w[i].qs[j] * x[i].qs[j];
        sum += h2f(w[i].d) * h2f(x[i].d) * (float)s;
    }
    *out = sum;
}

/* One block: d = amax / 127, q = x * (1/d) rounded to nearest, ties to even
 * (lrintf in the default rounding mode, as the SIMD conversions do), so
 * every version writes the same bytes. Returns sum(q). */
static int quantize_block(const float *x, int8_t *q, realm_half *dh) {
    float amax = 0;
    for (int j = 0; j < QK8_0; j++)
        amax = fmaxf(amax, fabsf(x[j]));
    const float d = amax / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    int sum = 0;
    for (int j = 0; j < QK8_0; j++) {
        q[j] = (int8_t)lrintf(x[j] * id);
        sum += q[j];
    }
    *dh = realm_fp32_to_fp16(d);
    return sum;
}

static void quantize_act_q8_0(const float *x, void *vy, int64_t k) {
    block_q8_0 *y = vy;
    for (int64_t i = 0; i < k / QK8_0; i++)
        quantize_block(x + i * QK8_0, y[i].qs, &y[i].d);
}

static void quantize_act_q8_1(const float *x, void *vy, int64_t k) {
    block_q8_1 *y = vy;
    for (int64_t i = 0; i < k / QK8_1; i++) {
        const int sum = quantize_block(x + i * QK8_1, y[i].qs, &y[i].d);
        y[i].s = realm_fp32_to_fp16(h2f(y[i].d) * (float)sum);
    }
}

void realm_gemv_fill_scalar_q32(realm_gemv_table *t) {
    t->vec_dot[REALM_TYPE_Q4_0] = vec_dot_q4_0;
    t->vec_dot[REALM_TYPE_Q4_1] = vec_dot_q4_1;
    t->vec_dot[REALM_TYPE_Q5_0] = vec_dot_q5_0;
    t->vec_dot[REALM_TYPE_Q5_1] = vec_dot_q5_1;
    t->vec_dot[REALM_TYPE_Q8_0] = vec_dot_q8_0;
    t->vec_dot[REALM_TYPE_Q8_1] = vec_dot_q8_1;
    t->quantize_act[REALM_TYPE_Q8_0] = quantize_act_q8_0;
    t->quantize_act[REALM_TYPE_Q8_1] = quantize_act_q8_1;
}
