/* The int8 GEMM path (ops/qgemm) against the naive reference for all 12
 * types: awkward shapes, poisoned outputs, and the SIMD kernel giving the
 * same bits as the portable one. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qgemm/qgemm.h"
#include "realm/cpu.h"
#include "realm/ops.h"
#include "realm/quant.h"
#include "util.h"

static const realm_type qtypes[] = {REALM_TYPE_Q4_0, REALM_TYPE_Q4_1, REALM_TYPE_Q5_0, REALM_TYPE_Q5_1,
                                    REALM_TYPE_Q8_0, REALM_TYPE_Q8_1, REALM_TYPE_Q2_K, REALM_TYPE_Q3_K,
                                    REALM_TYPE_Q4_K, REALM_TYPE_Q5_K, REALM_TYPE_Q6_K, REALM_TYPE_Q8_K};

/* Against the naive kernel on the original activations: the error 8-bit
 * activations (one scale per 32) explain, relative to sum |w||x|. */
#define ACT_Q8_REL_TOL 1e-2
/* Against the naive kernel on activations rounded exactly as the kernel
 * rounds them: only float summation order differs. */
#define SAME_INPUT_REL_TOL 1e-5

/* What the kernel sees: each 32-block of x rounded to 8 bits. */
static void round_act_q8(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i += 32) {
        float amax = 0;
        for (int j = 0; j < 32; j++)
            amax = fmaxf(amax, fabsf(x[i + j]));
        const float d = amax / 127.0f, id = amax > 0 ? 127.0f / amax : 0.0f;
        for (int j = 0; j < 32; j++)
            x[i + j] = (float)lrintf(x[i + j] * id) * d;
    }
}

/* Per-element error relative to the magnitude of its terms, sum |w||x|,
 * which cancellation cannot shrink: RMS over the outputs, and the max. */
static void errors(const float *y, const float *yref, const float *mag, int64_t n, double *rms, double *max) {
    double s = 0;
    *max = 0;
    for (int64_t i = 0; i < n; i++) {
        const double e = fabs((double)y[i] - yref[i]) / (mag[i] + 1e-30);
        s += e * e;
        if (e > *max) *max = e;
    }
    *rms = sqrt(s / (double)n);
}

static void run_case(realm_type t, int64_t rows, int64_t k, int64_t batch, uint64_t seed) {
    tu_rng r = {seed};
    const qg_type *ty = qg_type_get(t);
    cr_assert_not_null(ty);
    const size_t rb = realm_row_bytes(t, k);
    float *wf = malloc(sizeof(float) * rows * k), *x = malloc(sizeof(float) * batch * k);
    float *yref = malloc(sizeof(float) * batch * rows), *y = malloc(sizeof(float) * batch * rows);
    float *y2 = malloc(sizeof(float) * batch * rows), *mag = malloc(sizeof(float) * batch * rows);
    uint8_t *w = malloc(rb * rows);
    tu_fill(&r, wf, rows * k, 0.3f);
    tu_fill(&r, x, batch * k, 1.0f);
    for (int64_t i = 0; i < rows; i++) {
        cr_assert_eq(realm_quantize_row(t, wf + i * k, w + i * rb, k), REALM_OK);
        cr_assert_eq(realm_dequantize_row(t, w + i * rb, wf + i * k, k), REALM_OK);
    }
    for (int64_t b = 0; b < batch; b++)
        for (int64_t o = 0; o < rows; o++) {
            double m = 0;
            for (int64_t i = 0; i < k; i++)
                m += fabs((double)wf[o * k + i] * x[b * k + i]);
            mag[b * rows + o] = (float)m;
        }
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, t, w, rows, k, x, batch, yref), REALM_OK);
    for (int64_t i = 0; i < batch * rows; i++)
        y[i] = y2[i] = NAN;
    cr_assert_eq(qg_matmul(ty, qg_kernel_scalar, w, rb, rows, k, x, k, batch, y, rows), REALM_OK);
    for (int64_t i = 0; i < batch * rows; i++)
        cr_assert(isfinite(y[i]), "%s: Y[%lld] not written", realm_type_name(t), (long long)i);
    double rms, max;
    errors(y, yref, mag, batch * rows, &rms, &max);
    cr_assert(rms < ACT_Q8_REL_TOL, "%s rows=%lld k=%lld batch=%lld: rel err %.3g", realm_type_name(t),
              (long long)rows, (long long)k, (long long)batch, rms);
    if (realm_cpu_get_features()->avx512vnni) {
        cr_assert_eq(qg_matmul(ty, qg_kernel_avx512vnni, w, rb, rows, k, x, k, batch, y2, rows), REALM_OK);
        cr_assert_eq(memcmp(y, y2, sizeof(float) * batch * rows), 0, "%s: avx512 kernel differs from scalar",
                     realm_type_name(t));
    }
    if (realm_cpu_get_features()->avx512bw) {
        for (int64_t i = 0; i < batch * rows; i++)
            y2[i] = NAN;
        cr_assert_eq(qg_matmul(ty, qg_kernel_avx512bw, w, rb, rows, k, x, k, batch, y2, rows), REALM_OK);
        cr_assert_eq(memcmp(y, y2, sizeof(float) * batch * rows), 0,
                     "%s: avx512bw kernel differs from scalar", realm_type_name(t));
    }
    if (realm_cpu_get_features()->avx2) {
        for (int64_t i = 0; i < batch * rows; i++)
            y2[i] = NAN;
        cr_assert_eq(qg_matmul(ty, qg_kernel_avx2, w, rb, rows, k, x, k, batch, y2, rows), REALM_OK);
        cr_assert_eq(memcmp(y, y2, sizeof(float) * batch * rows), 0, "%s: avx2 kernel differs from scalar",
                     realm_type_name(t));
    }
    round_act_q8(x, batch * k);
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, t, w, rows, k, x, batch, yref), REALM_OK);
    errors(y, yref, mag, batch * rows, &rms, &max);
    cr_assert(max < SAME_INPUT_REL_TOL, "%s rows=%lld k=%lld batch=%lld: rel err %.3g on identical inputs",
              realm_type_name(t), (long long)rows, (long long)k, (long long)batch, max);
    free(wf);
    free(x);
    free(yref);
    free(y);
    free(y2);
    free(mag);
    free(w);
}

Test(qgemm, all_types_vs_naive) {
    static const int64_t batches[] = {1, 2, 3, 7, 16, 64, 129};
    static const int64_t rows_set[] = {1, 17, 45};
    uint64_t seed = 100;
    for (size_t ti = 0; ti < sizeof qtypes / sizeof qtypes[0]; ti++) {
        const int64_t blk = realm_type_get_traits(qtypes[ti])->block_elems;
        for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++)
            run_case(qtypes[ti], rows_set[bi % 3], bi % 2 ? blk * 3 : 256 * 2, batches[bi], seed++);
    }
}

/* Extreme values: full-range weights and activations at +-127 must not
 * saturate anywhere (the vpmaddubsw trap). */
Test(qgemm, extreme_values_do_not_saturate) {
    const int64_t rows = 16, k = 256, batch = 9;
    float *wf = malloc(sizeof(float) * rows * k), *x = malloc(sizeof(float) * batch * k);
    for (int64_t i = 0; i < rows * k; i++)
        wf[i] = (i % 3 == 0) ? -1.0f : 1.0f;
    for (int64_t i = 0; i < batch * k; i++)
        x[i] = (i % 2) ? 1.0f : -1.0f;
    for (size_t ti = 0; ti < sizeof qtypes / sizeof qtypes[0]; ti++) {
        realm_type t = qtypes[ti];
        const size_t rb = realm_row_bytes(t, k);
        uint8_t *w = malloc(rb * rows);
        float *yref = malloc(sizeof(float) * batch * rows), *y = malloc(sizeof(float) * batch * rows);
        for (int64_t i = 0; i < rows; i++)
            realm_quantize_row(t, wf + i * k, w + i * rb, k);
        realm_matmul_quant(REALM_BACKEND_NAIVE, t, w, rows, k, x, batch, yref);
        const qg_kernel_fn kerns[] = {qg_kernel_scalar, qg_kernel_avx2, qg_kernel_avxvnni,
                                      qg_kernel_avx512vnni, qg_kernel_avx512bw};
        const bool have[] = {true, realm_cpu_get_features()->avx2, realm_cpu_get_features()->avxvnni,
                             realm_cpu_get_features()->avx512vnni, realm_cpu_get_features()->avx512bw};
        for (int ki = 0; ki < 5; ki++) {
            if (!have[ki]) continue;
            cr_assert_eq(qg_matmul(qg_type_get(t), kerns[ki], w, rb, rows, k, x, k, batch, y, rows),
                         REALM_OK);
            for (int64_t i = 0; i < batch * rows; i++)
                cr_assert(fabsf(y[i] - yref[i]) <= 1e-3f * (fabsf(yref[i]) + k * 0.01f),
                          "%s kernel %d: %g vs %g", realm_type_name(t), ki, y[i], yref[i]);
        }
        free(w);
        free(yref);
        free(y);
    }
    free(wf);
    free(x);
}

/* A GGUF file may hold Q8_0 quants of -128 (our quantizers never write
 * them): the AVX2 sign trick must not overflow on them. */
Test(qgemm, q8_0_minus_128_is_exact) {
    const int64_t rows = 3, k = 64, batch = 8;
    const size_t rb = realm_row_bytes(REALM_TYPE_Q8_0, k);
    uint8_t *w = calloc(rows, rb);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t blk = 0; blk < k / 32; blk++) {
            uint8_t *b = w + r * rb + blk * 34;
            const uint16_t one = realm_fp32_to_fp16(1.0f);
            memcpy(b, &one, 2);
            memset(b + 2, 0x80, 32); /* -128 */
        }
    float x[8 * 64], y[8 * 3], yref[8 * 3];
    for (int i = 0; i < batch * k; i++)
        x[i] = (i % 3 == 0) ? -1.0f : 1.0f; /* quantizes to exactly +-127 */
    cr_assert_eq(realm_matmul_quant(REALM_BACKEND_NAIVE, REALM_TYPE_Q8_0, w, rows, k, x, batch, yref),
                 REALM_OK);
    const qg_kernel_fn kerns[] = {qg_kernel_scalar, qg_kernel_avx2, qg_kernel_avxvnni, qg_kernel_avx512vnni,
                                  qg_kernel_avx512bw};
    const bool have[] = {true, realm_cpu_get_features()->avx2, realm_cpu_get_features()->avxvnni,
                         realm_cpu_get_features()->avx512vnni, realm_cpu_get_features()->avx512bw};
    for (int ki = 0; ki < 5; ki++) {
        if (!have[ki]) continue;
        cr_assert_eq(qg_matmul(qg_type_get(REALM_TYPE_Q8_0), kerns[ki], w, rb, rows, k, x, k, batch, y, rows),
                     REALM_OK);
        for (int i = 0; i < batch * rows; i++)
            cr_assert_eq(y[i], yref[i], "kernel %d: %g vs %g", ki, y[i], yref[i]);
    }
    free(w);
}

/* The AVX-512 activation quantizer writes exactly the portable one's bytes,
 * scales and block sums, including ties, zeros and huge values. */
Test(qgemm, avx512_activation_quantizer_matches_portable) {
    if (!realm_cpu_get_features()->avx512f) cr_skip_test("no AVX-512 on this CPU");
    const int64_t k = 256, batch = 5;
    float *x = malloc(sizeof(float) * batch * k);
    tu_rng r = {4242};
    tu_fill(&r, x, batch * k, 3.0f);
    for (int64_t i = 0; i < 32; i++)
        x[32 + i] = 0.0f; /* an all-zero block */
    for (int64_t i = 0; i < 32; i++)
        x[64 + i] = (float)(i - 16) * 0.5f; /* exact halves: ties */
    x[100] = 3e38f;
    static const realm_type types[] = {REALM_TYPE_Q4_0, REALM_TYPE_Q2_K, REALM_TYPE_Q6_K, REALM_TYPE_Q4_1};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        const qg_type *ty = qg_type_get(types[t]);
        const size_t bytes = qg_act_bytes(ty, k, batch);
        void *w1 = aligned_alloc(64, bytes), *w2 = aligned_alloc(64, bytes);
        memset(w1, 0xAB, bytes);
        memset(w2, 0xAB, bytes);
        qg_act a1, a2;
        qg_act_init(&a1, ty, k, batch, w1);
        qg_act_init(&a2, ty, k, batch, w2);
        qg_quantize_act(ty, x, k, k, 0, batch, &a1);
        qg_quantize_act_avx512(ty, x, k, k, 0, batch, &a2);
        cr_assert_eq(memcmp(w1, w2, bytes), 0, "%s: AVX-512 activation bytes differ",
                     realm_type_name(types[t]));
        free(w1);
        free(w2);
    }
    free(x);
}

/* The two-panel AVX-512 VNNI kernel gives exactly the bits of the one-panel
 * kernel called on each panel, for every type, every column tail (batch
 * 1..13 covers tiles of 6 and tails 1..5) and one or many blocks. */
Test(qgemm, two_panel_kernel_same_bits) {
    if (!realm_cpu_get_features()->avx512vnni) cr_skip_test("no AVX-512 VNNI on this CPU");
    static const int64_t ks[] = {256, 1024};
    for (size_t ti = 0; ti < sizeof qtypes / sizeof qtypes[0]; ti++)
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
            const realm_type t = qtypes[ti];
            const qg_type *ty = qg_type_get(t);
            const int64_t k = ks[ki], rows = 32, max_batch = 13;
            const size_t rb = realm_row_bytes(t, k);
            tu_rng r = {7000 + ti * 10 + ki};
            float *wf = malloc(sizeof(float) * rows * k), *x = malloc(sizeof(float) * max_batch * k);
            uint8_t *w = malloc(rb * rows);
            tu_fill(&r, wf, rows * k, 0.5f);
            tu_fill(&r, x, max_batch * k, 2.0f);
            for (int64_t i = 0; i < rows; i++)
                realm_quantize_row(t, wf + i * k, w + i * rb, k);
            const size_t pb = qg_panel_bytes(ty, k), ab = qg_act_bytes(ty, k, max_batch);
            uint8_t *ws = aligned_alloc(64, 2 * pb + ((qg_pack_tmp_bytes(ty, k) + 63) & ~(size_t)63) + ab);
            qg_panel p[2];
            for (int h = 0; h < 2; h++) {
                qg_panel_init(&p[h], ty, k, ws + h * pb);
                qg_pack_panel(ty, w, rb, 16 * h, 16, k, ws + 2 * pb + ab, &p[h]);
            }
            qg_act a;
            qg_act_init(&a, ty, k, max_batch, ws + 2 * pb);
            qg_quantize_act(ty, x, k, k, 0, max_batch, &a);
            float *y1 = malloc(sizeof(float) * max_batch * rows),
                  *y2 = malloc(sizeof(float) * max_batch * rows);
            for (int64_t batch = 1; batch <= max_batch; batch++) {
                for (int64_t i = 0; i < max_batch * rows; i++)
                    y1[i] = y2[i] = NAN;
                qg_kernel_avx512vnni(ty, &p[0], 16, k, &a, 0, batch, y1, rows);
                qg_kernel_avx512vnni(ty, &p[1], 16, k, &a, 0, batch, y1 + 16, rows);
                qg_kernel2_avx512vnni(ty, &p[0], &p[1], k, &a, 0, batch, y2, rows);
                for (int64_t i = 0; i < batch * rows; i++)
                    cr_assert(!isnan(y2[i]) && memcmp(&y1[i], &y2[i], sizeof(float)) == 0,
                              "%s k %lld batch %lld element %lld: %g vs %g", realm_type_name(t), (long long)k,
                              (long long)batch, (long long)i, y2[i], y1[i]);
                for (int64_t i = batch * rows; i < max_batch * rows; i++)
                    cr_assert(isnan(y2[i]), "%s batch %lld: column %lld written", realm_type_name(t),
                              (long long)batch, (long long)(i / rows));
            }
            free(ws);
            free(wf);
            free(x);
            free(w);
            free(y1);
            free(y2);
        }
}

/* The direct packers of the 32-element types write exactly the panel the
 * generic extract + interleave route writes: full and partial panels (the
 * padding rows), rows taken from the middle of a weight, fifth bits and the
 * -128 byte of Q8 included. */
Test(qgemm, direct_pack_equals_generic) {
    static const realm_type types[] = {REALM_TYPE_Q4_0, REALM_TYPE_Q4_1, REALM_TYPE_Q5_0,
                                       REALM_TYPE_Q5_1, REALM_TYPE_Q8_0, REALM_TYPE_Q8_1};
    const int64_t rows = 40, k = 320;
    for (size_t ti = 0; ti < sizeof types / sizeof types[0]; ti++) {
        const realm_type t = types[ti];
        const qg_type *ty = qg_type_get(t);
        cr_assert_not_null(ty->pack, "%s has a direct packer", realm_type_name(t));
        const size_t rb = realm_row_bytes(t, k), pb = qg_panel_bytes(ty, k);
        tu_rng r = {8100 + ti};
        float *wf = malloc(sizeof(float) * rows * k);
        uint8_t *w = malloc(rb * rows);
        tu_fill(&r, wf, rows * k, 1.0f);
        for (int64_t i = 0; i < rows; i++)
            realm_quantize_row(t, wf + i * k, w + i * rb, k);
        if (t == REALM_TYPE_Q8_0) w[2 + 5] = 0x80; /* a -128 level */
        uint8_t *a = aligned_alloc(64, pb), *b = aligned_alloc(64, pb);
        void *tmp = aligned_alloc(64, (qg_pack_tmp_bytes(ty, k) + 63) & ~(size_t)63);
        static const int64_t starts[] = {0, 16, 24, 37}, counts[] = {16, 16, 16, 3};
        for (int s = 0; s < 4; s++) {
            memset(a, 0x5A, pb);
            memset(b, 0xA5, pb);
            qg_panel pa, pg;
            qg_panel_init(&pa, ty, k, a);
            qg_panel_init(&pg, ty, k, b);
            qg_pack_panel(ty, w, rb, starts[s], counts[s], k, tmp, &pa);
            qg_pack_panel_generic(ty, w, rb, starts[s], counts[s], k, tmp, &pg);
            cr_assert_eq(memcmp(pa.q, pg.q, (size_t)k * 16), 0, "%s rows %lld+%lld: levels differ",
                         realm_type_name(t), (long long)starts[s], (long long)counts[s]);
            cr_assert_eq(memcmp(pa.s1, pg.s1, sizeof(float) * 16 * (size_t)(k / ty->B)), 0,
                         "%s: scales differ", realm_type_name(t));
            cr_assert_eq(memcmp(pa.m, pg.m, sizeof(float) * 16 * (size_t)(k / ty->Bm)), 0, "%s: mins differ",
                         realm_type_name(t));
        }
        free(a);
        free(b);
        free(tmp);
        free(wf);
        free(w);
    }
}
