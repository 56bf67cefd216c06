/* The blocked loops of the f32 GEMM (gemm_f32.h), shared by the ISAs. */
#include <stddef.h>

#include "gemm/gemm_f32.h"

static _Thread_local realm_gemm_f32_ws ws;

/* Rows of A rounded up to whole panels: a k block's share of a whole-A pack. */
static int64_t padded_rows(int mr, int64_t m) { return (m + mr - 1) / mr * mr; }

/* A is packed here (Ap NULL) or was packed whole by realm_gemm_f32_apack. */
static void run(const realm_gemm_f32_isa *isa, int64_t m, int64_t n, int64_t k, const float *A, int64_t lda,
                const float *Ap, const float *B, int64_t ldb, float *C, int64_t ldc) {
    realm_gemm_f32_ws *w = &ws; /* one TLS lookup per call */
    const int64_t m_pad = padded_rows(isa->mr, m);
    const int mr = isa->mr, nr = isa->nr;
    /* Equal row blocks (multiples of mr) of at most the buffer's rows: a
     * block split changes only which tiles share a packed A, never sums. */
    const int64_t mc_max = (int64_t)(GEMM_MC_BUF / mr) * mr, nblk = (m + mc_max - 1) / mc_max;
    const int64_t mc = ((m + nblk - 1) / nblk + mr - 1) / mr * mr;
    for (int64_t pc = 0; pc < k; pc += GEMM_KC) {
        const int64_t kc = k - pc < GEMM_KC ? k - pc : GEMM_KC;
        for (int64_t ic = 0; ic < m; ic += mc) {
            const int64_t mcur = m - ic < mc ? m - ic : mc;
            const float *ablk = Ap ? Ap + pc * m_pad + ic * kc : w->a;
            if (!Ap) realm_gemm_f32_pack_a(A + ic * lda + pc, lda, mcur, kc, mr, w->a);
            for (int64_t jc = 0; jc < n; jc += nr) {
                const int ncur = n - jc < nr ? (int)(n - jc) : nr;
                isa->pack_b(kc, ncur, isa->b_trans ? B + jc * ldb + pc : B + pc * ldb + jc, ldb, w->b,
                            n - jc >= 2 * nr);
                for (int64_t ir = 0; ir < mcur; ir += mr) {
                    const int mcr = mcur - ir < mr ? (int)(mcur - ir) : mr;
                    isa->tile(mcr, ncur, kc, ablk + ir * kc, w->b, C + (ic + ir) * ldc + jc, ldc, pc == 0);
                }
            }
        }
    }
}

void realm_gemm_f32_run(const realm_gemm_f32_isa *isa, int64_t m, int64_t n, int64_t k, const float *A,
                        int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc) {
    run(isa, m, n, k, A, lda, NULL, B, ldb, C, ldc);
}

void realm_gemm_f32_run_packed(const realm_gemm_f32_isa *isa, int64_t m, int64_t n, int64_t k,
                               const float *Ap, const float *B, int64_t ldb, float *C, int64_t ldc) {
    run(isa, m, n, k, NULL, 0, Ap, B, ldb, C, ldc);
}

int64_t realm_gemm_f32_apack_floats(int mr, int64_t m, int64_t k) { return padded_rows(mr, m) * k; }

void realm_gemm_f32_apack(int mr, int64_t m, int64_t k, const float *A, int64_t lda, float *Ap, int64_t q0,
                          int64_t q1) {
    const int64_t m_pad = padded_rows(mr, m);
    for (int64_t pc = 0; pc < k; pc += GEMM_KC) {
        const int64_t kc = k - pc < GEMM_KC ? k - pc : GEMM_KC;
        const int64_t r0 = q0 * mr, r1 = q1 * mr < m ? q1 * mr : m;
        if (r1 > r0)
            realm_gemm_f32_pack_a(A + r0 * lda + pc, lda, r1 - r0, kc, mr, Ap + pc * m_pad + r0 * kc);
    }
}
