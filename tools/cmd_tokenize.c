/* `realm tokenize`: the token ids of a text under a GGUF file's vocab, on
 * one line, as llama.cpp's tokenizer gives them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "diag.h"
#include "realm/gguf.h"
#include "realm/tokenizer.h"

#define CMD "tokenize"

/* The whole of a file (or stdin for "-"), byte for byte. */
static char *read_all(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    if (f != stdin) fclose(f);
    *len = n;
    return buf;
}

static bool is_long_with_value(const char *arg) {
    return strcmp(arg, "--model") == 0 || strcmp(arg, "--prompt") == 0 || strcmp(arg, "--file") == 0;
}

/* The documented short forms (-m FILE, -p TEXT, -f FILE) become
 * "--model=FILE" ..., which args.c parses; the '=' form also lets a prompt
 * start with dashes. Returns the new argv (strings malloc'd where joined). */
static char **expand_short(int argc, char **argv, bool *joined) {
    static const char *const shorts[][2] = {{"-m", "model"}, {"-p", "prompt"}, {"-f", "file"}};
    char **out = calloc((size_t)argc + 1, sizeof *out);
    if (!out) return NULL;
    int k = 0;
    for (int i = 0; i < argc; i++) {
        joined[k] = false;
        out[k] = argv[i];
        if (i > 0 && i + 1 < argc && is_long_with_value(argv[i])) {
            out[++k] = argv[++i]; /* a value, even "-m", stays as it is */
            joined[k] = false;
            k++;
            continue;
        }
        for (size_t s = 0; i > 0 && i + 1 < argc && s < sizeof shorts / sizeof shorts[0]; s++) {
            if (strcmp(argv[i], shorts[s][0]) != 0) continue;
            size_t n = strlen(shorts[s][1]) + strlen(argv[i + 1]) + 4;
            char *j = malloc(n);
            if (!j) break;
            snprintf(j, n, "--%s=%s", shorts[s][1], argv[i + 1]);
            out[k] = j;
            joined[k] = true;
            i++;
            break;
        }
        k++;
    }
    out[k] = NULL;
    return out;
}

static int tokenize_text(const char *model, const char *text, size_t len, bool no_bos) {
    realm_gguf *g = NULL;
    realm_tokenizer *t = NULL;
    int32_t *ids = NULL;
    int rc = TOOL_EXIT_FAILURE;
    realm_status s = realm_gguf_open(model, &g);
    if (s != REALM_OK) {
        tool_error_status(CMD, s, model);
        goto done;
    }
    s = realm_tokenizer_from_gguf(g, &t);
    if (s != REALM_OK) {
        tool_error_status(CMD, s, model);
        goto done;
    }
    bool bos = !no_bos && realm_tokenizer_add_bos(t) && realm_tokenizer_bos(t) >= 0;
    int64_t n = 0;
    s = realm_tokenize(t, text, len, bos, NULL, 0, &n); /* measures */
    if (s == REALM_ERR_SHAPE) {
        ids = malloc((size_t)n * sizeof *ids);
        s = ids ? realm_tokenize(t, text, len, bos, ids, n, &n) : REALM_ERR_OUT_OF_MEMORY;
    }
    if (s != REALM_OK) {
        tool_error_status(CMD, s, "tokenize");
        goto done;
    }
    for (int64_t i = 0; i < n; i++)
        printf(i ? " %d" : "%d", (int)ids[i]);
    putchar('\n');
    rc = tool_finish_stdout(CMD);
done:
    free(ids);
    realm_tokenizer_destroy(t);
    realm_gguf_close(g);
    return rc;
}

int tool_cmd_tokenize(int argc, char **argv) {
    const char *model = NULL, *prompt = NULL, *file = NULL;
    bool no_bos = false;
    tool_opt opts[] = {
        {.name = "model",
         .kind = TOOL_OPT_STRING,
         .value = &model,
         .metavar = "FILE",
         .required = true,
         .help = "GGUF file whose vocab (tokenizer.ggml.*) is used; short: -m FILE"},
        {.name = "prompt",
         .kind = TOOL_OPT_STRING,
         .value = &prompt,
         .metavar = "TEXT",
         .help = "the text; short: -p TEXT"},
        {.name = "file",
         .kind = TOOL_OPT_STRING,
         .value = &file,
         .metavar = "FILE",
         .help = "read the text from FILE byte for byte, trailing newlines included ('-': stdin); short: -f "
                 "FILE"},
        {.name = "no-bos",
         .kind = TOOL_OPT_FLAG,
         .value = &no_bos,
         .help = "no BOS id first (default: BOS when the vocab's add_bos_token says so)"},
    };
    tool_cli cli = {.command = CMD,
                    .description =
                        "Print the token ids of a text on one line, space-separated, as the GGUF file's\n"
                        "llama SentencePiece tokenizer splits it (llama.cpp's ids). Give the text with\n"
                        "--prompt or --file, not both.\n\n"
                        "example: realm tokenize -m model.gguf -p \"Hello world\"",
                    .opts = opts,
                    .n_opts = sizeof opts / sizeof opts[0]};
    bool *joined = calloc((size_t)argc + 1, sizeof *joined);
    char **args = joined ? expand_short(argc, argv, joined) : NULL;
    if (!args) {
        free(joined);
        tool_error(CMD, "out of memory");
        return TOOL_EXIT_FAILURE;
    }
    int n_args = 0;
    while (args[n_args])
        n_args++;
    size_t len = 0;
    char *text = NULL;
    int rc;
    if (!tool_args_parse(&cli, n_args, args, &rc)) goto done;
    rc = TOOL_EXIT_USAGE;
    if ((prompt != NULL) == (file != NULL)) {
        tool_error(CMD, "give the text with exactly one of --prompt (-p) and --file (-f)");
        goto done;
    }
    if (file) {
        text = read_all(file, &len);
        if (!text) {
            tool_error(CMD, "cannot read '%s'", file);
            rc = TOOL_EXIT_FAILURE;
            goto done;
        }
    }
    /* Prompt and model point into args: use them before freeing. */
    rc = tokenize_text(model, text ? text : prompt, text ? len : strlen(prompt), no_bos);
done:
    free(text);
    for (int i = 0; i < n_args; i++)
        if (joined[i]) free(args[i]);
    free(args);
    free(joined);
    return rc;
}
