/* Internal: the runtime handle, shared by the runtime's files. */
#ifndef REALM_RUNTIME_IMPL_H
#define REALM_RUNTIME_IMPL_H

#include <pthread.h>
#include <sched.h>

#include "realm/runtime.h"
#include "runtime/exec.h"
#include "runtime/placement.h"
#include "runtime/sched.h"
#include "runtime/topology.h"
#include "runtime/wait.h"

struct realm_runtime {
    realm_executor executor;
    realm_numa_policy numa;
    int spin_us;
    realm_topo topo;
    realm_placement place;         /* threads -> cores, groups */
    realm_sched_layout layout;     /* borrows place's arrays */
    realm_sched_counter *counters; /* [REALM_RUNTIME_MAX_STEPS][n_threads] */
    realm_wait_policy wait;
    bool pinned;           /* threads 1..n-1 are bound to their PUs */
    bool *bound;           /* [n_threads]: binding applied (and kept) */
    bool caller_pinned;    /* REALM_RUNTIME_PIN_CALLER applied to caller */
    pthread_t caller;      /* the creating thread */
    cpu_set_t caller_mask; /* its CPU mask before */
    uint64_t id;           /* unique per runtime in the process */
    const realm_exec_ops *exec;
    void *exec_state;
    pthread_mutex_t lock;         /* one parallel call at a time */
    pthread_mutex_t scratch_lock; /* held while a call uses scratch */
    void *scratch;                /* grow-only, realm_runtime_scratch_acquire() */
    size_t scratch_bytes;
    realm_topology_info info;
    char description[320];
};

/* A buffer of at least `bytes`, 64-byte aligned, owned by rt and reused
 * from call to call (an 8 MB malloc per matmul cost its page faults each
 * time on the dev VM), held until realm_runtime_scratch_release(): calls
 * that need it take turns. NULL when out of memory (nothing held). */
void *realm_runtime_scratch_acquire(realm_runtime *rt, size_t bytes);
void realm_runtime_scratch_release(realm_runtime *rt);

/* Checks n_rows >= 0, grain >= 1 and that n_rows + grain does not
 * overflow; messages name fn (parallel.c). */
realm_status realm_runtime_check_rows(const char *fn, int64_t n_rows, int64_t grain);

/* Binds the whole pages of rows [r0, r1) of a matrix at base to dense NUMA
 * node `node` of t, migrating pages already touched (numa.c). */
realm_status realm_numa_bind_rows(const realm_topo *t, void *base, size_t row_bytes, int64_t r0, int64_t r1,
                                  int node);

/* Writes rt->description (runtime_query.c). */
void realm_runtime_write_description(realm_runtime *rt, const char *override);

#endif
