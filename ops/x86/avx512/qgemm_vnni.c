/* AVX-512 VNNI micro-kernels of the int8 GEMM path: 16 weight rows (one
 * int32 lane each) x up to 8 activation columns, and 32 rows (two panels)
 * x up to 6 columns. Each 64-byte weight load feeds one vpdpbusd per
 * column (activation dword broadcast from memory). The loop is bound by
 * loads, not by the VNNI pipes: the 32-row tile feeds each broadcast to
 * two vpdpbusd, 0.8 loads per vpdpbusd instead of 1.4.
 *
 * The block shape (B, Bm, min) is a compile-time constant in each instance
 * (the four the 12 types use): the 4-byte groups of a block unroll, the
 * accumulators stay in registers, no division per block. */
#include <immintrin.h>
#include <stdbool.h>

#include "qgemm/qgemm.h"
#include "x86/qgemm_zmm.h"

#define AI static inline __attribute__((always_inline))
#define NC_MAX 8  /* 16-row tile: 8 int + 8 float accumulators */
#define NC2_MAX 6 /* 32-row tile: 12 int + 12 float accumulators, 2 weight vectors */

/* Types without a zero point (the min types) skip the noff broadcast: the
 * loads limit this loop, and with it the min types paid one more broadcast
 * (dsum) per block and column than q4_0 (bench/RESULTS.md, session 6). */
AI __m512i ai_init(bool zp, const qg_act *a, int64_t at) {
    return zp ? _mm512_set1_epi32(a->noff[at]) : _mm512_setzero_si512();
}

AI __m512i bcast_x(const int8_t *x) {
    int32_t v;
    __builtin_memcpy(&v, x, 4);
    return _mm512_set1_epi32(v);
}

/* One panel (rmask: its rows) x nc columns from b. */
AI void tile(const int B, const int Bm, const int mn, bool zp, const qg_panel *p, int64_t k, const qg_act *a,
             int64_t b, float *Y, int64_t ldy, __mmask16 rmask, const int nc) {
    const int64_t nb = k / B;
    __m512 acc[NC_MAX];
    __m512i ai[NC_MAX];
    for (int c = 0; c < nc; c++)
        acc[c] = _mm512_setzero_ps();
    const uint8_t *wq = p->q;
    for (int64_t j = 0; j < nb; j++) {
        for (int c = 0; c < nc; c++)
            ai[c] = ai_init(zp, a, (b + c) * nb + j);
        const int8_t *xq = a->q + b * k + j * B;
        for (int g = 0; g < B / 4; g++, wq += 64) {
            const __m512i w = _mm512_load_si512((const void *)wq);
            for (int c = 0; c < nc; c++)
                ai[c] = _mm512_dpbusd_epi32(ai[c], w, bcast_x(xq + c * k + g * 4));
        }
        qg_zmm_block_scale(B, Bm, mn, p, k, a, b, j, acc, ai, nc);
    }
    for (int c = 0; c < nc; c++)
        _mm512_mask_storeu_ps(Y + (b + c) * ldy, rmask, acc[c]);
}

/* Panels p0 and p1 (rows 0-15 and 16-31 of Y), full, x nc columns: per
 * element the same operations in the same order as tile(), so the same
 * bits. */
AI void tile2(const int B, const int Bm, const int mn, bool zp, const qg_panel *p0, const qg_panel *p1,
              int64_t k, const qg_act *a, int64_t b, float *Y, int64_t ldy, const int nc) {
    const int64_t nb = k / B;
    __m512 acc0[NC2_MAX], acc1[NC2_MAX];
    __m512i ai0[NC2_MAX], ai1[NC2_MAX];
    for (int c = 0; c < nc; c++)
        acc0[c] = acc1[c] = _mm512_setzero_ps();
    const uint8_t *wq0 = p0->q, *wq1 = p1->q;
    for (int64_t j = 0; j < nb; j++) {
        for (int c = 0; c < nc; c++)
            ai0[c] = ai1[c] = ai_init(zp, a, (b + c) * nb + j);
        const int8_t *xq = a->q + b * k + j * B;
        for (int g = 0; g < B / 4; g++, wq0 += 64, wq1 += 64) {
            const __m512i w0 = _mm512_load_si512((const void *)wq0),
                          w1 = _mm512_load_si512((const void *)wq1);
            for (int c = 0; c < nc; c++) {
                const __m512i x = bcast_x(xq + c * k + g * 4);
                ai0[c] = _mm512_dpbusd_epi32(ai0[c], w0, x);
                ai1[c] = _mm512_dpbusd_epi32(ai1[c], w1, x);
            }
        }
        const qg_panel *const ps[2] = {p0, p1};
        __m512 *const accs[2] = {acc0, acc1};
        const __m512i *const ais[2] = {ai0, ai1};
        qg_zmm_block_scale_n(B, Bm, mn, 2, ps, k, a, b, j, accs, ais, nc);
    }
    for (int c = 0; c < nc; c++) {
        _mm512_storeu_ps(Y + (b + c) * ldy, acc0[c]);
        _mm512_storeu_ps(Y + (b + c) * ldy + QG_ROWS, acc1[c]);
    }
}

/* Columns [b0, b1): full tiles, then the tail as one fully unrolled tile. */
AI void run1(const int B, const int Bm, const int mn, bool zp, const qg_panel *p, int nrows, int64_t k,
             const qg_act *a, int64_t b0, int64_t b1, float *Y, int64_t ldy) {
    const __mmask16 rmask = (__mmask16)((1u << nrows) - 1u);
    int64_t b = b0;
    for (; b + NC_MAX <= b1; b += NC_MAX)
        tile(B, Bm, mn, zp, p, k, a, b, Y, ldy, rmask, NC_MAX);
    // clang-format off
    switch (b1 - b) {
    case 7: tile(B, Bm, mn, zp, p, k, a, b, Y, ldy, rmask, 7); break;
    case 6: tile(B, Bm, mn, zp, p, k, a, b, Y, ldy, rmask, 6); break;
    case 5: tile(B, Bm, mn, zp, p, k, a, b, Y, ldy, rmask, 5); break;
    case 4: tile(B, Bm, mn, zp, p, k, a, b, Y, ldy, rmask, 4); break;
    case 3: tile(B, Bm, mn, zp, p, k, a, b, Y, ldy, rmask, 3); break;
    case 2: tile(B, Bm, mn, zp, p, k, a, b, Y, ldy, rmask, 2); break;
    case 1: tile(B, Bm, mn, zp, p, k, a, b, Y, ldy, rmask, 1); break;
    default: break;
    }
    // clang-format on
}

AI void run2(const int B, const int Bm, const int mn, bool zp, const qg_panel *p0, const qg_panel *p1,
             int64_t k, const qg_act *a, int64_t b0, int64_t b1, float *Y, int64_t ldy) {
    int64_t b = b0;
    for (; b + NC2_MAX <= b1; b += NC2_MAX)
        tile2(B, Bm, mn, zp, p0, p1, k, a, b, Y, ldy, NC2_MAX);
    // clang-format off
    switch (b1 - b) {
    case 5: tile2(B, Bm, mn, zp, p0, p1, k, a, b, Y, ldy, 5); break;
    case 4: tile2(B, Bm, mn, zp, p0, p1, k, a, b, Y, ldy, 4); break;
    case 3: tile2(B, Bm, mn, zp, p0, p1, k, a, b, Y, ldy, 3); break;
    case 2: tile2(B, Bm, mn, zp, p0, p1, k, a, b, Y, ldy, 2); break;
    case 1: tile2(B, Bm, mn, zp, p0, p1, k, a, b, Y, ldy, 1); break;
    default: break;
    }
    // clang-format on
}

/* The block shapes of the 12 types (ops/qgemm/types.c): (32, 32) with and
 * without a min, q2_K's (32, 16) with, q3_K's and q6_K's (16, 16) without. */
#define SHAPES(run, ...)                                                                                     \
    do {                                                                                                     \
        const bool zp = ty->off != 0;                                                                        \
        if (ty->B == 32 && ty->Bm == 32 && ty->has_min)                                                      \
            run(32, 32, 1, zp, __VA_ARGS__);                                                                 \
        else if (ty->B == 32 && ty->Bm == 32)                                                                \
            run(32, 32, 0, zp, __VA_ARGS__);                                                                 \
        else if (ty->B == 32 && ty->Bm == 16)                                                                \
            run(32, 16, ty->has_min, zp, __VA_ARGS__);                                                       \
        else if (ty->B == 16 && ty->Bm == 16)                                                                \
            run(16, 16, ty->has_min, zp, __VA_ARGS__);                                                       \
        else /* any other shape, at run time */                                                              \
            run(ty->B, ty->Bm, ty->has_min, zp, __VA_ARGS__);                                                \
    } while (0)

void qg_kernel_avx512vnni(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a,
                          int64_t b0, int64_t b1, float *Y, int64_t ldy) {
    SHAPES(run1, p, nrows, k, a, b0, b1, Y, ldy);
}

void qg_kernel2_avx512vnni(const qg_type *ty, const qg_panel *p0, const qg_panel *p1, int64_t k,
                           const qg_act *a, int64_t b0, int64_t b1, float *Y, int64_t ldy) {
    SHAPES(run2, p0, p1, k, a, b0, b1, Y, ldy);
}
