/* Constructors of the ops a language model needs beyond the basics: token
 * ids, embedding lookup, reshape views, the last row, RoPE at a cache's
 * position and attention through a KV cache. */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "graph/graph_impl.h"
#include "realm/quant.h"

realm_tensor *realm_input_ids(realm_graph *g, const char *name, int64_t max_tokens, realm_status *status) {
    const int64_t dims[1] = {REALM_DIM_DYNAMIC};
    realm_tensor *t = realm_input(g, name, 1, dims, max_tokens, status);
    if (t) t->type = REALM_TYPE_I32;
    return t;
}

realm_tensor *realm_op_get_rows(realm_graph *g, const realm_tensor *table, const realm_tensor *ids,
                                realm_status *status) {
    const char *fn = "realm_op_get_rows";
    if (!g) return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: NULL graph", fn));
    realm_status s = graph_check_src(g, fn, "table", table, true);
    if (s == REALM_OK) s = graph_check_src(g, fn, "ids", ids, true);
    if (s != REALM_OK) return graph_fail(status, s);
    if (table->op != GOP_WEIGHT || table->n_dims != 2)
        return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: table must be a 2-dim weight", fn));
    if (ids->op != GOP_INPUT || ids->type != REALM_TYPE_I32)
        return graph_fail(
            status, realm_error(REALM_ERR_INVALID_ARG, "%s: ids must be an id input (realm_input_ids)", fn));
    const int64_t dims[2] = {ids->dims[0], table->dims[1]};
    realm_tensor *t = graph_new_node(g, fn, GOP_GET_ROWS, 2, dims, status);
    if (!t) return NULL;
    t->src[0] = table;
    t->src[1] = ids;
    return graph_done(status, t);
}

/* Product of the static dims of n dims; *dyn counts the dynamic ones. */
static int64_t static_numel(const int64_t *dims, int n, int *dyn) {
    int64_t p = 1;
    *dyn = 0;
    for (int i = 0; i < n; i++) {
        if (dims[i] == REALM_DIM_DYNAMIC)
            ++*dyn;
        else if (dims[i] > INT64_MAX / p)
            return -1;
        else
            p *= dims[i];
    }
    return p;
}

realm_tensor *realm_op_reshape(realm_graph *g, const realm_tensor *x, int n_dims, const int64_t *dims,
                               realm_status *status) {
    const char *fn = "realm_op_reshape";
    if (!g || !dims)
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, g ? "dims" : "graph"));
    realm_status s = graph_check_src(g, fn, "x", x, false);
    if (s != REALM_OK) return graph_fail(status, s);
    if (n_dims < 1 || n_dims > REALM_MAX_DIMS)
        return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: n_dims %d not in 1..%d", fn, n_dims,
                                              REALM_MAX_DIMS));
    for (int i = 0; i < n_dims; i++)
        if (dims[i] < 1 && dims[i] != REALM_DIM_DYNAMIC)
            return graph_fail(
                status, realm_error(REALM_ERR_INVALID_ARG, "%s: dims[%d] = %lld", fn, i, (long long)dims[i]));
    int dx, dn;
    const int64_t nx = static_numel(x->dims, x->n_dims, &dx), nn = static_numel(dims, n_dims, &dn);
    if (dn > 1 || nn < 0)
        return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: %s", fn,
                                              dn > 1 ? "more than one dynamic dim" : "size overflows"));
    if (dx != dn || nx != nn) {
        char sx[64];
        graph_shape_str(x, sx, sizeof sx);
        return graph_fail(status, realm_error(REALM_ERR_SHAPE, "%s: x %s has another element count%s", fn, sx,
                                              dx != dn ? " (dynamic dims differ)" : ""));
    }
    realm_tensor *t = graph_new_node(g, fn, GOP_RESHAPE, n_dims, dims, status);
    if (!t) return NULL;
    t->src[0] = x;
    return graph_done(status, t);
}

realm_tensor *realm_op_last_row(realm_graph *g, const realm_tensor *x, realm_status *status) {
    const char *fn = "realm_op_last_row";
    if (!g) return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: NULL graph", fn));
    realm_status s = graph_check_src(g, fn, "x", x, false);
    if (s != REALM_OK) return graph_fail(status, s);
    const int64_t dims[2] = {1, x->dims[x->n_dims - 1]};
    if (dims[1] == REALM_DIM_DYNAMIC)
        return graph_fail(status, realm_error(REALM_ERR_SHAPE, "%s: the row length may not be dynamic", fn));
    realm_tensor *t = graph_new_node(g, fn, GOP_LAST_ROW, 2, dims, status);
    if (!t) return NULL;
    t->src[0] = x;
    return graph_done(status, t);
}

realm_tensor *realm_op_rope_kv(realm_graph *g, const realm_tensor *x, const realm_rope_params *params,
                               realm_kv_cache *cache, realm_status *status) {
    if (!cache) return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "realm_op_rope_kv: NULL cache"));
    realm_rope_params p = params ? *params : realm_rope_params_default();
    p.pos0 = 0;
    realm_tensor *t = realm_op_rope(g, x, &p, status);
    if (t) t->cache = cache;
    return t;
}

/* [tokens][heads][hd] with tokens dynamic or fixed; checks heads and hd. */
static bool qkv_shape(const realm_tensor *t, int64_t heads, int64_t hd) {
    return t->n_dims == 3 && (heads < 0 || t->dims[1] == heads) && t->dims[2] == hd;
}

realm_tensor *realm_op_attention(realm_graph *g, const realm_tensor *q, const realm_tensor *k,
                                 const realm_tensor *v, realm_kv_cache *cache, int layer, float scale,
                                 realm_status *status) {
    const char *fn = "realm_op_attention";
    if (!g || !cache)
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, g ? "cache" : "graph"));
    realm_status s = graph_check_src(g, fn, "q", q, false);
    if (s == REALM_OK) s = graph_check_src(g, fn, "k", k, false);
    if (s == REALM_OK) s = graph_check_src(g, fn, "v", v, false);
    if (s != REALM_OK) return graph_fail(status, s);
    if (layer < 0 || layer >= cache->n_layers || !isfinite(scale))
        return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: layer %d of %d or scale %g", fn,
                                              layer, cache->n_layers, (double)scale));
    const int64_t hd = cache->head_dim, hkv = cache->n_head_kv;
    if (!qkv_shape(k, hkv, hd) || !qkv_shape(v, hkv, hd) || !qkv_shape(q, -1, hd) ||
        q->dims[0] != k->dims[0] || k->dims[0] != v->dims[0] || q->dims[1] % hkv) {
        char sq[64], sk[64], sv[64];
        graph_shape_str(q, sq, sizeof sq);
        graph_shape_str(k, sk, sizeof sk);
        graph_shape_str(v, sv, sizeof sv);
        return graph_fail(status,
                          realm_error(REALM_ERR_SHAPE,
                                      "%s: q %s, k %s, v %s do not fit a cache of %lld kv heads of %lld "
                                      "(q: [T][n_head][hd], n_head a multiple of the kv heads)",
                                      fn, sq, sk, sv, (long long)hkv, (long long)hd));
    }
    for (int i = 0; i < g->n; i++) {
        const realm_tensor *o = g->tensors[i];
        if (o->op == GOP_ATTENTION && o->cache == cache && o->layer == layer)
            return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG,
                                                  "%s: layer %d of this cache is used twice", fn, layer));
    }
    const int64_t dims[2] = {q->dims[0], q->dims[1] * hd};
    realm_tensor *t = graph_new_node(g, fn, GOP_ATTENTION, 2, dims, status);
    if (!t) return NULL;
    t->src[0] = q;
    t->src[1] = k;
    t->src[2] = v;
    t->cache = cache;
    t->layer = layer;
    t->n_head = q->dims[1];
    t->n_head_kv = hkv;
    t->fparam = scale;
    return graph_done(status, t);
}
