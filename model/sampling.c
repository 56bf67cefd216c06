/* Token sampling (include/realm/sampling.h): repetition penalty, greedy,
 * top-k, temperature softmax, top-p, min-p, seeded draw. Every buffer is
 * allocated at create; a draw allocates nothing. */
#include "realm/sampling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* A candidate: its (penalized) logit and id. */
typedef struct cand {
    float v;
    int32_t id;
} cand;

struct realm_sampler {
    realm_sampler_params p;
    int32_t n_vocab;
    uint64_t rng[4];   /* xoshiro256** state */
    int32_t *hist;     /* ring of the last repeat_last_n accepted tokens */
    int32_t hist_n;    /* tokens in the ring */
    int32_t hist_next; /* slot the next accepted token goes to */
    uint32_t *stamp;   /* (n_vocab) last draw that penalized the token */
    uint32_t draw;     /* draw counter for stamp */
    cand *c;           /* (n_vocab) candidates */
    double *prob;      /* (n_vocab) probabilities of the kept candidates */
};

realm_sampler_params realm_sampler_params_default(void) {
    realm_sampler_params p = {.temperature = 0.8f,
                              .top_k = 40,
                              .top_p = 0.95f,
                              .min_p = 0.05f,
                              .repeat_penalty = 1.0f,
                              .repeat_last_n = 64,
                              .seed = 0};
    return p;
}

/* ---- RNG: splitmix64 seeds xoshiro256** ------------------------------------- */

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t xoshiro_next(uint64_t *s) {
    const uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static void seed_rng(realm_sampler *s) {
    uint64_t x = s->p.seed;
    for (int i = 0; i < 4; i++)
        s->rng[i] = splitmix64(&x);
}

/* Uniform in [0, 1) with 53 random bits. */
static double uniform01(realm_sampler *s) { return (double)(xoshiro_next(s->rng) >> 11) * 0x1.0p-53; }

/* ---- create / destroy ---------------------------------------------------------- */

static realm_status check_params(const realm_sampler_params *p) {
    static const char fn[] = "realm_sampler_create";
    if (!isfinite(p->temperature) || p->temperature < 0.0f)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: temperature %g must be finite and >= 0", fn,
                           (double)p->temperature);
    if (p->top_k < 0)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: top_k %d is negative", fn, (int)p->top_k);
    if (!(p->top_p > 0.0f && p->top_p <= 1.0f))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: top_p %g is outside (0, 1]", fn, (double)p->top_p);
    if (!(p->min_p >= 0.0f && p->min_p <= 1.0f))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: min_p %g is outside [0, 1]", fn, (double)p->min_p);
    if (!isfinite(p->repeat_penalty) || p->repeat_penalty <= 0.0f)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: repeat_penalty %g must be finite and > 0", fn,
                           (double)p->repeat_penalty);
    if (p->repeat_last_n < 0)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: repeat_last_n %d is negative", fn,
                           (int)p->repeat_last_n);
    return REALM_OK;
}

realm_status realm_sampler_create(const realm_sampler_params *p, int32_t n_vocab, realm_sampler **out) {
    static const char fn[] = "realm_sampler_create";
    if (out) *out = NULL;
    if (!out) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL out", fn);
    if (n_vocab < 1) return realm_error(REALM_ERR_INVALID_ARG, "%s: n_vocab %d < 1", fn, (int)n_vocab);
    const realm_sampler_params params = p ? *p : realm_sampler_params_default();
    const realm_status st = check_params(&params);
    if (st != REALM_OK) return st;
    realm_sampler *s = calloc(1, sizeof *s);
    if (!s) return realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: out of memory", fn);
    s->p = params;
    s->n_vocab = n_vocab;
    const size_t n = (size_t)n_vocab;
    s->hist = malloc(sizeof *s->hist * (size_t)(params.repeat_last_n ? params.repeat_last_n : 1));
    s->stamp = calloc(n, sizeof *s->stamp);
    s->c = malloc(sizeof *s->c * n);
    s->prob = malloc(sizeof *s->prob * n);
    if (!s->hist || !s->stamp || !s->c || !s->prob) {
        realm_sampler_destroy(s);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: out of memory for %d tokens", fn, (int)n_vocab);
    }
    seed_rng(s);
    *out = s;
    return REALM_OK;
}

void realm_sampler_destroy(realm_sampler *s) {
    if (!s) return;
    free(s->hist);
    free(s->stamp);
    free(s->c);
    free(s->prob);
    free(s);
}

void realm_sampler_reset(realm_sampler *s) {
    if (!s) return;
    s->hist_n = 0;
    s->hist_next = 0;
    seed_rng(s);
}

realm_status realm_sampler_accept(realm_sampler *s, int32_t token) {
    if (!s) return realm_error(REALM_ERR_INVALID_ARG, "realm_sampler_accept: NULL sampler");
    if (token < 0 || token >= s->n_vocab)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_sampler_accept: token %d is outside [0, %d)",
                           (int)token, (int)s->n_vocab);
    const int32_t cap = s->p.repeat_last_n;
    if (cap == 0) return REALM_OK;
    s->hist[s->hist_next] = token;
    s->hist_next = (s->hist_next + 1) % cap;
    if (s->hist_n < cap) s->hist_n++;
    return REALM_OK;
}

/* ---- a draw --------------------------------------------------------------------- */

/* a ranks before b: larger logit, then lower id. */
static int better(const cand *a, const cand *b) { return a->v > b->v || (a->v == b->v && a->id < b->id); }

/* Min-heap by rank (the root is the worst kept candidate). */
static void sift_down(cand *h, int32_t n, int32_t i) {
    for (;;) {
        int32_t w = i;
        const int32_t l = 2 * i + 1, r = l + 1;
        if (l < n && better(&h[w], &h[l])) w = l;
        if (r < n && better(&h[w], &h[r])) w = r;
        if (w == i) return;
        const cand t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

/* Leaves the k best of c[0..n) in c[0..k), best first. O(n log k). */
static void top_k(cand *c, int32_t n, int32_t k) {
    for (int32_t i = k / 2 - 1; i >= 0; i--)
        sift_down(c, k, i);
    for (int32_t i = k; i < n; i++)
        if (better(&c[i], &c[0])) {
            c[0] = c[i];
            sift_down(c, k, 0);
        }
    /* heap sort: move the worst to the end each time */
    for (int32_t m = k - 1; m > 0; m--) {
        const cand t = c[0];
        c[0] = c[m];
        c[m] = t;
        sift_down(c, m, 0);
    }
}

realm_status realm_sampler_sample(realm_sampler *s, const float *logits, int32_t *token) {
    static const char fn[] = "realm_sampler_sample";
    if (!s || !logits || !token)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn,
                           !s        ? "sampler"
                           : !logits ? "logits"
                                     : "token");
    const int32_t n = s->n_vocab;
    for (int32_t i = 0; i < n; i++) {
        if (!isfinite(logits[i]))
            return realm_error(REALM_ERR_INVALID_ARG, "%s: logit %d is %s", fn, (int)i,
                               isnan(logits[i]) ? "NaN" : "infinite");
        s->c[i] = (cand){.v = logits[i], .id = i};
    }
    /* 1. repetition penalty, once per distinct token of the history */
    if (s->p.repeat_penalty != 1.0f && s->hist_n > 0) {
        if (++s->draw == 0) { /* the counter wrapped: old stamps could collide */
            memset(s->stamp, 0, sizeof *s->stamp * (size_t)n);
            s->draw = 1;
        }
        for (int32_t i = 0; i < s->hist_n; i++) {
            const int32_t t = s->hist[i];
            if (s->stamp[t] == s->draw) continue;
            s->stamp[t] = s->draw;
            float *v = &s->c[t].v;
            *v = *v > 0.0f ? *v / s->p.repeat_penalty : *v * s->p.repeat_penalty;
        }
    }
    /* 2. greedy */
    if (s->p.temperature <= 0.0f) {
        int32_t best = 0;
        for (int32_t i = 1; i < n; i++)
            if (s->c[i].v > s->c[best].v) best = i;
        *token = best;
        return REALM_OK;
    }
    /* 3. top-k */
    const int32_t k = s->p.top_k > 0 && s->p.top_k < n ? s->p.top_k : n;
    top_k(s->c, n, k);
    /* 4. softmax with temperature (c is sorted, c[0] the largest) */
    const double inv_t = 1.0 / (double)s->p.temperature, vmax = s->c[0].v;
    double sum = 0.0;
    for (int32_t i = 0; i < k; i++) {
        s->prob[i] = exp(((double)s->c[i].v - vmax) * inv_t);
        sum += s->prob[i];
    }
    /* 5. top-p: the shortest prefix reaching top_p of the mass */
    int32_t kept = k;
    if (s->p.top_p < 1.0f) {
        const double target = (double)s->p.top_p * sum;
        double cum = 0.0;
        for (int32_t i = 0; i < k; i++) {
            cum += s->prob[i];
            if (cum >= target) {
                kept = i + 1;
                break;
            }
        }
    }
    /* 6. min-p, relative to the most probable (prob[0] = 1 before normalizing) */
    if (s->p.min_p > 0.0f) {
        const double floor_p = (double)s->p.min_p * s->prob[0];
        int32_t m = 1;
        while (m < kept && s->prob[m] >= floor_p)
            m++;
        kept = m;
    }
    /* 7. draw */
    double mass = 0.0;
    for (int32_t i = 0; i < kept; i++)
        mass += s->prob[i];
    const double u = uniform01(s) * mass;
    double cum = 0.0;
    int32_t pick = kept - 1;
    for (int32_t i = 0; i < kept; i++) {
        cum += s->prob[i];
        if (u < cum) {
            pick = i;
            break;
        }
    }
    *token = s->c[pick].id;
    return REALM_OK;
}
