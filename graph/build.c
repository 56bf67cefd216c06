/* Graph construction: leaves, op constructors with their shape checks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "graph/graph_impl.h"
#include "realm/quant.h"

static const char *const op_names[GOP_COUNT] = {
    [GOP_INPUT] = "input",
    [GOP_WEIGHT] = "weight",
    [GOP_MATMUL] = "matmul",
    [GOP_MATMUL_F32] = "matmul_f32",
    [GOP_ADD] = "add",
    [GOP_MUL] = "mul",
    [GOP_SWIGLU] = "swiglu",
    [GOP_SCALE] = "scale",
    [GOP_UNARY] = "unary",
    [GOP_RMS_NORM] = "rms_norm",
    [GOP_LAYER_NORM] = "layer_norm",
    [GOP_SOFTMAX] = "softmax",
    [GOP_ROPE] = "rope",
    [GOP_GET_ROWS] = "get_rows",
    [GOP_RESHAPE] = "reshape",
    [GOP_LAST_ROW] = "last_row",
    [GOP_ATTENTION] = "attention",
};

const char *graph_op_name(graph_op op) { return op >= 0 && op < GOP_COUNT ? op_names[op] : "invalid"; }

int64_t graph_dim(const realm_tensor *t, int i, int64_t tokens) {
    return t->dims[i] == REALM_DIM_DYNAMIC ? tokens : t->dims[i];
}

int64_t graph_numel(const realm_tensor *t, int64_t tokens) {
    int64_t n = 1;
    for (int i = 0; i < t->n_dims; i++)
        n *= graph_dim(t, i, tokens);
    return n;
}

realm_tensor *graph_fail(realm_status *status, realm_status s) {
    if (status) *status = s;
    return NULL;
}

realm_tensor *graph_done(realm_status *status, realm_tensor *t) {
    if (status) *status = REALM_OK;
    return t;
}

realm_status realm_graph_create(realm_graph **out) {
    if (!out) return realm_error(REALM_ERR_INVALID_ARG, "realm_graph_create: NULL out");
    *out = calloc(1, sizeof(realm_graph));
    if (!*out) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_create: out of memory");
    return REALM_OK;
}

void realm_graph_destroy(realm_graph *g) {
    if (!g) return;
    for (int i = 0; i < g->n; i++)
        free(g->tensors[i]);
    free(g->tensors);
    free(g);
}

/* A new tensor of g with the given op, type and shape; NULL when out of memory. */
static realm_tensor *new_tensor(realm_graph *g, graph_op op, realm_type type, int n_dims,
                                const int64_t *dims) {
    if (g->n == g->cap) {
        int cap = g->cap ? 2 * g->cap : 16;
        /* an array of pointers: sizeof one pointer is meant */
        realm_tensor **t =
            realloc(g->tensors, sizeof(*t) * (size_t)cap); // NOLINT(bugprone-sizeof-expression)
        if (!t) return NULL;
        g->tensors = t;
        g->cap = cap;
    }
    realm_tensor *t = calloc(1, sizeof(realm_tensor));
    if (!t) return NULL;
    t->graph = g;
    t->id = g->n;
    t->op = op;
    t->type = type;
    t->n_dims = n_dims;
    memcpy(t->dims, dims, sizeof(int64_t) * (size_t)n_dims);
    g->tensors[g->n++] = t;
    return t;
}

realm_tensor *graph_new_node(realm_graph *g, const char *fn, graph_op op, int n_dims, const int64_t *dims,
                             realm_status *status) {
    realm_tensor *t = new_tensor(g, op, REALM_TYPE_F32, n_dims, dims);
    if (!t) return graph_fail(status, realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: out of memory", fn));
    return t;
}

bool graph_name_ok(const char *name) { return name && name[0] && strlen(name) <= REALM_MAX_NAME; }

realm_status realm_tensor_set_name(realm_graph *g, realm_tensor *t, const char *name) {
    if (!g || !t || !name)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_tensor_set_name: NULL %s",
                           !g   ? "graph"
                           : !t ? "tensor"
                                : "name");
    if (t->graph != g || t->op == GOP_INPUT || t->op == GOP_WEIGHT)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_tensor_set_name: tensor %s",
                           t->graph != g ? "belongs to another graph" : "is a leaf");
    if (!graph_name_ok(name))
        return realm_error(REALM_ERR_INVALID_ARG, "realm_tensor_set_name: name must have 1..%d characters",
                           REALM_MAX_NAME);
    for (int i = 0; i < g->n; i++) {
        const realm_tensor *o = g->tensors[i];
        if (o != t && o->op != GOP_INPUT && o->op != GOP_WEIGHT && strcmp(o->name, name) == 0)
            return realm_error(REALM_ERR_INVALID_ARG, "realm_tensor_set_name: '%s' names another op result",
                               name);
    }
    strcpy(t->name, name);
    return REALM_OK;
}

realm_tensor *realm_graph_find_input(const realm_graph *g, const char *name) {
    if (!g || !name) {
        realm_error(REALM_ERR_INVALID_ARG, "realm_graph_find_input: NULL %s", g ? "name" : "graph");
        return NULL;
    }
    for (int i = 0; i < g->n; i++)
        if (g->tensors[i]->op == GOP_INPUT && strcmp(g->tensors[i]->name, name) == 0) return g->tensors[i];
    realm_error(REALM_ERR_INVALID_ARG, "realm_graph_find_input: no input named '%s'", name);
    return NULL;
}

realm_tensor *realm_input(realm_graph *g, const char *name, int n_dims, const int64_t *dims,
                          int64_t max_tokens, realm_status *status) {
    if (!g || !dims)
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "realm_input: NULL %s", g ? "dims" : "graph"));
    if (!graph_name_ok(name))
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "realm_input: name must have 1..%d characters",
                                      REALM_MAX_NAME));
    for (int i = 0; i < g->n; i++)
        if (g->tensors[i]->op == GOP_INPUT && strcmp(g->tensors[i]->name, name) == 0)
            return graph_fail(
                status, realm_error(REALM_ERR_INVALID_ARG, "realm_input: an input named '%s' exists", name));
    if (n_dims < 1 || n_dims > REALM_MAX_DIMS)
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "realm_input '%s': n_dims %d not in 1..%d", name,
                                      n_dims, REALM_MAX_DIMS));
    bool dynamic = false;
    for (int i = 0; i < n_dims; i++) {
        if (dims[i] == REALM_DIM_DYNAMIC)
            dynamic = true;
        else if (dims[i] < 1)
            return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "realm_input '%s': dims[%d] = %lld",
                                                  name, i, (long long)dims[i]));
    }
    if (dynamic) {
        if (max_tokens < 1)
            return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG,
                                                  "realm_input '%s': max_tokens %lld < 1 with a dynamic dim",
                                                  name, (long long)max_tokens));
        if (g->max_tokens && g->max_tokens != max_tokens)
            return graph_fail(status,
                              realm_error(REALM_ERR_SHAPE,
                                          "realm_input '%s': max_tokens %lld differs from the graph's %lld",
                                          name, (long long)max_tokens, (long long)g->max_tokens));
    }
    realm_tensor *t = graph_new_node(g, "realm_input", GOP_INPUT, n_dims, dims, status);
    if (!t) return NULL;
    if (dynamic) g->max_tokens = max_tokens;
    strcpy(t->name, name);
    return graph_done(status, t);
}

realm_tensor *realm_weight(realm_graph *g, const char *name, realm_type type, int n_dims, const int64_t *dims,
                           const void *data, realm_status *status) {
    if (!g || !dims)
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "realm_weight: NULL %s", g ? "dims" : "graph"));
    if (name && !graph_name_ok(name))
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "realm_weight: name must have 1..%d characters",
                                      REALM_MAX_NAME));
    if (!realm_type_is_valid(type))
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "realm_weight: invalid type %d", (int)type));
    if (n_dims < 1 || n_dims > 2)
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "realm_weight: n_dims %d not 1 or 2", n_dims));
    for (int i = 0; i < n_dims; i++)
        if (dims[i] < 1)
            return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "realm_weight: dims[%d] = %lld", i,
                                                  (long long)dims[i]));
    const int64_t block = realm_type_get_traits(type)->block_elems;
    if (dims[n_dims - 1] % block)
        return graph_fail(status,
                          realm_error(REALM_ERR_SHAPE,
                                      "realm_weight: %lld columns not a multiple of %s's block %lld",
                                      (long long)dims[n_dims - 1], realm_type_name(type), (long long)block));
    if (realm_row_bytes(type, dims[n_dims - 1]) == 0 ||
        (n_dims == 2 && dims[0] > (int64_t)(SIZE_MAX / realm_row_bytes(type, dims[1]))))
        return graph_fail(status, realm_error(REALM_ERR_OVERFLOW, "realm_weight: size overflows"));
    realm_tensor *t = new_tensor(g, GOP_WEIGHT, type, n_dims, dims);
    if (!t) return graph_fail(status, realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_weight: out of memory"));
    if (name) strcpy(t->name, name);
    t->data = data;
    return graph_done(status, t);
}

/* g is not const: binding changes what the graph will read (its tensor). */
// cppcheck-suppress constParameter
realm_status realm_weight_bind(realm_graph *g, realm_tensor *w, const void *data) {
    if (!g || !w || !data)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_weight_bind: NULL %s",
                           !g   ? "graph"
                           : !w ? "weight"
                                : "data");
    if (w->graph != g || w->op != GOP_WEIGHT)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_weight_bind: tensor %s",
                           w->graph != g ? "belongs to another graph" : "is not a weight");
    w->data = data;
    w->layout = REALM_LAYOUT_GGUF;
    return REALM_OK;
}

realm_status realm_weight_bind_layout(realm_graph *g, realm_tensor *w, const void *data,
                                      realm_layout layout) {
    const realm_status st = realm_weight_bind(g, w, data);
    if (st != REALM_OK) return st;
    if (layout != REALM_LAYOUT_GGUF && (w->n_dims != 2 || !realm_layout_supported(w->type, layout))) {
        w->data = NULL;
        return realm_error(REALM_ERR_INVALID_ARG,
                           "realm_weight_bind_layout: a %s %s weight cannot be in layout %d",
                           w->n_dims == 2 ? "matrix" : "vector", realm_type_name(w->type), (int)layout);
    }
    w->layout = layout;
    return REALM_OK;
}

/* Common checks of an op operand: not NULL, of g, f32 unless any_type. */
realm_status graph_check_src(const realm_graph *g, const char *fn, const char *what, const realm_tensor *t,
                             bool any_type) {
    if (!t) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, what);
    if (t->graph != g) return realm_error(REALM_ERR_INVALID_ARG, "%s: %s belongs to another graph", fn, what);
    if (!any_type && t->type != REALM_TYPE_F32)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: %s is %s, not f32", fn, what,
                           realm_type_name(t->type));
    return REALM_OK;
}

static bool same_shape(const realm_tensor *a, const realm_tensor *b) {
    if (a->n_dims != b->n_dims) return false;
    for (int i = 0; i < a->n_dims; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}

void graph_shape_str(const realm_tensor *t, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < t->n_dims && n < size; i++) {
        int w = t->dims[i] == REALM_DIM_DYNAMIC
                    ? snprintf(buf + n, size - n, "%sT", i ? "," : "[")
                    : snprintf(buf + n, size - n, "%s%lld", i ? "," : "[", (long long)t->dims[i]);
        n += w > 0 ? (size_t)w : 0;
    }
    if (n < size) snprintf(buf + n, size - n, "]");
}

realm_tensor *realm_op_matmul(realm_graph *g, const realm_tensor *w, const realm_tensor *x,
                              realm_status *status) {
    const char *fn = "realm_op_matmul";
    if (!g) return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: NULL graph", fn));
    realm_status s = graph_check_src(g, fn, "w", w, true);
    if (s == REALM_OK) s = graph_check_src(g, fn, "x", x, false);
    if (s != REALM_OK) return graph_fail(status, s);
    if (w->op != GOP_WEIGHT || w->n_dims != 2)
        return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: w must be a 2-dim weight", fn));
    if (x->dims[x->n_dims - 1] != w->dims[1]) {
        char sw[64], sx[64];
        graph_shape_str(w, sw, sizeof sw);
        graph_shape_str(x, sx, sizeof sx);
        return graph_fail(status, realm_error(REALM_ERR_SHAPE, "%s: w %s and x %s: k differs", fn, sw, sx));
    }
    int64_t dims[REALM_MAX_DIMS];
    memcpy(dims, x->dims, sizeof dims);
    dims[x->n_dims - 1] = w->dims[0];
    realm_tensor *t = graph_new_node(g, fn, GOP_MATMUL, x->n_dims, dims, status);
    if (!t) return NULL;
    t->src[0] = w;
    t->src[1] = x;
    return graph_done(status, t);
}

realm_tensor *realm_op_matmul_f32(realm_graph *g, const realm_tensor *a, const realm_tensor *b,
                                  bool transpose_b, realm_status *status) {
    const char *fn = "realm_op_matmul_f32";
    if (!g) return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: NULL graph", fn));
    realm_status s = graph_check_src(g, fn, "a", a, false);
    if (s == REALM_OK) s = graph_check_src(g, fn, "b", b, false);
    if (s != REALM_OK) return graph_fail(status, s);
    if (a->n_dims != 2 || b->n_dims != 2)
        return graph_fail(status,
                          realm_error(REALM_ERR_SHAPE, "%s: operands must have 2 dims (have %d and %d)", fn,
                                      a->n_dims, b->n_dims));
    const int64_t kb = transpose_b ? b->dims[1] : b->dims[0];
    if (a->dims[1] != kb) {
        char sa[64], sb[64];
        graph_shape_str(a, sa, sizeof sa);
        graph_shape_str(b, sb, sizeof sb);
        return graph_fail(status, realm_error(REALM_ERR_SHAPE, "%s: a %s and b %s%s: k differs", fn, sa, sb,
                                              transpose_b ? " (transposed)" : ""));
    }
    const int64_t dims[2] = {a->dims[0], transpose_b ? b->dims[0] : b->dims[1]};
    realm_tensor *t = graph_new_node(g, fn, GOP_MATMUL_F32, 2, dims, status);
    if (!t) return NULL;
    t->src[0] = a;
    t->src[1] = b;
    t->flag = transpose_b;
    return graph_done(status, t);
}

static realm_tensor *binary(realm_graph *g, const char *fn, graph_op op, const realm_tensor *a,
                            const realm_tensor *b, realm_status *status) {
    if (!g) return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: NULL graph", fn));
    realm_status s = graph_check_src(g, fn, "a", a, false);
    if (s == REALM_OK) s = graph_check_src(g, fn, "b", b, false);
    if (s != REALM_OK) return graph_fail(status, s);
    if (!same_shape(a, b)) {
        char sa[64], sb[64];
        graph_shape_str(a, sa, sizeof sa);
        graph_shape_str(b, sb, sizeof sb);
        return graph_fail(status, realm_error(REALM_ERR_SHAPE, "%s: shapes %s and %s differ", fn, sa, sb));
    }
    realm_tensor *t = graph_new_node(g, fn, op, a->n_dims, a->dims, status);
    if (!t) return NULL;
    t->src[0] = a;
    t->src[1] = b;
    return graph_done(status, t);
}

realm_tensor *realm_op_add(realm_graph *g, const realm_tensor *a, const realm_tensor *b,
                           realm_status *status) {
    return binary(g, "realm_op_add", GOP_ADD, a, b, status);
}

realm_tensor *realm_op_mul(realm_graph *g, const realm_tensor *a, const realm_tensor *b,
                           realm_status *status) {
    return binary(g, "realm_op_mul", GOP_MUL, a, b, status);
}

realm_tensor *realm_op_swiglu(realm_graph *g, const realm_tensor *a, const realm_tensor *b,
                              realm_status *status) {
    return binary(g, "realm_op_swiglu", GOP_SWIGLU, a, b, status);
}

/* A one-source op of x's shape. */
static realm_tensor *unary_node(realm_graph *g, const char *fn, graph_op op, const realm_tensor *x,
                                realm_status *status) {
    if (!g) return graph_fail(status, realm_error(REALM_ERR_INVALID_ARG, "%s: NULL graph", fn));
    realm_status s = graph_check_src(g, fn, "x", x, false);
    if (s != REALM_OK) return graph_fail(status, s);
    realm_tensor *t = graph_new_node(g, fn, op, x->n_dims, x->dims, status);
    if (t) t->src[0] = x;
    return t;
}

realm_tensor *realm_op_scale(realm_graph *g, const realm_tensor *x, float s, realm_status *status) {
    if (!isfinite(s))
        return graph_fail(
            status, realm_error(REALM_ERR_INVALID_ARG, "realm_op_scale: scale %g not finite", (double)s));
    realm_tensor *t = unary_node(g, "realm_op_scale", GOP_SCALE, x, status);
    if (!t) return NULL;
    t->fparam = s;
    return graph_done(status, t);
}

realm_tensor *realm_op_unary(realm_graph *g, realm_unary_op op, const realm_tensor *x, realm_status *status) {
    if ((int)op < 0 || op >= REALM_UNARY_COUNT)
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "realm_op_unary: invalid op %d", (int)op));
    realm_tensor *t = unary_node(g, "realm_op_unary", GOP_UNARY, x, status);
    if (!t) return NULL;
    t->unary = op;
    return graph_done(status, t);
}

realm_tensor *realm_op_silu(realm_graph *g, const realm_tensor *x, realm_status *status) {
    return realm_op_unary(g, REALM_UNARY_SILU, x, status);
}

realm_tensor *realm_op_gelu(realm_graph *g, const realm_tensor *x, realm_status *status) {
    return realm_op_unary(g, REALM_UNARY_GELU_TANH, x, status);
}

realm_tensor *realm_op_relu(realm_graph *g, const realm_tensor *x, realm_status *status) {
    return realm_op_unary(g, REALM_UNARY_RELU, x, status);
}

/* A norm's optional per-column vector: f32 [cols] of x, of g. */
static realm_status check_vec(const realm_graph *g, const char *fn, const char *what, const realm_tensor *v,
                              const realm_tensor *x) {
    if (!g || !v) return REALM_OK;
    realm_status s = graph_check_src(g, fn, what, v, false);
    if (s != REALM_OK || !x) return s;
    if (v->n_dims != 1 || v->dims[0] != x->dims[x->n_dims - 1]) {
        char sv[64], sx[64];
        graph_shape_str(v, sv, sizeof sv);
        graph_shape_str(x, sx, sizeof sx);
        return realm_error(REALM_ERR_SHAPE, "%s: %s %s is not [cols] of x %s", fn, what, sv, sx);
    }
    return REALM_OK;
}

static realm_tensor *norm(realm_graph *g, const char *fn, graph_op op, const realm_tensor *x,
                          const realm_tensor *weight, const realm_tensor *bias, float eps,
                          realm_status *status) {
    if (!(eps > 0) || !isfinite(eps))
        return graph_fail(
            status, realm_error(REALM_ERR_INVALID_ARG, "%s: eps %g not finite and > 0", fn, (double)eps));
    realm_status s = check_vec(g, fn, "weight", weight, x);
    if (s == REALM_OK) s = check_vec(g, fn, "bias", bias, x);
    if (s != REALM_OK) return graph_fail(status, s);
    realm_tensor *t = unary_node(g, fn, op, x, status);
    if (!t) return NULL;
    t->src[1] = weight;
    t->src[2] = bias;
    t->fparam = eps;
    return graph_done(status, t);
}

realm_tensor *realm_op_rms_norm(realm_graph *g, const realm_tensor *x, const realm_tensor *weight, float eps,
                                realm_status *status) {
    return norm(g, "realm_op_rms_norm", GOP_RMS_NORM, x, weight, NULL, eps, status);
}

realm_tensor *realm_op_layer_norm(realm_graph *g, const realm_tensor *x, const realm_tensor *weight,
                                  const realm_tensor *bias, float eps, realm_status *status) {
    return norm(g, "realm_op_layer_norm", GOP_LAYER_NORM, x, weight, bias, eps, status);
}

realm_tensor *realm_op_softmax(realm_graph *g, const realm_tensor *x, float scale, bool causal, int64_t pos0,
                               realm_status *status) {
    const char *fn = "realm_op_softmax";
    if (!isfinite(scale))
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "%s: scale %g not finite", fn, (double)scale));
    if (causal && pos0 < 0)
        return graph_fail(status,
                          realm_error(REALM_ERR_INVALID_ARG, "%s: pos0 %lld < 0", fn, (long long)pos0));
    realm_tensor *t = unary_node(g, fn, GOP_SOFTMAX, x, status);
    if (!t) return NULL;
    t->fparam = scale;
    t->flag = causal;
    t->pos0 = causal ? pos0 : 0;
    return graph_done(status, t);
}

realm_tensor *realm_op_rope(realm_graph *g, const realm_tensor *x, const realm_rope_params *params,
                            realm_status *status) {
    const char *fn = "realm_op_rope";
    const realm_rope_params p = params ? *params : realm_rope_params_default();
    if (x && (x->n_dims < 2 || x->n_dims > 3))
        return graph_fail(status,
                          realm_error(REALM_ERR_SHAPE, "%s: x has %d dims, not 2 or 3", fn, x->n_dims));
    if (x && x->n_dims >= 2) {
        const int64_t head_dim = x->dims[x->n_dims - 1];
        if ((p.mode != REALM_ROPE_NORMAL && p.mode != REALM_ROPE_NEOX) || p.n_rot < 0 || p.n_rot % 2 ||
            p.n_rot > head_dim || (p.n_rot == 0 && head_dim % 2) || !(p.freq_base > 0) ||
            !isfinite(p.freq_base) || !(p.freq_scale > 0) || !isfinite(p.freq_scale) || p.pos0 < 0)
            return graph_fail(status,
                              realm_error(REALM_ERR_INVALID_ARG,
                                          "%s: bad params (mode %d, n_rot %lld of head_dim %lld, base %g, "
                                          "scale %g, pos0 %lld)",
                                          fn, (int)p.mode, (long long)p.n_rot, (long long)head_dim,
                                          (double)p.freq_base, (double)p.freq_scale, (long long)p.pos0));
        for (int i = 1; i < x->n_dims; i++)
            if (x->dims[i] == REALM_DIM_DYNAMIC)
                return graph_fail(status,
                                  realm_error(REALM_ERR_SHAPE, "%s: only dim 0 (tokens) may be dynamic", fn));
    }
    realm_tensor *t = unary_node(g, fn, GOP_ROPE, x, status);
    if (!t) return NULL;
    t->rope = p;
    return graph_done(status, t);
}

/* g is not const: marking an output changes the graph (its tensor). */
// cppcheck-suppress constParameter
realm_status realm_graph_output(realm_graph *g, realm_tensor *t) {
    if (!g || !t)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_graph_output: NULL %s", g ? "tensor" : "graph");
    if (t->graph != g)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_graph_output: tensor belongs to another graph");
    if (t->op == GOP_INPUT || t->op == GOP_WEIGHT)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "realm_graph_output: tensor is a leaf (%s), not an op result",
                           graph_op_name(t->op));
    t->is_output = true;
    return REALM_OK;
}

realm_status realm_tensor_shape(const realm_tensor *t, realm_shape *out) {
    if (!t || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_tensor_shape: NULL %s", t ? "out" : "tensor");
    memset(out, 0, sizeof *out);
    out->n_dims = t->n_dims;
    memcpy(out->dims, t->dims, sizeof(int64_t) * (size_t)t->n_dims);
    return REALM_OK;
}

realm_type realm_tensor_type(const realm_tensor *t) { return t ? t->type : REALM_TYPE_COUNT; }
