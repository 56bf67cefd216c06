/* Internal: the packed, cache-blocked f32 GEMM (BLIS-style).
 *
 * Loops, outer to inner: k in blocks of GEMM_KC, rows of C in blocks of at
 * most mc_max (the packed A block stays in L2), columns of C in panels of nr
 * (one B micro-panel packed just in time, kept in L1), rows in tiles of mr
 * (the register tile). With m <= mc_max, as in LLM layers, every element of
 * A and B is packed exactly once.
 *
 * Bit-reproducibility under any split of m or n: every C element gets its
 * k-sum as one FMA chain per k-block, p ascending from zero, then C = sum
 * (first block) or C += sum, blocks ascending. GEMM_KC is a constant, and
 * edge tiles run the same chains (padding only adds unused lanes). */
#ifndef REALM_GEMM_F32_H
#define REALM_GEMM_F32_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#define GEMM_KC 256     /* k block: fixed, so results do not depend on m or n */
#define GEMM_MC_BUF 576 /* rows of the packed A block (576 x 256 floats = 576 KB, in L2) */
#define GEMM_NR_MAX 32  /* widest register tile of any ISA */

/* Per-thread packing buffers, static size: kernels cannot fail. */
typedef struct realm_gemm_f32_ws {
    alignas(64) float a[GEMM_MC_BUF * GEMM_KC];
    alignas(64) float b[GEMM_KC * GEMM_NR_MAX];
} realm_gemm_f32_ws;

/* Packs the nr (<= the ISA's NR) columns of one B micro-panel for kc
 * k-steps into Bp[p * NR + c], zeros in columns nr..NR-1. B points at
 * element (p = 0, c = 0): B[p * ldb + c] for nn, B[c * ldb + p] for nt.
 * With `next`, a full panel of NR columns follows (its k range the same):
 * prefetch it, since with few rows of A packing B is memory-bound. */
typedef void (*realm_gemm_f32_pack_b_fn)(int64_t kc, int nr, const float *B, int64_t ldb, float *Bp,
                                         bool next);

/* C[r][c] (=, or += when !first) sum_p Ap[p * MR + r] * Bp[p * NR + c] for
 * r < mr, c < nr; each sum one FMA chain in p order. */
typedef void (*realm_gemm_f32_tile_fn)(int mr, int nr, int64_t kc, const float *Ap, const float *Bp, float *C,
                                       int64_t ldc, bool first);

typedef struct realm_gemm_f32_isa {
    int mr, nr;   /* register tile, nr <= GEMM_NR_MAX */
    bool b_trans; /* B given as Bt[n][k] (nt) */
    realm_gemm_f32_pack_b_fn pack_b;
    realm_gemm_f32_tile_fn tile;
} realm_gemm_f32_isa;

/* The blocked loops (ops/gemm/driver.c), same arguments as realm_gemm_f32_fn. */
void realm_gemm_f32_run(const realm_gemm_f32_isa *isa, int64_t m, int64_t n, int64_t k, const float *A,
                        int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc);

/* Whole-A packing, for callers that run the GEMM on many column slices of
 * the same A (the runtime's row chunks of Y = X W^T): every k block's
 * panels, once, shared read-only; then each slice skips its own packing.
 * k block pc's panel q sits at Ap + pc * m_pad + q * mr * kc (m_pad: m
 * rounded up to mr), as realm_gemm_f32_run would have packed it. */
int64_t realm_gemm_f32_apack_floats(int mr, int64_t m, int64_t k);
/* Panels [q0, q1) of every k block (threads split the panels). */
void realm_gemm_f32_apack(int mr, int64_t m, int64_t k, const float *A, int64_t lda, float *Ap, int64_t q0,
                          int64_t q1);
/* realm_gemm_f32_run with A already packed by realm_gemm_f32_apack: the
 * same bits. */
void realm_gemm_f32_run_packed(const realm_gemm_f32_isa *isa, int64_t m, int64_t n, int64_t k,
                               const float *Ap, const float *B, int64_t ldb, float *C, int64_t ldc);

/* Packs mc rows x kc columns of A (row stride lda) into panels of mr rows:
 * panel q holds Ap[q * mr * kc + p * mr + r] = A[(q * mr + r) * lda + p];
 * a last partial panel leaves its rows past mc unwritten (tiles read only
 * the rows they store). */
void realm_gemm_f32_pack_a(const float *A, int64_t lda, int64_t mc, int64_t kc, int mr, float *Ap);

/* ISA kernels (ops/x86/avx512/gemm_f32.c, ops/x86/avx2/gemm_f32.c). */
void realm_gemm_f32_nn_avx512(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *B,
                              int64_t ldb, float *C, int64_t ldc);
void realm_gemm_f32_nt_avx512(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *Bt,
                              int64_t ldb, float *C, int64_t ldc);
void realm_gemm_f32_nn_avx2(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *B,
                            int64_t ldb, float *C, int64_t ldc);
void realm_gemm_f32_nt_avx2(int64_t m, int64_t n, int64_t k, const float *A, int64_t lda, const float *Bt,
                            int64_t ldb, float *C, int64_t ldc);
/* nt with A packed by realm_gemm_f32_apack(REALM_GEMM_F32_MR_<ISA>, ...). */
#define REALM_GEMM_F32_MR_AVX512 14
#define REALM_GEMM_F32_MR_AVX2 6
void realm_gemm_f32_nt_packed_avx512(int64_t m, int64_t n, int64_t k, const float *Ap, const float *Bt,
                                     int64_t ldb, float *C, int64_t ldc);
void realm_gemm_f32_nt_packed_avx2(int64_t m, int64_t n, int64_t k, const float *Ap, const float *Bt,
                                   int64_t ldb, float *C, int64_t ldc);

#endif
