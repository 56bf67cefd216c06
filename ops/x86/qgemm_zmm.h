/* Internal: the float side of the 512-bit int8 GEMM micro-kernels (AVX-512
 * VNNI and AVX-512 BW differ only in how they form the int32 block sums):
 * apply block j's scales and mins to up to 8 columns of 16 rows. Include
 * only from files compiled with AVX-512 F. */
#ifndef REALM_X86_QGEMM_ZMM_H
#define REALM_X86_QGEMM_ZMM_H

#include <immintrin.h>

#include "qgemm/qgemm.h"

/* acc[q] += cvt(ai[q]) * (s1 * dx) for block j of np (1 or 2) panels p[q]
 * over the same columns, then the block's mins. Each activation scale is
 * broadcast once for all panels (the loop is bound by loads). B, Bm,
 * has_min: the type's (qg_type); constants where the caller instantiates
 * per shape, which turns j / per into a shift and unrolls the mins. Per
 * element the same operations in the same order whatever np. */
static inline __attribute__((always_inline)) void
qg_zmm_block_scale_n(const int B, const int Bm, const int has_min, const int np, const qg_panel *const *p,
                     int64_t k, const qg_act *a, int64_t b, int64_t j, __m512 *const *acc,
                     const __m512i *const *ai, const int nc) {
    const int64_t na = k / QG_ABLK, per = QG_ABLK / B, nm = k / Bm, mper = B / Bm;
    __m512 s1[2];
    for (int q = 0; q < np; q++)
        s1[q] = _mm512_load_ps(p[q]->s1 + j * QG_ROWS);
    for (int c = 0; c < nc; c++) {
        const __m512 dx = _mm512_set1_ps(a->d[(b + c) * na + j / per]);
        for (int q = 0; q < np; q++)
            acc[q][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(ai[q][c]), _mm512_mul_ps(s1[q], dx), acc[q][c]);
    }
    for (int64_t h = 0; has_min && h < mper; h++) {
        __m512 m[2];
        for (int q = 0; q < np; q++)
            m[q] = _mm512_load_ps(p[q]->m + (j * mper + h) * QG_ROWS);
        for (int c = 0; c < nc; c++) {
            const __m512 ds = _mm512_set1_ps(a->dsum[(b + c) * nm + j * mper + h]);
            for (int q = 0; q < np; q++)
                acc[q][c] = _mm512_fmadd_ps(m[q], ds, acc[q][c]);
        }
    }
}

/* One panel. */
static inline __attribute__((always_inline)) void
qg_zmm_block_scale(const int B, const int Bm, const int has_min, const qg_panel *p, int64_t k,
                   const qg_act *a, int64_t b, int64_t j, __m512 *acc, const __m512i *ai, const int nc) {
    const qg_panel *const ps[1] = {p};
    __m512 *const accs[1] = {acc};
    const __m512i *const ais[1] = {ai};
    qg_zmm_block_scale_n(B, Bm, has_min, 1, ps, k, a, b, j, accs, ais, nc);
}

#endif
