/* realm_runtime_matmul_quant: the same bits as the single-threaded call for
 * every thread count and executor, on both backends and both optimized
 * paths (GEMV below batch 8, int8 GEMM above). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/ops.h"
#include "realm/quant.h"
#include "realm/runtime.h"
#include "runtime/matmul_ex.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

Test(matmul_runtime, bit_identical_for_any_threads_and_executor) {
    static const realm_type types[] = {REALM_TYPE_Q4_K, REALM_TYPE_Q6_K, REALM_TYPE_Q4_0, REALM_TYPE_Q5_1,
                                       REALM_TYPE_Q8_K, REALM_TYPE_F32,  REALM_TYPE_F16};
    static const int64_t batches[] = {1, 3, 9, 40};
    const int64_t rows = 83, k = 512;
    for (size_t ti = 0; ti < sizeof types / sizeof types[0]; ti++) {
        const realm_type t = types[ti];
        const size_t rb = realm_row_bytes(t, k);
        tu_rng r = {900 + ti};
        float *wf = malloc(sizeof(float) * rows * k);
        uint8_t *w = malloc(rb * rows);
        tu_fill(&r, wf, rows * k, 0.3f);
        for (int64_t i = 0; i < rows; i++)
            realm_quantize_row(t, wf + i * k, w + i * rb, k);
        for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++) {
            const int64_t batch = batches[bi];
            float *x = malloc(sizeof(float) * batch * k), *want = malloc(sizeof(float) * batch * rows);
            float *got = malloc(sizeof(float) * batch * rows);
            tu_fill(&r, x, batch * k, 1.0f);
            for (int be = 0; be < 2; be++) {
                cr_assert_eq(realm_matmul_quant((realm_backend)be, t, w, rows, k, x, batch, want), REALM_OK);
                for (int ex = 0; ex < 3; ex++) {
                    for (int threads = 1; threads <= (ex == REALM_EXECUTOR_SERIAL ? 1 : 5); threads += 2) {
                        realm_runtime *rt = tu_runtime(threads, (realm_executor)ex);
                        for (int64_t i = 0; i < batch * rows; i++)
                            got[i] = NAN;
                        cr_assert_eq(
                            realm_runtime_matmul_quant(rt, (realm_backend)be, t, w, rows, k, x, batch, got),
                            REALM_OK, "%s", realm_last_error());
                        cr_assert_eq(memcmp(got, want, sizeof(float) * batch * rows), 0,
                                     "%s batch %lld backend %d executor %d threads %d: bits differ",
                                     realm_type_name(t), (long long)batch, be, ex, threads);
                        realm_runtime_destroy(rt);
                    }
                }
            }
            free(x);
            free(want);
            free(got);
        }
        free(wf);
        free(w);
    }
}

Test(matmul_runtime, bad_input) {
    realm_runtime *rt = tu_runtime(2, REALM_EXECUTOR_POOL);
    float x[32] = {1}, y[4];
    uint8_t w[34] = {0};
    cr_assert_eq(
        realm_runtime_matmul_quant(NULL, REALM_BACKEND_OPTIMIZED, REALM_TYPE_Q8_0, w, 1, 32, x, 1, y),
        REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_matmul_quant(rt, REALM_BACKEND_OPTIMIZED, REALM_TYPE_Q8_0, w, 1, 33, x, 1, y),
                 REALM_ERR_SHAPE);
    cr_assert(strstr(realm_last_error(), "realm_runtime_matmul_quant") != NULL);
    cr_assert_eq(
        realm_runtime_matmul_quant(rt, REALM_BACKEND_OPTIMIZED, REALM_TYPE_Q8_0, NULL, 1, 32, x, 1, y),
        REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_matmul_quant(rt, (realm_backend)7, REALM_TYPE_Q8_0, w, 1, 32, x, 1, y),
                 REALM_ERR_INVALID_ARG);
    realm_runtime_destroy(rt);
}

/* ---- groups: weights sharing the activations (runtime/matmul_ex.h) --------------- */

typedef struct affine_ctx {
    const float *x;
    int64_t k;
} affine_ctx;

/* Activation row b = 2 x[b] + 0.5: a prologue the reference applies up front. */
static void affine_row(void *ctx, int64_t b, float *out) {
    const affine_ctx *c = ctx;
    for (int64_t i = 0; i < c->k; i++)
        out[i] = 2.0f * c->x[b * c->k + i] + 0.5f;
}

/* A group of four weights (two activation formats on each path: Q8_K and
 * Q8_0 partners; three GEMM block layouts) gives every part the bits of its
 * own single call, with and without a prologue and a caller workspace, for
 * GEMV (private and shared activations) and GEMM batches. */
Test(matmul_runtime, group_equals_separate_calls) {
    enum { NP = 4 };
    static const realm_type types[NP] = {REALM_TYPE_Q4_K, REALM_TYPE_Q6_K, REALM_TYPE_Q4_0, REALM_TYPE_Q4_K};
    static const int64_t rows[NP] = {83, 17, 40, 64};
    static const int64_t batches[] = {1, 2, 5, 9, 40};
    const int64_t k = 512;
    tu_rng r = {4242};
    uint8_t *w[NP];
    for (int p = 0; p < NP; p++) {
        const size_t rb = realm_row_bytes(types[p], k);
        float *wf = malloc(sizeof(float) * rows[p] * k);
        w[p] = malloc(rb * rows[p]);
        tu_fill(&r, wf, rows[p] * k, 0.3f);
        for (int64_t i = 0; i < rows[p]; i++)
            realm_quantize_row(types[p], wf + i * k, w[p] + i * rb, k);
        free(wf);
    }
    for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++) {
        const int64_t batch = batches[bi];
        float *x = malloc(sizeof(float) * batch * k), *xa = malloc(sizeof(float) * batch * k);
        tu_fill(&r, x, batch * k, 1.0f);
        const affine_ctx actx = {x, k};
        for (int64_t b = 0; b < batch; b++)
            affine_row((void *)&actx, b, xa + b * k);
        float *want[NP], *got[NP];
        for (int p = 0; p < NP; p++) {
            want[p] = malloc(sizeof(float) * batch * rows[p]);
            got[p] = malloc(sizeof(float) * batch * rows[p]);
        }
        for (int pro = 0; pro < 2; pro++) {
            for (int p = 0; p < NP; p++)
                cr_assert_eq(realm_matmul_quant(REALM_BACKEND_OPTIMIZED, types[p], w[p], rows[p], k,
                                                pro ? xa : x, batch, want[p]),
                             REALM_OK);
            for (int ex = 0; ex < 2; ex++)
                for (int threads = 1; threads <= 3; threads++) {
                    realm_runtime *rt = tu_runtime(threads, (realm_executor)ex);
                    realm_mm_part more[NP - 1];
                    for (int p = 1; p < NP; p++)
                        more[p - 1] =
                            (realm_mm_part){.wtype = types[p], .W = w[p], .rows = rows[p], .Y = got[p]};
                    realm_mm_ex mx = {.be = REALM_BACKEND_OPTIMIZED,
                                      .wtype = types[0],
                                      .W = w[0],
                                      .rows = rows[0],
                                      .k = k,
                                      .batch = batch,
                                      .X = x,
                                      .Y = got[0],
                                      .more = more,
                                      .n_more = NP - 1};
                    if (pro) {
                        mx.X = NULL;
                        mx.prologue = affine_row;
                        mx.prologue_ctx = (void *)&actx;
                    }
                    const size_t wsb = realm_runtime_matmul_ws_bytes(rt, &mx);
                    cr_assert_gt(wsb, 0);
                    void *ws = aligned_alloc(64, (wsb + 63) / 64 * 64);
                    memset(ws, 0xA5, wsb); /* whatever was there: every byte read is written first */
                    for (int own = 0; own < 2; own++) { /* caller workspace, then one allocated per call */
                        mx.ws = own ? NULL : ws;
                        mx.ws_bytes = own ? 0 : wsb;
                        for (int p = 0; p < NP; p++)
                            for (int64_t i = 0; i < batch * rows[p]; i++)
                                got[p][i] = NAN;
                        cr_assert_eq(realm_runtime_matmul_quant_ex(rt, &mx), REALM_OK, "%s",
                                     realm_last_error());
                        for (int p = 0; p < NP; p++)
                            cr_assert_eq(
                                memcmp(got[p], want[p], sizeof(float) * batch * rows[p]), 0,
                                "part %d (%s) batch %lld prologue %d executor %d threads %d: bits differ", p,
                                realm_type_name(types[p]), (long long)batch, pro, ex, threads);
                    }
                    free(ws);
                    realm_runtime_destroy(rt);
                }
        }
        for (int p = 0; p < NP; p++) {
            free(want[p]);
            free(got[p]);
        }
        free(x);
        free(xa);
    }
    for (int p = 0; p < NP; p++)
        free(w[p]);
}

/* A group part the fast path cannot take (f32 weights, or too many parts)
 * is an error, not a wrong answer. */
Test(matmul_runtime, group_bad_parts) {
    const int64_t k = 256, rows = 16;
    uint8_t *w = calloc(1, realm_row_bytes(REALM_TYPE_F32, k) * rows);
    float x[256] = {1}, y[16] = {0}, y2[16] = {0};
    realm_runtime *rt = tu_runtime(2, REALM_EXECUTOR_POOL);
    const realm_mm_part f32_part[1] = {{.wtype = REALM_TYPE_F32, .W = w, .rows = rows, .Y = y2}};
    const realm_mm_part q8_parts[REALM_MM_MAX_PARTS] = {
        {.wtype = REALM_TYPE_Q8_0, .W = w, .rows = rows, .Y = y2}};
    realm_mm_ex mx = {.be = REALM_BACKEND_OPTIMIZED,
                      .wtype = REALM_TYPE_Q8_0,
                      .W = w,
                      .rows = rows,
                      .k = k,
                      .batch = 1,
                      .X = x,
                      .Y = y,
                      .more = f32_part,
                      .n_more = 1};
    cr_assert_neq(realm_runtime_matmul_quant_ex(rt, &mx), REALM_OK);
    mx.more = q8_parts;
    cr_assert_eq(realm_runtime_matmul_quant_ex(rt, &mx), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(memcmp(y, y2, sizeof y), 0, "the same weights twice: the same rows");
    mx.n_more = REALM_MM_MAX_PARTS;
    cr_assert_neq(realm_runtime_matmul_quant_ex(rt, &mx), REALM_OK);
    cr_assert_eq(realm_runtime_matmul_ws_bytes(rt, &mx), 0);
    realm_runtime_destroy(rt);
    free(w);
}
