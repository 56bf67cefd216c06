/* Run: bind inputs, then each node over row blocks on the runtime. */
#include <stdatomic.h>
#include <string.h>

#include "core/error.h"
#include "graph/graph_impl.h"
#include "graph/profile.h"
#include "kernels.h"
#include "runtime/matmul_ex.h"

/* Elementwise ops run in blocks of this many elements. */
#define EW_BLOCK 4096
/* Row ops take blocks of about this many elements (at least one row). */
#define ROW_BLOCK_ELEMS 8192

/* Data of t for the current run: bound input, weight or arena slot. */
static const float *tensor_data(const realm_plan *p, const realm_tensor *t) {
    t = graph_storage(t);
    if (t->op == GOP_INPUT) return p->bound[t->id];
    if (t->op == GOP_WEIGHT) return p->wdata[t->id];
    return (const float *)(p->arena + p->offset[t->id]);
}

/* One node's work for realm_runtime_parallel_rows(). A "row" is a canonical
 * block (elementwise: EW_BLOCK elements; row ops: grain rows), so every
 * element is computed by the same kernel call for any partition. */
typedef struct node_ctx {
    const realm_plan *p;
    const realm_tensor *t;
    float *y;
    const float *a, *b, *c; /* sources */
    int64_t numel, rows, cols, grain;
    int64_t k, ldb;    /* matmul_f32 */
    int64_t q_len;     /* softmax: queries per matrix */
    int64_t heads, hd; /* rope */
    _Atomic int status;
} node_ctx;

static void note(node_ctx *c, realm_status s) {
    int ok = REALM_OK;
    if (s != REALM_OK) atomic_compare_exchange_strong(&c->status, &ok, (int)s);
}

static void elementwise_rows(void *vctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    node_ctx *c = vctx;
    const realm_backend be = c->p->be;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t i = r * EW_BLOCK, n = c->numel - i < EW_BLOCK ? c->numel - i : EW_BLOCK;
        const float *a = c->a + i, *b = c->b ? c->b + i : NULL;
        float *y = c->y + i;
        switch (c->t->op) {
        case GOP_ADD:
            note(c, realm_add(be, a, b, y, n));
            break;
        case GOP_MUL:
            note(c, realm_mul(be, a, b, y, n));
            break;
        case GOP_SCALE:
            note(c, realm_scale(be, a, c->t->fparam, y, n));
            break;
        case GOP_UNARY:
            note(c, realm_unary(be, c->t->unary, a, y, n));
            break;
        case GOP_SWIGLU:
            note(c, realm_silu(be, a, y, n));
            note(c, realm_mul(be, y, b, y, n));
            break;
        default:
            note(c, REALM_ERR_INTERNAL);
            break;
        }
    }
}

/* Rows [r, e) of a row op, e - r <= grain, r a multiple of grain. */
static void row_block(node_ctx *c, int64_t r, int64_t e) {
    const realm_backend be = c->p->be;
    const realm_tensor *t = c->t;
    const int64_t n = e - r;
    switch (t->op) {
    case GOP_RMS_NORM:
        note(c, realm_rms_norm(be, c->a + r * c->cols, c->b, c->y + r * c->cols, n, c->cols, t->fparam));
        break;
    case GOP_LAYER_NORM:
        note(c,
             realm_layer_norm(be, c->a + r * c->cols, c->b, c->c, c->y + r * c->cols, n, c->cols, t->fparam));
        break;
    case GOP_SOFTMAX:
        if (!t->flag) {
            note(c,
                 realm_softmax(be, c->a + r * c->cols, c->y + r * c->cols, n, c->cols, t->fparam, false, 0));
            break;
        }
        for (int64_t i = r; i < e; i++)
            note(c, realm_softmax(be, c->a + i * c->cols, c->y + i * c->cols, 1, c->cols, t->fparam, true,
                                  t->pos0 + i % c->q_len));
        break;
    case GOP_ROPE: {
        realm_rope_params rp = t->rope;
        rp.pos0 = (t->cache ? t->cache->pos : rp.pos0) + r;
        note(c, realm_rope(be, c->a + r * c->cols, c->y + r * c->cols, n, c->heads, c->hd, NULL, &rp));
        break;
    }
    case GOP_MATMUL_F32:
        if (t->flag)
            note(c, realm_matmul_f32_t(be, n, c->cols, c->k, c->a + r * c->k, c->k, c->b, c->ldb,
                                       c->y + r * c->cols, c->cols));
        else
            note(c, realm_matmul_f32(be, n, c->cols, c->k, c->a + r * c->k, c->k, c->b, c->ldb,
                                     c->y + r * c->cols, c->cols));
        break;
    default:
        note(c, REALM_ERR_INTERNAL);
        break;
    }
}

static void row_op_rows(void *vctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    node_ctx *c = vctx;
    for (int64_t r = r0; r < r1; r += c->grain)
        row_block(c, r, r + c->grain < r1 ? r + c->grain : r1);
}

/* A fused op (compile.c: plan_fusion) computed one activation row at a time
 * by the matmul that reads it: the same kernels as its own node would run. */
typedef struct fused_ctx {
    const realm_tensor *t;
    const realm_kernel_table *kt;
    int64_t k;
    const float *a, *b; /* sources */
} fused_ctx;

static void fused_row(void *ctx, int64_t r, float *out) {
    const fused_ctx *c = ctx;
    const float *a = c->a + r * c->k;
    switch (c->t->op) {
    case GOP_RMS_NORM:
        c->kt->rms_norm(a, c->b, out, 1, c->k, c->t->fparam);
        break;
    case GOP_SWIGLU:
        c->kt->unary[REALM_UNARY_SILU](a, out, c->k);
        c->kt->mul(out, c->b + r * c->k, out, c->k);
        break;
    case GOP_UNARY:
        c->kt->unary[c->t->unary](a, out, c->k);
        break;
    case GOP_SCALE:
        c->kt->scale(a, c->t->fparam, out, c->k);
        break;
    default:
        break; /* plan_fusion fuses only the ops above */
    }
}

realm_status graph_exec_node(realm_plan *p, const realm_tensor *t) {
    const int64_t T = p->tokens;
    float *y = (float *)(p->arena + p->offset[t->id]);
    const realm_tensor *s0 = t->src[0], *s1 = t->src[1], *s2 = t->src[2];
    if (p->fused[t->id]) return REALM_OK; /* its matmuls compute it */
    if (t->op >= GOP_GET_ROWS) return graph_exec_llm(p, t);
    if (t->op == GOP_MATMUL) {
        if (p->mm_lead[t->id] >= 0) return REALM_OK; /* its group ran at the first matmul's step */
        const int64_t k = s0->dims[1];
        realm_mm_part more[REALM_MM_MAX_PARTS];
        realm_mm_ex ex = {.be = p->be,
                          .wtype = s0->type,
                          .W = p->wdata[s0->id],
                          .layout = p->wlayout[s0->id],
                          .rows = s0->dims[0],
                          .k = k,
                          .batch = graph_numel(s1, T) / k,
                          .X = tensor_data(p, s1),
                          .Y = y,
                          .ws = p->mm_ws,
                          .ws_bytes = p->mm_ws_bytes,
                          .more = more};
        for (int m = p->mm_next[t->id]; m >= 0; m = p->mm_next[m]) {
            const realm_tensor *w = p->g->tensors[m]->src[0];
            more[ex.n_more++] = (realm_mm_part){.wtype = w->type,
                                                .W = p->wdata[w->id],
                                                .layout = p->wlayout[w->id],
                                                .rows = w->dims[0],
                                                .Y = (float *)(p->arena + p->offset[m])};
        }
        fused_ctx fc;
        if (p->fused[s1->id]) {
            const realm_tensor *f = s1;
            fc = (fused_ctx){.t = f,
                             .kt = realm_kernels_get(p->be),
                             .k = k,
                             .a = tensor_data(p, f->src[0]),
                             .b = f->src[1] ? tensor_data(p, f->src[1]) : NULL};
            ex.X = NULL;
            ex.prologue = fused_row;
            ex.prologue_ctx = &fc;
        }
        if (p->prof) {
            ex.timer = graph_profile_timer;
            ex.timer_ctx = p->prof;
        }
        return realm_runtime_matmul_quant_ex(p->rt, &ex);
    }
    node_ctx c = {.p = p,
                  .t = t,
                  .y = y,
                  .a = tensor_data(p, s0),
                  .b = s1 ? tensor_data(p, s1) : NULL,
                  .c = s2 ? tensor_data(p, s2) : NULL};
    atomic_init(&c.status, REALM_OK);
    c.numel = graph_numel(t, T);
    c.cols = graph_dim(t, t->n_dims - 1, T);
    c.rows = c.cols ? c.numel / c.cols : 0;
    c.grain = c.cols >= ROW_BLOCK_ELEMS ? 1 : ROW_BLOCK_ELEMS / c.cols;
    realm_status st;
    switch (t->op) {
    case GOP_ADD:
    case GOP_MUL:
    case GOP_SCALE:
    case GOP_UNARY:
    case GOP_SWIGLU:
        st = graph_parallel_rows(p, (c.numel + EW_BLOCK - 1) / EW_BLOCK, 1, elementwise_rows, &c);
        break;
    case GOP_ROPE:
        c.rows = graph_dim(t, 0, T);
        c.hd = graph_dim(t, t->n_dims - 1, T);
        c.heads = t->n_dims == 3 ? graph_dim(t, 1, T) : 1;
        c.cols = c.heads * c.hd;
        c.grain = c.cols >= ROW_BLOCK_ELEMS ? 1 : ROW_BLOCK_ELEMS / c.cols;
        st = graph_parallel_rows(p, c.rows, c.grain, row_op_rows, &c);
        break;
    case GOP_MATMUL_F32:
        c.k = graph_dim(s0, 1, T);
        c.ldb = graph_dim(s1, 1, T);
        c.grain = 16;
        st = graph_parallel_rows(p, c.rows, c.grain, row_op_rows, &c);
        break;
    case GOP_SOFTMAX:
        c.q_len = t->n_dims >= 2 ? graph_dim(t, t->n_dims - 2, T) : 1;
        st = graph_parallel_rows(p, c.rows, c.grain, row_op_rows, &c);
        break;
    case GOP_RMS_NORM:
    case GOP_LAYER_NORM:
        st = graph_parallel_rows(p, c.rows, c.grain, row_op_rows, &c);
        break;
    default:
        return realm_error(REALM_ERR_INTERNAL, "realm_plan_run: node %d has op %d", t->id, (int)t->op);
    }
    return graph_node_result(t, st, (realm_status)atomic_load(&c.status));
}

realm_status graph_node_result(const realm_tensor *t, realm_status parallel, realm_status kernel) {
    if (parallel != REALM_OK) return parallel;
    if (kernel != REALM_OK)
        return realm_error(kernel, "realm_plan_run: node %d (%s) failed in its kernel (%s)", t->id,
                           graph_op_name(t->op), realm_status_str(kernel));
    return REALM_OK;
}

/* The input a binding names, or NULL with an error. */
static const realm_tensor *binding_input(const realm_plan *p, const realm_binding *b, int i,
                                         realm_status *st) {
    const realm_tensor *t = b->tensor;
    if (!t) {
        if (!b->name) {
            *st = realm_error(REALM_ERR_INVALID_ARG, "realm_plan_run: binding %d has neither tensor nor name",
                              i);
            return NULL;
        }
        for (int j = 0; j < p->n_tensors && !t; j++)
            if (p->g->tensors[j]->op == GOP_INPUT && strcmp(p->g->tensors[j]->name, b->name) == 0)
                t = p->g->tensors[j];
        if (!t) {
            *st = realm_error(REALM_ERR_INVALID_ARG, "realm_plan_run: binding %d: no input named '%s'", i,
                              b->name);
            return NULL;
        }
    } else if (t->graph != p->g || t->op != GOP_INPUT || t->id >= p->n_tensors) {
        *st = realm_error(REALM_ERR_INVALID_ARG, "realm_plan_run: binding %d: tensor %s", i,
                          t->graph != p->g     ? "belongs to another graph"
                          : t->op != GOP_INPUT ? "is not an input"
                                               : "was added after the plan was compiled");
        return NULL;
    }
    return t;
}

/* Checks a binding's shape against input t; sets *tokens from dynamic dims. */
static realm_status check_shape(const realm_plan *p, const realm_tensor *t, const realm_shape *s,
                                int64_t *tokens) {
    if (s->n_dims != t->n_dims)
        return realm_error(REALM_ERR_SHAPE, "realm_plan_run: input '%s' has %d dims, binding %d", t->name,
                           t->n_dims, s->n_dims);
    for (int i = 0; i < t->n_dims; i++) {
        const int64_t d = s->dims[i];
        if (t->dims[i] != REALM_DIM_DYNAMIC) {
            if (d != t->dims[i])
                return realm_error(REALM_ERR_SHAPE, "realm_plan_run: input '%s' dim %d is %lld, binding %lld",
                                   t->name, i, (long long)t->dims[i], (long long)d);
            continue;
        }
        if (d < 1 || d > p->max_tokens)
            return realm_error(REALM_ERR_SHAPE,
                               "realm_plan_run: input '%s' dim %d (tokens) = %lld not in 1..%lld", t->name, i,
                               (long long)d, (long long)p->max_tokens);
        if (*tokens && *tokens != d)
            return realm_error(REALM_ERR_SHAPE,
                               "realm_plan_run: input '%s' dim %d binds tokens = %lld, another binding %lld",
                               t->name, i, (long long)d, (long long)*tokens);
        *tokens = d;
    }
    return REALM_OK;
}

realm_status realm_plan_run(realm_plan *plan, const realm_binding *bindings, int n_bindings) {
    if (!plan || (!bindings && n_bindings > 0) || n_bindings < 0)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_run: %s",
                           !plan            ? "NULL plan"
                           : n_bindings < 0 ? "n_bindings < 0"
                                            : "NULL bindings");
    plan->ran = false;
    for (int i = 0; i < plan->n_tensors; i++)
        plan->bound[i] = NULL;
    int64_t tokens = 0;
    realm_status st = REALM_OK;
    for (int i = 0; i < n_bindings; i++) {
        const realm_binding *b = &bindings[i];
        const realm_tensor *t = binding_input(plan, b, i, &st);
        if (!t) return st;
        if (!b->data)
            return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_run: binding %d ('%s'): NULL data", i,
                               t->name);
        if (plan->bound[t->id])
            return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_run: input '%s' bound twice", t->name);
        st = check_shape(plan, t, &b->shape, &tokens);
        if (st != REALM_OK) return st;
        plan->bound[t->id] = b->data;
    }
    for (int i = 0; i < plan->n_inputs; i++)
        if (!plan->bound[plan->inputs[i]->id])
            return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_run: input '%s' is not bound",
                               plan->inputs[i]->name);
    plan->tokens = tokens ? tokens : 1;
    st = graph_check_caches(plan, plan->tokens);
    if (st != REALM_OK) return st;
    if (plan->prof) graph_profile_run_begin(plan);
    for (int s = 0; s < plan->n_nodes; s++) {
        if (plan->prof) graph_profile_node_begin(plan, s);
        st = graph_exec_node(plan, plan->nodes[s]);
        if (plan->prof) graph_profile_node_end(plan, s);
        if (st != REALM_OK) return st;
    }
    if (plan->prof) graph_profile_run_end(plan);
    graph_advance_caches(plan, plan->tokens);
    plan->ran = true;
    return REALM_OK;
}

realm_status realm_plan_output(const realm_plan *plan, const realm_tensor *t, const float **data,
                               realm_shape *shape) {
    if (!plan || !t || !data)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_output: NULL %s",
                           !plan ? "plan"
                           : !t  ? "tensor"
                                 : "data");
    if (t->graph != plan->g || t->id >= plan->n_tensors || !plan->is_out[t->id] ||
        plan->offset[t->id] == SIZE_MAX)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_output: tensor %s",
                           t->graph != plan->g ? "belongs to another graph" : "is not an output of the plan");
    if (!plan->ran) return realm_error(REALM_ERR_STATE, "realm_plan_output: no successful run yet");
    *data = tensor_data(plan, t);
    if (shape) {
        memset(shape, 0, sizeof *shape);
        shape->n_dims = t->n_dims;
        for (int i = 0; i < t->n_dims; i++)
            shape->dims[i] = graph_dim(t, i, plan->tokens);
    }
    return REALM_OK;
}

realm_status realm_plan_output_by_name(const realm_plan *plan, const char *name, const float **data,
                                       realm_shape *shape) {
    if (!plan || !name)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_output_by_name: NULL %s",
                           plan ? "name" : "plan");
    for (int i = 0; i < plan->n_tensors; i++) {
        const realm_tensor *t = plan->g->tensors[i];
        if (plan->is_out[i] && strcmp(t->name, name) == 0) return realm_plan_output(plan, t, data, shape);
    }
    return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_output_by_name: no output named '%s'", name);
}
