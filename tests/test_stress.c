/* Stress: many runs of one plan (same bits every time, memory flat), many
 * runtime create/destroy cycles, several runtimes and plans at once on
 * different threads (bit-identical to a serial run), generation to the
 * context limit and past it (with ../shared/models).
 *
 * Counts are the (10,000 runs, 1,000 cycles) in a normal build and
 * a tenth under sanitizers; REALM_STRESS_DIV=<n> in the environment divides
 * them by n instead. RSS checks are skipped under sanitizers, whose shadow
 * memory and quarantines make RSS meaningless. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "realm/realm.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STRESS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define STRESS_SANITIZED 1
#endif
#endif
#ifndef STRESS_SANITIZED
#define STRESS_SANITIZED 0
#endif

enum { DIM = 64, HIDDEN = 128, MAX_T = 8, N_WORKERS = 4 };

static int64_t scaled(int64_t n) {
    const char *e = getenv("REALM_STRESS_DIV");
    int64_t div = STRESS_SANITIZED ? 10 : 1;
    if (e && atoll(e) > 0) div = atoll(e);
    return n / div > 0 ? n / div : 1;
}

/* VmRSS or VmHWM (kB) of this process, -1 when /proc is not there. */
static long proc_status_kb(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    const size_t n = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            v = atol(line + n + 1);
            break;
        }
    fclose(f);
    return v;
}

/* Weights shared by every plan (read-only). */
typedef struct weights {
    float norm[DIM];
    void *up;   /* (HIDDEN, DIM) q8_0 */
    void *down; /* (DIM, HIDDEN) q4_0 */
    float x[MAX_T * DIM];
} weights;

static void *quant(realm_type t, tu_rng *r, int64_t rows, int64_t cols) {
    const size_t rb = realm_row_bytes(t, cols);
    float *f = malloc(sizeof(float) * (size_t)(rows * cols));
    unsigned char *w = malloc(rb * (size_t)rows);
    cr_assert(f && w);
    tu_fill(r, f, rows * cols, 0.1f);
    for (int64_t i = 0; i < rows; i++)
        cr_assert_eq(realm_quantize_row(t, f + i * cols, w + i * rb, cols), REALM_OK);
    free(f);
    return w;
}

static void weights_init(weights *w, uint64_t seed) {
    tu_rng r = {seed};
    tu_fill(&r, w->norm, DIM, 1.0f);
    tu_fill(&r, w->x, MAX_T * DIM, 1.0f);
    w->up = quant(REALM_TYPE_Q8_0, &r, HIDDEN, DIM);
    w->down = quant(REALM_TYPE_Q4_0, &r, DIM, HIDDEN);
}

static void weights_free(weights *w) {
    free(w->up);
    free(w->down);
}

/* out = softmax(x + down(silu(up(rms_norm(x))))), x [T, DIM], T dynamic.
 * Plain realm_status checks (no cr_assert): it also runs on worker threads. */
typedef struct block {
    realm_graph *g;
    realm_tensor *x, *out;
    realm_runtime *rt;
    realm_plan *plan;
} block;

static realm_status block_init(block *b, const weights *w, int threads, realm_executor ex) {
    memset(b, 0, sizeof *b);
    realm_status st = realm_graph_create(&b->g);
    if (st != REALM_OK) return st;
    const int64_t xd[2] = {REALM_DIM_DYNAMIC, DIM}, nd[1] = {DIM}, ud[2] = {HIDDEN, DIM},
                  dd[2] = {DIM, HIDDEN};
    b->x = realm_input(b->g, "x", 2, xd, MAX_T, &st);
    realm_tensor *nw = realm_weight(b->g, "norm", REALM_TYPE_F32, 1, nd, w->norm, &st);
    realm_tensor *up = realm_weight(b->g, "up", REALM_TYPE_Q8_0, 2, ud, w->up, &st);
    realm_tensor *down = realm_weight(b->g, "down", REALM_TYPE_Q4_0, 2, dd, w->down, &st);
    if (!b->x || !nw || !up || !down) return st;
    realm_tensor *h = realm_op_rms_norm(b->g, b->x, nw, 1e-5f, &st);
    h = realm_op_silu(b->g, realm_op_matmul(b->g, up, h, &st), &st);
    h = realm_op_add(b->g, b->x, realm_op_matmul(b->g, down, h, &st), &st);
    b->out = realm_op_softmax(b->g, h, 0.5f, false, 0, &st);
    if (!b->out) return st;
    if ((st = realm_graph_output(b->g, b->out)) != REALM_OK) return st;
    realm_runtime_params p = realm_runtime_params_default();
    p.n_threads = threads;
    p.executor = ex;
    p.spin_us = 0; /* several runtimes share 2 cores: sleep at once */
    if ((st = realm_runtime_create(&p, &b->rt)) != REALM_OK) return st;
    return realm_graph_compile(b->g, b->rt, NULL, &b->plan);
}

static void block_free(block *b) {
    realm_plan_destroy(b->plan);
    realm_runtime_destroy(b->rt);
    realm_graph_destroy(b->g);
}

/* Runs with T tokens of w->x; copies the output to y (T * DIM floats). */
static realm_status block_run(block *b, const weights *w, int64_t T, float *y) {
    realm_binding bind = {.tensor = b->x, .data = w->x, .shape = {.n_dims = 2, .dims = {T, DIM}}};
    realm_status st = realm_plan_run(b->plan, &bind, 1);
    if (st != REALM_OK) return st;
    const float *out = NULL;
    realm_shape s;
    if ((st = realm_plan_output(b->plan, b->out, &out, &s)) != REALM_OK) return st;
    if (s.n_dims != 2 || s.dims[0] != T || s.dims[1] != DIM) return REALM_ERR_INTERNAL;
    memcpy(y, out, sizeof(float) * (size_t)(T * DIM));
    return REALM_OK;
}

Test(stress, plan_runs_10000_times_same_bits_flat_memory, .timeout = 600) {
    weights w;
    weights_init(&w, 11);
    block b;
    cr_assert_eq(block_init(&b, &w, 2, REALM_EXECUTOR_POOL), REALM_OK, "%s", realm_last_error());
    float first[MAX_T][MAX_T * DIM], y[MAX_T * DIM];
    /* Warm-up: every token count once (the first outputs), then some more
     * runs so allocator pools and thread stacks reach their steady state. */
    for (int64_t T = 1; T <= MAX_T; T++)
        cr_assert_eq(block_run(&b, &w, T, first[T - 1]), REALM_OK, "%s", realm_last_error());
    for (int i = 0; i < 200; i++)
        cr_assert_eq(block_run(&b, &w, 1 + i % MAX_T, y), REALM_OK);
    const long rss0 = proc_status_kb("VmRSS"), hwm0 = proc_status_kb("VmHWM");
    const int64_t n = scaled(10000);
    int64_t mismatches = 0;
    for (int64_t i = 0; i < n; i++) {
        const int64_t T = 1 + i % MAX_T;
        cr_assert_eq(block_run(&b, &w, T, y), REALM_OK, "run %lld: %s", (long long)i, realm_last_error());
        mismatches += memcmp(y, first[T - 1], sizeof(float) * (size_t)(T * DIM)) != 0;
    }
    const long rss1 = proc_status_kb("VmRSS"), hwm1 = proc_status_kb("VmHWM");
    cr_assert_eq(mismatches, 0, "%lld of %lld runs differ from the first run", (long long)mismatches,
                 (long long)n);
    if (!STRESS_SANITIZED && rss0 > 0) {
        cr_log_info("plan runs: %lld, VmRSS %ld -> %ld kB, VmHWM %ld -> %ld kB", (long long)n, rss0, rss1,
                    hwm0, hwm1);
        cr_assert_lt(rss1 - rss0, 1024, "VmRSS grew by %ld kB over %lld runs", rss1 - rss0, (long long)n);
        cr_assert_lt(hwm1 - hwm0, 1024, "VmHWM grew by %ld kB over %lld runs", hwm1 - hwm0, (long long)n);
    }
    block_free(&b);
    weights_free(&w);
}

Test(stress, runtime_create_destroy_1000_cycles, .timeout = 600) {
    const int64_t n = scaled(1000);
    const realm_executor ex[3] = {REALM_EXECUTOR_POOL, REALM_EXECUTOR_SERIAL, REALM_EXECUTOR_POOL};
    long rss0 = -1;
    for (int64_t i = 0; i < n; i++) {
        realm_runtime_params p = realm_runtime_params_default();
        p.executor = ex[i % 3];
        p.n_threads = p.executor == REALM_EXECUTOR_SERIAL ? 1 : 2;
        p.spin_us = (int)(i % 2) * 50;
        realm_runtime *rt = NULL;
        cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "cycle %lld: %s", (long long)i,
                     realm_last_error());
        cr_assert_eq(realm_runtime_n_threads(rt), p.n_threads);
        /* Use it once so the pool's threads really start and meet. */
        float Y[4] = {0};
        float X[32], row[32];
        unsigned char W[4 * 34];
        for (int j = 0; j < 32; j++)
            X[j] = 1.0f, row[j] = (float)j;
        for (int r = 0; r < 4; r++)
            cr_assert_eq(realm_quantize_row(REALM_TYPE_Q8_0, row, W + r * 34, 32), REALM_OK);
        cr_assert_eq(
            realm_runtime_matmul_quant(rt, REALM_BACKEND_OPTIMIZED, REALM_TYPE_Q8_0, W, 4, 32, X, 1, Y),
            REALM_OK);
        cr_assert(Y[0] > 490.0f && Y[0] < 502.0f && Y[3] == Y[0], "Y = %g, %g (sum 0..31 = 496)", Y[0], Y[3]);
        realm_runtime_destroy(rt);
        if (i == 9) rss0 = proc_status_kb("VmRSS");
    }
    const long rss1 = proc_status_kb("VmRSS");
    if (!STRESS_SANITIZED && rss0 > 0 && n > 10) {
        cr_log_info("runtime cycles: %lld, VmRSS %ld -> %ld kB", (long long)n, rss0, rss1);
        cr_assert_lt(rss1 - rss0, 2048, "VmRSS grew by %ld kB over %lld create/destroy cycles", rss1 - rss0,
                     (long long)n);
    }
}

typedef struct worker {
    const weights *w;
    int threads;
    realm_executor ex;
    int64_t runs;
    const float (*expect)[MAX_T * DIM];
    realm_status st;
    int64_t mismatches;
} worker;

static void *worker_main(void *arg) {
    worker *k = arg;
    block b;
    float y[MAX_T * DIM];
    k->st = block_init(&b, k->w, k->threads, k->ex);
    for (int64_t i = 0; k->st == REALM_OK && i < k->runs; i++) {
        const int64_t T = 1 + (i * 3 + k->threads) % MAX_T;
        k->st = block_run(&b, k->w, T, y);
        if (k->st == REALM_OK)
            k->mismatches += memcmp(y, k->expect[T - 1], sizeof(float) * (size_t)(T * DIM)) != 0;
    }
    block_free(&b);
    return NULL;
}

Test(stress, concurrent_runtimes_and_plans_match_serial, .timeout = 600) {
    weights w;
    weights_init(&w, 23);
    /* The serial reference, every token count. */
    static float expect[MAX_T][MAX_T * DIM];
    block ref;
    cr_assert_eq(block_init(&ref, &w, 1, REALM_EXECUTOR_SERIAL), REALM_OK, "%s", realm_last_error());
    for (int64_t T = 1; T <= MAX_T; T++)
        cr_assert_eq(block_run(&ref, &w, T, expect[T - 1]), REALM_OK);
    block_free(&ref);

    const int64_t runs = scaled(500);
    for (int round = 0; round < 2; round++) {
        pthread_t th[N_WORKERS];
        worker k[N_WORKERS];
        for (int i = 0; i < N_WORKERS; i++) {
            k[i] = (worker){.w = &w,
                            .threads = 1 + (i + round) % 3,
                            .ex = (i + round) % 3 == 0 ? REALM_EXECUTOR_SERIAL : REALM_EXECUTOR_POOL,
                            .runs = runs,
                            .expect = (const float(*)[MAX_T * DIM]) expect};
            cr_assert_eq(pthread_create(&th[i], NULL, worker_main, &k[i]), 0);
        }
        for (int i = 0; i < N_WORKERS; i++)
            cr_assert_eq(pthread_join(th[i], NULL), 0);
        for (int i = 0; i < N_WORKERS; i++) {
            cr_assert_eq(k[i].st, REALM_OK, "worker %d (%d threads, %s): %s", i, k[i].threads,
                         realm_executor_name(k[i].ex), realm_status_str(k[i].st));
            cr_assert_eq(k[i].mismatches, 0, "worker %d: %lld of %lld runs differ from the serial run", i,
                         (long long)k[i].mismatches, (long long)runs);
        }
    }
    weights_free(&w);
}

static int32_t argmax(const float *x, int64_t n) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return (int32_t)best;
}

/* Greedy generation one token at a time until the context is full (2,000
 * positions), then past it: a clear REALM_ERR_STATE with the position kept;
 * rewinding (realm_context_set_pos) makes room again. A second pass over
 * the same tokens gives the same greedy choices with memory flat. */
Test(stress, generate_2000_tokens_to_the_context_limit_and_past, .timeout = 600) {
    char path[4096];
    if (!tu_shared_path("models/stories260K-f32.gguf", path, sizeof path)) cr_skip_test("no ../shared");
    FILE *f = fopen(path, "rb");
    if (!f) cr_skip_test("no %s", path);
    fclose(f);
    realm_model *m = NULL;
    cr_assert_eq(realm_model_load(path, &m), REALM_OK, "%s", realm_last_error());
    realm_model_hparams hp;
    cr_assert_eq(realm_model_get_hparams(m, &hp), REALM_OK);
    realm_runtime_params rp = realm_runtime_params_default();
    rp.n_threads = 2;
    realm_runtime *rt = NULL;
    cr_assert_eq(realm_runtime_create(&rp, &rt), REALM_OK, "%s", realm_last_error());
    const int64_t n_ctx = scaled(2000);
    realm_context_params cp = realm_context_params_default();
    cp.n_ctx = n_ctx;
    cp.n_batch = 16;
    realm_context *c = NULL;
    cr_assert_eq(realm_context_create(m, rt, &cp, &c), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_context_n_ctx(c), n_ctx);

    int32_t *tok = malloc(sizeof(int32_t) * (size_t)(n_ctx + 1));
    cr_assert_not_null(tok);
    tok[0] = 1; /* BOS */
    const float *logits = NULL;
    for (int64_t i = 0; i < n_ctx; i++) {
        cr_assert_eq(realm_context_eval(c, &tok[i], 1, &logits), REALM_OK, "token %lld: %s", (long long)i,
                     realm_last_error());
        tok[i + 1] = argmax(logits, hp.n_vocab);
    }
    cr_assert_eq(realm_context_pos(c), n_ctx);
    /* Past the limit: refused, nothing run, position kept. */
    realm_error(REALM_OK, "%s", "");
    cr_assert_eq(realm_context_eval(c, &tok[n_ctx], 1, &logits), REALM_ERR_STATE);
    cr_assert(realm_last_error()[0] != '\0');
    cr_assert_eq(realm_context_pos(c), n_ctx);
    /* Rewind half way: the same token at the same position gives the same next token. */
    cr_assert_eq(realm_context_set_pos(c, n_ctx / 2), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_context_eval(c, &tok[n_ctx / 2], 1, &logits), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(argmax(logits, hp.n_vocab), tok[n_ctx / 2 + 1]);

    /* Second pass from position 0, memory measured after a warm-up. */
    cr_assert_eq(realm_context_set_pos(c, 0), REALM_OK);
    long rss0 = -1;
    int64_t differ = 0;
    for (int64_t i = 0; i < n_ctx; i++) {
        if (i == 64) rss0 = proc_status_kb("VmRSS");
        cr_assert_eq(realm_context_eval(c, &tok[i], 1, &logits), REALM_OK, "pass 2, token %lld: %s",
                     (long long)i, realm_last_error());
        differ += argmax(logits, hp.n_vocab) != tok[i + 1];
    }
    const long rss1 = proc_status_kb("VmRSS");
    cr_assert_eq(differ, 0, "%lld of %lld greedy tokens differ on the second pass", (long long)differ,
                 (long long)n_ctx);
    if (!STRESS_SANITIZED && rss0 > 0) {
        cr_log_info("generation: %lld tokens twice, VmRSS %ld -> %ld kB over the second pass",
                    (long long)n_ctx, rss0, rss1);
        cr_assert_lt(rss1 - rss0, 1024, "VmRSS grew by %ld kB over %lld tokens", rss1 - rss0,
                     (long long)n_ctx);
    }
    free(tok);
    realm_context_destroy(c);
    realm_runtime_destroy(rt);
    realm_model_destroy(m);
}
