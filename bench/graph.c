/* Per-node overhead of a plan run on a chain of tiny ops (bench_graph.h). */
#include "bench_graph.h"

#include <stdlib.h>

#include "bench.h"
#include "realm/graph.h"

enum { VEC = 16, WARMUP_RUNS = 200 };

/* x -> (+x, *0.5, +x, *0.5, ...) `nodes` ops; the last one is the output. */
static realm_status build_chain(realm_graph *g, int nodes, realm_tensor **x) {
    realm_status st = REALM_OK;
    const int64_t dims[1] = {VEC};
    *x = realm_input(g, "x", 1, dims, 0, &st);
    realm_tensor *t = *x;
    for (int i = 0; i < nodes && t; i++)
        t = i % 2 == 0 ? realm_op_add(g, t, *x, &st) : realm_op_scale(g, t, 0.5f, &st);
    return t ? realm_graph_output(g, t) : st;
}

realm_status bench_graph(const bench_graph_params *bp, bench_graph_result *out) {
    if (!bp || bp->nodes < 1 || bp->reps < 1 || !out) return REALM_ERR_INVALID_ARG;
    const int nodes = bp->nodes, reps = bp->reps;
    realm_runtime_params p = realm_runtime_params_default();
    p.executor = bp->executor;
    p.n_threads = bp->threads;
    realm_runtime *rt = NULL;
    realm_graph *g = NULL;
    realm_plan *plan = NULL;
    realm_tensor *x = NULL;
    realm_graph_options o = realm_graph_options_default();
    if (bp->trace_path) o.flags |= REALM_GRAPH_PROFILE;
    double *t = malloc(sizeof *t * (size_t)reps);
    realm_status s = t ? REALM_OK : REALM_ERR_OUT_OF_MEMORY;
    if (s == REALM_OK) s = realm_runtime_create(&p, &rt);
    if (s == REALM_OK) s = realm_graph_create(&g);
    if (s == REALM_OK) s = build_chain(g, nodes, &x);
    if (s == REALM_OK) s = realm_graph_compile(g, rt, &o, &plan);
    float data[VEC];
    for (int i = 0; i < VEC; i++)
        data[i] = (float)i * 0.25f - 1.0f;
    const realm_binding b = {.tensor = x, .data = data, .shape = {.n_dims = 1, .dims = {VEC}}};
    for (int i = 0; i < WARMUP_RUNS && s == REALM_OK; i++)
        s = realm_plan_run(plan, &b, 1);
    if (s == REALM_OK && bp->trace_path) s = realm_plan_profile_reset(plan); /* timed runs only */
    /* Each run timed alone: the median is the typical run, not an average
     * that preemption outliers would pull up. */
    for (int i = 0; i < reps && s == REALM_OK; i++) {
        const double t0 = bench_now();
        s = realm_plan_run(plan, &b, 1);
        t[i] = (bench_now() - t0) * 1e6;
    }
    if (s == REALM_OK && bp->trace_path) {
        if (bp->profile_out) s = realm_plan_print_profile(plan, bp->profile_out);
        if (s == REALM_OK) s = realm_plan_write_trace(plan, bp->trace_path);
    }
    if (s == REALM_OK) {
        out->nodes = nodes;
        out->profiled = bp->trace_path != NULL;
        out->threads = realm_runtime_n_threads(rt);
        out->executor = bp->executor;
        out->reps = reps;
        out->median_us = bench_median(t, reps); /* sorts t */
        out->p10_us = t[reps / 10];
        out->p90_us = t[reps - 1 - reps / 10];
        out->min_us = t[0];
        out->per_node_us = out->median_us / nodes;
    }
    free(t);
    realm_plan_destroy(plan);
    realm_graph_destroy(g);
    realm_runtime_destroy(rt);
    return s;
}
