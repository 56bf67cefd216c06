/* AVX2 f32 GEMM: the classic 6x16 register tile (12 ymm accumulators, 2 for
 * the B row, 1 broadcast: 15 of 16 registers) fed by packed panels
 * (gemm_f32.h). Per k-step: 2 B loads + 6 broadcasts for 12 FMAs. */
#include <immintrin.h>

#include "gemm/gemm_f32.h"

#define MR REALM_GEMM_F32_MR_AVX2
#define NR 16

/* All-ones lanes for the first n of 8 (n may be <= 0 or >= 8). */
static inline __m256i lane_mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* mr is a constant in each instance, so acc[][] lives in registers. The
 * broadcast is set1 of a loaded float: with _mm256_broadcast_ss GCC keeps
 * acc[][] in memory too and stores it on every k-step. */
static inline __attribute__((always_inline)) void tile_mr(const int mr, int nr, int64_t kc, const float *Ap,
                                                          const float *Bp, float *C, int64_t ldc,
                                                          bool first) {
    __m256 acc[MR][2];
    for (int r = 0; r < mr; r++) {
        _mm_prefetch((const char *)(C + r * ldc), _MM_HINT_T0); /* C is next needed after kc steps */
        _mm_prefetch((const char *)(C + r * ldc + nr - 1), _MM_HINT_T0);
        acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    }
    for (int64_t p = 0; p < kc; p++, Ap += MR, Bp += NR) {
        const __m256 b0 = _mm256_load_ps(Bp), b1 = _mm256_load_ps(Bp + 8);
        for (int r = 0; r < mr; r++) {
            const __m256 a = _mm256_set1_ps(Ap[r]);
            acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
        }
    }
    const bool full = nr == NR; /* then plain loads and stores: masked stores are slow on AMD */
    for (int v = 0; v < 2; v++) {
        const __m256i mk = lane_mask(nr - 8 * v);
        for (int r = 0; r < mr; r++) {
            float *c = C + r * ldc + 8 * v;
            __m256 s = acc[r][v];
            if (!first) s = _mm256_add_ps(full ? _mm256_loadu_ps(c) : _mm256_maskload_ps(c, mk), s);
            if (full)
                _mm256_storeu_ps(c, s);
            else
                _mm256_maskstore_ps(c, mk, s);
        }
    }
}

/* One instance per row count: edge tiles run only the rows they have. */
static void tile(int mr, int nr, int64_t kc, const float *Ap, const float *Bp, float *C, int64_t ldc,
                 bool first) {
    // clang-format off
    switch (mr) {
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
    const __m256i m0 = lane_mask(nr), m1 = lane_mask(nr - 8);
    for (int64_t p = 0; p < kc; p++) {
        const float *b = B + p * ldb;
        if (next) _mm_prefetch((const char *)(b + NR), _MM_HINT_T1);
        _mm256_store_ps(Bp + p * NR, _mm256_maskload_ps(b, m0));
        _mm256_store_ps(Bp + p * NR + 8, _mm256_maskload_ps(b + 8, m1));
    }
}

/* In-register transpose of an 8x8 block: 24 shuffles. */
static inline void transpose8(__m256 r[8]) {
    __m256 t[8];
    for (int i = 0; i < 4; i++) { /* per 128-bit lane: 2x2 blocks of floats */
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) { /* 4x4 transposed within each lane: r[4i+j] lane L = column 4L+j */
        r[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        r[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        r[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        r[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int j = 0; j < 4; j++) {
        t[j] = _mm256_permute2f128_ps(r[j], r[4 + j], 0x20);
        t[4 + j] = _mm256_permute2f128_ps(r[j], r[4 + j], 0x31);
    }
    for (int i = 0; i < 8; i++)
        r[i] = t[i];
}

/* nt: the panel's columns are rows of Bt; transpose 8x8 blocks. Rows past
 * nr and k past kc read as zero and are never loaded. */
static void pack_b_nt(int64_t kc, int nr, const float *Bt, int64_t ldb, float *Bp, bool next) {
    for (int v = 0; v < 2; v++) {
        const int rows = nr - 8 * v;
        for (int64_t p0 = 0; p0 < kc; p0 += 8) {
            const int np = kc - p0 < 8 ? (int)(kc - p0) : 8;
            const __m256i km = lane_mask(np);
            __m256 r[8];
            for (int i = 0; i < 8; i++) {
                const float *row = Bt + (8 * v + i) * ldb + p0;
                if (next && p0 % 16 == 0) _mm_prefetch((const char *)(row + NR * ldb), _MM_HINT_T1);
                r[i] = i < rows ? _mm256_maskload_ps(row, km) : _mm256_setzero_ps();
            }
            transpose8(r);
            for (int i = 0; i < np; i++)
                _mm256_store_ps(Bp + (p0 + i) * NR + 8 * v, r[i]);
        }
    }
}

static const realm_gemm_f32_isa isa_nn = {MR, NR, false, pack_b_nn, tile};
static const realm_gemm_f32_isa isa_nt = {MR, NR, true, pack_b_nt, tile};

void realm_gemm_f32_nn_avx2(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *B,
                            int64_t ldb, float *C, int64_t ldc) {
    realm_gemm_f32_run(&isa_nn, m, n, k, A, lda, B, ldb, C, ldc);
}

void realm_gemm_f32_nt_avx2(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *Bt,
                            int64_t ldb, float *C, int64_t ldc) {
    realm_gemm_f32_run(&isa_nt, m, n, k, A, lda, Bt, ldb, C, ldc);
}

void realm_gemm_f32_nt_packed_avx2(int64_t m, int64_t n, int64_t k, const float *Ap, const float *Bt,
                                   int64_t ldb, float *C, int64_t ldc) {
    realm_gemm_f32_run_packed(&isa_nt, m, n, k, Ap, Bt, ldb, C, ldc);
}
