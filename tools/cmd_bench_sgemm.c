/* `realm bench sgemm-ref`: OpenBLAS sgemm on the shape of a matmul bench
 * (M = batch, N = weight rows, K), when the tool was built with OpenBLAS. */
#include <inttypes.h>
#include <stdio.h>

#include "args.h"
#include "bench.h"
#include "diag.h"

int bench_sgemm_ref_cmd(int argc, char **argv);

int bench_sgemm_ref_cmd(int argc, char **argv) {
    int64_t m = 512, n = 4096, k = 4096, threads = 1, reps = 5;
    bool json = false;
    tool_opt opts[] = {
        {.name = "batch",
         .kind = TOOL_OPT_INT,
         .value = &m,
         .metavar = "M",
         .min = 1,
         .max = 1 << 20,
         .help = "rows of A (tokens); default 512"},
        {.name = "n",
         .kind = TOOL_OPT_INT,
         .value = &n,
         .metavar = "N",
         .min = 1,
         .max = 1 << 22,
         .help = "rows of B (weight rows); default 4096"},
        {.name = "k",
         .kind = TOOL_OPT_INT,
         .value = &k,
         .metavar = "K",
         .min = 1,
         .max = 1 << 20,
         .help = "inner dimension; default 4096"},
        {.name = "threads",
         .kind = TOOL_OPT_INT,
         .value = &threads,
         .metavar = "T",
         .min = 1,
         .max = 1024,
         .help = "OpenBLAS threads; default 1"},
        {.name = "reps",
         .kind = TOOL_OPT_INT,
         .value = &reps,
         .metavar = "R",
         .min = 1,
         .max = 10000,
         .help = "timed runs; default 5"},
        {.name = "json", .kind = TOOL_OPT_FLAG, .value = &json, .help = "one JSON object instead of a table"},
    };
    tool_cli cli = {"bench sgemm-ref", "OpenBLAS C = A B^T (B as [n][k]) for side-by-side ratios.", opts,
                    sizeof opts / sizeof opts[0]};
    int code;
    if (!tool_args_parse(&cli, argc, argv, &code)) return code;
#ifdef REALM_HAVE_OPENBLAS
    bench_matmul_result r;
    if (bench_sgemm_ref(m, n, k, (int)threads, (int)reps, &r) != 0) {
        tool_error("bench sgemm-ref", "the run failed (out of memory?)");
        return TOOL_EXIT_FAILURE;
    }
    if (json)
        printf("{\"bench\":\"sgemm-ref\",\"batch\":%" PRId64 ",\"n\":%" PRId64 ",\"k\":%" PRId64
               ",\"threads\":%" PRId64 ",\"median_s\":%.9f,\"gflops\":%.3f}\n",
               m, n, k, threads, r.median_s, r.gflops);
    else
        printf("openblas sgemm %" PRId64 "x%" PRId64 "x%" PRId64 " threads %" PRId64
               ": %.6f s, %.1f GFLOP/s\n",
               m, n, k, threads, r.median_s, r.gflops);
    return tool_finish_stdout("bench sgemm-ref");
#else
    tool_error("bench sgemm-ref",
               "this realm was built without OpenBLAS (install libopenblas-dev and rebuild)");
    return TOOL_EXIT_FAILURE;
#endif
}
