/* Internal: the AVX-512 VNNI ROWS16 q2_K and q3_K kernels, written once and
 * instantiated twice: with shift + mask level extraction in
 * x86/avx512/gemv_rows16_k23.c, and with GF2P8AFFINEQB (one instruction
 * moves any bits of a byte to any places and clears the rest) in
 * gemv_rows16_k23_gfni.c (compiled with -mgfni; chosen when the CPU has
 * GFNI). Same bits. The includer defines, then includes this once:
 *   Q2_LEVEL(v, t)     bits 2t, 2t + 1 of every byte of v, as 0..3;
 *   Q3_SHR3(v)         bits 3-5 of every byte, as 0..7;
 *   Q3_TOP(v, v2, b)   bits 6-7 of v as bits 1-2 under bit b of v2 as bit 0
 *                      (the split levels of rows16_layout_k23.h);
 *   Q2_DOT16_NAME, Q3_DOT16_NAME.
 * Include only from AVX-512 VNNI files. */
#ifndef REALM_X86_AVX512_ROWS16_K23_H
#define REALM_X86_AVX512_ROWS16_K23_H

#include <immintrin.h>

#include "gemv/gemv.h"
#include "repack/rows16_layout_k23.h"
#include "x86/avx512/q8k_split.h"
#include "x86/avx512/rows16_common.h"

/* Group super-blocks are small (1.3 / 1.7 KB), so "two ahead" (the q4_K
 * kernel's) is only 2.7-3.5 KB; 8 KB ahead reads best (4 KB close, 12 KB
 * and more worse). What mattered more is the order of first touches: the
 * q3_K kernel loads hi (near the group's end) first and read 33-37 GB/s
 * from DRAM on 1 thread, faster than a plain sequential read loop (23-29),
 * while the q2_K kernel, which read its last line (d, dmin) last, read
 * 15-19. Loading d and dmin first: 28-30 (same process, alternated; the
 * q3_K kernel on q2_K's buffer read 34, so the kernel, not the data). Why
 * the hardware prefetchers favour this is not known. */
#define PF_BYTES 8192

/* Words (t_e, t_o) of each lane from two lanes' sums, |t| < 2^15. */
static inline __m512i pack_words(__m512i te, __m512i to) {
    return _mm512_ternarylogic_epi32(_mm512_slli_epi32(to, 16), te, _mm512_set1_epi32(0xFFFF),
                                     TERN_A_OR_B_AND_C);
}

#endif

/* Instantiated once per including file (the macros differ). */
#if defined(Q2_LEVEL) && defined(Q2_DOT16_NAME) && defined(Q3_SHR3) && defined(Q3_TOP) &&                    \
    defined(Q3_DOT16_NAME)
/* q2_K sub-blocks 2p, 2p + 1: their sums packed as words (returned), the
 * scales as words in *sc; the mins' term added to *am. */
static inline __attribute__((always_inline)) __m512i q2_pair(const rows16_q2_K *g, int p, const int8_t *xq,
                                                             const int16_t *bs, __m512i *sc, __m512i *am) {
    __m512i t[2];
    for (int u = 0; u < 2; u++) {
        const int s = 2 * p + u;
        const __m512i v = _mm512_loadu_si512(g->qs[s]);
        const int8_t *x = xq + 16 * s;
        __m512i a = _mm512_dpbusd_epi32(_mm512_setzero_si512(), Q2_LEVEL(v, 0), bcast4(x));
        a = _mm512_dpbusd_epi32(a, Q2_LEVEL(v, 1), bcast4(x + 4));
        a = _mm512_dpbusd_epi32(a, Q2_LEVEL(v, 2), bcast4(x + 8));
        t[u] = _mm512_dpbusd_epi32(a, Q2_LEVEL(v, 3), bcast4(x + 12));
    }
    /* words 2r, 2r + 1: row r's GGUF scale bytes of sub-blocks 2p, 2p + 1 */
    const __m512i w = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)g->sm[p]));
    *am = _mm512_dpwssd_epi32(*am, _mm512_srli_epi16(w, 4), bcast4(bs + 2 * p));
    *sc = _mm512_and_si512(w, _mm512_set1_epi16(15));
    return pack_words(t[0], t[1]);
}

void Q2_DOT16_NAME(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q2_K *g = vw;
    const xrow xr = xrow_of(vx, k);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        prefetch_lines(g + PF_BYTES / sizeof *g, sizeof *g);
        const int8_t *xq = xr.qs + QK_K * i;
        const int16_t *bs = xr.bsums + 16 * i;
        /* d and dmin, the group's last line, first (see PF_BYTES); the empty
         * asm keeps the compiler from sinking the loads to their use */
        const __m512 dx = _mm512_set1_ps(xr.d[i]);
        __m512 d = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g->d)), dx);
        __m512 dm = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g->dmin)), dx);
        __asm__ volatile("" : "+v"(d), "+v"(dm));
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512(), am = _mm512_setzero_si512(), sc;
        for (int p = 0; p < 8; p += 2) { /* two accumulators, in registers */
            const __m512i t0 = q2_pair(g, p, xq, bs, &sc, &am);
            a0 = _mm512_dpwssd_epi32(a0, t0, sc);
            const __m512i t1 = q2_pair(g, p + 1, xq, bs, &sc, &am);
            a1 = _mm512_dpwssd_epi32(a1, t1, sc);
        }
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(a0, a1)), d, acc);
        acc = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(am), dm, acc);
    }
    _mm512_storeu_ps(out, acc);
}

/* q3_K sub-blocks 2p, 2p + 1: sums packed as words (returned), signed
 * scales as words in *sc, their bsums term added to *off. hr: hi rotated
 * so that bits 2p, 16 + 2p sit at 4, 20. */
static inline __attribute__((always_inline)) __m512i q3_pair(const rows16_q3_K *g, int p, __m512i hr,
                                                             const int8_t *xq, const int16_t *bs, __m512i *sc,
                                                             __m512i *off) {
    const __m512i m7 = _mm512_set1_epi8(7);
    const __m512i v0 = _mm512_loadu_si512(g->q[p][0]), v1 = _mm512_loadu_si512(g->q[p][1]);
    const __m512i v2 = _mm512_loadu_si512(g->q[p][2]);
    const int8_t *x = xq + 32 * p;
    __m512i te = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_and_si512(v0, m7), bcast4(x));
    te = _mm512_dpbusd_epi32(te, Q3_SHR3(v0), bcast4(x + 4));
    te = _mm512_dpbusd_epi32(te, _mm512_and_si512(v1, m7), bcast4(x + 8));
    te = _mm512_dpbusd_epi32(te, Q3_SHR3(v1), bcast4(x + 12));
    __m512i to = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_and_si512(v2, m7), bcast4(x + 16));
    to = _mm512_dpbusd_epi32(to, Q3_SHR3(v2), bcast4(x + 20));
    to = _mm512_dpbusd_epi32(to, Q3_TOP(v0, v2, 6), bcast4(x + 24));
    to = _mm512_dpbusd_epi32(to, Q3_TOP(v1, v2, 7), bcast4(x + 28));
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

void Q3_DOT16_NAME(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q3_K *g = vw;
    const xrow xr = xrow_of(vx, k);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        prefetch_lines(g + PF_BYTES / sizeof *g, sizeof *g);
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
#endif
