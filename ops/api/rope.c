/* Public RoPE: defaults, argument checks, n_rot resolution, then the
 * backend's kernel. */
#include "api/check.h"
#include "core/error.h"

realm_rope_params realm_rope_params_default(void) {
    return (realm_rope_params){
        .mode = REALM_ROPE_NORMAL,
        .n_rot = 0,
        .freq_base = 10000.0f,
        .freq_scale = 1.0f,
        .pos0 = 0,
    };
}

/* Checks the settings against head_dim and resolves n_rot 0 to head_dim. */
static realm_status resolve_params(const char *fn, const realm_rope_params *in, int64_t head_dim,
                                   realm_rope_params *out) {
    *out = in ? *in : realm_rope_params_default();
    if (out->mode != REALM_ROPE_NORMAL && out->mode != REALM_ROPE_NEOX)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "%s: invalid mode %d (expected REALM_ROPE_NORMAL or REALM_ROPE_NEOX)", fn,
                           (int)out->mode);
    if (out->n_rot == 0) out->n_rot = head_dim;
    if (out->n_rot < 0 || out->n_rot > head_dim)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: n_rot = %lld, must be in [0, head_dim = %lld]", fn,
                           (long long)out->n_rot, (long long)head_dim);
    if (out->n_rot % 2 != 0)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: n_rot = %lld%s is odd; dimensions rotate in pairs", fn,
                           (long long)out->n_rot, in && in->n_rot != 0 ? "" : " (head_dim)");
    REALM_TRY(realm_check_positive(fn, "freq_base", out->freq_base));
    REALM_TRY(realm_check_positive(fn, "freq_scale", out->freq_scale));
    return REALM_OK;
}

realm_status realm_rope(realm_backend be, const float *x, float *y, int64_t n_tokens, int64_t n_heads,
                        int64_t head_dim, const int32_t *positions, const realm_rope_params *params) {
    const char *fn = "realm_rope";
    const realm_kernel_table *kt;
    realm_rope_params p;
    size_t bytes;
    REALM_TRY(realm_check_backend(fn, be, &kt));
    REALM_TRY(realm_check_ptr(fn, "x", x));
    REALM_TRY(realm_check_ptr(fn, "y", y));
    REALM_TRY(realm_check_min(fn, "n_tokens", n_tokens, 1));
    REALM_TRY(realm_check_min(fn, "n_heads", n_heads, 1));
    REALM_TRY(realm_check_min(fn, "head_dim", head_dim, 1));
    REALM_TRY(resolve_params(fn, params, head_dim, &p));
    REALM_TRY(
        realm_check_bytes(fn, "x", (const int64_t[]){n_tokens, n_heads, head_dim}, 3, sizeof(float), &bytes));
    REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "x", x, bytes, true));
    if (positions) {
        /* fits: x, with at least as many and as wide elements, did */
        size_t pos_bytes = (size_t)n_tokens * sizeof(int32_t);
        REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "positions", positions, pos_bytes, false));
    } else if (p.pos0 > 0 && n_tokens - 1 > INT64_MAX - p.pos0) {
        return realm_error(REALM_ERR_OVERFLOW, "%s: pos0 = %lld plus %lld tokens passes INT64_MAX", fn,
                           (long long)p.pos0, (long long)n_tokens);
    }
    kt->rope(x, y, n_tokens, n_heads, head_dim, positions, &p);
    return REALM_OK;
}
