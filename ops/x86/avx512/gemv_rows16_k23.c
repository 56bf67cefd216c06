/* AVX-512 VNNI batch-1 kernels for ROWS16 q2_K / q3_K weights
 * (repack/rows16_layout_k23.h) against the split Q8_K row
 * (x86/avx512/q8k_split.h). Same bits as ops/gemv/scalar_rows16_k23.c.
 *
 * Lane r of every vector is row r: each 64-byte weight vector yields u8
 * levels of 4 consecutive elements per row (shift and mask, no shuffles)
 * for vpdpbusd against a 4-byte activation broadcast. Integer limits:
 * vpdpbusd adds its four u8 x s8 products into 32 bits with no 16-bit
 * intermediate (and no saturation), so it only needs levels <= 255. The
 * sub-block sums t (|t| <= 6144 for q2_K, 14336 for q3_K, q8_K quants in
 * [-128, 127]) fit a signed word, so the two sub-blocks 2p, 2p + 1 are
 * packed as the words of one lane and one vpdpwssd (word x word, pairs
 * added in 32 bits) applies both scales; scales, mins and bsums are words
 * too. Everything is summed exactly in int32 per super-block, then
 * converted and fma'd in the portable kernel's order. */
#include <immintrin.h>

#include "gemv/gemv.h"
#include "realm/cpu.h"

/* q2_K levels by shift and mask (x86/avx512/rows16_q2k.h) */
#define Q2_LEVEL(v, t) _mm512_and_si512(_mm512_srli_epi16((v), 2 * (t)), _mm512_set1_epi8(3))
#define Q2_DOT16_NAME realm_rows16_dot16_q2_K
#include "x86/avx512/rows16_q2k.h"

/* Levels of groups 6 / 7 (rows16_layout_k23.h): bits 6-7 of v under the
 * bit of v2 brought to bit 5, then down to bits 0-2. */
static inline __m512i split_level(__m512i v, __m512i v2s, __m512i mC0, __m512i m7) {
    return _mm512_and_si512(_mm512_srli_epi16(_mm512_ternarylogic_epi32(v, v2s, mC0, TERN_C_SELECT_A_B), 5),
                            m7);
}

/* q3_K sub-blocks 2p, 2p + 1: sums packed as words (returned), signed
 * scales as words in *sc, their bsums term added to *off. hr: hi rotated
 * so that bits 2p, 16 + 2p sit at 4, 20. */
static inline __attribute__((always_inline)) __m512i q3_pair(const rows16_q3_K *g, int p, __m512i hr,
                                                             const int8_t *xq, const int16_t *bs, __m512i *sc,
                                                             __m512i *off) {
    const __m512i m7 = _mm512_set1_epi8(7), mC0 = _mm512_set1_epi8((char)0xC0);
    const __m512i v0 = _mm512_loadu_si512(g->q[p][0]), v1 = _mm512_loadu_si512(g->q[p][1]);
    const __m512i v2 = _mm512_loadu_si512(g->q[p][2]);
    const int8_t *x = xq + 32 * p;
    __m512i te = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_and_si512(v0, m7), bcast4(x));
    te = _mm512_dpbusd_epi32(te, _mm512_and_si512(_mm512_srli_epi16(v0, 3), m7), bcast4(x + 4));
    te = _mm512_dpbusd_epi32(te, _mm512_and_si512(v1, m7), bcast4(x + 8));
    te = _mm512_dpbusd_epi32(te, _mm512_and_si512(_mm512_srli_epi16(v1, 3), m7), bcast4(x + 12));
    __m512i to = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_and_si512(v2, m7), bcast4(x + 16));
    to = _mm512_dpbusd_epi32(to, _mm512_and_si512(_mm512_srli_epi16(v2, 3), m7), bcast4(x + 20));
    to = _mm512_dpbusd_epi32(to, split_level(v0, _mm512_srli_epi16(v2, 1), mC0, m7), bcast4(x + 24));
    to = _mm512_dpbusd_epi32(to, split_level(v1, _mm512_srli_epi16(v2, 2), mC0, m7), bcast4(x + 28));
    /* scales as the words of lane r: low nibbles of lo[p][r] to bits 0 and
     * 16, top bits from hr at 4 and 20; minus 32 (words: no borrow across) */
    const __m512i l = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)g->lo[p]));
    const __m512i lw = _mm512_ternarylogic_epi32(l, _mm512_slli_epi32(l, 12), _mm512_set1_epi32(0x000F000F),
                                                 TERN_A_OR_B_MASK_C);
    *sc =
        _mm512_sub_epi16(_mm512_ternarylogic_epi32(lw, hr, _mm512_set1_epi32(0x00300030), TERN_A_OR_B_AND_C),
                         _mm512_set1_epi16(32));
    *off = _mm512_dpwssd_epi32(*off, *sc, bcast4(bs + 2 * p));
    return pack_words(te, to);
}

static void dot16_q3_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q3_K *g = vw;
    const xrow xr = xrow_of(vx, k);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        prefetch_group(g + PF_BYTES / sizeof *g, sizeof *g);
        const int8_t *xq = xr.qs + QK_K * i;
        const int16_t *bs = xr.bsums + 16 * i;
        __m512i hr = _mm512_rol_epi32(_mm512_loadu_si512(g->hi), 4);
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512(), off = _mm512_setzero_si512(), sc;
        for (int p = 0; p < 8; p += 2) {
            const __m512i t0 = q3_pair(g, p, hr, xq, bs, &sc, &off);
            a0 = _mm512_dpwssd_epi32(a0, t0, sc);
            const __m512i t1 = q3_pair(g, p + 1, _mm512_ror_epi32(hr, 2), xq, bs, &sc, &off);
            a1 = _mm512_dpwssd_epi32(a1, t1, sc);
            hr = _mm512_ror_epi32(hr, 4);
        }
        const __m512i isum = _mm512_sub_epi32(_mm512_add_epi32(a0, a1), _mm512_slli_epi32(off, 2));
        const __m512 d = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g->d)),
                                       _mm512_set1_ps(xr.d[i]));
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), d, acc);
    }
    _mm512_storeu_ps(out, acc);
}

void realm_gemv_fill_avx512_rows16_k23(realm_gemv_table *t) {
    t->vec_dot16[REALM_TYPE_Q2_K] =
        realm_cpu_get_features()->gfni ? realm_rows16_dot16_q2_K_gfni : realm_rows16_dot16_q2_K;
    t->vec_dot16[REALM_TYPE_Q3_K] = dot16_q3_K;
    t->rows16_simd[REALM_TYPE_Q2_K] = true;
    t->rows16_simd[REALM_TYPE_Q3_K] = true;
}
