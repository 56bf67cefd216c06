/* Internal: pieces shared by the K-quant formats (q2_K..q6_K).
 *
 * Each format quantizes a 256-element super-block in two steps:
 *  1. a seed: ggml's reference rule (quantize_row_qX_K_ref), ported with the
 *     same float evaluation order so that it produces the same blocks;
 *  2. kq_refine: a search over the fp16 super-block scales and the integer
 *     sub-block scales that keeps a change only when the error of the real
 *     encode/decode drops. So the result is never worse than ggml's.
 *
 * A super-block is described by its integer scales (kq_scales); element i
 * of sub-block j decodes as
 *     dl = d * sc[j], ml = dmin * mn[j], y = dl * q - ml,
 * which is the evaluation order of every K-quant dequantizer (formats
 * without mins have dmin = 0, mn = 0, and y = dl * q - 0 = dl * q exactly). */
#ifndef REALM_QUANT_KQUANT_UTIL_H
#define REALM_QUANT_KQUANT_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#define KQ_MAX_SUB 16

/* Shape of one format. */
typedef struct {
    int nsub, len;  /* sub-blocks per super-block, elements per sub-block */
    int qmin, qmax; /* range of the quants */
    int smin, smax; /* range of the sub-block scales */
    int mmax;       /* mins in [0, mmax]; 0 for formats without mins */
} kq_layout;

typedef struct {
    uint16_t d, dmin; /* fp16 bits */
    int sc[KQ_MAX_SUB], mn[KQ_MAX_SUB];
} kq_scales;

/* clamp(nearest_int(t), lo, hi) as a float, for integers |lo|, |hi| < 2^22;
 * NaN gives lo. Clamping first gives the same integer and keeps the loops
 * that use it branch-free (vectorizable). Adding 1.5 * 2^23 makes the
 * float's ulp 1, so the FPU rounds t to an integer, ties to even. */
static inline float kq_round_clamp(float t, float lo, float hi) {
    t = t > lo ? t : lo;
    t = t < hi ? t : hi;
    return (t + 12582912.0f) - 12582912.0f;
}

/* fp32 -> fp16 bits, saturating at +-65504 (an inf scale would decode to
 * inf or NaN); NaN gives 0. */
uint16_t kq_fp16(float v);

/* ggml's make_qkx2_quants: scale and min of x ~ scale * q - min, q in
 * [0, nmax], searched over nstep + 1 candidate scales (weights w; error
 * |diff| when use_mad, else diff^2). Returns the scale, *the_min >= 0. */
float kq_scale_min_search(int n, int nmax, const float *x, const float *w, float *the_min, float rmin,
                          float rdelta, int nstep, bool use_mad);

/* ggml's make_q3_quants (with rmse): x ~ scale * q, q in [-nmax, nmax - 1],
 * greedy per-element refinement of q under weights w (ggml uses x^2). */
float kq_scale_search_q3(int n, int nmax, const float *x, const float *w);

/* ggml's make_qx_quants (rmse_type 1): x ~ scale * q, q in [-nmax, nmax - 1],
 * best of 19 candidate scales under weights w (ggml uses x^2). */
float kq_scale_search_qx(int n, int nmax, const float *x, const float *w);

/* ggml's reference rule (quantize_row_qX_K_ref) up to the integer scales,
 * for formats with mins (q2_K, q4_K, q5_K): kq_scale_min_search per
 * sub-block (rdelta 0.1) with weights |x|, plus the sub-block's rms when
 * add_rms, times imp when given; then integers relative to the largest
 * scale and min. The unrounded values go to scales / mins for kq_refine. */
void kq_seed_affine(const kq_layout *f, const float *x, const float *imp, bool add_rms, float rmin, int nstep,
                    bool use_mad, kq_scales *s, float *scales, float *mins);

/* The same for formats without mins: q3_K (q3_search) or q6_K (the qx
 * search), weights x^2 times imp; the largest scale maps to f->smin. */
void kq_seed_sym(const kq_layout *f, const float *x, const float *imp, bool q3_search, kq_scales *s,
                 float *scales);

/* 6-bit scale and min of sub-block j (0..7) in the 12-byte q4_K/q5_K field;
 * pack ORs into s, which must start zeroed. */
void kq_pack_scale_min_k4(uint8_t *s, int j, int sc, int mn);
void kq_unpack_scale_min_k4(const uint8_t *s, int j, int *sc, int *mn);

/* Improves s for the super-block x (weights w, NULL for all ones) and writes
 * the quants of the final scales into L. ideal_s / ideal_m are the seed's
 * unrounded per-sub-block scales and mins, used to try other super-block
 * scales. The weighted squared error never increases. */
void kq_refine(const kq_layout *f, const float *x, const float *w, const float *ideal_s, const float *ideal_m,
               kq_scales *s, int8_t *L);

#endif
