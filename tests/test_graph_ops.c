/* Every graph op against its direct ops.h call (naive backend), dynamic
 * token counts included, and bit-identical results across executors and
 * thread counts on the optimized backend. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/realm.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

enum { K = 64, N = 48, HEADS = 4, HD = 16, MAX_T = 40, NW = 32 };

/* The graph, its inputs and the results checked. */
typedef struct opsg {
    realm_graph *g;
    realm_tensor *a, *b, *bt, *q;
    realm_tensor *mm, *mmt, *sum, *prod, *sc, *ge, *re, *si, *rn, *sm, *rope_n, *rope_x, *wmm, *ln;
    float b_data[K * N], bt_data[N * K], norm_w[K], bias[K];
    uint16_t w16[NW * K]; /* (NW, K) f16 */
    realm_rope_params neox;
} opsg;

static void opsg_init(opsg *o) {
    tu_rng r = {3};
    tu_fill(&r, o->b_data, K * N, 0.2f);
    tu_fill(&r, o->bt_data, N * K, 0.2f);
    tu_fill(&r, o->norm_w, K, 1.0f);
    tu_fill(&r, o->bias, K, 1.0f);
    float wf[NW * K];
    tu_fill(&r, wf, NW * K, 0.2f);
    cr_assert_eq(realm_quantize_row(REALM_TYPE_F16, wf, o->w16, NW * K), REALM_OK);
    realm_status st;
    cr_assert_eq(realm_graph_create(&o->g), REALM_OK);
    realm_graph *g = o->g;
    const int64_t ad[2] = {REALM_DIM_DYNAMIC, K}, bd[2] = {K, N}, btd[2] = {N, K};
    const int64_t qd[3] = {REALM_DIM_DYNAMIC, HEADS, HD}, wd[2] = {NW, K}, nd[1] = {K};
    o->a = realm_input(g, "a", 2, ad, MAX_T, &st);
    o->q = realm_input(g, "q", 3, qd, MAX_T, &st);
    o->b = realm_input(g, "b", 2, bd, 0, &st);
    o->bt = realm_weight(g, "bt", REALM_TYPE_F32, 2, btd, o->bt_data, &st);
    realm_tensor *nw = realm_weight(g, "norm", REALM_TYPE_F32, 1, nd, o->norm_w, &st);
    realm_tensor *w = realm_weight(g, "w16", REALM_TYPE_F16, 2, wd, o->w16, &st);
    o->mm = realm_op_matmul_f32(g, o->a, o->b, false, &st);
    o->mmt = realm_op_matmul_f32(g, o->a, o->bt, true, &st);
    o->sum = realm_op_add(g, o->mm, o->mmt, &st);
    o->prod = realm_op_mul(g, o->mm, o->mmt, &st);
    o->sc = realm_op_scale(g, o->sum, 0.5f, &st);
    o->ge = realm_op_gelu(g, o->sc, &st);
    o->re = realm_op_relu(g, o->prod, &st);
    o->si = realm_op_swiglu(g, o->ge, o->re, &st);
    o->rn = realm_op_rms_norm(g, o->a, nw, 1e-6f, &st);
    o->sm = realm_op_softmax(g, realm_op_matmul_f32(g, o->a, o->a, true, &st), 0.125f, true, 2, &st);
    o->rope_n = realm_op_rope(g, o->q, NULL, &st);
    o->neox = realm_rope_params_default();
    o->neox.mode = REALM_ROPE_NEOX;
    o->neox.n_rot = 8;
    o->neox.pos0 = 5;
    o->rope_x = realm_op_rope(g, o->q, &o->neox, &st);
    o->wmm = realm_op_matmul(g, w, o->rn, &st);
    realm_tensor *bias = realm_weight(g, "bias", REALM_TYPE_F32, 1, nd, o->bias, &st);
    o->ln = realm_op_layer_norm(g, o->a, NULL, bias, 1e-5f, &st);
    cr_assert_eq(st, REALM_OK, "%s", realm_last_error());
    realm_tensor *outs[] = {o->mm, o->mmt, o->sum, o->prod,   o->sc,     o->ge,  o->re,
                            o->si, o->rn,  o->sm,  o->rope_n, o->rope_x, o->wmm, o->ln};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++)
        cr_assert_eq(realm_graph_output(g, outs[i]), REALM_OK);
}

static realm_plan *compile(realm_graph *g, realm_runtime *rt, realm_backend be) {
    realm_graph_options opt = realm_graph_options_default();
    opt.backend = be;
    realm_plan *plan = NULL;
    cr_assert_eq(realm_graph_compile(g, rt, &opt, &plan), REALM_OK, "%s", realm_last_error());
    return plan;
}

static void run(realm_plan *plan, const opsg *o, const float *a, const float *q, int64_t T) {
    const realm_binding b[3] = {
        {.tensor = o->a, .data = a, .shape = {2, {T, K}}},
        {.name = "q", .data = q, .shape = {3, {T, HEADS, HD}}},
        {.name = "b", .data = o->b_data, .shape = {2, {K, N}}},
    };
    cr_assert_eq(realm_plan_run(plan, b, 3), REALM_OK, "%s", realm_last_error());
}

static void expect(const realm_plan *plan, const realm_tensor *t, const float *want, int64_t n,
                   const char *what, int64_t T) {
    const float *got = NULL;
    realm_shape s;
    cr_assert_eq(realm_plan_output(plan, t, &got, &s), REALM_OK, "%s", realm_last_error());
    int64_t numel = 1;
    for (int i = 0; i < s.n_dims; i++)
        numel *= s.dims[i];
    cr_assert_eq(numel, n, "%s T %lld: %lld elements, want %lld", what, (long long)T, (long long)numel,
                 (long long)n);
    for (int64_t i = 0; i < n; i++)
        cr_assert(fabsf(got[i] - want[i]) <= 1e-6f * fmaxf(1.0f, fabsf(want[i])),
                  "%s T %lld [%lld]: %g vs %g", what, (long long)T, (long long)i, got[i], want[i]);
}

Test(graph_ops, naive_plan_matches_direct_calls) {
    opsg o;
    opsg_init(&o);
    realm_runtime *rt = tu_runtime(3, REALM_EXECUTOR_POOL);
    realm_plan *plan = compile(o.g, rt, REALM_BACKEND_NAIVE);
    const realm_backend be = REALM_BACKEND_NAIVE;
    static const int64_t counts[] = {1, 7, MAX_T};
    tu_rng r = {8};
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
        const int64_t T = counts[ci], tn = T * N;
        float *a = malloc(sizeof(float) * T * K), *q = malloc(sizeof(float) * T * HEADS * HD);
        float *mm = malloc(sizeof(float) * tn), *mmt = malloc(sizeof(float) * tn),
              *t1 = malloc(sizeof(float) * tn);
        float *t2 = malloc(sizeof(float) * tn), *t3 = malloc(sizeof(float) * tn);
        float *big = malloc(sizeof(float) * (T * T + T * HEADS * HD + T * K + T * NW));
        tu_fill(&r, a, T * K, 1.0f);
        tu_fill(&r, q, T * HEADS * HD, 1.0f);
        run(plan, &o, a, q, T);
        realm_matmul_f32(be, T, N, K, a, K, o.b_data, N, mm, N);
        expect(plan, o.mm, mm, tn, "matmul_f32", T);
        realm_matmul_f32_t(be, T, N, K, a, K, o.bt_data, K, mmt, N);
        expect(plan, o.mmt, mmt, tn, "matmul_f32_t", T);
        realm_add(be, mm, mmt, t1, tn);
        expect(plan, o.sum, t1, tn, "add", T);
        realm_mul(be, mm, mmt, t2, tn);
        expect(plan, o.prod, t2, tn, "mul", T);
        realm_scale(be, t1, 0.5f, t1, tn);
        expect(plan, o.sc, t1, tn, "scale", T);
        realm_gelu(be, t1, t1, tn);
        expect(plan, o.ge, t1, tn, "gelu", T);
        realm_relu(be, t2, t2, tn);
        expect(plan, o.re, t2, tn, "relu", T);
        realm_silu(be, t1, t3, tn);
        realm_mul(be, t3, t2, t3, tn);
        expect(plan, o.si, t3, tn, "swiglu", T);
        realm_rms_norm(be, a, o.norm_w, big, T, K, 1e-6f);
        expect(plan, o.rn, big, T * K, "rms_norm", T);
        float *wy = big + T * K;
        cr_assert_eq(realm_matmul_quant(be, REALM_TYPE_F16, o.w16, NW, K, big, T, wy), REALM_OK);
        expect(plan, o.wmm, wy, T * NW, "matmul f16", T);
        realm_layer_norm(be, a, NULL, o.bias, big, T, K, 1e-5f);
        expect(plan, o.ln, big, T * K, "layer_norm", T);
        realm_matmul_f32_t(be, T, T, K, a, K, a, K, big, T);
        realm_softmax(be, big, big, T, T, 0.125f, true, 2);
        expect(plan, o.sm, big, T * T, "softmax causal", T);
        realm_rope(be, q, big, T, HEADS, HD, NULL, NULL);
        expect(plan, o.rope_n, big, T * HEADS * HD, "rope normal", T);
        realm_rope(be, q, big, T, HEADS, HD, NULL, &o.neox);
        expect(plan, o.rope_x, big, T * HEADS * HD, "rope neox", T);
        free(a);
        free(q);
        free(mm);
        free(mmt);
        free(t1);
        free(t2);
        free(t3);
        free(big);
    }
    realm_plan_destroy(plan);
    realm_runtime_destroy(rt);
    realm_graph_destroy(o.g);
}

/* All outputs of the last run, concatenated, into buf (n floats written). */
static int64_t collect(const realm_plan *plan, const opsg *o, float *buf) {
    const realm_tensor *outs[] = {o->mm, o->mmt, o->sum, o->prod,   o->sc,     o->ge,  o->re,
                                  o->si, o->rn,  o->sm,  o->rope_n, o->rope_x, o->wmm, o->ln};
    int64_t n = 0;
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        const float *p = NULL;
        realm_shape s;
        cr_assert_eq(realm_plan_output(plan, outs[i], &p, &s), REALM_OK);
        int64_t m = 1;
        for (int d = 0; d < s.n_dims; d++)
            m *= s.dims[d];
        memcpy(buf + n, p, sizeof(float) * m);
        n += m;
    }
    return n;
}

Test(graph_ops, optimized_plan_bit_identical_across_executors) {
    opsg o;
    opsg_init(&o);
    const int64_t T = MAX_T;
    tu_rng r = {21};
    float *a = malloc(sizeof(float) * T * K), *q = malloc(sizeof(float) * T * HEADS * HD);
    tu_fill(&r, a, T * K, 1.0f);
    tu_fill(&r, q, T * HEADS * HD, 1.0f);
    const size_t cap = 1 << 20;
    float *want = malloc(sizeof(float) * cap), *got = malloc(sizeof(float) * cap);
    realm_runtime *rt = tu_runtime(1, REALM_EXECUTOR_SERIAL);
    realm_plan *plan = compile(o.g, rt, REALM_BACKEND_OPTIMIZED);
    run(plan, &o, a, q, T);
    const int64_t n = collect(plan, &o, want);
    realm_plan_destroy(plan);
    realm_runtime_destroy(rt);
    for (int ex = 0; ex < 2; ex++)
        for (int threads = 1; threads <= 3; threads++) {
            rt = tu_runtime(threads, ex ? REALM_EXECUTOR_OPENMP : REALM_EXECUTOR_POOL);
            plan = compile(o.g, rt, REALM_BACKEND_OPTIMIZED);
            run(plan, &o, a, q, T);
            cr_assert_eq(collect(plan, &o, got), n);
            cr_assert_eq(memcmp(got, want, sizeof(float) * n), 0, "executor %s threads %d: bits differ",
                         ex ? "openmp" : "pool", threads);
            realm_plan_destroy(plan);
            realm_runtime_destroy(rt);
        }
    free(a);
    free(q);
    free(want);
    free(got);
    realm_graph_destroy(o.g);
}
