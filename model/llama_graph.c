/* A llama context: the model as one graph (dynamic token count up to
 * n_batch), its plan on a runtime and its KV cache; eval feeds tokens. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "model/llama_impl.h"

realm_context_params realm_context_params_default(void) {
    return (realm_context_params){.backend = REALM_BACKEND_OPTIMIZED,
                                  .n_ctx = 0,
                                  .n_batch = 512,
                                  .all_logits = false,
                                  .graph_flags = 0};
}

/* A graph weight for model tensor w of [rows][cols] (rows 0: a vector). */
static realm_tensor *weight(realm_graph *g, const char *name, const model_weight *w, int64_t rows,
                            int64_t cols, realm_status *st) {
    if (*st != REALM_OK) return NULL;
    const int64_t dims[2] = {rows ? rows : cols, cols};
    realm_tensor *t = realm_weight(g, name, w->type, rows ? 2 : 1, rows ? dims : dims + 1,
                                   w->layout == REALM_LAYOUT_GGUF ? w->data : NULL, st);
    if (t && w->layout != REALM_LAYOUT_GGUF) *st = realm_weight_bind_layout(g, t, w->data, w->layout);
    return t;
}

/* Builds the graph; on failure *st says why (the caller frees c). */
static realm_status build(realm_context *c) {
    const realm_model *m = c->m;
    const realm_model_hparams *h = &m->hp;
    const int64_t E = h->n_embd, H = h->n_head, HKV = h->n_head_kv, hd = E / H, T = REALM_DIM_DYNAMIC;
    realm_status st = realm_graph_create(&c->g);
    if (st != REALM_OK) return st;
    realm_graph *g = c->g;
    c->ids = realm_input_ids(g, "tokens", c->params.n_batch, &st);
    realm_tensor *embd = weight(g, "token_embd", &m->tok_embd, h->n_vocab, E, &st);
    realm_tensor *x = st == REALM_OK ? realm_op_get_rows(g, embd, c->ids, &st) : NULL;
    realm_rope_params rp = realm_rope_params_default();
    rp.mode = REALM_ROPE_NORMAL; /* GGUF llama: Q/K rows permuted for adjacent pairs */
    rp.n_rot = h->n_rot;
    rp.freq_base = h->rope_freq_base;
    rp.freq_scale = h->rope_freq_scale;
    const float kq_scale = 1.0f / sqrtf((float)hd);
    const int64_t qd[3] = {T, H, hd}, kd[3] = {T, HKV, hd};
    for (int l = 0; l < h->n_layer && st == REALM_OK; l++) {
        const model_layer *L = &m->layers[l];
        realm_tensor *an = weight(g, NULL, &L->attn_norm, 0, E, &st);
        realm_tensor *wq = weight(g, NULL, &L->wq, E, E, &st),
                     *wk = weight(g, NULL, &L->wk, HKV * hd, E, &st);
        realm_tensor *wv = weight(g, NULL, &L->wv, HKV * hd, E, &st),
                     *wo = weight(g, NULL, &L->wo, E, E, &st);
        realm_tensor *fn = weight(g, NULL, &L->ffn_norm, 0, E, &st);
        realm_tensor *wg = weight(g, NULL, &L->w_gate, h->n_ff, E, &st);
        realm_tensor *wu = weight(g, NULL, &L->w_up, h->n_ff, E, &st);
        realm_tensor *wd = weight(g, NULL, &L->w_down, E, h->n_ff, &st);
        if (st != REALM_OK) break;
        realm_tensor *hn = realm_op_rms_norm(g, x, an, h->rms_eps, &st);
        realm_tensor *q = realm_op_reshape(g, realm_op_matmul(g, wq, hn, &st), 3, qd, &st);
        realm_tensor *k = realm_op_reshape(g, realm_op_matmul(g, wk, hn, &st), 3, kd, &st);
        realm_tensor *v = realm_op_reshape(g, realm_op_matmul(g, wv, hn, &st), 3, kd, &st);
        q = realm_op_rope_kv(g, q, &rp, c->cache, &st);
        k = realm_op_rope_kv(g, k, &rp, c->cache, &st);
        realm_tensor *a = realm_op_attention(g, q, k, v, c->cache, l, kq_scale, &st);
        x = realm_op_add(g, x, realm_op_matmul(g, wo, a, &st), &st);
        hn = realm_op_rms_norm(g, x, fn, h->rms_eps, &st);
        realm_tensor *s =
            realm_op_swiglu(g, realm_op_matmul(g, wg, hn, &st), realm_op_matmul(g, wu, hn, &st), &st);
        x = realm_op_add(g, x, realm_op_matmul(g, wd, s, &st), &st);
        /* a NULL from any step makes the next one fail with INVALID_ARG; keep the first error */
        if (!x && st == REALM_OK) st = REALM_ERR_INTERNAL;
    }
    if (st != REALM_OK) return st;
    if (!c->params.all_logits) x = realm_op_last_row(g, x, &st);
    realm_tensor *on = weight(g, "output_norm", &m->out_norm, 0, E, &st);
    realm_tensor *out = m->output.present ? weight(g, "output", &m->output, h->n_vocab, E, &st) : embd;
    if (st != REALM_OK) return st;
    c->logits = realm_op_matmul(g, out, realm_op_rms_norm(g, x, on, h->rms_eps, &st), &st);
    if (st != REALM_OK) return st;
    if ((st = realm_tensor_set_name(g, c->logits, "logits")) != REALM_OK) return st;
    return realm_graph_output(g, c->logits);
}

realm_status realm_context_create(const realm_model *m, realm_runtime *rt, const realm_context_params *params,
                                  realm_context **out) {
    const char *fn = "realm_context_create";
    if (out) *out = NULL;
    if (!m || !rt || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, !m ? "model" : !rt ? "runtime" : "out");
    realm_context_params p = params ? *params : realm_context_params_default();
    if (p.n_ctx == 0) p.n_ctx = m->hp.n_ctx_train;
    if (p.n_ctx < 1 || p.n_batch < 1 || p.n_ctx > (int64_t)1 << 24 || p.n_batch > (int64_t)1 << 20 ||
        (p.backend != REALM_BACKEND_NAIVE && p.backend != REALM_BACKEND_OPTIMIZED))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: bad params (n_ctx %lld, n_batch %lld, backend %d)", fn,
                           (long long)p.n_ctx, (long long)p.n_batch, (int)p.backend);
    if (p.n_batch > p.n_ctx) p.n_batch = p.n_ctx;
    realm_context *c = calloc(1, sizeof *c);
    if (!c) return realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: out of memory", fn);
    c->m = m;
    c->params = p;
    const int64_t hd = m->hp.n_embd / m->hp.n_head;
    realm_status st = realm_kv_cache_create((int)m->hp.n_layer, p.n_ctx, m->hp.n_head_kv, hd, &c->cache);
    if (st == REALM_OK) st = build(c);
    if (st == REALM_OK) {
        realm_graph_options o = realm_graph_options_default();
        o.backend = p.backend;
        o.flags = p.graph_flags;
        st = realm_graph_compile(c->g, rt, &o, &c->plan);
    }
    if (st != REALM_OK) {
        realm_context_destroy(c);
        return st;
    }
    *out = c;
    return REALM_OK;
}

void realm_context_destroy(realm_context *c) {
    if (!c) return;
    realm_plan_destroy(c->plan);
    realm_graph_destroy(c->g);
    realm_kv_cache_destroy(c->cache);
    free(c);
}

realm_status realm_context_eval(realm_context *c, const int32_t *tokens, int64_t n, const float **logits) {
    const char *fn = "realm_context_eval";
    if (!c || !tokens || n < 1)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: %s", fn,
                           !c        ? "NULL context"
                           : !tokens ? "NULL tokens"
                                     : "n < 1");
    for (int64_t i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= c->m->hp.n_vocab)
            return realm_error(REALM_ERR_INVALID_ARG, "%s: token %lld = %d not in [0, %lld)", fn,
                               (long long)i, (int)tokens[i], (long long)c->m->hp.n_vocab);
    const int64_t pos = realm_kv_cache_pos(c->cache), n_ctx = realm_kv_cache_n_ctx(c->cache);
    if (n > n_ctx - pos)
        return realm_error(
            REALM_ERR_STATE,
            "%s: context full: %lld tokens stored + %lld > n_ctx %lld (realm_context_set_pos() to "
            "rewind)",
            fn, (long long)pos, (long long)n, (long long)n_ctx);
    for (int64_t i = 0; i < n; i += c->params.n_batch) {
        const int64_t chunk = n - i < c->params.n_batch ? n - i : c->params.n_batch;
        realm_binding b = {.tensor = c->ids, .data = tokens + i, .shape = {.n_dims = 1, .dims = {chunk}}};
        realm_status st = realm_plan_run(c->plan, &b, 1);
        if (st != REALM_OK) return st;
    }
    if (logits) return realm_plan_output(c->plan, c->logits, logits, NULL);
    return REALM_OK;
}

int64_t realm_context_pos(const realm_context *c) { return c ? realm_kv_cache_pos(c->cache) : -1; }

int64_t realm_context_n_ctx(const realm_context *c) { return c ? realm_kv_cache_n_ctx(c->cache) : -1; }

realm_status realm_context_set_pos(realm_context *c, int64_t pos) {
    if (!c) return realm_error(REALM_ERR_INVALID_ARG, "realm_context_set_pos: NULL context");
    return realm_kv_cache_set_pos(c->cache, pos);
}

realm_plan *realm_context_plan(realm_context *c) { return c ? c->plan : NULL; }
