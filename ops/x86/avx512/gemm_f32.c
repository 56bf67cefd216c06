/* AVX-512 f32 GEMM: a 14x32 register tile (28 zmm accumulators, 2 for the
 * B row, 1 broadcast) fed by packed panels (gemm_f32.h). Per k-step: 2 B
 * loads + 14 broadcasts for 28 FMAs, so the FMA pipes, not loads, limit. */
#include <immintrin.h>

#include "gemm/gemm_f32.h"

#define MR REALM_GEMM_F32_MR_AVX512
#define NV 2 /* zmm vectors per tile row */
#define NR (16 * NV)

/* Lanes of vector v that hold one of the n valid columns. */
static inline __mmask16 col_mask(int n, int v) {
    const int c = n - 16 * v;
    return c >= 16 ? (__mmask16)0xFFFF : c <= 0 ? 0 : (__mmask16)((1u << c) - 1u);
}

/* mr is a constant in each instance, so acc[][] lives in registers. */
static inline __attribute__((always_inline)) void tile_mr(const int mr, int nr, int64_t kc, const float *Ap,
                                                          const float *Bp, float *C, int64_t ldc,
                                                          bool first) {
    __m512 acc[MR][NV];
    for (int r = 0; r < mr; r++) {
        _mm_prefetch((const char *)(C + r * ldc), _MM_HINT_T0); /* C is next needed after kc steps */
        _mm_prefetch((const char *)(C + r * ldc + nr - 1), _MM_HINT_T0);
        for (int v = 0; v < NV; v++)
            acc[r][v] = _mm512_setzero_ps();
    }
    for (int64_t p = 0; p < kc; p++, Ap += MR, Bp += NR) {
        __m512 b[NV];
        for (int v = 0; v < NV; v++)
            b[v] = _mm512_load_ps(Bp + 16 * v);
        for (int r = 0; r < mr; r++) {
            const __m512 a = _mm512_set1_ps(Ap[r]);
            for (int v = 0; v < NV; v++)
                acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
        }
    }
    for (int v = 0; v < NV; v++) {
        const __mmask16 mk = col_mask(nr, v);
        for (int r = 0; r < mr; r++) {
            float *c = C + r * ldc + 16 * v;
            const __m512 s = first ? acc[r][v] : _mm512_add_ps(_mm512_maskz_loadu_ps(mk, c), acc[r][v]);
            _mm512_mask_storeu_ps(c, mk, s);
        }
    }
}

/* One instance per row count: edge tiles (m % 14 rows, and m < 14 as in
 * decoding a few tokens) run only the rows they have. */
static void tile(int mr, int nr, int64_t kc, const float *Ap, const float *Bp, float *C, int64_t ldc,
                 bool first) {
    // clang-format off
    switch (mr) {
    case 14: tile_mr(14, nr, kc, Ap, Bp, C, ldc, first); break;
    case 13: tile_mr(13, nr, kc, Ap, Bp, C, ldc, first); break;
    case 12: tile_mr(12, nr, kc, Ap, Bp, C, ldc, first); break;
    case 11: tile_mr(11, nr, kc, Ap, Bp, C, ldc, first); break;
    case 10: tile_mr(10, nr, kc, Ap, Bp, C, ldc, first); break;
    case 9: tile_mr(9, nr, kc, Ap, Bp, C, ldc, first); break;
    case 8: tile_mr(8, nr, kc, Ap, Bp, C, ldc, first); break;
    case 7: tile_mr(7, nr, kc, Ap, Bp, C, ldc, first); break;
    case 6: tile_mr(6, nr, kc, Ap, Bp, C, ldc, first); break;
    case 5: tile_mr(5, nr, kc, Ap, Bp, C, ldc, first); break;
    case 4: tile_mr(4, nr, kc, Ap, Bp, C, ldc, first); break;
    case 3: tile_mr(3, nr, kc, Ap, Bp, C, ldc, first); break;
    case 2: tile_mr(2, nr, kc, Ap, Bp, C, ldc, first); break;
    default: tile_mr(1, nr, kc, Ap, Bp, C, ldc, first); break;
    }
    // clang-format on
}

/* nn: each k-step of the panel is a contiguous piece of a row of B. */
static void pack_b_nn(int64_t kc, int nr, const float *B, int64_t ldb, float *Bp, bool next) {
    for (int64_t p = 0; p < kc; p++)
        for (int v = 0; v < NV; v++) {
            if (next) _mm_prefetch((const char *)(B + p * ldb + NR + 16 * v), _MM_HINT_T1);
            _mm512_store_ps(Bp + p * NR + 16 * v,
                            _mm512_maskz_loadu_ps(col_mask(nr, v), B + p * ldb + 16 * v));
        }
}

/* In-register transpose of a 16x16 block: 64 shuffles, 4 per element row. */
static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) { /* per 128-bit lane: 2x2 blocks of floats */
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) { /* 4x4 transposed within each lane: r[4i+j] lane L = column 4L+j */
        const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
        const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
        r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int j = 0; j < 4; j++) { /* gather lane L of r[j], r[4+j], r[8+j], r[12+j] */
        const __m512 u0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x44),
                     u1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xEE);
        const __m512 v0 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x44);
        const __m512 v1 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xEE);
        t[j] = _mm512_shuffle_f32x4(u0, v0, 0x88);
        t[4 + j] = _mm512_shuffle_f32x4(u0, v0, 0xDD);
        t[8 + j] = _mm512_shuffle_f32x4(u1, v1, 0x88);
        t[12 + j] = _mm512_shuffle_f32x4(u1, v1, 0xDD);
    }
    for (int i = 0; i < 16; i++)
        r[i] = t[i];
}

/* nt: the panel's columns are rows of Bt; transpose 16x16 blocks. Rows past
 * nr and k past kc read as zero and are never loaded. */
static void pack_b_nt(int64_t kc, int nr, const float *Bt, int64_t ldb, float *Bp, bool next) {
    for (int v = 0; v < NV; v++) {
        const int rows = nr - 16 * v;
        for (int64_t p0 = 0; p0 < kc; p0 += 16) {
            const int64_t np = kc - p0 < 16 ? kc - p0 : 16;
            const __mmask16 km = (__mmask16)((1u << np) - 1u);
            __m512 r[16];
            for (int i = 0; i < 16; i++) {
                const float *row = Bt + (16 * v + i) * ldb + p0;
                if (next) _mm_prefetch((const char *)(row + NR * ldb), _MM_HINT_T1);
                r[i] = i < rows ? _mm512_maskz_loadu_ps(km, row) : _mm512_setzero_ps();
            }
            transpose16(r);
            for (int64_t i = 0; i < np; i++)
                _mm512_store_ps(Bp + (p0 + i) * NR + 16 * v, r[i]);
        }
    }
}

static const realm_gemm_f32_isa isa_nn = {MR, NR, false, pack_b_nn, tile};
static const realm_gemm_f32_isa isa_nt = {MR, NR, true, pack_b_nt, tile};

void realm_gemm_f32_nn_avx512(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *B,
                              int64_t ldb, float *C, int64_t ldc) {
    realm_gemm_f32_run(&isa_nn, m, n, k, A, lda, B, ldb, C, ldc);
}

void realm_gemm_f32_nt_avx512(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *Bt,
                              int64_t ldb, float *C, int64_t ldc) {
    realm_gemm_f32_run(&isa_nt, m, n, k, A, lda, Bt, ldb, C, ldc);
}

void realm_gemm_f32_nt_packed_avx512(int64_t m, int64_t n, int64_t k, const float *Ap, const float *Bt,
                                     int64_t ldb, float *C, int64_t ldc) {
    realm_gemm_f32_run_packed(&isa_nt, m, n, k, Ap, Bt, ldb, C, ldc);
}
