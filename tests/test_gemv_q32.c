/* Batch-1 kernels of the 32-element types (Q4_0 .. Q8_1) and the Q8_0 /
 * Q8_1 activation quantizers, for each ISA the CPU has: the portable
 * kernels, the AVX2 ones and the AVX-512 VNNI ones, each table built here
 * with the fillers so every ISA is tested whatever REALM_ISA says. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "realm/cpu.h"
#include "realm/quant.h"
#include "util.h"

enum { ISA_SCALAR, ISA_AVX2, ISA_AVX512 };
static const char *isa_name[] = {"scalar", "avx2", "avx512-vnni"};

static bool isa_available(int isa) {
    const realm_cpu_features *f = realm_cpu_get_features();
    if (isa == ISA_AVX2) return f->avx2 && f->fma && f->f16c;
    if (isa == ISA_AVX512)
        return f->avx2 && f->fma && f->f16c && f->avx512f && f->avx512bw && f->avx512vl && f->avx512dq &&
               f->avx512vnni;
    return true;
}

/* The table the dispatcher would build for this ISA, 32-element slots only. */
static realm_gemv_table table_for(int isa) {
    realm_gemv_table t;
    memset(&t, 0, sizeof t);
    realm_gemv_fill_scalar_q32(&t);
    if (isa >= ISA_AVX2) realm_gemv_fill_avx2_q32(&t);
    if (isa >= ISA_AVX512) realm_gemv_fill_avx512_q32(&t);
    return t;
}

static const realm_type types[] = {REALM_TYPE_Q4_0, REALM_TYPE_Q4_1, REALM_TYPE_Q5_0,
                                   REALM_TYPE_Q5_1, REALM_TYPE_Q8_0, REALM_TYPE_Q8_1};
#define N_TYPES (sizeof types / sizeof types[0])

static bool has_min(realm_type t) { return t == REALM_TYPE_Q4_1 || t == REALM_TYPE_Q5_1; }

/* fp16 min m of weight block b (Q4_1 / Q5_1 keep it right after d). */
static float block_min(realm_type t, const void *w, int64_t b) {
    const uint8_t *p = (const uint8_t *)w + b * realm_type_get_traits(t)->block_bytes;
    uint16_t m;
    memcpy(&m, p + 2, sizeof m);
    return realm_fp16_to_fp32(m);
}

typedef struct {
    double exact;     /* from dequantized weights and activations, min term through s */
    double naive;     /* sum w * x on the float activations */
    double abs_sum;   /* sum |w * x| on the float activations */
    double act_bound; /* what activation quantization can explain (see check_row) */
} refs;

/* References for one row. wf: dequantized weights; xf: float activations;
 * xq: their Q8_0 / Q8_1 blocks. For Q4_1 / Q5_1 the kernels use the
 * block's s = fp16(d_x * sum q_x) where the dequantized product has
 * sum x_j; the exact reference follows the kernels: + m (s - sum x_j). */
static refs references(realm_type t, const float *wf, const void *w, const float *xf, const void *xq,
                       int64_t k) {
    const realm_type xt = realm_type_get_traits(t)->dot_type;
    float *xd = malloc((size_t)k * sizeof *xd);
    cr_assert_eq(realm_dequantize_row(xt, xq, xd, k), REALM_OK);
    refs r = {0, 0, 0, 0};
    for (int64_t b = 0; b < k / 32; b++) {
        double sx = 0, wabs = 0, amax = 0;
        for (int64_t j = b * 32; j < b * 32 + 32; j++) {
            r.exact += (double)wf[j] * xd[j];
            r.naive += (double)wf[j] * xf[j];
            r.abs_sum += fabs((double)wf[j] * xf[j]);
            sx += xd[j];
            wabs += fabs(wf[j]);
            amax = fmax(amax, fabs(xf[j]));
        }
        /* |x - q fp16(d)| <= d / 2 + 127 |d - fp16(d)| <= (1/2 + 127 * 2^-11) d, d = amax / 127 */
        r.act_bound += wabs * 0.5625 * amax / 127;
        if (has_min(t)) {
            const block_q8_1 *x1 = (const block_q8_1 *)xq + b;
            const double s = realm_fp16_to_fp32(x1->s), m = block_min(t, w, b);
            r.exact += m * (s - sx);
            r.act_bound += fabs(m) * fabs(sx) * 0x1p-11; /* s is sum x rounded to fp16 */
        }
    }
    free(xd);
    return r;
}

/* One row of type t, k elements, through the table's kernels; the
 * activations are quantized by the scalar quantizer so that every ISA
 * sees the same blocks. Float order is the only difference the kernels
 * may have from the exact reference: 1e-5 of sum |w x| covers it (a float
 * sum of 256 block terms errs by far less); a wrong block, scale, offset
 * or min is off by much more. */
static void check_row(int isa, realm_type t, int64_t k, uint64_t seed) {
    const realm_gemv_table tab = table_for(isa), scalar = table_for(ISA_SCALAR);
    const realm_type xt = realm_type_get_traits(t)->dot_type;
    tu_rng rng = {seed};
    float *wsrc = malloc((size_t)k * sizeof *wsrc), *wf = malloc((size_t)k * sizeof *wf);
    float *xf = malloc((size_t)k * sizeof *xf);
    void *w = malloc(realm_row_bytes(t, k)), *xq = malloc(realm_row_bytes(xt, k));
    tu_fill(&rng, wsrc, k, 0.05f);
    tu_fill(&rng, xf, k, 2.0f);
    cr_assert_eq(realm_quantize_row(t, wsrc, w, k), REALM_OK);
    cr_assert_eq(realm_dequantize_row(t, w, wf, k), REALM_OK);
    scalar.quantize_act[xt](xf, xq, k);

    float got = NAN;
    tab.vec_dot[t](k, w, xq, &got);
    const refs r = references(t, wf, w, xf, xq, k);
    cr_assert(isfinite(got));
    cr_assert_leq(fabs(got - r.exact), 1e-5 * r.abs_sum, "%s %s k=%lld: %.9g vs exact %.9g (sum|wx| %.6g)",
                  isa_name[isa], realm_type_name(t), (long long)k, got, r.exact, r.abs_sum);
    /* Against the float activations the error is what quantizing them
     * explains: about 2e-2 of sum |w x| at k = 8192 for this data (up to
     * 6e-2 for a single block with an outlier); the errors seen are 10 to
     * 40 times smaller, as the per-element errors partly cancel. */
    cr_assert_leq(fabs(got - r.naive), r.act_bound + 1e-5 * r.abs_sum,
                  "%s %s k=%lld: %.9g vs naive %.9g (bound %.3g)", isa_name[isa], realm_type_name(t),
                  (long long)k, got, r.naive, r.act_bound);
    free(wsrc);
    free(wf);
    free(xf);
    free(w);
    free(xq);
}

static void check_isa(int isa) {
    if (!isa_available(isa)) cr_skip("CPU lacks %s", isa_name[isa]);
    /* 1..3 blocks (tails only), 9 (a full 8-block step and a tail), 256 */
    static const int64_t ks[] = {32, 64, 96, 128, 160, 288, 8192};
    for (size_t i = 0; i < N_TYPES; i++)
        for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++)
            for (uint64_t s = 0; s < 3; s++)
                check_row(isa, types[i], ks[j], 1000 * i + 10 * j + s + 1);
}

Test(gemv_q32, vec_dot_scalar) { check_isa(ISA_SCALAR); }
Test(gemv_q32, vec_dot_avx2) { check_isa(ISA_AVX2); }
Test(gemv_q32, vec_dot_avx512) { check_isa(ISA_AVX512); }

/* ---- extreme values --------------------------------------------------- */

/* A weight row of nb blocks with every quant at its largest level (or, for
 * int8, at -128 when neg), d = 1, m = mn; returns that level as an integer
 * (offset removed). Q8_1's s is set to infinity: kernels must ignore it. */
static int fill_extreme_weights(realm_type t, void *w, int64_t nb, bool neg, float mn) {
    const size_t bb = realm_type_get_traits(t)->block_bytes;
    const uint16_t one = realm_fp32_to_fp16(1.0f), m = realm_fp32_to_fp16(mn), inf = 0x7C00;
    memset(w, 0xFF, (size_t)nb * bb); /* nibbles 15, qh all ones, int8 -1 */
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *p = (uint8_t *)w + (size_t)b * bb;
        memcpy(p, &one, 2);
        if (has_min(t)) memcpy(p + 2, &m, 2);
        if (t == REALM_TYPE_Q8_0 || t == REALM_TYPE_Q8_1) {
            const size_t off = t == REALM_TYPE_Q8_0 ? 2 : 4;
            memset(p + off, neg ? 0x80 : 0x7F, 32);
            if (t == REALM_TYPE_Q8_1) memcpy(p + 2, &inf, 2);
        }
    }
    switch (t) {
    case REALM_TYPE_Q4_0:
        return 15 - 8;
    case REALM_TYPE_Q4_1:
        return 15;
    case REALM_TYPE_Q5_0:
        return 31 - 16;
    case REALM_TYPE_Q5_1:
        return 31;
    default:
        return neg ? -128 : 127;
    }
}

/* Activations of nb blocks, d = 1, quants q[j % 4] (each +-127). */
static void fill_extreme_act(realm_type xt, void *x, int64_t nb, const int8_t q[4]) {
    const uint16_t one = realm_fp32_to_fp16(1.0f);
    for (int64_t b = 0; b < nb; b++) {
        int sum = 0;
        int8_t qs[32];
        for (int j = 0; j < 32; j++)
            sum += qs[j] = q[j % 4];
        if (xt == REALM_TYPE_Q8_0) {
            block_q8_0 *y = (block_q8_0 *)x + b;
            y->d = one;
            memcpy(y->qs, qs, 32);
        } else {
            block_q8_1 *y = (block_q8_1 *)x + b;
            y->d = one;
            y->s = realm_fp32_to_fp16((float)sum); /* |sum| <= 4064: exact */
            memcpy(y->qs, qs, 32);
        }
    }
}

/* Largest levels against +-127 everywhere: every product and pair sum is
 * as large as the formats allow (where vpmaddubsw would saturate if the
 * unsigned operand were the int8 one), and the result is an integer below
 * 2^24, so any order of float sums gives it exactly. */
static void check_extremes(int isa) {
    if (!isa_available(isa)) cr_skip("CPU lacks %s", isa_name[isa]);
    const realm_gemv_table tab = table_for(isa);
    static const int8_t pats[][4] = {{127, 127, 127, 127}, {-127, -127, -127, -127}, {127, 127, -127, -127}};
    static const int64_t ks[] = {32, 288};
    for (size_t i = 0; i < N_TYPES; i++) {
        const realm_type t = types[i], xt = realm_type_get_traits(t)->dot_type;
        for (size_t kk = 0; kk < 2; kk++) {
            const int64_t k = ks[kk], nb = k / 32;
            void *w = malloc(realm_row_bytes(t, k)), *x = malloc(realm_row_bytes(xt, k));
            for (int neg = 0; neg < 2; neg++)
                for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
                    const float mn = neg ? -3.0f : 2.0f;
                    const int level = fill_extreme_weights(t, w, nb, neg, mn);
                    fill_extreme_act(xt, x, nb, pats[p]);
                    const int sq = 8 * (pats[p][0] + pats[p][1] + pats[p][2] + pats[p][3]); /* per block */
                    const double want =
                        (double)nb * ((double)level * (double)sq + (has_min(t) ? mn * (double)sq : 0));
                    float got = NAN;
                    tab.vec_dot[t](k, w, x, &got);
                    cr_assert_eq((double)got, want, "%s %s k=%lld pattern %zu neg %d: %.1f, want %.1f",
                                 isa_name[isa], realm_type_name(t), (long long)k, p, neg, got, want);
                }
            free(w);
            free(x);
        }
    }
}

Test(gemv_q32, extremes_exact_scalar) { check_extremes(ISA_SCALAR); }
Test(gemv_q32, extremes_exact_avx2) { check_extremes(ISA_AVX2); }
Test(gemv_q32, extremes_exact_avx512) { check_extremes(ISA_AVX512); }

/* ---- activation quantizers ------------------------------------------ */

/* k floats that exercise the quantizer: random blocks at several scales,
 * an all-zero block, a block with one nonzero, and a block whose scale is
 * exactly 1 with values on rounding ties (n + 0.5 rounds to even). */
static float *act_input(int64_t k, uint64_t seed) {
    tu_rng rng = {seed};
    float *x = malloc((size_t)k * sizeof *x);
    for (int64_t b = 0; b < k / 32; b++)
        tu_fill(&rng, x + b * 32, 32, (float)(b % 7 + 1) * 0.3f);
    memset(x + 32, 0, 32 * sizeof *x);
    memset(x + 64, 0, 32 * sizeof *x);
    x[64 + 5] = -0.25f;
    for (int j = 0; j < 32; j++)
        x[96 + j] = (float)(j - 16) + 0.5f;
    x[96] = 127.0f;
    return x;
}

/* The scalar quantizer follows the rule, checked here block by block:
 * d = fp16(amax / 127), q = nearest-even(x * (1 / (amax / 127))), an
 * all-zero block gives d = 0, q = 0, and Q8_1's s = fp16(fp16(d) * sum q). */
Test(gemv_q32, scalar_quantizer_follows_the_rule) {
    const int64_t k = 32 * 40;
    float *x = act_input(k, 7);
    const realm_gemv_table t = table_for(ISA_SCALAR);
    block_q8_0 *y0 = malloc((size_t)(k / 32) * sizeof *y0);
    block_q8_1 *y1 = malloc((size_t)(k / 32) * sizeof *y1);
    t.quantize_act[REALM_TYPE_Q8_0](x, y0, k);
    t.quantize_act[REALM_TYPE_Q8_1](x, y1, k);
    for (int64_t b = 0; b < k / 32; b++) {
        const float *xb = x + b * 32;
        float amax = 0;
        for (int j = 0; j < 32; j++)
            amax = fmaxf(amax, fabsf(xb[j]));
        const float d = amax / 127, id = d != 0 ? 1 / d : 0;
        cr_assert_eq(y0[b].d, realm_fp32_to_fp16(d), "block %lld", (long long)b);
        cr_assert_eq(y1[b].d, y0[b].d);
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            const int q = (int)nearbyintf(xb[j] * id);
            cr_assert_eq(y0[b].qs[j], q, "block %lld element %d: %d, want %d", (long long)b, j, y0[b].qs[j],
                         q);
            cr_assert_eq(y1[b].qs[j], q);
            sum += q;
        }
        cr_assert_eq(y1[b].s, realm_fp32_to_fp16(realm_fp16_to_fp32(y1[b].d) * (float)sum));
    }
    /* the zero block, and ties to even in the block with d = 1 */
    cr_assert_eq(y0[1].d, 0);
    for (int j = 0; j < 32; j++)
        cr_assert_eq(y0[1].qs[j], 0);
    cr_assert_eq(y0[3].d, realm_fp32_to_fp16(1.0f));
    cr_assert_eq(y0[3].qs[1], -14); /* -14.5 -> -14 */
    cr_assert_eq(y0[3].qs[2], -14); /* -13.5 -> -14 */
    free(x);
    free(y0);
    free(y1);
}

static void check_quantizer_bytes(int isa) {
    if (!isa_available(isa)) cr_skip("CPU lacks %s", isa_name[isa]);
    const realm_gemv_table t = table_for(isa), s = table_for(ISA_SCALAR);
    static const int64_t ks[] = {32, 128, 8192};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        const int64_t k = ks[i];
        float *x = act_input(k < 128 ? 128 : k, 11 + i);
        for (int q = 0; q < 2; q++) {
            const realm_type xt = q ? REALM_TYPE_Q8_1 : REALM_TYPE_Q8_0;
            const size_t n = realm_row_bytes(xt, k);
            uint8_t *a = malloc(n), *b = malloc(n);
            memset(a, 0xAA, n);
            memset(b, 0x55, n);
            t.quantize_act[xt](x, a, k);
            s.quantize_act[xt](x, b, k);
            cr_assert_arr_eq(a, b, n, "%s %s k=%lld: bytes differ from the scalar quantizer", isa_name[isa],
                             realm_type_name(xt), (long long)k);
            free(a);
            free(b);
        }
        free(x);
    }
}

Test(gemv_q32, quantizer_bytes_avx2) { check_quantizer_bytes(ISA_AVX2); }
Test(gemv_q32, quantizer_bytes_avx512) { check_quantizer_bytes(ISA_AVX512); }

/* The dispatched tables fill every 32-element slot. */
Test(gemv_q32, dispatch_fills_slots) {
    const realm_gemv_table *g = realm_gemv_get(), *s = realm_gemv_scalar();
    for (size_t i = 0; i < N_TYPES; i++) {
        cr_assert_not_null(g->vec_dot[types[i]]);
        cr_assert_not_null(s->vec_dot[types[i]]);
    }
    cr_assert_not_null(g->quantize_act[REALM_TYPE_Q8_0]);
    cr_assert_not_null(g->quantize_act[REALM_TYPE_Q8_1]);
    cr_assert_not_null(s->quantize_act[REALM_TYPE_Q8_1]);
}
