/* Misuse of the graph API: every case returns a status and a message, and
 * nothing crashes. */
#include <criterion/criterion.h>
#include <string.h>

#include "realm/realm.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

/* status is s and realm_last_error() says something. */
#define expect_status(got, want)                                                                             \
    do {                                                                                                     \
        const realm_status got_ = (got);                                                                     \
        cr_assert_eq(got_, (want), "%s: got %s, want %s (%s)", #got, realm_status_str(got_),                 \
                     realm_status_str(want), realm_last_error());                                            \
        cr_assert_neq(realm_last_error()[0], 0);                                                             \
    } while (0)

static realm_runtime *serial_rt(void) { return tu_runtime(1, REALM_EXECUTOR_SERIAL); }

Test(graph_errors, constructors_reject_bad_shapes_types_and_nulls) {
    realm_graph *g = NULL, *other = NULL;
    expect_status(realm_graph_create(NULL), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    cr_assert_eq(realm_graph_create(&other), REALM_OK);
    realm_status st = REALM_OK;
    const int64_t xd[2] = {REALM_DIM_DYNAMIC, 256}, yd[2] = {4, 128}, wd[2] = {32, 256},
                  bad_wd[2] = {32, 100};
    static float wdata[32 * 256];
    realm_tensor *x = realm_input(g, "x", 2, xd, 8, &st);
    cr_assert_not_null(x);
    realm_tensor *y = realm_input(g, "y", 2, yd, 0, &st);
    realm_tensor *w = realm_weight(g, "w", REALM_TYPE_F32, 2, wd, wdata, &st);
    realm_tensor *ox = realm_input(other, "x", 2, xd, 8, &st);
    cr_assert(y && w && ox);

    /* leaves */
    cr_assert_null(realm_input(NULL, "a", 2, xd, 8, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_input(g, NULL, 2, xd, 8, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_input(g, "x", 2, xd, 8, &st));
    expect_status(st, REALM_ERR_INVALID_ARG); /* duplicate name */
    cr_assert_null(realm_input(g, "z", 5, xd, 8, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_input(g, "z", 2, xd, 0, &st));
    expect_status(st, REALM_ERR_INVALID_ARG); /* dynamic without a max */
    cr_assert_null(realm_input(g, "z", 2, xd, 9, &st));
    expect_status(st, REALM_ERR_SHAPE); /* another max */
    const int64_t zero[2] = {0, 4};
    cr_assert_null(realm_input(g, "z", 2, zero, 0, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_weight(g, "q", REALM_TYPE_Q4_K, 2, bad_wd, wdata, &st));
    expect_status(st, REALM_ERR_SHAPE);
    cr_assert_null(realm_weight(g, "q", (realm_type)4, 2, wd, wdata, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_weight(g, "q", REALM_TYPE_F32, 2, NULL, wdata, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);

    /* ops */
    cr_assert_null(realm_op_add(g, x, y, &st));
    expect_status(st, REALM_ERR_SHAPE);
    cr_assert_null(realm_op_add(g, x, ox, &st));
    expect_status(st, REALM_ERR_INVALID_ARG); /* another graph */
    cr_assert_null(realm_op_mul(g, x, NULL, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_op_silu(NULL, x, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_op_matmul(g, w, y, &st));
    expect_status(st, REALM_ERR_SHAPE); /* k 256 vs 128 */
    cr_assert_null(realm_op_matmul(g, x, x, &st));
    expect_status(st, REALM_ERR_INVALID_ARG); /* not a weight */
    cr_assert_null(realm_op_matmul_f32(g, x, y, false, &st));
    expect_status(st, REALM_ERR_SHAPE);
    cr_assert_null(realm_op_rms_norm(g, x, y, 1e-5f, &st));
    expect_status(st, REALM_ERR_SHAPE);
    cr_assert_null(realm_op_layer_norm(g, x, NULL, y, 1e-5f, &st));
    expect_status(st, REALM_ERR_SHAPE);
    cr_assert_null(realm_op_rms_norm(g, x, NULL, 0.0f, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_op_softmax(g, x, 1.0f, true, -1, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_op_scale(g, x, 1.0f / 0.0f, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_op_unary(g, REALM_UNARY_COUNT, x, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    const int64_t vd[1] = {16};
    cr_assert_null(realm_op_rope(g, realm_input(g, "v", 1, vd, 0, NULL), NULL, &st));
    expect_status(st, REALM_ERR_SHAPE); /* 1 dim */
    realm_rope_params rp = realm_rope_params_default();
    rp.n_rot = 3;
    const int64_t qd[3] = {REALM_DIM_DYNAMIC, 2, 16};
    realm_tensor *q = realm_input(g, "q", 3, qd, 8, &st);
    cr_assert_null(realm_op_rope(g, q, &rp, &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    /* a failed constructor chains: its NULL is reported by the next one */
    cr_assert_null(realm_op_relu(g, realm_op_add(g, x, y, NULL), &st));
    expect_status(st, REALM_ERR_INVALID_ARG);
    /* status may be NULL */
    cr_assert_null(realm_op_add(g, x, y, NULL));

    expect_status(realm_graph_output(g, x), REALM_ERR_INVALID_ARG); /* a leaf */
    expect_status(realm_graph_output(g, NULL), REALM_ERR_INVALID_ARG);
    realm_tensor *r = realm_op_relu(other, ox, &st);
    expect_status(realm_graph_output(g, r), REALM_ERR_INVALID_ARG);
    cr_assert_null(realm_graph_find_input(g, "nope"));
    expect_status(realm_tensor_shape(NULL, NULL), REALM_ERR_INVALID_ARG);
    expect_status(realm_weight_bind(g, x, wdata), REALM_ERR_INVALID_ARG);
    realm_graph_destroy(g);
    realm_graph_destroy(other);
    realm_graph_destroy(NULL);
}

Test(graph_errors, compile_rejects_missing_outputs_and_unbound_weights) {
    realm_runtime *rt = serial_rt();
    realm_graph *g = NULL;
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    realm_status st;
    const int64_t xd[2] = {3, 64}, wd[2] = {8, 64};
    realm_tensor *x = realm_input(g, "x", 2, xd, 0, &st);
    realm_tensor *w = realm_weight(g, "w", REALM_TYPE_Q8_0, 2, wd, NULL, &st);
    realm_tensor *y = realm_op_matmul(g, w, x, &st);
    cr_assert_not_null(y);
    realm_plan *plan = (realm_plan *)1;
    expect_status(realm_graph_compile(g, rt, NULL, &plan), REALM_ERR_STATE); /* no output */
    cr_assert_null(plan);
    cr_assert_eq(realm_graph_output(g, y), REALM_OK);
    expect_status(realm_graph_compile(g, rt, NULL, &plan), REALM_ERR_STATE); /* weight without data */
    expect_status(realm_graph_compile(NULL, rt, NULL, &plan), REALM_ERR_INVALID_ARG);
    expect_status(realm_graph_compile(g, NULL, NULL, &plan), REALM_ERR_INVALID_ARG);
    expect_status(realm_graph_compile(g, rt, NULL, NULL), REALM_ERR_INVALID_ARG);
    realm_graph_options o = realm_graph_options_default();
    o.flags = 1u << 7; /* unknown flag */
    expect_status(realm_graph_compile(g, rt, &o, &plan), REALM_ERR_INVALID_ARG);
    o = realm_graph_options_default();
    o.backend = (realm_backend)7;
    expect_status(realm_graph_compile(g, rt, &o, &plan), REALM_ERR_INVALID_ARG);
    static unsigned char wq[8 * 68];
    memset(wq, 0, sizeof wq);
    cr_assert_eq(realm_weight_bind(g, w, wq), REALM_OK);
    cr_assert_eq(realm_graph_compile(g, rt, NULL, &plan), REALM_OK, "%s", realm_last_error());
    realm_plan_destroy(plan);
    realm_plan_destroy(NULL);
    realm_graph_destroy(g);
    realm_runtime_destroy(rt);
}

Test(graph_errors, run_rejects_missing_unknown_and_misshaped_bindings) {
    realm_runtime *rt = serial_rt();
    realm_graph *g = NULL, *other = NULL;
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    cr_assert_eq(realm_graph_create(&other), REALM_OK);
    realm_status st;
    const int64_t xd[2] = {REALM_DIM_DYNAMIC, 8}, cd[1] = {8};
    realm_tensor *x = realm_input(g, "x", 2, xd, 4, &st);
    realm_tensor *c = realm_input(g, "c", 2, xd, 4, &st);
    realm_tensor *unused = realm_input(g, "unused", 1, cd, 0, &st);
    realm_tensor *y = realm_op_add(g, x, c, &st);
    realm_tensor *ox = realm_input(other, "x", 2, xd, 4, &st);
    cr_assert(x && c && unused && y && ox);
    cr_assert_eq(realm_graph_output(g, y), REALM_OK);
    cr_assert_eq(realm_tensor_set_name(g, y, "sum"), REALM_OK);
    expect_status(realm_tensor_set_name(g, x, "sum"), REALM_ERR_INVALID_ARG); /* a leaf */
    expect_status(realm_tensor_set_name(g, y, ""), REALM_ERR_INVALID_ARG);
    realm_plan *plan = NULL;
    cr_assert_eq(realm_graph_compile(g, rt, NULL, &plan), REALM_OK, "%s", realm_last_error());
    realm_plan_info info;
    cr_assert_eq(realm_plan_get_info(plan, &info), REALM_OK);
    cr_assert_eq(info.n_inputs, 2); /* "unused" is not needed */

    const float *out = NULL;
    expect_status(realm_plan_output(plan, y, &out, NULL), REALM_ERR_STATE); /* before a run */
    static float data[4 * 8];
    realm_binding b[2] = {{.tensor = x, .data = data, .shape = {2, {3, 8}}},
                          {.name = "c", .data = data, .shape = {2, {3, 8}}}};
    expect_status(realm_plan_run(plan, b, 1), REALM_ERR_INVALID_ARG); /* c missing */
    expect_status(realm_plan_run(NULL, b, 2), REALM_ERR_INVALID_ARG);
    expect_status(realm_plan_run(plan, NULL, 2), REALM_ERR_INVALID_ARG);
    b[1].name = "nope";
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_INVALID_ARG); /* unknown name */
    b[1].name = NULL;
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_INVALID_ARG); /* neither */
    b[1].tensor = ox;
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_INVALID_ARG); /* another graph */
    b[1].tensor = y;
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_INVALID_ARG); /* not an input */
    b[1].tensor = x;
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_INVALID_ARG); /* twice */
    b[1].tensor = c;
    b[1].data = NULL;
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_INVALID_ARG); /* NULL data */
    b[1].data = data;
    b[1].shape.dims[1] = 7;
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_SHAPE); /* static dim */
    b[1].shape.dims[1] = 8;
    b[1].shape.dims[0] = 2;
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_SHAPE); /* tokens disagree */
    b[0].shape.dims[0] = b[1].shape.dims[0] = 5;
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_SHAPE); /* above the max */
    b[0].shape.dims[0] = b[1].shape.dims[0] = 4;
    b[1].shape.n_dims = 1;
    expect_status(realm_plan_run(plan, b, 2), REALM_ERR_SHAPE); /* dims count */
    b[1].shape.n_dims = 2;
    cr_assert_eq(realm_plan_run(plan, b, 2), REALM_OK, "%s", realm_last_error());
    /* an input the outputs do not need may be bound, run after run */
    realm_binding b3[3] = {b[0], b[1], {.name = "unused", .data = data, .shape = {1, {8}}}};
    cr_assert_eq(realm_plan_run(plan, b3, 3), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_plan_run(plan, b3, 3), REALM_OK, "%s", realm_last_error());
    /* tensors added after compile are unknown to the plan */
    realm_tensor *late = realm_input(g, "late", 1, cd, 0, &st);
    realm_tensor *late_y = realm_op_relu(g, late, &st);
    cr_assert_eq(realm_graph_output(g, late_y), REALM_OK);
    b3[2] = (realm_binding){.tensor = late, .data = data, .shape = {1, {8}}};
    expect_status(realm_plan_run(plan, b3, 3), REALM_ERR_INVALID_ARG);
    b3[2].tensor = NULL;
    b3[2].name = "late";
    expect_status(realm_plan_run(plan, b3, 3), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_run(plan, b, 2), REALM_OK, "%s", realm_last_error());
    expect_status(realm_plan_output(plan, late_y, &out, NULL), REALM_ERR_INVALID_ARG);
    realm_shape s;
    cr_assert_eq(realm_plan_output(plan, y, &out, &s), REALM_OK);
    const float *by_name = NULL;
    cr_assert_eq(realm_plan_output_by_name(plan, "sum", &by_name, NULL), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(by_name, out);
    expect_status(realm_plan_output_by_name(plan, "nope", &by_name, NULL), REALM_ERR_INVALID_ARG);
    expect_status(realm_plan_output_by_name(plan, NULL, &by_name, NULL), REALM_ERR_INVALID_ARG);
    cr_assert(s.n_dims == 2 && s.dims[0] == 4 && s.dims[1] == 8);
    expect_status(realm_plan_output(plan, x, &out, NULL), REALM_ERR_INVALID_ARG); /* not an output */
    expect_status(realm_plan_output(plan, NULL, &out, NULL), REALM_ERR_INVALID_ARG);
    /* a failed run leaves no readable output */
    expect_status(realm_plan_run(plan, b, 1), REALM_ERR_INVALID_ARG);
    expect_status(realm_plan_output(plan, y, &out, NULL), REALM_ERR_STATE);
    expect_status(realm_plan_get_info(NULL, &info), REALM_ERR_INVALID_ARG);
    realm_plan_destroy(plan);
    realm_graph_destroy(g);
    realm_graph_destroy(other);
    realm_runtime_destroy(rt);
}
