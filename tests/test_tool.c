/* The `realm` command-line tool, run as a separate process the way users run
 * it: exit codes, help and version text, quant/dequant bytes against direct
 * library calls, one-line errors, and the demo. */
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

#include "realm/realm.h"
#include "util.h"

extern char **environ;

#ifndef REALM_TOOL_PATH
#define REALM_TOOL_PATH "realm"
#endif

static const char *const quant_types[] = {"q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q8_1",
                                          "q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "q8_K"};
#define N_QUANT_TYPES (sizeof quant_types / sizeof quant_types[0])

/* ---- running the tool ------------------------------------------------------ */

static char tmpdir[256];

static void make_tmpdir(void) {
    cr_assert_not_null(tu_mkdtemp(tmpdir, sizeof tmpdir, "realm-tool-"), "mkdtemp failed");
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tmpdir(void) {
    if (tmpdir[0]) nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(tool, .init = make_tmpdir, .fini = remove_tmpdir);

/* A path inside the test's scratch directory (static buffers, rotated). */
static const char *tmp(const char *name) {
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 512, "%s/%s", tmpdir, name);
    return b;
}

typedef struct run_result {
    int status; /* exit code, or -1 when the tool did not exit normally */
    char *out, *err;
    size_t out_len;
} run_result;

static const char *tool_path(void) {
    const char *env = getenv("REALM_TOOL");
    return env && *env ? env : REALM_TOOL_PATH;
}

/* Runs `realm args...` (args NULL-terminated) with stdin from stdin_path (or
 * /dev/null) and stdout/stderr captured in files. */
static run_result run_tool_in(const char *stdin_path, const char *const *args) {
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)tool_path();
    for (; args[n - 1] && n < 31; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    const char *out_path = tmp("stdout.txt"), *err_path = tmp("stderr.txt");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, stdin_path ? stdin_path : "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "cannot start %s: %s", argv[0], strerror(rc));
    int ws = 0;
    cr_assert_eq(waitpid(pid, &ws, 0), pid);
    run_result r = {.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1};
    size_t err_len = 0;
    r.out = tu_read_file(out_path, &r.out_len);
    r.err = tu_read_file(err_path, &err_len);
    cr_assert(r.out && r.err, "cannot read the captured output");
    /* NUL-terminate for string checks (the buffers hold exactly the bytes). */
    r.out = realloc(r.out, r.out_len + 1);
    r.err = realloc(r.err, err_len + 1);
    r.out[r.out_len] = '\0';
    r.err[err_len] = '\0';
    return r;
}

#define RUN(...) run_tool_in(NULL, (const char *const[]){__VA_ARGS__, NULL})

static void free_result(run_result *r) {
    free(r->out);
    free(r->err);
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The contract for every failure: the expected exit code, nothing on stdout,
 * exactly one line on stderr starting with the given prefix. */
static void assert_one_line_error(run_result *r, int status, const char *prefix) {
    cr_assert_eq(r->status, status, "exit %d, expected %d; stderr: %s", r->status, status, r->err);
    cr_assert_eq(count_lines(r->err), 1, "stderr should be one line, got:\n%s", r->err);
    cr_assert_eq(r->err[strlen(r->err) - 1], '\n');
    cr_assert_eq(strncmp(r->err, prefix, strlen(prefix)), 0, "stderr '%s' should start with '%s'", r->err,
                 prefix);
    cr_assert_eq(r->out_len, 0, "stdout should be empty, got: %s", r->out);
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

/* ---- files ------------------------------------------------------------------- */

static void write_file(const char *path, const void *data, size_t size) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, size, f), size);
    cr_assert_eq(fclose(f), 0);
}

static float *random_floats(int64_t n, uint64_t seed) {
    tu_rng rng = {seed};
    float *x = malloc((size_t)n * sizeof(float));
    cr_assert_not_null(x);
    tu_fill(&rng, x, n, 1.0f);
    return x;
}

/* Quantizes rows x cols floats directly with the library. */
static uint8_t *quantize_direct(realm_type t, const float *x, int64_t rows, int64_t cols, size_t *size) {
    size_t rb = realm_row_bytes(t, cols);
    uint8_t *q = calloc((size_t)rows, rb);
    cr_assert_not_null(q);
    for (int64_t r = 0; r < rows; r++)
        cr_assert_eq(realm_quantize_row(t, x + r * cols, q + (size_t)r * rb, cols), REALM_OK, "%s",
                     realm_last_error());
    *size = rb * (size_t)rows;
    return q;
}

static void assert_file_equals(const char *path, const void *want, size_t size) {
    size_t got_size = 0;
    uint8_t *got = tu_read_file(path, &got_size);
    cr_assert_not_null(got, "cannot read %s", path);
    cr_assert_eq(got_size, size, "%s: %zu bytes, expected %zu", path, got_size, size);
    for (size_t i = 0; i < size; i++)
        cr_assert_eq(got[i], ((const uint8_t *)want)[i], "%s differs at byte %zu", path, i);
    free(got);
}

/* ---- version and help ----------------------------------------------------------- */

Test(tool, version) {
    run_result r = RUN("--version");
    char want[64];
    snprintf(want, sizeof want, "realm %s\n", realm_version());
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.out, want);
    cr_assert_str_empty(r.err);
    free_result(&r);
}

static void assert_lists_commands(const char *text) {
    const char *cmds[] = {"info", "quant", "dequant", "demo", "bench", "help"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char line[32];
        snprintf(line, sizeof line, "\n  %s ", cmds[i]);
        cr_assert_not_null(strstr(text, line), "help does not list '%s':\n%s", cmds[i], text);
    }
}

Test(tool, help_lists_commands) {
    const char *forms[][2] = {{"--help", NULL}, {"-h", NULL}, {"help", NULL}};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        run_result r = run_tool_in(NULL, forms[i]);
        cr_assert_eq(r.status, 0, "realm %s exited %d", forms[i][0], r.status);
        cr_assert_str_empty(r.err);
        assert_lists_commands(r.out);
        free_result(&r);
    }
}

Test(tool, no_command_prints_help_and_fails) {
    run_result r = run_tool_in(NULL, (const char *const[]){NULL});
    cr_assert_eq(r.status, 2);
    cr_assert_eq(r.out_len, 0);
    assert_lists_commands(r.err);
    free_result(&r);
}

Test(tool, every_command_has_help) {
    const char *cmds[] = {"info", "quant", "dequant", "demo"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "usage: realm %s", cmds[i]);
        run_result r = RUN(cmds[i], "--help");
        cr_assert_eq(r.status, 0, "realm %s --help exited %d", cmds[i], r.status);
        cr_assert_str_empty(r.err);
        cr_assert_eq(strncmp(r.out, want, strlen(want)), 0, "realm %s --help:\n%s", cmds[i], r.out);
        free_result(&r);
        r = RUN("help", cmds[i]); /* the same text through `realm help CMD` */
        cr_assert_eq(r.status, 0);
        cr_assert_eq(strncmp(r.out, want, strlen(want)), 0);
        free_result(&r);
    }
}

Test(tool, unknown_command_and_option) {
    run_result r = RUN("frobnicate");
    assert_one_line_error(&r, 2, "realm: error: unknown command 'frobnicate'");
    free_result(&r);
    r = RUN("--frobnicate");
    assert_one_line_error(&r, 2, "realm: error: unknown option '--frobnicate'");
    free_result(&r);
    r = RUN("info", "--frobnicate");
    assert_one_line_error(&r, 2, "realm info: error: unknown option '--frobnicate'");
    free_result(&r);
}

/* ---- info ---------------------------------------------------------------------------- */

Test(tool, info_text) {
    run_result r = RUN("info");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_empty(r.err);
    cr_assert_not_null(strstr(r.out, realm_version()));
    cr_assert_not_null(strstr(r.out, "naive"));
    cr_assert_not_null(strstr(r.out, "optimized"));
    for (size_t i = 0; i < N_QUANT_TYPES; i++)
        cr_assert_not_null(strstr(r.out, quant_types[i]), "info does not list %s", quant_types[i]);
    free_result(&r);
}

/* Brackets and braces balance outside strings, and the text is one value. */
static void assert_json_shape(const char *s) {
    int depth = 0;
    bool in_string = false;
    for (const char *p = s; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_string = false;
        } else if (*p == '"') {
            in_string = true;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            cr_assert_gt(depth, 0, "unbalanced JSON:\n%s", s);
            if (--depth == 0) cr_assert_str_eq(p + 1, "\n", "text after the JSON object");
        }
    }
    cr_assert(!in_string && depth == 0, "unterminated JSON:\n%s", s);
}

Test(tool, info_json) {
    run_result r = RUN("info", "--format", "json");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_eq(r.out[0], '{');
    assert_json_shape(r.out);
    cr_assert_not_null(strstr(r.out, "\"kernel_tables\""));
    cr_assert_not_null(strstr(r.out, "\"cpu_features\""));
    for (size_t i = 0; i < N_QUANT_TYPES; i++) {
        char quoted[16];
        snprintf(quoted, sizeof quoted, "\"%s\"", quant_types[i]);
        cr_assert_not_null(strstr(r.out, quoted), "JSON does not list %s", quant_types[i]);
    }
    free_result(&r);
    r = RUN("info", "--format=yaml");
    assert_one_line_error(&r, 2, "realm info: error: --format: unknown value 'yaml'");
    free_result(&r);
}

/* ---- quant / dequant ------------------------------------------------------------------ */

Test(tool, quant_dequant_roundtrip_q8_0_rows) {
    const int64_t rows = 6, cols = 64;
    float *x = random_floats(rows * cols, 11);
    write_file(tmp("x.f32"), x, sizeof(float) * (size_t)(rows * cols));

    run_result r =
        RUN("quant", "--type", "q8_0", "--in", tmp("x.f32"), "--out", tmp("x.q8_0"), "--cols", "64");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_empty(r.err);
    free_result(&r);
    size_t qsize;
    uint8_t *q = quantize_direct(REALM_TYPE_Q8_0, x, rows, cols, &qsize);
    assert_file_equals(tmp("x.q8_0"), q, qsize);

    /* --flag=value form for the way back */
    r = RUN("dequant", "--type=q8_0", "--in", tmp("x.q8_0"), "--out", tmp("y.f32"), "--cols=64");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    free_result(&r);
    float *want = calloc((size_t)(rows * cols), sizeof(float));
    size_t rb = realm_row_bytes(REALM_TYPE_Q8_0, cols);
    for (int64_t i = 0; i < rows; i++)
        cr_assert_eq(realm_dequantize_row(REALM_TYPE_Q8_0, q + (size_t)i * rb, want + i * cols, cols),
                     REALM_OK);
    assert_file_equals(tmp("y.f32"), want, sizeof(float) * (size_t)(rows * cols));
    free(want);
    free(q);
    free(x);
}

Test(tool, equals_form_of_options) {
    float *x = random_floats(128, 12);
    write_file(tmp("x.f32"), x, 128 * sizeof(float));
    char in[600], out[600];
    snprintf(in, sizeof in, "--in=%s", tmp("x.f32"));
    snprintf(out, sizeof out, "--out=%s", tmp("x.q"));
    run_result r = RUN("quant", "--type=q4_0", in, out, "--cols=32");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    free_result(&r);
    size_t qsize;
    uint8_t *q = quantize_direct(REALM_TYPE_Q4_0, x, 4, 32, &qsize);
    assert_file_equals(tmp("x.q"), q, qsize);
    free(q);
    free(x);
}

/* Without --cols the file is one row; the tool streams it in batches of
 * blocks, which must give the bytes of a single call over the whole row
 * (1.2M values span two batches). */
Test(tool, whole_file_is_one_row) {
    const int64_t n = 1200000;
    float *x = random_floats(n, 13);
    write_file(tmp("big.f32"), x, sizeof(float) * (size_t)n);
    run_result r = RUN("quant", "--type", "q8_0", "--in", tmp("big.f32"), "--out", tmp("big.q"));
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    free_result(&r);
    size_t qsize;
    uint8_t *q = quantize_direct(REALM_TYPE_Q8_0, x, 1, n, &qsize);
    assert_file_equals(tmp("big.q"), q, qsize);

    r = RUN("dequant", "--type", "q8_0", "--in", tmp("big.q"), "--out", tmp("big.out"));
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    free_result(&r);
    float *want = calloc((size_t)n, sizeof(float));
    cr_assert_eq(realm_dequantize_row(REALM_TYPE_Q8_0, q, want, n), REALM_OK);
    assert_file_equals(tmp("big.out"), want, sizeof(float) * (size_t)n);
    free(want);
    free(q);
    free(x);
}

Test(tool, k_quant_rows) {
    const int64_t rows = 3, cols = 512;
    float *x = random_floats(rows * cols, 14);
    write_file(tmp("k.f32"), x, sizeof(float) * (size_t)(rows * cols));
    run_result r = RUN("quant", "--type", "Q4_K", "--in", tmp("k.f32"), "--out", tmp("k.q"), "--cols", "512");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    free_result(&r);
    size_t qsize;
    uint8_t *q = quantize_direct(REALM_TYPE_Q4_K, x, rows, cols, &qsize);
    assert_file_equals(tmp("k.q"), q, qsize);
    free(q);
    free(x);
}

Test(tool, stdin_to_stdout) {
    float *x = random_floats(256, 15);
    write_file(tmp("s.f32"), x, 256 * sizeof(float));
    run_result r = run_tool_in(tmp("s.f32"), (const char *const[]){"quant", "--type", "q5_1", "--in", "-",
                                                                   "--out", "-", "--cols", "128", NULL});
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    size_t qsize;
    uint8_t *q = quantize_direct(REALM_TYPE_Q5_1, x, 2, 128, &qsize);
    cr_assert_eq(r.out_len, qsize);
    cr_assert_eq(memcmp(r.out, q, qsize), 0);
    free_result(&r);
    free(q);
    free(x);
}

/* ---- errors ------------------------------------------------------------------------------- */

static void write_floats(const char *path, int64_t n) {
    float *x = random_floats(n, 16);
    write_file(path, x, sizeof(float) * (size_t)n);
    free(x);
}

Test(tool, error_bad_type) {
    write_floats(tmp("x.f32"), 64);
    run_result r = RUN("quant", "--type", "q9_9", "--in", tmp("x.f32"), "--out", tmp("o"));
    assert_one_line_error(&r, 2, "realm quant: error: --type: unknown type 'q9_9'");
    cr_assert(!exists(tmp("o")));
    free_result(&r);
}

Test(tool, error_length_not_a_multiple) {
    write_floats(tmp("x.f32"), 100); /* 100 values: not a whole number of 64-value rows */
    run_result r = RUN("quant", "--type", "q8_0", "--in", tmp("x.f32"), "--out", tmp("o"), "--cols", "64");
    assert_one_line_error(&r, 1, "realm quant: error: ");
    cr_assert_not_null(strstr(r.err, "not a whole number"), "%s", r.err);
    cr_assert(!exists(tmp("o")), "no output should be left behind");
    free_result(&r);

    write_file(tmp("odd.q"), "abc", 3); /* not a whole q8_0 block (34 bytes) */
    r = RUN("dequant", "--type", "q8_0", "--in", tmp("odd.q"), "--out", tmp("o"));
    assert_one_line_error(&r, 1, "realm dequant: error: ");
    free_result(&r);
}

Test(tool, error_cols_not_a_multiple_of_block) {
    write_floats(tmp("x.f32"), 512);
    run_result r = RUN("quant", "--type", "q4_K", "--in", tmp("x.f32"), "--out", tmp("o"), "--cols", "100");
    assert_one_line_error(&r, 2, "realm quant: error: --cols 100 is not a multiple");
    free_result(&r);
    r = RUN("quant", "--type", "q4_K", "--in", tmp("x.f32"), "--out", tmp("o"), "--cols", "twelve");
    assert_one_line_error(&r, 2, "realm quant: error: --cols: 'twelve' is not an integer");
    free_result(&r);
}

Test(tool, error_missing_input) {
    run_result r = RUN("quant", "--type", "q8_0", "--in", tmp("absent.f32"), "--out", tmp("o"));
    assert_one_line_error(&r, 1, "realm quant: error: cannot open");
    cr_assert(!exists(tmp("o")));
    free_result(&r);
}

Test(tool, error_unwritable_output) {
    write_floats(tmp("x.f32"), 64);
    run_result r = RUN("quant", "--type", "q8_0", "--in", tmp("x.f32"), "--out", tmp("no/such/dir/o"));
    assert_one_line_error(&r, 1, "realm quant: error: cannot create");
    free_result(&r);
}

Test(tool, error_unknown_flag) {
    write_floats(tmp("x.f32"), 64);
    run_result r = RUN("quant", "--type", "q8_0", "--in", tmp("x.f32"), "--out", tmp("o"), "--colz", "64");
    assert_one_line_error(&r, 2, "realm quant: error: unknown option '--colz'");
    cr_assert(!exists(tmp("o")));
    free_result(&r);
}

Test(tool, error_missing_flags) {
    run_result r = RUN("quant", "--type", "q8_0", "--in", tmp("x.f32"));
    assert_one_line_error(&r, 2, "realm quant: error: missing required option --out");
    free_result(&r);
    r = RUN("dequant", "--in", tmp("x.q"), "--out", tmp("o"));
    assert_one_line_error(&r, 2, "realm dequant: error: missing required option --type");
    free_result(&r);
    r = RUN("quant", "--type", "q8_0", "--in", "--out", tmp("o"));
    assert_one_line_error(&r, 2, "realm quant: error: option --in needs a value");
    free_result(&r);
}

Test(tool, error_same_input_and_output) {
    write_floats(tmp("x.f32"), 64);
    run_result r = RUN("quant", "--type", "q8_0", "--in", tmp("x.f32"), "--out", tmp("x.f32"));
    assert_one_line_error(&r, 2, "realm quant: error: --in and --out name the same file");
    free_result(&r);
    size_t size = 0;
    free(tu_read_file(tmp("x.f32"), &size));
    cr_assert_eq(size, 64 * sizeof(float), "the input must survive");
}

/* ---- demo ---------------------------------------------------------------------------------- */

/* Only the exit status and the rows: the error columns depend on formats
 * that other tests check. */
Test(tool, demo_small, .timeout = 120) {
    run_result r = RUN("demo", "--rows", "8", "--k", "256", "--batch", "2", "--repeat", "1");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_empty(r.err);
    for (size_t i = 0; i < N_QUANT_TYPES; i++) {
        char row[16];
        snprintf(row, sizeof row, "\n%s ", quant_types[i]);
        cr_assert_not_null(strstr(r.out, row), "demo has no %s row:\n%s", quant_types[i], r.out);
    }
    free_result(&r);
}

Test(tool, demo_rejects_bad_k) {
    run_result r = RUN("demo", "--k", "100");
    assert_one_line_error(&r, 2, "realm demo: error: --k 100 must be a multiple of 256");
    free_result(&r);
    r = RUN("demo", "--rows", "0");
    assert_one_line_error(&r, 2, "realm demo: error: --rows: 0 is out of range");
    free_result(&r);
}

/* bench: each JSON line carries the fields the issue names, with sane
 * values, for a small matmul on both backends and both optimized paths. */
Test(tool, bench_matmul_json) {
    run_result r = RUN("bench", "matmul", "--type", "q4_K", "--k", "512", "--n", "64", "--batch", "1,9",
                       "--threads", "1,2", "--reps", "2", "--format", "json");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_eq(count_lines(r.out), 4, "one line per (batch, threads):\n%s", r.out);
    const char *fields[] = {"\"bench\":\"matmul\"",
                            "\"type\":\"q4_K\"",
                            "\"k\":512",
                            "\"n\":64",
                            "\"batch\":",
                            "\"threads\":",
                            "\"backend\":\"optimized\"",
                            "\"median_s\":",
                            "\"gflops\":",
                            "\"weight_gbps\":"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        cr_assert_not_null(strstr(r.out, fields[i]), "missing %s in:\n%s", fields[i], r.out);
    cr_assert_not_null(strstr(r.out, "\"path\":\"gemv\""), "batch 1 takes the GEMV path");
    cr_assert_not_null(strstr(r.out, "\"path\":\"gemm\""), "batch 9 takes the GEMM path");
    cr_assert_null(strstr(r.out, "\"gflops\":0.000"), "a zero throughput:\n%s", r.out);
    free_result(&r);
    r = RUN("bench", "matmul", "--type", "f32", "--k", "64", "--n", "16", "--batch", "3", "--backend",
            "naive", "--executor", "serial", "--reps", "1", "--format", "csv");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_not_null(strstr(r.out, "matmul,f32,64,16,3,1,naive,serial,naive,"), "csv:\n%s", r.out);
    free_result(&r);
}

/* Several types: one line each, in the order given, interleaved on one
 * runtime; "vs first" is 1 for the first and a positive ratio for the rest. */
Test(tool, bench_matmul_several_types) {
    run_result r = RUN("bench", "matmul", "--type", "q4_0,q8_0,f32", "--k", "256", "--n", "32", "--batch",
                       "3", "--reps", "3", "--format", "json");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_eq(count_lines(r.out), 3, "one line per type:\n%s", r.out);
    const char *q40 = strstr(r.out, "\"type\":\"q4_0\""), *q80 = strstr(r.out, "\"type\":\"q8_0\"");
    const char *f32 = strstr(r.out, "\"type\":\"f32\"");
    cr_assert(q40 && q80 && f32 && q40 < q80 && q80 < f32, "types out of order:\n%s", r.out);
    cr_assert_not_null(strstr(q40, "\"vs_first\":1.0000}"), "the first type is its own reference:\n%s",
                       r.out);
    for (const char *v = strstr(q80, "\"vs_first\":"); v; v = strstr(v + 1, "\"vs_first\":"))
        cr_assert_gt(strtod(v + 11, NULL), 0.0, "vs_first must be a positive ratio:\n%s", r.out);
    free_result(&r);
    r = RUN("bench", "matmul", "--type", "q4_0,nope");
    assert_one_line_error(&r, 2, "realm bench matmul: error: --type: unknown type 'nope'");
    free_result(&r);
    r = RUN("bench", "matmul", "--type", "q4_0,,q8_0");
    assert_one_line_error(&r, 2, "realm bench matmul: error: --type:");
    free_result(&r);
    r = RUN("bench", "matmul", "--type", "q4_0,q4_K", "--k", "64");
    assert_one_line_error(&r, 2,
                          "realm bench matmul: error: --k 64 is not a multiple of the q4_K block size");
    free_result(&r);
}

Test(tool, bench_probes_and_errors) {
    run_result r =
        RUN("bench", "bandwidth", "--threads", "1", "--bytes", "8388608", "--reps", "2", "--format", "json");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_not_null(strstr(r.out, "{\"bench\":\"bandwidth\",\"threads\":1,"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\"gbps\":"));
    free_result(&r);
    r = RUN("bench", "peak", "--threads", "1", "--format", "json");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_not_null(strstr(r.out, "\"f32_gflops\":"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\"int8_gops\":"), "%s", r.out);
    free_result(&r);
    r = RUN("bench", "nonesuch");
    assert_one_line_error(&r, 2, "realm bench: error:");
    free_result(&r);
    r = RUN("bench", "matmul", "--threads", "1,x");
    assert_one_line_error(&r, 2, "realm bench matmul: error:");
    free_result(&r);
    r = RUN("bench", "matmul", "--type", "q4_K", "--k", "100");
    assert_one_line_error(&r, 2, "realm bench matmul: error:");
    free_result(&r);
}
