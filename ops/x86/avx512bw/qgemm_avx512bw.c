/* AVX-512 F/BW micro-kernel of the int8 GEMM path for CPUs without VNNI
 * (Skylake-SP/X): the tile of qgemm_vnni.c (16 rows x up to 8 columns),
 * with vpdpbusd replaced by vpmaddubsw + vpmaddwd. vpmaddubsw saturates
 * its int16 pair sums, so as in the AVX2 kernel: levels below 128 keep a
 * pair under 2 * 127 * 128 = 32512, and types centred at 128 use |w - 128|
 * against x negated where w - 128 < 0 (AVX-512 has no vpsignb: a masked
 * subtract). Same integer sums and float order as the portable kernel, so
 * the same bits. */
#include <immintrin.h>
#include <stdbool.h>

#include "qgemm/qgemm.h"
#include "x86/qgemm_zmm.h"

#define NC_MAX 8

/* B, Bm, mn (min), cen (levels centred at 128): compile-time constants in
 * each instance (the five shapes the types use), as in qgemm_vnni.c: the
 * groups unroll and j / per is a shift. zp: the type has a zero point to
 * undo through noff (neither centred nor a min type). */
static inline __attribute__((always_inline)) void tile(const int B, const int Bm, const int mn, const int cen,
                                                       bool zp, const qg_panel *p, int64_t k, const qg_act *a,
                                                       int64_t b, float *Y, int64_t ldy, __mmask16 rmask,
                                                       const int nc) {
    const int64_t nb = k / B;
    const __m512i ones = _mm512_set1_epi16(1), flip = _mm512_set1_epi8((char)0x80);
    __m512 acc[NC_MAX];
    __m512i ai[NC_MAX];
    for (int c = 0; c < nc; c++)
        acc[c] = _mm512_setzero_ps();
    const uint8_t *wq = p->q;
    for (int64_t j = 0; j < nb; j++) {
        for (int c = 0; c < nc; c++) /* centred weights carry no offset to undo */
            ai[c] = zp ? _mm512_set1_epi32(a->noff[(b + c) * nb + j]) : _mm512_setzero_si512();
        const int8_t *xq = a->q + b * k + j * B;
        for (int g = 0; g < B / 4; g++, wq += 64) {
            __m512i w = _mm512_load_si512((const void *)wq);
            __mmask64 neg = 0;
            if (cen) {
                const __m512i ws = _mm512_xor_si512(w, flip); /* q - 128, signed */
                neg = _mm512_movepi8_mask(ws);
                w = _mm512_abs_epi8(ws); /* <= 128, as u8 */
            }
            for (int c = 0; c < nc; c++) {
                int32_t xv;
                __builtin_memcpy(&xv, xq + c * k + g * 4, 4);
                __m512i x = _mm512_set1_epi32(xv);
                if (cen) x = _mm512_mask_sub_epi8(x, neg, _mm512_setzero_si512(), x);
                ai[c] = _mm512_add_epi32(ai[c], _mm512_madd_epi16(_mm512_maddubs_epi16(w, x), ones));
            }
        }
        qg_zmm_block_scale(B, Bm, mn, p, k, a, b, j, acc, ai, nc);
    }
    for (int c = 0; c < nc; c++)
        _mm512_mask_storeu_ps(Y + (b + c) * ldy, rmask, acc[c]);
}

static inline __attribute__((always_inline)) void run(const int B, const int Bm, const int mn, const int cen,
                                                      bool zp, const qg_panel *p, int nrows, int64_t k,
                                                      const qg_act *a, int64_t b0, int64_t b1, float *Y,
                                                      int64_t ldy) {
    const __mmask16 rmask = (__mmask16)((1u << nrows) - 1u);
    int64_t b = b0;
    for (; b + NC_MAX <= b1; b += NC_MAX)
        tile(B, Bm, mn, cen, zp, p, k, a, b, Y, ldy, rmask, NC_MAX);
    // clang-format off
    switch (b1 - b) { /* column tail: each case a fully unrolled tile */
    case 7: tile(B, Bm, mn, cen, zp, p, k, a, b, Y, ldy, rmask, 7); break;
    case 6: tile(B, Bm, mn, cen, zp, p, k, a, b, Y, ldy, rmask, 6); break;
    case 5: tile(B, Bm, mn, cen, zp, p, k, a, b, Y, ldy, rmask, 5); break;
    case 4: tile(B, Bm, mn, cen, zp, p, k, a, b, Y, ldy, rmask, 4); break;
    case 3: tile(B, Bm, mn, cen, zp, p, k, a, b, Y, ldy, rmask, 3); break;
    case 2: tile(B, Bm, mn, cen, zp, p, k, a, b, Y, ldy, rmask, 2); break;
    case 1: tile(B, Bm, mn, cen, zp, p, k, a, b, Y, ldy, rmask, 1); break;
    default: break;
    }
    // clang-format on
}

void qg_kernel_avx512bw(const qg_type *ty, const qg_panel *p, int nrows, int64_t k, const qg_act *a,
                        int64_t b0, int64_t b1, float *Y, int64_t ldy) {
    const int cen = ty->off == 128;
    const bool zp = ty->off != 0 && !cen;
    if (ty->B == 32 && ty->Bm == 32 && ty->has_min && !cen)
        run(32, 32, 1, 0, zp, p, nrows, k, a, b0, b1, Y, ldy);
    else if (ty->B == 32 && ty->Bm == 32 && !ty->has_min && cen)
        run(32, 32, 0, 1, zp, p, nrows, k, a, b0, b1, Y, ldy);
    else if (ty->B == 32 && ty->Bm == 32 && !ty->has_min)
        run(32, 32, 0, 0, zp, p, nrows, k, a, b0, b1, Y, ldy);
    else if (ty->B == 32 && ty->Bm == 16)
        run(32, 16, ty->has_min, cen, zp, p, nrows, k, a, b0, b1, Y, ldy);
    else if (ty->B == 16 && ty->Bm == 16)
        run(16, 16, ty->has_min, cen, zp, p, nrows, k, a, b0, b1, Y, ldy);
    else /* any other shape, at run time */
        run(ty->B, ty->Bm, ty->has_min, cen, zp, p, nrows, k, a, b0, b1, Y, ldy);
}
