/* Parallel calls through the public API: every row computed exactly once
 * for many (n_rows, grain) with 1..64 threads (synthetic topologies and
 * oversubscription of this machine) and every executor; bit-identical
 * results whatever the thread count or executor; steps separated by
 * barriers; node-local steps; a two-step quantized matmul (quantize the
 * activations by columns, then rows). */
#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "realm/realm.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

/* A hang kills this test's process with SIGALRM (a crash in Criterion's
 * report) instead of stalling the suite; see test_runtime_pool.c. */
static void watchdog(void) { alarm(300); }

static realm_runtime *make(realm_executor ex, int n_threads, const char *synthetic) {
    realm_runtime_params p = realm_runtime_params_default();
    p.executor = ex;
    p.n_threads = n_threads;
    p.topology_synthetic = synthetic;
    p.spin_us = 20;
    realm_runtime *rt = NULL;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    return rt;
}

/* ---- exactly once ---------------------------------------------------------- */

typedef struct cover {
    atomic_int *hits; /* [n_rows] */
    int64_t grain;
    int n_threads;
    atomic_int bad; /* calls with a misaligned start or a bad thread index */
} cover;

static void cover_rows(void *ctx, int64_t r0, int64_t r1, int thread) {
    cover *c = ctx;
    if (r0 % c->grain != 0 || r1 <= r0 || thread < 0 || thread >= c->n_threads) atomic_fetch_add(&c->bad, 1);
    for (int64_t r = r0; r < r1; r++)
        atomic_fetch_add_explicit(&c->hits[r], 1, memory_order_relaxed);
}

static const int64_t row_counts[] = {0, 1, 2, 5, 17, 64, 100, 333, 1024, 4099};
static const int64_t grains[] = {1, 3, 4, 16, 64};

static void check_cover(realm_runtime *rt, const char *what) {
    atomic_int *hits = calloc(4099, sizeof *hits);
    for (size_t i = 0; i < sizeof row_counts / sizeof row_counts[0]; i++)
        for (size_t j = 0; j < sizeof grains / sizeof grains[0]; j++) {
            const int64_t n = row_counts[i];
            cover c = {.hits = hits, .grain = grains[j], .n_threads = realm_runtime_n_threads(rt)};
            atomic_init(&c.bad, 0);
            cr_assert_eq(realm_runtime_parallel_rows(rt, n, grains[j], cover_rows, &c), REALM_OK, "%s",
                         realm_last_error());
            cr_assert_eq(atomic_load(&c.bad), 0, "%s n=%lld grain=%lld: bad call", what, (long long)n,
                         (long long)grains[j]);
            for (int64_t r = 0; r < n; r++) {
                cr_assert_eq(atomic_load(&hits[r]), 1, "%s n=%lld grain=%lld: row %lld computed %d times",
                             what, (long long)n, (long long)grains[j], (long long)r, atomic_load(&hits[r]));
                atomic_store(&hits[r], 0);
            }
        }
    free(hits);
}

Test(runtime_rows, every_row_once_this_machine) {
    watchdog();
    const int counts[] = {1, 2, 3, 4, 7, 16};
    for (int ex = 0; ex < REALM_EXECUTOR_COUNT; ex++)
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            if (ex == REALM_EXECUTOR_SERIAL && counts[k] > 1) continue;
            realm_runtime *rt = make((realm_executor)ex, counts[k], NULL);
            cr_assert_eq(realm_runtime_n_threads(rt), counts[k]);
            char what[64];
            snprintf(what, sizeof what, "%s x%d", realm_executor_name((realm_executor)ex), counts[k]);
            check_cover(rt, what);
            realm_runtime_destroy(rt);
        }
}

/* Planned for machines with 2 and 8 NUMA nodes (so several groups and
 * stealing between them), run oversubscribed on this one. */
Test(runtime_rows, every_row_once_synthetic_numa) {
    watchdog();
    static const struct {
        const char *topo;
        int threads;
    } cases[] = {
        {"pack:2 numa:1 core:4 pu:2", 0}, {"pack:2 numa:1 core:4 pu:2", 5}, {"numa:8 core:2 pu:1", 0},
        {"numa:8 core:4 pu:2", 64},       {"numa:8 core:1 pu:1", 11},       {"pack:2 numa:2 core:8 pu:2", 0},
    };
    for (int ex = REALM_EXECUTOR_POOL; ex <= REALM_EXECUTOR_OPENMP; ex++)
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            realm_runtime *rt = make((realm_executor)ex, cases[k].threads, cases[k].topo);
            cr_assert_gt(realm_runtime_n_groups(rt), 1, "%s", realm_runtime_description(rt));
            char what[96];
            snprintf(what, sizeof what, "%s on '%s' x%d", realm_executor_name((realm_executor)ex),
                     cases[k].topo, realm_runtime_n_threads(rt));
            check_cover(rt, what);
            realm_runtime_destroy(rt);
        }
}

/* ---- bit-identical ------------------------------------------------------------ */

/* A row kernel whose float result depends on summation order within the
 * row only: any split of rows must reproduce it bit for bit. */
typedef struct dot_ctx {
    const float *W, *x; /* W: [rows][k], x: [k] */
    float *y;           /* [rows] */
    int64_t k;
} dot_ctx;

static void dot_rows(void *ctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    dot_ctx *d = ctx;
    for (int64_t r = r0; r < r1; r++) {
        float s = 0.0f;
        for (int64_t i = 0; i < d->k; i++)
            s += d->W[r * d->k + i] * d->x[i];
        d->y[r] = s;
    }
}

Test(runtime_rows, bit_identical_for_any_threads_and_executor) {
    watchdog();
    enum { ROWS = 1000, K = 257 };
    float *W = malloc(sizeof(float) * ROWS * K), x[K], ref[ROWS], y[ROWS];
    tu_rng rng = {7};
    tu_fill(&rng, W, (int64_t)ROWS * K, 1.0f);
    tu_fill(&rng, x, K, 1.0f);
    realm_runtime *serial = make(REALM_EXECUTOR_SERIAL, 1, NULL);
    dot_ctx d = {W, x, ref, K};
    cr_assert_eq(realm_runtime_parallel_rows(serial, ROWS, 8, dot_rows, &d), REALM_OK);
    realm_runtime_destroy(serial);
    for (int ex = REALM_EXECUTOR_POOL; ex <= REALM_EXECUTOR_OPENMP; ex++)
        for (int n = 1; n <= 64; n = n < 8 ? n + 1 : n * 2) {
            realm_runtime *rt = make((realm_executor)ex, n, n > 8 ? "numa:8 core:8 pu:1" : NULL);
            memset(y, 0, sizeof y);
            d.y = y;
            cr_assert_eq(realm_runtime_parallel_rows(rt, ROWS, 8, dot_rows, &d), REALM_OK);
            cr_assert_eq(memcmp(y, ref, sizeof y), 0, "%s with %d threads differs from serial",
                         realm_executor_name((realm_executor)ex), n);
            realm_runtime_destroy(rt);
        }
    free(W);
}

/* ---- steps ------------------------------------------------------------------- */

typedef struct steps_ctx {
    int n_threads;
    int *stamp;       /* [n_threads]: written in step 0, plain memory */
    atomic_int wrong; /* step 1 saw a stamp not yet written */
    atomic_int *hits; /* [rows] */
    int64_t rows;
} steps_ctx;

static void stamp_step(void *ctx, int thread, int n_threads) {
    steps_ctx *c = ctx;
    if (n_threads != c->n_threads) atomic_fetch_add(&c->wrong, 1);
    c->stamp[thread] = thread + 1;
}

/* After the barrier every stamp of step 0 is visible to every thread. */
static void check_rows_step(void *ctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    steps_ctx *c = ctx;
    for (int t = 0; t < c->n_threads; t++)
        if (c->stamp[t] != t + 1) atomic_fetch_add(&c->wrong, 1);
    for (int64_t r = r0; r < r1; r++)
        atomic_fetch_add(&c->hits[r], 1);
}

static void clear_step(void *ctx, int thread, int n_threads) {
    (void)n_threads;
    steps_ctx *c = ctx;
    c->stamp[thread] = 0;
}

Test(runtime_rows, steps_are_separated_by_barriers) {
    watchdog();
    for (int ex = 0; ex < REALM_EXECUTOR_COUNT; ex++)
        for (int n = 1; n <= 8; n *= 2) {
            if (ex == REALM_EXECUTOR_SERIAL && n > 1) continue;
            realm_runtime *rt = make((realm_executor)ex, n, n > 2 ? "numa:2 core:4 pu:1" : NULL);
            steps_ctx c = {.n_threads = n, .rows = 200};
            c.stamp = calloc((size_t)n, sizeof *c.stamp);
            c.hits = calloc(200, sizeof *c.hits);
            atomic_init(&c.wrong, 0);
            const realm_parallel_step steps[] = {
                {.threads_fn = stamp_step},
                {.rows_fn = check_rows_step, .n_rows = 200, .grain = 4},
                {.threads_fn = clear_step},
                {.rows_fn = check_rows_step, .n_rows = 0, .grain = 1},
            };
            for (int rep = 0; rep < 50; rep++)
                cr_assert_eq(realm_runtime_parallel_steps(rt, steps, 3, &c), REALM_OK, "%s",
                             realm_last_error());
            cr_assert_eq(atomic_load(&c.wrong), 0, "%s x%d: a step started before the previous one ended",
                         realm_executor_name((realm_executor)ex), n);
            for (int r = 0; r < 200; r++)
                cr_assert_eq(atomic_load(&c.hits[r]), 50);
            /* A call whose only step has no rows wakes nobody and succeeds. */
            cr_assert_eq(realm_runtime_parallel_steps(rt, &steps[3], 1, &c), REALM_OK);
            free(c.stamp);
            free(c.hits);
            realm_runtime_destroy(rt);
        }
}

typedef struct local_ctx {
    realm_runtime *rt;
    atomic_int *group_of_row; /* [rows]: group of the thread that ran it */
} local_ctx;

static void record_group(void *ctx, int64_t r0, int64_t r1, int thread) {
    local_ctx *c = ctx;
    realm_thread_info info;
    realm_runtime_thread_info(c->rt, thread, &info);
    for (int64_t r = r0; r < r1; r++)
        atomic_store(&c->group_of_row[r], info.group);
}

/* Node-local steps (first touch) leave each group's rows to that group,
 * the rows realm_runtime_group_rows() reports. */
Test(runtime_rows, node_local_rows_stay_in_their_group) {
    watchdog();
    enum { ROWS = 999 };
    realm_runtime *rt = make(REALM_EXECUTOR_POOL, 0, "numa:8 core:2 pu:2");
    cr_assert_eq(realm_runtime_n_groups(rt), 8);
    local_ctx c = {rt, calloc(ROWS, sizeof(atomic_int))};
    const realm_parallel_step step = {
        .rows_fn = record_group, .n_rows = ROWS, .grain = 3, .flags = REALM_STEP_NODE_LOCAL};
    for (int rep = 0; rep < 20; rep++) {
        cr_assert_eq(realm_runtime_parallel_steps(rt, &step, 1, &c), REALM_OK);
        int64_t next = 0;
        for (int g = 0; g < 8; g++) {
            int64_t r0, r1;
            cr_assert_eq(realm_runtime_group_rows(rt, g, ROWS, 3, &r0, &r1), REALM_OK);
            cr_assert_eq(r0, next);
            for (int64_t r = r0; r < r1; r++)
                cr_assert_eq(atomic_load(&c.group_of_row[r]), g, "row %lld", (long long)r);
            next = r1;
        }
        cr_assert_eq(next, ROWS);
    }
    free(c.group_of_row);
    realm_runtime_destroy(rt);
}

/* ---- a two-step quantized matmul ------------------------------------------------ */

/* The shape of the fused quantized matmul: step 0 quantizes the activation
 * columns (split by columns across threads) to int8 with one scale per
 * column, step 1 computes output rows from them. Step 1 reads what every
 * thread wrote in step 0, so it depends on the barrier between them. */
typedef struct qmm_ctx {
    const int8_t *W; /* [rows][k] */
    const float *X;  /* [batch][k] */
    int8_t *xq;      /* [batch][k] */
    float *xscale;   /* [batch] */
    float *Y;        /* [batch][rows] */
    int64_t rows, k, batch;
} qmm_ctx;

static void quantize_columns(void *ctx, int thread, int n_threads) {
    qmm_ctx *c = ctx;
    for (int64_t b = c->batch * thread / n_threads; b < c->batch * (thread + 1) / n_threads; b++) {
        float amax = 0.0f;
        for (int64_t i = 0; i < c->k; i++)
            amax = fmaxf(amax, fabsf(c->X[b * c->k + i]));
        const float scale = amax / 127.0f, inv = scale > 0.0f ? 1.0f / scale : 0.0f;
        for (int64_t i = 0; i < c->k; i++)
            c->xq[b * c->k + i] = (int8_t)lrintf(c->X[b * c->k + i] * inv);
        c->xscale[b] = scale;
    }
}

static void int8_rows(void *ctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    qmm_ctx *c = ctx;
    for (int64_t b = 0; b < c->batch; b++)
        for (int64_t r = r0; r < r1; r++) {
            int32_t acc = 0;
            for (int64_t i = 0; i < c->k; i++)
                acc += c->W[r * c->k + i] * c->xq[b * c->k + i];
            c->Y[b * c->rows + r] = (float)acc * c->xscale[b] * (1.0f / 64.0f);
        }
}

static void run_qmm(realm_runtime *rt, qmm_ctx *c) {
    memset(c->xq, 0, (size_t)(c->batch * c->k));
    memset(c->xscale, 0, sizeof(float) * (size_t)c->batch);
    const realm_parallel_step steps[] = {
        {.threads_fn = quantize_columns},
        {.rows_fn = int8_rows, .n_rows = c->rows, .grain = 4},
    };
    cr_assert_eq(realm_runtime_parallel_steps(rt, steps, 2, c), REALM_OK, "%s", realm_last_error());
}

Test(runtime_rows, quantized_matmul_steps_bit_identical) {
    watchdog();
    enum { ROWS = 150, K = 96, BATCH = 13 };
    int8_t *W = malloc(ROWS * K), *xq = malloc(BATCH * K);
    float *X = malloc(sizeof(float) * BATCH * K), xscale[BATCH];
    float *ref = malloc(sizeof(float) * BATCH * ROWS), *Y = malloc(sizeof(float) * BATCH * ROWS);
    tu_rng rng = {3};
    for (int i = 0; i < ROWS * K; i++)
        W[i] = (int8_t)(tu_next(&rng) % 255 - 127);
    tu_fill(&rng, X, BATCH * K, 1.0f);
    qmm_ctx c = {W, X, xq, xscale, ref, ROWS, K, BATCH};
    realm_runtime *serial = make(REALM_EXECUTOR_SERIAL, 1, NULL);
    run_qmm(serial, &c);
    realm_runtime_destroy(serial);
    c.Y = Y;
    for (int ex = REALM_EXECUTOR_POOL; ex <= REALM_EXECUTOR_OPENMP; ex++)
        for (int n = 1; n <= 32; n *= 2) {
            realm_runtime *rt = make((realm_executor)ex, n, n > 2 ? "numa:4 core:4 pu:2" : NULL);
            for (int rep = 0; rep < 5; rep++) {
                memset(Y, 0xff, sizeof(float) * BATCH * ROWS);
                run_qmm(rt, &c);
                cr_assert_eq(memcmp(Y, ref, sizeof(float) * BATCH * ROWS), 0, "%s x%d differs from serial",
                             realm_executor_name((realm_executor)ex), n);
            }
            realm_runtime_destroy(rt);
        }
    free(ref);
    free(Y);
    free(X);
    free(xq);
    free(W);
}

/* Inside the program's own OpenMP region a nested team has one thread:
 * that thread runs every thread index in turn and rows are still covered
 * exactly once. Only thread-local data and atomics are shared, so the
 * region's own bookkeeping needs no ordering ThreadSanitizer cannot see. */
static atomic_int nested_hits[2][300];
static atomic_int nested_errors;

Test(runtime_rows, openmp_inside_an_openmp_region) {
    watchdog();
#pragma omp parallel num_threads(2)
    {
        const int me = omp_get_thread_num();
        realm_runtime_params p = realm_runtime_params_default();
        p.executor = REALM_EXECUTOR_OPENMP;
        p.n_threads = 4;
        p.pin = false;
        realm_runtime *rt = NULL;
        cover c = {.hits = nested_hits[me], .grain = 2, .n_threads = 4};
        atomic_init(&c.bad, 0);
        if (realm_runtime_create(&p, &rt) != REALM_OK ||
            realm_runtime_parallel_rows(rt, 300, 2, cover_rows, &c) != REALM_OK || atomic_load(&c.bad) != 0)
            atomic_fetch_add(&nested_errors, 1);
        realm_runtime_destroy(rt);
    }
    cr_assert_eq(atomic_load(&nested_errors), 0, "%s", realm_last_error());
    for (int me = 0; me < 2; me++)
        for (int r = 0; r < 300; r++)
            cr_assert_eq(atomic_load(&nested_hits[me][r]), 1, "team %d row %d", me, r);
}
