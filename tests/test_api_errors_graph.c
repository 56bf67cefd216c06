/* Bad input to graph.h: construction, overflowing shapes, compile and run,
 * the LLM ops, KV caches, profiling (see test_api_errors.c). */
#include "api_errors.h"

/* ---- graph.h ---------------------------------------------------------------------- */

Test(api_errors, graph_build) {
    realm_graph *g = NULL;
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_create(NULL));
    realm_graph_destroy(NULL);
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    realm_graph *g2 = NULL;
    cr_assert_eq(realm_graph_create(&g2), REALM_OK);

    const int64_t d2[2] = {4, 32}, dyn[2] = {REALM_DIM_DYNAMIC, 32}, w2[2] = {8, 32};
    const int64_t bigw[2] = {BIG, 64}, bigk[2] = {2, INT64_MAX / 32 * 32};
    const int64_t neg[2] = {-4, 32}, zero[2] = {0, 32}, d5[5] = {1, 1, 1, 1, 1};
    char longname[REALM_MAX_NAME + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';

    /* Inputs. */
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(NULL, "x", 2, d2, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, NULL, 2, d2, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, "", 2, d2, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, longname, 2, d2, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, "x", 2, NULL, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, "x", 0, d2, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, "x", 5, d5, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, "x", 2, neg, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, "x", 2, zero, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, "x", 2, dyn, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, "x", 2, dyn, -3, &st_));
    realm_tensor *x = realm_input(g, "x", 2, dyn, 4, NULL);
    cr_assert_not_null(x, "%s", realm_last_error());
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input(g, "x", 2, dyn, 4, &st_));
    NULL_WITH(REALM_ERR_SHAPE, realm_input(g, "y", 2, dyn, 5, &st_));
    realm_tensor *x2 = realm_input(g2, "x", 2, dyn, 4, NULL);
    cr_assert_not_null(x2);

    /* Weights. */
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_weight(NULL, "w", REALM_TYPE_Q8_0, 2, w2, blk, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_weight(g, "w", (realm_type)4, 2, w2, blk, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_weight(g, "w", REALM_TYPE_Q8_0, 3, d5, blk, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_weight(g, "w", REALM_TYPE_Q8_0, 2, NULL, blk, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_weight(g, "w", REALM_TYPE_Q8_0, 2, neg, blk, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_weight(g, "w", REALM_TYPE_Q8_0, 2, dyn, blk, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_weight(g, longname, REALM_TYPE_Q8_0, 2, w2, blk, &st_));
    const int64_t odd[2] = {8, 33};
    NULL_WITH(REALM_ERR_SHAPE, realm_weight(g, "w", REALM_TYPE_Q8_0, 2, odd, blk, &st_));
    NULL_WITH(REALM_ERR_OVERFLOW, realm_weight(g, "w", REALM_TYPE_Q8_0, 2, bigw, blk, &st_));
    NULL_WITH(REALM_ERR_OVERFLOW, realm_weight(g, "w", REALM_TYPE_F32, 2, bigk, blk, &st_));
    realm_tensor *w = realm_weight(g, "w", REALM_TYPE_Q8_0, 2, w2, blk, NULL);
    realm_tensor *w_other = realm_weight(g2, "w", REALM_TYPE_Q8_0, 2, w2, blk, NULL);
    cr_assert(w && w_other, "%s", realm_last_error());
    FAILS(REALM_ERR_INVALID_ARG, realm_weight_bind(NULL, w, blk));
    FAILS(REALM_ERR_INVALID_ARG, realm_weight_bind(g, NULL, blk));
    FAILS(REALM_ERR_INVALID_ARG, realm_weight_bind(g, x, blk));
    FAILS(REALM_ERR_INVALID_ARG, realm_weight_bind(g, w_other, blk));

    /* Ops: NULLs, tensors of another graph, wrong types, wrong shapes. */
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_matmul(NULL, w, x, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_matmul(g, NULL, x, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_matmul(g, w, NULL, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_matmul(g, w_other, x, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_matmul(g, w, x2, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_matmul(g, x, x, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_add(g, w, w, &st_));
    realm_tensor *h = realm_op_matmul(g, w, x, NULL); /* [T, 8] */
    cr_assert_not_null(h, "%s", realm_last_error());
    NULL_WITH(REALM_ERR_SHAPE, realm_op_matmul(g, w, h, &st_));
    NULL_WITH(REALM_ERR_SHAPE, realm_op_add(g, x, h, &st_));
    NULL_WITH(REALM_ERR_SHAPE, realm_op_mul(g, h, x, &st_));
    NULL_WITH(REALM_ERR_SHAPE, realm_op_swiglu(g, h, x, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_swiglu(g, h, NULL, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_mul(g, x2, x, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_matmul_f32(g, NULL, x, false, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_matmul_f32(g, w, x, true, &st_));
    NULL_WITH(REALM_ERR_SHAPE, realm_op_matmul_f32(g, x, h, true, &st_));
    NULL_WITH(REALM_ERR_SHAPE, realm_op_matmul_f32(g, x, x, false, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_scale(g, x, INFINITY, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_scale(g, w, 2.0f, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_unary(g, REALM_UNARY_COUNT, x, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_unary(g, (realm_unary_op)-7, x, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_silu(g, NULL, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_gelu(NULL, x, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_relu(g, x2, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_rms_norm(g, x, NULL, 0.0f, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_rms_norm(g, x, NULL, NAN, &st_));
    NULL_WITH(REALM_ERR_SHAPE, realm_op_rms_norm(g, x, h, 1e-5f, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_rms_norm(g, w, NULL, 1e-5f, &st_));
    NULL_WITH(REALM_ERR_SHAPE, realm_op_layer_norm(g, x, NULL, h, 1e-5f, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_layer_norm(g, x, NULL, NULL, -1.0f, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_softmax(g, x, NAN, false, 0, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_softmax(g, x, 1.0f, true, -1, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_softmax(g, NULL, 1.0f, false, 0, &st_));
    realm_rope_params rp = realm_rope_params_default();
    rp.n_rot = 3;
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_rope(g, x, &rp, &st_));
    rp.n_rot = 64;
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_rope(g, x, &rp, &st_));
    rp = realm_rope_params_default();
    rp.freq_scale = 0.0f;
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_rope(g, x, &rp, &st_));
    const int64_t d1[1] = {32};
    realm_tensor *x1 = realm_input(g, "one", 1, d1, 0, NULL);
    cr_assert_not_null(x1, "%s", realm_last_error());
    NULL_WITH(REALM_ERR_SHAPE, realm_op_rope(g, x1, NULL, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_rope(g, w, NULL, &st_));

    /* Outputs and names. */
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_output(NULL, h));
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_output(g, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_output(g, x));
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_output(g, w));
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_output(g2, h));
    FAILS(REALM_ERR_INVALID_ARG, realm_tensor_set_name(g, h, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_tensor_set_name(g, h, ""));
    FAILS(REALM_ERR_INVALID_ARG, realm_tensor_set_name(g, h, longname));
    FAILS(REALM_ERR_INVALID_ARG, realm_tensor_set_name(g, x, "xx"));
    FAILS(REALM_ERR_INVALID_ARG, realm_tensor_set_name(NULL, h, "h"));
    FAILS(REALM_ERR_INVALID_ARG, realm_tensor_set_name(g2, h, "h"));
    cr_assert_eq(realm_tensor_set_name(g, h, "h"), REALM_OK);
    realm_tensor *h2 = realm_op_relu(g, h, NULL);
    cr_assert_not_null(h2);
    FAILS(REALM_ERR_INVALID_ARG, realm_tensor_set_name(g, h2, "h"));
    clear_error();
    cr_expect_null(realm_graph_find_input(g, "nope"));
    HAS_MESSAGE("find_input unknown");
    clear_error();
    cr_expect_null(realm_graph_find_input(NULL, "x"));
    HAS_MESSAGE("find_input NULL graph");
    clear_error();
    cr_expect_null(realm_graph_find_input(g, NULL));
    HAS_MESSAGE("find_input NULL name");
    realm_shape s;
    FAILS(REALM_ERR_INVALID_ARG, realm_tensor_shape(NULL, &s));
    FAILS(REALM_ERR_INVALID_ARG, realm_tensor_shape(x, NULL));
    cr_expect_eq(realm_tensor_type(NULL), REALM_TYPE_COUNT);

    realm_graph_destroy(g);
    realm_graph_destroy(g2);
}

/* Inputs whose element counts overflow: rejected by realm_input() or, at the
 * latest, by realm_graph_compile() with REALM_ERR_OVERFLOW (before any
 * arena is allocated). */
Test(api_errors, graph_overflowing_shapes) {
    realm_runtime *rt = serial_rt();
    const int64_t big2[2] = {BIG, BIG}, dyn[2] = {REALM_DIM_DYNAMIC, INT64_MAX / 8}, bigw[2] = {3, 32};
    const int64_t *shapes[2] = {big2, dyn};
    const int64_t max_tokens[2] = {0, INT64_MAX / 4};
    for (int i = 0; i < 2; i++) {
        realm_graph *g = NULL;
        cr_assert_eq(realm_graph_create(&g), REALM_OK);
        clear_error();
        realm_status st = REALM_OK;
        realm_tensor *x = realm_input(g, "x", 2, shapes[i], max_tokens[i], &st);
        if (!x) {
            expect_fail(REALM_ERR_OVERFLOW, st, "realm_input with an overflowing shape", __LINE__);
            realm_graph_destroy(g);
            continue;
        }
        realm_tensor *y = realm_op_relu(g, realm_op_scale(g, x, 2.0f, &st), &st);
        realm_tensor *w = realm_weight(g, "w", REALM_TYPE_F32, 2, bigw, blk, &st);
        realm_tensor *z = realm_op_matmul(g, w, y, &st);
        realm_tensor *outs[2] = {y, z};
        for (int k = 0; k < 2; k++)
            if (outs[k]) cr_assert_eq(realm_graph_output(g, outs[k]), REALM_OK, "%s", realm_last_error());
        realm_plan *plan = NULL;
        FAILS(REALM_ERR_OVERFLOW, realm_graph_compile(g, rt, NULL, &plan));
        cr_expect_null(plan);
        realm_plan_destroy(plan);
        realm_graph_destroy(g);
    }
    realm_runtime_destroy(rt);
}

Test(api_errors, graph_compile_and_run) {
    realm_runtime *rt = serial_rt();
    realm_graph *g = NULL;
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    const int64_t dyn[2] = {REALM_DIM_DYNAMIC, 32}, w2[2] = {8, 32};
    realm_tensor *x = realm_input(g, "x", 2, dyn, 4, NULL);
    realm_tensor *w = realm_weight(g, "w", REALM_TYPE_Q8_0, 2, w2, NULL, NULL);
    realm_tensor *h = realm_op_matmul(g, w, x, NULL);
    cr_assert_not_null(h, "%s", realm_last_error());
    cr_assert_eq(realm_tensor_set_name(g, h, "h"), REALM_OK);
    realm_plan *plan = (realm_plan *)(uintptr_t)1;

    /* Compile: NULLs, bad options, no output, unbound weight. */
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_compile(NULL, rt, NULL, &plan));
    cr_expect_null(plan, "out not cleared on failure");
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_compile(g, NULL, NULL, &plan));
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_compile(g, rt, NULL, NULL));
    FAILS(REALM_ERR_STATE, realm_graph_compile(g, rt, NULL, &plan));
    cr_assert_eq(realm_graph_output(g, h), REALM_OK);
    FAILS(REALM_ERR_STATE, realm_graph_compile(g, rt, NULL, &plan));
    static unsigned char wdata[8 * 34];
    float row[32];
    for (int i = 0; i < 32; i++)
        row[i] = (float)i / 32.0f;
    for (int r = 0; r < 8; r++)
        cr_assert_eq(realm_quantize_row(REALM_TYPE_Q8_0, row, wdata + r * 34, 32), REALM_OK);
    cr_assert_eq(realm_weight_bind(g, w, wdata), REALM_OK);
    realm_graph_options o = realm_graph_options_default();
    o.flags = 4;
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_compile(g, rt, &o, &plan));
    o = realm_graph_options_default();
    o.backend = (realm_backend)42;
    FAILS(REALM_ERR_INVALID_ARG, realm_graph_compile(g, rt, &o, &plan));
    cr_assert_eq(realm_graph_compile(g, rt, NULL, &plan), REALM_OK, "%s", realm_last_error());

    realm_plan_info info;
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_get_info(NULL, &info));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_get_info(plan, NULL));

    /* Output before any run. */
    const float *out = NULL;
    realm_shape s;
    FAILS(REALM_ERR_STATE, realm_plan_output(plan, h, &out, &s));
    FAILS(REALM_ERR_STATE, realm_plan_output_by_name(plan, "h", &out, &s));

    /* Run: NULLs, counts, unknown names, wrong shapes, token counts out of range. */
    float xin[8 * 32];
    for (int i = 0; i < 8 * 32; i++)
        xin[i] = 1.0f;
    realm_binding b = {.tensor = x, .data = xin, .shape = {.n_dims = 2, .dims = {2, 32}}};
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(NULL, &b, 1));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(plan, NULL, 1));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(plan, &b, -1));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(plan, &b, 0));
    realm_binding bad = b;
    bad.data = NULL;
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(plan, &bad, 1));
    bad = b;
    bad.tensor = h;
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(plan, &bad, 1));
    bad = b;
    bad.tensor = NULL;
    bad.name = "nope";
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(plan, &bad, 1));
    bad.name = NULL;
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(plan, &bad, 1));
    realm_binding twice[2] = {b, b};
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(plan, twice, 2));
    bad = b;
    bad.shape.dims[0] = 5;
    FAILS(REALM_ERR_SHAPE, realm_plan_run(plan, &bad, 1));
    bad.shape.dims[0] = 0;
    FAILS(REALM_ERR_SHAPE, realm_plan_run(plan, &bad, 1));
    bad.shape.dims[0] = INT64_MAX;
    FAILS(REALM_ERR_SHAPE, realm_plan_run(plan, &bad, 1));
    bad.shape.dims[0] = -1;
    FAILS(REALM_ERR_SHAPE, realm_plan_run(plan, &bad, 1));
    bad = b;
    bad.shape.dims[1] = 31;
    FAILS(REALM_ERR_SHAPE, realm_plan_run(plan, &bad, 1));
    bad = b;
    bad.shape.n_dims = 3;
    FAILS(REALM_ERR_SHAPE, realm_plan_run(plan, &bad, 1));
    bad.shape.n_dims = 99;
    FAILS(ANY, realm_plan_run(plan, &bad, 1));
    bad.shape.n_dims = -1;
    FAILS(ANY, realm_plan_run(plan, &bad, 1));
    /* A failed run does not make the plan's output readable. */
    FAILS(REALM_ERR_STATE, realm_plan_output(plan, h, &out, &s));

    cr_assert_eq(realm_plan_run(plan, &b, 1), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_plan_output(plan, h, &out, &s), REALM_OK, "%s", realm_last_error());
    cr_expect(s.n_dims == 2 && s.dims[0] == 2 && s.dims[1] == 8);
    cr_expect(fabsf(out[0] - 15.5f) < 0.1f, "out[0] = %g, want sum(i/32) = 15.5", out[0]);
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_output(NULL, h, &out, &s));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_output(plan, NULL, &out, &s));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_output(plan, x, &out, &s));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_output(plan, h, NULL, &s));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_output_by_name(plan, "nope", &out, &s));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_output_by_name(plan, NULL, &out, &s));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_output_by_name(NULL, "h", &out, &s));

    realm_plan_destroy(plan);
    realm_plan_destroy(NULL);
    realm_graph_destroy(g);
    realm_runtime_destroy(rt);
}

/* ---- ops.h attention, graph.h LLM ops, KV cache, profiling ------------------------------ */

Test(api_errors, attention_and_llm_graph_ops) {
    static float q[64], k[64], v[64], out[64];
    for (int i = 0; i < 2; i++) {
        const realm_backend b = i ? OPT : NAIVE;
        FAILS(REALM_ERR_INVALID_ARG, realm_attention(b, NULL, k, v, out, 1, 2, 1, 8, 1, 0, 0.5f));
        FAILS(REALM_ERR_INVALID_ARG, realm_attention(b, q, k, v, NULL, 1, 2, 1, 8, 1, 0, 0.5f));
        FAILS(REALM_ERR_INVALID_ARG, realm_attention(b, q, k, v, out, 0, 2, 1, 8, 1, 0, 0.5f));
        FAILS(REALM_ERR_INVALID_ARG, realm_attention(b, q, k, v, out, 1, 2, 1, 8, 1, 0, NAN));
        FAILS(REALM_ERR_INVALID_ARG,
              realm_attention(b, q, k, v, out, 1, 1, 1, REALM_ATTENTION_MAX_HEAD_DIM + 1, 1, 0, 1.0f));
        FAILS(REALM_ERR_INVALID_ARG, realm_attention(b, q, k, v, q, 1, 2, 1, 8, 1, 0, 0.5f)); /* overlap */
        FAILS(REALM_ERR_SHAPE, realm_attention(b, q, k, v, out, 1, 3, 2, 8, 1, 0, 0.5f));
        FAILS(REALM_ERR_SHAPE, realm_attention(b, q, k, v, out, 2, 2, 1, 8, 1, 0, 0.5f)); /* n_kv < tokens */
        FAILS(REALM_ERR_SHAPE, realm_attention(b, q, k, v, out, 1, 2, 1, 8, 4, 4, 0.5f));
        FAILS(REALM_ERR_OVERFLOW, realm_attention(b, q, k, v, out, 1, 1, 1, 8, INT64_MAX / 4, 0, 0.5f));
    }

    realm_kv_cache *kv = (realm_kv_cache *)(uintptr_t)1;
    FAILS(REALM_ERR_INVALID_ARG, realm_kv_cache_create(0, 8, 1, 8, &kv));
    FAILS(REALM_ERR_INVALID_ARG, realm_kv_cache_create(1, 0, 1, 8, &kv));
    FAILS(REALM_ERR_INVALID_ARG, realm_kv_cache_create(1, 8, 1, 8, NULL));
    FAILS(ANY, realm_kv_cache_create(1, INT64_MAX / 2, 8, 64, &kv));
    realm_kv_cache_destroy(NULL);
    cr_expect_eq(realm_kv_cache_pos(NULL), -1);
    cr_expect_eq(realm_kv_cache_n_ctx(NULL), -1);
    FAILS(REALM_ERR_INVALID_ARG, realm_kv_cache_set_pos(NULL, 0));
    cr_assert_eq(realm_kv_cache_create(1, 4, 1, 8, &kv), REALM_OK, "%s", realm_last_error());
    FAILS(REALM_ERR_INVALID_ARG, realm_kv_cache_set_pos(kv, 1)); /* past the position */
    FAILS(REALM_ERR_INVALID_ARG, realm_kv_cache_set_pos(kv, -1));

    realm_graph *g = NULL, *g2 = NULL;
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    cr_assert_eq(realm_graph_create(&g2), REALM_OK);
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input_ids(NULL, "ids", 4, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input_ids(g, NULL, 4, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_input_ids(g, "ids", 0, &st_));
    realm_tensor *ids = realm_input_ids(g, "ids", 4, NULL);
    cr_assert_not_null(ids, "%s", realm_last_error());
    cr_expect_eq(realm_tensor_type(ids), REALM_TYPE_I32);
    const int64_t td[2] = {6, 16}, xd[2] = {REALM_DIM_DYNAMIC, 16};
    realm_tensor *table = realm_weight(g, "emb", REALM_TYPE_F32, 2, td, out, NULL);
    realm_tensor *x = realm_input(g, "x", 2, xd, 4, NULL);
    realm_tensor *x_other = realm_input(g2, "x", 2, xd, 4, NULL);
    cr_assert(table && x && x_other, "%s", realm_last_error());
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_get_rows(g, x, ids, &st_));   /* table not a weight */
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_get_rows(g, table, x, &st_)); /* not ids */
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_get_rows(g, table, NULL, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_add(g, ids, ids, &st_)); /* ids are not f32 */
    realm_tensor *e = realm_op_get_rows(g, table, ids, NULL);
    cr_assert_not_null(e, "%s", realm_last_error());
    const int64_t bad_rs[3] = {REALM_DIM_DYNAMIC, 3, 5}, two_dyn[2] = {REALM_DIM_DYNAMIC, REALM_DIM_DYNAMIC};
    const int64_t rs[3] = {REALM_DIM_DYNAMIC, 2, 8}, zero_rs[2] = {0, 16};
    NULL_WITH(REALM_ERR_SHAPE, realm_op_reshape(g, e, 3, bad_rs, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_reshape(g, e, 2, two_dyn, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_reshape(g, e, 2, zero_rs, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_reshape(g, e, 0, rs, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_reshape(g, e, 3, NULL, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_reshape(g, x_other, 3, rs, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_last_row(g, NULL, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_last_row(g2, x, &st_));
    realm_tensor *h = realm_op_reshape(g, e, 3, rs, NULL); /* [T, 2, 8] */
    realm_tensor *kv_in = realm_input(g, "k", 3, (const int64_t[3]){REALM_DIM_DYNAMIC, 1, 8}, 4, NULL);
    cr_assert(h && kv_in, "%s", realm_last_error());
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_rope_kv(g, h, NULL, NULL, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_attention(g, h, kv_in, kv_in, NULL, 0, 0.5f, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_attention(g, h, kv_in, kv_in, kv, 1, 0.5f, &st_));
    NULL_WITH(REALM_ERR_INVALID_ARG, realm_op_attention(g, h, kv_in, kv_in, kv, 0, NAN, &st_));
    NULL_WITH(REALM_ERR_SHAPE, realm_op_attention(g, h, h, h, kv, 0, 0.5f, &st_)); /* 2 kv heads vs 1 */
    NULL_WITH(REALM_ERR_SHAPE, realm_op_attention(g, x, kv_in, kv_in, kv, 0, 0.5f, &st_));
    realm_tensor *qr = realm_op_rope_kv(g, h, NULL, kv, NULL);
    realm_tensor *att = realm_op_attention(g, qr, kv_in, kv_in, kv, 0, 0.5f, NULL);
    cr_assert(qr && att, "%s", realm_last_error());
    realm_tensor *last = realm_op_last_row(g, att, NULL);
    cr_assert_not_null(last, "%s", realm_last_error());
    cr_assert_eq(realm_graph_output(g, last), REALM_OK, "%s", realm_last_error());

    /* Profiling on a plan compiled without it, then with it. */
    realm_runtime *rt = serial_rt();
    realm_plan *plan = NULL;
    cr_assert_eq(realm_graph_compile(g, rt, NULL, &plan), REALM_OK, "%s", realm_last_error());
    int count = -1;
    realm_node_profile np;
    FAILS(REALM_ERR_STATE, realm_plan_profile_count(plan, &count));
    FAILS(REALM_ERR_STATE, realm_plan_profile_get(plan, 0, &np));
    FAILS(REALM_ERR_STATE, realm_plan_profile_reset(plan));
    FAILS(REALM_ERR_STATE, realm_plan_print_profile(plan, stderr));
    FAILS(REALM_ERR_STATE, realm_plan_write_trace(plan, "/tmp/realm_api_errors_trace.json"));
    realm_plan_destroy(plan);
    realm_graph_options o = realm_graph_options_default();
    o.flags = REALM_GRAPH_PROFILE;
    cr_assert_eq(realm_graph_compile(g, rt, &o, &plan), REALM_OK, "%s", realm_last_error());
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_profile_count(NULL, &count));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_profile_count(plan, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_profile_get(plan, -1, &np));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_profile_get(plan, 1000, &np));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_profile_get(plan, 0, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_profile_reset(NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_print_profile(plan, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_write_trace(plan, NULL));
    FAILS(REALM_ERR_STATE, realm_plan_write_trace(plan, "/tmp/realm_api_errors_trace.json")); /* no run yet */

    /* Runs: ids out of range fail the run; past the cache's n_ctx is a state error. */
    const int32_t bad_idv[3] = {0, 1, 6}, idv[3] = {0, 1, 5};
    float kin[3 * 8];
    for (int i = 0; i < 3 * 8; i++)
        kin[i] = (float)i / 8.0f;
    realm_binding bind[2] = {
        {.tensor = ids, .data = bad_idv, .shape = {.n_dims = 1, .dims = {3}}},
        {.tensor = kv_in, .data = kin, .shape = {.n_dims = 3, .dims = {3, 1, 8}}},
    };
    FAILS(REALM_ERR_INVALID_ARG, realm_plan_run(plan, bind, 2));
    cr_expect_eq(realm_kv_cache_pos(kv), 0, "a failed run moved the cache");
    bind[0].data = idv;
    cr_assert_eq(realm_plan_run(plan, bind, 2), REALM_OK, "%s", realm_last_error());
    cr_expect_eq(realm_kv_cache_pos(kv), 3);
    FAILS(REALM_ERR_STATE, realm_plan_run(plan, bind, 2)); /* 3 + 3 > 4 */
    cr_expect_eq(realm_kv_cache_pos(kv), 3);
    FAILS(REALM_ERR_IO, realm_plan_write_trace(plan, "/nonexistent/dir/trace.json"));
    cr_expect_eq(realm_plan_profile_count(plan, &count), REALM_OK);
    cr_expect_gt(count, 0);
    cr_expect_eq(realm_plan_profile_reset(plan), REALM_OK);
    realm_plan_destroy(plan);
    realm_graph_destroy(g);
    realm_graph_destroy(g2);
    realm_kv_cache_destroy(kv);
    realm_runtime_destroy(rt);

    /* The remaining getters' NULL cases. */
    cr_expect_eq(realm_gguf_alignment(NULL), 0);
    cr_expect_eq(realm_gguf_size(NULL), 0);
    cr_expect_eq(realm_gguf_data_offset(NULL), 0);
    cr_expect(!realm_tokenizer_add_bos(NULL));
    realm_gguf_writer *w = NULL;
    cr_assert_eq(realm_gguf_writer_create(&w), REALM_OK);
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_bool(w, NULL, true));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_f32(w, "", 1.0f));
    FAILS(REALM_ERR_INVALID_ARG, realm_gguf_writer_set_u64(NULL, "k", 1));
    realm_gguf_writer_destroy(w);
}
