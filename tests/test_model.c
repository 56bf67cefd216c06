/* The llama model against ../shared/models: logits at the last prompt
 * position (cosine >= 0.999, same argmax) with both backends, greedy
 * continuations (whole for f32 / q8_0, first token for the others), logits
 * bit-identical across executors and thread counts, and load errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realm/realm.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

typedef struct expected {
    int32_t prompt[64], greedy[32];
    int n_prompt, n_greedy;
} expected;

static int parse_ids(const char *line, int32_t *ids, int cap) {
    int n = 0;
    char *end;
    for (const char *s = line; n < cap;) {
        long v = strtol(s, &end, 10);
        if (end == s) break;
        ids[n++] = (int32_t)v;
        s = end;
    }
    return n;
}

static bool load_expected(const char *name, expected *e) {
    char rel[256], path[512];
    snprintf(rel, sizeof rel, "models/%s.expected.txt", name);
    if (!tu_shared_path(rel, path, sizeof path)) return false;
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[4096];
    memset(e, 0, sizeof *e);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "prompt_tokens:", 14) == 0) e->n_prompt = parse_ids(line + 14, e->prompt, 64);
        if (strncmp(line, "greedy_tokens:", 14) == 0) e->n_greedy = parse_ids(line + 14, e->greedy, 32);
    }
    fclose(f);
    cr_assert(e->n_prompt > 0 && e->n_greedy == 16);
    return true;
}

static int32_t argmax(const float *x, int64_t n) {
    int64_t b = 0;
    for (int64_t i = 1; i < n; i++)
        if (x[i] > x[b]) b = i;
    return (int32_t)b;
}

static double cosine(const float *a, const float *b, int64_t n) {
    double ab = 0, aa = 0, bb = 0;
    for (int64_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return ab / sqrt(aa * bb);
}

static void check_model(const char *name, bool whole_greedy) {
    expected e;
    if (!load_expected(name, &e)) cr_skip_test("../shared/models not available (a user's clone has none)");
    char rel[256], path[512];
    snprintf(rel, sizeof rel, "models/%s.gguf", name);
    tu_shared_path(rel, path, sizeof path);
    realm_model *m;
    cr_assert_eq(realm_model_load(path, &m), REALM_OK, "%s: %s", name, realm_last_error());
    realm_model_hparams h;
    cr_assert_eq(realm_model_get_hparams(m, &h), REALM_OK);
    snprintf(rel, sizeof rel, "models/%s.logits", name);
    tu_shared_path(rel, path, sizeof path);
    size_t size;
    float *ref = tu_read_file(path, &size);
    cr_assert_not_null(ref);
    cr_assert_eq(size, sizeof(float) * (size_t)h.n_vocab);
    realm_runtime *rt = tu_runtime(2, REALM_EXECUTOR_POOL);
    for (int be = 0; be < 2; be++) {
        realm_context_params cp = realm_context_params_default();
        cp.backend = (realm_backend)be;
        cp.n_ctx = 64;
        realm_context *c;
        cr_assert_eq(realm_context_create(m, rt, &cp, &c), REALM_OK, "%s", realm_last_error());
        realm_plan_info info;
        cr_assert_eq(realm_plan_get_info(realm_context_plan(c), &info), REALM_OK);
        cr_assert_leq(info.arena_bytes, info.arena_lower_bound * 11 / 10);
        /* optimized, quantized weights: per layer the two norms and the SwiGLU,
         * plus the output norm, fold into their matmuls */
        const bool quantized = strstr(name, "f32") == NULL;
        cr_assert_eq(info.n_fused, be && quantized ? 3 * (int)h.n_layer + 1 : 0, "%s: %d fused", name,
                     info.n_fused);
        /* k, v run in q's group and up in gate's */
        cr_assert_eq(info.n_grouped, be && quantized ? 3 * (int)h.n_layer : 0, "%s: %d grouped", name,
                     info.n_grouped);
        const float *logits;
        cr_assert_eq(realm_context_eval(c, e.prompt, e.n_prompt, &logits), REALM_OK, "%s",
                     realm_last_error());
        const double cs = cosine(logits, ref, h.n_vocab);
        cr_log_info("%s %s: cosine %.6f", name, be ? "optimized" : "naive", cs);
        cr_assert_geq(cs, 0.999, "%s backend %d: cosine %.6f", name, be, cs);
        cr_assert_eq(argmax(logits, h.n_vocab), argmax(ref, h.n_vocab), "%s backend %d: argmax", name, be);
        const int n_check = whole_greedy ? e.n_greedy : 1;
        for (int i = 0; i < n_check; i++) {
            const int32_t t = argmax(logits, h.n_vocab);
            cr_assert_eq(t, e.greedy[i], "%s backend %d: greedy token %d is %d, expected %d", name, be, i, t,
                         e.greedy[i]);
            cr_assert_eq(realm_context_eval(c, &t, 1, &logits), REALM_OK, "%s", realm_last_error());
        }
        realm_context_destroy(c);
    }
    realm_runtime_destroy(rt);
    free(ref);
    realm_model_destroy(m);
}

Test(model, stories260K_f32) { check_model("stories260K-f32", true); }
Test(model, tiny_q8_0) { check_model("tiny-q8_0", true); }
Test(model, tiny_q4_0) { check_model("tiny-q4_0", false); }
Test(model, tiny_q4_K_M) { check_model("tiny-q4_K_M", false); }
Test(model, tiny_q6_K) { check_model("tiny-q6_K", false); }
Test(model, tiny_q2_K) { check_model("tiny-q2_K", false); }

Test(model, logits_bit_identical_across_threads_and_executors) {
    char path[512];
    if (!tu_shared_path("models/tiny-q4_K_M.gguf", path, sizeof path))
        cr_skip_test("../shared/models not available (a user's clone has none)");
    realm_model *m;
    cr_assert_eq(realm_model_load(path, &m), REALM_OK, "%s", realm_last_error());
    const int32_t prompt[9] = {1, 450, 7483, 310, 3444, 338, 263, 4272, 29889};
    float *first = NULL;
    int64_t n_vocab = 32000;
    const realm_executor ex[3] = {REALM_EXECUTOR_POOL, REALM_EXECUTOR_OPENMP, REALM_EXECUTOR_SERIAL};
    for (int e = 0; e < 3; e++)
        for (int th = 1; th <= (ex[e] == REALM_EXECUTOR_SERIAL ? 1 : 3); th++) {
            realm_runtime *rt = tu_runtime(th, ex[e]);
            realm_context_params cp = realm_context_params_default();
            cp.n_ctx = 32;
            cp.n_batch = 4; /* prompt in chunks 4 + 4 + 1, then decode */
            realm_context *c;
            cr_assert_eq(realm_context_create(m, rt, &cp, &c), REALM_OK, "%s", realm_last_error());
            const float *logits;
            cr_assert_eq(realm_context_eval(c, prompt, 9, &logits), REALM_OK, "%s", realm_last_error());
            const int32_t t = 29871;
            cr_assert_eq(realm_context_eval(c, &t, 1, &logits), REALM_OK);
            if (!first) {
                first = malloc(sizeof(float) * (size_t)n_vocab);
                memcpy(first, logits, sizeof(float) * (size_t)n_vocab);
            } else {
                cr_assert_eq(memcmp(first, logits, sizeof(float) * (size_t)n_vocab), 0,
                             "executor %d threads %d", e, th);
            }
            realm_context_destroy(c);
            realm_runtime_destroy(rt);
        }
    free(first);
    realm_model_destroy(m);
}

Test(model, context_errors) {
    char path[512];
    if (!tu_shared_path("models/stories260K-f32.gguf", path, sizeof path))
        cr_skip_test("../shared/models not available (a user's clone has none)");
    realm_model *m;
    cr_assert_eq(realm_model_load(path, &m), REALM_OK, "%s", realm_last_error());
    realm_runtime *rt = tu_runtime(1, REALM_EXECUTOR_POOL);
    realm_context_params cp = realm_context_params_default();
    cp.n_ctx = 8;
    realm_context *c;
    cr_assert_eq(realm_context_create(m, rt, &cp, &c), REALM_OK, "%s", realm_last_error());
    const int32_t toks[9] = {1, 438, 113, 346, 318, 115, 265, 263, 260};
    const float *logits;
    cr_assert_eq(realm_context_eval(c, toks, 9, &logits), REALM_ERR_STATE);
    cr_assert_eq(realm_context_pos(c), 0);
    const int32_t bad[2] = {1, 512};
    cr_assert_eq(realm_context_eval(c, bad, 2, &logits), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_context_eval(c, toks, 8, &logits), REALM_OK);
    cr_assert_eq(realm_context_eval(c, toks, 1, &logits), REALM_ERR_STATE);
    cr_assert_eq(realm_context_set_pos(c, 2), REALM_OK);
    cr_assert_eq(realm_context_eval(c, toks, 6, &logits), REALM_OK);
    cr_assert_eq(realm_context_eval(NULL, toks, 1, &logits), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_context_create(m, rt, &(realm_context_params){.n_batch = 0}, &c),
                 REALM_ERR_INVALID_ARG);
    realm_context_destroy(c);
    realm_runtime_destroy(rt);
    realm_model_destroy(m);
    cr_assert_eq(realm_model_load("/nonexistent.gguf", &m), REALM_ERR_IO);
    cr_assert_eq(realm_model_load(NULL, &m), REALM_ERR_INVALID_ARG);
}

Test(model, mmap_and_huge_page_loads_give_the_same_logits) {
    char path[512];
    if (!tu_shared_path("models/tiny-q4_0.gguf", path, sizeof path))
        cr_skip_test("../shared/models not available (a user's clone has none)");
    realm_runtime *rt = tu_runtime(2, REALM_EXECUTOR_POOL);
    const int32_t prompt[6] = {1, 450, 7483, 310, 3444, 338};
    float *first = malloc(sizeof(float) * 32000);
    for (int mode = 0; mode < 2; mode++) {
        realm_model_params mp = realm_model_params_default();
        cr_assert_eq(mp.use_mmap, true);
        mp.use_mmap = mode == 0;
        realm_model *m;
        cr_assert_eq(realm_model_load_ex(path, &mp, &m), REALM_OK, "%s", realm_last_error());
        realm_context *c;
        cr_assert_eq(realm_context_create(m, rt, NULL, &c), REALM_OK, "%s", realm_last_error());
        const float *logits;
        cr_assert_eq(realm_context_eval(c, prompt, 6, &logits), REALM_OK);
        if (mode == 0)
            memcpy(first, logits, sizeof(float) * 32000);
        else
            cr_assert_eq(memcmp(first, logits, sizeof(float) * 32000), 0);
        realm_context_destroy(c);
        realm_model_destroy(m);
    }
    free(first);
    realm_runtime_destroy(rt);
    realm_model *m = NULL;
    cr_assert_eq(realm_model_load_ex("/nonexistent.gguf", NULL, &m), REALM_ERR_IO);
    cr_assert_null(m);
    cr_assert_eq(realm_model_load_ex(NULL, NULL, &m), REALM_ERR_INVALID_ARG);
}

/* Matmul weights repacked at load (realm_model_params.repack): a 9-token
 * prefill with all logits (every matmul on the GEMM path, batch >= 8) gives
 * the GGUF layout's bits; decode runs other kernels, so its logits differ
 * in float order only. */
Test(model, repacked_weights_match_gguf_layout) {
    char path[512];
    if (!tu_shared_path("models/tiny-q4_K_M.gguf", path, sizeof path))
        cr_skip_test("../shared/models not available (a user's clone has none)");
    realm_runtime *rt = tu_runtime(2, REALM_EXECUTOR_POOL);
    const int32_t prompt[9] = {1, 450, 7483, 310, 3444, 338, 263, 4272, 29889}, next = 29871;
    const int64_t n_vocab = 32000;
    float *pre[2], *dec[2];
    for (int repack = 0; repack < 2; repack++) {
        realm_model_params mp = realm_model_params_default();
        cr_assert(mp.repack, "repacking is the default");
        mp.repack = repack;
        realm_model *m;
        cr_assert_eq(realm_model_load_ex(path, &mp, &m), REALM_OK, "%s", realm_last_error());
        realm_context_params cp = realm_context_params_default();
        cp.n_ctx = 32;
        cp.all_logits = true;
        realm_context *c;
        cr_assert_eq(realm_context_create(m, rt, &cp, &c), REALM_OK, "%s", realm_last_error());
        const float *logits;
        pre[repack] = malloc(sizeof(float) * (size_t)(9 * n_vocab));
        dec[repack] = malloc(sizeof(float) * (size_t)n_vocab);
        cr_assert_eq(realm_context_eval(c, prompt, 9, &logits), REALM_OK, "%s", realm_last_error());
        memcpy(pre[repack], logits, sizeof(float) * (size_t)(9 * n_vocab));
        cr_assert_eq(realm_context_eval(c, &next, 1, &logits), REALM_OK, "%s", realm_last_error());
        memcpy(dec[repack], logits, sizeof(float) * (size_t)n_vocab);
        realm_context_destroy(c);
        realm_model_destroy(m);
    }
    cr_assert_eq(memcmp(pre[0], pre[1], sizeof(float) * (size_t)(9 * n_vocab)), 0, "prefill logits differ");
    cr_assert_geq(cosine(dec[0], dec[1], n_vocab), 0.99999);
    cr_assert_eq(argmax(dec[0], n_vocab), argmax(dec[1], n_vocab));
    if (realm_layout_preferred(REALM_TYPE_Q4_K) == REALM_LAYOUT_ROWS16)
        cr_assert_neq(memcmp(dec[0], dec[1], sizeof(float) * (size_t)n_vocab), 0,
                      "decode ran the same kernels: nothing was repacked");
    for (int i = 0; i < 2; i++) {
        free(pre[i]);
        free(dec[i]);
    }
    realm_runtime_destroy(rt);
}
