/* The pool executor: persistent pthreads, created once per runtime, each
 * bound to its PU, woken per parallel region by advancing a sequence number
 * (spin, then futex sleep; see wait.h), and a two-level barrier between
 * steps and at the end. The calling thread is thread 0, so a region costs
 * one signal and one barrier, and no thread is ever created per op. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "runtime/barrier.h"
#include "runtime/runtime_impl.h"

typedef struct pool_worker {
    realm_runtime *rt;
    int thread;
    int bind_err; /* errno of the binding, written before the worker reports ready */
    pthread_t tid;
} pool_worker;

typedef struct realm_pool {
    realm_event start; /* advanced once per region, and once to stop */
    realm_event ready; /* advanced by each worker when it has started */
    _Alignas(64) atomic_int n_ready;
    realm_barrier barrier;
    /* Written by thread 0 before it signals start, read by workers after
     * they see the signal: ordered by the event, no atomics needed. */
    const realm_region *job;
    bool stop;
    int n_started;        /* workers 1..n_started exist */
    pool_worker *workers; /* [n_threads]; [0] is the caller and unused */
} realm_pool;

static void run_region(realm_runtime *rt, realm_pool *p, const realm_region *r, int thread) {
    const int g = rt->layout.thread_group[thread];
    for (int s = 0; s < r->n_steps; s++) {
        if (s > 0) realm_barrier_wait(&p->barrier, g, &rt->wait);
        realm_region_run_step(r, s, thread);
    }
    realm_barrier_wait(&p->barrier, g, &rt->wait);
}

static void *worker_main(void *arg) {
    pool_worker *w = arg;
    realm_runtime *rt = w->rt;
    realm_pool *p = rt->exec_state;
    if (rt->pinned) w->bind_err = realm_topo_bind_self(&rt->topo, rt->place.slots[w->thread].pu);
    atomic_fetch_add(&p->n_ready, 1);
    realm_event_signal(&p->ready);
    /* Thread 0 signals again only once every worker has arrived at the
     * region's final barrier: each signal is one region (or the stop), and
     * the sequence number is never more than one ahead of `seen`. */
    for (unsigned seen = 0;; seen++) {
        realm_event_wait(&p->start, seen, &rt->wait);
        if (p->stop) return NULL;
        run_region(rt, p, p->job, w->thread);
    }
}

/* Waits until n workers have reported ready. */
static void wait_ready(realm_runtime *rt, realm_pool *p, int n) {
    for (;;) {
        const unsigned seen = realm_event_load(&p->ready);
        if (atomic_load(&p->n_ready) == n) return;
        realm_event_wait(&p->ready, seen, &rt->wait);
    }
}

static void stop_workers(realm_pool *p) {
    p->stop = true;
    realm_event_signal(&p->start);
    for (int t = 1; t <= p->n_started; t++)
        pthread_join(p->workers[t].tid, NULL);
    p->n_started = 0;
}

static void pool_free(realm_runtime *rt) {
    realm_pool *p = rt->exec_state;
    realm_barrier_destroy(&p->barrier);
    free(p->workers);
    free(p);
    rt->exec_state = NULL;
}

static realm_status start_workers(realm_runtime *rt, realm_pool *p) {
    const int n = rt->place.n_threads;
    for (int t = 1; t < n; t++) {
        pool_worker *w = &p->workers[t];
        *w = (pool_worker){.rt = rt, .thread = t};
        const int err = pthread_create(&w->tid, NULL, worker_main, w);
        if (err != 0)
            return realm_error(REALM_ERR_UNSUPPORTED,
                               "realm_runtime_create: cannot start pool thread %d of %d: %s", t, n,
                               strerror(err));
        p->n_started = t;
        char name[24]; /* "realm-1023": within the 16 bytes Linux allows */
        snprintf(name, sizeof name, "realm-%d", t);
        pthread_setname_np(w->tid, name); /* for top -H and debuggers; failure is harmless */
    }
    wait_ready(rt, p, n - 1);
    for (int t = 1; t < n; t++)
        if (p->workers[t].bind_err != 0)
            return realm_error(REALM_ERR_UNSUPPORTED,
                               "realm_runtime_create: cannot bind pool thread %d to CPU %d: %s", t,
                               rt->place.slots[t].pu, strerror(p->workers[t].bind_err));
    return REALM_OK;
}

static realm_status pool_start(realm_runtime *rt) {
    realm_pool *p = aligned_alloc(64, (sizeof(realm_pool) + 63) / 64 * 64);
    if (!p) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    memset(p, 0, sizeof *p);
    realm_event_init(&p->start);
    realm_event_init(&p->ready);
    atomic_init(&p->n_ready, 0);
    rt->exec_state = p;
    p->workers = calloc((size_t)rt->place.n_threads, sizeof *p->workers);
    realm_status s = p->workers ? realm_barrier_init(&p->barrier, &rt->layout)
                                : realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    if (s == REALM_OK) s = start_workers(rt, p);
    if (s != REALM_OK) {
        stop_workers(p);
        pool_free(rt);
        return s;
    }
    for (int t = 1; t < rt->place.n_threads; t++)
        rt->bound[t] = rt->pinned;
    return REALM_OK;
}

static void pool_stop(realm_runtime *rt) {
    stop_workers(rt->exec_state);
    pool_free(rt);
}

static void pool_run(realm_runtime *rt, const realm_region *r) {
    realm_pool *p = rt->exec_state;
    p->job = r;
    if (rt->place.n_threads > 1) realm_event_signal(&p->start);
    run_region(rt, p, r, 0);
}

const realm_exec_ops realm_exec_pool = {.start = pool_start, .stop = pool_stop, .run = pool_run};
