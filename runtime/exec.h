/* Internal: the executor interface. One file per executor implements it
 * (pool.c, exec_openmp.c, exec_serial.c); nothing else in the runtime
 * knows which one runs. */
#ifndef REALM_RUNTIME_EXEC_H
#define REALM_RUNTIME_EXEC_H

#include "realm/runtime.h"
#include "runtime/region.h"

typedef struct realm_exec_ops {
    /* Starts the executor's threads for rt (rt->exec_state is its own).
     * On error everything it started is stopped again. */
    realm_status (*start)(realm_runtime *rt);
    /* Stops and joins them; only while no region runs. */
    void (*stop)(realm_runtime *rt);
    /* Runs every step of r on threads 0..n_threads-1 with a barrier between
     * steps; the calling thread is thread 0; returns when all are done. */
    void (*run)(realm_runtime *rt, const realm_region *r);
} realm_exec_ops;

extern const realm_exec_ops realm_exec_pool;
extern const realm_exec_ops realm_exec_openmp;
extern const realm_exec_ops realm_exec_serial;

#endif
