/* `realm bench overhead`: empty parallel region round trip per executor
 * (bench/overhead.c), as a table, CSV or JSON lines. */
#include <stdio.h>

#include "args.h"
#include "diag.h"
#include "json.h"
#include "overhead.h"

enum { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };
static const char *const format_names[] = {"table", "csv", "json", NULL};
/* The executors in enum order, then "both" for pool and OpenMP side by side. */
static const char *const executor_names[] = {"pool", "openmp", "serial", "both", NULL};
#define EXECUTOR_BOTH REALM_EXECUTOR_COUNT

static void print_result(const bench_overhead_result *r, int format, bool first) {
    const char *ex = realm_executor_name(r->executor);
    if (format == FORMAT_JSON) {
        printf("{\"bench\":\"overhead\",\"executor\":");
        tool_json_string(stdout, ex);
        printf(",\"threads\":%d,\"median_us\":%.4f,\"p10_us\":%.4f,\"p90_us\":%.4f,\"min_us\":%.4f,\"reps\":%"
               "d}\n",
               r->threads, r->median_us, r->p10_us, r->p90_us, r->min_us, r->reps);
    } else if (format == FORMAT_CSV) {
        if (first) printf("bench,executor,threads,median_us,p10_us,p90_us,min_us,reps\n");
        printf("overhead,%s,%d,%.4f,%.4f,%.4f,%.4f,%d\n", ex, r->threads, r->median_us, r->p10_us, r->p90_us,
               r->min_us, r->reps);
    } else {
        if (first)
            printf("%-8s %7s %10s %8s %8s %8s %8s\n", "executor", "threads", "median_us", "p10_us", "p90_us",
                   "min_us", "reps");
        printf("%-8s %7d %10.3f %8.3f %8.3f %8.3f %8d\n", ex, r->threads, r->median_us, r->p10_us, r->p90_us,
               r->min_us, r->reps);
    }
}

int bench_overhead_cmd(int argc, char **argv) {
    int64_t threads = 0, reps = 20000;
    int executor = EXECUTOR_BOTH, format = FORMAT_TABLE;
    tool_opt opts[] = {
        {.name = "threads",
         .kind = TOOL_OPT_INT,
         .value = &threads,
         .metavar = "T",
         .min = 0,
         .max = REALM_RUNTIME_MAX_THREADS,
         .help = "threads, the caller included; 0 = one per core (default)"},
        {.name = "executor",
         .kind = TOOL_OPT_CHOICE,
         .value = &executor,
         .metavar = "EX",
         .choices = executor_names,
         .help = "pool, openmp, serial, or both (pool and openmp; default)"},
        {.name = "reps",
         .kind = TOOL_OPT_INT,
         .value = &reps,
         .metavar = "N",
         .min = 100,
         .max = 10000000,
         .help = "regions timed, each on its own (default 20000)"},
        {.name = "format",
         .kind = TOOL_OPT_CHOICE,
         .value = &format,
         .metavar = "FMT",
         .choices = format_names,
         .help = "table (default), csv, or json (one object per line)"},
    };
    tool_cli cli = {"bench overhead",
                    "Time the round trip of an empty parallel region: waking the threads and the\n"
                    "barrier that ends it. Median, 10th and 90th percentile and minimum over N\n"
                    "regions timed one by one, after a warm-up.",
                    opts, sizeof opts / sizeof opts[0]};
    int rc;
    if (!tool_args_parse(&cli, argc, argv, &rc)) return rc;
    const realm_executor both[] = {REALM_EXECUTOR_POOL, REALM_EXECUTOR_OPENMP};
    const realm_executor one[] = {(realm_executor)executor};
    const realm_executor *list = executor == EXECUTOR_BOTH ? both : one;
    const int n = executor == EXECUTOR_BOTH ? 2 : 1;
    for (int i = 0; i < n; i++) {
        bench_overhead_result r;
        realm_status s = bench_overhead(list[i], (int)threads, (int)reps, &r);
        if (s != REALM_OK) {
            tool_error_status(cli.command, s, realm_executor_name(list[i]));
            return TOOL_EXIT_FAILURE;
        }
        print_result(&r, format, i == 0);
    }
    return tool_finish_stdout(cli.command);
}
