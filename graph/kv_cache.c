/* KV cache: storage and position. Runs advance the position (run.c). */
#include <stdlib.h>

#include "core/error.h"
#include "graph/graph_impl.h"

realm_status realm_kv_cache_create(int n_layers, int64_t n_ctx, int64_t n_head_kv, int64_t head_dim,
                                   realm_kv_cache **out) {
    const char *fn = "realm_kv_cache_create";
    if (!out) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL out", fn);
    *out = NULL;
    if (n_layers < 1 || n_ctx < 1 || n_head_kv < 1 || head_dim < 1)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "%s: sizes must be >= 1 (n_layers %d, n_ctx %lld, n_head_kv %lld, head_dim %lld)",
                           fn, n_layers, (long long)n_ctx, (long long)n_head_kv, (long long)head_dim);
    if (head_dim > REALM_ATTENTION_MAX_HEAD_DIM)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: head_dim %lld > %d", fn, (long long)head_dim,
                           REALM_ATTENTION_MAX_HEAD_DIM);
    const int64_t per = n_head_kv * head_dim; /* both <= limits checked below */
    if (n_head_kv > INT64_MAX / head_dim || n_ctx > INT64_MAX / per ||
        n_ctx * per > (int64_t)(SIZE_MAX / 8 / sizeof(float)) / n_layers)
        return realm_error(REALM_ERR_OVERFLOW, "%s: cache size overflows", fn);
    realm_kv_cache *c = calloc(1, sizeof *c);
    const size_t n = (size_t)n_layers * (size_t)(n_ctx * per);
    if (c) {
        c->k = malloc(n * sizeof(float));
        c->v = malloc(n * sizeof(float));
    }
    if (!c || !c->k || !c->v) {
        realm_kv_cache_destroy(c);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: %zu bytes: out of memory", fn,
                           2 * n * sizeof(float));
    }
    c->n_layers = n_layers;
    c->n_ctx = n_ctx;
    c->n_head_kv = n_head_kv;
    c->head_dim = head_dim;
    *out = c;
    return REALM_OK;
}

void realm_kv_cache_destroy(realm_kv_cache *cache) {
    if (!cache) return;
    free(cache->k);
    free(cache->v);
    free(cache);
}

int64_t realm_kv_cache_pos(const realm_kv_cache *cache) { return cache ? cache->pos : -1; }

int64_t realm_kv_cache_n_ctx(const realm_kv_cache *cache) { return cache ? cache->n_ctx : -1; }

realm_status realm_kv_cache_set_pos(realm_kv_cache *cache, int64_t pos) {
    if (!cache) return realm_error(REALM_ERR_INVALID_ARG, "realm_kv_cache_set_pos: NULL cache");
    if (pos < 0 || pos > cache->pos)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_kv_cache_set_pos: pos %lld not in 0..%lld",
                           (long long)pos, (long long)cache->pos);
    cache->pos = pos;
    return REALM_OK;
}
