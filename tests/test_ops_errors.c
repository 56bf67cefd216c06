/* Bad input to every public op call in ops.h except realm_matmul_quant
 * (tests/test_matmul_ref.c covers it): each returns the right status, names
 * the function and the bad argument in realm_last_error(), leaves the
 * output untouched, and never touches memory it was not given (sizes far
 * beyond the small buffers passed here are rejected before any access). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "realm/ops.h"
#include "util.h"

#define NAIVE REALM_BACKEND_NAIVE
#define BAD_BE ((realm_backend)7)
#define N 16
#define SENTINEL 777.0f

/* Clears the message first so a stale one from an earlier call cannot pass. */
#define EXPECT_ERR(want, fn, keyword, call) expect_err(want, fn, keyword, (clear_error(), (call)), #call)

static void clear_error(void) { realm_error(REALM_OK, "%s", ""); }

static void expect_err(realm_status want, const char *fn, const char *keyword, realm_status got,
                       const char *what) {
    const char *msg = realm_last_error();
    cr_expect_eq(got, want, "%s: got %s, want %s (%s)", what, realm_status_str(got), realm_status_str(want),
                 msg);
    cr_expect(strstr(msg, fn) != NULL, "%s: message \"%s\" does not name %s", what, msg, fn);
    cr_expect(strstr(msg, keyword) != NULL, "%s: message \"%s\" does not mention '%s'", what, msg, keyword);
}

static float x[N], y[N], w[N], b[N];

static void setup(void) {
    tu_rng rng = {99};
    tu_fill(&rng, x, N, 1.0f);
    tu_fill(&rng, w, N, 1.0f);
    tu_fill(&rng, b, N, 1.0f);
    for (int i = 0; i < N; i++)
        y[i] = SENTINEL;
}

/* Every failing call must leave y as it was. */
static void teardown(void) {
    for (int i = 0; i < N; i++)
        cr_expect_eq(y[i], SENTINEL, "y[%d] written by a failing call", i);
}

TestSuite(ops_errors, .init = setup, .fini = teardown);

Test(ops_errors, backend_names) {
    realm_backend be = REALM_BACKEND_OPTIMIZED;
    EXPECT_ERR(REALM_ERR_INVALID_ARG, "realm_backend_from_name", "NULL name",
               realm_backend_from_name(NULL, &be));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, "realm_backend_from_name", "NULL out",
               realm_backend_from_name("naive", NULL));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, "realm_backend_from_name", "fast",
               realm_backend_from_name("fast", &be));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, "realm_backend_from_name", "unknown", realm_backend_from_name("", &be));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, "realm_backend_from_name", "unknown",
               realm_backend_from_name("naive ", &be));
    cr_expect_eq(be, REALM_BACKEND_OPTIMIZED, "out written on failure");
}

/* The checks every unary entry point shares, through its own name. */
static void unary_errors(const char *fn, realm_status (*f)(realm_backend, const float *, float *, int64_t)) {
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "backend", f(BAD_BE, x, y, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "backend", f((realm_backend)-1, x, y, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL x", f(NAIVE, NULL, y, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL y", f(NAIVE, x, NULL, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL x", f(NAIVE, NULL, y, 0));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n = -1", f(NAIVE, x, y, -1));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n = ", f(NAIVE, x, y, INT64_MIN));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory", f(NAIVE, x, y, INT64_MAX));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory",
               f(NAIVE, x, y, (int64_t)(SIZE_MAX / sizeof(float) / 2 + 1) * 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "overlaps", f(NAIVE, y + 1, y, N - 1));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "overlaps", f(NAIVE, y, y + 1, N - 1));
}

static realm_status unary_silu(realm_backend be, const float *in, float *out, int64_t n) {
    return realm_unary(be, REALM_UNARY_SILU, in, out, n);
}

Test(ops_errors, unary) {
    unary_errors("realm_unary", unary_silu);
    unary_errors("realm_silu", realm_silu);
    unary_errors("realm_gelu", realm_gelu);
    unary_errors("realm_gelu_erf", realm_gelu_erf);
    unary_errors("realm_relu", realm_relu);
    EXPECT_ERR(REALM_ERR_INVALID_ARG, "realm_unary", "op 4", realm_unary(NAIVE, REALM_UNARY_COUNT, x, y, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, "realm_unary", "op -1",
               realm_unary(NAIVE, (realm_unary_op)-1, x, y, N));
}

static void binary_errors(const char *fn,
                          realm_status (*f)(realm_backend, const float *, const float *, float *, int64_t)) {
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "backend", f(BAD_BE, x, w, y, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL a", f(NAIVE, NULL, w, y, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL b", f(NAIVE, x, NULL, y, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL y", f(NAIVE, x, w, NULL, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n = -5", f(NAIVE, x, w, y, -5));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory", f(NAIVE, x, w, y, INT64_MAX));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "y overlaps a", f(NAIVE, y + 2, w, y, N - 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "y overlaps b", f(NAIVE, x, y + 3, y, N - 3));
}

Test(ops_errors, binary) {
    binary_errors("realm_add", realm_add);
    binary_errors("realm_mul", realm_mul);
    const char *fn = "realm_scale";
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "backend", realm_scale(BAD_BE, x, 2.0f, y, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL x", realm_scale(NAIVE, NULL, 2.0f, y, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL y", realm_scale(NAIVE, x, 2.0f, NULL, N));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n = -1", realm_scale(NAIVE, x, 2.0f, y, -1));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory", realm_scale(NAIVE, x, 2.0f, y, INT64_MAX));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "overlaps", realm_scale(NAIVE, y + 1, 2.0f, y, N - 1));
}

/* GEMM shapes here: 2 x 2 times 2 x 2, all in 16-float buffers. */
typedef realm_status (*gemm_fn)(realm_backend, int64_t, int64_t, int64_t, const float *, int64_t,
                                const float *, int64_t, float *, int64_t);

static void gemm_errors(const char *fn, gemm_fn f, const char *b_name) {
    char null_b[16];
    snprintf(null_b, sizeof null_b, "NULL %s", b_name);
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "backend", f(BAD_BE, 2, 2, 2, x, 2, w, 2, y, 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL A", f(NAIVE, 2, 2, 2, NULL, 2, w, 2, y, 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, null_b, f(NAIVE, 2, 2, 2, x, 2, NULL, 2, y, 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL C", f(NAIVE, 2, 2, 2, x, 2, w, 2, NULL, 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "m = 0", f(NAIVE, 0, 2, 2, x, 2, w, 2, y, 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n = -1", f(NAIVE, 2, -1, 2, x, 2, w, 2, y, 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "k = 0", f(NAIVE, 2, 2, 0, x, 2, w, 2, y, 2));
    /* strides shorter than the rows they step over */
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "lda = 2", f(NAIVE, 2, 2, 3, x, 2, w, 3, y, 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "ldb = 1", f(NAIVE, 2, 2, 2, x, 2, w, 1, y, 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "ldc = 1", f(NAIVE, 2, 2, 2, x, 2, w, 2, y, 1));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "lda = -4", f(NAIVE, 2, 2, 2, x, -4, w, 2, y, 2));
    /* spans beyond the address space: rejected before any access */
    const int64_t big = INT64_C(1) << 40;
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory", f(NAIVE, big, 2, 2, x, big, w, 2, y, 2));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory", f(NAIVE, 2, 2, INT64_MAX, x, INT64_MAX, w, INT64_MAX, y, 2));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory",
               f(NAIVE, 2, INT64_MAX / 2, 2, x, 2, w, INT64_MAX / 2, y, INT64_MAX / 2));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory", f(NAIVE, 3, 2, 2, x, 2, w, 2, y, INT64_MAX / 2));
    /* C must not overlap A or B */
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "C overlaps A", f(NAIVE, 2, 2, 2, y + 2, 2, w, 2, y, 2));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "C overlaps A", f(NAIVE, 2, 2, 2, y, 2, w, 2, y, 2));
    char overlap_b[32];
    snprintf(overlap_b, sizeof overlap_b, "C overlaps %s", b_name);
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, overlap_b, f(NAIVE, 2, 2, 2, x, 2, y + 3, 2, y, 2));
}

Test(ops_errors, gemm) {
    gemm_errors("realm_matmul_f32", realm_matmul_f32, "B");
    gemm_errors("realm_matmul_f32_t", realm_matmul_f32_t, "Bt");
    /* the stride of Bt is checked against k, that of B against n */
    EXPECT_ERR(REALM_ERR_INVALID_ARG, "realm_matmul_f32_t", "ldb = 2",
               realm_matmul_f32_t(NAIVE, 1, 1, 3, x, 3, w, 2, y, 1));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, "realm_matmul_f32", "ldb = 2",
               realm_matmul_f32(NAIVE, 1, 3, 1, x, 1, w, 2, y, 3));
}

Test(ops_errors, norms) {
    const char *fn = "realm_rms_norm";
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "backend", realm_rms_norm(BAD_BE, x, w, y, 2, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL x", realm_rms_norm(NAIVE, NULL, w, y, 2, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL y", realm_rms_norm(NAIVE, x, w, NULL, 2, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "rows = 0", realm_rms_norm(NAIVE, x, w, y, 0, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "cols = -8", realm_rms_norm(NAIVE, x, w, y, 2, -8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "eps", realm_rms_norm(NAIVE, x, w, y, 2, 8, 0.0f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "eps", realm_rms_norm(NAIVE, x, w, y, 2, 8, -1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "eps", realm_rms_norm(NAIVE, x, w, y, 2, 8, NAN));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "eps", realm_rms_norm(NAIVE, x, w, y, 2, 8, INFINITY));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory", realm_rms_norm(NAIVE, x, w, y, INT64_MAX / 2, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "y overlaps x", realm_rms_norm(NAIVE, y + 4, w, y, 1, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "y overlaps weight",
               realm_rms_norm(NAIVE, x, y + 4, y, 1, 8, 1e-5f));

    fn = "realm_layer_norm";
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "backend", realm_layer_norm(BAD_BE, x, w, b, y, 2, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL x", realm_layer_norm(NAIVE, NULL, w, b, y, 2, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL y", realm_layer_norm(NAIVE, x, w, b, NULL, 2, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "rows = -1", realm_layer_norm(NAIVE, x, w, b, y, -1, 8, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "cols = 0", realm_layer_norm(NAIVE, x, w, b, y, 2, 0, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "eps", realm_layer_norm(NAIVE, x, w, b, y, 2, 8, -INFINITY));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory",
               realm_layer_norm(NAIVE, x, w, b, y, 8, INT64_MAX / 4, 1e-5f));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "y overlaps bias",
               realm_layer_norm(NAIVE, x, w, y, y, 2, 8, 1e-5f));
}

Test(ops_errors, softmax) {
    const char *fn = "realm_softmax";
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "backend", realm_softmax(BAD_BE, x, y, 2, 8, 1.0f, false, 0));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL x", realm_softmax(NAIVE, NULL, y, 2, 8, 1.0f, false, 0));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL y", realm_softmax(NAIVE, x, NULL, 2, 8, 1.0f, false, 0));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "rows = 0", realm_softmax(NAIVE, x, y, 0, 8, 1.0f, false, 0));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "cols = -2", realm_softmax(NAIVE, x, y, 2, -2, 1.0f, false, 0));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "scale", realm_softmax(NAIVE, x, y, 2, 8, NAN, false, 0));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "scale", realm_softmax(NAIVE, x, y, 2, 8, INFINITY, true, 0));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "pos0 = -1", realm_softmax(NAIVE, x, y, 2, 8, 1.0f, true, -1));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory",
               realm_softmax(NAIVE, x, y, INT64_MAX, INT64_MAX, 1.0f, true, 0));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "overlaps", realm_softmax(NAIVE, y + 1, y, 1, 8, 1.0f, false, 0));
}

/* pos0 only matters under the causal mask, so a negative one is ignored
 * without it. */
Test(ops_errors, softmax_ignores_pos0_without_mask) {
    float out[N];
    cr_expect_eq(realm_softmax(NAIVE, x, out, 2, 8, 1.0f, false, -1), REALM_OK);
}

Test(ops_errors, rope) {
    const char *fn = "realm_rope";
    realm_rope_params p = realm_rope_params_default();
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "backend", realm_rope(BAD_BE, x, y, 2, 2, 4, NULL, NULL));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL x", realm_rope(NAIVE, NULL, y, 2, 2, 4, NULL, NULL));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "NULL y", realm_rope(NAIVE, x, NULL, 2, 2, 4, NULL, NULL));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n_tokens = 0", realm_rope(NAIVE, x, y, 0, 2, 4, NULL, NULL));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n_heads = -1", realm_rope(NAIVE, x, y, 2, -1, 4, NULL, NULL));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "head_dim = 0", realm_rope(NAIVE, x, y, 2, 2, 0, NULL, NULL));
    /* n_rot 0 resolves to an odd head_dim */
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n_rot = 3 (head_dim) is odd",
               realm_rope(NAIVE, x, y, 2, 2, 3, NULL, NULL));
    p.n_rot = 3;
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n_rot = 3 is odd", realm_rope(NAIVE, x, y, 2, 2, 4, NULL, &p));
    p.n_rot = 6;
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n_rot = 6", realm_rope(NAIVE, x, y, 2, 2, 4, NULL, &p));
    p.n_rot = -2;
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "n_rot = -2", realm_rope(NAIVE, x, y, 2, 2, 4, NULL, &p));
    p = realm_rope_params_default();
    p.mode = (realm_rope_mode)2;
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "mode 2", realm_rope(NAIVE, x, y, 2, 2, 4, NULL, &p));
    const float bad_values[] = {0.0f, -1.0f, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
        p = realm_rope_params_default();
        p.freq_base = bad_values[i];
        EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "freq_base", realm_rope(NAIVE, x, y, 2, 2, 4, NULL, &p));
        p = realm_rope_params_default();
        p.freq_scale = bad_values[i];
        EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "freq_scale", realm_rope(NAIVE, x, y, 2, 2, 4, NULL, &p));
    }
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory", realm_rope(NAIVE, x, y, INT64_MAX / 4, 2, 4, NULL, NULL));
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "memory",
               realm_rope(NAIVE, x, y, INT64_C(1) << 30, INT64_C(1) << 30, INT64_C(1) << 30, NULL, NULL));
    p = realm_rope_params_default();
    p.pos0 = INT64_MAX;
    EXPECT_ERR(REALM_ERR_OVERFLOW, fn, "pos0", realm_rope(NAIVE, x, y, 2, 2, 4, NULL, &p));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "y overlaps x", realm_rope(NAIVE, y + 2, y, 1, 2, 4, NULL, NULL));
    EXPECT_ERR(REALM_ERR_INVALID_ARG, fn, "y overlaps positions",
               realm_rope(NAIVE, x, y, 2, 2, 4, (const int32_t *)(const void *)(y + 4), NULL));
}

/* The largest pos0 that still fits is fine: only pos0 + n_tokens - 1 must. */
Test(ops_errors, rope_pos0_at_the_limit) {
    float out[N];
    realm_rope_params p = realm_rope_params_default();
    p.pos0 = INT64_MAX - 1;
    cr_expect_eq(realm_rope(NAIVE, x, out, 2, 2, 4, NULL, &p), REALM_OK, "%s", realm_last_error());
}
