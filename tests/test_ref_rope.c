/* Naive backend, RoPE: NORMAL and NEOX against a per-element long double
 * formula, partial rotation leaving the tail bit-identical, a positions
 * array against pos0, rotation preserving pair norms, position 0 as the
 * identity, defaults, and in-place calls. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/ops.h"
#include "util.h"

#define NAIVE REALM_BACKEND_NAIVE

/* Each output is a double rounded once; compared against the norm of its
 * pair (an output can be near zero while its pair is not): 1e-6 allows a
 * few float ulps for every backend. */
#define ROPE_TOL 1e-6
#define N_TOKENS 5
#define N_HEADS 3

/* The output element d of one head, computed on its own: which pair d is
 * in, which side of it, and the angle of that pair. */
static float rope_truth(const float *head, int64_t d, long double pos, const realm_rope_params *p) {
    if (d >= p->n_rot) return head[d];
    int64_t half = p->n_rot / 2, i, partner;
    bool first;
    if (p->mode == REALM_ROPE_NEOX) {
        first = d < half;
        i = first ? d : d - half;
        partner = first ? d + half : d - half;
    } else {
        first = d % 2 == 0;
        i = d / 2;
        partner = first ? d + 1 : d - 1;
    }
    long double theta =
        pos * p->freq_scale * powl(p->freq_base, -2.0L * (long double)i / (long double)p->n_rot);
    long double c = cosl(theta), s = sinl(theta);
    return first ? (float)(head[d] * c - head[partner] * s) : (float)(head[partner] * s + head[d] * c);
}

/* Index of the partner of dim d in its pair (d itself when not rotated). */
static int64_t partner_of(int64_t d, const realm_rope_params *p) {
    if (d >= p->n_rot) return d;
    int64_t half = p->n_rot / 2;
    if (p->mode == REALM_ROPE_NEOX) return d < half ? d + half : d - half;
    return d ^ 1;
}

static float *make_x(tu_rng *rng, int64_t head_dim) {
    int64_t n = N_TOKENS * N_HEADS * head_dim;
    float *x = malloc(sizeof(float) * (size_t)n);
    cr_assert(x);
    tu_fill(rng, x, n, 1.0f);
    return x;
}

/* Runs one case (n_rot already resolved in p) and checks every element. */
static void check_case(const float *x, int64_t head_dim, const int32_t *positions,
                       const realm_rope_params *p) {
    int64_t n = N_TOKENS * N_HEADS * head_dim;
    float *y = malloc(sizeof(float) * (size_t)n);
    cr_assert_eq(realm_rope(NAIVE, x, y, N_TOKENS, N_HEADS, head_dim, positions, p), REALM_OK, "%s",
                 realm_last_error());
    for (int64_t t = 0; t < N_TOKENS; t++) {
        long double pos = positions ? positions[t] : (long double)(p->pos0 + t);
        for (int64_t h = 0; h < N_HEADS; h++) {
            const float *xh = x + (t * N_HEADS + h) * head_dim;
            const float *yh = y + (t * N_HEADS + h) * head_dim;
            for (int64_t d = 0; d < head_dim; d++) {
                if (d >= p->n_rot) {
                    cr_expect_eq(memcmp(&yh[d], &xh[d], sizeof(float)), 0, "tail dim %lld changed",
                                 (long long)d);
                    continue;
                }
                float want = rope_truth(xh, d, pos, p);
                double norm = hypot(xh[d], xh[partner_of(d, p)]);
                cr_expect(fabs((double)yh[d] - want) <= ROPE_TOL * norm,
                          "mode %d n_rot %lld head_dim %lld pos %Lg: t %lld h %lld d %lld got %.9g want %.9g",
                          (int)p->mode, (long long)p->n_rot, (long long)head_dim, pos, (long long)t,
                          (long long)h, (long long)d, (double)yh[d], (double)want);
            }
        }
    }
    free(y);
}

Test(ref_rope, matches_formula) {
    static const int64_t head_dims[] = {2, 8, 64, 128};
    static const int64_t pos0s[] = {0, 7, 100000};
    static const float bases[] = {10000.0f, 500000.0f};
    static const float freq_scales[] = {1.0f, 0.25f};
    tu_rng rng = {31};
    for (int mode = REALM_ROPE_NORMAL; mode <= REALM_ROPE_NEOX; mode++)
        for (size_t hd = 0; hd < sizeof head_dims / sizeof head_dims[0]; hd++) {
            int64_t head_dim = head_dims[hd];
            float *x = make_x(&rng, head_dim);
            /* all dims, half of them, and the smallest rotation */
            const int64_t n_rots[] = {head_dim, head_dim / 2 + (head_dim / 2) % 2, 2};
            for (size_t r = 0; r < 3; r++)
                for (size_t p0 = 0; p0 < sizeof pos0s / sizeof pos0s[0]; p0++)
                    for (size_t b = 0; b < 2; b++)
                        for (size_t s = 0; s < 2; s++) {
                            realm_rope_params p = realm_rope_params_default();
                            p.mode = (realm_rope_mode)mode;
                            p.n_rot = n_rots[r];
                            p.pos0 = pos0s[p0];
                            p.freq_base = bases[b];
                            p.freq_scale = freq_scales[s];
                            check_case(x, head_dim, NULL, &p);
                        }
            free(x);
        }
}

Test(ref_rope, positions_array) {
    enum { HEAD_DIM = 16 };
    tu_rng rng = {32};
    float *x = make_x(&rng, HEAD_DIM);
    const int64_t n = N_TOKENS * N_HEADS * HEAD_DIM;
    float *y1 = malloc(sizeof(float) * n), *y2 = malloc(sizeof(float) * n);
    for (int mode = REALM_ROPE_NORMAL; mode <= REALM_ROPE_NEOX; mode++) {
        realm_rope_params p = realm_rope_params_default();
        p.mode = (realm_rope_mode)mode;
        p.pos0 = 40;
        /* positions equal to pos0 + t give the same bits as pos0 */
        int32_t seq[N_TOKENS];
        for (int t = 0; t < N_TOKENS; t++)
            seq[t] = (int32_t)p.pos0 + t;
        cr_assert_eq(realm_rope(NAIVE, x, y1, N_TOKENS, N_HEADS, HEAD_DIM, NULL, &p), REALM_OK);
        cr_assert_eq(realm_rope(NAIVE, x, y2, N_TOKENS, N_HEADS, HEAD_DIM, seq, &p), REALM_OK);
        cr_expect_eq(memcmp(y1, y2, sizeof(float) * n), 0, "positions pos0 + t differ from pos0 (mode %d)",
                     mode);
        /* out of order, repeated, negative and large positions; pos0 ignored */
        const int32_t scattered[N_TOKENS] = {9, 0, 9, -3, 1 << 20};
        p.n_rot = HEAD_DIM;
        check_case(x, HEAD_DIM, scattered, &p);
    }
    free(x);
    free(y1);
    free(y2);
}

/* A rotation keeps the length of every pair. */
Test(ref_rope, preserves_pair_norms) {
    enum { HEAD_DIM = 64 };
    tu_rng rng = {33};
    float *x = make_x(&rng, HEAD_DIM);
    const int64_t n = N_TOKENS * N_HEADS * HEAD_DIM;
    float *y = malloc(sizeof(float) * n);
    for (int mode = REALM_ROPE_NORMAL; mode <= REALM_ROPE_NEOX; mode++) {
        realm_rope_params p = realm_rope_params_default();
        p.mode = (realm_rope_mode)mode;
        p.pos0 = 1234;
        p.n_rot = HEAD_DIM;
        cr_assert_eq(realm_rope(NAIVE, x, y, N_TOKENS, N_HEADS, HEAD_DIM, NULL, &p), REALM_OK);
        for (int64_t base = 0; base < n; base += HEAD_DIM)
            for (int64_t d = 0; d < HEAD_DIM; d++) {
                int64_t e = partner_of(d, &p);
                double before = hypot(x[base + d], x[base + e]), after = hypot(y[base + d], y[base + e]);
                cr_expect(fabs(after - before) <= ROPE_TOL * before,
                          "mode %d pair (%lld, %lld): norm %g -> %g", mode, (long long)d, (long long)e,
                          before, after);
            }
    }
    free(x);
    free(y);
}

/* At position 0 every angle is 0: cos 1, sin 0, so values pass exactly. */
Test(ref_rope, position_zero_is_identity) {
    enum { HEAD_DIM = 32 };
    tu_rng rng = {34};
    float *x = make_x(&rng, HEAD_DIM);
    float y[HEAD_DIM * N_HEADS];
    cr_assert_eq(realm_rope(NAIVE, x, y, 1, N_HEADS, HEAD_DIM, NULL, NULL), REALM_OK);
    cr_expect_eq(memcmp(x, y, sizeof y), 0);
    free(x);
}

Test(ref_rope, defaults) {
    realm_rope_params p = realm_rope_params_default();
    cr_expect_eq(p.mode, REALM_ROPE_NORMAL);
    cr_expect_eq(p.n_rot, 0);
    cr_expect_eq(p.freq_base, 10000.0f);
    cr_expect_eq(p.freq_scale, 1.0f);
    cr_expect_eq(p.pos0, 0);
    /* NULL params behave as the defaults, n_rot 0 as head_dim */
    enum { HEAD_DIM = 8 };
    tu_rng rng = {35};
    float *x = make_x(&rng, HEAD_DIM);
    const int64_t n = N_TOKENS * N_HEADS * HEAD_DIM;
    float *y1 = malloc(sizeof(float) * n), *y2 = malloc(sizeof(float) * n);
    cr_assert_eq(realm_rope(NAIVE, x, y1, N_TOKENS, N_HEADS, HEAD_DIM, NULL, NULL), REALM_OK);
    p.n_rot = HEAD_DIM;
    cr_assert_eq(realm_rope(NAIVE, x, y2, N_TOKENS, N_HEADS, HEAD_DIM, NULL, &p), REALM_OK);
    cr_expect_eq(memcmp(y1, y2, sizeof(float) * n), 0);
    check_case(x, HEAD_DIM, NULL, &p);
    free(x);
    free(y1);
    free(y2);
}

Test(ref_rope, in_place_equals_out_of_place) {
    enum { HEAD_DIM = 24 };
    tu_rng rng = {36};
    float *x = make_x(&rng, HEAD_DIM);
    const int64_t n = N_TOKENS * N_HEADS * HEAD_DIM;
    float *want = malloc(sizeof(float) * n), *z = malloc(sizeof(float) * n);
    for (int mode = REALM_ROPE_NORMAL; mode <= REALM_ROPE_NEOX; mode++) {
        realm_rope_params p = realm_rope_params_default();
        p.mode = (realm_rope_mode)mode;
        p.n_rot = 16;
        p.pos0 = 3;
        memcpy(z, x, sizeof(float) * n);
        cr_assert_eq(realm_rope(NAIVE, x, want, N_TOKENS, N_HEADS, HEAD_DIM, NULL, &p), REALM_OK);
        cr_assert_eq(realm_rope(NAIVE, z, z, N_TOKENS, N_HEADS, HEAD_DIM, NULL, &p), REALM_OK);
        cr_expect_eq(memcmp(z, want, sizeof(float) * n), 0, "in place differs (mode %d)", mode);
    }
    free(x);
    free(want);
    free(z);
}
