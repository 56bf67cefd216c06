/* AVX-512 VNNI micro-kernels of the int8 GEMM path: 16 weight rows (one
 * int32 lane each) x up to 8 activation columns, and 32 rows (two panels)
 * x up to 6 columns. Each 64-byte weight load feeds one vpdpbusd per
 * column (activation dword broadcast from memory). The loop is bound by
 * loads, not by the VNNI pipes: the 32-row tile feeds each broadcast to
 * two vpdpbusd, 0.8 loads per vpdpbusd instead of 1.4. */
#include <immintrin.h>
#include <stdbool.h>

#include "qgemm/qgemm.h"
#include "x86/qgemm_zmm.h"

#define NC_MAX 8

static inline __attribute__((always_inline)) void tile(const qg_type *ty, const qg_panel *p, int64_t k,
                                                       const qg_act *a, int64_t b, float *Y, int64_t ldy,
                                                       __mmask16 rmask, const int nc) {
    const int64_t nb = k / ty->B, groups = ty->B / 4;
    /* types without a zero point (the min types) skip the noff broadcast:
     * the loads, not the VNNI pipes, limit this loop, and with the load the
     * min types ran 0.81-0.89 of q4_0 (bench/RESULTS.md, session 6) */
    const bool zp = ty->off != 0;
    __m512 acc[NC_MAX];
    __m512i ai[NC_MAX];
    for (int c = 0; c < nc; c++)
        acc[c] = _mm512_setzero_ps();
    const uint8_t *wq = p->q;
    for (int64_t j = 0; j < nb; j++) {
        for (int c = 0; c < nc; c++)
            ai[c] = zp ? _mm512_set1_epi32(a->noff[(b + c) * nb + j]) : _mm512_setzero_si512();
        const int8_t *xq = a->q + b * k + j * ty->B;
        for (int64_t g = 0; g < groups; g++, wq += 64) {
            const __m512i w = _mm512_load_si512((const void *)wq);
            for (int c = 0; c < nc; c++) {
                int32_t xv;
                __builtin_memcpy(&xv, xq + c * k + g * 4, 4);
                ai[c] = _mm512_dpbusd_epi32(ai[c], w, _mm512_set1_epi32(xv));
            }
        }
        qg_zmm_block_scale(ty, p, k, a, b, j, acc, ai, nc);
    }
    for (int c = 0; c < nc; c++)
        _mm512_mask_storeu_ps(Y + (b + c) * ldy, rmask, acc[c]);
}

#define NC2_MAX 6 /* 12 int + 12 float accumulators, 2 weight vectors */

/* Panels p0 and p1 (rows 0-15 and 16-31 of Y), full, x nc columns: per
 * element the same operations in the same order as tile(), so the same
 * bits. */
static inline __attribute__((always_inline)) void tile2(const qg_type *ty, const qg_panel *p0,
                                                        const qg_panel *p1, int64_t k, const qg_act *a,
                                                        int64_t b, float *Y, int64_t ldy, const int nc) {
    const int64_t nb = k / ty->B, groups = ty->B / 4;
    const bool zp = ty->off != 0;
    __m512 acc0[NC2_MAX], acc1[NC2_MAX];
    __m512i ai0[NC2_MAX], ai1[NC2_MAX];
    for (int c = 0; c < nc; c++)
        acc0[c] = acc1[c] = _mm512_setzero_ps();
    const uint8_t *wq0 = p0->q, *wq1 = p1->q;
    for (int64_t j = 0; j < nb; j++) {
        for (int c = 0; c < nc; c++)
            ai0[c] = ai1[c] = zp ? _mm512_set1_epi32(a->noff[(b + c) * nb + j]) : _mm512_setzero_si512();
        const int8_t *xq = a->q + b * k + j * ty->B;
        for (int64_t g = 0; g < groups; g++, wq0 += 64, wq1 += 64) {
            const __m512i w0 = _mm512_load_si512((const void *)wq0),
                          w1 = _mm512_load_si512((const void *)wq1);
            for (int c = 0; c < nc; c++) {
                int32_t xv;
                __builtin_memcpy(&xv, xq + c * k + g * 4, 4);
                const __m512i x = _mm512_set1_epi32(xv);
                ai0[c] = _mm512_dpbusd_epi32(ai0[c], w0, x);
                ai1[c] = _mm512_dpbusd_epi32(ai1[c], w1, x);
            }
        }
        qg_zmm_block_scale(ty, p0, k, a, b, j, acc0, ai0, nc);
        qg_zmm_block_scale(ty, p1, k, a, b, j, acc1, ai1, nc);
    }
    for (int c = 0; c < nc; c++) {
        _mm512_storeu_ps(Y + (b + c) * ldy, acc0[c]);
        _mm512_storeu_ps(Y + (b + c) * ldy + QG_ROWS, acc1[c]);
    }
}

void qg_kernel2_avx512vnni(const qg_type *ty, const qg_panel *p0, const qg_panel *p1, int64_t k,
                           const qg_act *a, int64_t b0, int64_t b1, float *Y, int64_t ldy) {
    int64_t b = b0;
    for (; b + NC2_MAX <= b1; b += NC2_MAX)
        tile2(ty, p0, p1, k, a, b, Y, ldy, NC2_MAX);
    switch (b1 - b) { /* column tail: each case a fully unrolled tile */
    case 5:
        tile2(ty, p0, p1, k, a, b, Y, ldy, 5);
        break;
    case 4:
        tile2(ty, p0, p1, k, a, b, Y, ldy, 4);
        break;
    case 3:
        tile2(ty, p0, p1, k, a, b, Y, ldy, 3);
        break;
    case 2:
        tile2(ty, p0, p1, k, a, b, Y, ldy, 2);
        break;
    case 1:
        tile2(ty, p0, p1, k, a, b, Y, ldy, 1);
        break;
    default:
        break;
    }
}

void qg_kernel_avx512vnni(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a,
                          int64_t b0, int64_t b1, float *Y, int64_t ldy) {
    const __mmask16 rmask = (__mmask16)((1u << nrows) - 1u);
    int64_t b = b0;
    for (; b + NC_MAX <= b1; b += NC_MAX)
        tile(ty, p, k, a, b, Y, ldy, rmask, NC_MAX);
    switch (b1 - b) { /* column tail: each case a fully unrolled tile */
    case 7:
        tile(ty, p, k, a, b, Y, ldy, rmask, 7);
        break;
    case 6:
        tile(ty, p, k, a, b, Y, ldy, rmask, 6);
        break;
    case 5:
        tile(ty, p, k, a, b, Y, ldy, rmask, 5);
        break;
    case 4:
        tile(ty, p, k, a, b, Y, ldy, rmask, 4);
        break;
    case 3:
        tile(ty, p, k, a, b, Y, ldy, rmask, 3);
        break;
    case 2:
        tile(ty, p, k, a, b, Y, ldy, rmask, 2);
        break;
    case 1:
        tile(ty, p, k, a, b, Y, ldy, rmask, 1);
        break;
    default:
        break;
    }
}
