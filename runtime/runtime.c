/* Runtime lifecycle: parameters, create (topology -> placement -> executor),
 * destroy. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "runtime/runtime_impl.h"

static const realm_exec_ops *const executors[REALM_EXECUTOR_COUNT] = {
    [REALM_EXECUTOR_POOL] = &realm_exec_pool,
    [REALM_EXECUTOR_OPENMP] = &realm_exec_openmp,
    [REALM_EXECUTOR_SERIAL] = &realm_exec_serial,
};

realm_runtime_params realm_runtime_params_default(void) {
    return (realm_runtime_params){
        .n_threads = 0,
        .executor = REALM_EXECUTOR_POOL,
        .numa = REALM_NUMA_DISTRIBUTE,
        .pin = true,
        .cpuset = NULL,
        .topology_xml = NULL,
        .topology_synthetic = NULL,
        .spin_us = 100,
        .flags = 0,
    };
}

static realm_status check_params(const realm_runtime_params *p) {
    static const char fn[] = "realm_runtime_create";
    if (p->n_threads < 0)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: n_threads = %d is negative", fn, p->n_threads);
    if (p->n_threads > REALM_RUNTIME_MAX_THREADS)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: n_threads = %d is above the maximum %d", fn,
                           p->n_threads, REALM_RUNTIME_MAX_THREADS);
    if ((unsigned)p->executor >= REALM_EXECUTOR_COUNT)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: unknown executor %d (pool, openmp, serial)", fn,
                           (int)p->executor);
    if ((unsigned)p->numa >= REALM_NUMA_COUNT)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: unknown numa policy %d (none, distribute, isolate)",
                           fn, (int)p->numa);
    if (p->executor == REALM_EXECUTOR_SERIAL && p->n_threads > 1)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: the serial executor runs one thread, n_threads = %d",
                           fn, p->n_threads);
    if (p->spin_us < 0 || p->spin_us > REALM_RUNTIME_MAX_SPIN_US)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: spin_us = %d is outside [0, %d]", fn, p->spin_us,
                           REALM_RUNTIME_MAX_SPIN_US);
    if (p->flags & ~REALM_RUNTIME_PIN_CALLER)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: flags = 0x%x has unknown bits", fn,
                           (unsigned)p->flags);
    if (p->topology_xml && p->topology_synthetic)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: topology_xml and topology_synthetic are both set", fn);
    return REALM_OK;
}

/* Threads outnumber the CPUs they can run on: then waiting threads yield
 * instead of pausing. Pinned threads run on their PUs; unpinned ones
 * (including every thread of a topology override, which runs on this
 * machine whatever it plans for) on the process's CPUs. */
static bool oversubscribed(const realm_runtime *rt) {
    const int n = rt->place.n_threads;
    if (rt->pinned) return n > rt->place.n_pus_used;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return false;
    return n > CPU_COUNT(&set);
}

static realm_status plan(realm_runtime *rt, const realm_runtime_params *p) {
    realm_status s = realm_topo_load(&rt->topo, p->topology_xml, p->topology_synthetic);
    if (s == REALM_OK) s = realm_topo_select(&rt->topo, p->cpuset);
    if (s != REALM_OK) return s;
    const int home = p->numa == REALM_NUMA_ISOLATE ? realm_topo_home_node(&rt->topo) : 0;
    const int n = p->executor == REALM_EXECUTOR_SERIAL ? 1 : p->n_threads;
    s = realm_place_threads(rt->topo.cores, rt->topo.n_cores, rt->topo.n_nodes, n, p->numa, home, &rt->place);
    if (s != REALM_OK) return s;
    rt->layout = realm_placement_layout(&rt->place);
    const size_t n_counters = (size_t)REALM_RUNTIME_MAX_STEPS * (size_t)rt->layout.n_threads;
    rt->counters = aligned_alloc(64, n_counters * sizeof *rt->counters);
    rt->bound = calloc((size_t)rt->place.n_threads, sizeof *rt->bound);
    if (!rt->counters || !rt->bound)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    for (size_t i = 0; i < n_counters; i++)
        atomic_init(&rt->counters[i].range, 0);
    rt->pinned = p->pin && rt->topo.this_system && rt->place.n_threads > 1;
    rt->wait = (realm_wait_policy){.spin_ns = (int64_t)p->spin_us * 1000, .yield = oversubscribed(rt)};
    realm_topo_counts(&rt->topo, &rt->info);
    rt->info.usable_cores = rt->topo.n_cores;
    rt->info.default_threads = rt->place.default_threads;
    return REALM_OK;
}

/* Frees what create made, the executor excepted. */
static void free_runtime(realm_runtime *rt) {
    free(rt->bound);
    free(rt->counters);
    realm_placement_free(&rt->place);
    realm_topo_free(&rt->topo);
    pthread_mutex_destroy(&rt->lock);
    pthread_mutex_destroy(&rt->scratch_lock);
    free(rt->scratch);
    free(rt);
}

void *realm_runtime_scratch_acquire(realm_runtime *rt, size_t bytes) {
    pthread_mutex_lock(&rt->scratch_lock);
    if (bytes > rt->scratch_bytes) {
        free(rt->scratch);
        rt->scratch_bytes = (bytes + 63) & ~(size_t)63;
        rt->scratch = aligned_alloc(64, rt->scratch_bytes);
        if (!rt->scratch) rt->scratch_bytes = 0;
    }
    if (!rt->scratch) pthread_mutex_unlock(&rt->scratch_lock);
    return rt->scratch;
}

void realm_runtime_scratch_release(realm_runtime *rt) { pthread_mutex_unlock(&rt->scratch_lock); }

/* REALM_RUNTIME_PIN_CALLER: thread 0's PU for the creating thread, when the
 * other threads are pinned (a no-op otherwise). */
static realm_status pin_caller(realm_runtime *rt) {
    if (!rt->pinned || rt->executor != REALM_EXECUTOR_POOL) return REALM_OK;
    rt->caller = pthread_self();
    if (sched_getaffinity(0, sizeof rt->caller_mask, &rt->caller_mask) != 0)
        return realm_error(REALM_ERR_UNSUPPORTED,
                           "realm_runtime_create: cannot read the caller's CPU mask: %s", strerror(errno));
    const int err = realm_topo_bind_self(&rt->topo, rt->place.slots[0].pu);
    if (err != 0)
        return realm_error(REALM_ERR_UNSUPPORTED,
                           "realm_runtime_create: cannot bind the caller to CPU %d: %s",
                           rt->place.slots[0].pu, strerror(err));
    rt->caller_pinned = rt->bound[0] = true;
    return REALM_OK;
}

realm_status realm_runtime_create(const realm_runtime_params *params, realm_runtime **out) {
    if (!out) return realm_error(REALM_ERR_INVALID_ARG, "realm_runtime_create: out is NULL");
    *out = NULL;
    if (!params) return realm_error(REALM_ERR_INVALID_ARG, "realm_runtime_create: params is NULL");
    realm_status s = check_params(params);
    if (s != REALM_OK) return s;
    realm_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    if (pthread_mutex_init(&rt->lock, NULL) != 0) {
        free(rt);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: cannot create a mutex");
    }
    if (pthread_mutex_init(&rt->scratch_lock, NULL) != 0) {
        pthread_mutex_destroy(&rt->lock);
        free(rt);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: cannot create a mutex");
    }
    static atomic_uint_fast64_t ids; /* only hands out unique ids */
    rt->id = atomic_fetch_add(&ids, 1) + 1;
    rt->executor = params->executor;
    rt->numa = params->numa;
    rt->spin_us = params->spin_us;
    rt->exec = executors[params->executor];
    s = plan(rt, params);
    if (s == REALM_OK) s = rt->exec->start(rt);
    if (s != REALM_OK) {
        free_runtime(rt);
        return s;
    }
    if ((params->flags & REALM_RUNTIME_PIN_CALLER) && (s = pin_caller(rt)) != REALM_OK) {
        rt->exec->stop(rt);
        free_runtime(rt);
        return s;
    }
    realm_runtime_write_description(rt, params->topology_xml         ? params->topology_xml
                                        : params->topology_synthetic ? params->topology_synthetic
                                                                     : NULL);
    *out = rt;
    return REALM_OK;
}

void realm_runtime_destroy(realm_runtime *rt) {
    if (!rt) return;
    if (rt->caller_pinned && pthread_equal(pthread_self(), rt->caller))
        (void)sched_setaffinity(0, sizeof rt->caller_mask, &rt->caller_mask);
    rt->exec->stop(rt);
    free_runtime(rt);
}
