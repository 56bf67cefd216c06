/* Language-model graph ops: token ids + get_rows against dequantized rows,
 * reshape views, last_row, and an attention block through a KV cache:
 * against direct ops.h calls, prefill vs token-by-token decode, the cache
 * full / rewind rules, and bit-identical across executors and threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/realm.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

enum { E = 64, H = 8, HKV = 2, HD = 8, MAXT = 12, CTX = 24, VOCAB = 50 };

static void *quantize(tu_rng *r, realm_type type, int64_t rows, int64_t cols, float scale) {
    const size_t rb = realm_row_bytes(type, cols);
    float *f = malloc(sizeof(float) * rows * cols);
    unsigned char *w = malloc(rb * rows);
    tu_fill(r, f, rows * cols, scale);
    for (int64_t i = 0; i < rows; i++)
        cr_assert_eq(realm_quantize_row(type, f + i * cols, w + i * rb, cols), REALM_OK);
    free(f);
    return w;
}

Test(graph_llm, get_rows_and_last_row) {
    tu_rng r = {3};
    void *table = quantize(&r, REALM_TYPE_Q8_0, VOCAB, E, 1.0f);
    realm_graph *g;
    realm_status st;
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    realm_tensor *ids = realm_input_ids(g, "ids", MAXT, &st);
    cr_assert_eq(realm_tensor_type(ids), REALM_TYPE_I32);
    realm_tensor *tw = realm_weight(g, "tok", REALM_TYPE_Q8_0, 2, (const int64_t[]){VOCAB, E}, table, &st);
    realm_tensor *x = realm_op_get_rows(g, tw, ids, &st);
    cr_assert_eq(st, REALM_OK, "%s", realm_last_error());
    realm_tensor *last = realm_op_last_row(g, x, &st);
    cr_assert_eq(realm_graph_output(g, x), REALM_OK);
    cr_assert_eq(realm_graph_output(g, last), REALM_OK);
    /* ids must be an id input; ops other than get_rows refuse i32 */
    cr_assert_null(realm_op_get_rows(g, tw, x, &st));
    cr_assert_null(realm_op_scale(g, ids, 2.0f, &st));
    realm_runtime *rt = tu_runtime(2, REALM_EXECUTOR_POOL);
    realm_plan *p;
    cr_assert_eq(realm_graph_compile(g, rt, NULL, &p), REALM_OK, "%s", realm_last_error());
    const int32_t tok[5] = {7, 0, 49, 7, 23};
    realm_binding b = {.tensor = ids, .data = tok, .shape = {.n_dims = 1, .dims = {5}}};
    cr_assert_eq(realm_plan_run(p, &b, 1), REALM_OK, "%s", realm_last_error());
    const float *y, *yl;
    realm_shape sh;
    cr_assert_eq(realm_plan_output(p, x, &y, &sh), REALM_OK);
    cr_assert_eq(sh.dims[0], 5);
    cr_assert_eq(realm_plan_output(p, last, &yl, &sh), REALM_OK);
    cr_assert_eq(sh.dims[0], 1);
    const size_t rb = realm_row_bytes(REALM_TYPE_Q8_0, E);
    float row[E];
    for (int t = 0; t < 5; t++) {
        cr_assert_eq(realm_dequantize_row(REALM_TYPE_Q8_0, (unsigned char *)table + tok[t] * rb, row, E),
                     REALM_OK);
        cr_assert_eq(memcmp(row, y + t * E, sizeof row), 0, "token %d", t);
    }
    cr_assert_eq(memcmp(yl, y + 4 * E, sizeof(float) * E), 0);
    const int32_t bad[2] = {3, VOCAB};
    b.data = bad;
    b.shape.dims[0] = 2;
    cr_assert_eq(realm_plan_run(p, &b, 1), REALM_ERR_INVALID_ARG);
    cr_assert(strstr(realm_last_error(), "50") != NULL, "%s", realm_last_error());
    realm_plan_destroy(p);
    realm_runtime_destroy(rt);
    realm_graph_destroy(g);
    free(table);
}

/* The attention block: q/k/v projections, reshape to heads, RoPE at the
 * cache position, attention, reshape-free output [T][E] -> wo. */
typedef struct block {
    void *wq, *wk, *wv, *wo;
    realm_graph *g;
    realm_tensor *x, *out;
    realm_kv_cache *cache;
} block;

static void block_init(block *b, int64_t ctx) {
    tu_rng r = {19};
    b->wq = quantize(&r, REALM_TYPE_Q8_0, H * HD, E, 0.15f);
    b->wk = quantize(&r, REALM_TYPE_Q8_0, HKV * HD, E, 0.15f);
    b->wv = quantize(&r, REALM_TYPE_Q8_0, HKV * HD, E, 0.15f);
    b->wo = quantize(&r, REALM_TYPE_Q8_0, E, H * HD, 0.15f);
    cr_assert_eq(realm_kv_cache_create(1, ctx, HKV, HD, &b->cache), REALM_OK);
    realm_graph *g;
    realm_status st;
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    b->g = g;
    b->x = realm_input(g, "x", 2, (const int64_t[]){REALM_DIM_DYNAMIC, E}, MAXT, &st);
    realm_tensor *wq = realm_weight(g, "wq", REALM_TYPE_Q8_0, 2, (const int64_t[]){H * HD, E}, b->wq, &st);
    realm_tensor *wk = realm_weight(g, "wk", REALM_TYPE_Q8_0, 2, (const int64_t[]){HKV * HD, E}, b->wk, &st);
    realm_tensor *wv = realm_weight(g, "wv", REALM_TYPE_Q8_0, 2, (const int64_t[]){HKV * HD, E}, b->wv, &st);
    realm_tensor *wo = realm_weight(g, "wo", REALM_TYPE_Q8_0, 2, (const int64_t[]){E, H * HD}, b->wo, &st);
    const int64_t qd[3] = {REALM_DIM_DYNAMIC, H, HD}, kd[3] = {REALM_DIM_DYNAMIC, HKV, HD};
    realm_tensor *q = realm_op_reshape(g, realm_op_matmul(g, wq, b->x, &st), 3, qd, &st);
    realm_tensor *k = realm_op_reshape(g, realm_op_matmul(g, wk, b->x, &st), 3, kd, &st);
    realm_tensor *v = realm_op_reshape(g, realm_op_matmul(g, wv, b->x, &st), 3, kd, &st);
    cr_assert_eq(st, REALM_OK, "%s", realm_last_error());
    realm_rope_params rp = realm_rope_params_default();
    q = realm_op_rope_kv(g, q, &rp, b->cache, &st);
    k = realm_op_rope_kv(g, k, &rp, b->cache, &st);
    realm_tensor *a = realm_op_attention(g, q, k, v, b->cache, 0, 1.0f / sqrtf(HD), &st);
    cr_assert_eq(st, REALM_OK, "%s", realm_last_error());
    b->out = realm_op_matmul(g, wo, a, &st);
    cr_assert_eq(realm_graph_output(g, b->out), REALM_OK);
}

static void block_free(block *b) {
    realm_graph_destroy(b->g);
    realm_kv_cache_destroy(b->cache);
    free(b->wq);
    free(b->wk);
    free(b->wv);
    free(b->wo);
}

/* The block by direct naive ops.h calls over tokens 0..T-1 at once. */
static void block_ref(const block *b, const float *x, int64_t T, float *y) {
    const realm_backend be = REALM_BACKEND_NAIVE;
    float *q = malloc(sizeof(float) * T * H * HD), *k = malloc(sizeof(float) * T * HKV * HD);
    float *v = malloc(sizeof(float) * T * HKV * HD), *a = malloc(sizeof(float) * T * H * HD);
    cr_assert_eq(realm_matmul_quant(be, REALM_TYPE_Q8_0, b->wq, H * HD, E, x, T, q), REALM_OK);
    cr_assert_eq(realm_matmul_quant(be, REALM_TYPE_Q8_0, b->wk, HKV * HD, E, x, T, k), REALM_OK);
    cr_assert_eq(realm_matmul_quant(be, REALM_TYPE_Q8_0, b->wv, HKV * HD, E, x, T, v), REALM_OK);
    cr_assert_eq(realm_rope(be, q, q, T, H, HD, NULL, NULL), REALM_OK);
    cr_assert_eq(realm_rope(be, k, k, T, HKV, HD, NULL, NULL), REALM_OK);
    cr_assert_eq(realm_attention(be, q, k, v, a, T, H, HKV, HD, T, 0, 1.0f / sqrtf(HD)), REALM_OK);
    cr_assert_eq(realm_matmul_quant(be, REALM_TYPE_Q8_0, b->wo, E, H * HD, a, T, y), REALM_OK);
    free(q);
    free(k);
    free(v);
    free(a);
}

static void run_tokens(realm_plan *p, const block *b, const float *x, int64_t T) {
    realm_binding bd = {.tensor = b->x, .data = x, .shape = {.n_dims = 2, .dims = {T, E}}};
    cr_assert_eq(realm_plan_run(p, &bd, 1), REALM_OK, "%s", realm_last_error());
}

Test(graph_llm, attention_block_prefill_decode_and_reference) {
    enum { T = 11 };
    block b;
    block_init(&b, CTX);
    tu_rng r = {23};
    float x[T * E], ref[T * E], dec[T * E];
    tu_fill(&r, x, T * E, 1.0f);
    block_ref(&b, x, T, ref);
    for (int be = 0; be < 2; be++) {
        realm_runtime *rt = tu_runtime(2, REALM_EXECUTOR_POOL);
        realm_graph_options o = realm_graph_options_default();
        o.backend = (realm_backend)be;
        realm_plan *p;
        cr_assert_eq(realm_graph_compile(b.g, rt, &o, &p), REALM_OK, "%s", realm_last_error());
        /* prefill all T tokens in one run */
        cr_assert_eq(realm_kv_cache_set_pos(b.cache, 0), REALM_OK);
        run_tokens(p, &b, x, T);
        cr_assert_eq(realm_kv_cache_pos(b.cache), T);
        const float *y;
        cr_assert_eq(realm_plan_output(p, b.out, &y, NULL), REALM_OK);
        /* optimized: activations quantized to q8_0 before each of the 4 matmuls
         * (~0.6% each), amplified by the softmax of sharp random scores */
        const double tol = be == REALM_BACKEND_NAIVE ? 1e-5 : 5e-2;
        cr_assert_lt(tu_rel_rmse(y, ref, T * E), tol, "backend %d prefill: %g", be,
                     tu_rel_rmse(y, ref, T * E));
        /* then the same tokens as 4 + 1 + 1 + ... (decode) */
        cr_assert_eq(realm_kv_cache_set_pos(b.cache, 0), REALM_OK);
        run_tokens(p, &b, x, 4);
        cr_assert_eq(realm_plan_output(p, b.out, &y, NULL), REALM_OK);
        memcpy(dec, y, sizeof(float) * 4 * E);
        for (int t = 4; t < T; t++) {
            run_tokens(p, &b, x + t * E, 1);
            cr_assert_eq(realm_plan_output(p, b.out, &y, NULL), REALM_OK);
            memcpy(dec + t * E, y, sizeof(float) * E);
        }
        cr_assert_eq(realm_kv_cache_pos(b.cache), T);
        cr_assert_lt(tu_rel_rmse(dec, ref, T * E), tol, "backend %d decode: %g", be,
                     tu_rel_rmse(dec, ref, T * E));
        realm_plan_destroy(p);
        realm_runtime_destroy(rt);
    }
    block_free(&b);
}

Test(graph_llm, cache_full_rewind_and_bit_identical) {
    block b;
    block_init(&b, 10);
    tu_rng r = {29};
    float x[MAXT * E], first[8 * E];
    tu_fill(&r, x, MAXT * E, 1.0f);
    const realm_executor ex[3] = {REALM_EXECUTOR_POOL, REALM_EXECUTOR_OPENMP, REALM_EXECUTOR_SERIAL};
    const int threads[3] = {1, 2, 3};
    for (int e = 0; e < 3; e++)
        for (int ti = 0; ti < (ex[e] == REALM_EXECUTOR_SERIAL ? 1 : 3); ti++) {
            realm_runtime *rt = tu_runtime(threads[ti], ex[e]);
            realm_plan *p;
            cr_assert_eq(realm_graph_compile(b.g, rt, NULL, &p), REALM_OK, "%s", realm_last_error());
            cr_assert_eq(realm_kv_cache_set_pos(b.cache, 0), REALM_OK);
            run_tokens(p, &b, x, 6);
            run_tokens(p, &b, x + 6 * E, 2);
            const float *y;
            cr_assert_eq(realm_plan_output(p, b.out, &y, NULL), REALM_OK);
            if (e == 0 && ti == 0)
                memcpy(first, y, sizeof(float) * 2 * E);
            else
                cr_assert_eq(memcmp(first, y, sizeof(float) * 2 * E), 0, "executor %d threads %d", e,
                             threads[ti]);
            /* 8 stored + 3 > 10: refused before anything runs, position kept */
            realm_binding bd = {.tensor = b.x, .data = x, .shape = {.n_dims = 2, .dims = {3, E}}};
            cr_assert_eq(realm_plan_run(p, &bd, 1), REALM_ERR_STATE);
            cr_assert(strstr(realm_last_error(), "full") != NULL);
            cr_assert_eq(realm_kv_cache_pos(b.cache), 8);
            /* rewind to 6 and redo the last 2 tokens: the same bits */
            cr_assert_eq(realm_kv_cache_set_pos(b.cache, 6), REALM_OK);
            run_tokens(p, &b, x + 6 * E, 2);
            cr_assert_eq(realm_plan_output(p, b.out, &y, NULL), REALM_OK);
            cr_assert_eq(memcmp(first, y, sizeof(float) * 2 * E), 0);
            realm_plan_destroy(p);
            realm_runtime_destroy(rt);
        }
    cr_assert_eq(realm_kv_cache_set_pos(b.cache, 9), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_kv_cache_set_pos(NULL, 0), REALM_ERR_INVALID_ARG);
    block_free(&b);
}

Test(graph_llm, bad_construction) {
    realm_graph *g, *g2;
    realm_status st;
    realm_kv_cache *c;
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    cr_assert_eq(realm_graph_create(&g2), REALM_OK);
    cr_assert_eq(realm_kv_cache_create(2, 16, 2, 8, &c), REALM_OK);
    cr_assert_eq(realm_kv_cache_create(0, 16, 2, 8, &(realm_kv_cache *){NULL}), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_kv_cache_create(1, INT64_MAX / 2, 2, 8, &(realm_kv_cache *){NULL}),
                 REALM_ERR_OVERFLOW);
    realm_tensor *x = realm_input(g, "x", 2, (const int64_t[]){REALM_DIM_DYNAMIC, 16}, 4, &st);
    realm_tensor *x2 = realm_input(g2, "x", 2, (const int64_t[]){4, 16}, 4, &st);
    /* reshape: counts must agree, dynamic dims must match */
    cr_assert_null(realm_op_reshape(g, x, 3, (const int64_t[]){REALM_DIM_DYNAMIC, 3, 5}, &st));
    cr_assert_eq(st, REALM_ERR_SHAPE);
    cr_assert_null(realm_op_reshape(g, x, 2, (const int64_t[]){4, 16}, &st));
    cr_assert_eq(st, REALM_ERR_SHAPE);
    cr_assert_null(realm_op_reshape(g, x2, 2, (const int64_t[]){2, 32}, &st));
    cr_assert_eq(st, REALM_ERR_INVALID_ARG);
    realm_tensor *q = realm_op_reshape(g, x, 3, (const int64_t[]){REALM_DIM_DYNAMIC, 2, 8}, &st);
    cr_assert_not_null(q);
    realm_tensor *q4 = realm_op_reshape(g, x, 3, (const int64_t[]){REALM_DIM_DYNAMIC, 4, 4}, &st);
    /* attention: head_dim and kv heads from the cache; layers once each */
    cr_assert_null(realm_op_attention(g, q4, q4, q4, c, 0, 1, &st));
    cr_assert_eq(st, REALM_ERR_SHAPE);
    cr_assert_null(realm_op_attention(g, q, q, q, c, 2, 1, &st));
    cr_assert_eq(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_op_attention(g, q, q, q, NULL, 0, 1, &st));
    cr_assert_not_null(realm_op_attention(g, q, q, q, c, 0, 1, &st));
    cr_assert_null(realm_op_attention(g, q, q, q, c, 0, 1, &st));
    cr_assert_eq(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_op_rope_kv(g, q, NULL, NULL, &st));
    cr_assert_null(realm_op_last_row(g, NULL, &st));
    cr_assert_null(realm_op_get_rows(g, x, x, &st));
    realm_kv_cache_destroy(c);
    realm_graph_destroy(g);
    realm_graph_destroy(g2);
}
