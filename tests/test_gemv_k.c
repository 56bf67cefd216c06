/* Batch-1 dot kernels of the K formats (ops/gemv/scalar_k.c and the AVX2 /
 * AVX-512 versions) and the Q8_K activation quantizer. Every ISA the CPU
 * has is tested through its own filler, into a table of its own:
 *  - vec_dot against a double sum over the reference-dequantized weights
 *    and dequantized Q8_K activations: only float order differs;
 *  - against the original float activations, within the rounding bound of
 *    Q8_K quantization;
 *  - extreme levels, scales and activations (+-127): exact integer results,
 *    so a saturating int16 pair sum would show;
 *  - the quantizers: SIMD bytes equal scalar bytes equal the reference
 *    quantizer's, on random and edge-case blocks.
 * Rows end at a guard page, so a kernel reading past its row crashes. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "realm/cpu.h"
#include "util.h"

/* Float order only: relative to sum |w x| (cancellation cannot shrink it). */
#define SAME_INPUT_REL_TOL 1e-5

static const realm_type ktypes[] = {REALM_TYPE_Q2_K, REALM_TYPE_Q3_K, REALM_TYPE_Q4_K,
                                    REALM_TYPE_Q5_K, REALM_TYPE_Q6_K, REALM_TYPE_Q8_K};
#define NTYPES (int)(sizeof ktypes / sizeof ktypes[0])

typedef struct {
    const char *name;
    bool have;
    realm_gemv_table t;
} isa_table;

enum { ISA_SCALAR, ISA_AVX2, ISA_AVX512, NISA };

/* One table per ISA, filled by this family's filler only. */
static void get_isas(isa_table isa[NISA]) {
    const realm_cpu_features *f = realm_cpu_get_features();
    memset(isa, 0, sizeof(isa_table) * NISA);
    isa[ISA_SCALAR] = (isa_table){.name = "scalar", .have = true};
    realm_gemv_fill_scalar_k(&isa[ISA_SCALAR].t);
    isa[ISA_AVX2] = (isa_table){.name = "avx2", .have = f->avx2 && f->fma && f->f16c};
    if (isa[ISA_AVX2].have)
        realm_gemv_fill_avx2_k(&isa[ISA_AVX2].t);
    else
        cr_log_warn("CPU lacks AVX2/FMA/F16C: AVX2 K kernels not tested");
    isa[ISA_AVX512] =
        (isa_table){.name = "avx512-vnni", .have = f->avx512f && f->avx512bw && f->avx512vl && f->avx512vnni};
    if (isa[ISA_AVX512].have)
        realm_gemv_fill_avx512_k(&isa[ISA_AVX512].t);
    else
        cr_log_warn("CPU lacks AVX-512 F/BW/VL/VNNI: AVX-512 K kernels not tested");
    for (int i = 0; i < NISA; i++) {
        if (!isa[i].have) continue;
        cr_assert_not_null(isa[i].t.quantize_act[REALM_TYPE_Q8_K], "%s: no Q8_K quantizer", isa[i].name);
        for (int j = 0; j < NTYPES; j++)
            cr_assert_not_null(isa[i].t.vec_dot[ktypes[j]], "%s: no vec_dot for %s", isa[i].name,
                               realm_type_name(ktypes[j]));
    }
}

/* size bytes that end exactly at an inaccessible page. */
typedef struct {
    void *map;
    size_t len;
    uint8_t *p;
} guarded;

static guarded guarded_alloc(size_t size) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), data = (size + page - 1) / page * page;
    guarded g = {.len = data + page};
    g.map = mmap(NULL, g.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(g.map, MAP_FAILED);
    cr_assert_eq(mprotect((uint8_t *)g.map + data, page, PROT_NONE), 0);
    g.p = (uint8_t *)g.map + data - size;
    return g;
}

static void guarded_free(guarded *g) { munmap(g->map, g->len); }

static size_t row_bytes(realm_type t, int64_t k) {
    return (size_t)(k / QK_K) * realm_type_get_traits(t)->block_bytes;
}

/* A row of type t quantized from random floats, at the end of a guarded
 * buffer, and its reference dequantization in wf. */
static guarded random_row(realm_type t, int64_t k, tu_rng *r, float *wf) {
    const realm_type_traits *tr = realm_type_get_traits(t);
    guarded g = guarded_alloc(row_bytes(t, k));
    tu_fill(r, wf, k, 0.5f);
    tr->quantize(wf, g.p, k, NULL);
    tr->dequantize(g.p, wf, k);
    return g;
}

/* Activations quantized by the scalar quantizer into a guarded buffer. */
static guarded quantized_acts(const isa_table *scalar, const float *x, int64_t k) {
    guarded g = guarded_alloc(row_bytes(REALM_TYPE_Q8_K, k));
    scalar->t.quantize_act[REALM_TYPE_Q8_K](x, g.p, k);
    return g;
}

/* GGUF Q8_K blocks in the activation layout of an ISA's table (its kernels
 * may keep their own, see gemv.h), at the end of a guarded buffer. */
static guarded isa_acts(const isa_table *isa, const void *blocks, int64_t k) {
    guarded g = guarded_alloc(realm_gemv_act_bytes(&isa->t, REALM_TYPE_Q8_K, k));
    realm_gemv_act_from_blocks(&isa->t, REALM_TYPE_Q8_K, blocks, g.p, k);
    return g;
}

/* vec_dot of an ISA on GGUF Q8_K activation blocks. */
static float isa_dot(const isa_table *isa, realm_type t, int64_t k, const void *w, const void *blocks) {
    guarded a = isa_acts(isa, blocks, k);
    float out = NAN;
    isa->t.vec_dot[t](k, w, a.p, &out);
    guarded_free(&a);
    return out;
}

/* sum w_i * dx_i * qx_i in double, and sum |w_i * dx_i * qx_i|. */
static void dot_dequantized(const float *wf, const block_q8_K *xq, int64_t k, double *dot, double *mag) {
    *dot = *mag = 0;
    for (int64_t i = 0; i < k; i++) {
        const block_q8_K *b = &xq[i / QK_K];
        const double v = (double)wf[i] * ((double)b->d * b->qs[i % QK_K]);
        *dot += v;
        *mag += fabs(v);
    }
}

Test(gemv_k, vec_dot_matches_dequantized) {
    isa_table isa[NISA];
    get_isas(isa);
    const int64_t ks[] = {256, 512, 8192};
    tu_rng r = {0x6b5f1};
    for (int ki = 0; ki < 3; ki++) {
        const int64_t k = ks[ki];
        float *wf = malloc(sizeof(float) * k), *x = malloc(sizeof(float) * k);
        tu_fill(&r, x, k, 1.0f);
        guarded xq = quantized_acts(&isa[ISA_SCALAR], x, k);
        for (int ti = 0; ti < NTYPES; ti++) {
            const realm_type t = ktypes[ti];
            guarded w = random_row(t, k, &r, wf);
            double ref, mag;
            dot_dequantized(wf, (const block_q8_K *)xq.p, k, &ref, &mag);
            for (int i = 0; i < NISA; i++) {
                if (!isa[i].have) continue;
                const float out = isa_dot(&isa[i], t, k, w.p, xq.p);
                cr_assert(fabs(out - ref) <= SAME_INPUT_REL_TOL * mag,
                          "%s %s k=%lld: %.9g vs %.9g (err %.3g of sum|wx| %.4g)", isa[i].name,
                          realm_type_name(t), (long long)k, out, ref, fabs(out - ref) / mag, mag);
            }
            guarded_free(&w);
        }
        guarded_free(&xq);
        free(wf);
        free(x);
    }
}

/* Q8_K rounds iscale * x to nearest with |1/iscale| = amax/127, so each
 * activation of a block is off by at most amax / 254 (plus float error in
 * iscale * x, < 1e-6 of it): the dot is off by at most
 * sum_blocks amax_b / 254 * sum_{i in b} |w_i|, times 1.001 for that float
 * error, plus the float-order tolerance. */
Test(gemv_k, vec_dot_vs_float_activations) {
    isa_table isa[NISA];
    get_isas(isa);
    const int64_t k = 4096;
    tu_rng r = {0x51ab};
    float *wf = malloc(sizeof(float) * k), *x = malloc(sizeof(float) * k);
    tu_fill(&r, x, k, 1.0f);
    guarded xq = quantized_acts(&isa[ISA_SCALAR], x, k);
    for (int ti = 0; ti < NTYPES; ti++) {
        const realm_type t = ktypes[ti];
        guarded w = random_row(t, k, &r, wf);
        double ref = 0, mag = 0, bound = 0;
        for (int64_t b = 0; b < k / QK_K; b++) {
            double amax = 0, wsum = 0;
            for (int64_t i = b * QK_K; i < (b + 1) * QK_K; i++) {
                ref += (double)wf[i] * x[i];
                mag += fabs((double)wf[i] * x[i]);
                amax = fmax(amax, fabs(x[i]));
                wsum += fabs(wf[i]);
            }
            bound += amax / 254 * wsum;
        }
        bound = bound * 1.001 + SAME_INPUT_REL_TOL * mag;
        for (int i = 0; i < NISA; i++) {
            if (!isa[i].have) continue;
            const float out = isa_dot(&isa[i], t, k, w.p, xq.p);
            cr_assert(fabs(out - ref) <= bound,
                      "%s %s: %.9g vs float activations %.9g, err %.3g > bound %.3g", isa[i].name,
                      realm_type_name(t), out, ref, fabs(out - ref), bound);
        }
        guarded_free(&w);
    }
    guarded_free(&xq);
    free(wf);
    free(x);
}

/* ---- extreme values ------------------------------------------------------ */

/* One super-block of type t with every level at its maximum; scales at
 * their maximum (big) or small ones; d = dmin = 1. */
static void extreme_block(realm_type t, bool big, uint8_t *blk) {
    const uint16_t one = 0x3C00; /* fp16 1.0 */
    switch (t) {
    case REALM_TYPE_Q2_K: {
        block_q2_K *b = (block_q2_K *)blk;
        memset(b->qs, 0xFF, sizeof b->qs);                      /* level 3 */
        memset(b->scales, big ? 0xFF : 0x12, sizeof b->scales); /* sc 15, min 15 / sc 2, min 1 */
        b->d = b->dmin = one;
        break;
    }
    case REALM_TYPE_Q3_K: {
        block_q3_K *b = (block_q3_K *)blk;
        memset(b->qs, 0xFF, sizeof b->qs); /* level 7: value 3 */
        memset(b->hmask, 0xFF, sizeof b->hmask);
        if (big) memset(b->hmask, 0xAA, 16); /* some elements at level 3: value -1 */
        /* stored 0 everywhere: scale -32; small: low nibbles 1, top bits 2: stored 33, scale 1 */
        memset(b->scales, big ? 0x00 : 0x11, sizeof b->scales);
        if (!big) memset(b->scales + 8, 0xAA, 4);
        b->d = one;
        break;
    }
    case REALM_TYPE_Q4_K:
    case REALM_TYPE_Q5_K: {
        uint8_t *sc = t == REALM_TYPE_Q4_K ? ((block_q4_K *)blk)->scales : ((block_q5_K *)blk)->scales;
        if (t == REALM_TYPE_Q4_K) {
            memset(((block_q4_K *)blk)->qs, 0xFF, QK_K / 2); /* level 15 */
            ((block_q4_K *)blk)->d = ((block_q4_K *)blk)->dmin = one;
        } else {
            memset(((block_q5_K *)blk)->qs, 0xFF, QK_K / 2); /* level 31 */
            memset(((block_q5_K *)blk)->qh, 0xFF, QK_K / 8);
            ((block_q5_K *)blk)->d = ((block_q5_K *)blk)->dmin = one;
        }
        /* 0xFF everywhere: every 6-bit scale and min is 63; small: scales
         * and mins 0..3 (bytes 0..7 low 6 bits, bytes 8..11 nibbles) */
        if (big)
            memset(sc, 0xFF, K_SCALE_SIZE);
        else
            for (int j = 0; j < K_SCALE_SIZE; j++)
                sc[j] = (uint8_t)(j < 8 ? 1 + j % 3 : 0x21);
        break;
    }
    case REALM_TYPE_Q6_K: {
        block_q6_K *b = (block_q6_K *)blk;
        memset(b->ql, 0xFF, sizeof b->ql); /* level 63: value 31 */
        memset(b->qh, 0xFF, sizeof b->qh);
        for (int s = 0; s < 16; s++)
            b->scales[s] = (int8_t)(big ? (s % 2 ? 127 : -128) : s % 3 - 1);
        b->d = one;
        break;
    }
    default: { /* Q8_K */
        block_q8_K *b = (block_q8_K *)blk;
        for (int e = 0; e < QK_K; e++)
            b->qs[e] = (int8_t)(big ? (e % 3 ? 127 : -128) : (e % 3 ? 127 : -127));
        b->d = 1;
        break;
    }
    }
}

/* Activation patterns with |q| = 127 (the quantizer's largest), d = 1:
 * all +, all -, sign flipping every pair, every 16. */
static void extreme_acts(int pattern, block_q8_K *x) {
    for (int e = 0; e < QK_K; e++) {
        const int neg = pattern == 1 || (pattern == 2 && (e / 2) % 2) || (pattern == 3 && (e / 16) % 2);
        x->qs[e] = (int8_t)(neg ? -127 : 127);
    }
    for (int s = 0; s < 16; s++) {
        int sum = 0;
        for (int l = 0; l < 16; l++)
            sum += x->qs[16 * s + l];
        x->bsums[s] = (int16_t)sum;
    }
    x->d = 1;
}

/* Small scales: every intermediate integer stays below 2^24, so the
 * result must be exact, and levels at their maximum against +-127 make
 * every int16 pair sum as large as it gets: a saturating one would show.
 * Max scales check the extremes of the scale encodings; where sum |w x|
 * reaches 2^24 float rounding is allowed (1e-6 of it). */
Test(gemv_k, extreme_values_exact) {
    isa_table isa[NISA];
    get_isas(isa);
    float wf[QK_K];
    guarded xg = guarded_alloc(sizeof(block_q8_K));
    block_q8_K *x = (block_q8_K *)xg.p;
    for (int ti = 0; ti < NTYPES; ti++) {
        const realm_type t = ktypes[ti];
        const realm_type_traits *tr = realm_type_get_traits(t);
        guarded w = guarded_alloc(tr->block_bytes);
        for (int big = 0; big < 2; big++) {
            memset(w.p, 0, tr->block_bytes);
            extreme_block(t, big, w.p);
            tr->dequantize(w.p, wf, QK_K);
            for (int pat = 0; pat < 4; pat++) {
                extreme_acts(pat, x);
                double ref = 0, mag = 0;
                for (int e = 0; e < QK_K; e++) {
                    ref += (double)wf[e] * x->qs[e];
                    mag += fabs((double)wf[e] * x->qs[e]);
                }
                const bool exact = mag < 16777216.0;
                cr_assert(exact || big, "%s: small-scale case must be exact in float", tr->name);
                for (int i = 0; i < NISA; i++) {
                    if (!isa[i].have) continue;
                    const float out = isa_dot(&isa[i], t, QK_K, w.p, x);
                    cr_assert(exact ? out == ref : fabs(out - ref) <= 1e-6 * mag,
                              "%s %s %s scales, pattern %d: %.9g, exact %.9g", isa[i].name, tr->name,
                              big ? "max" : "small", pat, out, ref);
                }
            }
        }
        guarded_free(&w);
    }
    guarded_free(&xg);
}

/* ---- quantizer ------------------------------------------------------------ */

/* Each ISA's quantizer gives the scalar bytes, which are the reference
 * quantizer's; bsums are the sums of each 16 and the largest magnitude
 * maps to -127. */
static void check_quantizers(const isa_table isa[NISA], const float *x, int64_t k, const char *what) {
    const size_t rb = row_bytes(REALM_TYPE_Q8_K, k);
    uint8_t *ref = calloc(1, rb);
    realm_type_get_traits(REALM_TYPE_Q8_K)->quantize(x, ref, k, NULL);
    for (int i = 0; i < NISA; i++) {
        if (!isa[i].have) continue;
        /* the ISA's bytes are the reference blocks in its layout */
        const size_t ab = realm_gemv_act_bytes(&isa[i].t, REALM_TYPE_Q8_K, k);
        uint8_t *got = malloc(ab), *want = malloc(ab);
        memset(got, 0xA5, ab);
        isa[i].t.quantize_act[REALM_TYPE_Q8_K](x, got, k);
        realm_gemv_act_from_blocks(&isa[i].t, REALM_TYPE_Q8_K, ref, want, k);
        for (size_t j = 0; j < ab; j++)
            cr_assert_eq(got[j], want[j], "%s %s: byte %zu of %zu differs from the reference quantizer's",
                         isa[i].name, what, j, ab);
        free(got);
        free(want);
    }
    for (int64_t b = 0; b < k / QK_K; b++) {
        const block_q8_K *y = (const block_q8_K *)ref + b;
        for (int s = 0; s < 16; s++) {
            int sum = 0;
            for (int l = 0; l < 16; l++)
                sum += y->qs[16 * s + l];
            cr_assert_eq(y->bsums[s], sum, "%s: bsums[%d] of block %lld", what, s, (long long)b);
        }
        const float *xb = x + b * QK_K;
        int arg = 0;
        for (int e = 1; e < QK_K; e++)
            if (fabsf(xb[e]) > fabsf(xb[arg])) arg = e;
        if (y->d != 0) {
            cr_assert_eq(y->qs[arg], -127, "%s: largest element of block %lld", what, (long long)b);
            cr_assert(fabsf(y->d * -127 - xb[arg]) <= 1e-6f * fabsf(xb[arg]), "%s: d of block %lld", what,
                      (long long)b);
        }
    }
    free(ref);
}

Test(gemv_k, quantizer_random) {
    isa_table isa[NISA];
    get_isas(isa);
    tu_rng r = {0x9e37};
    const int64_t k = 8192;
    float *x = malloc(sizeof(float) * k);
    for (int rep = 0; rep < 4; rep++) {
        tu_fill(&r, x, k, rep == 0 ? 1.0f : rep == 1 ? 1e-3f : rep == 2 ? 3e4f : 1.0f);
        if (rep == 3)
            for (int64_t i = 0; i < k; i++)
                x[i] = fabsf(x[i]); /* all positive: max > 0, iscale < 0 */
        check_quantizers(isa, x, k, "random");
    }
    free(x);
}

Test(gemv_k, quantizer_edge_cases) {
    isa_table isa[NISA];
    get_isas(isa);
    const int nb = 7;
    float x[7 * QK_K];
    memset(x, 0, sizeof x);
    /* block 0: all zero -> d = 0, no quants */
    /* block 1: one non-zero element, last position */
    x[QK_K + 255] = -3.5f;
    /* block 2: +a and -a tie for the largest magnitude: the first wins */
    for (int e = 0; e < QK_K; e++)
        x[2 * QK_K + e] = 0.01f * (float)(e % 17) - 0.05f;
    x[2 * QK_K + 40] = 2.0f;
    x[2 * QK_K + 200] = -2.0f;
    /* block 3: max = -127 (iscale 1), halves at exact .5: ties to even */
    for (int e = 0; e < QK_K; e++)
        x[3 * QK_K + e] = (float)(e % 64) - 31.5f;
    x[3 * QK_K + 7] = -127.0f;
    /* block 4: too small for any 8-bit grid (iscale = inf) -> zero block */
    x[4 * QK_K + 3] = 1e-39f;
    x[4 * QK_K + 9] = -5e-40f;
    /* block 5: largest magnitude on the last element, positive */
    for (int e = 0; e < QK_K; e++)
        x[5 * QK_K + e] = (float)e * 0.001f;
    /* block 6: values that round to +127 against the -127 extreme */
    for (int e = 0; e < QK_K; e++)
        x[6 * QK_K + e] = e % 2 ? 1.0f : -1.0f;
    check_quantizers(isa, x, nb * QK_K, "edge cases");
    /* what the edge cases are meant to produce, on the scalar bytes */
    block_q8_K y[7];
    isa[ISA_SCALAR].t.quantize_act[REALM_TYPE_Q8_K](x, y, nb * QK_K);
    cr_assert(y[0].d == 0 && y[4].d == 0, "zero blocks need d = 0");
    cr_assert(y[2].qs[40] == -127 && y[2].qs[200] == 127, "tie: the first of +-2 maps to -127");
    cr_assert(y[3].qs[0] == -32 && y[3].qs[1] == -30 && y[3].qs[2] == -30, "ties round to even");
    cr_assert(y[6].qs[0] == -127 && y[6].qs[1] == 127, "+-1 block");
}
