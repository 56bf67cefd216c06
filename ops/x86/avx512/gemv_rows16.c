/* AVX-512 VNNI batch-1 kernels for ROWS16 weights (repack/rows16_layout.h)
 * against the split Q8_K row (x86/avx512/q8k_split.h). Same bits as
 * ops/gemv/scalar_rows16.c.
 *
 * Lane r of every vector is output row r, so there is no shuffling and no
 * horizontal sum: each 64-byte weight load meets a 4-byte activation
 * broadcast in vpdpbusd, sub-block scales arrive as one byte per row, and
 * a group's 16 results leave in one store. Measured in L2 on Zen (1
 * thread): q4_K 2.3 ns per row super-block against 4.1 for the GGUF-layout
 * kernel. The whole group super-block (2-3 KB) is prefetched two ahead:
 * the rows are contiguous, so that is one stream per thread. */
#include <immintrin.h>

#include "gemv/gemv.h"
#include "realm/cpu.h"
#include "repack/rows16_layout.h"
#include "x86/avx512/q8k_split.h"
#include "x86/avx512/rows16_common.h"

static void dot16_q4_K(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q4_K *g = vw;
    const xrow xr = xrow_of(vx, k);
    const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi32(0x30), lo4 = _mm512_set1_epi32(0x0F);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        prefetch_lines(g + 2, sizeof *g);
        const int8_t *xq = xr.qs + QK_K * i;
        const int16_t *bs = xr.bsums + 16 * i;
        const __m512i hi = _mm512_loadu_si512(g->hi);
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512(), am = _mm512_setzero_si512();
        for (int j = 0; j < 8; j++) {
            __m512i tl = _mm512_setzero_si512(), th = _mm512_setzero_si512();
            for (int u = 0; u < 4; u++) {
                const __m512i v = _mm512_loadu_si512(g->qs[j][u]);
                tl = _mm512_dpbusd_epi32(tl, _mm512_and_si512(v, m4), bcast4(xq + 32 * j + 8 * u));
                th = _mm512_dpbusd_epi32(th, _mm512_and_si512(_mm512_srli_epi16(v, 4), m4),
                                         bcast4(xq + 32 * j + 8 * u + 4));
            }
            /* 6-bit scale and min: low nibbles from scm, top bits from hi */
            const __m512i lo = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)g->scm[j]));
            const __m512i hs = 2 * j >= 4 ? _mm512_srli_epi32(hi, (unsigned)(2 * j - 4))
                                          : _mm512_slli_epi32(hi, (unsigned)(4 - 2 * j));
            const __m512i sc =
                _mm512_ternarylogic_epi32(_mm512_and_si512(lo, lo4), hs, m30, TERN_A_OR_B_AND_C);
            const __m512i m = _mm512_ternarylogic_epi32(_mm512_srli_epi32(lo, 4),
                                                        _mm512_srli_epi32(hi, (unsigned)(12 + 2 * j)), m30,
                                                        TERN_A_OR_B_AND_C);
            /* |tl|, |th| <= 16 * 15 * 128 < 2^15: the low word is the value,
             * and sc's high word is 0 */
            __m512i *a = j & 1 ? &a1 : &a0;
            *a = _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(*a, tl, sc), th, sc);
            /* m in both words meets bsums 2j and 2j + 1 */
            am = _mm512_dpwssd_epi32(am, _mm512_or_si512(m, _mm512_slli_epi32(m, 16)),
                                     bcast4((const int8_t *)(bs + 2 * j)));
        }
        const __m512 dx = _mm512_set1_ps(xr.d[i]);
        const __m512 d = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g->d)), dx);
        const __m512 dm = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g->dmin)), dx);
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(a0, a1)), d, acc);
        acc = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(am), dm, acc);
    }
    _mm512_storeu_ps(out, acc);
}

/* q6_K levels by shift and mask (x86/avx512/rows16_q6k.h) */
#define Q6_M4 _mm512_set1_epi8(0x0F)
#define Q6_M30 _mm512_set1_epi8(0x30)
#define Q6_LEVELS(l0, l1, h, v0, v1, v2, v3)                                                                 \
    do {                                                                                                     \
        (v0) = _mm512_ternarylogic_epi32(_mm512_and_si512(l0, Q6_M4), _mm512_slli_epi16(h, 4), Q6_M30,       \
                                         TERN_A_OR_B_AND_C);                                                 \
        (v1) = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(l0, 4), Q6_M4),                  \
                                         _mm512_slli_epi16(h, 2), Q6_M30, TERN_A_OR_B_AND_C);                \
        (v2) = _mm512_ternarylogic_epi32(_mm512_and_si512(l1, Q6_M4), h, Q6_M30, TERN_A_OR_B_AND_C);         \
        (v3) = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(l1, 4), Q6_M4),                  \
                                         _mm512_srli_epi16(h, 2), Q6_M30, TERN_A_OR_B_AND_C);                \
    } while (0)
#define Q6_DOT16_NAME realm_rows16_dot16_q6_K
#include "x86/avx512/rows16_q6k.h"

void realm_gemv_fill_avx512_rows16(realm_gemv_table *t) {
    t->vec_dot16[REALM_TYPE_Q4_K] = dot16_q4_K;
    t->vec_dot16[REALM_TYPE_Q6_K] =
        realm_cpu_get_features()->gfni ? realm_rows16_dot16_q6_K_gfni : realm_rows16_dot16_q6_K;
    t->rows16_simd[REALM_TYPE_Q4_K] = true;
    t->rows16_simd[REALM_TYPE_Q6_K] = true;
    realm_gemv_fill_avx512_rows16_k23(t);
    realm_gemv_fill_avx512_rows16_k58(t);
    realm_gemv_fill_avx512_rows16_q32(t);
}
