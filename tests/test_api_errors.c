/* Bad input to every public function of the headers in include/realm/: NULLs, wrong
 * sizes, wrong types, sizes whose byte counts overflow size_t, out-of-order
 * use. Each failing call returns an error status and leaves a message in
 * realm_last_error(); nothing crashes, and the small buffers passed with
 * huge sizes are never read or written past their end (ASan checks that).
 * The per-area error tests (test_ops_errors.c, test_graph_errors.c,
 * test_runtime_api.c) check messages word by word; this file checks that
 * nothing was left out. */
/* This file: types.h, quant.h, cpu.h, ops.h, runtime.h (api_errors.h has
 * the shared checks; _graph.c and _model.c the other headers). */
#include "api_errors.h"

/* ---- types.h -------------------------------------------------------------- */

Test(api_errors, types) {
    cr_expect_str_eq(realm_status_str((realm_status)-1), "REALM_ERR_UNKNOWN");
    cr_expect_str_eq(realm_status_str((realm_status)REALM_STATUS_COUNT), "REALM_ERR_UNKNOWN");
    for (int s = 0; s < REALM_STATUS_COUNT; s++)
        cr_expect_neq(strcmp(realm_status_str((realm_status)s), "REALM_ERR_UNKNOWN"), 0,
                      "status %d has no name", s);
    cr_expect_not_null(realm_last_error());

    const int bad_types[] = {-1, 4, 5, REALM_TYPE_COUNT, 1000, INT32_MIN};
    for (size_t i = 0; i < sizeof bad_types / sizeof *bad_types; i++) {
        const realm_type t = (realm_type)bad_types[i];
        cr_expect(!realm_type_is_valid(t), "type %d valid", bad_types[i]);
        cr_expect_str_eq(realm_type_name(t), "invalid");
        clear_error();
        cr_expect_null(realm_type_get_traits(t), "traits of type %d", bad_types[i]);
        HAS_MESSAGE("realm_type_get_traits");
    }
    realm_type t = REALM_TYPE_Q4_K;
    FAILS(REALM_ERR_INVALID_ARG, realm_type_from_name(NULL, &t));
    FAILS(REALM_ERR_INVALID_ARG, realm_type_from_name("q4_0", NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_type_from_name("q4_2", &t));
    FAILS(REALM_ERR_INVALID_ARG, realm_type_from_name("", &t));
    FAILS(REALM_ERR_INVALID_ARG, realm_type_from_name("q4_0 ", &t));
    cr_expect_eq(t, REALM_TYPE_Q4_K, "out written on failure");
    /* The fp16 helpers are total: NaN stays NaN, overflow goes to inf. */
    cr_expect(isnan(realm_fp16_to_fp32(realm_fp32_to_fp16(NAN))));
    cr_expect(isinf(realm_fp16_to_fp32(realm_fp32_to_fp16(1e30f))));
}

/* ---- quant.h ---------------------------------------------------------------- */

Test(api_errors, quant) {
    clear_error();
    cr_expect_eq(realm_row_bytes((realm_type)4, 32), 0);
    HAS_MESSAGE("row_bytes bad type");
    clear_error();
    cr_expect_eq(realm_row_bytes(REALM_TYPE_Q4_K, 100), 0);
    HAS_MESSAGE("row_bytes n not a multiple");
    clear_error();
    cr_expect_eq(realm_row_bytes(REALM_TYPE_Q4_0, -32), 0);
    HAS_MESSAGE("row_bytes negative");
    clear_error();
    cr_expect_eq(realm_row_bytes(REALM_TYPE_F32, INT64_MAX), 0);
    HAS_MESSAGE("row_bytes f32 INT64_MAX");
    clear_error();
    cr_expect_eq(realm_row_bytes(REALM_TYPE_F16, INT64_MAX), 0);
    HAS_MESSAGE("row_bytes f16 INT64_MAX");

    for (int ti = 0; ti < REALM_TYPE_COUNT; ti++) {
        const realm_type ty = (realm_type)ti;
        if (!realm_type_is_valid(ty)) continue;
        const int64_t be = realm_type_get_traits(ty)->block_elems;
        FAILS(REALM_ERR_INVALID_ARG, realm_quantize_row(ty, NULL, blk, be));
        FAILS(REALM_ERR_INVALID_ARG, realm_quantize_row(ty, xf, NULL, be));
        FAILS(ANY, realm_quantize_row(ty, xf, blk, -be));
        FAILS(REALM_ERR_INVALID_ARG, realm_dequantize_row(ty, NULL, yf, be));
        FAILS(REALM_ERR_INVALID_ARG, realm_dequantize_row(ty, blk, NULL, be));
        FAILS(ANY, realm_dequantize_row(ty, blk, yf, -be));
        FAILS(REALM_ERR_INVALID_ARG, realm_quantize_row_weighted(ty, NULL, blk, be, xf));
        if (be > 1) {
            FAILS(REALM_ERR_SHAPE, realm_quantize_row(ty, xf, blk, be + 1));
            FAILS(REALM_ERR_SHAPE, realm_dequantize_row(ty, blk, yf, be - 1));
        }
        /* Element counts whose byte counts do not fit size_t, with tiny buffers. */
        const int64_t huge = INT64_MAX / be * be;
        FAILS(ANY, realm_quantize_row(ty, xf, blk, huge));
        FAILS(ANY, realm_dequantize_row(ty, blk, yf, huge));
    }
    FAILS(REALM_ERR_INVALID_ARG, realm_quantize_row((realm_type)5, xf, blk, 32));
    FAILS(REALM_ERR_INVALID_ARG, realm_dequantize_row(REALM_TYPE_COUNT, blk, yf, 32));
    FAILS(REALM_ERR_INVALID_ARG, realm_quantize_row_weighted((realm_type)-3, xf, blk, 32, xf));
    /* Bad importance weights: negative or NaN. */
    float imp[32];
    for (int i = 0; i < 32; i++)
        imp[i] = 1.0f;
    imp[7] = -1.0f;
    FAILS(REALM_ERR_INVALID_ARG, realm_quantize_row_weighted(REALM_TYPE_Q4_0, xf, blk, 32, imp));
    imp[7] = NAN;
    FAILS(REALM_ERR_INVALID_ARG, realm_quantize_row_weighted(REALM_TYPE_Q4_0, xf, blk, 32, imp));
}

/* ---- cpu.h ------------------------------------------------------------------- */

Test(api_errors, cpu) {
    cr_expect_not_null(realm_cpu_get_features());
    char buf[8] = "xxxxxxx";
    FAILS(REALM_ERR_INVALID_ARG, realm_cpu_features_string(NULL, 64));
    FAILS(ANY, realm_cpu_features_string(buf, 0));
    cr_expect_eq(buf[0], 'x', "a zero-size buffer was written");
    char big[1024];
    cr_expect_eq(realm_cpu_features_string(big, sizeof big), REALM_OK, "%s", realm_last_error());
    cr_expect_not_null(realm_version());
}

/* ---- ops.h -------------------------------------------------------------------- */

Test(api_errors, ops) {
    realm_backend be = OPT;
    cr_expect_not_null(realm_backend_name((realm_backend)9));
    FAILS(REALM_ERR_INVALID_ARG, realm_backend_from_name(NULL, &be));
    FAILS(REALM_ERR_INVALID_ARG, realm_backend_from_name("naive", NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_backend_from_name("turbo", &be));

    const realm_backend bes[2] = {NAIVE, OPT};
    for (int i = 0; i < 2; i++) {
        const realm_backend b = bes[i];
        /* matmul_quant: NULLs, bad type, k not a multiple, rows * k and batch * k beyond SIZE_MAX. */
        FAILS(REALM_ERR_INVALID_ARG,
              realm_matmul_quant((realm_backend)5, REALM_TYPE_Q8_0, blk, 1, 32, xf, 1, yf));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_quant(b, (realm_type)4, blk, 1, 32, xf, 1, yf));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_quant(b, REALM_TYPE_Q8_0, NULL, 1, 32, xf, 1, yf));
        /* weights at an address their fp16 fields cannot have */
        FAILS(REALM_ERR_INVALID_ARG,
              realm_matmul_quant(b, REALM_TYPE_Q8_0, (const uint8_t *)blk + 1, 1, 32, xf, 1, yf));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_quant(b, REALM_TYPE_Q8_0, blk, 1, 32, NULL, 1, yf));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_quant(b, REALM_TYPE_Q8_0, blk, 1, 32, xf, 1, NULL));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_quant(b, REALM_TYPE_Q8_0, blk, 0, 32, xf, 1, yf));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_quant(b, REALM_TYPE_Q8_0, blk, 1, -32, xf, 1, yf));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_quant(b, REALM_TYPE_Q8_0, blk, 1, 32, xf, -1, yf));
        FAILS(REALM_ERR_SHAPE, realm_matmul_quant(b, REALM_TYPE_Q8_0, blk, 1, 33, xf, 1, yf));
        FAILS(REALM_ERR_OVERFLOW, realm_matmul_quant(b, REALM_TYPE_Q8_0, blk, BIG, 64, xf, 1, yf));
        FAILS(REALM_ERR_OVERFLOW, realm_matmul_quant(b, REALM_TYPE_Q8_0, blk, 1, 64, xf, BIG, yf));
        FAILS(REALM_ERR_OVERFLOW, realm_matmul_quant(b, REALM_TYPE_F32, blk, HUGE_ROWS, 64, xf, 1, yf));
        FAILS(REALM_ERR_OVERFLOW,
              realm_matmul_quant(b, REALM_TYPE_Q4_K, blk, 2, INT64_MAX / 256 * 256, xf, 1, yf));
        /* Output overlapping an input. */
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_quant(b, REALM_TYPE_F32, xf, 2, 8, xf + 16, 2, xf + 1));

        /* f32 GEMM, plain and transposed: bad leading dims, overflowing shapes. */
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_f32(b, 2, 2, 2, NULL, 2, xf, 2, yf, 2));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_f32(b, 2, 2, 2, xf, 1, xf, 2, yf, 2));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_f32(b, 2, 2, 2, xf, 2, xf, 2, yf, 1));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_f32(b, -2, 2, 2, xf, 2, xf, 2, yf, 2));
        FAILS(REALM_ERR_OVERFLOW, realm_matmul_f32(b, BIG, 2, 2, xf, 2, xf, 2, yf, 2));
        FAILS(REALM_ERR_OVERFLOW, realm_matmul_f32(b, 2, 2, BIG, xf, BIG, xf, 2, yf, 2));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_f32_t(b, 2, 2, 2, xf, 2, NULL, 2, yf, 2));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_f32_t(b, 2, 2, 2, xf, 2, xf, 1, yf, 2));
        FAILS(REALM_ERR_OVERFLOW, realm_matmul_f32_t(b, 2, BIG, 2, xf, 2, xf, 2, yf, BIG));
        FAILS(REALM_ERR_INVALID_ARG, realm_matmul_f32(b, 2, 2, 2, xf, 2, xf + 4, 2, xf + 1, 2));

        /* Elementwise. */
        FAILS(REALM_ERR_INVALID_ARG, realm_unary(b, REALM_UNARY_COUNT, xf, yf, 4));
        FAILS(REALM_ERR_INVALID_ARG, realm_unary(b, (realm_unary_op)-1, xf, yf, 4));
        FAILS(REALM_ERR_INVALID_ARG, realm_silu(b, NULL, yf, 4));
        FAILS(REALM_ERR_INVALID_ARG, realm_gelu(b, xf, NULL, 4));
        FAILS(REALM_ERR_INVALID_ARG, realm_gelu_erf(b, xf, yf, -1));
        FAILS(REALM_ERR_OVERFLOW, realm_relu(b, xf, yf, INT64_MAX));
        FAILS(REALM_ERR_INVALID_ARG, realm_add(b, xf, NULL, yf, 4));
        FAILS(REALM_ERR_OVERFLOW, realm_add(b, xf, xf, yf, INT64_MAX));
        FAILS(ANY, realm_add(b, xf, xf, yf, INT64_MAX / 4)); /* fits size_t, overlaps */
        FAILS(REALM_ERR_INVALID_ARG, realm_mul(b, xf, xf, xf + 1, 4));
        FAILS(REALM_ERR_OVERFLOW, realm_scale(b, xf, 2.0f, yf, INT64_MAX / 3 * 2));

        /* Norms and softmax. */
        FAILS(REALM_ERR_INVALID_ARG, realm_rms_norm(b, xf, NULL, yf, 2, 4, 0.0f));
        FAILS(REALM_ERR_INVALID_ARG, realm_rms_norm(b, xf, NULL, yf, 2, 4, NAN));
        FAILS(REALM_ERR_INVALID_ARG, realm_rms_norm(b, NULL, NULL, yf, 2, 4, 1e-5f));
        FAILS(REALM_ERR_OVERFLOW, realm_rms_norm(b, xf, NULL, yf, BIG, BIG, 1e-5f));
        FAILS(REALM_ERR_INVALID_ARG, realm_layer_norm(b, xf, xf, xf, yf, 2, -4, 1e-5f));
        FAILS(REALM_ERR_OVERFLOW, realm_layer_norm(b, xf, NULL, NULL, yf, HUGE_ROWS, 64, 1e-5f));
        FAILS(REALM_ERR_INVALID_ARG, realm_softmax(b, xf, yf, 2, 4, INFINITY, false, 0));
        FAILS(REALM_ERR_INVALID_ARG, realm_softmax(b, xf, yf, 2, 4, 1.0f, true, -1));
        FAILS(REALM_ERR_OVERFLOW, realm_softmax(b, xf, yf, BIG, 4, 1.0f, false, 0));

        /* RoPE: bad params, tokens * heads * head_dim beyond SIZE_MAX. */
        realm_rope_params rp = realm_rope_params_default();
        FAILS(REALM_ERR_INVALID_ARG, realm_rope(b, NULL, yf, 1, 1, 8, NULL, &rp));
        FAILS(REALM_ERR_INVALID_ARG, realm_rope(b, xf, yf, 1, 1, 7, NULL, &rp));
        rp.n_rot = 10;
        FAILS(REALM_ERR_INVALID_ARG, realm_rope(b, xf, yf, 1, 1, 8, NULL, &rp));
        rp = realm_rope_params_default();
        rp.freq_base = -1.0f;
        FAILS(REALM_ERR_INVALID_ARG, realm_rope(b, xf, yf, 1, 1, 8, NULL, &rp));
        rp = realm_rope_params_default();
        rp.mode = (realm_rope_mode)3;
        FAILS(REALM_ERR_INVALID_ARG, realm_rope(b, xf, yf, 1, 1, 8, NULL, &rp));
        rp = realm_rope_params_default();
        rp.pos0 = INT64_MAX - 1;
        FAILS(REALM_ERR_OVERFLOW, realm_rope(b, xf, yf, 3, 1, 8, NULL, &rp));
        rp = realm_rope_params_default();
        FAILS(REALM_ERR_OVERFLOW, realm_rope(b, xf, yf, BIG, BIG, 8, NULL, &rp));
        FAILS(REALM_ERR_INVALID_ARG, realm_rope(b, xf, xf + 1, 2, 1, 8, NULL, &rp)); /* partial overlap */
        FAILS(REALM_ERR_INVALID_ARG, realm_rope(b, xf, yf, 2, 1, 8, (const int32_t *)(yf + 4), &rp));
    }
}

/* ---- runtime.h ------------------------------------------------------------------ */

static void noop_rows(void *ctx, int64_t r0, int64_t r1, int thread) {
    (void)ctx, (void)r0, (void)r1, (void)thread;
}
static void noop_threads(void *ctx, int thread, int n) { (void)ctx, (void)thread, (void)n; }

Test(api_errors, runtime) {
    realm_runtime *rt = (realm_runtime *)(uintptr_t)1;
    realm_runtime_params p = realm_runtime_params_default();
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(NULL, &rt));
    cr_expect_null(rt, "out not cleared on failure");
    p.n_threads = -1;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p.n_threads = REALM_RUNTIME_MAX_THREADS + 1;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p = realm_runtime_params_default();
    p.executor = REALM_EXECUTOR_COUNT;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p = realm_runtime_params_default();
    p.numa = (realm_numa_policy)-1;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p = realm_runtime_params_default();
    p.executor = REALM_EXECUTOR_SERIAL;
    p.n_threads = 2;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p = realm_runtime_params_default();
    p.spin_us = REALM_RUNTIME_MAX_SPIN_US + 1;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p = realm_runtime_params_default();
    p.flags = 2; /* bit 0 is REALM_RUNTIME_PIN_CALLER */
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p = realm_runtime_params_default();
    p.cpuset = "0-3;";
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p.cpuset = "0xzz";
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p.cpuset = "99999999999999999999";
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p = realm_runtime_params_default();
    p.topology_synthetic = "pack:2 core:x";
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p.topology_xml = "/nonexistent/topo.xml";
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_create(&p, &rt));
    p.topology_synthetic = NULL;
    FAILS(REALM_ERR_IO, realm_runtime_create(&p, &rt));
    cr_expect_null(rt);

    realm_runtime_destroy(NULL);
    cr_expect_eq(realm_runtime_n_threads(NULL), 0);
    cr_expect_eq(realm_runtime_n_nodes(NULL), 0);
    cr_expect_eq(realm_runtime_n_cores(NULL), 0);
    cr_expect_eq(realm_runtime_n_groups(NULL), 0);
    cr_expect_str_eq(realm_runtime_description(NULL), "");
    cr_expect_not_null(realm_executor_name((realm_executor)77));
    cr_expect_not_null(realm_numa_policy_name((realm_numa_policy)77));
    realm_executor ex;
    realm_numa_policy np;
    FAILS(REALM_ERR_INVALID_ARG, realm_executor_from_name(NULL, &ex));
    FAILS(REALM_ERR_INVALID_ARG, realm_executor_from_name("pool", NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_executor_from_name("tbb", &ex));
    FAILS(REALM_ERR_INVALID_ARG, realm_numa_policy_from_name(NULL, &np));
    FAILS(REALM_ERR_INVALID_ARG, realm_numa_policy_from_name("none", NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_numa_policy_from_name("interleave", &np));

    realm_thread_info ti;
    realm_topology_info topo;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_thread_info(NULL, 0, &ti));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_topology_info(NULL, &topo));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_rows(NULL, 4, 1, noop_rows, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_threads(NULL, noop_threads, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_steps(NULL, NULL, 0, NULL));
    int64_t r0, r1;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_group_rows(NULL, 0, 4, 1, &r0, &r1));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_place_rows(NULL, blk, 4, 1, 1));
    FAILS(REALM_ERR_INVALID_ARG,
          realm_runtime_matmul_quant(NULL, NAIVE, REALM_TYPE_Q8_0, blk, 1, 32, xf, 1, yf));

    rt = serial_rt();
    cr_expect_eq(realm_runtime_executor(rt), REALM_EXECUTOR_SERIAL);
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_thread_info(rt, 1, &ti));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_thread_info(rt, -1, &ti));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_thread_info(rt, 0, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_topology_info(rt, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_rows(rt, 4, 1, NULL, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_rows(rt, -4, 1, noop_rows, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_rows(rt, 4, 0, noop_rows, NULL));
    FAILS(REALM_ERR_OVERFLOW, realm_runtime_parallel_rows(rt, INT64_MAX, 64, noop_rows, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_threads(rt, NULL, NULL));
    realm_parallel_step steps[REALM_RUNTIME_MAX_STEPS + 1];
    memset(steps, 0, sizeof steps);
    for (int i = 0; i < REALM_RUNTIME_MAX_STEPS + 1; i++)
        steps[i].threads_fn = noop_threads;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_steps(rt, NULL, 1, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_steps(rt, steps, -1, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_steps(rt, steps, REALM_RUNTIME_MAX_STEPS + 1, NULL));
    steps[1].rows_fn = noop_rows; /* two functions */
    steps[1].grain = 1;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_steps(rt, steps, 2, NULL));
    steps[1].threads_fn = NULL;
    steps[1].rows_fn = NULL; /* none */
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_steps(rt, steps, 2, NULL));
    steps[1].threads_fn = noop_threads;
    steps[1].flags = 0x80;
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_parallel_steps(rt, steps, 2, NULL));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_group_rows(rt, 1, 4, 1, &r0, &r1));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_group_rows(rt, 0, -4, 1, &r0, &r1));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_group_rows(rt, 0, 4, 0, &r0, &r1));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_group_rows(rt, 0, 4, 1, NULL, &r1));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_place_rows(rt, NULL, 4, 1, 1));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_place_rows(rt, blk, 0, 1, 1));
    FAILS(REALM_ERR_INVALID_ARG, realm_runtime_place_rows(rt, blk, 4, -1, 1));
    FAILS(REALM_ERR_OVERFLOW, realm_runtime_place_rows(rt, blk, SIZE_MAX / 2, 4, 1));
    FAILS(REALM_ERR_OVERFLOW, realm_runtime_matmul_quant(rt, OPT, REALM_TYPE_Q8_0, blk, BIG, 64, xf, 1, yf));
    FAILS(REALM_ERR_OVERFLOW,
          realm_runtime_matmul_quant(rt, NAIVE, REALM_TYPE_Q8_0, blk, 1, 64, xf, BIG, yf));
    FAILS(REALM_ERR_INVALID_ARG,
          realm_runtime_matmul_quant(rt, (realm_backend)3, REALM_TYPE_Q8_0, blk, 1, 32, xf, 1, yf));
    FAILS(REALM_ERR_SHAPE, realm_runtime_matmul_quant(rt, OPT, REALM_TYPE_Q6_K, blk, 1, 32, xf, 1, yf));
    realm_runtime_destroy(rt);
}
