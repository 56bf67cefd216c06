/* `realm generate`: tokenize a prompt, prefill it as one batch, then sample
 * and stream tokens one at a time through the KV cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "diag.h"
#include "model_session.h"
#include "timer.h"

#define CMD "generate"

static bool dump_logits(const char *path, const float *logits, int64_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    /* little-endian float32 on the x86 hosts realm targets */
    const bool ok = fwrite(logits, sizeof(float), (size_t)n, f) == (size_t)n;
    return fclose(f) == 0 && ok;
}

/* Writes the text of token id (byte-fallback pieces may be partial UTF-8;
 * the terminal joins them). */
static void put_piece(const realm_tokenizer *t, int32_t id) {
    char buf[256];
    size_t len = 0;
    if (realm_token_piece(t, id, buf, sizeof buf, &len) == REALM_OK) fwrite(buf, 1, len, stdout);
    fflush(stdout);
}

int tool_cmd_generate(int argc, char **argv) {
    const char *model = NULL, *prompt = "Once upon a time", *logits_path = NULL, *trace = NULL;
    int64_t n_predict = 32, threads = 0, top_k = 40, seed = 42, n_ctx = 0, last_n = 64;
    double temp = 0.8, top_p = 0.95, min_p = 0.05, repeat = 1.0;
    int executor = 0;
    realm_backend backend = REALM_BACKEND_OPTIMIZED;
    bool no_bos = false, profile = false, no_mmap = false, no_repack = false;
    tool_opt opts[] = {
        {.name = "model",
         .short_name = 'm',
         .kind = TOOL_OPT_STRING,
         .value = &model,
         .metavar = "FILE",
         .help = "llama GGUF file (default: a random tiny model made on the fly)"},
        {.name = "prompt",
         .short_name = 'p',
         .kind = TOOL_OPT_STRING,
         .value = &prompt,
         .metavar = "TEXT",
         .help = "prompt text (default \"Once upon a time\")"},
        {.name = "n-predict",
         .short_name = 'n',
         .kind = TOOL_OPT_INT,
         .value = &n_predict,
         .metavar = "N",
         .min = 0,
         .max = 1 << 24,
         .help = "tokens to generate (default 32); stops early at end-of-text"},
        {.name = "threads",
         .short_name = 't',
         .kind = TOOL_OPT_INT,
         .value = &threads,
         .metavar = "T",
         .min = 0,
         .max = 4096,
         .help = "threads (default 0: one per core)"},
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
        {.name = "backend",
         .kind = TOOL_OPT_BACKEND,
         .value = &backend,
         .metavar = "B",
         .help = "optimized (default) or naive"},
        {.name = "temp",
         .kind = TOOL_OPT_FLOAT,
         .value = &temp,
         .metavar = "X",
         .help = "temperature (default 0.8; 0 = greedy)"},
        {.name = "top-k",
         .kind = TOOL_OPT_INT,
         .value = &top_k,
         .metavar = "K",
         .min = 0,
         .max = INT32_MAX,
         .help = "keep the K most likely tokens (default 40; 0 = off)"},
        {.name = "top-p",
         .kind = TOOL_OPT_FLOAT,
         .value = &top_p,
         .metavar = "P",
         .help = "nucleus: smallest set with probability >= P (default 0.95; 1 = off)"},
        {.name = "min-p",
         .kind = TOOL_OPT_FLOAT,
         .value = &min_p,
         .metavar = "P",
         .help = "drop tokens below P x the top probability (default 0.05; 0 = off)"},
        {.name = "repeat-penalty",
         .kind = TOOL_OPT_FLOAT,
         .value = &repeat,
         .metavar = "X",
         .help = "penalty on recently seen tokens (default 1 = off)"},
        {.name = "repeat-last-n",
         .kind = TOOL_OPT_INT,
         .value = &last_n,
         .metavar = "N",
         .min = 0,
         .max = INT32_MAX,
         .help = "tokens the penalty looks back on (default 64)"},
        {.name = "seed",
         .short_name = 's',
         .kind = TOOL_OPT_INT,
         .value = &seed,
         .metavar = "S",
         .min = 0,
         .max = INT64_MAX,
         .help = "sampling seed (default 42)"},
        {.name = "ctx",
         .short_name = 'c',
         .kind = TOOL_OPT_INT,
         .value = &n_ctx,
         .metavar = "N",
         .min = 0,
         .max = 1 << 24,
         .help = "context size (default: the model's); generation stops when it is full"},
        {.name = "dump-logits",
         .kind = TOOL_OPT_STRING,
         .value = &logits_path,
         .metavar = "PATH",
         .help = "write the f32 logits at the last prompt position (little-endian, one per vocab entry)"},
        {.name = "no-bos",
         .kind = TOOL_OPT_FLAG,
         .value = &no_bos,
         .help = "do not put BOS before the prompt"},
        {.name = "profile",
         .kind = TOOL_OPT_FLAG,
         .value = &profile,
         .help = "print per-node times of the graph on stderr at the end"},
        {.name = "trace",
         .kind = TOOL_OPT_STRING,
         .value = &trace,
         .metavar = "PATH",
         .help = "write a Chrome trace (Perfetto) of the last decode step"},
    };
    tool_cli cli = {CMD,
                    "Generate text with a llama GGUF model: the prompt is prefilled as one batch, then\n"
                    "tokens are sampled one at a time and streamed to stdout. Timings go to stderr.\n\n"
                    "example: realm generate -m model.gguf -p \"The capital of France is\" -n 16 --temp 0",
                    opts, sizeof opts / sizeof opts[0]};
    int code;
    if (!tool_args_parse(&cli, argc, argv, &code)) return code;
    tool_session_opts so = {.model_path = model,
                            .threads = (int)threads,
                            .executor = executor,
                            .backend = backend,
                            .n_ctx = n_ctx,
                            .graph_flags = (profile || trace) ? REALM_GRAPH_PROFILE : 0,
                            .no_mmap = no_mmap,
                            .no_repack = no_repack};
    tool_session s;
    if (!tool_session_open(CMD, &so, &s)) return TOOL_EXIT_FAILURE;
    int rc = TOOL_EXIT_FAILURE;
    int32_t *ids = NULL;
    realm_sampler *smp = NULL;
    realm_sampler_params sp = realm_sampler_params_default();
    sp.temperature = (float)temp;
    sp.top_k = (int32_t)top_k;
    sp.top_p = (float)top_p;
    sp.min_p = (float)min_p;
    sp.repeat_penalty = (float)repeat;
    sp.repeat_last_n = (int32_t)last_n;
    sp.seed = (uint64_t)seed;
    realm_status st = realm_sampler_create(&sp, (int32_t)s.hp.n_vocab, &smp);
    if (st != REALM_OK) {
        tool_error_status(CMD, st, "sampler");
        goto done;
    }
    const bool bos = !no_bos && realm_tokenizer_add_bos(s.tok);
    int64_t n = 0;
    st = realm_tokenize(s.tok, prompt, strlen(prompt), bos, NULL, 0, &n);
    if (st == REALM_ERR_SHAPE) {
        ids = malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
        st = ids ? realm_tokenize(s.tok, prompt, strlen(prompt), bos, ids, n, &n) : REALM_ERR_OUT_OF_MEMORY;
    }
    if (st == REALM_OK && n == 0) {
        tool_error(CMD, "the prompt is empty and there is no BOS token: nothing to start from");
        goto done;
    }
    if (st != REALM_OK) {
        tool_error_status(CMD, st, "tokenize");
        goto done;
    }
    for (int64_t i = bos ? 1 : 0; i < n; i++) /* the prompt counts for the repetition penalty */
        realm_sampler_accept(smp, ids[i]);
    const float *logits;
    double t0 = tool_now();
    st = realm_context_eval(s.ctx, ids, n, &logits);
    const double t_prefill = tool_now() - t0;
    if (st != REALM_OK) {
        tool_error_status(CMD, st, "prompt");
        goto done;
    }
    if (logits_path && !dump_logits(logits_path, logits, s.hp.n_vocab)) {
        tool_error(CMD, "cannot write logits to '%s'", logits_path);
        goto done;
    }
    fwrite(prompt, 1, strlen(prompt), stdout);
    fflush(stdout);
    int64_t made = 0;
    const char *stop = "n-predict reached";
    t0 = tool_now();
    while (made < n_predict) {
        int32_t tok;
        if ((st = realm_sampler_sample(smp, logits, &tok)) != REALM_OK) {
            tool_error_status(CMD, st, "sample");
            goto done;
        }
        if (tok == realm_tokenizer_eos(s.tok)) {
            stop = "end of text";
            break;
        }
        put_piece(s.tok, tok);
        realm_sampler_accept(smp, tok);
        made++;
        if (made == n_predict) break;
        if (realm_context_pos(s.ctx) >= realm_context_n_ctx(s.ctx)) {
            stop = "context full";
            break;
        }
        if ((st = realm_context_eval(s.ctx, &tok, 1, &logits)) != REALM_OK) {
            tool_error_status(CMD, st, "decode");
            goto done;
        }
    }
    const double t_decode = tool_now() - t0;
    printf("\n");
    fprintf(stderr,
            "realm generate: prompt %lld tokens in %.3f s (%.1f t/s); %lld tokens generated in %.3f s "
            "(%.1f t/s); stopped: %s; context %lld/%lld\n",
            (long long)n, t_prefill, n / t_prefill, (long long)made, t_decode,
            made > 1 ? (made - 1) / t_decode : 0.0, stop, (long long)realm_context_pos(s.ctx),
            (long long)realm_context_n_ctx(s.ctx));
    if (profile) realm_plan_print_profile(realm_context_plan(s.ctx), stderr);
    if (trace && (st = realm_plan_write_trace(realm_context_plan(s.ctx), trace)) != REALM_OK) {
        tool_error_status(CMD, st, trace);
        goto done;
    }
    rc = tool_finish_stdout(CMD);
done:
    free(ids);
    realm_sampler_destroy(smp);
    tool_session_close(&s);
    return rc;
}
