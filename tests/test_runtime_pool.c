/* The pool and its parts under real threads (also run under ThreadSanitizer
 * with -DREALM_TSAN=ON): the spin-then-sleep event, the two-level barrier,
 * the lifecycle (1000 create/destroy cycles leave no thread behind,
 * destroying an idle or sleeping pool returns), use from several caller
 * threads, nested calls, idle pools not burning CPU, and pinning applied. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "realm/runtime.h"
#include "runtime/barrier.h"
#include "runtime/wait.h"
#include "test_runtime_sanitizer.h"

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A hang (a lost wake-up, a barrier that never opens) kills this test's
 * process with SIGALRM, which Criterion reports as a crash, instead of
 * stalling the suite. Each test runs in its own process. (Not Criterion's
 * .timeout: with tests running in parallel it leaks in the runner, which
 * fails the AddressSanitizer build.) Generous, for sanitizer builds. */
static void watchdog(void) { alarm(120); }

static realm_runtime *make(realm_executor ex, int n_threads, int spin_us) {
    realm_runtime_params p = realm_runtime_params_default();
    p.executor = ex;
    p.n_threads = n_threads;
    p.spin_us = spin_us;
    realm_runtime *rt = NULL;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    return rt;
}

/* ---- event and barrier ---------------------------------------------------- */

typedef struct barrier_test {
    realm_barrier barrier;
    realm_wait_policy wait;
    const int *thread_group;
    int n_threads, rounds;
    atomic_int *slots; /* [n_threads], written before each barrier */
    atomic_int failures;
} barrier_test;

typedef struct barrier_arg {
    barrier_test *bt;
    int thread;
} barrier_arg;

/* Round r: write r into my slot, barrier, everyone's slot must hold r,
 * barrier (so nobody writes r + 1 while others still check). */
static void *barrier_thread(void *p) {
    barrier_arg *a = p;
    barrier_test *bt = a->bt;
    const int g = bt->thread_group[a->thread];
    for (int r = 1; r <= bt->rounds; r++) {
        atomic_store_explicit(&bt->slots[a->thread], r, memory_order_relaxed);
        realm_barrier_wait(&bt->barrier, g, &bt->wait);
        for (int t = 0; t < bt->n_threads; t++)
            if (atomic_load_explicit(&bt->slots[t], memory_order_relaxed) != r)
                atomic_fetch_add(&bt->failures, 1);
        realm_barrier_wait(&bt->barrier, g, &bt->wait);
    }
    return NULL;
}

static void run_barrier(const int *sizes, int n_groups, int64_t spin_ns, int rounds) {
    watchdog();
    realm_sched_group groups[8];
    int thread_group[64], n = 0;
    for (int g = 0; g < n_groups; g++) {
        groups[g] = (realm_sched_group){.thread0 = n, .n_threads = sizes[g], .node = g};
        for (int i = 0; i < sizes[g]; i++)
            thread_group[n++] = g;
    }
    realm_sched_layout l = {
        .n_threads = n, .n_groups = n_groups, .groups = groups, .thread_group = thread_group};
    barrier_test bt = {.wait = {.spin_ns = spin_ns, .yield = n > 2},
                       .thread_group = thread_group,
                       .n_threads = n,
                       .rounds = rounds};
    bt.slots = calloc((size_t)n, sizeof *bt.slots);
    atomic_init(&bt.failures, 0);
    cr_assert_eq(realm_barrier_init(&bt.barrier, &l), REALM_OK);
    pthread_t tid[64];
    barrier_arg args[64];
    for (int t = 0; t < n; t++) {
        args[t] = (barrier_arg){&bt, t};
        cr_assert_eq(pthread_create(&tid[t], NULL, barrier_thread, &args[t]), 0);
    }
    for (int t = 0; t < n; t++)
        pthread_join(tid[t], NULL);
    cr_assert_eq(atomic_load(&bt.failures), 0, "a thread passed the barrier before all had arrived");
    realm_barrier_destroy(&bt.barrier);
    free(bt.slots);
}

Test(runtime_barrier, one_group_spinning) { run_barrier((const int[]){2}, 1, 100000, 2000); }
Test(runtime_barrier, two_groups_spinning) { run_barrier((const int[]){2, 3}, 2, 100000, 1000); }
Test(runtime_barrier, eight_groups_sleeping) {
    run_barrier((const int[]){1, 2, 1, 3, 1, 1, 2, 1}, 8, 0, 200);
}
Test(runtime_barrier, one_thread) { run_barrier((const int[]){1}, 1, 0, 10); }

typedef struct event_test {
    realm_event ev;
    realm_wait_policy wait;
    int payload; /* plain: ordered by the event */
} event_test;

static void *event_waiter(void *p) {
    event_test *e = p;
    realm_event_wait(&e->ev, 0, &e->wait);
    cr_expect_eq(e->payload, 42, "write before the signal not visible after the wait");
    return NULL;
}

/* The sleeping path: the waiter is in the futex when the signal comes. */
Test(runtime_event, wakes_a_sleeping_waiter) {
    watchdog();
    event_test e = {.wait = {.spin_ns = 0}};
    realm_event_init(&e.ev);
    pthread_t tid;
    cr_assert_eq(pthread_create(&tid, NULL, event_waiter, &e), 0);
    usleep(20000);
    e.payload = 42;
    realm_event_signal(&e.ev);
    pthread_join(tid, NULL);
    cr_assert_eq(realm_event_load(&e.ev), 1);
}

/* ---- the pool's lifecycle ----------------------------------------------------- */

static int count_tasks(void) {
    DIR *d = opendir("/proc/self/task");
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void count_rows(void *ctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    atomic_int *hits = ctx;
    for (int64_t r = r0; r < r1; r++)
        atomic_fetch_add_explicit(&hits[r], 1, memory_order_relaxed);
}

static void expect_once(atomic_int *hits, int64_t n) {
    for (int64_t r = 0; r < n; r++) {
        cr_assert_eq(atomic_load(&hits[r]), 1, "row %lld computed %d times", (long long)r,
                     atomic_load(&hits[r]));
        atomic_store(&hits[r], 0);
    }
}

Test(runtime_pool, create_destroy_1000_cycles_leaks_nothing) {
    watchdog();
    const int tasks = count_tasks();
    atomic_int hits[64] = {0};
    /* Warm up hwloc's and libc's one-time allocations before measuring;
     * libc's thread bookkeeping still moves by a few hundred bytes now and
     * then, so the bound is 16 bytes per cycle: any per-runtime leak (a
     * thread table, a topology copy) is far bigger. The sanitizer build
     * (REALM_SANITIZE) checks for leaks exactly. */
    for (int i = 0; i < 100; i++)
        realm_runtime_destroy(make(REALM_EXECUTOR_POOL, 1 + i % 4, i % 2 ? 0 : 50));
    const size_t heap0 = mallinfo2().uordblks;
    for (int i = 0; i < 1000; i++) {
        realm_runtime *rt = make(REALM_EXECUTOR_POOL, 1 + i % 4, i % 2 ? 0 : 50);
        if (i % 10 == 0) {
            cr_assert_eq(realm_runtime_parallel_rows(rt, 64, 1, count_rows, hits), REALM_OK);
            expect_once(hits, 64);
        }
        realm_runtime_destroy(rt);
    }
    const size_t heap1 = mallinfo2().uordblks;
    cr_assert_eq(count_tasks(), tasks, "threads left behind: %d before, %d after", tasks, count_tasks());
    cr_assert_leq(heap1, heap0 + 16 * 1000, "heap grew by %zu bytes over 1000 cycles", heap1 - heap0);
}

static void nothing(void *ctx, int thread, int n_threads) { (void)ctx, (void)thread, (void)n_threads; }

Test(runtime_pool, destroy_while_workers_sleep_returns) {
    watchdog();
    realm_runtime *rt = make(REALM_EXECUTOR_POOL, 4, 10);
    cr_assert_eq(realm_runtime_parallel_threads(rt, nothing, NULL), REALM_OK);
    usleep(50000); /* far past the 10 us spin: every worker sleeps in the kernel */
    const double t0 = now_s();
    realm_runtime_destroy(rt);
    cr_assert_lt(now_s() - t0, 1.0, "destroy took %.3f s", now_s() - t0);
}

Test(runtime_pool, destroy_right_after_create_returns) {
    watchdog();
    for (int i = 0; i < 50; i++)
        realm_runtime_destroy(make(REALM_EXECUTOR_POOL, 3, i % 2 ? 1000 : 0));
}

/* Workers that have spun their budget out sleep: an idle pool costs no CPU. */
Test(runtime_pool, idle_pool_does_not_burn_cpu) {
    realm_runtime *rt = make(REALM_EXECUTOR_POOL, 2, 100);
    cr_assert_eq(realm_runtime_parallel_threads(rt, nothing, NULL), REALM_OK);
    usleep(10000);
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    usleep(200000);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    const double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9;
    cr_assert_lt(cpu, 0.02, "idle pool used %.3f s of CPU in 0.2 s", cpu);
    realm_runtime_destroy(rt);
}

/* ---- callers ------------------------------------------------------------------- */

typedef struct caller_arg {
    realm_runtime *rt;
    atomic_int *hits; /* [n_rows] */
    int64_t n_rows;
    int calls;
} caller_arg;

static void *caller(void *p) {
    caller_arg *a = p;
    for (int i = 0; i < a->calls; i++)
        cr_assert_eq(realm_runtime_parallel_rows(a->rt, a->n_rows, 3, count_rows, a->hits), REALM_OK);
    return NULL;
}

Test(runtime_pool, callers_in_turn_and_concurrently) {
    watchdog();
    realm_runtime *rt = make(REALM_EXECUTOR_POOL, 3, 20);
    enum { N = 300, CALLS = 50 };
    atomic_int *hits = calloc(N, sizeof *hits);
    caller_arg a = {rt, hits, N, CALLS};
    for (int k = 0; k < 4; k++) { /* in turn: each caller thread joins before the next starts */
        pthread_t tid;
        cr_assert_eq(pthread_create(&tid, NULL, caller, &a), 0);
        pthread_join(tid, NULL);
        for (int64_t r = 0; r < N; r++)
            cr_assert_eq(atomic_load(&hits[r]), (k + 1) * CALLS);
    }
    pthread_t tid[3]; /* at once: calls take turns on the runtime */
    for (int k = 0; k < 3; k++)
        cr_assert_eq(pthread_create(&tid[k], NULL, caller, &a), 0);
    for (int k = 0; k < 3; k++)
        pthread_join(tid[k], NULL);
    for (int64_t r = 0; r < N; r++)
        cr_assert_eq(atomic_load(&hits[r]), 7 * CALLS);
    free(hits);
    realm_runtime_destroy(rt);
}

typedef struct nested_arg {
    realm_runtime *rt;
    atomic_int errors;
} nested_arg;

static void nested(void *ctx, int thread, int n_threads) {
    (void)thread, (void)n_threads;
    nested_arg *a = ctx;
    if (realm_runtime_parallel_threads(a->rt, nothing, NULL) == REALM_ERR_STATE)
        atomic_fetch_add(&a->errors, 1);
}

Test(runtime_pool, nested_call_is_an_error_not_a_deadlock) {
    watchdog();
    for (int ex = 0; ex < REALM_EXECUTOR_COUNT; ex++) {
        realm_runtime *rt = make((realm_executor)ex, ex == REALM_EXECUTOR_SERIAL ? 1 : 2, 20);
        nested_arg a = {.rt = rt};
        atomic_init(&a.errors, 0);
        cr_assert_eq(realm_runtime_parallel_threads(rt, nested, &a), REALM_OK);
        cr_assert_eq(atomic_load(&a.errors), realm_runtime_n_threads(rt), "%s", realm_executor_name(ex));
        realm_runtime_destroy(rt);
    }
}

/* ---- pinning ------------------------------------------------------------------- */

typedef struct where_arg {
    atomic_int cpu[64];
} where_arg;

static void record_cpu(void *ctx, int thread, int n_threads) {
    (void)n_threads;
    where_arg *w = ctx;
    atomic_store(&w->cpu[thread], sched_getcpu());
}

/* Each bound thread runs on the PU realm_runtime_thread_info() names. */
Test(runtime_pool, pinning_is_applied) {
    for (int ex = REALM_EXECUTOR_POOL; ex <= REALM_EXECUTOR_OPENMP; ex++) {
        realm_runtime *rt = make((realm_executor)ex, 0, 20);
        where_arg w;
        for (int r = 0; r < 3; r++) {
            cr_assert_eq(realm_runtime_parallel_threads(rt, record_cpu, &w), REALM_OK);
            for (int t = 1; t < realm_runtime_n_threads(rt); t++) {
                realm_thread_info info;
                cr_assert_eq(realm_runtime_thread_info(rt, t, &info), REALM_OK);
                cr_assert(info.bound, "%s thread %d not bound", realm_executor_name(ex), t);
                cr_assert_eq(atomic_load(&w.cpu[t]), info.pu, "%s thread %d runs on CPU %d, bound to %d",
                             realm_executor_name(ex), t, atomic_load(&w.cpu[t]), info.pu);
            }
        }
        realm_thread_info info0;
        cr_assert_eq(realm_runtime_thread_info(rt, 0, &info0), REALM_OK);
        cr_assert(!info0.bound, "the caller is never bound");
        realm_runtime_destroy(rt);
    }
}

/* REALM_RUNTIME_PIN_CALLER binds the creating thread to thread 0's PU while
 * the runtime lives (with pinned workers only) and gives its mask back. */
Test(runtime_pool, pin_caller_binds_and_restores) {
    cpu_set_t before, during, after;
    cr_assert_eq(sched_getaffinity(0, sizeof before, &before), 0);
    for (int ex = REALM_EXECUTOR_POOL; ex <= REALM_EXECUTOR_OPENMP; ex++) {
        realm_runtime_params p = realm_runtime_params_default();
        p.executor = (realm_executor)ex;
        p.flags = REALM_RUNTIME_PIN_CALLER;
        realm_runtime *rt = NULL;
        cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
        realm_thread_info info0, info1 = {0};
        cr_assert_eq(realm_runtime_thread_info(rt, 0, &info0), REALM_OK);
        const bool workers_pinned = realm_runtime_n_threads(rt) > 1 &&
                                    realm_runtime_thread_info(rt, 1, &info1) == REALM_OK && info1.bound;
        const bool expect = workers_pinned && ex == REALM_EXECUTOR_POOL;
        cr_assert_eq(info0.bound, expect, "%s: caller bound %d, expected %d", realm_executor_name(ex),
                     info0.bound, expect);
        cr_assert_eq(sched_getaffinity(0, sizeof during, &during), 0);
        if (expect) {
            cr_assert_eq(CPU_COUNT(&during), 1);
            cr_assert(CPU_ISSET(info0.pu, &during), "caller not on PU %d", info0.pu);
            where_arg w;
            cr_assert_eq(realm_runtime_parallel_threads(rt, record_cpu, &w), REALM_OK);
            cr_assert_eq(atomic_load(&w.cpu[0]), info0.pu);
            cr_assert_neq(info0.pu, info1.pu, "the caller shares a PU with worker 1");
        } else {
            cr_assert(CPU_EQUAL(&during, &before), "%s: the caller's mask changed", realm_executor_name(ex));
        }
        realm_runtime_destroy(rt);
        cr_assert_eq(sched_getaffinity(0, sizeof after, &after), 0);
        cr_assert(CPU_EQUAL(&after, &before), "%s: the caller's mask is not restored",
                  realm_executor_name(ex));
    }
}
