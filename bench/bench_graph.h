/* `realm bench graph`: the per-node overhead of running a plan, measured on
 * a chain of tiny ops (a 16-element vector, alternately added to the input
 * and scaled) so that the kernels cost next to nothing and what remains is
 * the executor: node dispatch, the runtime's wake-up and barrier per node. */
#ifndef REALM_BENCH_GRAPH_H
#define REALM_BENCH_GRAPH_H

#include "realm/runtime.h"

typedef struct bench_graph_result {
    int nodes;   /* ops in the chain */
    int threads; /* threads the runtime ran */
    int reps;    /* runs timed */
    realm_executor executor;
    double median_us, p10_us, p90_us, min_us; /* per run of the whole plan */
    double per_node_us;                       /* median_us / nodes */
} bench_graph_result;

/* Builds the chain of `nodes` ops, compiles it once on a runtime with the
 * given executor and thread count (0 = one per core), warms up, then times
 * `reps` runs one by one. Returns REALM_OK or the library's error (message
 * in realm_last_error()). */
realm_status bench_graph(int nodes, int threads, realm_executor executor, int reps, bench_graph_result *out);

/* The subcommand: realm bench graph --nodes N --threads T[,T...] [--reps R]
 * [--executor pool|openmp|serial] [--format table|csv|json]; argv[0] is
 * "graph". Returns the exit code (tools/diag.h). */
int bench_graph_cmd(int argc, char **argv);

#endif
