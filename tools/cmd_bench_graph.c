/* `realm bench graph`: per-node overhead of a plan run (bench/graph.c), for
 * one or more thread counts, as a table, CSV or JSON lines. */
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "bench_graph.h"
#include "diag.h"
#include "json.h"

enum { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };
static const char *const format_names[] = {"table", "csv", "json", NULL};
static const char *const executor_names[] = {"pool", "openmp", "serial", NULL};
enum { MAX_THREAD_LIST = 64 };

/* "1,2" -> thread counts in [0, REALM_RUNTIME_MAX_THREADS]; false (with an
 * error line) on anything else. */
static bool parse_threads(const char *cmd, const char *s, int *v, int *n) {
    *n = 0;
    while (*s) {
        char *end;
        const long x = strtol(s, &end, 10);
        if (end == s || (*end && *end != ',') || x < 0 || x > REALM_RUNTIME_MAX_THREADS ||
            *n == MAX_THREAD_LIST) {
            tool_error(cmd, "--threads: expected a comma-separated list of integers in [0, %d]",
                       REALM_RUNTIME_MAX_THREADS);
            return false;
        }
        v[(*n)++] = (int)x;
        s = *end ? end + 1 : end;
    }
    if (*n == 0) tool_error(cmd, "--threads: empty list");
    return *n > 0;
}

static void print_result(const bench_graph_result *r, int format, bool first) {
    const char *ex = realm_executor_name(r->executor);
    if (format == FORMAT_JSON) {
        printf("{\"bench\":\"graph\",\"nodes\":%d,\"threads\":%d,\"executor\":", r->nodes, r->threads);
        tool_json_string(stdout, ex);
        printf(",\"per_node_us\":%.4f,\"median_run_us\":%.3f,\"p10_run_us\":%.3f,\"p90_run_us\":%.3f,"
               "\"min_run_us\":%.3f,\"reps\":%d,\"profiled\":%s}\n",
               r->per_node_us, r->median_us, r->p10_us, r->p90_us, r->min_us, r->reps,
               r->profiled ? "true" : "false");
    } else if (format == FORMAT_CSV) {
        if (first)
            printf("bench,nodes,threads,executor,per_node_us,median_run_us,p10_run_us,p90_run_us,reps\n");
        printf("graph,%d,%d,%s,%.4f,%.3f,%.3f,%.3f,%d\n", r->nodes, r->threads, ex, r->per_node_us,
               r->median_us, r->p10_us, r->p90_us, r->reps);
    } else {
        if (first)
            printf("%6s %7s %-8s %11s %13s %10s %10s %7s\n", "nodes", "threads", "executor", "per_node_us",
                   "median_run_us", "p10_us", "p90_us", "reps");
        printf("%6d %7d %-8s %11.3f %13.2f %10.2f %10.2f %7d\n", r->nodes, r->threads, ex, r->per_node_us,
               r->median_us, r->p10_us, r->p90_us, r->reps);
    }
}

int bench_graph_cmd(int argc, char **argv) {
    int64_t nodes = 100, reps = 2000;
    const char *threads_s = "1", *trace = NULL;
    int executor = REALM_EXECUTOR_POOL, format = FORMAT_TABLE;
    tool_opt opts[] = {
        {.name = "nodes",
         .kind = TOOL_OPT_INT,
         .value = &nodes,
         .metavar = "N",
         .min = 1,
         .max = 100000,
         .help = "ops in the chain (default 100)"},
        {.name = "threads",
         .kind = TOOL_OPT_STRING,
         .value = &threads_s,
         .metavar = "T[,T...]",
         .help = "threads, a comma-separated list, the caller included; 0 = one per core (default 1)"},
        {.name = "reps",
         .kind = TOOL_OPT_INT,
         .value = &reps,
         .metavar = "R",
         .min = 1,
         .max = 10000000,
         .help = "runs of the plan timed, each on its own (default 2000)"},
        {.name = "executor",
         .kind = TOOL_OPT_CHOICE,
         .value = &executor,
         .metavar = "EX",
         .choices = executor_names,
         .help = "pool (default), openmp or serial (serial needs 1 thread)"},
        {.name = "format",
         .kind = TOOL_OPT_CHOICE,
         .value = &format,
         .metavar = "FMT",
         .choices = format_names,
         .help = "table (default), csv, or json (one object per line)"},
        {.name = "trace",
         .kind = TOOL_OPT_STRING,
         .value = &trace,
         .metavar = "PATH",
         .help =
             "profile the plan (REALM_GRAPH_PROFILE): table on stderr, Chrome trace of the last run to PATH"},
    };
    tool_cli cli = {.command = "bench graph",
                    .description =
                        "Per-node overhead of running a plan: a chain of N tiny ops (add and scale on a\n"
                        "16-element vector) compiled once and run R times, each run timed alone after a\n"
                        "warm-up. per_node_us is the median run time divided by N. With --trace the plan\n"
                        "is profiled: the per-node table goes to stderr and the last run's Chrome trace\n"
                        "(open it in https://ui.perfetto.dev) to PATH.",
                    .opts = opts,
                    .n_opts = sizeof opts / sizeof opts[0]};
    int rc;
    if (!tool_args_parse(&cli, argc, argv, &rc)) return rc;
    int list[MAX_THREAD_LIST], n = 0;
    if (!parse_threads(cli.command, threads_s, list, &n)) return TOOL_EXIT_USAGE;
    if (trace && n > 1) {
        tool_error(cli.command, "--trace takes one thread count, not %d", n);
        return TOOL_EXIT_USAGE;
    }
    if (trace && !*trace) {
        tool_error(cli.command, "--trace: empty path");
        return TOOL_EXIT_USAGE;
    }
    for (int i = 0; i < n; i++) {
        bench_graph_result r;
        const bench_graph_params bp = {.nodes = (int)nodes,
                                       .threads = list[i],
                                       .executor = (realm_executor)executor,
                                       .reps = (int)reps,
                                       .trace_path = trace,
                                       .profile_out = stderr};
        const realm_status s = bench_graph(&bp, &r);
        if (s != REALM_OK) {
            char what[64];
            snprintf(what, sizeof what, "%d threads", list[i]);
            tool_error_status(cli.command, s, what);
            return TOOL_EXIT_FAILURE;
        }
        print_result(&r, format, i == 0);
        if (n > 1) fprintf(stderr, "bench: %d/%d done\n", i + 1, n);
    }
    return tool_finish_stdout(cli.command);
}
