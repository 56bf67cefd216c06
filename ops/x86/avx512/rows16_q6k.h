/* Internal: the AVX-512 VNNI ROWS16 q6_K kernel (repack/rows16_layout.h),
 * written once and instantiated twice: x86/avx512/gemv_rows16.c forms the
 * 6-bit levels by shift and mask (13 instructions per 64 levels), and
 * gemv_rows16_q6k_gfni.c (compiled with -mgfni, chosen when the CPU has
 * GFNI) moves each pair of high bits into place with one GF2P8AFFINEQB
 * (10). Same bits either way. The includer defines
 * Q6_LEVELS(l0, l1, h, v0, v1, v2, v3) (the u8 levels of the 4 element
 * groups of a sub-block from its two ql vectors and its qh vector) and
 * Q6_DOT16_NAME, then includes this once. */
#include <immintrin.h>

#include "gemv/gemv.h"
#include "repack/rows16_layout.h"
#include "x86/avx512/q8k_split.h"
#include "x86/avx512/rows16_common.h"

void Q6_DOT16_NAME(int64_t k, const void *vw, const void *vx, float *out) {
    const rows16_q6_K *g = vw;
    const xrow xr = xrow_of(vx, k);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        prefetch_lines(g + 2, sizeof *g); /* the whole group, two ahead */
        const int8_t *xq = xr.qs + QK_K * i;
        const int16_t *bs = xr.bsums + 16 * i;
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512(), off = _mm512_setzero_si512();
        for (int p = 0; p < 8; p++) {
            /* words 2r, 2r + 1: row r's scales of sub-blocks 2p, 2p + 1 */
            const __m512i scw = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)g->sc[p]));
            off = _mm512_dpwssd_epi32(off, scw, bcast4((const int8_t *)(bs + 2 * p)));
            const __m512i sc[2] = {_mm512_srai_epi32(_mm512_slli_epi32(scw, 16), 16),
                                   _mm512_srai_epi32(scw, 16)};
            for (int u = 0; u < 2; u++) {
                const int s = 2 * p + u;
                const __m512i l0 = _mm512_loadu_si512(g->ql[s][0]), l1 = _mm512_loadu_si512(g->ql[s][1]);
                const __m512i h = _mm512_loadu_si512(g->qh[s]);
                __m512i v0, v1, v2, v3;
                Q6_LEVELS(l0, l1, h, v0, v1, v2, v3);
                const int8_t *x = xq + 16 * s;
                __m512i t = _mm512_dpbusd_epi32(_mm512_setzero_si512(), v0, bcast4(x));
                t = _mm512_dpbusd_epi32(t, v1, bcast4(x + 4));
                t = _mm512_dpbusd_epi32(t, v2, bcast4(x + 8));
                t = _mm512_dpbusd_epi32(t, v3, bcast4(x + 12));
                __m512i *a = u ? &a1 : &a0;
                *a = _mm512_add_epi32(*a, _mm512_mullo_epi32(t, sc[u]));
            }
        }
        const __m512i isum = _mm512_sub_epi32(_mm512_add_epi32(a0, a1), _mm512_slli_epi32(off, 5));
        const __m512 d = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g->d)),
                                       _mm512_set1_ps(xr.d[i]));
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), d, acc);
    }
    _mm512_storeu_ps(out, acc);
}
