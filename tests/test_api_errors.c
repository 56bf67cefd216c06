/* Bad input to every public function of the headers in include/realm/: NULLs, wrong
 * sizes, wrong types, sizes whose byte counts overflow size_t, out-of-order
 * use. Each failing call returns an error status and leaves a message in
 * realm_last_error(); nothing crashes, and the small buffers passed with
 * huge sizes are never read or written past their end (ASan checks that).
 * The per-area error tests (test_ops_errors.c, test_graph_errors.c,
 * test_runtime_api.c) check messages word by word; this file checks that
 * nothing was left out. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "realm/realm.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

#define NAIVE REALM_BACKEND_NAIVE
#define OPT REALM_BACKEND_OPTIMIZED
#define BIG (INT64_MAX / 2)
#define HUGE_ROWS (INT64_MAX / 64)

static void clear_error(void) { realm_error(REALM_OK, "%s", ""); }

static void expect_fail(realm_status want, realm_status got, const char *what, int line) {
    const char *msg = realm_last_error();
    cr_expect_eq(got, want, "line %d: %s: got %s, want %s (%s)", line, what, realm_status_str(got),
                 realm_status_str(want), msg);
    cr_expect(msg && msg[0] != '\0', "line %d: %s: failed without a message", line, what);
}

/* want is the exact status; ANY accepts any error status. */
#define ANY ((realm_status)-1)
static void expect_any_fail(realm_status got, const char *what, int line) {
    const char *msg = realm_last_error();
    cr_expect_neq(got, REALM_OK, "line %d: %s: succeeded", line, what);
    cr_expect(msg && msg[0] != '\0', "line %d: %s: failed without a message", line, what);
}
#define FAILS(want, call)                                                                                    \
    do {                                                                                                     \
        clear_error();                                                                                       \
        realm_status got_ = (call);                                                                          \
        if ((want) == ANY)                                                                                   \
            expect_any_fail(got_, #call, __LINE__);                                                          \
        else                                                                                                 \
            expect_fail((want), got_, #call, __LINE__);                                                      \
    } while (0)

/* Constructors returning NULL + status. */
#define NULL_WITH(want, call)                                                                                \
    do {                                                                                                     \
        clear_error();                                                                                       \
        realm_status st_ = REALM_OK;                                                                         \
        const void *t_ = (call);                                                                             \
        cr_expect_null(t_, "%s: returned a tensor", #call);                                                  \
        expect_fail((want), st_, #call, __LINE__);                                                           \
    } while (0)

/* A message without a status (functions returning a pointer or a size). */
#define HAS_MESSAGE(what) cr_expect(realm_last_error()[0] != '\0', "%s: no message", what)

static float xf[64], yf[64];
static unsigned char blk[4 * 292];

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

static realm_runtime *serial_rt(void) {
    realm_runtime_params p = realm_runtime_params_default();
    p.executor = REALM_EXECUTOR_SERIAL;
    p.n_threads = 1;
    realm_runtime *rt = NULL;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    return rt;
}

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
    p.flags = 1;
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
