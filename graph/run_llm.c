/* Running the language-model ops: embedding lookup, last row, attention
 * through a KV cache; the caches' checks before a run and advance after. */
#include <stdatomic.h>
#include <string.h>

#include "core/error.h"
#include "graph/graph_impl.h"
#include "graph/profile.h"
#include "kernels.h"
#include "realm/quant.h"

const realm_tensor *graph_storage(const realm_tensor *t) {
    while (t->op == GOP_RESHAPE)
        t = t->src[0];
    return t;
}

static const void *src_data(const realm_plan *p, const realm_tensor *t) {
    t = graph_storage(t);
    if (t->op == GOP_INPUT) return p->bound[t->id];
    if (t->op == GOP_WEIGHT) return p->wdata[t->id];
    return p->arena + p->offset[t->id];
}

typedef struct llm_ctx {
    const realm_plan *p;
    const realm_tensor *t;
    const realm_kernel_table *kt;
    float *y;
    const void *a;
    const float *kc, *vc; /* attention: the layer's cache */
    int64_t cols, n_rows, pos;
    _Atomic int status;
    _Atomic int64_t bad_id;
} llm_ctx;

static void get_rows_rows(void *vctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    llm_ctx *c = vctx;
    const realm_tensor *table = c->t->src[0];
    const size_t rb = realm_row_bytes(table->type, c->cols);
    const int32_t *ids = c->a;
    const unsigned char *w = c->p->wdata[table->id];
    for (int64_t r = r0; r < r1; r++) {
        const int32_t id = ids[r];
        if (id < 0 || id >= c->n_rows) {
            atomic_store(&c->bad_id, id);
            int ok = REALM_OK;
            atomic_compare_exchange_strong(&c->status, &ok, (int)REALM_ERR_INVALID_ARG);
            continue;
        }
        realm_status s = realm_dequantize_row(table->type, w + (size_t)id * rb, c->y + r * c->cols, c->cols);
        int ok = REALM_OK;
        if (s != REALM_OK) atomic_compare_exchange_strong(&c->status, &ok, (int)s);
    }
}

static void attention_rows(void *vctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    const llm_ctx *c = vctx;
    const realm_tensor *t = c->t;
    const int64_t T = c->p->tokens;
    c->kt->attention(c->a, c->kc, c->vc, c->y, r0, r1, t->n_head, t->n_head_kv, t->cache->head_dim,
                     c->pos + T, c->pos, t->fparam);
}

realm_status graph_exec_llm(realm_plan *p, const realm_tensor *t) {
    const int64_t T = p->tokens;
    llm_ctx c = {.p = p, .t = t, .y = (float *)(p->arena + p->offset[t->id]), .a = src_data(p, t->src[0])};
    atomic_init(&c.status, REALM_OK);
    atomic_init(&c.bad_id, 0);
    realm_status st = REALM_OK;
    switch (t->op) {
    case GOP_RESHAPE:
        return REALM_OK; /* a view: nothing to run */
    case GOP_LAST_ROW: {
        const int64_t cols = t->dims[1], rows = graph_numel(t->src[0], T) / cols;
        memcpy(c.y, (const float *)c.a + (rows - 1) * cols, sizeof(float) * (size_t)cols);
        return REALM_OK;
    }
    case GOP_GET_ROWS:
        c.a = src_data(p, t->src[1]);
        c.cols = t->dims[1];
        c.n_rows = t->src[0]->dims[0];
        st = graph_parallel_rows(p, T, 1, get_rows_rows, &c);
        if (st == REALM_OK && atomic_load(&c.status) == REALM_ERR_INVALID_ARG)
            return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_run: get_rows: id %lld not in [0, %lld)",
                               (long long)atomic_load(&c.bad_id), (long long)c.n_rows);
        break;
    case GOP_ATTENTION: {
        realm_kv_cache *kv = t->cache;
        const int64_t per = kv->n_head_kv * kv->head_dim;
        float *kc = kv->k + (size_t)t->layer * (size_t)(kv->n_ctx * per);
        float *vc = kv->v + (size_t)t->layer * (size_t)(kv->n_ctx * per);
        c.pos = kv->pos;
        memcpy(kc + c.pos * per, src_data(p, t->src[1]), sizeof(float) * (size_t)(T * per));
        memcpy(vc + c.pos * per, src_data(p, t->src[2]), sizeof(float) * (size_t)(T * per));
        c.kc = kc;
        c.vc = vc;
        c.kt = realm_kernels_get(p->be);
        /* chunks of whole kv groups, so the kernel can share K/V among a group's heads */
        st = graph_parallel_rows(p, T * t->n_head, t->n_head / t->n_head_kv, attention_rows, &c);
        break;
    }
    default:
        return realm_error(REALM_ERR_INTERNAL, "realm_plan_run: node %d has op %d", t->id, (int)t->op);
    }
    return graph_node_result(t, st, (realm_status)atomic_load(&c.status));
}

realm_status graph_check_caches(const realm_plan *p, int64_t tokens) {
    for (int s = 0; s < p->n_nodes; s++) {
        const realm_tensor *t = p->nodes[s];
        if (t->op != GOP_ATTENTION) continue;
        if (t->cache->pos > t->cache->n_ctx - tokens)
            return realm_error(REALM_ERR_STATE,
                               "realm_plan_run: KV cache full: %lld tokens stored + %lld > n_ctx %lld "
                               "(realm_kv_cache_set_pos() to rewind)",
                               (long long)t->cache->pos, (long long)tokens, (long long)t->cache->n_ctx);
    }
    return REALM_OK;
}

void graph_advance_caches(const realm_plan *p, int64_t tokens) {
    for (int s = 0; s < p->n_nodes; s++) {
        const realm_tensor *t = p->nodes[s];
        if (t->op != GOP_ATTENTION) continue;
        bool seen = false;
        for (int e = 0; e < s && !seen; e++)
            seen = p->nodes[e]->op == GOP_ATTENTION && p->nodes[e]->cache == t->cache;
        if (!seen) t->cache->pos += tokens;
    }
}
