/* `realm make-model`: a random-weight llama GGUF of any shape and type. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "diag.h"
#include "model_maker.h"
#include "realm/realm.h"

#define CMD "make-model"

int tool_cmd_make_model(int argc, char **argv) {
    const char *preset = "tiny", *type = "q8_0", *out = NULL, *vocab = NULL;
    int64_t n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, n_ff = 0, n_ctx = 0, n_vocab = 0, seed = 1;
    tool_opt opts[] = {
        {.name = "preset",
         .kind = TOOL_OPT_STRING,
         .value = &preset,
         .metavar = "NAME",
         .help = "tiny (256 wide, 2 layers; default), stories (64 wide, 5 layers), tinyllama (1.1B shape)"},
        {.name = "type",
         .kind = TOOL_OPT_STRING,
         .value = &type,
         .metavar = "T",
         .help = "weight type: any of the 12 types, f16, f32, or q4_K_M / q5_K_M mixes (default q8_0)"},
        {.name = "out",
         .short_name = 'o',
         .kind = TOOL_OPT_STRING,
         .value = &out,
         .metavar = "FILE",
         .required = true,
         .help = "output GGUF file"},
        {.name = "n-embd",
         .kind = TOOL_OPT_INT,
         .value = &n_embd,
         .metavar = "N",
         .min = 1,
         .max = 1 << 16,
         .help = "hidden size (overrides the preset)"},
        {.name = "n-layer",
         .kind = TOOL_OPT_INT,
         .value = &n_layer,
         .metavar = "N",
         .min = 1,
         .max = 1024,
         .help = "blocks"},
        {.name = "n-head",
         .kind = TOOL_OPT_INT,
         .value = &n_head,
         .metavar = "N",
         .min = 1,
         .max = 1024,
         .help = "query heads"},
        {.name = "n-head-kv",
         .kind = TOOL_OPT_INT,
         .value = &n_head_kv,
         .metavar = "N",
         .min = 1,
         .max = 1024,
         .help = "key/value heads (divides n-head)"},
        {.name = "n-ff",
         .kind = TOOL_OPT_INT,
         .value = &n_ff,
         .metavar = "N",
         .min = 1,
         .max = 1 << 20,
         .help = "feed-forward size"},
        {.name = "n-ctx",
         .kind = TOOL_OPT_INT,
         .value = &n_ctx,
         .metavar = "N",
         .min = 1,
         .max = 1 << 24,
         .help = "training context length written to the metadata"},
        {.name = "n-vocab",
         .kind = TOOL_OPT_INT,
         .value = &n_vocab,
         .metavar = "N",
         .min = 300,
         .max = 1 << 20,
         .help = "built-in vocabulary size (ignored with --vocab-from)"},
        {.name = "vocab-from",
         .kind = TOOL_OPT_STRING,
         .value = &vocab,
         .metavar = "GGUF",
         .help = "copy the tokenizer (tokenizer.ggml.*) of this GGUF file"},
        {.name = "seed",
         .kind = TOOL_OPT_INT,
         .value = &seed,
         .metavar = "S",
         .min = 0,
         .max = INT64_MAX,
         .help = "weight seed (default 1)"},
    };
    tool_cli cli = {CMD,
                    "Write a llama GGUF file with random weights (N(0, 1/fan_in), norms 1) of any shape\n"
                    "and type, loadable by realm and llama.cpp. Without --vocab-from, a built-in byte-level\n"
                    "vocabulary is used.\n\n"
                    "example: realm make-model --preset tinyllama --type q4_K_M -o tinyllama-q4_K_M.gguf",
                    opts, sizeof opts / sizeof opts[0]};
    int code;
    if (!tool_args_parse(&cli, argc, argv, &code)) return code;
    tool_model_spec s;
    if (!tool_model_preset(preset, &s)) {
        tool_error(CMD, "--preset: unknown preset '%s' (expected tiny, stories, tinyllama)", preset);
        return TOOL_EXIT_USAGE;
    }
    if (!tool_type_mix_parse(type, &s.mix)) {
        tool_error(CMD, "--type: unknown type '%s'", type);
        return TOOL_EXIT_USAGE;
    }
    if (n_embd) s.n_embd = n_embd;
    if (n_layer) s.n_layer = n_layer;
    if (n_head) s.n_head = n_head;
    if (n_head_kv)
        s.n_head_kv = n_head_kv;
    else if (n_head)
        s.n_head_kv = n_head;
    if (n_ff) s.n_ff = n_ff;
    if (n_ctx) s.n_ctx = n_ctx;
    if (n_vocab) s.n_vocab = n_vocab;
    s.vocab_from = vocab;
    s.seed = (uint64_t)seed;
    if (s.n_embd % s.n_head || s.n_head % s.n_head_kv || (s.n_embd / s.n_head) % 2 ||
        s.n_embd / s.n_head > REALM_ATTENTION_MAX_HEAD_DIM) {
        tool_error(
            CMD,
            "n-embd %lld, n-head %lld, n-head-kv %lld: need n-head | n-embd, n-head-kv | n-head and an "
            "even head size <= %d",
            (long long)s.n_embd, (long long)s.n_head, (long long)s.n_head_kv, REALM_ATTENTION_MAX_HEAD_DIM);
        return TOOL_EXIT_USAGE;
    }
    realm_status st = tool_make_model(&s, out, true);
    if (st != REALM_OK) {
        tool_error_status(CMD, st, out);
        return TOOL_EXIT_FAILURE;
    }
    fprintf(stderr, "realm make-model: wrote %s\n", out);
    return TOOL_EXIT_OK;
}
