/* Bad input to gguf.h, tokenizer.h, sampling.h and model.h (see
 * test_api_errors.c). */
#include "api_errors.h"

/* ---- gguf.h ------------------------------------------------------------------------ */

/* A small valid file from the writer, read back from memory. */
static void *tiny_gguf(size_t *size) {
    realm_gguf_writer *w = NULL;
    cr_assert_eq(realm_gguf_writer_create(&w), REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_u32(w, "k.u32", 7), REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_i32(w, "k.i32", -7), REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_str(w, "k.str", "text"), REALM_OK);
    const char *strs[2] = {"a", "bc"};
    cr_assert_eq(realm_gguf_writer_set_arr_str(w, "k.strs", strs, 2), REALM_OK);
    static float t[64];
    const int64_t ne[2] = {32, 2};
    cr_assert_eq(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, ne, t, sizeof t), REALM_OK);
    char path[256];
    const int fd = tu_mkstemp(path, sizeof path, "realm_api_errors_");
    cr_assert(fd >= 0);
    close(fd);
    cr_assert_eq(realm_gguf_writer_write(w, path), REALM_OK, "%s", realm_last_error());
    realm_gguf_writer_destroy(w);
    void *data = tu_read_file(path, size);
    unlink(path);
    cr_assert_not_null(data);
    return data;
}

Test(api_errors, gguf) {
    realm_gguf *g = (realm_gguf *)(uintptr_t)1;
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_open(NULL, &g));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_open("/nonexistent.gguf", NULL));
    FAILS(REALM_ERR_IO, realm_gguf_open("/nonexistent/model.gguf", &g));
    cr_expect_null(g);
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_open_memory(NULL, 16, &g));
    FAILS(REALM_ERR_FORMAT, realm_gguf_open_memory("GGUF", 4, &g));
    FAILS(REALM_ERR_FORMAT, realm_gguf_open_memory("not a gguf file at all, no", 26, &g));
    realm_gguf_close(NULL);
    cr_expect_eq(realm_gguf_version(NULL), 0);
    cr_expect_eq(realm_gguf_n_kv(NULL), 0);
    cr_expect_eq(realm_gguf_n_tensors(NULL), 0);
    cr_expect_eq(realm_gguf_find_key(NULL, "k"), -1);
    cr_expect_eq(realm_gguf_find_tensor(NULL, "t"), -1);
    cr_expect_str_eq(realm_gguf_vtype_name((realm_gguf_vtype)99), "invalid");

    size_t size = 0;
    unsigned char *file = tiny_gguf(&size);
    /* Every truncation of a valid file is an error, never a crash. */
    for (size_t n = 0; n < size; n += n < 64 ? 1 : 7) {
        clear_error();
        realm_gguf *t = NULL;
        const realm_status st = realm_gguf_open_memory(file, n, &t);
        if (st == REALM_OK) {
            realm_gguf_close(t);
            continue; /* trailing padding of the data section */
        }
        cr_expect_null(t);
        cr_expect(realm_last_error()[0] != '\0', "truncated to %zu bytes: no message", n);
    }
    cr_assert_eq(realm_gguf_open_memory(file, size, &g), REALM_OK, "%s", realm_last_error());
    uint32_t u32 = 0;
    uint64_t u64;
    int64_t i64;
    float f32;
    bool b;
    const char *s;
    size_t len;
    realm_gguf_vtype et;
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_get_u32(NULL, "k.u32", &u32));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_get_u32(g, NULL, &u32));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_get_u32(g, "k.u32", NULL));
    FAILS(REALM_ERR_FORMAT, realm_gguf_get_u32(g, "missing", &u32));
    FAILS(REALM_ERR_FORMAT, realm_gguf_get_u32(g, "k.i32", &u32)); /* negative */
    FAILS(REALM_ERR_FORMAT, realm_gguf_get_u64(g, "k.i32", &u64));
    FAILS(REALM_ERR_FORMAT, realm_gguf_get_i64(g, "k.str", &i64));
    FAILS(REALM_ERR_FORMAT, realm_gguf_get_f32(g, "k.u32", &f32));
    FAILS(REALM_ERR_FORMAT, realm_gguf_get_bool(g, "k.u32", &b));
    FAILS(REALM_ERR_FORMAT, realm_gguf_get_str(g, "k.u32", &s, &len));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_get_str(g, "k.str", NULL, &len));
    FAILS(REALM_ERR_FORMAT, realm_gguf_get_arr(g, "k.str", &et, &i64, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_get_arr_str(g, "k.strs", 2, &s, &len));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_get_arr_str(g, "k.strs", -1, &s, &len));
    FAILS(ANY, realm_gguf_get_arr_str(g, "k.str", 0, &s, &len));
    cr_expect_eq(u32, 0, "out written on failure");
    cr_expect_null(realm_gguf_key(g, -1));
    cr_expect_null(realm_gguf_key(g, realm_gguf_n_kv(g)));
    cr_expect_eq(realm_gguf_kv_type(g, INT64_MAX), REALM_GGUF_NONE);
    cr_expect_eq(realm_gguf_find_key(g, NULL), -1);
    realm_gguf_tensor ti;
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_tensor_info(g, 1, &ti));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_tensor_info(g, -1, &ti));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_tensor_info(g, 0, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_tensor_info(NULL, 0, &ti));
    cr_expect_eq(realm_gguf_tensor_info(g, 0, &ti), REALM_OK);
    realm_gguf_close(g);
    free(file);

    /* Writer. */
    realm_gguf_writer *w = NULL;
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_create(NULL));
    realm_gguf_writer_destroy(NULL);
    cr_assert_eq(realm_gguf_writer_create(&w), REALM_OK);
    const uint32_t v = 3;
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_scalar(NULL, "k", REALM_GGUF_UINT32, &v));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_scalar(w, "", REALM_GGUF_UINT32, &v));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_scalar(w, "k", REALM_GGUF_STRING, &v));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_scalar(w, "k", (realm_gguf_vtype)77, &v));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_scalar(w, "k", REALM_GGUF_UINT32, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_u32(w, "general.alignment", 3));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_str(w, "k", NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_arr(w, "k", REALM_GGUF_UINT32, NULL, 2));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_arr(w, "k", REALM_GGUF_UINT32, &v, -1));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_arr_str(w, "k", NULL, 2));
    const int64_t ne[2] = {32, 2}, bad_ne[2] = {33, 2}, huge_ne[2] = {32, INT64_MAX / 4};
    static float t[64];
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_add_tensor(w, NULL, REALM_TYPE_F32, 2, ne, t, sizeof t));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_add_tensor(w, "t", (realm_type)4, 2, ne, t, sizeof t));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 5, ne, t, sizeof t));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, NULL, t, sizeof t));
    FAILS(REALM_ERR_SHAPE, realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_Q8_0, 2, bad_ne, t, sizeof t));
    FAILS(REALM_ERR_SHAPE, realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, ne, t, sizeof t - 4));
    FAILS(ANY, realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, huge_ne, t, sizeof t));
    cr_assert_eq(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, ne, t, sizeof t), REALM_OK);
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, ne, t, sizeof t));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_write(w, NULL));
    FAILS(REALM_ERR_IO, realm_gguf_writer_write(w, "/nonexistent/dir/x.gguf"));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_copy_kv(w, NULL, 0));
    realm_gguf_writer_destroy(w);
}

/* ---- tokenizer.h --------------------------------------------------------------------- */

Test(api_errors, tokenizer) {
    realm_tokenizer *t = NULL;
    realm_vocab_desc d = realm_vocab_desc_default();
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenizer_create(NULL, &t));
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenizer_create(&d, &t)); /* no tokens */
    const char *toks[4] = {"<unk>", "<s>", "</s>", "\xe2\x96\x81x"};
    d.n_tokens = 4;
    d.tokens = toks;
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenizer_create(&d, NULL));
    d.bos_id = 4;
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenizer_create(&d, &t));
    d.bos_id = 1;
    const char *null_tok[4] = {"<unk>", NULL, "</s>", "x"};
    d.tokens = null_tok;
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenizer_create(&d, &t));
    d.tokens = toks;
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenizer_from_gguf(NULL, &t));
    realm_tokenizer_destroy(NULL);
    cr_expect_eq(realm_tokenizer_n_vocab(NULL), 0);
    cr_expect_eq(realm_tokenizer_bos(NULL), -1);
    cr_expect_eq(realm_tokenizer_token_type(NULL, 0), 0);
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_OK, "%s", realm_last_error());
    cr_expect_eq(realm_tokenizer_token_type(t, 4), 0);
    cr_expect_eq(realm_tokenizer_token_type(t, -1), 0);

    int32_t ids[8];
    int64_t n = -1;
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenize(NULL, "x", 1, false, ids, 8, &n));
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenize(t, NULL, 1, false, ids, 8, &n));
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenize(t, "x", 1, false, NULL, 8, &n));
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenize(t, "x", 1, false, ids, -1, &n));
    FAILS(REALM_ERR_INVALID_ARG, realm_tokenize(t, "x", 1, false, ids, 8, NULL));
    FAILS(REALM_ERR_SHAPE, realm_tokenize(t, "x x x", 5, true, ids, 1, &n));
    cr_expect_gt(n, 1, "the needed count is reported");
    FAILS(ANY, realm_tokenize(t, "x", SIZE_MAX, false, ids, 8, &n));
    /* 'y' has no token, no byte token: the unknown token. Without unk: an error. */
    cr_expect_eq(realm_tokenize(t, "y", 1, false, ids, 8, &n), REALM_OK, "%s", realm_last_error());
    realm_tokenizer_destroy(t);
    d.unk_id = -1;
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_OK, "%s", realm_last_error());
    FAILS(REALM_ERR_FORMAT, realm_tokenize(t, "y", 1, false, ids, 8, &n));
    realm_tokenizer_destroy(t);
    d.unk_id = 0;
    d.bos_id = -1;
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_OK, "%s", realm_last_error());
    FAILS(REALM_ERR_STATE, realm_tokenize(t, "x", 1, true, ids, 8, &n));

    char buf[16];
    size_t len;
    FAILS(REALM_ERR_INVALID_ARG, realm_token_piece(t, 4, buf, sizeof buf, &len));
    FAILS(REALM_ERR_INVALID_ARG, realm_token_piece(t, -1, buf, sizeof buf, &len));
    FAILS(REALM_ERR_INVALID_ARG, realm_token_piece(t, 3, NULL, sizeof buf, &len));
    FAILS(REALM_ERR_INVALID_ARG, realm_token_piece(t, 3, buf, sizeof buf, NULL));
    FAILS(REALM_ERR_SHAPE, realm_token_piece(t, 3, buf, 1, &len));
    const int32_t bad_ids[2] = {3, 9};
    FAILS(REALM_ERR_INVALID_ARG, realm_detokenize(t, bad_ids, 2, buf, sizeof buf, &len));
    FAILS(REALM_ERR_INVALID_ARG, realm_detokenize(t, bad_ids, -1, buf, sizeof buf, &len));
    FAILS(REALM_ERR_INVALID_ARG, realm_detokenize(t, NULL, 2, buf, sizeof buf, &len));
    FAILS(REALM_ERR_INVALID_ARG, realm_detokenize(NULL, bad_ids, 1, buf, sizeof buf, &len));
    const int32_t many[3] = {3, 3, 3};
    FAILS(REALM_ERR_SHAPE, realm_detokenize(t, many, 3, buf, 2, &len));
    cr_expect_eq(len, 5, "the needed length is reported");
    realm_tokenizer_destroy(t);
}

/* ---- sampling.h ------------------------------------------------------------------------ */

Test(api_errors, sampling) {
    realm_sampler *s = (realm_sampler *)(uintptr_t)1;
    realm_sampler_params p = realm_sampler_params_default();
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_create(&p, 8, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_create(&p, 0, &s));
    const struct {
        const char *what;
        realm_sampler_params p;
    } bad[] = {
        {"temperature -1", {.temperature = -1.0f, .top_p = 1.0f, .repeat_penalty = 1.0f}},
        {"temperature NaN", {.temperature = NAN, .top_p = 1.0f, .repeat_penalty = 1.0f}},
        {"top_k -1", {.temperature = 1.0f, .top_k = -1, .top_p = 1.0f, .repeat_penalty = 1.0f}},
        {"top_p 0", {.temperature = 1.0f, .top_p = 0.0f, .repeat_penalty = 1.0f}},
        {"top_p 1.5", {.temperature = 1.0f, .top_p = 1.5f, .repeat_penalty = 1.0f}},
        {"min_p -0.1", {.temperature = 1.0f, .top_p = 1.0f, .min_p = -0.1f, .repeat_penalty = 1.0f}},
        {"min_p 2", {.temperature = 1.0f, .top_p = 1.0f, .min_p = 2.0f, .repeat_penalty = 1.0f}},
        {"repeat_penalty 0", {.temperature = 1.0f, .top_p = 1.0f, .repeat_penalty = 0.0f}},
        {"repeat_penalty inf", {.temperature = 1.0f, .top_p = 1.0f, .repeat_penalty = INFINITY}},
        {"repeat_last_n -1",
         {.temperature = 1.0f, .top_p = 1.0f, .repeat_penalty = 1.0f, .repeat_last_n = -1}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        clear_error();
        s = (realm_sampler *)(uintptr_t)1;
        expect_fail(REALM_ERR_INVALID_ARG, realm_sampler_create(&bad[i].p, 8, &s), bad[i].what, __LINE__);
        cr_expect_null(s, "%s: out not cleared", bad[i].what);
    }
    realm_sampler_destroy(NULL);
    realm_sampler_reset(NULL);
    cr_assert_eq(realm_sampler_create(NULL, 8, &s), REALM_OK, "%s", realm_last_error());
    float logits[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    int32_t tok = -5;
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_sample(NULL, logits, &tok));
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_sample(s, NULL, &tok));
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_sample(s, logits, NULL));
    logits[3] = NAN;
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_sample(s, logits, &tok));
    logits[3] = INFINITY;
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_sample(s, logits, &tok));
    cr_expect_eq(tok, -5, "token written on failure");
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_accept(s, 8));
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_accept(s, -1));
    FAILS(REALM_ERR_INVALID_ARG, realm_sampler_accept(NULL, 0));
    realm_sampler_destroy(s);
}

/* ---- model.h ---------------------------------------------------------------------------- */

Test(api_errors, model) {
    realm_model *m = (realm_model *)(uintptr_t)1;
    FAILS(REALM_ERR_INVALID_ARG, realm_model_load(NULL, &m));
    FAILS(REALM_ERR_INVALID_ARG, realm_model_load("x.gguf", NULL));
    FAILS(REALM_ERR_IO, realm_model_load("/nonexistent/model.gguf", &m));
    FAILS(REALM_ERR_INVALID_ARG, realm_model_from_gguf(NULL, false, &m));
    realm_model_destroy(NULL);
    realm_context_destroy(NULL);
    realm_model_hparams hp;
    FAILS(REALM_ERR_INVALID_ARG, realm_model_get_hparams(NULL, &hp));
    cr_expect_null(realm_model_gguf(NULL));
    cr_expect_eq(realm_model_weight_bytes(NULL), 0);
    cr_expect_eq(realm_context_pos(NULL), -1);
    cr_expect_eq(realm_context_n_ctx(NULL), -1);
    cr_expect_null(realm_context_plan(NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_context_set_pos(NULL, 0));
    FAILS(REALM_ERR_INVALID_ARG, realm_context_eval(NULL, (const int32_t[]){1}, 1, NULL));

    /* A GGUF that is no llama model: not a crash, an error. */
    size_t size = 0;
    void *file = tiny_gguf(&size);
    realm_gguf *g = NULL;
    cr_assert_eq(realm_gguf_open_memory(file, size, &g), REALM_OK);
    FAILS(ANY, realm_model_from_gguf(g, true, &m));
    free(file);

    char path[4096];
    if (!tu_shared_path("models/tiny-q8_0.gguf", path, sizeof path)) return;
    if (access(path, R_OK) != 0) return;
    cr_assert_eq(realm_model_load(path, &m), REALM_OK, "%s", realm_last_error());
    realm_runtime *rt = serial_rt();
    realm_context *c = NULL;
    realm_context_params cp = realm_context_params_default();
    FAILS(REALM_ERR_INVALID_ARG, realm_context_create(NULL, rt, &cp, &c));
    FAILS(REALM_ERR_INVALID_ARG, realm_context_create(m, NULL, &cp, &c));
    FAILS(REALM_ERR_INVALID_ARG, realm_context_create(m, rt, &cp, NULL));
    cp.n_ctx = -1;
    FAILS(REALM_ERR_INVALID_ARG, realm_context_create(m, rt, &cp, &c));
    cp = realm_context_params_default();
    cp.n_batch = 0;
    FAILS(REALM_ERR_INVALID_ARG, realm_context_create(m, rt, &cp, &c));
    cp = realm_context_params_default();
    cp.n_ctx = 8;
    cp.n_batch = 4;
    cr_assert_eq(realm_context_create(m, rt, &cp, &c), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_model_get_hparams(m, &hp), REALM_OK);
    const int32_t toks[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const int32_t bad_tok[1] = {(int32_t)hp.n_vocab};
    FAILS(REALM_ERR_INVALID_ARG, realm_context_eval(c, bad_tok, 1, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_context_eval(c, toks, 0, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_context_eval(c, NULL, 1, NULL));
    FAILS(REALM_ERR_STATE, realm_context_eval(c, toks, 9, NULL)); /* past n_ctx */
    cr_expect_eq(realm_context_pos(c), 0, "a rejected eval moved the position");
    FAILS(REALM_ERR_INVALID_ARG, realm_context_set_pos(c, 1));
    FAILS(REALM_ERR_INVALID_ARG, realm_context_set_pos(c, -1));
    realm_context_destroy(c);
    realm_runtime_destroy(rt);
    realm_model_destroy(m);
}
