/* Compile: order the nodes the outputs need, check leaves, plan the arena. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "graph/graph_impl.h"
#include "graph/profile.h"
#include "runtime/matmul_ex.h"

/* Arena offsets and sizes are multiples of this (a cache line). */
#define ARENA_ALIGN 64

realm_graph_options realm_graph_options_default(void) {
    realm_graph_options o = {.backend = REALM_BACKEND_OPTIMIZED, .flags = 0};
    return o;
}

/* Post-order DFS from the outputs (iterative: chains may be long). Writes the
 * ops in run order to p->nodes and the inputs they read to p->inputs. */
static realm_status order_nodes(realm_plan *p) {
    const realm_graph *g = p->g;
    unsigned char *state = calloc((size_t)g->n, 1); /* 0 new, 1 on stack, 2 done */
    int *stack = malloc(sizeof(int) * (size_t)g->n);
    // NOLINTNEXTLINE(bugprone-sizeof-expression): arrays of pointers, sizeof one pointer
    p->nodes = malloc(sizeof(*p->nodes) * (size_t)g->n);
    // NOLINTNEXTLINE(bugprone-sizeof-expression): arrays of pointers, sizeof one pointer
    p->inputs = malloc(sizeof(*p->inputs) * (size_t)g->n);
    if (!state || !stack || !p->nodes || !p->inputs) {
        free(state);
        free(stack);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: out of memory");
    }
    for (int o = 0; o < g->n; o++) {
        if (!g->tensors[o]->is_output || state[o]) continue;
        int top = 0;
        stack[top++] = o;
        state[o] = 1;
        while (top) {
            const realm_tensor *t = g->tensors[stack[top - 1]];
            bool pushed = false;
            for (int s = 0; s < GRAPH_MAX_SRC && !pushed; s++) {
                const realm_tensor *src = t->src[s];
                if (src && !state[src->id]) {
                    state[src->id] = 1;
                    stack[top++] = src->id;
                    pushed = true;
                }
            }
            if (pushed) continue;
            top--;
            state[t->id] = 2;
            if (t->op == GOP_INPUT)
                p->inputs[p->n_inputs++] = t;
            else if (t->op != GOP_WEIGHT)
                p->nodes[p->n_nodes++] = t;
        }
    }
    free(state);
    free(stack);
    return REALM_OK;
}

/* One arena tensor: lifetime [def, last] in steps, rounded size. */
typedef struct slot {
    int id, def, last;
    size_t size, offset;
} slot;

static int by_size_desc(const void *a, const void *b) {
    const slot *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? 1 : -1;
    return x->def - y->def;
}

static int by_offset(const void *a, const void *b) {
    const slot *x = *(const slot *const *)a, *y = *(const slot *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Arena bytes of t at max tokens, rounded up to ARENA_ALIGN; 0 when too large. */
static size_t slot_bytes(const realm_tensor *t, int64_t tokens) {
    int64_t numel = 1;
    for (int i = 0; i < t->n_dims; i++) {
        const int64_t d = graph_dim(t, i, tokens);
        if (numel > INT64_MAX / 4 / ARENA_ALIGN / d) return 0;
        numel *= d;
    }
    const size_t bytes = (size_t)numel * sizeof(float);
    return (bytes + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
}

/* Greedy placement: largest first, each at the lowest offset that no placed
 * slot with an overlapping lifetime covers. Also the peak live bytes. */
static realm_status plan_arena(realm_plan *p) {
    const int n = p->n_nodes;
    slot *slots = calloc((size_t)n, sizeof(slot));
    // NOLINTNEXTLINE(bugprone-sizeof-expression): arrays of pointers, sizeof one pointer
    const slot **placed = malloc(sizeof(*placed) * (size_t)n);
    size_t *live = calloc((size_t)n + 1, sizeof(size_t));
    int *step = malloc(sizeof(int) * (size_t)p->g->n);
    if (!slots || !placed || !live || !step) {
        free(slots);
        free(placed);
        free(live);
        free(step);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: out of memory");
    }
    for (int s = 0; s < n; s++) {
        const realm_tensor *t = p->nodes[s];
        step[t->id] = s;
        slots[s].id = t->id;
        /* a grouped matmul's result is written at its group's step */
        slots[s].def = p->mm_lead[t->id] >= 0 ? p->mm_lead[t->id] : s;
        slots[s].last = p->is_out[t->id] ? n : s;
        /* a reshape has no storage of its own: reading it (or keeping it as
         * an output) keeps the tensor it views alive */
        slots[s].size = t->op == GOP_RESHAPE || p->fused[t->id] ? 0 : slot_bytes(t, p->max_tokens);
        const int use = t->op == GOP_RESHAPE ? slots[s].last : s;
        for (int i = 0; i < GRAPH_MAX_SRC; i++) {
            const realm_tensor *src = t->src[i] ? graph_storage(t->src[i]) : NULL;
            if (!src || src->op == GOP_INPUT || src->op == GOP_WEIGHT) continue;
            if (slots[step[src->id]].last < use) slots[step[src->id]].last = use;
            /* a fused op is computed inside its readers: its sources live to them */
            for (int j = 0; p->fused[src->id] && j < GRAPH_MAX_SRC; j++) {
                const realm_tensor *s2 = src->src[j] ? graph_storage(src->src[j]) : NULL;
                if (s2 && s2->op != GOP_INPUT && s2->op != GOP_WEIGHT && slots[step[s2->id]].last < use)
                    slots[step[s2->id]].last = use;
            }
        }
    }
    /* Lower bound: peak over steps of the bytes alive at that step. */
    for (int s = 0; s < n; s++) {
        const int end = slots[s].last < n ? slots[s].last : n - 1;
        for (int k = slots[s].def; k <= end; k++)
            live[k] += slots[s].size;
    }
    p->lower_bound = 0;
    for (int k = 0; k < n; k++)
        if (live[k] > p->lower_bound) p->lower_bound = live[k];

    qsort(slots, (size_t)n, sizeof(slot), by_size_desc);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        int m = 0;
        for (int j = 0; j < i; j++)
            if (slots[j].def <= slots[i].last && slots[i].def <= slots[j].last) placed[m++] = &slots[j];
        // NOLINTNEXTLINE(bugprone-sizeof-expression): arrays of pointers, sizeof one pointer
        qsort(placed, (size_t)m, sizeof(*placed), by_offset);
        size_t off = 0;
        for (int j = 0; j < m; j++) {
            if (placed[j]->offset >= off + slots[i].size) break;
            if (placed[j]->offset + placed[j]->size > off) off = placed[j]->offset + placed[j]->size;
        }
        slots[i].offset = off;
        if (off + slots[i].size > total) total = off + slots[i].size;
        p->offset[slots[i].id] = off;
    }
    p->arena_bytes = total;
    for (int s = 0; s < n; s++) {
        const realm_tensor *t = p->nodes[s], *root = graph_storage(t);
        if (t != root && root->op != GOP_INPUT && root->op != GOP_WEIGHT)
            p->offset[t->id] = p->offset[root->id];
    }
    free(slots);
    free(placed);
    free(live);
    free(step);
    return REALM_OK;
}

/* Ops that can be computed row by row inside a matmul's activation pass. */
static bool fusable_op(const realm_tensor *t) {
    return (t->op == GOP_RMS_NORM && !t->src[2]) || t->op == GOP_SWIGLU || t->op == GOP_UNARY ||
           t->op == GOP_SCALE;
}

/* Marks the ops to fold into their readers: fusable, not an output, and read
 * only by quantized matmuls (as their activations) that can take a prologue. */
static realm_status plan_fusion(realm_plan *p) {
    const int n = p->g->n;
    p->fused = calloc((size_t)n, sizeof(bool));
    int *readers = calloc((size_t)n, sizeof(int)), *mm_readers = calloc((size_t)n, sizeof(int));
    if (!p->fused || !readers || !mm_readers) {
        free(readers);
        free(mm_readers);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: out of memory");
    }
    for (int s = 0; s < p->n_nodes; s++) {
        const realm_tensor *t = p->nodes[s];
        for (int i = 0; i < GRAPH_MAX_SRC; i++) {
            if (!t->src[i]) continue;
            readers[t->src[i]->id]++;
            if (i == 1 && t->op == GOP_MATMUL && realm_runtime_matmul_can_fuse(p->be, t->src[0]->type))
                mm_readers[t->src[i]->id]++;
        }
    }
    p->n_fused = 0;
    for (int s = 0; p->fuse && s < p->n_nodes; s++) {
        const realm_tensor *t = p->nodes[s];
        if (fusable_op(t) && !p->is_out[t->id] && readers[t->id] > 0 && readers[t->id] == mm_readers[t->id]) {
            p->fused[t->id] = true;
            p->n_fused++;
        }
    }
    free(readers);
    free(mm_readers);
    return REALM_OK;
}

/* Matmuls that read the same activations with the optimized backend and
 * quantized weights (a layer's q/k/v, gate/up) run as one group at the
 * first one's step: one parallel region, the activations (and a fused op's
 * rows) computed and quantized once. Off with REALM_GRAPH_NO_FUSION. */
static realm_status plan_groups(realm_plan *p) {
    const int n = p->g->n;
    p->mm_lead = malloc(sizeof(int) * (size_t)n);
    p->mm_next = malloc(sizeof(int) * (size_t)n);
    if (!p->mm_lead || !p->mm_next)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: out of memory");
    for (int i = 0; i < n; i++)
        p->mm_lead[i] = p->mm_next[i] = -1;
    p->n_grouped = 0;
    for (int s = 0; p->fuse && s < p->n_nodes; s++) {
        const realm_tensor *t = p->nodes[s];
        if (t->op != GOP_MATMUL || p->mm_lead[t->id] >= 0 ||
            !realm_runtime_matmul_can_fuse(p->be, t->src[0]->type))
            continue;
        int last = t->id, parts = 1;
        for (int u = s + 1; u < p->n_nodes && parts < REALM_MM_MAX_PARTS; u++) {
            const realm_tensor *m = p->nodes[u];
            if (m->op != GOP_MATMUL || m->src[1] != t->src[1] || p->mm_lead[m->id] >= 0 ||
                !realm_runtime_matmul_can_fuse(p->be, m->src[0]->type))
                continue;
            p->mm_lead[m->id] = s;
            p->mm_next[last] = m->id;
            last = m->id;
            parts++;
            p->n_grouped++;
        }
    }
    return REALM_OK;
}

/* The call that runs t's group at tokens (sizes and types only). */
static realm_mm_ex group_ex(const realm_plan *p, const realm_tensor *t, int64_t batch, realm_mm_part *more) {
    const int64_t k = t->src[0]->dims[1];
    realm_mm_ex ex = {.be = p->be,
                      .wtype = t->src[0]->type,
                      .rows = t->src[0]->dims[0],
                      .k = k,
                      .batch = batch,
                      .more = more};
    if (p->fused[t->src[1]->id]) ex.prologue = (realm_mm_prologue_fn)1; /* only its presence is read */
    for (int m = p->mm_next[t->id]; m >= 0; m = p->mm_next[m]) {
        const realm_tensor *w = p->g->tensors[m]->src[0];
        more[ex.n_more++] = (realm_mm_part){.wtype = w->type, .rows = w->dims[0]};
    }
    return ex;
}

/* One workspace for every matmul of the plan, sized for the largest at any
 * token count, so runs allocate nothing. */
static realm_status plan_matmul_workspace(realm_plan *p) {
    size_t need = 0;
    for (int s = 0; s < p->n_nodes; s++) {
        const realm_tensor *t = p->nodes[s];
        if (t->op != GOP_MATMUL || p->mm_lead[t->id] >= 0) continue;
        const int64_t most = graph_numel(t->src[1], p->max_tokens) / t->src[0]->dims[1];
        /* the GEMV path (few columns) and the GEMM path lay out differently,
         * and small GEMVs keep the activations per thread */
        const int64_t tries[4] = {most, most < 7 ? most : 7, most < 2 ? most : 2, 1};
        for (int i = 0; i < 4; i++) {
            realm_mm_part more[REALM_MM_MAX_PARTS];
            const realm_mm_ex ex = group_ex(p, t, tries[i], more);
            const size_t b = realm_runtime_matmul_ws_bytes(p->rt, &ex);
            if (b > need) need = b;
        }
    }
    p->mm_ws_bytes = need;
    if (!need) return REALM_OK;
    p->mm_ws = aligned_alloc(ARENA_ALIGN, (need + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN);
    if (!p->mm_ws)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: matmul workspace of %zu bytes",
                           need);
    return REALM_OK;
}

/* Fills a zeroed plan for g; the caller destroys it on failure. */
static realm_status build_plan(realm_plan *p, realm_graph *g) {
    p->max_tokens = g->max_tokens ? g->max_tokens : 1;
    p->n_tensors = g->n;
    p->offset = malloc(sizeof(size_t) * (size_t)g->n);
    p->wdata = calloc((size_t)g->n, sizeof(*p->wdata));
    p->wlayout = calloc((size_t)g->n, sizeof(*p->wlayout));
    p->bound = calloc((size_t)g->n, sizeof(*p->bound));
    p->is_out = calloc((size_t)g->n, sizeof(*p->is_out));
    if (!p->offset || !p->wdata || !p->wlayout || !p->bound || !p->is_out)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: out of memory");
    for (int i = 0; i < g->n; i++) {
        p->offset[i] = SIZE_MAX;
        p->is_out[i] = g->tensors[i]->is_output;
    }
    realm_status st = order_nodes(p);
    if (st != REALM_OK) return st;
    for (int s = 0; s < p->n_nodes; s++)
        for (int i = 0; i < GRAPH_MAX_SRC; i++) {
            const realm_tensor *w = p->nodes[s]->src[i];
            if (!w || w->op != GOP_WEIGHT) continue;
            if (!w->data)
                return realm_error(REALM_ERR_STATE,
                                   "realm_graph_compile: weight %d%s%s%s has no data (realm_weight_bind)",
                                   w->id, w->name[0] ? " '" : "", w->name, w->name[0] ? "'" : "");
            p->wdata[w->id] = w->data;
            p->wlayout[w->id] = w->layout;
            if (w->layout != REALM_LAYOUT_GGUF && (p->nodes[s]->op != GOP_MATMUL || i != 0))
                return realm_error(
                    REALM_ERR_INVALID_ARG,
                    "realm_graph_compile: weight %d%s%s%s is in layout %s, which only a matmul "
                    "reads, but node %d (%s) reads it",
                    w->id, w->name[0] ? " '" : "", w->name, w->name[0] ? "'" : "",
                    realm_layout_name(w->layout), p->nodes[s]->id, graph_op_name(p->nodes[s]->op));
        }
    if ((st = plan_fusion(p)) != REALM_OK) return st;
    if ((st = plan_groups(p)) != REALM_OK) return st;
    for (int s = 0; s < p->n_nodes; s++)
        if (slot_bytes(p->nodes[s], p->max_tokens) == 0)
            return realm_error(REALM_ERR_OVERFLOW, "realm_graph_compile: node %d (%s) too large",
                               p->nodes[s]->id, graph_op_name(p->nodes[s]->op));
    st = plan_arena(p);
    if (st != REALM_OK) return st;
    if ((st = plan_matmul_workspace(p)) != REALM_OK) return st;
    p->arena = aligned_alloc(ARENA_ALIGN, p->arena_bytes ? p->arena_bytes : ARENA_ALIGN);
    if (!p->arena)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: arena of %zu bytes: out of memory",
                           p->arena_bytes);
    return REALM_OK;
}

realm_status realm_graph_compile(realm_graph *g, realm_runtime *rt, const realm_graph_options *options,
                                 realm_plan **out) {
    if (out) *out = NULL;
    if (!g || !rt || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_graph_compile: NULL %s",
                           !g    ? "graph"
                           : !rt ? "runtime"
                                 : "out");
    const realm_graph_options o = options ? *options : realm_graph_options_default();
    const uint32_t known = REALM_GRAPH_PROFILE | REALM_GRAPH_NO_FUSION;
    if (o.flags & ~known)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_graph_compile: unknown flags 0x%x",
                           (unsigned)(o.flags & ~known));
    if (o.backend != REALM_BACKEND_NAIVE && o.backend != REALM_BACKEND_OPTIMIZED)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_graph_compile: invalid backend %d", (int)o.backend);
    bool any_output = false;
    for (int i = 0; i < g->n && !any_output; i++)
        any_output = g->tensors[i]->is_output;
    if (!any_output)
        return realm_error(REALM_ERR_STATE, "realm_graph_compile: no output marked (realm_graph_output)");
    realm_plan *p = calloc(1, sizeof(realm_plan));
    if (!p) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: out of memory");
    p->g = g;
    p->rt = rt;
    p->be = o.backend;
    p->fuse = !(o.flags & REALM_GRAPH_NO_FUSION);
    realm_status st = build_plan(p, g);
    if (st == REALM_OK && (o.flags & REALM_GRAPH_PROFILE)) st = graph_profile_create(p);
    if (st != REALM_OK) {
        realm_plan_destroy(p);
        return st;
    }
    *out = p;
    return REALM_OK;
}

realm_status realm_plan_get_info(const realm_plan *plan, realm_plan_info *out) {
    if (!plan || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_get_info: NULL %s", plan ? "out" : "plan");
    memset(out, 0, sizeof *out);
    out->n_nodes = plan->n_nodes;
    out->n_inputs = plan->n_inputs;
    out->max_tokens = plan->max_tokens;
    out->arena_bytes = plan->arena_bytes;
    out->arena_lower_bound = plan->lower_bound;
    out->backend = plan->be;
    out->n_fused = plan->n_fused;
    out->n_grouped = plan->n_grouped;
    return REALM_OK;
}

void realm_plan_destroy(realm_plan *plan) {
    if (!plan) return;
    free(plan->nodes);
    free(plan->inputs);
    free(plan->offset);
    free(plan->wdata);
    free(plan->wlayout);
    free(plan->bound);
    free(plan->is_out);
    free(plan->arena);
    free(plan->fused);
    free(plan->mm_lead);
    free(plan->mm_next);
    free(plan->mm_ws);
    graph_profile_destroy(plan->prof);
    free(plan);
}
