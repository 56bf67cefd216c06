/* A llama transformer block built with the public graph API:
 *
 *   h = rms_norm(x) * attn_norm
 *   q, k, v = Wq h, Wk h, Wv h           viewed as [tokens][heads][head_dim]
 *   q, k = rope(q), rope(k)              positions from the KV cache
 *   a = attention(q, k, v)               appends k, v to the cache; GQA
 *   x = x + Wo a
 *   x = x + W_down (silu(W_gate h2) * W_up h2),  h2 = rms_norm(x) * ffn_norm
 *
 * Weights are random q4_K. It runs a prompt of `tokens` in one batch, then
 * the same tokens again one at a time through the cache (after rewinding it),
 * and prints how far the two agree: the KV cache at work.
 *
 *   example_transformer_block [tokens] [threads]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realm/realm.h"

enum { DIM = 512, HEADS = 8, KV_HEADS = 2, HEAD_DIM = DIM / HEADS, HIDDEN = 1536, MAX_TOKENS = 32 };

static void fill(float *x, int64_t n, float scale, uint64_t *state) {
    for (int64_t i = 0; i < n; i++) {
        *state = *state * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = scale * ((float)(*state >> 40) / (float)(1 << 24) * 2.0f - 1.0f);
    }
}

static void *random_q4k(int64_t rows, int64_t cols, uint64_t *state) {
    const size_t rb = realm_row_bytes(REALM_TYPE_Q4_K, cols);
    float *row = malloc(sizeof(float) * (size_t)cols);
    unsigned char *w = malloc(rb * (size_t)rows);
    if (!row || !w) {
        free(row);
        free(w);
        return NULL;
    }
    for (int64_t r = 0; r < rows; r++) {
        fill(row, cols, 1.0f / sqrtf((float)cols), state);
        realm_quantize_row(REALM_TYPE_Q4_K, row, w + (size_t)r * rb, cols);
    }
    free(row);
    return w;
}

static int check(realm_status s, const char *what) {
    if (s != REALM_OK)
        fprintf(stderr, "example_transformer_block: %s: %s (%s)\n", what, realm_status_str(s),
                realm_last_error());
    return s != REALM_OK;
}

int main(int argc, char **argv) {
    const int64_t tokens = argc > 1 ? atoll(argv[1]) : 7;
    const int threads = argc > 2 ? atoi(argv[2]) : 0;
    if (tokens < 1 || tokens > MAX_TOKENS) {
        fprintf(stderr, "example_transformer_block: tokens not in 1..%d\n", MAX_TOKENS);
        return 1;
    }
    uint64_t state = 7;
    float attn_norm[DIM], ffn_norm[DIM];
    fill(attn_norm, DIM, 1.0f, &state);
    fill(ffn_norm, DIM, 1.0f, &state);
    void *wq = random_q4k(DIM, DIM, &state), *wk = random_q4k(KV_HEADS * HEAD_DIM, DIM, &state);
    void *wv = random_q4k(KV_HEADS * HEAD_DIM, DIM, &state), *wo = random_q4k(DIM, DIM, &state);
    void *wg = random_q4k(HIDDEN, DIM, &state), *wu = random_q4k(HIDDEN, DIM, &state);
    void *wd = random_q4k(DIM, HIDDEN, &state);
    float *x = malloc(sizeof(float) * MAX_TOKENS * DIM), *y = malloc(sizeof(float) * MAX_TOKENS * DIM);
    realm_graph *g = NULL;
    realm_kv_cache *cache = NULL;
    realm_runtime *rt = NULL;
    realm_plan *plan = NULL;
    int rc = 1;
    if (!wq || !wk || !wv || !wo || !wg || !wu || !wd || !x || !y) goto done;
    fill(x, tokens * DIM, 1.0f, &state);

    if (check(realm_graph_create(&g), "graph") ||
        check(realm_kv_cache_create(1, MAX_TOKENS, KV_HEADS, HEAD_DIM, &cache), "cache"))
        goto done;
    realm_status st;
    const int64_t T = REALM_DIM_DYNAMIC, xd[2] = {T, DIM}, nd[1] = {DIM}, qd[3] = {T, HEADS, HEAD_DIM},
                  kd[3] = {T, KV_HEADS, HEAD_DIM};
    realm_tensor *in = realm_input(g, "x", 2, xd, MAX_TOKENS, &st);
#define W(name, data, rows, cols)                                                                            \
    realm_weight(g, name, REALM_TYPE_Q4_K, 2, (const int64_t[]){rows, cols}, data, &st)
    realm_tensor *q_w = W("wq", wq, DIM, DIM), *k_w = W("wk", wk, KV_HEADS * HEAD_DIM, DIM);
    realm_tensor *v_w = W("wv", wv, KV_HEADS * HEAD_DIM, DIM), *o_w = W("wo", wo, DIM, DIM);
    realm_tensor *g_w = W("gate", wg, HIDDEN, DIM), *u_w = W("up", wu, HIDDEN, DIM),
                 *d_w = W("down", wd, DIM, HIDDEN);
#undef W
    realm_tensor *an = realm_weight(g, "attn_norm", REALM_TYPE_F32, 1, nd, attn_norm, &st);
    realm_tensor *fnw = realm_weight(g, "ffn_norm", REALM_TYPE_F32, 1, nd, ffn_norm, &st);
    realm_tensor *h = realm_op_rms_norm(g, in, an, 1e-5f, &st);
    realm_tensor *q = realm_op_reshape(g, realm_op_matmul(g, q_w, h, &st), 3, qd, &st);
    realm_tensor *k = realm_op_reshape(g, realm_op_matmul(g, k_w, h, &st), 3, kd, &st);
    realm_tensor *v = realm_op_reshape(g, realm_op_matmul(g, v_w, h, &st), 3, kd, &st);
    q = realm_op_rope_kv(g, q, NULL, cache, &st);
    k = realm_op_rope_kv(g, k, NULL, cache, &st);
    realm_tensor *a = realm_op_attention(g, q, k, v, cache, 0, 1.0f / sqrtf(HEAD_DIM), &st);
    realm_tensor *x1 = realm_op_add(g, in, realm_op_matmul(g, o_w, a, &st), &st);
    realm_tensor *h2 = realm_op_rms_norm(g, x1, fnw, 1e-5f, &st);
    realm_tensor *s =
        realm_op_swiglu(g, realm_op_matmul(g, g_w, h2, &st), realm_op_matmul(g, u_w, h2, &st), &st);
    realm_tensor *out = realm_op_add(g, x1, realm_op_matmul(g, d_w, s, &st), &st);
    if (check(st, "build") || check(realm_graph_output(g, out), "output")) goto done;

    realm_runtime_params rp = realm_runtime_params_default();
    rp.n_threads = threads;
    if (check(realm_runtime_create(&rp, &rt), "runtime") ||
        check(realm_graph_compile(g, rt, NULL, &plan), "compile"))
        goto done;
    realm_plan_info info;
    realm_plan_get_info(plan, &info);
    printf("transformer block: dim %d, %d heads (%d kv), hidden %d, %d nodes, arena %zu bytes; %s\n", DIM,
           HEADS, KV_HEADS, HIDDEN, info.n_nodes, info.arena_bytes, realm_runtime_description(rt));

    /* the prompt as one batch */
    const float *o;
    realm_binding b = {.tensor = in, .data = x, .shape = {.n_dims = 2, .dims = {tokens, DIM}}};
    if (check(realm_plan_run(plan, &b, 1), "prefill") ||
        check(realm_plan_output(plan, out, &o, NULL), "output"))
        goto done;
    memcpy(y, o, sizeof(float) * (size_t)(tokens * DIM));
    /* the same tokens one at a time through the cache */
    double max_diff = 0, max_abs = 0;
    realm_kv_cache_set_pos(cache, 0);
    for (int64_t t = 0; t < tokens; t++) {
        b.data = x + t * DIM;
        b.shape.dims[0] = 1;
        if (check(realm_plan_run(plan, &b, 1), "decode") ||
            check(realm_plan_output(plan, out, &o, NULL), "output"))
            goto done;
        for (int i = 0; i < DIM; i++) {
            max_diff = fmax(max_diff, fabs((double)o[i] - y[t * DIM + i]));
            max_abs = fmax(max_abs, fabs((double)y[t * DIM + i]));
        }
    }
    printf(
        "prefill of %lld tokens vs one at a time: max |diff| %.3g of max |y| %.3g; cache holds %lld tokens\n",
        (long long)tokens, max_diff, max_abs, (long long)realm_kv_cache_pos(cache));
    const bool ok = max_diff <= 0.05 * max_abs;
    printf("%s\n", ok ? "decode matches prefill" : "decode DIFFERS from prefill");
    rc = ok ? 0 : 1;
done:
    realm_plan_destroy(plan);
    realm_runtime_destroy(rt);
    realm_graph_destroy(g);
    realm_kv_cache_destroy(cache);
    free(wq);
    free(wk);
    free(wv);
    free(wo);
    free(wg);
    free(wu);
    free(wd);
    free(x);
    free(y);
    return rc;
}
