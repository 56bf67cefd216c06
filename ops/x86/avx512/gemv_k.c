/* AVX-512 VNNI batch-1 dot products of the K formats with Q8_K, and the
 * Q8_K activation quantizer. Same integer sums as ops/gemv/scalar_k.c.
 *
 * Decode is memory-bound, so the budget is a few vector ops per 64
 * weights. What bounds these loops on Zen (measured): misaligned loads
 * (GGUF blocks are 84..292 bytes, so nearly all are) cost about a cycle
 * each, and shuffles issue on two ports. So:
 *  - vector v holds elements 64v .. 64v + 63 of a super-block, and the
 *    Q8_K quants are four plain loads. The formats keep 32 consecutive
 *    elements in one bit field of 32 bytes: the weight bytes are loaded
 *    64 at a time and each 256-bit half duplicated (vshufi64x2), then
 *    shifted by a per-half amount (vpsrlvq);
 *  - weight levels are the unsigned operand (u8), Q8_K quants the signed;
 *  - sub-block scales are applied in int32: vpmaddubsw pair sums times the
 *    scale words (vpdpwssd), or, for q2_K, a lookup of scale * level that
 *    feeds vpdpbusd directly. Constant terms (mins, -4, -32) come from the
 *    bsums. One float conversion per super-block, no horizontal adds in
 *    the loop;
 *  - vpmaddubsw cannot saturate: levels are <= 63, a pair is at most
 *    2 * 63 * 128 < 32767;
 *  - the activations are not GGUF Q8_K blocks (292 bytes, so their quants
 *    straddle cache lines) but a split row: all quants (64-byte aligned),
 *    then all bsums, then all scales. Measured on q8_K in L1: 3.05 ns per
 *    super-block with Q8_K blocks, 2.37 with the split row. */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "x86/avx512/q8k_split.h"
#include "x86/gemv_k_scales.h"

static inline xblk xat(xrow r, int64_t i) { return (xblk){r.qs + QK_K * i, r.bsums + 16 * i, r.d[i]}; }

/* d and the fp16 after it (dmin) as floats, times the activation scale. */
static inline __m128 two_scales(const realm_half *d, float dx) {
    uint32_t v;
    memcpy(&v, d, 4);
    return _mm_mul_ps(_mm_cvtph_ps(_mm_cvtsi32_si128((int)v)), _mm_set1_ps(dx));
}

/* The 32 bytes at p in both 256-bit halves. */
static inline __m512i bcast32(const void *p) { return _mm512_broadcast_i64x4(_mm256_loadu_si256(p)); }

/* The rows are only a few KB and these loops are dense enough that the
 * out-of-order window covers little DRAM latency on its own: fetch the
 * weights 4 KB ahead (into the rows the caller reads next). Measured on
 * Zen, 1 thread: 0-20% more bandwidth for q2_K..q6_K; q8_K, light enough
 * to keep its loads in flight, did not gain and goes without. */
static inline void prefetch_ahead(const void *blk, int bytes) {
    for (int j = 0; j < bytes; j += 64)
        _mm_prefetch((const char *)blk + 4096 + j, _MM_HINT_T0);
}

/* v, kept in a register: GCC folds a load into every instruction that
 * uses it, reading the same bytes again, and loads bound these kernels. */
static inline __m512i in_reg(__m512i v) {
    __asm__("" : "+v"(v));
    return v;
}

/* The low (h = 0) or high 256 bits of v in both halves: one 64-byte load
 * and this shuffle beat two 32-byte broadcast loads. */
static inline __m512i halves_of(__m512i v, int h) {
    return h ? _mm512_shuffle_i64x2(v, v, 0xEE) : _mm512_shuffle_i64x2(v, v, 0x44);
}

/* a in each 64-bit lane of the low half, b in the high half. */
static inline __m512i halves64(long long a, long long b) { return _mm512_set_epi64(b, b, b, b, a, a, a, a); }

/* a in each byte of the low half, b in the high half. */
static inline __m512i halves8(char a, char b) {
    return _mm512_inserti64x4(_mm512_set1_epi8(a), _mm256_set1_epi8(b), 1);
}

/* vpermw indices: word i of vector v takes the scale of 16-element
 * sub-block 4v + i/8 (its pair sums cover elements 64v + 2i, 2i + 1). */
static const int16_t sub16_idx[4][32] = {
    {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3},
    {4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7},
    {8,  8,  8,  8,  8,  8,  8,  8,  9,  9,  9,  9,  9,  9,  9,  9,
     10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11},
    {12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13,
     14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15},
};

/* The scale words of vector v from the 16 per-16 scales in words 0..15. */
static inline __m512i scales_of(__m512i sc16, int v) {
    return _mm512_permutexvar_epi16(_mm512_loadu_si512(sub16_idx[v]), sc16);
}

/* isum += scale-weighted dot of one vector of levels with 64 quants. */
static inline __m512i dot64(__m512i isum, __m512i levels, const int8_t *xq, __m512i scales) {
    return _mm512_dpwssd_epi32(isum, _mm512_maddubs_epi16(levels, _mm512_loadu_si512(xq)), scales);
}

static inline float finish(__m512 acc, __m256 accm) {
    return _mm512_reduce_add_ps(acc) - _mm512_reduce_add_ps(_mm512_zextps256_ps512(accm));
}

/* q2_K. Element 128h + 32j + l is bits 2j of qs[32h + l]. Levels (0..3)
 * times 4-bit scales fit a byte (<= 45), so one vpshufb per vector maps a
 * level straight to scale * level and vpdpbusd needs no scale words. A
 * 16-byte lane of vector v is one sub-block (4v + lane); the table lane
 * holds the products of the four sub-blocks it meets: lanes 0, 1 see the
 * level in bits 0-1 and use byte 4v + q, lanes 2, 3 see it in bits 2-3
 * (4q) and use byte 4q + v. */
static const uint8_t q2_tab_idx[64] = {
    0, 0, 0,  0,  4, 4, 4,  4,  8,  8,  8,  8,  12, 12, 12, 12, 1,  1,  1,  1,  5,  5,
    5, 5, 9,  9,  9, 9, 13, 13, 13, 13, 2,  6,  10, 14, 2,  6,  10, 14, 2,  6,  10, 14,
    2, 6, 10, 14, 3, 7, 11, 15, 3,  7,  11, 15, 3,  7,  11, 15, 3,  7,  11, 15,
};
#define Q2_LEVEL_ODD 0xf0f0f0f0aaaaaaaaull /* table bytes whose level is 1 or 3 */
#define Q2_LEVEL_GE2 0xff00ff00ccccccccull /* ... whose level is 2 or 3 */

static void vec_dot_q2_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q2_K *w = vw;
    const xrow xr = xrow_of(vx, k);
    const __m512i tab_idx = _mm512_loadu_si512(q2_tab_idx), m4 = _mm512_set1_epi8(0x0F);
    const __m512i field = halves8(0x03, 0x0C);
    __m512i off[4]; /* table offset of vector v: 4v in lanes 0, 1, v in 2, 3 */
    for (int v = 0; v < 4; v++)
        off[v] = halves8((char)(4 * v), (char)v);
    __m512 acc = _mm512_setzero_ps();
    __m256 accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        prefetch_ahead(&w[i], sizeof w[i]);
        const __m128i sm = k_in_reg128(_mm_loadu_si128((const __m128i *)w[i].scales));
        const __m512i q = in_reg(_mm512_loadu_si512(w[i].qs));
        /* table = sc * level: sc where level is odd, plus 2 sc where >= 2 */
        const __m512i r = _mm512_shuffle_epi8(
            _mm512_broadcast_i32x4(_mm_and_si128(sm, _mm512_castsi512_si128(m4))), tab_idx);
        __m512i tab = _mm512_maskz_mov_epi8(Q2_LEVEL_ODD, r);
        tab = _mm512_mask_add_epi8(tab, Q2_LEVEL_GE2, tab, _mm512_add_epi8(r, r));
        __m512i isum = _mm512_setzero_si512();
        for (int h = 0; h < 2; h++) {
            /* vector 2h: j = 0 (low half) and 1 (high); 2h + 1: j = 2, 3 */
            const __m512i b = halves_of(q, h), b4 = _mm512_srli_epi16(b, 4);
            const __m512i i0 = _mm512_ternarylogic_epi32(b, field, off[2 * h], 0xEA); /* (b & field) | off */
            const __m512i i1 = _mm512_ternarylogic_epi32(b4, field, off[2 * h + 1], 0xEA);
            const int8_t *xq = xr.qs + QK_K * i + 128 * h;
            isum = _mm512_dpbusd_epi32(isum, _mm512_shuffle_epi8(tab, i0), _mm512_loadu_si512(xq));
            isum = _mm512_dpbusd_epi32(isum, _mm512_shuffle_epi8(tab, i1), _mm512_loadu_si512(xq + 64));
        }
        /* the scale bytes as words are sc + 16 * min */
        const __m256i msum = _mm256_madd_epi16(_mm256_srli_epi16(_mm256_cvtepu8_epi16(sm), 4),
                                               _mm256_loadu_si256((const __m256i *)(xr.bsums + 16 * i)));
        const __m128 s = two_scales(&w[i].d, xr.d[i]);
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_broadcastss_ps(s), acc);
        accm = _mm256_fmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_broadcastss_ps(_mm_movehdup_ps(s)), accm);
    }
    *out = finish(acc, accm);
}

/* q3_K. Element 128h + 32j + l: level bits 2j of qs[32h + l], plus 4 when
 * bit 4h + j of hmask[l] is set; value = level - 4, folded as
 * -4 * sum_s scale_s * bsum_s. Three loads: hmask with qs[0..31], qs[32..63],
 * and the 16 bytes ending the block (qs[62..63], scales, d). */
static void vec_dot_q3_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q3_K *w = vw;
    const xrow xr = xrow_of(vx, k);
    const __m512i m3 = _mm512_set1_epi8(3), four = _mm512_set1_epi8(4);
    const __m512i shift[2] = {halves64(0, 2), halves64(4, 6)};
    __m512i hbit[4]; /* hmask bit of vector v: 2v (low half), 2v + 1 (high) */
    for (int v = 0; v < 4; v++)
        hbit[v] = halves8((char)(1 << (2 * v)), (char)(1 << (2 * v + 1)));
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        prefetch_ahead(&w[i], sizeof w[i]);
        const __m512i head = in_reg(_mm512_loadu_si512(w[i].hmask));
        const __m128i tail = k_in_reg128(_mm_loadu_si128((const __m128i *)(w[i].qs + 62)));
        const __m512i hm = halves_of(head, 0), qs[2] = {halves_of(head, 1), bcast32(w[i].qs + 32)};
        const __m256i sc16 = _mm256_cvtepi8_epi16(k_q3_scales(tail));
        const __m512i scw = _mm512_zextsi256_si512(sc16);
        __m512i isum = _mm512_setzero_si512();
        for (int v = 0; v < 4; v++) {
            __m512i q = _mm512_and_si512(_mm512_srlv_epi64(qs[v / 2], shift[v % 2]), m3);
            q = _mm512_mask_add_epi8(q, _mm512_test_epi8_mask(hm, hbit[v]), q, four);
            isum = dot64(isum, q, xr.qs + QK_K * i + 64 * v, scales_of(scw, v));
        }
        const __m256i osum =
            _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)(xr.bsums + 16 * i)));
        isum = _mm512_sub_epi32(isum, _mm512_zextsi256_si512(_mm256_slli_epi32(osum, 2)));
        const __m128 d = _mm_mul_ps(_mm_cvtph_ps(_mm_srli_si128(tail, 14)), _mm_set1_ps(xr.d[i]));
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_broadcastss_ps(d), acc);
    }
    *out = _mm512_reduce_add_ps(acc);
}

/* vpermw indices for q4_K / q5_K: vector p (elements 64p .. 64p + 63) is
 * sub-blocks 2p (words 0..15) and 2p + 1 (16..31), the scales being words
 * 0..7; the mins (words 8..15) each twice, to meet bsums 2j and 2j + 1. */
static const int16_t sub32_idx[4][32] = {
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3},
    {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5},
    {6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7},
};
static const int16_t mins_idx[16] = {8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15};

/* q4_K and q5_K: head = the block's first 16 bytes (d, dmin, the packed
 * scales); qs = the 128 nibble bytes; qh = q5_K's 32 bytes of fifth bits in
 * both halves, NULL for q4_K.
 * Byte 32p + l holds element 64p + l (low nibble) and 64p + 32 + l (high):
 * one 64-byte load gives the low and high nibbles of p = 2c, 2c + 1, and
 * vshufi64x2 pairs them into vectors 2c and 2c + 1. The fifth bit of q5_K
 * is bit 2p (low half) / 2p + 1 (high half) of qh[l]. */
static inline __attribute__((always_inline)) void
dot_q45_K(__m128i head, const uint8_t *qs, const __m512i *qh, xblk x, __m512 *acc, __m256 *accm) {
    const __m512i m4 = _mm512_set1_epi8(0x0F), m16 = _mm512_set1_epi8(16);
    const __m256i w16 = _mm256_cvtepu8_epi16(k_q45_scales(head));
    const __m512i scw = _mm512_zextsi256_si512(w16);
    const __m256i mins = _mm256_permutexvar_epi16(_mm256_loadu_si256((const __m256i *)mins_idx), w16);
    __m512i isum = _mm512_setzero_si512();
    for (int c = 0; c < 2; c++) {
        const __m512i q = in_reg(_mm512_loadu_si512(qs + 64 * c));
        const __m512i lo = _mm512_and_si512(q, m4), hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m4);
        for (int u = 0; u < 2; u++) {
            const int p = 2 * c + u;
            __m512i lv = u ? _mm512_shuffle_i64x2(lo, hi, 0xEE) : _mm512_shuffle_i64x2(lo, hi, 0x44);
            if (qh) { /* bit 2p / 2p + 1 to bit 4 */
                const __m512i h = p < 2 ? _mm512_sllv_epi64(*qh, halves64(4 - 2 * p, 3 - 2 * p))
                                        : _mm512_srlv_epi64(*qh, halves64(2 * p - 4, 2 * p - 3));
                lv = _mm512_ternarylogic_epi32(h, m16, lv, 0xEA); /* (h & 16) | lv */
            }
            isum = _mm512_dpwssd_epi32(isum, _mm512_maddubs_epi16(lv, _mm512_loadu_si512(x.qs + 64 * p)),
                                       _mm512_permutexvar_epi16(_mm512_loadu_si512(sub32_idx[p]), scw));
        }
    }
    const __m256i msum = _mm256_madd_epi16(mins, _mm256_loadu_si256((const __m256i *)x.bsums));
    const __m128 s = _mm_mul_ps(_mm_cvtph_ps(head), _mm_set1_ps(x.d)); /* d, dmin */
    *acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_broadcastss_ps(s), *acc);
    *accm = _mm256_fmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_broadcastss_ps(_mm_movehdup_ps(s)), *accm);
}

static void vec_dot_q4_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q4_K *w = vw;
    const xrow xr = xrow_of(vx, k);
    __m512 acc = _mm512_setzero_ps();
    __m256 accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        prefetch_ahead(&w[i], sizeof w[i]);
        dot_q45_K(k_in_reg128(_mm_loadu_si128((const __m128i *)&w[i])), w[i].qs, NULL, xat(xr, i), &acc,
                  &accm);
    }
    *out = finish(acc, accm);
}

static void vec_dot_q5_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q5_K *w = vw;
    const xrow xr = xrow_of(vx, k);
    __m512 acc = _mm512_setzero_ps();
    __m256 accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        prefetch_ahead(&w[i], sizeof w[i]);
        const __m512i head = in_reg(_mm512_loadu_si512(&w[i]));    /* d, dmin, scales, qh, qs[0..15] */
        const __m512i qh = _mm512_shuffle_i64x2(head, head, 0x99); /* lanes 1, 2 twice */
        dot_q45_K(_mm512_castsi512_si128(head), w[i].qs, &qh, xat(xr, i), &acc, &accm);
    }
    *out = finish(acc, accm);
}

/* q6_K. Vector 2h + u (u = 0, 1) is nibble u of ql[64h .. 64h + 63] with
 * the top 2 bits from qh[32h + l]: bits 4u (low half) and 4u + 2 (high
 * half), moved to bits 4-5. value = level - 32, folded as
 * -32 * sum_s scale_s * bsum_s. */
static void vec_dot_q6_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q6_K *w = vw;
    const xrow xr = xrow_of(vx, k);
    const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
    const __m512i up_lo = halves64(4, 2), up_hi = halves64(0, 2);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        prefetch_ahead(&w[i], sizeof w[i]);
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w[i].scales));
        const __m512i scw = _mm512_zextsi256_si512(sc16), qh64 = in_reg(_mm512_loadu_si512(w[i].qh));
        __m512i isum = _mm512_setzero_si512();
        for (int h = 0; h < 2; h++) {
            const __m512i ql = in_reg(_mm512_loadu_si512(w[i].ql + 64 * h)), qh = halves_of(qh64, h);
            /* (hi & 0x30) | (nibble & 0x0F) */
            const __m512i q0 =
                _mm512_ternarylogic_epi32(_mm512_sllv_epi64(qh, up_lo), m30, _mm512_and_si512(ql, m4), 0xEA);
            const __m512i q1 = _mm512_ternarylogic_epi32(
                _mm512_srlv_epi64(qh, up_hi), m30, _mm512_and_si512(_mm512_srli_epi16(ql, 4), m4), 0xEA);
            isum = dot64(isum, q0, xr.qs + QK_K * i + 128 * h, scales_of(scw, 2 * h));
            isum = dot64(isum, q1, xr.qs + QK_K * i + 128 * h + 64, scales_of(scw, 2 * h + 1));
        }
        const __m256i osum =
            _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)(xr.bsums + 16 * i)));
        isum = _mm512_sub_epi32(isum, _mm512_zextsi256_si512(_mm256_slli_epi32(osum, 5)));
        const float d = _cvtsh_ss(w[i].d) * xr.d[i];
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(d), acc);
    }
    *out = _mm512_reduce_add_ps(acc);
}

/* q8_K weights are signed: w + 128 (xor 0x80) is the u8 operand, and
 * sum (w + 128) x - 128 sum x = sum w x, with sum x from the bsums. */
static void vec_dot_q8_K(int64_t k, const void *vw, const void *vx, float *out) {
    const block_q8_K *w = vw;
    const xrow xr = xrow_of(vx, k);
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    const __m256i m128 = _mm256_set1_epi16(-128);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++) {
        __m512i isum = _mm512_zextsi256_si512(
            _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(xr.bsums + 16 * i)), m128));
        for (int v = 0; v < 4; v++) {
            const __m512i wq = _mm512_xor_si512(_mm512_loadu_si512(w[i].qs + 64 * v), flip);
            isum = _mm512_dpbusd_epi32(isum, wq, _mm512_loadu_si512(xr.qs + QK_K * i + 64 * v));
        }
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(w[i].d * xr.d[i]), acc);
    }
    *out = _mm512_reduce_add_ps(acc);
}

/* The rule of quantize_q8_K in ops/gemv/scalar_k.c, byte for byte:
 * vcvtps2dq rounds to nearest even like its round_even, vmaxps skips NaN
 * like its strict compare, and the first element reaching the largest
 * magnitude gives the sign. */
static void quantize_q8_K(const float *x, void *vy, int64_t k) {
    const size_t nb = (size_t)(k / QK_K);
    uint8_t *row = vy;
    int8_t *qs = (int8_t *)row;
    int16_t *bsums = (int16_t *)(void *)(row + nb * QK_K);
    float *dd = (float *)(void *)(row + nb * (QK_K + 16 * sizeof(int16_t)));
    memset(row + nb * (QK_K + 16 * sizeof(int16_t) + sizeof(float)), 0,
           act_bytes_q8_K(k) - nb * (QK_K + 16 * sizeof(int16_t) + sizeof(float)));
    for (size_t i = 0; i < nb; i++, x += QK_K) {
        int8_t *yq = qs + QK_K * i;
        int16_t *ys = bsums + 16 * i;
        __m512 am = _mm512_setzero_ps();
        for (int v = 0; v < 16; v++)
            am = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(x + 16 * v)), am);
        const float amax = _mm512_reduce_max_ps(am);
        memset(yq, 0, QK_K);
        memset(ys, 0, 16 * sizeof *ys);
        dd[i] = 0;
        if (amax == 0) continue;
        float max = 0;
        for (int v = 0; v < 16; v++) {
            const __m512 xv = _mm512_loadu_ps(x + 16 * v);
            const __mmask16 hit = _mm512_cmp_ps_mask(_mm512_abs_ps(xv), _mm512_set1_ps(amax), _CMP_EQ_OQ);
            if (hit) {
                max = x[16 * v + __builtin_ctz(hit)];
                break;
            }
        }
        const float iscale = -127.0f / max;
        if (isinf(iscale)) continue; /* too small for any 8-bit grid */
        const __m512 is = _mm512_set1_ps(iscale);
        const __m512i lo = _mm512_set1_epi32(-127), hi = _mm512_set1_epi32(127);
        for (int v = 0; v < 16; v++) {
            __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(is, _mm512_loadu_ps(x + 16 * v)));
            q = _mm512_min_epi32(_mm512_max_epi32(q, lo), hi);
            _mm_storeu_si128((__m128i *)(yq + 16 * v), _mm512_cvtepi32_epi8(q));
            ys[v] = (int16_t)_mm512_reduce_add_epi32(q);
        }
        dd[i] = 1 / iscale;
    }
}

/* GGUF Q8_K blocks to the split row. */
static void act_from_blocks_q8_K(const void *vb, void *vy, int64_t k) {
    const block_q8_K *b = vb;
    const size_t nb = (size_t)(k / QK_K);
    uint8_t *row = vy;
    memset(row, 0, act_bytes_q8_K(k));
    for (size_t i = 0; i < nb; i++) {
        memcpy(row + QK_K * i, b[i].qs, QK_K);
        memcpy(row + nb * QK_K + 32 * i, b[i].bsums, 32);
        memcpy(row + nb * (QK_K + 32) + 4 * i, &b[i].d, 4);
    }
}

void realm_gemv_fill_avx512_k(realm_gemv_table *t) {
    t->vec_dot[REALM_TYPE_Q2_K] = vec_dot_q2_K;
    t->vec_dot[REALM_TYPE_Q3_K] = vec_dot_q3_K;
    t->vec_dot[REALM_TYPE_Q4_K] = vec_dot_q4_K;
    t->vec_dot[REALM_TYPE_Q5_K] = vec_dot_q5_K;
    t->vec_dot[REALM_TYPE_Q6_K] = vec_dot_q6_K;
    t->vec_dot[REALM_TYPE_Q8_K] = vec_dot_q8_K;
    t->quantize_act[REALM_TYPE_Q8_K] = quantize_q8_K;
    t->act_bytes[REALM_TYPE_Q8_K] = act_bytes_q8_K;
    t->act_from_blocks[REALM_TYPE_Q8_K] = act_from_blocks_q8_K;
}
