/* `realm bench overhead`: the cost of one parallel region with no work,
 * i.e. waking the threads and the barrier that ends the region, per
 * executor. This is the floor under every parallel op, so it bounds how
 * small an op can be and still gain from threads. */
#ifndef REALM_BENCH_OVERHEAD_H
#define REALM_BENCH_OVERHEAD_H

#include "realm/runtime.h"

typedef struct bench_overhead_result {
    realm_executor executor;
    int threads; /* threads the runtime ran (the default when 0 was asked) */
    int reps;
    double median_us, p10_us, p90_us, min_us; /* per region */
} bench_overhead_result;

/* Creates a runtime (default parameters, the given executor and thread
 * count, 0 = one per core), warms it up, then times `reps` empty regions
 * one by one (realm_runtime_parallel_threads with a function that returns).
 * Returns REALM_OK or the runtime's error (message in realm_last_error()). */
realm_status bench_overhead(realm_executor executor, int threads, int reps, bench_overhead_result *out);

/* The subcommand: realm bench overhead --threads T --executor pool|openmp|serial|both
 * [--reps N] [--format table|csv|json]; argv[0] is "overhead". Returns the
 * exit code (tools/diag.h). */
int bench_overhead_cmd(int argc, char **argv);

#endif
