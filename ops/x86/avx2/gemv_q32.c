/* AVX2 + FMA + F16C batch-1 kernels for the 32-element types, and the
 * activation quantizers to Q8_0 / Q8_1 (also used on AVX-512 CPUs: the
 * quantizer runs once per matmul, not once per row).
 *
 * One block per 256-bit register in element order. vpmaddubsw multiplies
 * u8 by s8 and adds pairs into int16 with saturation, so the unsigned
 * operand is kept small: nibbles (0..15) and 5-bit values (0..31) against
 * |x| <= 127 give pairs of at most 2 * 31 * 127 = 7874. For int8 weights
 * the sign moves to x (|w| * sign(x, w)): pairs of at most 2 * 128 * 127
 * = 32512 < 32767. That needs x != -128, which holds for the quantizers
 * below (|q| <= 127). Offsets (8 for Q4_0, 16 for Q5_0) are removed in
 * int16: sum (q - o) x = sum q x - o sum x. The fp16 scales of four
 * blocks are converted by one instruction, not one per block: per block,
 * the scale work otherwise costs as much as the dot. */
#include <immintrin.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"

static inline float h2f(realm_half h) { return _cvtsh_ss(h); }

/* 16 nibble bytes -> 32 values 0..15 in element order (low nibbles are
 * elements 0..15). */
static inline __m256i nibbles(const uint8_t *q) {
    const __m128i v = _mm_loadu_si128((const __m128i *)q), m = _mm_set1_epi8(0x0F);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), m), _mm_and_si128(v, m));
}

/* qh bit e -> 16 in byte e. */
static inline __m256i fifth_bits(const uint8_t *qh) {
    uint32_t h;
    memcpy(&h, qh, sizeof h);
    /* byte e <- qh byte e / 8, then keep bit e % 8 */
    const __m256i shuf =
        _mm256_setr_epi64x(0, 0x0101010101010101ll, 0x0202020202020202ll, 0x0303030303030303ll);
    const __m256i bit = _mm256_set1_epi64x(0x8040201008040201ll);
    const __m256i b = _mm256_and_si256(_mm256_shuffle_epi8(_mm256_set1_epi32((int)h), shuf), bit);
    return _mm256_and_si256(_mm256_cmpeq_epi8(b, bit), _mm256_set1_epi8(16));
}

static inline __m256i load_x(const int8_t *q) { return _mm256_loadu_si256((const __m256i *)q); }

/* int16 pairs -> int32 sums of 4 neighbours -> float */
static inline __m256 pairs_to_float(__m256i p) {
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(p, _mm256_set1_epi16(1)));
}

/* sum (w - off) x as 8 float partial sums, w unsigned and small. */
static inline __m256 dot_off(__m256i w, __m256i x, char off) {
    const __m256i p = _mm256_maddubs_epi16(w, x), o = _mm256_maddubs_epi16(_mm256_set1_epi8(off), x);
    return pairs_to_float(_mm256_sub_epi16(p, o));
}

static inline __m256 dot_u(__m256i w, __m256i x) { return pairs_to_float(_mm256_maddubs_epi16(w, x)); }

/* Signed int8 by signed int8 (the sign moved to x). */
static inline __m256 dot_s8(__m256i w, __m256i x) {
    return pairs_to_float(_mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(x, w)));
}

/* Four fp16 values (one per block, stride bs bytes from p) as floats:
 * gathered in a general register, converted with one vcvtph2ps. */
static inline __m128 halves4(const void *p, size_t bs) {
    const uint8_t *b = p;
    uint64_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint16_t h;
        memcpy(&h, b + i * bs, sizeof h);
        v |= (uint64_t)h << (16 * i);
    }
    return _mm_cvtph_ps(_mm_cvtsi64_si128((long long)v));
}

/* ymm with all lanes = s[i] */
static inline __m256 lane(__m128 s, int i) {
    return _mm256_permutevar8x32_ps(_mm256_castps128_ps256(s), _mm256_set1_epi32(i));
}

static inline float hsum(__m256 a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

/* The row loop. Four blocks per step, two accumulators; the scales d_w d_x
 * of the four are converted and multiplied together, then broadcast per
 * block. BLOCK(j) is block j's 8 partial sums; MIN4(j) the min terms
 * m_w s_x of blocks j..j+3 and MIN1(j) that of block j (zero for types
 * without a min). The last nb % 4 blocks go one by one. */
#define ROW(BLOCK, MIN4, MIN1)                                                                               \
    do {                                                                                                     \
        const int64_t nb = k / 32;                                                                           \
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                       \
        __m128 mins = _mm_setzero_ps();                                                                      \
        int64_t j = 0;                                                                                       \
        for (; j + 4 <= nb; j += 4) {                                                                        \
            const __m128 s = _mm_mul_ps(halves4(&w[j].d, sizeof *w), halves4(&x[j].d, sizeof *x));           \
            acc0 = _mm256_fmadd_ps(BLOCK(j), lane(s, 0), acc0);                                              \
            acc1 = _mm256_fmadd_ps(BLOCK(j + 1), lane(s, 1), acc1);                                          \
            acc0 = _mm256_fmadd_ps(BLOCK(j + 2), lane(s, 2), acc0);                                          \
            acc1 = _mm256_fmadd_ps(BLOCK(j + 3), lane(s, 3), acc1);                                          \
            mins = _mm_add_ps(mins, MIN4(j));                                                                \
        }                                                                                                    \
        float tail = 0;                                                                                      \
        for (; j < nb; j++) {                                                                                \
            acc0 = _mm256_fmadd_ps(BLOCK(j), _mm256_set1_ps(h2f(w[j].d) * h2f(x[j].d)), acc0);               \
            tail += MIN1(j);                                                                                 \
        }                                                                                                    \
        mins = _mm_add_ps(mins, _mm_movehl_ps(mins, mins));                                                  \
        *out =                                                                                               \
            hsum(_mm256_add_ps(acc0, acc1)) + _mm_cvtss_f32(_mm_add_ss(mins, _mm_movehdup_ps(mins))) + tail; \
    } while (0)

#define NO_MIN4(j) _mm_setzero_ps()
#define NO_MIN1(j) 0.0f
#define MIN4(j) _mm_mul_ps(halves4(&w[j].m, sizeof *w), halves4(&x[j].s, sizeof *x))
#define MIN1(j) (h2f(w[j].m) * h2f(x[j].s))

static void vec_dot_q4_0(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q4_0 *w = vw;
    const block_q8_0 *x = vx;
#define BLOCK(j) dot_off(nibbles(w[j].qs), load_x(x[j].qs), 8)
    ROW(BLOCK, NO_MIN4, NO_MIN1);
#undef BLOCK
}

static void vec_dot_q4_1(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q4_1 *w = vw;
    const block_q8_1 *x = vx;
#define BLOCK(j) dot_u(nibbles(w[j].qs), load_x(x[j].qs))
    ROW(BLOCK, MIN4, MIN1);
#undef BLOCK
}

static void vec_dot_q5_0(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q5_0 *w = vw;
    const block_q8_0 *x = vx;
#define BLOCK(j) dot_off(_mm256_or_si256(nibbles(w[j].qs), fifth_bits(w[j].qh)), load_x(x[j].qs), 16)
    ROW(BLOCK, NO_MIN4, NO_MIN1);
#undef BLOCK
}

static void vec_dot_q5_1(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q5_1 *w = vw;
    const block_q8_1 *x = vx;
#define BLOCK(j) dot_u(_mm256_or_si256(nibbles(w[j].qs), fifth_bits(w[j].qh)), load_x(x[j].qs))
    ROW(BLOCK, MIN4, MIN1);
#undef BLOCK
}

static void vec_dot_q8_0(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q8_0 *w = vw;
    const block_q8_0 *x = vx;
#define BLOCK(j) dot_s8(load_x(w[j].qs), load_x(x[j].qs))
    ROW(BLOCK, NO_MIN4, NO_MIN1);
#undef BLOCK
}

static void vec_dot_q8_1(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q8_1 *w = vw;
    const block_q8_1 *x = vx;
#define BLOCK(j) dot_s8(load_x(w[j].qs), load_x(x[j].qs))
    ROW(BLOCK, NO_MIN4, NO_MIN1);
#undef BLOCK
}

/* One block, the scalar rule exactly: d = amax / 127, q = x * (1 / d)
 * rounded to nearest even (vcvtps2dq in the default rounding mode, as
 * lrintf), d and s stored with the library's fp16 conversion. Returns
 * sum(q). */
static inline int quantize_block(const float *x, int8_t *q, realm_half *dh) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 v[4], m = _mm256_setzero_ps();
    for (int i = 0; i < 4; i++) {
        v[i] = _mm256_loadu_ps(x + 8 * i);
        m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[i]));
    }
    __m128 t = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    t = _mm_max_ps(t, _mm_movehl_ps(t, t));
    const float amax = _mm_cvtss_f32(_mm_max_ss(t, _mm_movehdup_ps(t)));
    const float d = amax / 127;
    const __m256 id = _mm256_set1_ps(d != 0 ? 1.0f / d : 0.0f);
    __m256i r[4];
    for (int i = 0; i < 4; i++)
        r[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], id));
    /* packs interleave 128-bit lanes; the permute restores element order */
    const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]), _mm256_packs_epi32(r[2], r[3]));
    _mm256_storeu_si256((__m256i *)q,
                        _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    *dh = realm_fp32_to_fp16(d);
    const __m256i s = _mm256_add_epi32(_mm256_add_epi32(r[0], r[1]), _mm256_add_epi32(r[2], r[3]));
    __m128i u = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    u = _mm_add_epi32(u, _mm_unpackhi_epi64(u, u));
    return _mm_cvtsi128_si32(_mm_add_epi32(u, _mm_shuffle_epi32(u, 1)));
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
        y[i].s = realm_fp32_to_fp16(realm_fp16_to_fp32(y[i].d) * (float)sum);
    }
}

void realm_gemv_fill_avx2_q32(realm_gemv_table *t) {
    t->vec_dot[REALM_TYPE_Q4_0] = vec_dot_q4_0;
    t->vec_dot[REALM_TYPE_Q4_1] = vec_dot_q4_1;
    t->vec_dot[REALM_TYPE_Q5_0] = vec_dot_q5_0;
    t->vec_dot[REALM_TYPE_Q5_1] = vec_dot_q5_1;
    t->vec_dot[REALM_TYPE_Q8_0] = vec_dot_q8_0;
    t->vec_dot[REALM_TYPE_Q8_1] = vec_dot_q8_1;
    t->quantize_act[REALM_TYPE_Q8_0] = quantize_act_q8_0;
    t->quantize_act[REALM_TYPE_Q8_1] = quantize_act_q8_1;
}
