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
         .short_name = 'm',
         .kind = TOOL_OPT_STRING,
         .value = &model,
         .metavar = "FILE",
         .required = true,
         .help = "GGUF file whose vocab (tokenizer.ggml.*) is used"},
        {.name = "prompt",
         .short_name = 'p',
         .kind = TOOL_OPT_STRING,
         .value = &prompt,
         .metavar = "TEXT",
         .help = "the text"},
        {.name = "file",
         .short_name = 'f',
         .kind = TOOL_OPT_STRING,
         .value = &file,
         .metavar = "FILE",
         .help = "read the text from FILE byte for byte, trailing newlines included ('-': stdin)"},
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
    int rc;
    if (!tool_args_parse(&cli, argc, argv, &rc)) return rc;
    if ((prompt != NULL) == (file != NULL)) {
        tool_error(CMD, "give the text with exactly one of --prompt (-p) and --file (-f)");
        return TOOL_EXIT_USAGE;
    }
    if (!file) return tokenize_text(model, prompt, strlen(prompt), no_bos);
    size_t len = 0;
    char *text = read_all(file, &len);
    if (!text) {
        tool_error(CMD, "cannot read '%s'", file);
        return TOOL_EXIT_FAILURE;
    }
    rc = tokenize_text(model, text, len, no_bos);
    free(text);
    return rc;
}
