/* AVX2 micro-kernel of the int8 GEMM path: 16 weight rows (two ymm of 8
 * int32 lanes) x up to 3 activation columns (16 registers allow no more).
 *
 * Without VNNI the dot is vpmaddubsw (u8 x s8 pairs summed into int16,
 * SATURATING) + vpmaddwd. Levels below 128 (every type with a zero point
 * under 128 or a min) keep each pair below 2 * 127 * 127: exact. Types
 * centred at 128 (Q8_0, Q8_1, Q8_K) are recentred to signed bytes first and
 * use |w| (<= 128) against x * sign(w) (|x| <= 127): a pair is at most
 * 2 * 128 * 127 = 32512, still exact. The integer sums, and so the float
 * results, equal the portable kernel's bit for bit. */
#include <immintrin.h>

#include "qgemm/qgemm.h"
#include "x86/qgemm_ymm.h"

#define NC_MAX 3

static inline __attribute__((always_inline)) __m256i dot4(__m256i w, __m256i x, int centred) {
    const __m256i ones = _mm256_set1_epi16(1);
    if (centred) {
        const __m256i ws = _mm256_xor_si256(w, _mm256_set1_epi8((char)0x80)); /* q - 128 */
        return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(ws), _mm256_sign_epi8(x, ws)), ones);
    }
    return _mm256_madd_epi16(_mm256_maddubs_epi16(w, x), ones);
}

static inline __attribute__((always_inline)) void tile(const qg_type *ty, const qg_panel *p, int64_t k,
                                                       const qg_act *a, int64_t b, float *Y, int64_t ldy,
                                                       __m256i mlo, __m256i mhi, const int nc) {
    const int64_t nb = k / ty->B, groups = ty->B / 4;
    const int centred = ty->off == 128;
    __m256 acc[NC_MAX][2];
    __m256i ai[NC_MAX][2];
    for (int c = 0; c < nc; c++)
        acc[c][0] = acc[c][1] = _mm256_setzero_ps();
    const uint8_t *wq = p->q;
    for (int64_t j = 0; j < nb; j++) {
        for (int c = 0; c < nc; c++) /* centred weights carry no offset to undo */
            ai[c][0] = ai[c][1] = _mm256_set1_epi32(centred ? 0 : a->noff[(b + c) * nb + j]);
        const int8_t *xq = a->q + b * k + j * ty->B;
        for (int64_t g = 0; g < groups; g++, wq += 64) {
            const __m256i w0 = _mm256_load_si256((const __m256i *)wq);
            const __m256i w1 = _mm256_load_si256((const __m256i *)(wq + 32));
            for (int c = 0; c < nc; c++) {
                int32_t xv;
                __builtin_memcpy(&xv, xq + c * k + g * 4, 4);
                const __m256i x = _mm256_set1_epi32(xv);
                ai[c][0] = _mm256_add_epi32(ai[c][0], dot4(w0, x, centred));
                ai[c][1] = _mm256_add_epi32(ai[c][1], dot4(w1, x, centred));
            }
        }
        qg_ymm_block_scale(ty, p, k, a, b, j, acc, ai, nc);
    }
    qg_ymm_store(Y, ldy, b, acc, mlo, mhi, nc);
}

void qg_kernel_avx2(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a, int64_t b0,
                    int64_t b1, float *Y, int64_t ldy) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mlo = _mm256_cmpgt_epi32(_mm256_set1_epi32(nrows), lane);
    const __m256i mhi = _mm256_cmpgt_epi32(_mm256_set1_epi32(nrows - 8), lane);
    int64_t b = b0;
    for (; b + NC_MAX <= b1; b += NC_MAX)
        tile(ty, p, k, a, b, Y, ldy, mlo, mhi, NC_MAX);
    if (b1 - b == 2) tile(ty, p, k, a, b, Y, ldy, mlo, mhi, 2);
    if (b1 - b == 1) tile(ty, p, k, a, b, Y, ldy, mlo, mhi, 1);
}
