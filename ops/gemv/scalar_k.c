/* Portable batch-1 dot products of the K weight formats with Q8_K
 * activations, and the activation quantizer to Q8_K. They define the
 * results the ISA kernels must reproduce:
 *  - every product is integer: weight levels times Q8_K quants, summed per
 *    sub-block and multiplied by the sub-block's integer scale;
 *  - constant terms (the mins of q2_K/q4_K/q5_K, the -4 of q3_K, the -32 of
 *    q6_K) never touch the quants: Q8_K's bsums (sums of each 16 quants)
 *    give sum_e c * x_e for a constant c per 16 elements;
 *  - floats appear once per super-block: d_x * (d * isum - dmin * msum).
 * The integer sums are exact (bounds in each function), so the only
 * rounding is the float accumulation over super-blocks. */
#include <math.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"

/* sum_e sc[e >> shift] * q[e] * x[e] over one super-block (sub-blocks of
 * 1 << shift elements). Scaling the levels first (|sc * q| <= 128 * 63 <
 * 2^15) leaves one long int16 x int8 dot, which compilers vectorize with
 * a single reduction instead of one per sub-block. */
static inline int32_t dot_scaled(const uint8_t *q, const int *sc, int shift, const int8_t *x) {
    const int len = 1 << shift;
    int16_t w[QK_K];
    for (int b = 0; b < QK_K; b += len)
        for (int l = 0; l < len; l++)
            w[b + l] = (int16_t)(sc[b >> shift] * q[b + l]);
    int32_t s = 0;
    for (int e = 0; e < QK_K; e++)
        s += w[e] * x[e]; // cppcheck-suppress uninitvar ; len >= 1, so the loops above write all of w
    return s;
}

/* 6-bit scale and min j of the 12 packed bytes of q4_K / q5_K: j < 4 in
 * the low 6 bits of bytes j and j + 4; j >= 4 splits into a nibble of byte
 * j + 4 and the top 2 bits of bytes j - 4 (scale) and j (min). */
static void scale_min_k4(const uint8_t *s, int j, int *sc, int *mn) {
    if (j < 4) {
        *sc = s[j] & 63;
        *mn = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
        *mn = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

/* q2_K: 16 sub-blocks of 16, level 0..3, scale and min 4-bit in one byte.
 * |isum| <= 16 * 15 * 3 * 127 * 16, |msum| <= 16 * 15 * 127 * 16. */
static void vec_dot_q2_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q2_K *w = vw;
    const block_q8_K *x = vx;
    float acc = 0;
    for (int64_t i = 0; i < k / QK_K; i++) {
        uint8_t q[QK_K];
        /* element 128h + 32j + l sits in bits 2j of byte 32h + l */
        for (int h = 0; h < 2; h++)
            for (int j = 0; j < 4; j++)
                for (int l = 0; l < 32; l++)
                    q[128 * h + 32 * j + l] = (w[i].qs[32 * h + l] >> (2 * j)) & 3;
        int sc[16];
        int32_t msum = 0;
        for (int s = 0; s < 16; s++) {
            sc[s] = w[i].scales[s] & 0xF;
            msum += (w[i].scales[s] >> 4) * x[i].bsums[s];
        }
        const int32_t isum = dot_scaled(q, sc, 4, x[i].qs);
        const float d = realm_fp16_to_fp32(w[i].d), dmin = realm_fp16_to_fp32(w[i].dmin);
        acc += x[i].d * (d * (float)isum - dmin * (float)msum);
    }
    *out = acc;
}

/* q3_K: 16 sub-blocks of 16, value = level - 4 with level 0..7 (2 bits in
 * qs, the third in hmask), signed 6-bit scales (stored + 32).
 * |isum|, 4 |osum| <= 16 * 32 * 7 * 127 * 16. */
static void vec_dot_q3_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q3_K *w = vw;
    const block_q8_K *x = vx;
    float acc = 0;
    for (int64_t i = 0; i < k / QK_K; i++) {
        const uint8_t *sc = w[i].scales;
        uint8_t q[QK_K];
        /* element 128h + 32j + l: bits 2j of qs[32h + l], bit 4h + j of hmask[l] */
        for (int h = 0; h < 2; h++)
            for (int j = 0; j < 4; j++)
                for (int l = 0; l < 32; l++)
                    q[128 * h + 32 * j + l] = (uint8_t)(((w[i].qs[32 * h + l] >> (2 * j)) & 3) |
                                                        ((w[i].hmask[l] >> (4 * h + j)) & 1) << 2);
        int scale[16];
        int32_t osum = 0;
        for (int s = 0; s < 16; s++) {
            /* low 4 bits: a nibble of bytes 0..7; top 2 bits: byte 8 + s%4 */
            const int low = s < 8 ? sc[s] & 0xF : sc[s - 8] >> 4;
            scale[s] = (low | ((sc[8 + s % 4] >> (2 * (s / 4))) & 3) << 4) - 32;
            osum += scale[s] * x[i].bsums[s];
        }
        const int32_t isum = dot_scaled(q, scale, 4, x[i].qs);
        acc += x[i].d * (realm_fp16_to_fp32(w[i].d) * (float)(isum - 4 * osum));
    }
    *out = acc;
}

/* q4_K / q5_K: 8 sub-blocks of 32, level 0..15 / 0..31, 6-bit scales and
 * mins. Sub-block j's min meets bsums 2j and 2j + 1.
 * |isum| <= 8 * 63 * 31 * 127 * 32, |msum| <= 8 * 63 * 127 * 32. */
static float dot_q45_K(const uint8_t *scales, uint16_t dh, uint16_t dminh, const uint8_t *q,
                       const block_q8_K *x) {
    int sc[8];
    int32_t msum = 0;
    for (int j = 0; j < 8; j++) {
        int mn;
        scale_min_k4(scales, j, &sc[j], &mn);
        msum += mn * (x->bsums[2 * j] + x->bsums[2 * j + 1]);
    }
    const int32_t isum = dot_scaled(q, sc, 5, x->qs);
    return x->d * (realm_fp16_to_fp32(dh) * (float)isum - realm_fp16_to_fp32(dminh) * (float)msum);
}

static void vec_dot_q4_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q4_K *w = vw;
    const block_q8_K *x = vx;
    float acc = 0;
    for (int64_t i = 0; i < k / QK_K; i++) {
        uint8_t q[QK_K];
        /* byte 32p + l: element 64p + l low nibble, 64p + 32 + l high */
        for (int p = 0; p < 4; p++)
            for (int l = 0; l < 32; l++) {
                q[64 * p + l] = w[i].qs[32 * p + l] & 0xF;
                q[64 * p + 32 + l] = w[i].qs[32 * p + l] >> 4;
            }
        acc += dot_q45_K(w[i].scales, w[i].d, w[i].dmin, q, &x[i]);
    }
    *out = acc;
}

static void vec_dot_q5_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q5_K *w = vw;
    const block_q8_K *x = vx;
    float acc = 0;
    for (int64_t i = 0; i < k / QK_K; i++) {
        uint8_t q[QK_K];
        /* as q4_K, plus the fifth bit: bit 2p (low) / 2p + 1 (high) of qh[l] */
        for (int p = 0; p < 4; p++)
            for (int l = 0; l < 32; l++) {
                const int h = w[i].qh[l] >> (2 * p);
                q[64 * p + l] = (uint8_t)((w[i].qs[32 * p + l] & 0xF) | (h & 1) << 4);
                q[64 * p + 32 + l] = (uint8_t)((w[i].qs[32 * p + l] >> 4) | (h & 2) << 3);
            }
        acc += dot_q45_K(w[i].scales, w[i].d, w[i].dmin, q, &x[i]);
    }
    *out = acc;
}

/* q6_K: 16 sub-blocks of 16, value = level - 32 with level 0..63 (4 bits
 * in ql, 2 in qh), int8 scales. |isum|, 32 |osum| <= 16 * 128 * 63 * 127 * 16
 * < 2^31. */
static void vec_dot_q6_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q6_K *w = vw;
    const block_q8_K *x = vx;
    float acc = 0;
    for (int64_t i = 0; i < k / QK_K; i++) {
        uint8_t q[QK_K];
        /* element 128h + 32j + l: nibble j/2 of ql[64h + 32(j%2) + l], bits
         * 2j of qh[32h + l] */
        for (int h = 0; h < 2; h++)
            for (int j = 0; j < 4; j++)
                for (int l = 0; l < 32; l++)
                    q[128 * h + 32 * j + l] =
                        (uint8_t)(((w[i].ql[64 * h + 32 * (j % 2) + l] >> (4 * (j / 2))) & 0xF) |
                                  ((w[i].qh[32 * h + l] >> (2 * j)) & 3) << 4);
        int scale[16];
        int32_t osum = 0;
        for (int s = 0; s < 16; s++) {
            scale[s] = w[i].scales[s];
            osum += scale[s] * x[i].bsums[s];
        }
        const int32_t isum = dot_scaled(q, scale, 4, x[i].qs);
        acc += x[i].d * (realm_fp16_to_fp32(w[i].d) * (float)(isum - 32 * osum));
    }
    *out = acc;
}

/* q8_K as a weight: int8 x int8, |isum| <= 256 * 128 * 128. */
static void vec_dot_q8_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q8_K *w = vw;
    const block_q8_K *x = vx;
    float acc = 0;
    for (int64_t i = 0; i < k / QK_K; i++) {
        int32_t isum = 0;
        for (int e = 0; e < QK_K; e++)
            isum += w[i].qs[e] * x[i].qs[e];
        acc += w[i].d * x[i].d * (float)isum;
    }
    *out = acc;
}

/* Round to nearest, ties to even, for |v| < 2^22: adding 1.5 * 2^23 leaves
 * no fraction bits, so the FPU's default rounding does the work. The SIMD
 * quantizers use cvtps2dq, which rounds the same way. */
static inline float round_even(float v) { return (v + 12582912.0f) - 12582912.0f; }

/* Q8_K activations, ggml's rule (and realm_quantize_q8_K_ref's, byte for
 * byte): the element of largest magnitude (the first, on ties; NaN never
 * counts) maps to -127, the others round to nearest; d = 1/iscale. A block
 * that is all zero, or too small for any 8-bit grid (iscale = inf), is all
 * zero with d = 0. */
static void quantize_q8_K(const float *x, void *vy, int64_t k) {
    block_q8_K *y = vy;
    for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
        float max = 0, amax = 0;
        for (int e = 0; e < QK_K; e++) {
            const float a = x[e] < 0 ? -x[e] : x[e];
            if (a > amax) {
                amax = a;
                max = x[e];
            }
        }
        memset(&y[i], 0, sizeof y[i]);
        if (amax == 0) continue;
        const float iscale = -127.0f / max;
        if (isinf(iscale)) continue;
        for (int e = 0; e < QK_K; e++) {
            /* NaN fails both tests and gives -127, as cvtps2dq's
             * 0x80000000 clamped does in the SIMD quantizers */
            const float v = round_even(iscale * x[e]);
            y[i].qs[e] = (int8_t)(v >= -127 ? (v <= 127 ? v : 127) : -127);
        }
        for (int s = 0; s < 16; s++) {
            int sum = 0;
            for (int l = 0; l < 16; l++)
                sum += y[i].qs[16 * s + l];
            y[i].bsums[s] = (int16_t)sum;
        }
        y[i].d = 1 / iscale;
    }
}

void realm_gemv_fill_scalar_k(realm_gemv_table *t) {
    t->vec_dot[REALM_TYPE_Q2_K] = vec_dot_q2_K;
    t->vec_dot[REALM_TYPE_Q3_K] = vec_dot_q3_K;
    t->vec_dot[REALM_TYPE_Q4_K] = vec_dot_q4_K;
    t->vec_dot[REALM_TYPE_Q5_K] = vec_dot_q5_K;
    t->vec_dot[REALM_TYPE_Q6_K] = vec_dot_q6_K;
    t->vec_dot[REALM_TYPE_Q8_K] = vec_dot_q8_K;
    t->quantize_act[REALM_TYPE_Q8_K] = quantize_q8_K;
}
