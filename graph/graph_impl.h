/* Internal: the graph's tensors and the compiled plan. */
#ifndef REALM_GRAPH_IMPL_H
#define REALM_GRAPH_IMPL_H

#include "realm/graph.h"

/* What produces a tensor. */
typedef enum graph_op {
    GOP_INPUT = 0,
    GOP_WEIGHT,
    GOP_MATMUL,     /* src[0] weight [n_out][k], src[1] x [..., k] */
    GOP_MATMUL_F32, /* src[0] a [m][k], src[1] b [k][n] or [n][k] (flag) */
    GOP_ADD,
    GOP_MUL,
    GOP_SWIGLU,     /* silu(src[0]) * src[1] */
    GOP_SCALE,      /* fparam * src[0] */
    GOP_UNARY,      /* unary(src[0]) */
    GOP_RMS_NORM,   /* src[0] x, src[1] weight or NULL, fparam eps */
    GOP_LAYER_NORM, /* src[0] x, src[1] weight or NULL, src[2] bias or NULL, fparam eps */
    GOP_SOFTMAX,    /* fparam scale, flag causal, pos0 */
    GOP_ROPE,       /* rope params; cache set: positions start at the cache's */
    GOP_GET_ROWS,   /* src[0] table weight [n][cols], src[1] ids (i32 [T]) */
    GOP_RESHAPE,    /* a view of src[0] (same storage, other dims); not run */
    GOP_LAST_ROW,   /* the last row of src[0]: [1][cols] */
    GOP_ATTENTION,  /* src[0] q, src[1] k, src[2] v; cache, layer, n_head, n_head_kv */
    GOP_COUNT,
} graph_op;

/* Most sources an op reads. */
#define GRAPH_MAX_SRC 3

struct realm_tensor {
    realm_graph *graph;
    int id; /* index in graph->tensors */
    graph_op op;
    realm_type type;
    int n_dims;
    int64_t dims[REALM_MAX_DIMS]; /* (outermost .. row length); REALM_DIM_DYNAMIC = tokens */
    const realm_tensor *src[GRAPH_MAX_SRC];
    float fparam; /* scale or eps */
    bool flag;    /* transpose_b or causal */
    int64_t pos0; /* softmax */
    realm_unary_op unary;
    realm_rope_params rope;
    const void *data;          /* weights */
    realm_layout layout;       /* of a weight's data */
    realm_kv_cache *cache;     /* rope / attention at the cache's position */
    int layer;                 /* attention: cache layer */
    int64_t n_head, n_head_kv; /* attention */
    bool is_output;
    char name[REALM_MAX_NAME + 1];
};

struct realm_graph {
    realm_tensor **tensors; /* (n) handles, stable addresses */
    int n, cap;
    int64_t max_tokens; /* 0 until an input has a dynamic dim */
};

struct realm_plan {
    realm_graph *g;
    realm_runtime *rt;
    realm_backend be;
    int n_tensors;              /* graph tensors when compiled; later ones are unknown */
    const realm_tensor **nodes; /* (n_nodes) ops in run order */
    int n_nodes;
    const realm_tensor **inputs; /* (n_inputs) inputs the nodes read */
    int n_inputs;
    size_t *offset;        /* (graph n) arena offset of each op result; SIZE_MAX for leaves */
    const void **wdata;    /* (graph n) weight data captured at compile */
    realm_layout *wlayout; /* (graph n) and its layout */
    const float **bound;   /* (graph n) input data of the current run */
    bool *is_out;          /* (graph n) outputs when compiled */
    unsigned char *arena;  /* (arena_bytes) */
    size_t arena_bytes, lower_bound;
    int64_t max_tokens;
    int64_t tokens; /* dynamic dim of the last run */
    bool ran;
    struct graph_profile *prof; /* REALM_GRAPH_PROFILE: graph/profile.h; else NULL */
    bool fuse;                  /* options allow fusion */
    bool *fused;                /* (graph n) node folded into its matmuls' activation pass */
    int n_fused;
    int *mm_lead;  /* (graph n) step of the matmul whose group runs this one, else -1 */
    int *mm_next;  /* (graph n) id of the next matmul of this one's group, else -1 */
    int n_grouped; /* matmuls run inside another's group */
    void *mm_ws;   /* matmul workspace for the largest matmul (runs allocate nothing) */
    size_t mm_ws_bytes;
};

/* Name of an op for messages. */
const char *graph_op_name(graph_op op);
/* Constructor helpers (build.c): status out-params, new f32 op node,
 * operand check (not NULL, of g, f32 unless any_type), names, "[a,b,T]". */
realm_tensor *graph_fail(realm_status *status, realm_status s);
realm_tensor *graph_done(realm_status *status, realm_tensor *t);
realm_tensor *graph_new_node(realm_graph *g, const char *fn, graph_op op, int n_dims, const int64_t *dims,
                             realm_status *status);
realm_status graph_check_src(const realm_graph *g, const char *fn, const char *what, const realm_tensor *t,
                             bool any_type);
bool graph_name_ok(const char *name);
void graph_shape_str(const realm_tensor *t, char *buf, size_t size);

/* Value of dim i of t with the dynamic dim bound to tokens. */
int64_t graph_dim(const realm_tensor *t, int i, int64_t tokens);
/* Elements of t with the dynamic dim bound to tokens. */
int64_t graph_numel(const realm_tensor *t, int64_t tokens);

/* A KV cache (graph/kv_cache.c): per layer K and V of [n_ctx][n_head_kv][hd]. */
struct realm_kv_cache {
    int n_layers;
    int64_t n_ctx, n_head_kv, head_dim;
    int64_t pos;  /* tokens stored */
    float *k, *v; /* [n_layers][n_ctx][n_head_kv][head_dim] */
};

/* The tensor whose storage t uses: t, or the source of a chain of reshapes. */
const realm_tensor *graph_storage(const realm_tensor *t);

/* Runs get_rows, last_row and attention nodes (run_llm.c). */
realm_status graph_exec_llm(realm_plan *p, const realm_tensor *t);
/* Before a run of tokens: every cache the plan uses has room (run_llm.c). */
realm_status graph_check_caches(const realm_plan *p, int64_t tokens);
/* After a successful run: each cache the plan uses advances by tokens. */
void graph_advance_caches(const realm_plan *p, int64_t tokens);

/* A node's result: the parallel call's status, else the first kernel
 * failure (with a message naming the node), else REALM_OK (run.c). */
realm_status graph_node_result(const realm_tensor *t, realm_status parallel, realm_status kernel);

/* Runs one node of a plan (run.c). */
realm_status graph_exec_node(realm_plan *p, const realm_tensor *t);

#endif
