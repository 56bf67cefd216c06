/* Public causal attention: argument checks, then the backend's kernel over
 * all query rows. */
#include <math.h>

#include "api/check.h"
#include "core/error.h"

realm_status realm_attention(realm_backend be, const float *q, const float *k, const float *v, float *out,
                             int64_t n_tokens, int64_t n_head, int64_t n_head_kv, int64_t head_dim,
                             int64_t n_kv, int64_t pos0, float scale) {
    const char *fn = "realm_attention";
    const realm_kernel_table *kt;
    size_t qb, kb;
    REALM_TRY(realm_check_backend(fn, be, &kt));
    REALM_TRY(realm_check_ptr(fn, "q", q));
    REALM_TRY(realm_check_ptr(fn, "k", k));
    REALM_TRY(realm_check_ptr(fn, "v", v));
    REALM_TRY(realm_check_ptr(fn, "out", out));
    REALM_TRY(realm_check_min(fn, "n_tokens", n_tokens, 1));
    REALM_TRY(realm_check_min(fn, "n_head", n_head, 1));
    REALM_TRY(realm_check_min(fn, "n_head_kv", n_head_kv, 1));
    REALM_TRY(realm_check_min(fn, "head_dim", head_dim, 1));
    REALM_TRY(realm_check_min(fn, "pos0", pos0, 0));
    if (head_dim > REALM_ATTENTION_MAX_HEAD_DIM)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: head_dim %lld > %d", fn, (long long)head_dim,
                           REALM_ATTENTION_MAX_HEAD_DIM);
    if (!isfinite(scale))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: scale %g not finite", fn, (double)scale);
    if (n_head % n_head_kv)
        return realm_error(REALM_ERR_SHAPE, "%s: n_head %lld is not a multiple of n_head_kv %lld", fn,
                           (long long)n_head, (long long)n_head_kv);
    if (n_kv < 1 || pos0 > n_kv - n_tokens)
        return realm_error(REALM_ERR_SHAPE, "%s: n_kv %lld < pos0 %lld + n_tokens %lld", fn, (long long)n_kv,
                           (long long)pos0, (long long)n_tokens);
    REALM_TRY(
        realm_check_bytes(fn, "q", (const int64_t[]){n_tokens, n_head, head_dim}, 3, sizeof(float), &qb));
    REALM_TRY(
        realm_check_bytes(fn, "k", (const int64_t[]){n_kv, n_head_kv, head_dim}, 3, sizeof(float), &kb));
    REALM_TRY(realm_check_overlap(fn, "out", out, qb, "q", q, qb, false));
    REALM_TRY(realm_check_overlap(fn, "out", out, qb, "k", k, kb, false));
    REALM_TRY(realm_check_overlap(fn, "out", out, qb, "v", v, kb, false));
    kt->attention(q, k, v, out, 0, n_tokens * n_head, n_head, n_head_kv, head_dim, n_kv, pos0, scale);
    return REALM_OK;
}
