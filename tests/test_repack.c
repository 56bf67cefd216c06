/* The ROWS16 weight layout (realm/repack.h, ops/repack/) and its batch-1
 * kernels (ops/gemv/scalar_rows16*.c, ops/x86/avx512/gemv_rows16*.c), for
 * every type that has the layout:
 *  - repack then unpack gives the GGUF bytes back, for random bytes (every
 *    bit of a block is used), rows not a multiple of 16, several k; the
 *    tail rows stay where GGUF has them; unpack_rows of any range;
 *  - bad arguments are errors, not crashes;
 *  - the portable kernel matches the GGUF-layout kernel of the same rows
 *    (float order only), and the AVX-512 kernel gives the portable one's
 *    bits, on random and on extreme levels and activations (+-128). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "realm/cpu.h"
#include "realm/quant.h"
#include "realm/repack.h"
#include "util.h"

/* Every type with a ROWS16 layout. */
static int rows16_types(realm_type *out) {
    int n = 0;
    for (int t = 0; t < REALM_TYPE_COUNT; t++)
        if (realm_type_is_valid((realm_type)t) && realm_type_get_traits((realm_type)t)->is_quantized &&
            realm_layout_supported((realm_type)t, REALM_LAYOUT_ROWS16))
            out[n++] = (realm_type)t;
    return n;
}

static void random_bytes(tu_rng *r, uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)tu_next(r);
}

/* Byte offsets of a block's fp16 scales (-1: none), per weight type. */
static void half_fields(realm_type t, int *a, int *b) {
    *a = 0;
    *b = -1;
    switch (t) {
    case REALM_TYPE_Q4_1:
    case REALM_TYPE_Q5_1:
    case REALM_TYPE_Q4_K:
    case REALM_TYPE_Q5_K:
        *b = 2;
        break;
    case REALM_TYPE_Q2_K:
        *a = 80, *b = 82;
        break;
    case REALM_TYPE_Q3_K:
        *a = 108;
        break;
    case REALM_TYPE_Q6_K:
        *a = 208;
        break;
    case REALM_TYPE_Q8_K:
        *a = -1;
        break; /* f32 d: set below */
    default:
        break;
    }
}

/* Sets every block's scales of a weight of random bytes to small normal
 * values, so dot products are finite. */
static void sane_scales(realm_type t, uint8_t *w, size_t blocks, tu_rng *r) {
    const size_t bb = realm_type_get_traits(t)->block_bytes;
    int fa, fb;
    half_fields(t, &fa, &fb);
    for (size_t i = 0; i < blocks; i++) {
        uint8_t *p = w + i * bb;
        const uint16_t h1 = (uint16_t)(0x2000 + tu_next(r) % 0x800),
                       h2 = (uint16_t)(0x2000 + tu_next(r) % 0x800);
        if (fa >= 0) memcpy(p + fa, &h1, 2);
        if (fb >= 0) memcpy(p + fb, &h2, 2);
        if (t == REALM_TYPE_Q8_K) {
            const float d = 0.01f * (1.0f + (float)(tu_next(r) % 100) / 100.0f);
            memcpy(p, &d, sizeof d);
        }
    }
}

/* Activation blocks of dot type dt set to an extreme quant (-128 or 127). */
static void extreme_acts(realm_type dt, uint8_t *x, int64_t k, int sign) {
    const int8_t q = sign < 0 ? -128 : 127;
    const size_t bb = realm_type_get_traits(dt)->block_bytes;
    for (int64_t i = 0; i < k / realm_type_get_traits(dt)->block_elems; i++) {
        uint8_t *p = x + (size_t)i * bb;
        if (dt == REALM_TYPE_Q8_K) {
            block_q8_K *b = (block_q8_K *)(void *)p;
            memset(b->qs, (uint8_t)q, QK_K);
            for (int s = 0; s < 16; s++)
                b->bsums[s] = (int16_t)(16 * q);
        } else if (dt == REALM_TYPE_Q8_1) {
            block_q8_1 *b = (block_q8_1 *)(void *)p;
            memset(b->qs, (uint8_t)q, QK8_1);
            b->s = realm_fp32_to_fp16(realm_fp16_to_fp32(b->d) * (float)(32 * q));
        } else {
            memset(((block_q8_0 *)(void *)p)->qs, (uint8_t)q, QK8_0);
        }
    }
}

Test(repack, roundtrip_random_bytes) {
    tu_rng r = {0x5eed};
    realm_type types[REALM_TYPE_COUNT];
    const int ntypes = rows16_types(types);
    cr_assert_geq(ntypes, 2);
    const int64_t rows_list[] = {1, 15, 16, 17, 33, 50}, ks[] = {256, 768};
    for (int ti = 0; ti < ntypes; ti++)
        for (int ki = 0; ki < 2; ki++)
            for (int ri = 0; ri < 6; ri++) {
                const realm_type t = types[ti];
                const int64_t rows = rows_list[ri], k = ks[ki], full = rows / 16 * 16;
                const size_t rb = realm_row_bytes(t, k), n = rb * (size_t)rows;
                uint8_t *src = malloc(n), *packed = malloc(n), *back = malloc(n), *some = malloc(n);
                random_bytes(&r, src, n);
                cr_assert_eq(realm_repack(t, REALM_LAYOUT_ROWS16, src, packed, rows, k), REALM_OK);
                if (full)
                    cr_assert(memcmp(src, packed, rb * (size_t)full) != 0, "%s: repack changed nothing",
                              realm_type_name(t));
                cr_assert(memcmp(src + full * rb, packed + full * rb, (size_t)(rows - full) * rb) == 0,
                          "%s rows %lld: the tail moved", realm_type_name(t), (long long)rows);
                cr_assert_eq(realm_unpack(t, REALM_LAYOUT_ROWS16, packed, back, rows, k), REALM_OK);
                cr_assert(memcmp(src, back, n) == 0, "%s rows %lld k %lld: unpack is not the inverse",
                          realm_type_name(t), (long long)rows, (long long)k);
                const int64_t r0 = rows / 3, r1 = rows - rows / 4;
                cr_assert_eq(realm_unpack_rows(t, REALM_LAYOUT_ROWS16, packed, rows, k, r0, r1, some),
                             REALM_OK);
                cr_assert(memcmp(src + r0 * rb, some, (size_t)(r1 - r0) * rb) == 0, "%s: rows [%lld, %lld)",
                          realm_type_name(t), (long long)r0, (long long)r1);
                free(src);
                free(packed);
                free(back);
                free(some);
            }
}

Test(repack, bad_arguments) {
    uint8_t a[16 * 210 * 2], b[sizeof a];
    memset(a, 0x11, sizeof a);
    cr_assert_eq(realm_repack(REALM_TYPE_Q4_K, REALM_LAYOUT_ROWS16, NULL, b, 16, 256), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_repack(REALM_TYPE_Q4_K, REALM_LAYOUT_ROWS16, a, NULL, 16, 256), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_repack(REALM_TYPE_Q4_K, REALM_LAYOUT_ROWS16, a, a + 64, 16, 256),
                 REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_repack(REALM_TYPE_Q4_K, REALM_LAYOUT_ROWS16, a, b, 16, 100), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_repack(REALM_TYPE_Q4_K, REALM_LAYOUT_ROWS16, a, b, -1, 256), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_repack(REALM_TYPE_F32, REALM_LAYOUT_ROWS16, a, b, 16, 256), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_repack(REALM_TYPE_Q4_K, (realm_layout)7, a, b, 16, 256), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_repack(REALM_TYPE_F16, REALM_LAYOUT_ROWS16, a, b, 16, 256), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_unpack_rows(REALM_TYPE_Q6_K, REALM_LAYOUT_ROWS16, a, 2, 256, 1, 3, b),
                 REALM_ERR_INVALID_ARG);
    /* GGUF to GGUF is a copy, for any quantized type */
    cr_assert_eq(realm_repack(REALM_TYPE_Q4_0, REALM_LAYOUT_GGUF, a, b, 4, 256), REALM_OK);
    cr_assert(memcmp(a, b, 4 * realm_row_bytes(REALM_TYPE_Q4_0, 256)) == 0);
    cr_assert(realm_layout_supported(REALM_TYPE_Q4_K, REALM_LAYOUT_ROWS16));
    cr_assert(!realm_layout_supported(REALM_TYPE_F32, REALM_LAYOUT_ROWS16));
    cr_assert(!realm_layout_supported(REALM_TYPE_Q4_K, (realm_layout)5));
    cr_assert_eq(realm_layout_preferred(REALM_TYPE_F16), REALM_LAYOUT_GGUF);
    cr_assert_str_eq(realm_layout_name(REALM_LAYOUT_ROWS16), "rows16");
}

/* 16 rows of type t (random bytes, sane scales), repacked; and activation
 * blocks: random, or every quant at the given extreme. */
typedef struct {
    uint8_t *w, *packed, *xblocks;
    size_t rb;
} case16;

static case16 make_case(realm_type t, int64_t k, tu_rng *r, int extreme) {
    case16 c = {.rb = realm_row_bytes(t, k)};
    c.w = malloc(16 * c.rb);
    c.packed = malloc(16 * c.rb);
    random_bytes(r, c.w, 16 * c.rb);
    if (extreme) memset(c.w, 0xFF, 16 * c.rb); /* top levels, top scales */
    sane_scales(t, c.w, (size_t)(16 * k / realm_type_get_traits(t)->block_elems), r);
    cr_assert_eq(realm_repack(t, REALM_LAYOUT_ROWS16, c.w, c.packed, 16, k), REALM_OK);
    float *x = malloc(sizeof(float) * (size_t)k);
    tu_fill(r, x, k, 1.0f);
    const realm_type dt = realm_type_get_traits(t)->dot_type;
    c.xblocks = malloc(realm_row_bytes(dt, k));
    realm_gemv_scalar()->quantize_act[dt](x, c.xblocks, k);
    if (extreme) extreme_acts(dt, c.xblocks, k, extreme);
    free(x);
    return c;
}

static void free_case(case16 *c) {
    free(c->w);
    free(c->packed);
    free(c->xblocks);
}

Test(repack, portable_kernel_matches_gguf_kernel) {
    const realm_gemv_table *s = realm_gemv_scalar();
    tu_rng r = {0xd07};
    realm_type types[REALM_TYPE_COUNT];
    const int ntypes = rows16_types(types);
    const int64_t ks[] = {256, 1280};
    for (int ti = 0; ti < ntypes; ti++)
        for (int ki = 0; ki < 2; ki++) {
            const realm_type t = types[ti];
            case16 c = make_case(t, ks[ki], &r, 0);
            float y16[16];
            s->vec_dot16[t](ks[ki], c.packed, c.xblocks, y16);
            /* float order only: relative to the largest of the 16 outputs
             * (a single output can cancel far below its terms) */
            float y[16], mx = 0;
            for (int row = 0; row < 16; row++) {
                s->vec_dot[t](ks[ki], c.w + row * c.rb, c.xblocks, &y[row]);
                mx = fmaxf(mx, fabsf(y[row]));
            }
            for (int row = 0; row < 16; row++)
                cr_assert(fabsf(y[row] - y16[row]) <= 1e-5f * (mx + 1e-3f), "%s k %lld row %d: %g vs %g",
                          realm_type_name(t), (long long)ks[ki], row, (double)y16[row], (double)y[row]);
            free_case(&c);
        }
}

Test(repack, avx512_kernel_same_bits_as_portable) {
    const realm_cpu_features *f = realm_cpu_get_features();
    if (!(f->avx512f && f->avx512bw && f->avx512vl && f->avx512vnni)) {
        cr_log_warn("CPU lacks AVX-512 VNNI: the AVX-512 ROWS16 kernels are not tested");
        return;
    }
    realm_gemv_table avx = {0};
    realm_gemv_fill_avx512_q32(&avx); /* their activation layouts */
    realm_gemv_fill_avx512_k(&avx);
    realm_gemv_fill_avx512_rows16(&avx);
    const realm_gemv_table *s = realm_gemv_scalar();
    tu_rng r = {0xa512};
    realm_type types[REALM_TYPE_COUNT];
    const int ntypes = rows16_types(types);
    const int64_t ks[] = {256, 768, 2048};
    const int extremes[] = {0, 1, -1};
    for (int ti = 0; ti < ntypes; ti++)
        for (int ki = 0; ki < 3; ki++)
            for (int ei = 0; ei < 3; ei++) {
                const realm_type t = types[ti];
                const int64_t k = ks[ki];
                case16 c = make_case(t, k, &r, extremes[ei]);
                const realm_type dt = realm_type_get_traits(t)->dot_type;
                cr_assert_not_null(avx.vec_dot16[t], "%s: no AVX-512 ROWS16 kernel", realm_type_name(t));
                uint8_t *xa = aligned_alloc(64, (realm_gemv_act_bytes(&avx, dt, k) + 63) & ~(size_t)63);
                realm_gemv_act_from_blocks(&avx, dt, c.xblocks, xa, k);
                float ys[16], ya[16];
                s->vec_dot16[t](k, c.packed, c.xblocks, ys);
                avx.vec_dot16[t](k, c.packed, xa, ya);
                for (int row = 0; row < 16; row++)
                    cr_assert(memcmp(&ys[row], &ya[row], sizeof(float)) == 0 && isfinite(ys[row]),
                              "%s k %lld extreme %d row %d: avx512 %.9g, portable %.9g", realm_type_name(t),
                              (long long)k, extremes[ei], row, (double)ya[row], (double)ys[row]);
                free(xa);
                free_case(&c);
            }
}

/* realm_runtime_matmul_quant_layout on ROWS16 weights against the same
 * weights in GGUF layout: the GEMM path (batch >= 8) and the naive backend
 * unpack, so their bits are the GGUF bits; the GEMV path differs in float
 * order only; every path gives the same bits for any thread count and
 * executor. Row counts cut groups and leave GGUF tails. */
Test(repack, runtime_matmul_rows16) {
    tu_rng r = {0x77};
    realm_type types[REALM_TYPE_COUNT];
    const int ntypes = rows16_types(types);
    const int64_t rows_list[] = {16, 37, 69}, ks[] = {256, 768}, batches[] = {1, 2, 3, 9, 20};
    for (int ti = 0; ti < ntypes; ti++)
        for (int ri = 0; ri < 3; ri++)
            for (int ki = 0; ki < 2; ki++) {
                const realm_type t = types[ti];
                const int64_t rows = rows_list[ri], k = ks[ki];
                const size_t rb = realm_row_bytes(t, k);
                uint8_t *w = malloc(rb * (size_t)rows), *packed = malloc(rb * (size_t)rows);
                float *wf = malloc(sizeof(float) * (size_t)k);
                for (int64_t row = 0; row < rows; row++) {
                    tu_fill(&r, wf, k, 1.0f);
                    cr_assert_eq(realm_quantize_row(t, wf, w + (size_t)row * rb, k), REALM_OK);
                }
                cr_assert_eq(realm_repack(t, REALM_LAYOUT_ROWS16, w, packed, rows, k), REALM_OK);
                for (int bi = 0; bi < 5; bi++) {
                    const int64_t batch = batches[bi], ny = batch * rows;
                    float *x = malloc(sizeof(float) * (size_t)(batch * k));
                    float *yg = malloc(sizeof(float) * (size_t)ny), *y1 = malloc(sizeof(float) * (size_t)ny);
                    float *yt = malloc(sizeof(float) * (size_t)ny);
                    tu_fill(&r, x, batch * k, 1.0f);
                    for (int be = 0; be < 2; be++) {
                        const realm_backend b = be ? REALM_BACKEND_OPTIMIZED : REALM_BACKEND_NAIVE;
                        realm_runtime *rt = tu_runtime(1, REALM_EXECUTOR_POOL);
                        cr_assert_eq(realm_runtime_matmul_quant(rt, b, t, w, rows, k, x, batch, yg),
                                     REALM_OK);
                        cr_assert_eq(realm_runtime_matmul_quant_layout(rt, b, t, REALM_LAYOUT_ROWS16, packed,
                                                                       rows, k, x, batch, y1),
                                     REALM_OK);
                        realm_runtime_destroy(rt);
                        const bool exact = !be || batch >= 8;
                        float mx = 0;
                        for (int64_t i = 0; i < ny; i++)
                            mx = fmaxf(mx, fabsf(yg[i]));
                        for (int64_t i = 0; i < ny; i++)
                            cr_assert(exact ? memcmp(&yg[i], &y1[i], sizeof(float)) == 0
                                            : fabsf(yg[i] - y1[i]) <= 1e-5f * mx,
                                      "%s %s rows %lld k %lld batch %lld: y[%lld] %.9g, GGUF %.9g",
                                      realm_type_name(t), be ? "optimized" : "naive", (long long)rows,
                                      (long long)k, (long long)batch, (long long)i, (double)y1[i],
                                      (double)yg[i]);
                        for (int th = 2; th <= 3; th++)
                            for (int e = 0; e < 2; e++) {
                                rt = tu_runtime(th, e ? REALM_EXECUTOR_OPENMP : REALM_EXECUTOR_POOL);
                                memset(yt, 0xFF,
                                       sizeof(float) * (size_t)ny); /* poison: every element written */
                                const realm_status st = realm_runtime_matmul_quant_layout(
                                    rt, b, t, REALM_LAYOUT_ROWS16, packed, rows, k, x, batch, yt);
                                cr_assert_eq(st, REALM_OK, "%s", realm_last_error());
                                realm_runtime_destroy(rt);
                                cr_assert(memcmp(y1, yt, sizeof(float) * (size_t)ny) == 0,
                                          "%s rows %lld batch %lld: %d threads differ", realm_type_name(t),
                                          (long long)rows, (long long)batch, th);
                            }
                    }
                    free(x);
                    free(yg);
                    free(y1);
                    free(yt);
                }
                free(w);
                free(packed);
                free(wf);
            }
}

Test(repack, runtime_matmul_bad_layout) {
    realm_runtime *rt = tu_runtime(1, REALM_EXECUTOR_POOL);
    uint8_t w[16 * 64];
    float x[32], y[16];
    memset(w, 0, sizeof w);
    memset(x, 0, sizeof x);
    cr_assert_eq(realm_runtime_matmul_quant_layout(rt, REALM_BACKEND_OPTIMIZED, REALM_TYPE_F16,
                                                   REALM_LAYOUT_ROWS16, w, 16, 32, x, 1, y),
                 REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_matmul_quant_layout(rt, REALM_BACKEND_OPTIMIZED, REALM_TYPE_Q8_0,
                                                   (realm_layout)9, w, 16, 32, x, 1, y),
                 REALM_ERR_INVALID_ARG);
    realm_runtime_destroy(rt);
}

/* Both AVX-512 q6_K kernels (levels by shift + mask, and by GFNI) give the
 * portable kernel's bits. */
Test(repack, q6_K_shift_and_gfni_kernels_same_bits) {
    const realm_cpu_features *f = realm_cpu_get_features();
    if (!(f->avx512f && f->avx512bw && f->avx512vl && f->avx512vnni)) {
        cr_log_warn("CPU lacks AVX-512 VNNI: the AVX-512 q6_K ROWS16 kernels are not tested");
        return;
    }
    if (!f->gfni) cr_log_warn("CPU lacks GFNI: only the shift + mask q6_K kernel is tested");
    realm_gemv_table avx = {0};
    realm_gemv_fill_avx512_k(&avx); /* the split Q8_K activation layout */
    const realm_vec_dot16_fn kernels[2] = {realm_rows16_dot16_q6_K, realm_rows16_dot16_q6_K_gfni};
    const realm_type t = REALM_TYPE_Q6_K;
    tu_rng r = {0x6f6};
    const int64_t ks[] = {256, 1280};
    const int extremes[] = {0, 1, -1};
    for (int ki = 0; ki < 2; ki++)
        for (int ei = 0; ei < 3; ei++) {
            const int64_t k = ks[ki];
            case16 c = make_case(t, k, &r, extremes[ei]);
            uint8_t *xa =
                aligned_alloc(64, (realm_gemv_act_bytes(&avx, REALM_TYPE_Q8_K, k) + 63) & ~(size_t)63);
            realm_gemv_act_from_blocks(&avx, REALM_TYPE_Q8_K, c.xblocks, xa, k);
            float want[16];
            realm_gemv_scalar()->vec_dot16[t](k, c.packed, c.xblocks, want);
            for (int v = 0; v < (f->gfni ? 2 : 1); v++) {
                float y[16];
                kernels[v](k, c.packed, xa, y);
                for (int row = 0; row < 16; row++)
                    cr_assert(memcmp(&want[row], &y[row], sizeof(float)) == 0 && isfinite(want[row]),
                              "%s kernel, k %lld extreme %d row %d: %.9g, portable %.9g",
                              v ? "gfni" : "shift", (long long)k, extremes[ei], row, (double)y[row],
                              (double)want[row]);
            }
            free(xa);
            free_case(&c);
        }
}
