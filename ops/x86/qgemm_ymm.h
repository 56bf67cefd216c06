/* Internal: the float side of the 256-bit int8 GEMM micro-kernels (AVX2 and
 * AVX-VNNI differ only in how they form the int32 block sums): apply block
 * j's scales and mins to up to 3 columns of 16 rows, and the masked stores.
 * Include only from files compiled with AVX2 + FMA. */
#ifndef REALM_X86_QGEMM_YMM_H
#define REALM_X86_QGEMM_YMM_H

#include <immintrin.h>

#include "qgemm/qgemm.h"

/* acc += cvt(ai) * (s1 * dx) for block j, then the block's mins. */
static inline __attribute__((always_inline)) void qg_ymm_block_scale(const qg_type *ty, const qg_panel *p,
                                                                     int64_t k, const qg_act *a, int64_t b,
                                                                     int64_t j, __m256 (*acc)[2],
                                                                     __m256i (*ai)[2], const int nc) {
    const int64_t na = k / QG_ABLK, per = QG_ABLK / ty->B, nm = k / ty->Bm, mper = ty->B / ty->Bm;
    const __m256 s0 = _mm256_load_ps(p->s1 + j * QG_ROWS), s1 = _mm256_load_ps(p->s1 + j * QG_ROWS + 8);
    for (int c = 0; c < nc; c++) {
        const __m256 dx = _mm256_set1_ps(a->d[(b + c) * na + j / per]);
        acc[c][0] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(ai[c][0]), _mm256_mul_ps(s0, dx), acc[c][0]);
        acc[c][1] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(ai[c][1]), _mm256_mul_ps(s1, dx), acc[c][1]);
    }
    for (int64_t h = 0; ty->has_min && h < mper; h++) {
        const float *m = p->m + (j * mper + h) * QG_ROWS;
        const __m256 m0 = _mm256_load_ps(m), m1 = _mm256_load_ps(m + 8);
        for (int c = 0; c < nc; c++) {
            const __m256 ds = _mm256_set1_ps(a->dsum[(b + c) * nm + j * mper + h]);
            acc[c][0] = _mm256_fmadd_ps(m0, ds, acc[c][0]);
            acc[c][1] = _mm256_fmadd_ps(m1, ds, acc[c][1]);
        }
    }
}

/* Rows [0, nrows) of each column: mlo/mhi are the lane masks of the halves. */
static inline __attribute__((always_inline)) void
qg_ymm_store(float *Y, int64_t ldy, int64_t b, __m256 (*acc)[2], __m256i mlo, __m256i mhi, const int nc) {
    for (int c = 0; c < nc; c++) {
        _mm256_maskstore_ps(Y + (b + c) * ldy, mlo, acc[c][0]);
        _mm256_maskstore_ps(Y + (b + c) * ldy + 8, mhi, acc[c][1]);
    }
}

#endif
