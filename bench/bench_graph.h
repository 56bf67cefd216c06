/* `realm bench graph`: the per-node overhead of running a plan, measured on
 * a chain of tiny ops (a 16-element vector, alternately added to the input
 * and scaled) so that the kernels cost next to nothing and what remains is
 * the executor: node dispatch, the runtime's wake-up and barrier per node. */
#ifndef REALM_BENCH_GRAPH_H
#define REALM_BENCH_GRAPH_H

#include <stdio.h>

#include "realm/runtime.h"

typedef struct bench_graph_result {
    int nodes;   /* ops in the chain */
    int threads; /* threads the runtime ran */
    int reps;    /* runs timed */
    realm_executor executor;
    double median_us, p10_us, p90_us, min_us; /* per run of the whole plan */
    double per_node_us;                       /* median_us / nodes */
    bool profiled;                            /* compiled with REALM_GRAPH_PROFILE */
} bench_graph_result;

/* What to run: the chain's length, the runtime, the repetitions; with a
 * trace path, the plan is compiled with REALM_GRAPH_PROFILE (its times
 * include the profiling), its profile table goes to `profile_out` and the
 * last run's Chrome trace to `trace_path`. */
typedef struct bench_graph_params {
    int nodes;
    int threads; /* 0 = one per core */
    realm_executor executor;
    int reps;
    const char *trace_path; /* or NULL */
    FILE *profile_out;      /* with trace_path: where the table goes, or NULL */
} bench_graph_params;

/* Builds the chain, compiles it once, warms up, then times `reps` runs one
 * by one. Returns REALM_OK or the library's error (message in
 * realm_last_error()). */
realm_status bench_graph(const bench_graph_params *p, bench_graph_result *out);

/* The subcommand: realm bench graph --nodes N --threads T[,T...] [--reps R]
 * [--executor pool|openmp|serial] [--format table|csv|json] [--trace PATH]; argv[0] is
 * "graph". Returns the exit code (tools/diag.h). */
int bench_graph_cmd(int argc, char **argv);

#endif
