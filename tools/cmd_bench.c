/* `realm bench <what>`: matmul, bandwidth, peak and (with OpenBLAS)
 * sgemm-ref. Every bench prints table, CSV or JSON lines (one object per
 * result) and reports progress of sweeps on stderr. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bench.h"
#include "bench_graph.h"
#include "commands.h"
#include "diag.h"
#include "overhead.h"
#include "realm/realm.h"

enum { FMT_TABLE, FMT_CSV, FMT_JSON };
static const char *const formats[] = {"table", "csv", "json", NULL};
enum { MAX_LIST = 64 };

/* "1,2,8" -> values; false (with an error line) on anything else. */
static bool parse_list(const char *cmd, const char *flag, const char *s, int64_t lo, int64_t hi, int64_t *v,
                       int *n) {
    *n = 0;
    while (*s) {
        char *end;
        long long x = strtoll(s, &end, 10);
        if (end == s || (*end && *end != ',') || x < lo || x > hi || *n == MAX_LIST) {
            tool_error(cmd, "--%s: expected a comma-separated list of integers in [%" PRId64 ", %" PRId64 "]",
                       flag, lo, hi);
            return false;
        }
        v[(*n)++] = x;
        s = *end ? end + 1 : end;
    }
    if (*n == 0) tool_error(cmd, "--%s: empty list", flag);
    return *n > 0;
}

/* A comma-separated list of type names. */
static bool parse_types(const char *cmd, const char *s, realm_type *v, int *n) {
    *n = 0;
    while (*s) {
        const char *end = strchr(s, ',');
        const size_t len = end ? (size_t)(end - s) : strlen(s);
        char name[16];
        if (len == 0 || len >= sizeof name || *n == MAX_LIST) {
            tool_error(cmd, "--type: expected a comma-separated list of type names");
            return false;
        }
        memcpy(name, s, len);
        name[len] = 0;
        if (realm_type_from_name(name, &v[*n]) != REALM_OK) {
            tool_error(cmd, "--type: unknown type '%s'", name);
            return false;
        }
        (*n)++;
        s = end ? end + 1 : s + len;
    }
    if (*n == 0) tool_error(cmd, "--type: empty list");
    return *n > 0;
}

/* Options every bench takes. */
static tool_opt opt_threads(const char **value) {
    return (tool_opt){.name = "threads",
                      .kind = TOOL_OPT_STRING,
                      .value = value,
                      .metavar = "T[,T...]",
                      .help = "threads, a comma-separated list; default 1"};
}

static tool_opt opt_format(int *value) {
    return (tool_opt){.name = "format",
                      .kind = TOOL_OPT_CHOICE,
                      .value = value,
                      .metavar = "FMT",
                      .choices = formats,
                      .help = "table, csv or json (one object per line); default table"};
}

static void progress(int i, int n) {
    if (n > 1) fprintf(stderr, "bench: %d/%d done\n", i, n);
}

static void print_matmul(int format, realm_type type, int64_t k, int64_t n, int64_t batch, int64_t threads,
                         realm_backend backend, const char *ex, const bench_matmul_result *r) {
    const char *tn = realm_type_name(type), *bn = realm_backend_name(backend);
    if (format == FMT_TABLE)
        printf("%-5s %6" PRId64 " %6" PRId64 " %6" PRId64 " %7" PRId64
               " %-9s %-6s %-5s %-6s %12.6f %9.1f %11.2f %8.2f %8.3f %8.3f\n",
               tn, k, n, batch, threads, bn, ex, r->path, r->layout, r->median_s, r->gflops, r->weight_gbps,
               r->bw_gbps, r->bw_ratio, r->vs_first);
    else if (format == FMT_CSV)
        printf("matmul,%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
               ",%s,%s,%s,%.9f,%.3f,%.3f,%.3f,%.4f,%s,%.4f\n",
               tn, k, n, batch, threads, bn, ex, r->path, r->median_s, r->gflops, r->weight_gbps, r->bw_gbps,
               r->bw_ratio, r->layout, r->vs_first);
    else
        printf("{\"bench\":\"matmul\",\"type\":\"%s\",\"k\":%" PRId64 ",\"n\":%" PRId64 ",\"batch\":%" PRId64
               ",\"threads\":%" PRId64
               ",\"backend\":\"%s\",\"executor\":\"%s\",\"path\":\"%s\",\"median_s\":%.9f,"
               "\"gflops\":%.3f,\"weight_gbps\":%.3f,\"bw_gbps\":%.3f,\"bw_ratio\":%.4f,\"layout\":"
               "\"%s\",\"vs_first\":%.4f}\n",
               tn, k, n, batch, threads, bn, ex, r->path, r->median_s, r->gflops, r->weight_gbps, r->bw_gbps,
               r->bw_ratio, r->layout, r->vs_first);
}

static int bench_matmul_cmd(int argc, char **argv) {
    realm_backend backend = REALM_BACKEND_OPTIMIZED;
    int64_t k = 4096, n = 4096, reps = 5;
    const char *batch_s = "1", *threads_s = "1", *types_s = "q4_K";
    int format = FMT_TABLE, executor = 0, layout = 0;
    bool with_bw = false;
    static const char *const executors[] = {"pool", "openmp", "serial", NULL};
    static const char *const layouts[] = {"auto", "gguf", "rows16", NULL};
    tool_opt opts[] = {
        {.name = "executor",
         .kind = TOOL_OPT_CHOICE,
         .value = &executor,
         .metavar = "pool|openmp|serial",
         .choices = executors,
         .help = "how threads run (serial needs --threads 1); default pool"},
        {.name = "type",
         .kind = TOOL_OPT_STRING,
         .value = &types_s,
         .metavar = "T[,T...]",
         .help = "weight types; several run interleaved, rep by rep, on one runtime, and \"vs first\" is\n"
                 "each one's median per-rep speed relative to the first (same moments of a noisy machine);\n"
                 "default q4_K"},
        {.name = "k",
         .kind = TOOL_OPT_INT,
         .value = &k,
         .metavar = "K",
         .min = 1,
         .max = 1 << 20,
         .help = "row length (inputs); default 4096"},
        {.name = "n",
         .kind = TOOL_OPT_INT,
         .value = &n,
         .metavar = "N",
         .min = 1,
         .max = 1 << 22,
         .help = "weight rows (outputs); default 4096"},
        {.name = "batch",
         .kind = TOOL_OPT_STRING,
         .value = &batch_s,
         .metavar = "B[,B...]",
         .help = "activation rows (tokens); default 1"},
        opt_threads(&threads_s),
        {.name = "backend",
         .kind = TOOL_OPT_BACKEND,
         .value = &backend,
         .metavar = "naive|optimized",
         .help = "default optimized"},
        {.name = "layout",
         .kind = TOOL_OPT_CHOICE,
         .value = &layout,
         .metavar = "auto|gguf|rows16",
         .choices = layouts,
         .help = "weight layout (realm/repack.h); auto: what this CPU's kernels prefer for the type, as\n"
                 "realm_model uses; default auto"},
        {.name = "bandwidth",
         .kind = TOOL_OPT_FLAG,
         .value = &with_bw,
         .help = "also measure read bandwidth (512 MB, same runtime threads) right before each timed run\n"
                 "and report its median and the median of the per-run ratios weight GB/s / bandwidth"},
        {.name = "reps",
         .kind = TOOL_OPT_INT,
         .value = &reps,
         .metavar = "R",
         .min = 1,
         .max = 100000,
         .help = "timed runs after the warm-up (every weight copy read once, at least two runs); the\n"
                 "median is reported; default 5"},
        opt_format(&format),
    };
    tool_cli cli = {"bench matmul", "Times Y = X W^T (activation quantization included).", opts,
                    sizeof opts / sizeof opts[0]};
    int code;
    if (!tool_args_parse(&cli, argc, argv, &code)) return code;
    int64_t batches[MAX_LIST], threads[MAX_LIST];
    realm_type types[MAX_LIST];
    int nb, nt, ny;
    if (!parse_list("bench matmul", "batch", batch_s, 1, 1 << 20, batches, &nb) ||
        !parse_list("bench matmul", "threads", threads_s, 1, 1024, threads, &nt) ||
        !parse_types("bench matmul", types_s, types, &ny))
        return TOOL_EXIT_USAGE;
    for (int t = 0; t < ny; t++) {
        const int64_t blk = realm_type_get_traits(types[t])->block_elems;
        if (k % blk != 0) {
            tool_error("bench matmul", "--k %" PRId64 " is not a multiple of the %s block size %" PRId64, k,
                       realm_type_name(types[t]), blk);
            return TOOL_EXIT_USAGE;
        }
        if (layout == 2 && !realm_layout_supported(types[t], REALM_LAYOUT_ROWS16)) {
            tool_error("bench matmul", "type %s has no rows16 layout", realm_type_name(types[t]));
            return TOOL_EXIT_USAGE;
        }
    }
    if (format == FMT_TABLE)
        printf("%-5s %6s %6s %6s %7s %-9s %-6s %-5s %-6s %12s %9s %11s %8s %8s %8s\n", "type", "k", "n",
               "batch", "threads", "backend", "exec", "path", "layout", "median_s", "GFLOP/s", "weight GB/s",
               "bw GB/s", "bw ratio", "vs first");
    if (format == FMT_CSV)
        printf("bench,type,k,n,batch,threads,backend,executor,path,median_s,gflops,weight_gbps,bw_gbps,bw_"
               "ratio,layout,vs_first\n");
    int done = 0;
    for (int i = 0; i < nb; i++) {
        for (int j = 0; j < nt; j++) {
            bench_matmul_params p = {
                types[0], k,         n,        batches[i], (int)threads[j],
                backend,  (int)reps, executor, layout - 1, with_bw ? (size_t)512 << 20 : 0};
            bench_matmul_result r[MAX_LIST];
            if (bench_matmul_types(&p, types, ny, r) != 0) {
                tool_error("bench matmul", "the run failed (out of memory or an unsupported shape)");
                return TOOL_EXIT_FAILURE;
            }
            for (int t = 0; t < ny; t++)
                print_matmul(format, types[t], k, n, batches[i], threads[j], backend, executors[executor],
                             &r[t]);
            fflush(stdout);
            progress(++done, nb * nt);
        }
    }
    return tool_finish_stdout("bench matmul");
}

static int bench_bandwidth_cmd(int argc, char **argv) {
    int64_t bytes = (int64_t)512 << 20, reps = 5;
    const char *threads_s = "1";
    int format = FMT_TABLE;
    tool_opt opts[] = {
        opt_threads(&threads_s),
        {.name = "bytes",
         .kind = TOOL_OPT_INT,
         .value = &bytes,
         .metavar = "N",
         .min = 1 << 20,
         .max = (int64_t)1 << 40,
         .help = "buffer size; default 512 MiB"},
        {.name = "reps",
         .kind = TOOL_OPT_INT,
         .value = &reps,
         .metavar = "R",
         .min = 1,
         .max = 1000,
         .help = "timed passes; default 5"},
        opt_format(&format),
    };
    tool_cli cli = {"bench bandwidth", "STREAM-style read bandwidth (the batch-1 matmul ceiling).", opts,
                    sizeof opts / sizeof opts[0]};
    int code;
    if (!tool_args_parse(&cli, argc, argv, &code)) return code;
    int64_t threads[MAX_LIST];
    int nt;
    if (!parse_list("bench bandwidth", "threads", threads_s, 1, 1024, threads, &nt)) return TOOL_EXIT_USAGE;
    if (format == FMT_TABLE) printf("%7s %12s %10s %8s\n", "threads", "bytes", "median_s", "GB/s");
    if (format == FMT_CSV) printf("bench,threads,bytes,median_s,gbps\n");
    for (int j = 0; j < nt; j++) {
        bench_bandwidth_result r;
        if (bench_bandwidth((int)threads[j], (size_t)bytes, (int)reps, &r) != 0) {
            tool_error("bench bandwidth", "cannot allocate %" PRId64 " bytes", bytes);
            return TOOL_EXIT_FAILURE;
        }
        if (format == FMT_TABLE)
            printf("%7d %12zu %10.6f %8.2f\n", r.threads, r.bytes, r.median_s, r.gbps);
        else if (format == FMT_CSV)
            printf("bandwidth,%d,%zu,%.9f,%.3f\n", r.threads, r.bytes, r.median_s, r.gbps);
        else
            printf("{\"bench\":\"bandwidth\",\"threads\":%d,\"bytes\":%zu,\"median_s\":%.9f,\"gbps\":%.3f}\n",
                   r.threads, r.bytes, r.median_s, r.gbps);
        progress(j + 1, nt);
    }
    return tool_finish_stdout("bench bandwidth");
}

static int bench_peak_cmd(int argc, char **argv) {
    const char *threads_s = "1";
    int format = FMT_TABLE;
    tool_opt opts[] = {
        opt_threads(&threads_s),
        opt_format(&format),
    };
    tool_cli cli = {"bench peak", "Register-only f32 FMA and int8 dot throughput of this machine.", opts,
                    sizeof opts / sizeof opts[0]};
    int code;
    if (!tool_args_parse(&cli, argc, argv, &code)) return code;
    int64_t threads[MAX_LIST];
    int nt;
    if (!parse_list("bench peak", "threads", threads_s, 1, 1024, threads, &nt)) return TOOL_EXIT_USAGE;
    if (format == FMT_TABLE) printf("%7s %-12s %12s %12s\n", "threads", "isa", "f32 GFLOP/s", "int8 GOP/s");
    if (format == FMT_CSV) printf("bench,threads,isa,f32_gflops,int8_gops\n");
    for (int j = 0; j < nt; j++) {
        bench_peak_result r;
        if (bench_peak((int)threads[j], &r) != 0) {
            tool_error("bench peak", "this CPU has neither AVX-512 VNNI nor AVX2+FMA");
            return TOOL_EXIT_FAILURE;
        }
        if (format == FMT_TABLE)
            printf("%7d %-12s %12.1f %12.1f\n", r.threads, r.isa, r.f32_gflops, r.int8_gops);
        else if (format == FMT_CSV)
            printf("peak,%d,%s,%.3f,%.3f\n", r.threads, r.isa, r.f32_gflops, r.int8_gops);
        else
            printf(
                "{\"bench\":\"peak\",\"threads\":%d,\"isa\":\"%s\",\"f32_gflops\":%.3f,\"int8_gops\":%.3f}\n",
                r.threads, r.isa, r.f32_gflops, r.int8_gops);
        progress(j + 1, nt);
    }
    return tool_finish_stdout("bench peak");
}

typedef struct bench_sub {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} bench_sub;

int bench_sgemm_ref_cmd(int argc, char **argv);
int bench_model_cmd(int argc, char **argv);

static const bench_sub subs[] = {
    {"matmul", "quantized or f32 matmul: GFLOP/s and weight GB/s", bench_matmul_cmd},
    {"bandwidth", "STREAM-style read bandwidth", bench_bandwidth_cmd},
    {"peak", "f32 FMA and int8 dot peak", bench_peak_cmd},
    {"sgemm-ref", "OpenBLAS sgemm on a matmul shape (when built with OpenBLAS)", bench_sgemm_ref_cmd},
    {"overhead", "dispatch + barrier round trip of an empty parallel region", bench_overhead_cmd},
    {"graph", "per-node overhead of a plan run (a chain of tiny ops)", bench_graph_cmd},
    {"model", "prefill and decode tokens/s of a llama model", bench_model_cmd},
};

int tool_cmd_bench(int argc, char **argv) {
    const size_t n = sizeof subs / sizeof subs[0];
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *f = argc < 2 ? stderr : stdout;
        fprintf(f, "usage: realm bench <what> [options]\n\n");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "  %-10s %s\n", subs[i].name, subs[i].summary);
        fprintf(f, "\nRun 'realm bench <what> --help' for its options.\n");
        return argc < 2 ? TOOL_EXIT_USAGE : TOOL_EXIT_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], subs[i].name) == 0) return subs[i].run(argc - 1, argv + 1);
    tool_error("bench", "unknown benchmark '%s' (matmul, bandwidth, peak, sgemm-ref, overhead, graph, model)",
               argv[1]);
    return TOOL_EXIT_USAGE;
}
