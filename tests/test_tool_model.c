/* The model commands of the tool: generate (built-in model, reference model
 * greedy text and --dump-logits, context full), make-model -> quantize ->
 * load (types of the K_M mix), bench model JSON, and bad input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "realm/realm.h"
#include "util.h"

#ifndef REALM_TOOL_PATH
#define REALM_TOOL_PATH "realm"
#endif

static char dir[256];

static void setup(void) { cr_assert_not_null(tu_mkdtemp(dir, sizeof dir, "realm-tool-model-")); }

static void teardown(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static const char *path_in(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Runs `realm ARGS` through the shell (ARGS quoted by the caller); stdout in
 * *out (malloc'd), stderr in dir/err.txt; returns the exit code. */
static int run(char **out, const char *args) {
    const char *tool = getenv("REALM_TOOL");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s'", tool && *tool ? tool : REALM_TOOL_PATH, args,
             path_in("err.txt"));
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t r; (r = fread(buf + n, 1, cap - n - 1, p)) > 0;) {
        n += r;
        if (n + 1 == cap) {
            char *bigger = realloc(buf, cap *= 2);
            cr_assert_not_null(bigger);
            buf = bigger;
        }
    }
    buf[n] = 0;
    const int ws = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

static char *err_text(void) {
    size_t n;
    char *e = tu_read_file(path_in("err.txt"), &n);
    cr_assert_not_null(e);
    char *z = realloc(e, n + 1);
    cr_assert_not_null(z);
    z[n] = 0;
    return z;
}

Test(tool_model, generate_builtin_and_context_full, .init = setup, .fini = teardown) {
    char *out;
    cr_assert_eq(run(&out, "generate -n 5 --temp 0 -p 'Hi there'"), 0);
    cr_assert(strncmp(out, "Hi there", 8) == 0, "%s", out);
    free(out);
    /* past the context: a clear stop, not a crash */
    cr_assert_eq(run(&out, "generate -n 100 --ctx 16 --seed 3"), 0);
    char *e = err_text();
    cr_assert(strstr(e, "context full") != NULL, "%s", e);
    cr_assert(strstr(e, "context 16/16") != NULL, "%s", e);
    free(e);
    free(out);
}

Test(tool_model, generate_reference_model_greedy_and_logits, .init = setup, .fini = teardown) {
    char model[512], logits[512], args[2048];
    if (!tu_shared_path("models/tiny-q8_0.gguf", model, sizeof model))
        cr_skip_test("../shared/models not available (a user's clone has none)");
    tu_shared_path("models/tiny-q8_0.logits", logits, sizeof logits);
    snprintf(args, sizeof args,
             "generate -m '%s' -p 'The capital of France is' -n 16 --temp 0 --dump-logits '%s'", model,
             path_in("l.bin"));
    char *out;
    cr_assert_eq(run(&out, args), 0);
    /* tiny-q8_0.expected.txt: greedy_text */
    const char *want =
        "The capital of France is dil Александ alllakżs/)maybe steady Verbillservletagsrelohenlished yo\n";
    cr_assert_str_eq(out, want);
    free(out);
    size_t na, nb;
    float *a = tu_read_file(path_in("l.bin"), &na), *b = tu_read_file(logits, &nb);
    cr_assert_eq(na, nb);
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < na / 4; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    cr_assert_geq(ab / sqrt(aa * bb), 0.999);
    free(a);
    free(b);
}

Test(tool_model, make_model_quantize_load, .init = setup, .fini = teardown) {
    char args[2048];
    snprintf(
        args, sizeof args,
        "make-model --type f32 --n-embd 256 --n-layer 2 --n-head 4 --n-head-kv 2 --n-ff 512 --n-vocab 400 "
        "-o '%s'",
        path_in("f32.gguf"));
    cr_assert_eq(run(NULL, args), 0);
    snprintf(args, sizeof args, "quantize '%s' '%s' q4_K_M", path_in("f32.gguf"), path_in("q4km.gguf"));
    cr_assert_eq(run(NULL, args), 0, "%s", err_text());
    snprintf(args, sizeof args, "quantize '%s' '%s' q8_0", path_in("f32.gguf"), path_in("q8.gguf"));
    cr_assert_eq(run(NULL, args), 0);
    realm_model *m;
    cr_assert_eq(realm_model_load(path_in("q4km.gguf"), &m), REALM_OK, "%s", realm_last_error());
    const realm_gguf *g = realm_model_gguf(m);
    realm_gguf_tensor t;
    struct {
        const char *name;
        realm_type type;
    } want[] = {{"output.weight", REALM_TYPE_Q6_K},         {"blk.0.attn_q.weight", REALM_TYPE_Q4_K},
                {"blk.0.attn_v.weight", REALM_TYPE_Q4_K},   {"blk.1.attn_v.weight", REALM_TYPE_Q6_K},
                {"blk.1.ffn_down.weight", REALM_TYPE_Q6_K}, {"blk.0.attn_norm.weight", REALM_TYPE_F32},
                {"blk.1.ffn_up.weight", REALM_TYPE_Q4_K}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cr_assert_eq(realm_gguf_tensor_info(g, realm_gguf_find_tensor(g, want[i].name), &t), REALM_OK);
        cr_assert_eq(t.type, want[i].type, "%s is %s", want[i].name, realm_type_name(t.type));
    }
    realm_model_destroy(m);
    /* the f32 and q8_0 models give nearly the same next-token logits */
    char *o1, *o2;
    snprintf(args, sizeof args, "generate -m '%s' -p 'abc' -n 1 --temp 0 --dump-logits '%s'",
             path_in("f32.gguf"), path_in("a.bin"));
    cr_assert_eq(run(&o1, args), 0);
    snprintf(args, sizeof args, "generate -m '%s' -p 'abc' -n 1 --temp 0 --dump-logits '%s'",
             path_in("q8.gguf"), path_in("b.bin"));
    cr_assert_eq(run(&o2, args), 0);
    size_t na, nb;
    float *a = tu_read_file(path_in("a.bin"), &na), *b = tu_read_file(path_in("b.bin"), &nb);
    cr_assert_eq(na, 400 * sizeof(float));
    cr_assert_eq(na, nb);
    cr_assert_lt(tu_rel_rmse(b, a, 400), 0.05, "%g", tu_rel_rmse(b, a, 400));
    free(a);
    free(b);
    free(o1);
    free(o2);
}

Test(tool_model, bench_model_json, .init = setup, .fini = teardown) {
    char *out;
    cr_assert_eq(run(&out, "bench model -p 8 -n 4 --threads 1 --reps 1 --format json"), 0);
    cr_assert(strstr(out, "{\"bench\":\"model\",\"pp\":8,\"tg\":4,\"threads\":1,\"pp_tps\":") == out, "%s",
              out);
    const char *tg = strstr(out, "\"tg_tps\":");
    cr_assert_not_null(tg);
    cr_assert_gt(atof(tg + 9), 0);
    free(out);
}

Test(tool_model, bad_input, .init = setup, .fini = teardown) {
    cr_assert_eq(run(NULL, "generate -m /nonexistent.gguf"), 1);
    char *e = err_text();
    cr_assert(strstr(e, "/nonexistent.gguf") != NULL, "%s", e);
    free(e);
    cr_assert_eq(run(NULL, "quantize a.gguf b.gguf"), 2);
    cr_assert_eq(run(NULL, "quantize a.gguf b.gguf q9_X"), 2);
    cr_assert_eq(run(NULL, "make-model --preset huge -o x.gguf"), 2);
    cr_assert_eq(run(NULL, "make-model --n-embd 100 --n-head 3 -o x.gguf"), 2);
    cr_assert_eq(run(NULL, "generate -n"), 2);
    char args[600];
    snprintf(args, sizeof args, "generate -m '%s'", path_in("err.txt")); /* not a GGUF file */
    cr_assert_eq(run(NULL, args), 1);
}
