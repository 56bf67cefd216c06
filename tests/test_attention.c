/* Causal GQA attention: the naive kernel against an independent composition
 * (per head: scores by explicit dot products, realm_softmax with the causal
 * mask, then probabilities times V), the optimized kernel against the naive
 * one on awkward sizes, rows independent of the split, and bad arguments. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/ops.h"
#include "util.h"

/* out via scores -> realm_softmax(causal) -> P V, one (token, head) at a time. */
static void composed(const float *q, const float *k, const float *v, float *out, int64_t T, int64_t H,
                     int64_t Hkv, int64_t hd, int64_t n_kv, int64_t pos0, float scale) {
    float *s = malloc(sizeof(float) * (size_t)n_kv), *p = malloc(sizeof(float) * (size_t)n_kv);
    for (int64_t t = 0; t < T; t++)
        for (int64_t h = 0; h < H; h++) {
            const int64_t g = h / (H / Hkv);
            for (int64_t j = 0; j < n_kv; j++) {
                double d = 0;
                for (int64_t i = 0; i < hd; i++)
                    d += (double)q[(t * H + h) * hd + i] * k[(j * Hkv + g) * hd + i];
                s[j] = (float)d;
            }
            cr_assert_eq(realm_softmax(REALM_BACKEND_NAIVE, s, p, 1, n_kv, scale, true, pos0 + t), REALM_OK);
            for (int64_t i = 0; i < hd; i++) {
                double a = 0;
                for (int64_t j = 0; j < n_kv; j++)
                    a += (double)p[j] * v[(j * Hkv + g) * hd + i];
                out[(t * H + h) * hd + i] = (float)a;
            }
        }
    free(s);
    free(p);
}

typedef struct acase {
    int64_t T, H, Hkv, hd, n_kv, pos0;
} acase;

static const acase cases[] = {
    {1, 1, 1, 1, 1, 0},    {1, 8, 4, 32, 17, 16}, {7, 8, 2, 64, 7, 0},      {5, 6, 3, 24, 40, 30},
    {13, 4, 4, 17, 13, 0}, {3, 32, 4, 128, 9, 6}, {1, 2, 1, 256, 300, 299},
};

Test(attention, naive_matches_composition_and_optimized_matches_naive) {
    tu_rng r = {11};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const acase a = cases[c];
        const int64_t nq = a.T * a.H * a.hd, nk = a.n_kv * a.Hkv * a.hd;
        float *q = malloc(sizeof(float) * (size_t)nq), *k = malloc(sizeof(float) * (size_t)nk);
        float *v = malloc(sizeof(float) * (size_t)nk), *ref = malloc(sizeof(float) * (size_t)nq);
        float *naive = malloc(sizeof(float) * (size_t)nq), *opt = malloc(sizeof(float) * (size_t)nq);
        tu_fill(&r, q, nq, 1.5f);
        tu_fill(&r, k, nk, 1.5f);
        tu_fill(&r, v, nk, 2.0f);
        const float scale = 1.0f / sqrtf((float)a.hd);
        composed(q, k, v, ref, a.T, a.H, a.Hkv, a.hd, a.n_kv, a.pos0, scale);
        cr_assert_eq(realm_attention(REALM_BACKEND_NAIVE, q, k, v, naive, a.T, a.H, a.Hkv, a.hd, a.n_kv,
                                     a.pos0, scale),
                     REALM_OK, "%s", realm_last_error());
        cr_assert_eq(realm_attention(REALM_BACKEND_OPTIMIZED, q, k, v, opt, a.T, a.H, a.Hkv, a.hd, a.n_kv,
                                     a.pos0, scale),
                     REALM_OK, "%s", realm_last_error());
        cr_assert_lt(tu_rel_rmse(naive, ref, nq), 1e-6, "case %zu naive vs composed %g", c,
                     tu_rel_rmse(naive, ref, nq));
        cr_assert_lt(tu_rel_rmse(opt, naive, nq), 1e-5, "case %zu optimized vs naive %g", c,
                     tu_rel_rmse(opt, naive, nq));
        free(q);
        free(k);
        free(v);
        free(ref);
        free(naive);
        free(opt);
    }
}

Test(attention, first_token_copies_v_and_future_keys_are_ignored) {
    /* token 0 at pos 0 sees only key 0: out = v[0] for its kv head; then
     * changing keys/values after the visible range changes nothing */
    enum { T = 3, H = 4, HKV = 2, HD = 8, NKV = 6 };
    tu_rng r = {5};
    float q[T * H * HD], k[NKV * HKV * HD], v[NKV * HKV * HD], o1[T * H * HD], o2[T * H * HD];
    tu_fill(&r, q, T * H * HD, 1);
    tu_fill(&r, k, NKV * HKV * HD, 1);
    tu_fill(&r, v, NKV * HKV * HD, 1);
    for (int be = 0; be < 2; be++) {
        cr_assert_eq(realm_attention((realm_backend)be, q, k, v, o1, T, H, HKV, HD, NKV, 0, 0.3f), REALM_OK);
        for (int h = 0; h < H; h++)
            for (int d = 0; d < HD; d++)
                cr_assert_float_eq(o1[h * HD + d], v[(h / 2) * HD + d], 1e-6);
        float k2[NKV * HKV * HD], v2[NKV * HKV * HD];
        memcpy(k2, k, sizeof k);
        memcpy(v2, v, sizeof v);
        for (int i = T * HKV * HD; i < NKV * HKV * HD; i++)
            k2[i] = v2[i] = 1e3f;
        cr_assert_eq(realm_attention((realm_backend)be, q, k2, v2, o2, T, H, HKV, HD, NKV, 0, 0.3f),
                     REALM_OK);
        cr_assert_eq(memcmp(o1, o2, sizeof o1), 0);
    }
}

Test(attention, bad_arguments) {
    float q[64], k[64], v[64], o[64];
    memset(q, 0, sizeof q);
    memset(k, 0, sizeof k);
    memset(v, 0, sizeof v);
    const realm_backend B = REALM_BACKEND_OPTIMIZED;
    cr_assert_eq(realm_attention(B, NULL, k, v, o, 1, 2, 1, 4, 1, 0, 1), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_attention(B, q, k, v, NULL, 1, 2, 1, 4, 1, 0, 1), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_attention(B, q, k, v, o, 0, 2, 1, 4, 1, 0, 1), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_attention(B, q, k, v, o, 1, 3, 2, 4, 1, 0, 1), REALM_ERR_SHAPE);
    cr_assert_eq(realm_attention(B, q, k, v, o, 2, 2, 1, 4, 2, 1, 1), REALM_ERR_SHAPE);
    cr_assert_eq(realm_attention(B, q, k, v, o, 1, 2, 1, 4, 1, -1, 1), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_attention(B, q, k, v, o, 1, 2, 1, 4, 1, 0, NAN), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_attention(B, q, k, v, o, 1, 2, 1, 1024, 1, 0, 1), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_attention(B, q, k, v, q, 1, 2, 1, 4, 1, 0, 1), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_attention(B, q, k, v, o, INT64_MAX / 2, 2, 1, 4, INT64_MAX / 2, 0, 1),
                 REALM_ERR_OVERFLOW);
    cr_assert_eq(realm_attention((realm_backend)7, q, k, v, o, 1, 2, 1, 4, 1, 0, 1), REALM_ERR_INVALID_ARG);
    cr_assert_str_neq(realm_last_error(), "");
}

Test(attention, optimized_rope_bit_identical_to_naive) {
    tu_rng r = {31};
    const int64_t shapes[][3] = {{5, 8, 64}, {3, 3, 24}, {7, 2, 200}, {1, 32, 64}};
    for (size_t c = 0; c < sizeof shapes / sizeof shapes[0]; c++) {
        const int64_t T = shapes[c][0], H = shapes[c][1], hd = shapes[c][2], n = T * H * hd;
        float *x = malloc(sizeof(float) * n), *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
        int32_t pos[7] = {0, 5, 1000, 77777, 3, 12, 250000};
        tu_fill(&r, x, n, 2.0f);
        for (int mode = 0; mode < 2; mode++)
            for (int rot = 0; rot < 2; rot++) {
                realm_rope_params p = realm_rope_params_default();
                p.mode = (realm_rope_mode)mode;
                p.n_rot = rot ? hd / 2 - (hd / 2) % 2 : 0;
                p.freq_base = 500000.0f;
                p.pos0 = 17;
                for (int use_pos = 0; use_pos < 2; use_pos++) {
                    const int32_t *pp = use_pos ? pos : NULL;
                    cr_assert_eq(realm_rope(REALM_BACKEND_NAIVE, x, a, T, H, hd, pp, &p), REALM_OK);
                    cr_assert_eq(realm_rope(REALM_BACKEND_OPTIMIZED, x, b, T, H, hd, pp, &p), REALM_OK);
                    cr_assert_eq(memcmp(a, b, sizeof(float) * n), 0, "shape %zu mode %d rot %d pos %d", c,
                                 mode, rot, use_pos);
                    memcpy(b, x, sizeof(float) * n); /* in place */
                    cr_assert_eq(realm_rope(REALM_BACKEND_OPTIMIZED, b, b, T, H, hd, pp, &p), REALM_OK);
                    cr_assert_eq(memcmp(a, b, sizeof(float) * n), 0);
                }
            }
        free(x);
        free(a);
        free(b);
    }
}

Test(attention, optimized_activations_match_naive) {
    /* SiLU within 4e-7 (a few ulps) of the double reference; tanh-GELU within
     * 3e-7 (4 + |2u|) relative (a few ulps of u, times |2u|): its argument 2u = 2c(x + a x^3) is formed in
     * float, and the sigmoid multiplies u's rounding by |2u| for x < 0.
     * Normal, large, tiny and odd-length inputs; NaN stays NaN. */
    enum { N = 4099 };
    float *x = malloc(sizeof(float) * N), *a = malloc(sizeof(float) * N), *b = malloc(sizeof(float) * N);
    tu_rng r = {37};
    for (int i = 0; i < N; i++)
        x[i] = i < 4000 ? tu_uniform(&r, -20.0f, 20.0f) : tu_uniform(&r, -200.0f, 200.0f);
    x[0] = 0.0f;
    x[1] = -0.0f;
    x[2] = 1e-30f;
    x[3] = -1e30f;
    x[4] = 1e30f;
    x[5] = -87.5f;
    x[6] = NAN;
    const realm_unary_op ops[2] = {REALM_UNARY_SILU, REALM_UNARY_GELU_TANH};
    for (int o = 0; o < 2; o++)
        for (int64_t n = 1; n <= N; n += n < 40 ? 1 : 1013) {
            cr_assert_eq(realm_unary(REALM_BACKEND_NAIVE, ops[o], x, a, n), REALM_OK);
            cr_assert_eq(realm_unary(REALM_BACKEND_OPTIMIZED, ops[o], x, b, n), REALM_OK);
            for (int64_t i = 0; i < n; i++) {
                if (isnan(a[i])) {
                    cr_assert(isnan(b[i]), "op %d x %g", o, (double)x[i]);
                    continue;
                }
                const double xv = x[i], u2 = 2 * 0.7978845608 * (xv + 0.044715 * xv * xv * xv);
                const double tol = (o ? 3e-7 * (4 + fabs(u2)) : 4e-7) * fabs((double)a[i]) + 1e-37;
                cr_assert_leq(fabs((double)a[i] - b[i]), tol, "op %d x %.9g: naive %.9g optimized %.9g", o,
                              (double)x[i], (double)a[i], (double)b[i]);
            }
        }
    free(x);
    free(a);
    free(b);
}
