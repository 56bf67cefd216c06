/* AVX-512 VNNI batch-1 kernels for ROWS16 q5_K and q8_K weights
 * (repack/rows16_layout_k58.h) against the split Q8_K row
 * (x86/avx512/q8k_split.h). Same bits as ops/gemv/scalar_rows16_k58.c:
 * the same exact int32 sums, then the same float operations in the same
 * order, lane r being output row r throughout (no shuffles, no horizontal
 * sums). Activation quants are in [-128, 127]. */
#include <immintrin.h>

#include "gemv/gemv.h"
#include "repack/rows16_layout_k58.h"
#include "x86/avx512/q8k_split.h"
#include "x86/avx512/rows16_common.h"

/* v, kept in a register: GCC folds a load into every instruction that
 * uses it, reading qh eight times per sub-block. */
static inline __m512i in_reg(__m512i v) {
    __asm__("" : "+v"(v));
    return v;
}

/* q5_K. Per sub-block j and load t, 8 elements of each row (4 low-nibble
 * levels against x[32j + 8t ..], 4 high against x[32j + 8t + 4 ..]) sum in
 * tt: |tt| <= 8 * 31 * 128 = 31744 < 2^15, so tt's low word is its value
 * and vpdpwssd by the scale (high word 0) adds sc * tt exactly. 16
 * elements, as q4_K's kernel pairs them, could reach 63488: not a word. */
static void dot16_q5_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q5_K *g = vw;
    const xrow xr = xrow_of(vx, k);
    const __m512i m4 = _mm512_set1_epi8(0x0F), b4 = _mm512_set1_epi8(0x10);
    const __m512i m30 = _mm512_set1_epi32(0x30), lo4 = _mm512_set1_epi32(0x0F);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        prefetch_lines(g + 2, sizeof *g);
        const int8_t *xq = xr.qs + QK_K * i;
        const int16_t *bs = xr.bsums + 16 * i;
        const __m512i hi = _mm512_loadu_si512(g->hi);
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512(), am = _mm512_setzero_si512();
        for (int j = 0; j < 8; j++) {
            /* 6-bit scale and min: low nibbles from scm, top bits from hi */
            const __m512i lo = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)g->scm[j]));
            const __m512i hs = 2 * j >= 4 ? _mm512_srli_epi32(hi, (unsigned)(2 * j - 4))
                                          : _mm512_slli_epi32(hi, (unsigned)(4 - 2 * j));
            const __m512i sc =
                _mm512_ternarylogic_epi32(_mm512_and_si512(lo, lo4), hs, m30, TERN_A_OR_B_AND_C);
            const __m512i m = _mm512_ternarylogic_epi32(_mm512_srli_epi32(lo, 4),
                                                        _mm512_srli_epi32(hi, (unsigned)(12 + 2 * j)), m30,
                                                        TERN_A_OR_B_AND_C);
            const __m512i h = in_reg(_mm512_loadu_si512(g->qh[j]));
            for (int t = 0; t < 4; t++) {
                const __m512i v = in_reg(_mm512_loadu_si512(g->qs[j][t]));
                const __m512i l5 = _mm512_ternarylogic_epi32(_mm512_and_si512(v, m4), fifth_bit(h, 2 * t), b4,
                                                             TERN_A_OR_B_AND_C);
                const __m512i h5 = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(v, 4), m4),
                                                             fifth_bit(h, 2 * t + 1), b4, TERN_A_OR_B_AND_C);
                const int8_t *x = xq + 32 * j + 8 * t;
                const __m512i tt = _mm512_dpbusd_epi32(
                    _mm512_dpbusd_epi32(_mm512_setzero_si512(), l5, bcast4(x)), h5, bcast4(x + 4));
                __m512i *a = t & 1 ? &a1 : &a0;
                *a = _mm512_dpwssd_epi32(*a, tt, sc);
            }
            /* m in both words meets bsums 2j and 2j + 1: |m * bsum| <= 63 * 2048 */
            am = _mm512_dpwssd_epi32(am, _mm512_or_si512(m, _mm512_slli_epi32(m, 16)), bcast4(bs + 2 * j));
        }
        const __m512 dx = _mm512_set1_ps(xr.d[i]);
        const __m512 d = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g->d)), dx);
        const __m512 dm = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g->dmin)), dx);
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(a0, a1)), d, acc);
        acc = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(am), dm, acc);
    }
    _mm512_storeu_ps(out, acc);
}

/* q8_K. Weights are signed: w ^ 0x80 = w + 128 is vpdpbusd's u8 operand,
 * and sum (w + 128) x - 128 sum x = sum w x, sum x from the activation
 * bsums (the weight's are not read). vpdpbusd adds its four u8 x s8
 * products straight into int32 (no int16 step to saturate): per lane
 * |sum (w + 128) x| <= 256 * 255 * 128 < 2^23, |128 sum x| <= 2^22. The
 * whole group super-block is prefetched, the unused bsums lines too:
 * skipping them (65 of 73 lines) streamed 25 GB/s against 31-37 at 1
 * thread, the hardware prefetcher apparently losing the stream. */
static inline __m512i q8_step(__m512i a, const void *w, const int8_t *x, __m512i flip) {
    return _mm512_dpbusd_epi32(a, _mm512_xor_si512(_mm512_loadu_si512(w), flip), bcast4(x));
}

static void dot16_q8_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q8_K *g = vw;
    const xrow xr = xrow_of(vx, k);
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        prefetch_lines(g + 2, sizeof *g);
        const int8_t *xq = xr.qs + QK_K * i;
        const int16_t *bs = xr.bsums + 16 * i;
        int32_t sx = 0;
        for (int s = 0; s < 16; s++)
            sx += bs[s];
        /* four named chains: an array of them went through the stack */
        __m512i a0 = _mm512_set1_epi32(-128 * sx), a1 = _mm512_setzero_si512();
        __m512i a2 = _mm512_setzero_si512(), a3 = _mm512_setzero_si512();
        for (int t = 0; t < 64; t += 4) {
            a0 = q8_step(a0, g->qs[t], xq + 4 * t, flip);
            a1 = q8_step(a1, g->qs[t + 1], xq + 4 * t + 4, flip);
            a2 = q8_step(a2, g->qs[t + 2], xq + 4 * t + 8, flip);
            a3 = q8_step(a3, g->qs[t + 3], xq + 4 * t + 12, flip);
        }
        const __m512i isum = _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3));
        const __m512 d = _mm512_mul_ps(_mm512_loadu_ps(g->d), _mm512_set1_ps(xr.d[i]));
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), d, acc);
    }
    _mm512_storeu_ps(out, acc);
}

void realm_gemv_fill_avx512_rows16_k58(realm_gemv_table *t) {
    t->vec_dot16[REALM_TYPE_Q5_K] = dot16_q5_K;
    t->vec_dot16[REALM_TYPE_Q8_K] = dot16_q8_K;
    /* Both stream faster than their GGUF kernels (bench matmul k 8192 n
     * 16384 batch 1 on Zen 5, median GB/s, 1 / 2 threads): q5_K 27 / 50
     * against 22 / 30, q8_K 30 / 56 against 16 / 19. */
    t->rows16_simd[REALM_TYPE_Q5_K] = true;
    t->rows16_simd[REALM_TYPE_Q8_K] = true;
}
