/* Internal: one parallel call as the executors see it, and the code every
 * executor runs per thread and step. An executor only decides which OS
 * thread runs which (step, thread) pair and where the barriers go. */
#ifndef REALM_RUNTIME_REGION_H
#define REALM_RUNTIME_REGION_H

#include "realm/runtime.h"
#include "runtime/sched.h"

typedef struct realm_region {
    const realm_runtime *rt;          /* for nested-call detection */
    const realm_parallel_step *steps; /* [n_steps] */
    int n_steps;
    void *ctx;
    const realm_sched_layout *layout;
    realm_sched_split splits[REALM_RUNTIME_MAX_STEPS]; /* rows steps only */
    realm_sched_counter *counters;                     /* [n_steps][layout->n_threads] */
} realm_region;

/* Runs step s of the region as thread `thread`: its threads_fn once, or
 * its rows_fn on every chunk this thread claims. */
void realm_region_run_step(const realm_region *r, int s, int thread);

/* The runtime whose step the calling thread is running, or NULL. */
const realm_runtime *realm_region_current(void);

#endif
