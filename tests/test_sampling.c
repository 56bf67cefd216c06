/* Sampling (realm/sampling.h): greedy, top-k, temperature, top-p, min-p,
 * repetition penalty, seeding, and bad input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/realm.h"
#include "util.h"

static realm_sampler_params plain(float temperature) {
    realm_sampler_params p = realm_sampler_params_default();
    p.temperature = temperature;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.repeat_penalty = 1.0f;
    return p;
}

static realm_sampler *make(const realm_sampler_params *p, int32_t n_vocab) {
    realm_sampler *s = NULL;
    cr_assert_eq(realm_sampler_create(p, n_vocab, &s), REALM_OK, "%s", realm_last_error());
    cr_assert_not_null(s);
    return s;
}

static int32_t draw(realm_sampler *s, const float *logits) {
    int32_t t = -1;
    cr_assert_eq(realm_sampler_sample(s, logits, &t), REALM_OK, "%s", realm_last_error());
    return t;
}

/* Counts of n draws over a vocab of v (v <= 16). */
static void histogram(realm_sampler *s, const float *logits, int v, int n, int *count) {
    memset(count, 0, sizeof(int) * (size_t)v);
    for (int i = 0; i < n; i++) {
        const int32_t t = draw(s, logits);
        cr_assert(t >= 0 && t < v, "token %d out of range", t);
        count[t]++;
    }
}

/* |count - n p| within 3 standard deviations of the binomial. */
static void assert_freq(int count, int n, double p, int token) {
    const double sd = sqrt(n * p * (1.0 - p));
    cr_assert_leq(fabs(count - n * p), 3.0 * sd + 1e-9, "token %d: %d of %d draws, expected %.1f +- %.1f",
                  token, count, n, n * p, 3.0 * sd);
}

Test(sampling, defaults) {
    const realm_sampler_params p = realm_sampler_params_default();
    cr_assert_float_eq(p.temperature, 0.8f, 1e-7);
    cr_assert_eq(p.top_k, 40);
    cr_assert_float_eq(p.top_p, 0.95f, 1e-7);
    cr_assert_float_eq(p.min_p, 0.05f, 1e-7);
    cr_assert_float_eq(p.repeat_penalty, 1.0f, 1e-7);
    cr_assert_eq(p.repeat_last_n, 64);
    cr_assert_eq(p.seed, 0);
    realm_sampler *s = NULL;
    cr_assert_eq(realm_sampler_create(NULL, 10, &s), REALM_OK); /* NULL params: the defaults */
    realm_sampler_destroy(s);
    realm_sampler_destroy(NULL);
    realm_sampler_reset(NULL);
}

Test(sampling, greedy_is_argmax_lowest_id_on_ties) {
    enum { V = 3000 };
    static float logits[V];
    tu_rng r = {11};
    realm_sampler_params p = realm_sampler_params_default();
    p.temperature = 0.0f;
    realm_sampler *s = make(&p, V);
    for (int rep = 0; rep < 20; rep++) {
        tu_fill(&r, logits, V, 3.0f);
        int32_t best = 0;
        for (int i = 1; i < V; i++)
            if (logits[i] > logits[best]) best = i;
        cr_assert_eq(draw(s, logits), best, "rep %d", rep);
    }
    const float tie[5] = {0.5f, 2.0f, -1.0f, 2.0f, 2.0f};
    realm_sampler *s5 = make(&p, 5);
    cr_assert_eq(draw(s5, tie), 1);
    realm_sampler_destroy(s5);
    realm_sampler_destroy(s);
}

Test(sampling, top_k_1_is_greedy_at_any_temperature) {
    enum { V = 500 };
    static float logits[V];
    tu_rng r = {3};
    tu_fill(&r, logits, V, 1.0f);
    int32_t best = 0;
    for (int i = 1; i < V; i++)
        if (logits[i] > logits[best]) best = i;
    const float temps[] = {0.05f, 0.8f, 5.0f, 1000.0f};
    for (size_t i = 0; i < sizeof temps / sizeof temps[0]; i++) {
        realm_sampler_params p = plain(temps[i]);
        p.top_k = 1;
        p.seed = i;
        realm_sampler *s = make(&p, V);
        for (int d = 0; d < 200; d++)
            cr_assert_eq(draw(s, logits), best, "temperature %g", (double)temps[i]);
        realm_sampler_destroy(s);
    }
}

Test(sampling, top_k_keeps_the_k_largest) {
    enum { V = 5000, K = 10 };
    static float logits[V], sorted[V];
    tu_rng r = {99};
    tu_fill(&r, logits, V, 1.0f);
    memcpy(sorted, logits, sizeof logits);
    /* the K-th largest value, by selection */
    float kth = 0;
    for (int j = 0; j < K; j++) {
        int m = j;
        for (int i = j + 1; i < V; i++)
            if (sorted[i] > sorted[m]) m = i;
        const float t = sorted[j];
        sorted[j] = sorted[m];
        sorted[m] = t;
        kth = sorted[j];
    }
    realm_sampler_params p = plain(50.0f); /* nearly uniform over the K */
    p.top_k = K;
    realm_sampler *s = make(&p, V);
    bool seen[V] = {false};
    int distinct = 0;
    for (int d = 0; d < 2000; d++) {
        const int32_t t = draw(s, logits);
        cr_assert_geq(logits[t], kth, "token %d (logit %g) is not among the %d largest", t, (double)logits[t],
                      K);
        if (!seen[t]) distinct++;
        seen[t] = true;
    }
    cr_assert_eq(distinct, K, "all %d should be drawn at a high temperature, got %d", K, distinct);
    realm_sampler_destroy(s);
}

Test(sampling, same_seed_same_sequence) {
    enum { V = 64, N = 200 };
    float logits[V];
    tu_rng r = {5};
    tu_fill(&r, logits, V, 1.0f);
    int32_t a[N], b[N], c[N], d[N];
    realm_sampler_params p = realm_sampler_params_default();
    p.seed = 1234;
    p.top_k = 0;
    p.min_p = 0.0f;
    p.repeat_penalty = 1.3f;
    realm_sampler *s1 = make(&p, V), *s2 = make(&p, V);
    p.seed = 1235;
    realm_sampler *s3 = make(&p, V);
    for (int i = 0; i < N; i++) {
        a[i] = draw(s1, logits);
        b[i] = draw(s2, logits);
        c[i] = draw(s3, logits);
        cr_assert_eq(realm_sampler_accept(s1, a[i]), REALM_OK);
        cr_assert_eq(realm_sampler_accept(s2, b[i]), REALM_OK);
        cr_assert_eq(realm_sampler_accept(s3, c[i]), REALM_OK);
    }
    cr_assert(memcmp(a, b, sizeof a) == 0, "same seed, different tokens");
    cr_assert(memcmp(a, c, sizeof a) != 0, "different seeds, same %d tokens", N);
    /* reset: history cleared, RNG restarted */
    realm_sampler_reset(s1);
    for (int i = 0; i < N; i++) {
        d[i] = draw(s1, logits);
        cr_assert_eq(realm_sampler_accept(s1, d[i]), REALM_OK);
    }
    cr_assert(memcmp(a, d, sizeof a) == 0, "reset does not replay the sequence");
    realm_sampler_destroy(s1);
    realm_sampler_destroy(s2);
    realm_sampler_destroy(s3);
}

Test(sampling, frequencies_follow_softmax_with_temperature) {
    enum { N = 20000 };
    const float logits[4] = {1.0f, 2.0f, 0.5f, -1.0f};
    const float temps[] = {0.7f, 1.0f, 2.5f};
    for (size_t ti = 0; ti < sizeof temps / sizeof temps[0]; ti++) {
        const double T = temps[ti];
        double e[4], sum = 0;
        for (int i = 0; i < 4; i++)
            sum += e[i] = exp(logits[i] / T);
        realm_sampler_params p = plain(temps[ti]);
        p.seed = 1000 + ti; /* draws are deterministic: a fixed seed, a fixed outcome */
        realm_sampler *s = make(&p, 4);
        int count[4];
        histogram(s, logits, 4, N, count);
        for (int i = 0; i < 4; i++)
            assert_freq(count[i], N, e[i] / sum, i);
        realm_sampler_destroy(s);
    }
}

/* Probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1 (listed out of order). */
static const float known[4] = {-1.2039728f /* 0.3 */, -0.6931472f /* 0.5 */, -2.9957323f /* 0.05 */,
                               -1.89712f /* 0.15 */};

Test(sampling, top_p_cuts_the_tail_exactly) {
    enum { N = 20000 };
    int count[4];
    realm_sampler_params p = plain(1.0f);
    p.top_p = 0.75f; /* 0.5 < 0.75 <= 0.5 + 0.3: the nucleus is tokens 1 and 0 */
    p.seed = 7;
    realm_sampler *s = make(&p, 4);
    histogram(s, known, 4, N, count);
    cr_assert_eq(count[2] + count[3], 0, "tokens outside the nucleus drawn: %d, %d", count[2], count[3]);
    assert_freq(count[1], N, 0.5 / 0.8, 1);
    assert_freq(count[0], N, 0.3 / 0.8, 0);
    realm_sampler_destroy(s);

    p.top_p = 0.9f; /* 0.8 < 0.9 <= 0.95: adds token 3 */
    s = make(&p, 4);
    histogram(s, known, 4, N, count);
    cr_assert_eq(count[2], 0, "token 2 drawn %d times", count[2]);
    assert_freq(count[3], N, 0.15 / 0.95, 3);
    realm_sampler_destroy(s);

    p.top_p = 0.4f; /* token 1 alone */
    s = make(&p, 4);
    histogram(s, known, 4, 2000, count);
    cr_assert_eq(count[1], 2000);
    realm_sampler_destroy(s);
}

Test(sampling, min_p_drops_the_improbable) {
    enum { N = 20000 };
    int count[4];
    realm_sampler_params p = plain(1.0f);
    p.min_p = 0.2f; /* floor 0.1: drops token 2 (0.05) only */
    p.seed = 9;
    realm_sampler *s = make(&p, 4);
    histogram(s, known, 4, N, count);
    cr_assert_eq(count[2], 0, "token 2 drawn %d times", count[2]);
    assert_freq(count[3], N, 0.15 / 0.95, 3);
    assert_freq(count[1], N, 0.5 / 0.95, 1);
    realm_sampler_destroy(s);

    p.min_p = 0.7f; /* floor 0.35: token 1 alone */
    s = make(&p, 4);
    histogram(s, known, 4, 2000, count);
    cr_assert_eq(count[1], 2000);
    realm_sampler_destroy(s);
}

Test(sampling, repetition_penalty_changes_the_greedy_pick) {
    realm_sampler_params p = plain(0.0f);
    p.repeat_penalty = 1.5f;
    p.repeat_last_n = 2;
    const float pos[4] = {2.0f, 1.9f, -1.0f, -0.5f};
    realm_sampler *s = make(&p, 4);
    cr_assert_eq(draw(s, pos), 0);
    cr_assert_eq(realm_sampler_accept(s, 0), REALM_OK);
    cr_assert_eq(draw(s, pos), 1, "2.0 / 1.5 < 1.9: token 1");
    /* the window: two later tokens push token 0 out */
    cr_assert_eq(realm_sampler_accept(s, 3), REALM_OK);
    cr_assert_eq(realm_sampler_accept(s, 2), REALM_OK);
    cr_assert_eq(draw(s, pos), 0, "token 0 left the last-2 window");
    realm_sampler_destroy(s);

    /* negative logits are multiplied */
    const float neg[2] = {-1.0f, -1.2f};
    s = make(&p, 2);
    cr_assert_eq(draw(s, neg), 0);
    cr_assert_eq(realm_sampler_accept(s, 0), REALM_OK);
    cr_assert_eq(draw(s, neg), 1, "-1.0 * 1.5 < -1.2: token 1");
    realm_sampler_destroy(s);

    /* once per distinct token, however often it repeats */
    p.repeat_penalty = 1.2f;
    p.repeat_last_n = 64;
    const float two[2] = {2.0f, 1.5f};
    s = make(&p, 2);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(realm_sampler_accept(s, 0), REALM_OK);
    float copy[2];
    memcpy(copy, two, sizeof copy);
    cr_assert_eq(draw(s, copy), 0, "2.0 / 1.2 = 1.67 > 1.5 (penalized once)");
    cr_assert(memcmp(copy, two, sizeof copy) == 0, "the logits were modified");
    realm_sampler_destroy(s);

    /* repeat_last_n 0: no history, no penalty */
    p.repeat_penalty = 1.5f;
    p.repeat_last_n = 0;
    s = make(&p, 4);
    cr_assert_eq(realm_sampler_accept(s, 0), REALM_OK);
    cr_assert_eq(draw(s, pos), 0);
    realm_sampler_destroy(s);
}

Test(sampling, bad_logits) {
    realm_sampler *s = make(NULL, 4);
    const float bad[][4] = {
        {0.0f, NAN, 1.0f, 2.0f}, {INFINITY, 0.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 0.0f, -INFINITY}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t t = -7;
        cr_assert_eq(realm_sampler_sample(s, bad[i], &t), REALM_ERR_INVALID_ARG, "case %zu", i);
        cr_assert_eq(t, -7, "token written on error");
        cr_assert_not_null(strstr(realm_last_error(), "logit"), "%s", realm_last_error());
    }
    const float ok[4] = {0};
    int32_t t;
    cr_assert_eq(realm_sampler_sample(NULL, ok, &t), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_sampler_sample(s, NULL, &t), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_sampler_sample(s, ok, NULL), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_sampler_accept(s, -1), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_sampler_accept(s, 4), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_sampler_accept(NULL, 0), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_sampler_accept(s, 3), REALM_OK);
    realm_sampler_destroy(s);
}

Test(sampling, bad_params) {
    realm_sampler *s = (realm_sampler *)1;
    const realm_sampler_params d = realm_sampler_params_default();
    cr_assert_eq(realm_sampler_create(&d, 0, &s), REALM_ERR_INVALID_ARG);
    cr_assert_null(s);
    cr_assert_eq(realm_sampler_create(&d, -5, &s), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_sampler_create(&d, 10, NULL), REALM_ERR_INVALID_ARG);
    realm_sampler_params p[12];
    for (int i = 0; i < 12; i++)
        p[i] = d;
    p[0].temperature = -0.1f;
    p[1].temperature = NAN;
    p[2].top_p = 0.0f;
    p[3].top_p = 1.01f;
    p[4].top_p = NAN;
    p[5].top_k = -1;
    p[6].min_p = -0.1f;
    p[7].min_p = 1.5f;
    p[8].repeat_penalty = 0.0f;
    p[9].repeat_penalty = INFINITY;
    p[10].repeat_last_n = -1;
    p[11].temperature = INFINITY;
    for (int i = 0; i < 12; i++) {
        s = (realm_sampler *)1;
        cr_assert_eq(realm_sampler_create(&p[i], 10, &s), REALM_ERR_INVALID_ARG, "case %d accepted", i);
        cr_assert_null(s, "case %d", i);
        cr_assert_neq(realm_last_error()[0], '\0');
    }
    /* the edges of the ranges are fine */
    realm_sampler_params e = d;
    e.temperature = 0.0f;
    e.top_p = 1.0f;
    e.min_p = 1.0f;
    e.repeat_last_n = 0;
    cr_assert_eq(realm_sampler_create(&e, 1, &s), REALM_OK, "%s", realm_last_error());
    const float one = 3.0f;
    cr_assert_eq(draw(s, &one), 0);
    realm_sampler_destroy(s);
}
