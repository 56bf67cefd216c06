/* `realm bench model`: prefill and decode tokens/s of a llama model (as
 * llama-bench's pp/tg: pp = one batch of P prompt tokens from an empty cache,
 * tg = N single-token steps from an empty cache), optionally against the
 * decode bound of the machine's read bandwidth measured in the same run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bench.h"
#include "commands.h"
#include "diag.h"
#include "model_session.h"
#include "timer.h"

#define CMD "bench model"

int bench_model_cmd(int argc, char **argv);

/* Bytes a decode step reads: every weight but the embedding table, of which
 * one row is read (the output projection reads it whole when tied). */
static double step_bytes(const realm_model *m, const realm_model_hparams *h) {
    const realm_gguf *g = realm_model_gguf(m);
    double b = (double)realm_model_weight_bytes(m);
    realm_gguf_tensor t;
    if (!h->tied_output &&
        realm_gguf_tensor_info(g, realm_gguf_find_tensor(g, "token_embd.weight"), &t) == REALM_OK)
        b -= (double)t.bytes;
    return b;
}

static int parse_threads(const char *s, int *out, int cap) {
    int n = 0;
    for (char *end; *s && n < cap; s = *end == ',' ? end + 1 : end) {
        long v = strtol(s, &end, 10);
        if (end == s || v < 0 || v > 4096) return -1;
        out[n++] = (int)v;
        if (*end != ',' && *end) return -1;
    }
    return n;
}

static double timed_eval(realm_context *c, const int32_t *ids, int64_t n, bool one_by_one) {
    realm_context_set_pos(c, 0);
    const double t0 = tool_now();
    if (one_by_one) {
        for (int64_t i = 0; i < n; i++)
            if (realm_context_eval(c, ids + i, 1, NULL) != REALM_OK) return -1;
    } else if (realm_context_eval(c, ids, n, NULL) != REALM_OK) {
        return -1;
    }
    return tool_now() - t0;
}

int bench_model_cmd(int argc, char **argv) {
    const char *model = NULL, *threads_s = "0";
    int64_t pp = 512, tg = 128, reps = 3;
    int format = 0, executor = 0;
    bool bandwidth = false, no_mmap = false, no_repack = false;
    static const char *const formats[] = {"table", "csv", "json", NULL};
    tool_opt opts[] = {
        {.name = "model",
         .short_name = 'm',
         .kind = TOOL_OPT_STRING,
         .value = &model,
         .metavar = "FILE",
         .help = "llama GGUF (default: a random tiny model made on the fly)"},
        {.name = "prompt",
         .short_name = 'p',
         .kind = TOOL_OPT_INT,
         .value = &pp,
         .metavar = "P",
         .min = 1,
         .max = 1 << 20,
         .help = "prefill tokens, one batch (default 512)"},
        {.name = "n-gen",
         .short_name = 'n',
         .kind = TOOL_OPT_INT,
         .value = &tg,
         .metavar = "N",
         .min = 1,
         .max = 1 << 20,
         .help = "decode steps (default 128)"},
        {.name = "threads",
         .short_name = 't',
         .kind = TOOL_OPT_STRING,
         .value = &threads_s,
         .metavar = "T[,T]",
         .help = "thread counts (default 0: one per core)"},
        {.name = "no-mmap",
         .kind = TOOL_OPT_FLAG,
         .value = &no_mmap,
         .help = "read the weights into huge-page memory (default: used in place in the mapped file)"},
        {.name = "no-repack",
         .kind = TOOL_OPT_FLAG,
         .value = &no_repack,
         .help = "keep every weight in GGUF layout (default: matmul weights in the layout this CPU's\n"
                 "decode kernels prefer, realm_model_params.repack)"},
        {.name = "executor",
         .kind = TOOL_OPT_CHOICE,
         .value = &executor,
         .metavar = "E",
         .choices = tool_executor_names,
         .help = "pool (default), openmp or serial"},
        {.name = "reps",
         .kind = TOOL_OPT_INT,
         .value = &reps,
         .metavar = "R",
         .min = 1,
         .max = 1000,
         .help = "repetitions; the median is reported (default 3)"},
        {.name = "bandwidth",
         .kind = TOOL_OPT_FLAG,
         .value = &bandwidth,
         .help = "also measure read bandwidth and the decode bound it sets (weight bytes per token / GB/s)"},
        {.name = "format",
         .kind = TOOL_OPT_CHOICE,
         .value = &format,
         .metavar = "F",
         .choices = formats,
         .help = "table (default), csv or json (one object per line)"},
    };
    tool_cli cli = {
        CMD,
        "Prefill (pp) and decode (tg) tokens per second of a llama model.\n\n"
        "example: realm bench model -m tinyllama-q4_K_M.gguf -p 512 -n 128 --threads 1,2 --bandwidth",
        opts, sizeof opts / sizeof opts[0]};
    int code;
    if (!tool_args_parse(&cli, argc, argv, &code)) return code;
    int threads[16];
    const int nt = parse_threads(threads_s, threads, 16);
    if (nt < 1) {
        tool_error(CMD, "--threads: expected counts like 1,2 (got '%s')", threads_s);
        return TOOL_EXIT_USAGE;
    }
    if (format == 1) printf("bench,pp,tg,threads,pp_tps,tg_tps,weight_bytes,bw_gbps,tg_bound_tps\n");
    if (format == 0)
        printf("%-8s %6s %6s %10s %10s %10s %12s\n", "threads", "pp", "tg", "pp t/s", "tg t/s", "bw GB/s",
               "tg bound t/s");
    for (int j = 0; j < nt; j++) {
        tool_session_opts so = {.model_path = model,
                                .threads = threads[j],
                                .executor = executor,
                                .backend = REALM_BACKEND_OPTIMIZED,
                                .n_ctx = pp > tg ? pp : tg,
                                .n_batch = pp,
                                .no_mmap = no_mmap,
                                .no_repack = no_repack};
        /* The read probe runs just before the session and just after it (the
         * mean is the bound's bandwidth): not during it, because the session
         * binds this thread (REALM_RUNTIME_PIN_CALLER) and an OpenMP team
         * started meanwhile would inherit that one CPU. */
        bench_bandwidth_result bw0 = {0}, bw1 = {0};
        if (bandwidth && threads[j] > 0) /* 0: the count the runtime picks, known once it runs */
            (void)bench_bandwidth(threads[j], (size_t)1 << 30, 3, &bw0);
        tool_session s;
        if (!tool_session_open(CMD, &so, &s)) return TOOL_EXIT_FAILURE;
        const int64_t n = pp > tg ? pp : tg;
        int32_t *ids = malloc(sizeof(int32_t) * (size_t)n);
        double *tp = malloc(sizeof(double) * (size_t)reps), *tt = malloc(sizeof(double) * (size_t)reps);
        if (!ids || !tp || !tt) {
            tool_error(CMD, "out of memory");
            return TOOL_EXIT_FAILURE;
        }
        for (int64_t i = 0; i < n; i++) /* fixed pseudo-random ids past the specials */
            ids[i] = (int32_t)(3 + (i * 7919 + 17) % (s.hp.n_vocab - 3));
        bool ok = timed_eval(s.ctx, ids, pp < 16 ? pp : 16, false) >= 0; /* warm-up */
        for (int r = 0; r < reps && ok; r++) {
            tp[r] = timed_eval(s.ctx, ids, pp, false);
            tt[r] = timed_eval(s.ctx, ids, tg, true);
            ok = tp[r] >= 0 && tt[r] >= 0;
        }
        if (!ok) {
            tool_error_status(CMD, REALM_ERR_STATE, "eval");
            return TOOL_EXIT_FAILURE;
        }
        const int threads_used = realm_runtime_n_threads(s.rt);
        const double pp_tps = (double)pp / bench_median(tp, (int)reps),
                     tg_tps = (double)tg / bench_median(tt, (int)reps);
        const double wb = step_bytes(s.model, &s.hp);
        free(ids);
        free(tp);
        free(tt);
        tool_session_close(&s);
        double bw = 0, bound = 0;
        if (bandwidth && bench_bandwidth(threads_used, (size_t)1 << 30, 3, &bw1) == 0) {
            bw = bw0.gbps > 0 ? (bw0.gbps + bw1.gbps) / 2 : bw1.gbps;
            bound = bw * 1e9 / wb;
        }
        if (format == 2)
            printf(
                "{\"bench\":\"model\",\"pp\":%lld,\"tg\":%lld,\"threads\":%d,\"pp_tps\":%.3f,\"tg_tps\":%.3f,"
                "\"weight_bytes\":%.0f,\"bw_gbps\":%.3f,\"tg_bound_tps\":%.3f}\n",
                (long long)pp, (long long)tg, threads_used, pp_tps, tg_tps, wb, bw, bound);
        else if (format == 1)
            printf("model,%lld,%lld,%d,%.3f,%.3f,%.0f,%.3f,%.3f\n", (long long)pp, (long long)tg,
                   threads_used, pp_tps, tg_tps, wb, bw, bound);
        else
            printf("%-8d %6lld %6lld %10.1f %10.1f %10.1f %12.1f\n", threads_used, (long long)pp,
                   (long long)tg, pp_tps, tg_tps, bw, bound);
        fflush(stdout);
    }
    return tool_finish_stdout(CMD);
}
