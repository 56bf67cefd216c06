/* The OpenMP executor: the same steps and row partition inside
 * `#pragma omp parallel num_threads(n)`, for programs that already run
 * OpenMP (one set of threads instead of two competing ones).
 *
 * The cpuset and pinning are honoured, not left to OMP_PROC_BIND: team
 * member t > 0 binds itself to thread t's PU with hwloc inside the region,
 * once (OpenMP keeps its team threads, so the binding stays). Member 0 is
 * the caller, which realm never binds. Should OpenMP give a smaller team
 * than asked (thread limit, nested region), each member runs several
 * thread indexes in turn: every row is still computed exactly once. */
#include <omp.h>
#include <string.h>

#include "core/error.h"
#include "runtime/runtime_impl.h"

/* OpenMP orders the caller's writes before the region, each step's writes
 * before the next step, and the region's writes before the caller goes on.
 * ThreadSanitizer cannot see that order inside an uninstrumented libgomp,
 * so every thread also adds to this counter (release) at those points and
 * reads it (acquire) after them. The functions with a parallel region are
 * left uninstrumented (THREADS_OUTLINED): the compiler copies the captured
 * variables into a block that the team reads on entry, before any code of
 * ours can run; the work itself (realm_region_run_step and the kernels)
 * stays instrumented, and publish/observe stay out of line so their
 * atomics are seen. The counter is shared by all runtimes: a per-runtime
 * one would be reached through a captured pointer. */
static atomic_uint omp_sync;

#define THREADS_OUTLINED __attribute__((no_sanitize_thread))

__attribute__((noinline)) static void publish(void) {
    atomic_fetch_add_explicit(&omp_sync, 1, memory_order_release);
}
__attribute__((noinline)) static void observe(void) {
    (void)atomic_load_explicit(&omp_sync, memory_order_acquire);
}

/* Which runtime and thread index this OpenMP thread is bound for. */
static _Thread_local uint64_t bound_for_rt;
static _Thread_local int bound_as;

static int bind_member(const realm_runtime *rt, int t) {
    if (!rt->pinned || t == 0 || (bound_for_rt == rt->id && bound_as == t)) return 0;
    const int err = realm_topo_bind_self(&rt->topo, rt->place.slots[t].pu);
    if (err == 0) {
        bound_for_rt = rt->id;
        bound_as = t;
    }
    return err;
}

THREADS_OUTLINED static void omp_run(realm_runtime *rt, const realm_region *r) {
    const int n = rt->place.n_threads;
    if (n == 1) { /* a team of one is the caller: skip the region's ~1 us */
        for (int s = 0; s < r->n_steps; s++)
            realm_region_run_step(r, s, 0);
        return;
    }
    publish();
#pragma omp parallel num_threads(n)
    {
        observe();
        const int t = omp_get_thread_num(), team = omp_get_num_threads();
        /* The PUs were checked at create; a later failure (a new team
         * thread refused by the OS) only costs locality, not results. */
        (void)bind_member(rt, t);
        for (int s = 0; s < r->n_steps; s++) {
            if (s > 0) {
                publish();
#pragma omp barrier
                observe();
            }
            for (int th = t; th < n; th += team)
                realm_region_run_step(r, s, th);
        }
        publish();
    }
    observe();
}

/* Binds the team once now, so that a PU the OS refuses is an error of
 * realm_runtime_create(), as with the pool. */
THREADS_OUTLINED static realm_status bind_team(realm_runtime *rt) {
    atomic_int failed = 0, failed_err = 0; /* first thread that could not bind, and why */
    publish();
#pragma omp parallel num_threads(rt->place.n_threads)
    {
        observe();
        const int t = omp_get_thread_num();
        const int err = bind_member(rt, t);
        int none = 0;
        if (err != 0 && atomic_compare_exchange_strong(&failed, &none, t)) atomic_store(&failed_err, err);
        rt->bound[t] = t > 0 && err == 0;
        publish();
    }
    observe();
    const int t = atomic_load(&failed);
    if (t != 0)
        return realm_error(REALM_ERR_UNSUPPORTED,
                           "realm_runtime_create: cannot bind OpenMP thread %d to CPU %d: %s", t,
                           rt->place.slots[t].pu, strerror(atomic_load(&failed_err)));
    return REALM_OK;
}

/* Nothing to start: OpenMP owns the threads. */
static realm_status omp_start(realm_runtime *rt) {
    rt->exec_state = NULL;
    return rt->pinned ? bind_team(rt) : REALM_OK;
}

static void omp_stop(realm_runtime *rt) { (void)rt; }

const realm_exec_ops realm_exec_openmp = {.start = omp_start, .stop = omp_stop, .run = omp_run};
