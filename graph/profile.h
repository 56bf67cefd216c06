/* Internal: per-node profiling of a plan compiled with REALM_GRAPH_PROFILE
 * (profile.c), and its Chrome trace (trace.c).
 *
 * A profiled run records, per node, its wall interval and, per runtime
 * thread, the first start, last end and summed duration of the chunks that
 * thread ran inside the node (the parallel callbacks are wrapped by
 * graph_parallel_rows() and, for matmuls, graph_profile_timer()). Each thread writes only
 * its own slot; the caller reads them after the region's barrier. A run's
 * numbers are added to the totals only when the run succeeds. */
#ifndef REALM_GRAPH_PROFILE_H
#define REALM_GRAPH_PROFILE_H

#include <stdint.h>

#include "realm/graph.h"

/* One thread's work inside one node of the last run (ns, monotonic). */
typedef struct graph_prof_slot {
    int64_t t0, t1; /* first chunk start, last chunk end; t0 = 0: no work */
    int64_t busy;   /* summed chunk durations */
} graph_prof_slot;

/* One node: the last run and the totals since the last reset. */
typedef struct graph_prof_node {
    int64_t start, end;         /* last run, ns */
    int64_t rows, flops, bytes; /* last run */
    int64_t sum_ns, sum_flops, sum_bytes;
} graph_prof_node;

typedef struct graph_profile {
    int n_threads, n_nodes;
    int cur;                /* node running now, -1 outside a node */
    int64_t runs;           /* successful runs since the last reset */
    int64_t run_start;      /* ns, start of the current / last run */
    bool last_ok;           /* the last run succeeded: the slots are whole */
    graph_prof_node *nodes; /* [n_nodes] */
    graph_prof_slot *slots; /* [n_nodes][n_threads], last run */
    int64_t *busy_sum;      /* [n_nodes][n_threads], ns since the last reset */
} graph_profile;

/* Monotonic clock in ns. */
int64_t graph_now_ns(void);

/* Allocates p->prof for a compiled plan (compile.c); frees it. */
realm_status graph_profile_create(realm_plan *p);
void graph_profile_destroy(graph_profile *prof);

/* Hooks of realm_plan_run() (run.c), called only when p->prof is set. */
void graph_profile_run_begin(realm_plan *p);
void graph_profile_node_begin(realm_plan *p, int step);
void graph_profile_node_end(realm_plan *p, int step);
void graph_profile_run_end(realm_plan *p);

/* realm_runtime_parallel_rows() on the plan's runtime; with profiling, the
 * callback is timed per thread for the current node. */
realm_status graph_parallel_rows(realm_plan *p, int64_t n_rows, int64_t grain, realm_rows_fn fn, void *ctx);

/* A realm_mm_timer_fn (runtime/matmul_ex.h): ctx is the plan's profile. */
void graph_profile_timer(void *prof, int thread, int64_t t0_ns, int64_t t1_ns);

/* REALM_ERR_STATE with a message naming fn when plan has no profile. */
realm_status graph_profile_check(const realm_plan *plan, const char *fn);

#endif
