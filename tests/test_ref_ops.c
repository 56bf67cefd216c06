/* Naive backend, elementwise ops: activations against long double formulas
 * and high-precision constants, add/mul/scale against single float
 * operations, in-place calls, n == 0, plus the reference table and backend
 * names. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "realm/ops.h"
#include "util.h"

#define NAIVE REALM_BACKEND_NAIVE

/* The kernels evaluate in double and round once, so each result is within
 * half a float ulp (6e-8 relative) of the truth; 4e-7 leaves room for the
 * few double ulps by which their formulas and this file's differ. */
#define ACT_RTOL 4e-7
/* Results in float's subnormal range carry absolute, not relative,
 * precision: 1.4e-45 per ulp. */
#define ACT_ATOL 1e-44

/* Inputs spanning every regime: zeros, subnormal-adjacent and tiny values,
 * the saturating tails of each function, and huge magnitudes. */
static const float special_inputs[] = {
    0.0f,  -0.0f,  1e-45f, -1e-45f, 1e-38f, -1e-38f, 1e-30f, -1e-30f, 1e-7f, -1e-7f, 0.5f,  -0.5f,
    1.0f,  -1.0f,  3.0f,   -3.0f,   6.0f,   -6.0f,   10.0f,  -10.0f,  20.0f, -20.0f, 40.0f, -40.0f,
    88.0f, -88.0f, 100.0f, -100.0f, 1e3f,   -1e3f,   1e4f,   -1e4f,   1e30f, -1e30f, 3e38f, -3e38f};
#define N_SPECIAL (int64_t)(sizeof special_inputs / sizeof special_inputs[0])
static const float input_scales[] = {1e-30f, 1e-10f, 1e-3f, 1.0f, 4.0f, 30.0f, 1e3f};
#define N_SCALES (int64_t)(sizeof input_scales / sizeof input_scales[0])
#define PER_SCALE 200

/* Fills a fresh buffer with the special inputs and random values at every
 * scale; returns it and its length. */
static float *make_inputs(int64_t *n) {
    *n = N_SPECIAL + N_SCALES * PER_SCALE;
    float *x = malloc(sizeof(float) * (size_t)*n);
    cr_assert(x);
    memcpy(x, special_inputs, sizeof special_inputs);
    tu_rng rng = {42};
    for (int64_t s = 0; s < N_SCALES; s++)
        tu_fill(&rng, x + N_SPECIAL + s * PER_SCALE, PER_SCALE, input_scales[s]);
    return x;
}

/* Truth in long double. Large negative arguments use the forms without
 * cancellation (1 + tanh u = 2 / (1 + e^-2u), 1 + erf u = erfc -u); the
 * textbook forms are checked against them where both are accurate. */
static long double silu_ld(long double x) { return x / (1.0L + expl(-x)); }
static long double gelu_tanh_ld(long double x) {
    long double u = sqrtl(2.0L / 3.14159265358979323846264338327950288L) * (x + 0.044715L * x * x * x);
    return x / (1.0L + expl(-2.0L * u));
}
static long double gelu_erf_ld(long double x) { return 0.5L * x * erfcl(-x / sqrtl(2.0L)); }
static long double relu_ld(long double x) { return x > 0 ? x : 0.0L; }

typedef struct {
    realm_unary_op op;
    const char *name;
    realm_status (*fn)(realm_backend, const float *, float *, int64_t);
    long double (*truth)(long double);
} activation;

static const activation activations[] = {
    {REALM_UNARY_SILU, "silu", realm_silu, silu_ld},
    {REALM_UNARY_GELU_TANH, "gelu_tanh", realm_gelu, gelu_tanh_ld},
    {REALM_UNARY_GELU_ERF, "gelu_erf", realm_gelu_erf, gelu_erf_ld},
    {REALM_UNARY_RELU, "relu", realm_relu, relu_ld},
};
#define N_ACT (sizeof activations / sizeof activations[0])

static void expect_close(float got, long double want, const char *what, float x) {
    long double err = fabsl((long double)got - want);
    cr_expect(err <= ACT_RTOL * fabsl(want) + ACT_ATOL, "%s(%.9g) = %.9g, want %.12Lg", what, (double)x,
              (double)got, want);
}

Test(ref_unary, activations_match_long_double_formulas) {
    int64_t n;
    float *x = make_inputs(&n);
    float *y = malloc(sizeof(float) * (size_t)n);
    for (size_t a = 0; a < N_ACT; a++) {
        cr_assert_eq(activations[a].fn(NAIVE, x, y, n), REALM_OK);
        for (int64_t i = 0; i < n; i++)
            expect_close(y[i], activations[a].truth(x[i]), activations[a].name, x[i]);
    }
    free(x);
    free(y);
}

Test(ref_unary, realm_unary_matches_named_functions) {
    int64_t n;
    float *x = make_inputs(&n);
    float *y1 = malloc(sizeof(float) * (size_t)n), *y2 = malloc(sizeof(float) * (size_t)n);
    for (size_t a = 0; a < N_ACT; a++) {
        cr_assert_eq(activations[a].fn(NAIVE, x, y1, n), REALM_OK);
        cr_assert_eq(realm_unary(NAIVE, activations[a].op, x, y2, n), REALM_OK);
        cr_expect_eq(memcmp(y1, y2, sizeof(float) * (size_t)n), 0, "%s differs via realm_unary",
                     activations[a].name);
    }
    free(x);
    free(y1);
    free(y2);
}

/* Where 1 + tanh and 1 + erf do not cancel, the textbook definitions agree
 * with the rewritten truth above. */
Test(ref_unary, textbook_forms_agree_on_moderate_inputs) {
    const long double c = sqrtl(2.0L / 3.14159265358979323846264338327950288L);
    for (float x = -4.0f; x <= 4.0f; x += 0.125f) {
        long double v = x;
        long double tanh_form = 0.5L * v * (1.0L + tanhl(c * (v + 0.044715L * v * v * v)));
        long double erf_form = 0.5L * v * (1.0L + erfl(v / sqrtl(2.0L)));
        float y[2];
        cr_assert_eq(realm_gelu(NAIVE, &x, &y[0], 1), REALM_OK);
        cr_assert_eq(realm_gelu_erf(NAIVE, &x, &y[1], 1), REALM_OK);
        expect_close(y[0], tanh_form, "gelu_tanh", x);
        expect_close(y[1], erf_form, "gelu_erf", x);
    }
}

/* Values from mpmath at 80 digits: an anchor independent of any formula
 * rewriting in this file. */
Test(ref_unary, known_values) {
    static const struct {
        float x;
        double silu, gelu_tanh, gelu_erf;
    } known[] = {
        {1.0f, 0.73105857863000488, 0.8411919906082767, 0.84134474606854295},
        {-1.0f, -0.26894142136999512, -0.1588080093917233, -0.15865525393145705},
        {3.0f, 2.8577223804672997, 2.996362607918227, 2.9959503059051097},
        {-3.0f, -0.14227761953270034, -0.0036373920817730188, -0.0040496940948902836},
        {-5.0f, -0.033464254621424278, -2.291796196629506e-7, -1.4332578593959696e-6},
        {-8.0f, -0.0026828010437318248, -3.1077829375011112e-21, -4.9767684594174273e-15},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        float y[3];
        cr_assert_eq(realm_silu(NAIVE, &known[i].x, &y[0], 1), REALM_OK);
        cr_assert_eq(realm_gelu(NAIVE, &known[i].x, &y[1], 1), REALM_OK);
        cr_assert_eq(realm_gelu_erf(NAIVE, &known[i].x, &y[2], 1), REALM_OK);
        expect_close(y[0], known[i].silu, "silu", known[i].x);
        expect_close(y[1], known[i].gelu_tanh, "gelu_tanh", known[i].x);
        expect_close(y[2], known[i].gelu_erf, "gelu_erf", known[i].x);
    }
}

Test(ref_unary, relu_keeps_nan) {
    float x = NAN, y = 0.0f;
    cr_assert_eq(realm_relu(NAIVE, &x, &y, 1), REALM_OK);
    cr_expect(isnan(y), "relu(NaN) = %g, want NaN", (double)y);
}

Test(ref_unary, in_place_equals_out_of_place) {
    int64_t n;
    float *x = make_inputs(&n);
    float *y = malloc(sizeof(float) * (size_t)n), *z = malloc(sizeof(float) * (size_t)n);
    for (size_t a = 0; a < N_ACT; a++) {
        memcpy(z, x, sizeof(float) * (size_t)n);
        cr_assert_eq(activations[a].fn(NAIVE, x, y, n), REALM_OK);
        cr_assert_eq(activations[a].fn(NAIVE, z, z, n), REALM_OK);
        cr_expect_eq(memcmp(y, z, sizeof(float) * (size_t)n), 0, "%s in place differs", activations[a].name);
    }
    free(x);
    free(y);
    free(z);
}

/* One float add or multiply is correctly rounded, and so is the double
 * result rounded to float (53 >= 2 * 24 + 2 bits): the two must be equal. */
Test(ref_binary, add_mul_scale_exact) {
    int64_t n;
    float *a = make_inputs(&n);
    float *b = malloc(sizeof(float) * (size_t)n), *y = malloc(sizeof(float) * (size_t)n);
    tu_rng rng = {7};
    tu_fill(&rng, b, n, 3.0f);
    const float s = -0.3f;
    cr_assert_eq(realm_add(NAIVE, a, b, y, n), REALM_OK);
    for (int64_t i = 0; i < n; i++)
        cr_expect_eq(y[i], (float)((double)a[i] + (double)b[i]), "add [%lld]", (long long)i);
    cr_assert_eq(realm_mul(NAIVE, a, b, y, n), REALM_OK);
    for (int64_t i = 0; i < n; i++)
        cr_expect_eq(y[i], (float)((double)a[i] * (double)b[i]), "mul [%lld]", (long long)i);
    cr_assert_eq(realm_scale(NAIVE, a, s, y, n), REALM_OK);
    for (int64_t i = 0; i < n; i++)
        cr_expect_eq(y[i], (float)((double)s * (double)a[i]), "scale [%lld]", (long long)i);
    free(a);
    free(b);
    free(y);
}

Test(ref_binary, in_place_on_either_input) {
    enum { N = 257 };
    float a[N], b[N], want[N], y[N];
    tu_rng rng = {11};
    tu_fill(&rng, a, N, 1.0f);
    tu_fill(&rng, b, N, 1.0f);
    cr_assert_eq(realm_add(NAIVE, a, b, want, N), REALM_OK);
    memcpy(y, a, sizeof y);
    cr_assert_eq(realm_add(NAIVE, y, b, y, N), REALM_OK);
    cr_expect_eq(memcmp(y, want, sizeof y), 0, "add with y == a");
    memcpy(y, b, sizeof y);
    cr_assert_eq(realm_add(NAIVE, a, y, y, N), REALM_OK);
    cr_expect_eq(memcmp(y, want, sizeof y), 0, "add with y == b");
    cr_assert_eq(realm_mul(NAIVE, a, a, want, N), REALM_OK);
    memcpy(y, a, sizeof y);
    cr_assert_eq(realm_mul(NAIVE, y, y, y, N), REALM_OK);
    cr_expect_eq(memcmp(y, want, sizeof y), 0, "mul with y == a == b");
    cr_assert_eq(realm_scale(NAIVE, a, 2.5f, want, N), REALM_OK);
    memcpy(y, a, sizeof y);
    cr_assert_eq(realm_scale(NAIVE, y, 2.5f, y, N), REALM_OK);
    cr_expect_eq(memcmp(y, want, sizeof y), 0, "scale in place");
}

Test(ref_elementwise, zero_length_is_a_no_op) {
    float x[1] = {1.0f}, y[1] = {42.0f};
    for (size_t a = 0; a < N_ACT; a++)
        cr_expect_eq(activations[a].fn(NAIVE, x, y, 0), REALM_OK);
    cr_expect_eq(realm_add(NAIVE, x, x, y, 0), REALM_OK);
    cr_expect_eq(realm_mul(NAIVE, x, x, y, 0), REALM_OK);
    cr_expect_eq(realm_scale(NAIVE, x, 2.0f, y, 0), REALM_OK);
    cr_expect_eq(y[0], 42.0f, "a zero-length call wrote its output");
}

Test(ref_table, every_slot_filled) {
    const realm_kernel_table *t = realm_kernels_reference();
    cr_assert(t);
    cr_expect_str_eq(t->name, "naive");
    cr_expect(t->matmul_quant && t->gemm_f32_nn && t->gemm_f32_nt);
    for (int op = 0; op < REALM_UNARY_COUNT; op++)
        cr_expect(t->unary[op], "unary slot %d empty", op);
    cr_expect(t->add && t->mul && t->scale && t->rms_norm && t->layer_norm && t->softmax && t->rope);
    cr_expect_eq(realm_kernels_get(REALM_BACKEND_NAIVE), t);
}

Test(ref_backend, names_round_trip) {
    cr_expect_str_eq(realm_backend_name(REALM_BACKEND_NAIVE), "naive");
    cr_expect_str_eq(realm_backend_name(REALM_BACKEND_OPTIMIZED), "optimized");
    cr_expect_str_eq(realm_backend_name((realm_backend)7), "invalid");
    cr_expect_str_eq(realm_backend_name((realm_backend)-1), "invalid");
    realm_backend be = REALM_BACKEND_OPTIMIZED;
    cr_expect_eq(realm_backend_from_name("NaIvE", &be), REALM_OK);
    cr_expect_eq(be, REALM_BACKEND_NAIVE);
    cr_expect_eq(realm_backend_from_name("optimized", &be), REALM_OK);
    cr_expect_eq(be, REALM_BACKEND_OPTIMIZED);
}
