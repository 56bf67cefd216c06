/* AVX2 batch-1 dot products of the K formats with Q8_K, and the Q8_K
 * activation quantizer. Same integer sums as ops/gemv/scalar_k.c.
 *
 * One ymm holds 32 consecutive elements (the formats keep 32 consecutive
 * elements in one bit field of 32 bytes, so both operands are plain
 * loads). Per vector: vpmaddubsw (weight levels u8 x Q8_K quants s8 ->
 * int16 pair sums), vpmaddwd by the sub-block scale words (-> int32), add.
 * vpmaddubsw saturates when a pair exceeds 32767: levels are at most 63,
 * so a pair is at most 2 * 63 * 128 = 16128. Constant terms (mins, -4,
 * -32) come from the bsums; floats once per super-block. */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "x86/gemv_k_scales.h"

static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

static inline __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }

/* sum += (levels . x pair sums) * scale words */
static inline __m256i dot32(__m256i sum, __m256i levels, const int8_t *xq, __m256i scales) {
    return _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(levels, load32(xq)), scales));
}

/* Scale words for the vector of 16-element sub-blocks 2m (low lane) and
 * 2m + 1 (high lane), m = 0..3, from sc8 = scale words 8h .. 8h + 7 in
 * both lanes: vpshufb picks word 2m in lane 0 and 2m + 1 in lane 1. */
static inline __m256i pair_scales(__m256i sc8, int m) {
    const char a = (char)(4 * m), b = (char)(4 * m + 2);
    return _mm256_shuffle_epi8(sc8, _mm256_setr_epi8(a, a + 1, a, a + 1, a, a + 1, a, a + 1, a, a + 1, a,
                                                     a + 1, a, a + 1, a, a + 1, b, b + 1, b, b + 1, b, b + 1,
                                                     b, b + 1, b, b + 1, b, b + 1, b, b + 1, b, b + 1));
}

/* Words 8h .. 8h + 7 of the 16 scale words, in both lanes. */
static inline __m256i half_scales(__m256i sc16, int h) {
    return h ? _mm256_permute2x128_si256(sc16, sc16, 0x11) : _mm256_permute2x128_si256(sc16, sc16, 0x00);
}

/* Shift every byte left by n (right for n < 0) within 16-bit words; the
 * caller masks off what crossed from the neighbouring byte. */
static inline __m256i shift_bytes(__m256i v, int n) {
    return n >= 0 ? _mm256_slli_epi16(v, n) : _mm256_srli_epi16(v, -n);
}

/* q2_K: element 128h + 32j + l is bits 2j of qs[32h + l]; sub-blocks of 16
 * with a 4-bit scale (low nibble) and min (high nibble) per byte. */
static void vec_dot_q2_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q2_K *w = vw;
    const block_q8_K *x = vx;
    const __m256i m3 = _mm256_set1_epi8(3);
    const __m128i m4 = _mm_set1_epi8(0xF);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        const __m128i sm = k_in_reg128(_mm_loadu_si128((const __m128i *)w[i].scales));
        const __m256i sc16 = _mm256_cvtepu8_epi16(_mm_and_si128(sm, m4));
        const __m256i mn16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sm, 4), m4));
        __m256i isum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i q = k_in_reg256(load32(w[i].qs + 32 * h)), sc8 = half_scales(sc16, h);
            for (int j = 0; j < 4; j++) {
                const __m256i lv = _mm256_and_si256(_mm256_srli_epi16(q, 2 * j), m3);
                isum = dot32(isum, lv, x[i].qs + 128 * h + 32 * j, pair_scales(sc8, j));
            }
        }
        const __m256i msum = _mm256_madd_epi16(mn16, load32(x[i].bsums));
        const float d = _cvtsh_ss(w[i].d) * x[i].d, dmin = _cvtsh_ss(w[i].dmin) * x[i].d;
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(d), acc);
        accm = _mm256_fmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(dmin), accm);
    }
    *out = hsum8(acc) - hsum8(accm);
}

/* q3_K: element 128h + 32j + l has level bits 2j of qs[32h + l] plus 4 when
 * bit 4h + j of hmask[l] is set; value = level - 4, folded through the
 * bsums as -4 * sum_s scale_s * bsum_s. */
static void vec_dot_q3_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q3_K *w = vw;
    const block_q8_K *x = vx;
    const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(4);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        /* the block's last 16 bytes: qs[62..63], the scales, d */
        const __m128i tail = k_in_reg128(_mm_loadu_si128((const __m128i *)(w[i].qs + 62)));
        const __m256i sc16 = _mm256_cvtepi8_epi16(k_q3_scales(tail));
        const __m256i hm = k_in_reg256(load32(w[i].hmask));
        __m256i isum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i q = k_in_reg256(load32(w[i].qs + 32 * h)), sc8 = half_scales(sc16, h);
            for (int j = 0; j < 4; j++) {
                const __m256i lo = _mm256_and_si256(_mm256_srli_epi16(q, 2 * j), m3);
                const __m256i hi = _mm256_and_si256(shift_bytes(hm, 2 - (4 * h + j)), m4); /* bit to bit 2 */
                isum = dot32(isum, _mm256_or_si256(lo, hi), x[i].qs + 128 * h + 32 * j, pair_scales(sc8, j));
            }
        }
        const __m256i osum = _mm256_madd_epi16(sc16, load32(x[i].bsums));
        isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(osum, 2));
        const __m128 d = _mm_mul_ps(_mm_cvtph_ps(_mm_srli_si128(tail, 14)), _mm_set1_ps(x[i].d));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_broadcastss_ps(d), acc);
    }
    *out = hsum8(acc);
}

/* q4_K and q5_K (qh NULL for q4_K). Byte 32p + l holds element 64p + l
 * (low nibble) and 64p + 32 + l (high); the fifth bit is bit 2p / 2p + 1
 * of qh[l]. Each 32-element sub-block is one vector, so its scale is a
 * broadcast word; each min is doubled to line up with the bsums. */
static inline __attribute__((always_inline)) void dot_q45_K(__m128i head, const uint8_t *qs,
                                                            const uint8_t *qh, const block_q8_K *x,
                                                            __m256 *acc, __m256 *accm) {
    const __m256i m4 = _mm256_set1_epi8(0xF), m16 = _mm256_set1_epi8(16);
    const __m128i sm = k_q45_scales(head);
    /* scale words 0..7 in both lanes; vpshufb with (2j, 2j + 1) broadcasts word j */
    const __m256i sc8 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(sm));
    const __m256i mins = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(sm, sm));
    const __m256i hb = qh ? k_in_reg256(load32(qh)) : _mm256_setzero_si256();
    __m256i isum = _mm256_setzero_si256();
    for (int p = 0; p < 4; p++) {
        const __m256i q = k_in_reg256(load32(qs + 32 * p));
        __m256i lo = _mm256_and_si256(q, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
        if (qh) {
            lo = _mm256_or_si256(lo, _mm256_and_si256(shift_bytes(hb, 4 - 2 * p), m16));
            hi = _mm256_or_si256(hi, _mm256_and_si256(shift_bytes(hb, 3 - 2 * p), m16));
        }
        const __m256i s0 = _mm256_shuffle_epi8(sc8, _mm256_set1_epi16((short)(0x0100 * (4 * p + 1) + 4 * p)));
        const __m256i s1 =
            _mm256_shuffle_epi8(sc8, _mm256_set1_epi16((short)(0x0100 * (4 * p + 3) + 4 * p + 2)));
        isum = dot32(isum, lo, x->qs + 64 * p, s0);
        isum = dot32(isum, hi, x->qs + 64 * p + 32, s1);
    }
    const __m256i msum = _mm256_madd_epi16(mins, load32(x->bsums));
    const __m128 s = _mm_mul_ps(_mm_cvtph_ps(head), _mm_set1_ps(x->d)); /* d, dmin */
    *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_broadcastss_ps(s), *acc);
    *accm = _mm256_fmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_broadcastss_ps(_mm_movehdup_ps(s)), *accm);
}

static void vec_dot_q4_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q4_K *w = vw;
    const block_q8_K *x = vx;
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++)
        dot_q45_K(k_in_reg128(_mm_loadu_si128((const __m128i *)&w[i])), w[i].qs, NULL, &x[i], &acc, &accm);
    *out = hsum8(acc) - hsum8(accm);
}

static void vec_dot_q5_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q5_K *w = vw;
    const block_q8_K *x = vx;
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++)
        dot_q45_K(k_in_reg128(_mm_loadu_si128((const __m128i *)&w[i])), w[i].qs, w[i].qh, &x[i], &acc, &accm);
    *out = hsum8(acc) - hsum8(accm);
}

/* q6_K: element 128h + 32j + l is nibble j/2 of ql[64h + 32(j%2) + l] with
 * bits 2j of qh[32h + l] on top; value = level - 32, folded through the
 * bsums as -32 * sum_s scale_s * bsum_s. */
static void vec_dot_q6_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q6_K *w = vw;
    const block_q8_K *x = vx;
    const __m256i m4 = _mm256_set1_epi8(0xF), m30 = _mm256_set1_epi8(0x30);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w[i].scales));
        __m256i isum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i qh = k_in_reg256(load32(w[i].qh + 32 * h)), sc8 = half_scales(sc16, h);
            const __m256i ql[2] = {k_in_reg256(load32(w[i].ql + 64 * h)),
                                   k_in_reg256(load32(w[i].ql + 64 * h + 32))};
            for (int j = 0; j < 4; j++) {
                const __m256i lo = _mm256_and_si256(j < 2 ? ql[j] : _mm256_srli_epi16(ql[j - 2], 4), m4);
                const __m256i hi = _mm256_and_si256(shift_bytes(qh, 4 - 2 * j), m30);
                isum = dot32(isum, _mm256_or_si256(lo, hi), x[i].qs + 128 * h + 32 * j, pair_scales(sc8, j));
            }
        }
        const __m256i osum = _mm256_madd_epi16(sc16, load32(x[i].bsums));
        isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(osum, 5));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(_cvtsh_ss(w[i].d) * x[i].d), acc);
    }
    *out = hsum8(acc);
}

/* q8_K weights: vpmaddubsw needs one unsigned operand, so |w| times x with
 * w's sign moved onto x. A pair is at most 2 * 128 * 127 = 32512: the
 * quantizers keep Q8_K quants in [-127, 127]. */
static void vec_dot_q8_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q8_K *w = vw;
    const block_q8_K *x = vx;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        __m256i isum = _mm256_setzero_si256();
        for (int m = 0; m < 8; m++) {
            const __m256i wq = k_in_reg256(load32(w[i].qs + 32 * m)), xq = load32(x[i].qs + 32 * m);
            const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(wq, wq), _mm256_sign_epi8(xq, wq));
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, ones));
        }
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(w[i].d * x[i].d), acc);
    }
    *out = hsum8(acc);
}

/* The rule of quantize_q8_K in ops/gemv/scalar_k.c, byte for byte:
 * vcvtps2dq rounds to nearest even like its round_even, vmaxps(|x|, m)
 * keeps m when |x| is NaN like its strict compare, and the first element
 * reaching the largest magnitude gives the sign. */
static void quantize_q8_K(const float *x, void *vy, int64_t k) {
    block_q8_K *y = vy;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
        __m256 am = _mm256_setzero_ps();
        for (int v = 0; v < 32; v++)
            am = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + 8 * v)), am);
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(am), _mm256_extractf128_ps(am, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        const float amax = _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
        memset(&y[i], 0, sizeof y[i]);
        if (amax == 0) continue;
        float max = 0;
        for (int v = 0; v < 32; v++) {
            const __m256 a = _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 8 * v));
            const int hit = _mm256_movemask_ps(_mm256_cmp_ps(a, _mm256_set1_ps(amax), _CMP_EQ_OQ));
            if (hit) {
                max = x[8 * v + __builtin_ctz((unsigned)hit)];
                break;
            }
        }
        const float iscale = -127.0f / max;
        if (isinf(iscale)) continue; /* too small for any 8-bit grid */
        const __m256 is = _mm256_set1_ps(iscale);
        const __m256i lo = _mm256_set1_epi32(-127), hi = _mm256_set1_epi32(127);
        for (int g = 0; g < QK_K / 32; g++) {
            __m256i q[4];
            for (int v = 0; v < 4; v++) {
                q[v] = _mm256_cvtps_epi32(_mm256_mul_ps(is, _mm256_loadu_ps(x + 32 * g + 8 * v)));
                q[v] = _mm256_min_epi32(_mm256_max_epi32(q[v], lo), hi);
            }
            for (int s = 0; s < 2; s++) {
                const __m256i t = _mm256_add_epi32(q[2 * s], q[2 * s + 1]);
                __m128i u = _mm_add_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
                u = _mm_add_epi32(u, _mm_unpackhi_epi64(u, u));
                y[i].bsums[2 * g + s] = (int16_t)(_mm_cvtsi128_si32(u) + _mm_extract_epi32(u, 1));
            }
            /* the packs interleave 128-bit lanes; vpermd restores element order */
            const __m256i b =
                _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
            _mm256_storeu_si256((__m256i *)(y[i].qs + 32 * g),
                                _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
        }
        y[i].d = 1 / iscale;
    }
}

void realm_gemv_fill_avx2_k(realm_gemv_table *t) {
    t->vec_dot[REALM_TYPE_Q2_K] = vec_dot_q2_K;
    t->vec_dot[REALM_TYPE_Q3_K] = vec_dot_q3_K;
    t->vec_dot[REALM_TYPE_Q4_K] = vec_dot_q4_K;
    t->vec_dot[REALM_TYPE_Q5_K] = vec_dot_q5_K;
    t->vec_dot[REALM_TYPE_Q6_K] = vec_dot_q6_K;
    t->vec_dot[REALM_TYPE_Q8_K] = vec_dot_q8_K;
    t->quantize_act[REALM_TYPE_Q8_K] = quantize_q8_K;
}
