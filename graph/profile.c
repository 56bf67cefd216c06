/* Per-node profiling of plans compiled with REALM_GRAPH_PROFILE: the run
 * hooks, the timed parallel callbacks, the public queries and the table. */
#include "graph/profile.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "graph/graph_impl.h"
#include "realm/quant.h"

int64_t graph_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

realm_status graph_profile_create(realm_plan *p) {
    graph_profile *prof = calloc(1, sizeof *prof);
    if (!prof) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: out of memory (profile)");
    p->prof = prof;
    prof->n_threads = realm_runtime_n_threads(p->rt);
    if (prof->n_threads < 1) prof->n_threads = 1;
    prof->n_nodes = p->n_nodes;
    prof->cur = -1;
    const size_t nn = (size_t)(p->n_nodes ? p->n_nodes : 1), cells = nn * (size_t)prof->n_threads;
    prof->nodes = calloc(nn, sizeof *prof->nodes);
    prof->slots = calloc(cells, sizeof *prof->slots);
    prof->busy_sum = calloc(cells, sizeof *prof->busy_sum);
    if (!prof->nodes || !prof->slots || !prof->busy_sum)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_graph_compile: out of memory (profile)");
    return REALM_OK;
}

void graph_profile_destroy(graph_profile *prof) {
    if (!prof) return;
    free(prof->nodes);
    free(prof->slots);
    free(prof->busy_sum);
    free(prof);
}

realm_status graph_profile_check(const realm_plan *plan, const char *fn) {
    if (!plan) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL plan", fn);
    if (!plan->prof)
        return realm_error(REALM_ERR_STATE, "%s: the plan was compiled without REALM_GRAPH_PROFILE", fn);
    return REALM_OK;
}

/* ---- run hooks ------------------------------------------------------------ */

void graph_profile_run_begin(realm_plan *p) {
    graph_profile *prof = p->prof;
    prof->last_ok = false;
    prof->cur = -1;
    memset(prof->slots, 0, sizeof *prof->slots * (size_t)prof->n_nodes * (size_t)prof->n_threads);
    prof->run_start = graph_now_ns();
}

void graph_profile_node_begin(realm_plan *p, int step) {
    graph_profile *prof = p->prof;
    prof->cur = step;
    prof->nodes[step].start = graph_now_ns();
}

/* Bytes of a source or result: weights as stored, the rest f32. */
static int64_t tensor_bytes(const realm_tensor *t, int64_t tokens) {
    if (t->op == GOP_WEIGHT) {
        const int64_t cols = t->dims[t->n_dims - 1], rows = t->n_dims > 1 ? t->dims[0] : 1;
        return (int64_t)realm_row_bytes(t->type, cols) * rows;
    }
    return graph_numel(t, tokens) * (int64_t)sizeof(float);
}

/* Nominal FLOPs of node t at the given token count (see realm_node_profile). */
static int64_t node_flops(const realm_tensor *t, int64_t tokens) {
    const int64_t numel = graph_numel(t, tokens);
    switch (t->op) {
    case GOP_MATMUL: {
        const int64_t k = t->src[0]->dims[1], n_out = t->src[0]->dims[0];
        return 2 * n_out * k * (graph_numel(t->src[1], tokens) / k);
    }
    case GOP_MATMUL_F32:
        return 2 * numel * graph_dim(t->src[0], 1, tokens);
    case GOP_ADD:
    case GOP_MUL:
    case GOP_SCALE:
    case GOP_UNARY:
        return numel;
    case GOP_SWIGLU:
        return 2 * numel;
    case GOP_RMS_NORM:
        return 3 * numel;
    case GOP_LAYER_NORM:
    case GOP_SOFTMAX:
        return 5 * numel;
    case GOP_ROPE:
        return 3 * numel;
    case GOP_ATTENTION: {
        /* q.k and p.v: 4 * head_dim per (head, query, visible key); query i
         * sees the pos cached keys and the run's first i + 1 */
        const int64_t pos = t->cache ? t->cache->pos : 0, hd = t->cache ? t->cache->head_dim : 0;
        return 4 * hd * t->n_head * (tokens * pos + tokens * (tokens + 1) / 2);
    }
    default:
        return 0;
    }
}

/* Bytes a node reads and writes: its sources and result, except where an op
 * reads only part of a source (or of the KV cache) or moves nothing. */
static int64_t node_bytes(const realm_tensor *t, int64_t tokens) {
    const int64_t out = tensor_bytes(t, tokens);
    switch (t->op) {
    case GOP_RESHAPE: /* a view: not run */
        return 0;
    case GOP_GET_ROWS: { /* the rows looked up, the ids, the result */
        const realm_tensor *tab = t->src[0];
        const int64_t rows = graph_numel(t, tokens) / tab->dims[tab->n_dims - 1];
        return rows * (int64_t)realm_row_bytes(tab->type, tab->dims[tab->n_dims - 1]) +
               tensor_bytes(t->src[1], tokens) + out;
    }
    case GOP_LAST_ROW:
        return 2 * out;
    default:
        break;
    }
    int64_t b = out;
    for (int i = 0; i < GRAPH_MAX_SRC; i++)
        if (t->src[i]) b += tensor_bytes(t->src[i], tokens);
    if (t->op == GOP_ATTENTION && t->cache) /* K and V of every visible position */
        b += 2 * (t->cache->pos + tokens) * t->cache->n_head_kv * t->cache->head_dim * (int64_t)sizeof(float);
    return b;
}

void graph_profile_node_end(realm_plan *p, int step) {
    graph_profile *prof = p->prof;
    graph_prof_node *n = &prof->nodes[step];
    n->end = graph_now_ns();
    prof->cur = -1;
    const realm_tensor *t = p->nodes[step];
    const int64_t T = p->tokens;
    const int64_t cols = graph_dim(t, t->n_dims - 1, T);
    n->rows = cols ? graph_numel(t, T) / cols : 0;
    n->flops = node_flops(t, T);
    n->bytes = node_bytes(t, T);
    if (p->mm_lead[t->id] >= 0) { /* computed inside its group's first matmul: counted there */
        prof->nodes[p->mm_lead[t->id]].flops += n->flops;
        prof->nodes[p->mm_lead[t->id]].bytes += n->bytes;
        n->flops = n->bytes = 0;
    }
    /* A node whose work no wrapped callback saw ran on the calling thread. */
    graph_prof_slot *s = prof->slots + (size_t)step * (size_t)prof->n_threads;
    bool any = false;
    for (int i = 0; i < prof->n_threads && !any; i++)
        any = s[i].t0 != 0;
    if (!any) s[0] = (graph_prof_slot){.t0 = n->start, .t1 = n->end, .busy = n->end - n->start};
}

void graph_profile_run_end(realm_plan *p) {
    graph_profile *prof = p->prof;
    for (int i = 0; i < prof->n_nodes; i++) {
        graph_prof_node *n = &prof->nodes[i];
        n->sum_ns += n->end - n->start;
        n->sum_flops += n->flops;
        n->sum_bytes += n->bytes;
        for (int j = 0; j < prof->n_threads; j++) {
            const size_t c = (size_t)i * (size_t)prof->n_threads + (size_t)j;
            prof->busy_sum[c] += prof->slots[c].busy;
        }
    }
    prof->runs++;
    prof->last_ok = true;
}

/* ---- timed callbacks ------------------------------------------------------- */

static void record(graph_profile *prof, int thread, int64_t t0, int64_t t1) {
    if (prof->cur < 0 || thread < 0 || thread >= prof->n_threads) return;
    graph_prof_slot *s = &prof->slots[(size_t)prof->cur * (size_t)prof->n_threads + (size_t)thread];
    if (!s->t0) s->t0 = t0;
    s->t1 = t1;
    s->busy += t1 - t0;
}

typedef struct timed_rows_ctx {
    graph_profile *prof;
    realm_rows_fn fn;
    void *ctx;
} timed_rows_ctx;

static void timed_rows(void *vctx, int64_t r0, int64_t r1, int thread) {
    timed_rows_ctx *w = vctx;
    const int64_t t0 = graph_now_ns();
    w->fn(w->ctx, r0, r1, thread);
    record(w->prof, thread, t0, graph_now_ns());
}

realm_status graph_parallel_rows(realm_plan *p, int64_t n_rows, int64_t grain, realm_rows_fn fn, void *ctx) {
    if (n_rows >= 1 && n_rows <= grain) {
        /* one chunk: the calling thread (thread 0) runs it, the same chunk
         * as the runtime would make, without waking the others */
        const int64_t t0 = p->prof ? graph_now_ns() : 0;
        fn(ctx, 0, n_rows, 0);
        if (p->prof) record(p->prof, 0, t0, graph_now_ns());
        return REALM_OK;
    }
    if (!p->prof) return realm_runtime_parallel_rows(p->rt, n_rows, grain, fn, ctx);
    timed_rows_ctx w = {.prof = p->prof, .fn = fn, .ctx = ctx};
    return realm_runtime_parallel_rows(p->rt, n_rows, grain, timed_rows, &w);
}

/* Timer of the runtime's matmul (runtime/matmul_ex.h) for profiled plans. */
void graph_profile_timer(void *prof, int thread, int64_t t0_ns, int64_t t1_ns) {
    record(prof, thread, t0_ns, t1_ns);
}

/* ---- public queries --------------------------------------------------------- */

realm_status realm_plan_profile_count(const realm_plan *plan, int *count) {
    const realm_status st = graph_profile_check(plan, "realm_plan_profile_count");
    if (st != REALM_OK) return st;
    if (!count) return realm_error(REALM_ERR_INVALID_ARG, "realm_plan_profile_count: NULL count");
    *count = plan->prof->n_nodes;
    return REALM_OK;
}

realm_status realm_plan_profile_reset(realm_plan *plan) {
    const realm_status st = graph_profile_check(plan, "realm_plan_profile_reset");
    if (st != REALM_OK) return st;
    graph_profile *prof = plan->prof;
    prof->runs = 0;
    for (int i = 0; i < prof->n_nodes; i++) {
        graph_prof_node *n = &prof->nodes[i];
        n->sum_ns = n->sum_flops = n->sum_bytes = 0;
    }
    memset(prof->busy_sum, 0, sizeof *prof->busy_sum * (size_t)prof->n_nodes * (size_t)prof->n_threads);
    return REALM_OK;
}

realm_status realm_plan_profile_get(const realm_plan *plan, int i, realm_node_profile *out) {
    static const char fn[] = "realm_plan_profile_get";
    realm_status st = graph_profile_check(plan, fn);
    if (st != REALM_OK) return st;
    if (!out) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL out", fn);
    const graph_profile *prof = plan->prof;
    if (i < 0 || i >= prof->n_nodes)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: node %d outside [0, %d)", fn, i, prof->n_nodes);
    const graph_prof_node *n = &prof->nodes[i];
    const realm_tensor *t = plan->nodes[i];
    memset(out, 0, sizeof *out);
    out->op = graph_op_name(t->op);
    out->name = t->name;
    out->runs = prof->runs;
    out->rows = prof->runs ? n->rows : 0;
    out->flops = n->sum_flops;
    out->bytes = n->sum_bytes;
    out->seconds = (double)n->sum_ns * 1e-9;
    out->gflops = out->seconds > 0 ? (double)out->flops / out->seconds * 1e-9 : 0.0;
    out->gbps = out->seconds > 0 ? (double)out->bytes / out->seconds * 1e-9 : 0.0;
    out->threads = prof->n_threads;
    const int64_t *busy = prof->busy_sum + (size_t)i * (size_t)prof->n_threads;
    int64_t max = 0, sum = 0;
    for (int j = 0; j < prof->n_threads; j++) {
        sum += busy[j];
        if (busy[j] > max) max = busy[j];
        if (busy[j] > 0) out->threads_busy++;
    }
    out->busy_seconds = (double)sum * 1e-9;
    out->balance = sum > 0 ? (double)max * prof->n_threads / (double)sum : 1.0;
    return REALM_OK;
}

realm_status realm_plan_print_profile(const realm_plan *plan, FILE *f) {
    static const char fn[] = "realm_plan_print_profile";
    realm_status st = graph_profile_check(plan, fn);
    if (st != REALM_OK) return st;
    if (!f) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL file", fn);
    const graph_profile *prof = plan->prof;
    const double runs = prof->runs ? (double)prof->runs : 1.0;
    double total_s = 0, total_busy = 0, total_flops = 0, total_bytes = 0;
    for (int i = 0; i < prof->n_nodes; i++)
        total_s += (double)prof->nodes[i].sum_ns * 1e-9;
    fprintf(f, "profile: %d nodes, %d threads, %lld runs (times per run)\n", prof->n_nodes, prof->n_threads,
            (long long)prof->runs);
    fprintf(f, "%4s %-12s %-20s %8s %10s %6s %9s %9s %7s\n", "#", "op", "name", "rows", "us", "%", "GFLOP/s",
            "GB/s", "balance");
    for (int i = 0; i < prof->n_nodes; i++) {
        realm_node_profile r;
        st = realm_plan_profile_get(plan, i, &r);
        if (st != REALM_OK) return st;
        total_busy += r.busy_seconds;
        total_flops += (double)r.flops;
        total_bytes += (double)r.bytes;
        fprintf(f, "%4d %-12s %-20.20s %8lld %10.2f %6.1f %9.2f %9.2f %7.2f\n", i, r.op,
                r.name[0] ? r.name : "-", (long long)r.rows, r.seconds / runs * 1e6,
                total_s > 0 ? 100.0 * r.seconds / total_s : 0.0, r.gflops, r.gbps, r.balance);
    }
    /* Total balance: threads' summed busy time against all threads busy for the whole time. */
    fprintf(f, "%4s %-12s %-20s %8s %10.2f %6.1f %9.2f %9.2f %7s\n", "", "total", "", "",
            total_s / runs * 1e6, total_s > 0 ? 100.0 : 0.0, total_s > 0 ? total_flops / total_s * 1e-9 : 0.0,
            total_s > 0 ? total_bytes / total_s * 1e-9 : 0.0, "");
    fprintf(f, "threads busy %.1f%% of the wall time\n",
            total_s > 0 ? 100.0 * total_busy / (total_s * prof->n_threads) : 0.0);
    if (ferror(f)) return realm_error(REALM_ERR_IO, "%s: write error", fn);
    return REALM_OK;
}
