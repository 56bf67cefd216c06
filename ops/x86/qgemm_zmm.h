/* Internal: the float side of the 512-bit int8 GEMM micro-kernels (AVX-512
 * VNNI and AVX-512 BW differ only in how they form the int32 block sums):
 * apply block j's scales and mins to up to 8 columns of 16 rows. Include
 * only from files compiled with AVX-512 F. */
#ifndef REALM_X86_QGEMM_ZMM_H
#define REALM_X86_QGEMM_ZMM_H

#include <immintrin.h>

#include "qgemm/qgemm.h"

/* acc += cvt(ai) * (s1 * dx) for block j, then the block's mins. B, Bm,
 * has_min: the type's (qg_type); constants where the caller instantiates
 * per shape, which turns j / per into a shift and unrolls the mins. */
static inline __attribute__((always_inline)) void
qg_zmm_block_scale(const int B, const int Bm, const int has_min, const qg_panel *p, int64_t k,
                   const qg_act *a, int64_t b, int64_t j, __m512 *acc, const __m512i *ai, const int nc) {
    const int64_t na = k / QG_ABLK, per = QG_ABLK / B, nm = k / Bm, mper = B / Bm;
    const __m512 s1 = _mm512_load_ps(p->s1 + j * QG_ROWS);
    for (int c = 0; c < nc; c++) {
        const __m512 t = _mm512_mul_ps(s1, _mm512_set1_ps(a->d[(b + c) * na + j / per]));
        acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(ai[c]), t, acc[c]);
    }
    for (int64_t h = 0; has_min && h < mper; h++) {
        const __m512 m = _mm512_load_ps(p->m + (j * mper + h) * QG_ROWS);
        for (int c = 0; c < nc; c++)
            acc[c] = _mm512_fmadd_ps(m, _mm512_set1_ps(a->dsum[(b + c) * nm + j * mper + h]), acc[c]);
    }
}

#endif
