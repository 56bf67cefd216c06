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
    GOP_ROPE,       /* rope params */
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
    const void *data; /* weights */
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
    size_t *offset;       /* (graph n) arena offset of each op result; SIZE_MAX for leaves */
    const void **wdata;   /* (graph n) weight data captured at compile */
    const float **bound;  /* (graph n) input data of the current run */
    bool *is_out;         /* (graph n) outputs when compiled */
    unsigned char *arena; /* (arena_bytes) */
    size_t arena_bytes, lower_bound;
    int64_t max_tokens;
    int64_t tokens; /* dynamic dim of the last run */
    bool ran;
    struct graph_profile *prof; /* REALM_GRAPH_PROFILE: graph/profile.h; else NULL */
};

/* Name of an op for messages. */
const char *graph_op_name(graph_op op);
/* Value of dim i of t with the dynamic dim bound to tokens. */
int64_t graph_dim(const realm_tensor *t, int i, int64_t tokens);
/* Elements of t with the dynamic dim bound to tokens. */
int64_t graph_numel(const realm_tensor *t, int64_t tokens);

/* Runs one node of a plan (run.c). */
realm_status graph_exec_node(realm_plan *p, const realm_tensor *t);

#endif
