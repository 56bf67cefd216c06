/* `realm tokenize`, run as a separate process: ids on one line, -p/-f/--no-bos,
 * one-line errors. A small vocab GGUF is written here so the tests need no
 * shared data; the real llama vocab is checked when ../shared is present. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "realm/gguf.h"
#include "realm/tokenizer.h"
#include "util.h"

extern char **environ;

static char tmpdir[256];

static void make_tmpdir(void) {
    cr_assert_not_null(tu_mkdtemp(tmpdir, sizeof tmpdir, "realm-tok-"), "mkdtemp failed");
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tmpdir(void) {
    if (tmpdir[0]) nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(tool_tokenize, .init = make_tmpdir, .fini = remove_tmpdir);

/* Path of a file in the scratch directory, in a buffer of 512 bytes. */
static const char *tmp_in(char *buf, const char *name) {
    snprintf(buf, 512, "%s/%s", tmpdir, name);
    return buf;
}

/* REALM_TOOL in the environment, else the `realm` binary of this build
 * (one directory above this test's executable). */
static const char *tool_path(void) {
    static char path[4096];
    const char *env = getenv("REALM_TOOL");
    if (env && *env) return env;
    char self[4000];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    cr_assert(n > 0, "cannot find this test's executable");
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    snprintf(path, sizeof path, "%s/../realm", self);
    if (access(path, X_OK) != 0) cr_skip_test("no realm tool at %s (set REALM_TOOL)", path);
    return path;
}

typedef struct run_result {
    int status;
    char *out, *err;
} run_result;

static run_result run_tool(const char *const *args) {
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)tool_path();
    for (; args[n - 1] && n < 15; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    char out_buf[512], err_buf[512];
    const char *out_path = tmp_in(out_buf, "stdout.txt"), *err_path = tmp_in(err_buf, "stderr.txt");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "cannot start %s: %s", argv[0], strerror(rc));
    int ws = 0;
    cr_assert_eq(waitpid(pid, &ws, 0), pid);
    run_result r = {.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1};
    size_t out_len = 0, err_len = 0;
    r.out = tu_read_file(out_path, &out_len);
    r.err = tu_read_file(err_path, &err_len);
    cr_assert(r.out && r.err, "cannot read the captured output");
    r.out = realloc(r.out, out_len + 1);
    r.err = realloc(r.err, err_len + 1);
    r.out[out_len] = '\0';
    r.err[err_len] = '\0';
    return r;
}

#define RUN(...) run_tool((const char *const[]){__VA_ARGS__, NULL})

static void free_result(run_result *r) {
    free(r->out);
    free(r->err);
}

static void expect_out(const char *want, run_result r) {
    cr_assert_eq(r.status, 0, "exit %d; stderr: %s", r.status, r.err);
    cr_assert_str_eq(r.out, want);
    cr_assert_str_eq(r.err, "");
    free_result(&r);
}

/* Failures: the exit code, nothing on stdout, one line on stderr. */
static void expect_error(int status, run_result r) {
    cr_assert_eq(r.status, status, "exit %d, want %d; stderr: %s", r.status, status, r.err);
    cr_assert_str_eq(r.out, "");
    char *nl = strchr(r.err, '\n');
    cr_assert(nl && nl[1] == '\0', "stderr should be one line: '%s'", r.err);
    cr_assert(strncmp(r.err, "realm tokenize: error: ", 23) == 0, "stderr: %s", r.err);
    free_result(&r);
}

static void write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

/* Writes a GGUF with a vocab of ids 0 <unk>, 1 <s>, 2 </s>, 3 <0x0A>, 4 ▁,
 * 5 a, 6 b, 7 ▁a, 8 ab to path (a buffer of 512 bytes). */
static const char *write_vocab(const char *model, char *path) {
    static const char *const tokens[] = {
        "<unk>", "<s>", "</s>", "<0x0A>", "\xe2\x96\x81", "a", "b", "\xe2\x96\x81\x61", /* "▁a" */
        "ab"};
    const float scores[] = {0, 0, 0, 0, -1, -2, -3, -1.5f, -4};
    const int32_t types[] = {2, 3, 3, 6, 1, 1, 1, 1, 1};
    tmp_in(path, model);
    realm_gguf_writer *w = NULL;
    cr_assert_eq(realm_gguf_writer_create(&w), REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_str(w, "general.architecture", "llama"), REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_str(w, "tokenizer.ggml.model", model), REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", tokens, 9), REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_arr(w, "tokenizer.ggml.scores", REALM_GGUF_FLOAT32, scores, 9),
                 REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_arr(w, "tokenizer.ggml.token_type", REALM_GGUF_INT32, types, 9),
                 REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", 1), REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", 2), REALM_OK);
    cr_assert_eq(realm_gguf_writer_write(w, path), REALM_OK, "%s", realm_last_error());
    realm_gguf_writer_destroy(w);
    return path;
}

Test(tool_tokenize, prompt_and_file) {
    char mb[512], fb[512];
    const char *m = write_vocab("llama", mb);
    expect_out("1 7 4 6\n", RUN("tokenize", "-m", m, "-p", "a b"));
    expect_out("7 4 6\n", RUN("tokenize", "-m", m, "-p", "a b", "--no-bos"));
    expect_out("1 7 6\n", RUN("tokenize", "--model", m, "--prompt=ab")); /* "▁a" scores above "ab" */
    expect_out("1\n", RUN("tokenize", "-m", m, "-p", ""));
    /* -p's value is the text even when it looks like an option. */
    expect_out("4 4 0 0 4 0 0\n", RUN("tokenize", "-m", m, "--no-bos", "-p", " -m -p"));
    const char *f = tmp_in(fb, "text.txt");
    write_file(f, "a\n\n", 3); /* trailing newlines are part of the text */
    expect_out("1 7 3 3\n", RUN("tokenize", "-m", m, "-f", f));
    expect_out("7 3 3\n", RUN("tokenize", "--no-bos", "--file", f, "-m", m));
}

Test(tool_tokenize, errors) {
    char mb[512], fb[512];
    const char *m = write_vocab("llama", mb);
    expect_error(2, RUN("tokenize", "-p", "a"));
    expect_error(2, RUN("tokenize", "-m", m));
    expect_error(2, RUN("tokenize", "-m", m, "-p", "a", "-f", m));
    expect_error(2, RUN("tokenize", "-m", m, "-p", "a", "--bogus"));
    expect_error(1, RUN("tokenize", "-m", tmp_in(fb, "missing.gguf"), "-p", "a"));
    expect_error(1, RUN("tokenize", "-m", m, "-f", tmp_in(fb, "missing.txt")));
    char tb[512], gb[512];
    const char *text = tmp_in(tb, "plain.txt");
    write_file(text, "not a gguf file", 15);
    expect_error(1, RUN("tokenize", "-m", text, "-p", "a"));
    const char *gpt2 = write_vocab("gpt2", gb);
    expect_error(1, RUN("tokenize", "-m", gpt2, "-p", "a"));
    run_result r = RUN("tokenize", "--help");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "--no-bos") != NULL);
    free_result(&r);
}

Test(tool_tokenize, real_llama_vocab) {
    char path[1024];
    if (!tu_shared_path("models/tiny-q8_0.gguf", path, sizeof path))
        cr_skip_test("../shared is absent: no reference vocab to test");
    expect_out("1 450 7483 310 3444 338\n", RUN("tokenize", "-m", path, "-p", "The capital of France is"));
    char fb[512];
    const char *f = tmp_in(fb, "hello.txt");
    write_file(f, "Hello world\n", 12);
    expect_out("15043 3186 13\n", RUN("tokenize", "-m", path, "-f", f, "--no-bos"));
}
