/* AVX-VNNI (VEX, 256-bit vpdpbusd) micro-kernel of the int8 GEMM path, for
 * CPUs with VNNI but without AVX-512 (Alder Lake and later, Zen 5 too):
 * 16 weight rows as two ymm of 8 int32 lanes x up to 3 columns. vpdpbusd
 * sums u8 x s8 products straight into int32, so there is no saturation and
 * the zero point is folded into the accumulator's start as in the AVX-512
 * kernel. Same integer sums and float order as the portable kernel. */
#include <immintrin.h>
#include <stdbool.h>

#include "qgemm/qgemm.h"
#include "x86/qgemm_ymm.h"

#define NC_MAX 3

static inline __attribute__((always_inline)) void tile(const qg_type *ty, const qg_panel *p, int64_t k,
                                                       const qg_act *a, int64_t b, float *Y, int64_t ldy,
                                                       __m256i mlo, __m256i mhi, const int nc) {
    const int64_t nb = k / ty->B, groups = ty->B / 4;
    const bool zp = ty->off != 0; /* no zero point: no noff load (see the AVX-512 kernel) */
    __m256 acc[NC_MAX][2];
    __m256i ai[NC_MAX][2];
    for (int c = 0; c < nc; c++)
        acc[c][0] = acc[c][1] = _mm256_setzero_ps();
    const uint8_t *wq = p->q;
    for (int64_t j = 0; j < nb; j++) {
        for (int c = 0; c < nc; c++)
            ai[c][0] = ai[c][1] = zp ? _mm256_set1_epi32(a->noff[(b + c) * nb + j]) : _mm256_setzero_si256();
        const int8_t *xq = a->q + b * k + j * ty->B;
        for (int64_t g = 0; g < groups; g++, wq += 64) {
            const __m256i w0 = _mm256_load_si256((const __m256i *)wq);
            const __m256i w1 = _mm256_load_si256((const __m256i *)(wq + 32));
            for (int c = 0; c < nc; c++) {
                int32_t xv;
                __builtin_memcpy(&xv, xq + c * k + g * 4, 4);
                const __m256i x = _mm256_set1_epi32(xv);
                ai[c][0] = _mm256_dpbusd_avx_epi32(ai[c][0], w0, x);
                ai[c][1] = _mm256_dpbusd_avx_epi32(ai[c][1], w1, x);
            }
        }
        qg_ymm_block_scale(ty, p, k, a, b, j, acc, ai, nc);
    }
    qg_ymm_store(Y, ldy, b, acc, mlo, mhi, nc);
}

void qg_kernel_avxvnni(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a,
                       int64_t b0, int64_t b1, float *Y, int64_t ldy) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mlo = _mm256_cmpgt_epi32(_mm256_set1_epi32(nrows), lane);
    const __m256i mhi = _mm256_cmpgt_epi32(_mm256_set1_epi32(nrows - 8), lane);
    int64_t b = b0;
    for (; b + NC_MAX <= b1; b += NC_MAX)
        tile(ty, p, k, a, b, Y, ldy, mlo, mhi, NC_MAX);
    if (b1 - b == 2) tile(ty, p, k, a, b, Y, ldy, mlo, mhi, 2);
    if (b1 - b == 1) tile(ty, p, k, a, b, Y, ldy, mlo, mhi, 1);
}
