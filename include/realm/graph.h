/**
 * @file graph.h
 * @brief Build a DAG of ops, compile it to a plan, run the plan on a runtime.
 *
 * Lifecycle: realm_graph_create(); add leaves (realm_input(), realm_weight())
 * and ops (realm_op_matmul(), realm_op_rms_norm(), ...), each returning an
 * opaque ::realm_tensor handle owned by the graph; mark results with
 * realm_graph_output(); realm_graph_compile() to a ::realm_plan;
 * realm_plan_run() as often as needed; read results with realm_plan_output();
 * realm_plan_destroy(), then realm_graph_destroy(). The graph, the runtime
 * and weight data must outlive every plan compiled from them.
 *
 * Tensors are f32, row-major, 1 to ::REALM_MAX_DIMS dims (dims[0] outermost),
 * except weights, which may be f16 or any of the 12 quantized types. An op
 * works on rows: the last dim is the row length, the other dims multiply to
 * the number of rows. One dim value, ::REALM_DIM_DYNAMIC, stands for the
 * number of tokens: it is bound at run time (1..max, the max given to
 * realm_input()) and the plan is made for the max.
 *
 * Node constructors check shapes and types when called. On failure they
 * return NULL and write a ::realm_status to their @p status argument (when
 * not NULL); realm_last_error() gives the sentence. A NULL tensor argument
 * is an error too, so a failed constructor can be chained without checks.
 * No function here aborts, exits or prints.
 */
#ifndef REALM_GRAPH_H
#define REALM_GRAPH_H

#include <stdio.h>

#include "realm/ops.h"
#include "realm/repack.h"
#include "realm/runtime.h"
#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most dims a tensor may have. */
#define REALM_MAX_DIMS 4
/** Dim value bound at run time: the number of tokens (see realm_input()). */
#define REALM_DIM_DYNAMIC INT64_C(-1)
/** Longest input or weight name, the terminating NUL excluded. */
#define REALM_MAX_NAME 63

/** Opaque graph under construction. */
typedef struct realm_graph realm_graph;
/** Opaque tensor: a leaf or the result of an op; owned by its graph. */
typedef struct realm_tensor realm_tensor;
/** Opaque compiled plan: node order, arena, partitions; runs on a runtime. */
typedef struct realm_plan realm_plan;
/** A key/value cache for realm_op_attention() (opaque; realm_kv_cache_create()). */
typedef struct realm_kv_cache realm_kv_cache;

/** A shape: @c n_dims dims, dims[0] outermost; unused dims are 0. */
typedef struct realm_shape {
    int n_dims;                   /**< 1..::REALM_MAX_DIMS */
    int64_t dims[REALM_MAX_DIMS]; /**< sizes, or ::REALM_DIM_DYNAMIC in a graph's shapes */
} realm_shape;

/**
 * @brief New, empty graph.
 * @param[out] out the graph, owned by the caller (realm_graph_destroy());
 *             NULL on failure.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL @p out;
 *         REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_graph_create(realm_graph **out);

/**
 * @brief Frees a graph and all its tensors (handles become invalid).
 *
 * Plans compiled from it must be destroyed first. NULL is ignored.
 */
void realm_graph_destroy(realm_graph *g);

/**
 * @brief Adds a named f32 input, bound to data at run time.
 *
 * @param g the graph.
 * @param name unique among the graph's inputs, 1..::REALM_MAX_NAME chars (copied).
 * @param n_dims 1..::REALM_MAX_DIMS.
 * @param dims sizes >= 1, or ::REALM_DIM_DYNAMIC for the token count.
 * @param max_tokens the largest token count a run may bind, >= 1, when a dim
 *        is dynamic (every input of a graph must give the same max); ignored
 *        (pass 0) otherwise.
 * @param[out] status result code, or NULL.
 * @return the tensor, or NULL: REALM_ERR_INVALID_ARG for NULLs, a bad or
 *         duplicate name, bad dims, a bad max; REALM_ERR_SHAPE for a max
 *         that differs from another input's; REALM_ERR_OUT_OF_MEMORY.
 */
realm_tensor *realm_input(realm_graph *g, const char *name, int n_dims, const int64_t *dims,
                          int64_t max_tokens, realm_status *status);

/**
 * @brief Adds a weight: borrowed data of any type (f32, f16, the 12 quantized).
 *
 * @param g the graph.
 * @param name a name (copied), or NULL.
 * @param type element type.
 * @param n_dims 1 or 2: [cols] or [rows][cols], rows of
 *        realm_row_bytes(type, cols) bytes back to back (GGUF layout).
 * @param dims sizes >= 1; cols a multiple of the type's block size.
 * @param data the bytes, borrowed until every plan that uses it is
 *        destroyed; NULL to bind later with realm_weight_bind().
 * @param[out] status result code, or NULL.
 * @return the tensor, or NULL: REALM_ERR_INVALID_ARG for a NULL graph or
 *         dims, a bad type, dims or name; REALM_ERR_SHAPE when cols is not a
 *         multiple of the block size; REALM_ERR_OUT_OF_MEMORY.
 */
realm_tensor *realm_weight(realm_graph *g, const char *name, realm_type type, int n_dims, const int64_t *dims,
                           const void *data, realm_status *status);

/**
 * @brief Sets (or replaces) the data of a weight; takes effect for plans
 *        compiled afterwards.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, a tensor of another
 *         graph or one that is not a weight.
 */
realm_status realm_weight_bind(realm_graph *g, realm_tensor *w, const void *data);

/**
 * @brief realm_weight_bind() for data held in @p layout (realm/repack.h),
 *        e.g. a quantized matrix repacked to REALM_LAYOUT_ROWS16 for the
 *        decode kernels. Only matmuls may read such a weight: compiling a
 *        plan where another op does is an error.
 * @return REALM_OK; REALM_ERR_INVALID_ARG as realm_weight_bind(), or when
 *         the weight is not a matrix of a type with that layout.
 */
realm_status realm_weight_bind_layout(realm_graph *g, realm_tensor *w, const void *data, realm_layout layout);

/**
 * @brief Quantized, f16 or f32 weight times f32 activations:
 *        Y[..][r] = sum_i W[r][i] * X[..][i] (realm_runtime_matmul_quant()).
 * @param g the graph.
 * @param w a weight [n_out][k].
 * @param x f32 [..., k].
 * @param[out] status result code, or NULL.
 * @return Y [..., n_out], or NULL: REALM_ERR_INVALID_ARG for NULLs, a tensor
 *         of another graph, @p w not a weight or @p x not f32;
 *         REALM_ERR_SHAPE when the k differ.
 */
realm_tensor *realm_op_matmul(realm_graph *g, const realm_tensor *w, const realm_tensor *x,
                              realm_status *status);

/**
 * @brief f32 matrix product of two 2-dim tensors (activations or f32 weights).
 *
 * Plain: C[m][n] = A[m][k] B[k][n]. Transposed (@p transpose_b): C[m][n] =
 * sum_p A[m][p] B[n][p], B stored [n][k] (e.g. attention keys).
 * @param g the graph.
 * @param a f32 [m][k].
 * @param b f32 [k][n], or [n][k] with @p transpose_b.
 * @param transpose_b whether @p b is stored transposed.
 * @param[out] status result code, or NULL.
 * @return C [m][n], or NULL: REALM_ERR_INVALID_ARG for NULLs, other
 *         graphs, non-f32 operands; REALM_ERR_SHAPE for operands that are
 *         not 2-dim or whose k differ.
 */
realm_tensor *realm_op_matmul_f32(realm_graph *g, const realm_tensor *a, const realm_tensor *b,
                                  bool transpose_b, realm_status *status);

/**
 * @brief a + b, elementwise; both f32 of the same shape.
 * @return the sum, or NULL: REALM_ERR_INVALID_ARG for NULLs, other graphs,
 *         non-f32 operands; REALM_ERR_SHAPE for different shapes.
 */
realm_tensor *realm_op_add(realm_graph *g, const realm_tensor *a, const realm_tensor *b,
                           realm_status *status);

/** @brief a * b, elementwise; errors as realm_op_add(). */
realm_tensor *realm_op_mul(realm_graph *g, const realm_tensor *a, const realm_tensor *b,
                           realm_status *status);

/**
 * @brief silu(a) * b, elementwise (the SwiGLU gate); errors as realm_op_add().
 */
realm_tensor *realm_op_swiglu(realm_graph *g, const realm_tensor *a, const realm_tensor *b,
                              realm_status *status);

/**
 * @brief s * x, elementwise.
 * @return the result, or NULL: REALM_ERR_INVALID_ARG for NULLs, another
 *         graph, a non-f32 @p x or a non-finite @p s.
 */
realm_tensor *realm_op_scale(realm_graph *g, const realm_tensor *x, float s, realm_status *status);

/**
 * @brief Elementwise realm_unary_op (silu, gelu tanh/erf, relu).
 * @return the result, or NULL: REALM_ERR_INVALID_ARG for NULLs, another
 *         graph, a non-f32 @p x or an unknown op.
 */
realm_tensor *realm_op_unary(realm_graph *g, realm_unary_op op, const realm_tensor *x, realm_status *status);

/** @brief realm_op_unary() with REALM_UNARY_SILU. */
realm_tensor *realm_op_silu(realm_graph *g, const realm_tensor *x, realm_status *status);
/** @brief realm_op_unary() with REALM_UNARY_GELU_TANH. */
realm_tensor *realm_op_gelu(realm_graph *g, const realm_tensor *x, realm_status *status);
/** @brief realm_op_unary() with REALM_UNARY_RELU. */
realm_tensor *realm_op_relu(realm_graph *g, const realm_tensor *x, realm_status *status);

/**
 * @brief RMS norm of each row of @p x, times @p weight (realm_rms_norm()).
 * @param g the graph.
 * @param x f32 [..., cols].
 * @param weight f32 [cols] (a weight or any f32 tensor), or NULL for none.
 * @param eps > 0 and finite.
 * @param[out] status result code, or NULL.
 * @return the result, or NULL: REALM_ERR_INVALID_ARG for NULLs, other
 *         graphs, non-f32 tensors, a bad eps; REALM_ERR_SHAPE for a weight
 *         that is not [cols].
 */
realm_tensor *realm_op_rms_norm(realm_graph *g, const realm_tensor *x, const realm_tensor *weight, float eps,
                                realm_status *status);

/**
 * @brief Layer norm of each row of @p x: (x - mean) / sqrt(var + eps) *
 *        weight + bias (realm_layer_norm()).
 * @param g the graph.
 * @param x f32 [..., cols].
 * @param weight f32 [cols], or NULL (gain 1).
 * @param bias f32 [cols], or NULL (0).
 * @param eps > 0 and finite.
 * @param[out] status result code, or NULL.
 * @return the result, or NULL: errors as realm_op_rms_norm().
 */
realm_tensor *realm_op_layer_norm(realm_graph *g, const realm_tensor *x, const realm_tensor *weight,
                                  const realm_tensor *bias, float eps, realm_status *status);

/**
 * @brief Softmax of scale * x over each row (realm_softmax()).
 *
 * With @p causal, dim n-2 of @p x indexes queries (query i at position
 * pos0 + i) and the last dim keys: keys after the query are masked.
 * @param g the graph.
 * @param x f32 [..., queries, keys] ([keys] for 1 dim).
 * @param scale finite multiplier before the exponent.
 * @param causal apply the causal mask.
 * @param pos0 >= 0, position of query 0 (ignored without @p causal).
 * @param[out] status result code, or NULL.
 * @return the result, or NULL: REALM_ERR_INVALID_ARG for NULLs, another
 *         graph, a non-f32 @p x, a non-finite scale, pos0 < 0.
 */
realm_tensor *realm_op_softmax(realm_graph *g, const realm_tensor *x, float scale, bool causal, int64_t pos0,
                               realm_status *status);

/**
 * @brief Rotary position embedding (realm_rope()); token t is at position
 *        params->pos0 + t.
 * @param g the graph.
 * @param x f32 [tokens][heads][head_dim], or [tokens][head_dim] (one head).
 * @param params mode, n_rot, frequencies, pos0 (copied); NULL for the defaults.
 * @param[out] status result code, or NULL.
 * @return the result, or NULL: REALM_ERR_INVALID_ARG for NULLs, another
 *         graph, a non-f32 @p x, bad params (odd or too large n_rot,
 *         non-positive frequencies, bad mode, pos0 < 0); REALM_ERR_SHAPE
 *         for 1 or 4 dims.
 */
realm_tensor *realm_op_rope(realm_graph *g, const realm_tensor *x, const realm_rope_params *params,
                            realm_status *status);

/**
 * @brief A 1-dim int32 input of token ids, [tokens] with tokens bound at run
 *        time (1..max_tokens); realm_tensor_type() gives ::REALM_TYPE_I32.
 *        Its binding's data points to int32_t.
 * @return the input, or NULL: as realm_input().
 */
realm_tensor *realm_input_ids(realm_graph *g, const char *name, int64_t max_tokens, realm_status *status);

/**
 * @brief Embedding lookup: y[t] = dequantize(table[ids[t]]).
 * @param g the graph.
 * @param table a 2-dim weight [n_rows][cols] of any type.
 * @param ids an int32 input (realm_input_ids()); ids out of [0, n_rows) fail
 *        the run with REALM_ERR_INVALID_ARG.
 * @param[out] status result code, or NULL.
 * @return f32 [tokens][cols], or NULL: REALM_ERR_INVALID_ARG for NULLs,
 *         another graph, a table that is not a 2-dim weight, ids that are
 *         not an id input.
 */
realm_tensor *realm_op_get_rows(realm_graph *g, const realm_tensor *table, const realm_tensor *ids,
                                realm_status *status);

/**
 * @brief A view of @p x with other dims and the same elements in the same
 *        order (no copy: it shares @p x's storage).
 * @param g the graph.
 * @param x an f32 tensor.
 * @param n_dims 1..::REALM_MAX_DIMS.
 * @param dims the new sizes; ::REALM_DIM_DYNAMIC (tokens) at most once, and
 *        only when @p x has a dynamic dim.
 * @param[out] status result code, or NULL.
 * @return the view, or NULL: REALM_ERR_INVALID_ARG for NULLs, another graph,
 *         bad dims; REALM_ERR_SHAPE when the element counts differ.
 */
realm_tensor *realm_op_reshape(realm_graph *g, const realm_tensor *x, int n_dims, const int64_t *dims,
                               realm_status *status);

/**
 * @brief The last row of @p x ([..., cols] seen as rows of cols): [1][cols].
 *        E.g. the last token's hidden state, so only it reaches the output
 *        projection.
 * @return the result, or NULL: REALM_ERR_INVALID_ARG for NULLs, another graph.
 */
realm_tensor *realm_op_last_row(realm_graph *g, const realm_tensor *x, realm_status *status);

/**
 * @brief Creates a KV cache: per layer, K and V of n_ctx positions of
 *        [n_head_kv][head_dim] f32, initially empty (position 0).
 *
 * Attention nodes (realm_op_attention()) append a run's tokens at the
 * cache's position; a successful realm_plan_run() then advances the position
 * of every cache it used by the run's tokens. A run that would pass n_ctx
 * fails with REALM_ERR_STATE before anything runs.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL or sizes < 1;
 *         REALM_ERR_OVERFLOW; REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_kv_cache_create(int n_layers, int64_t n_ctx, int64_t n_head_kv, int64_t head_dim,
                                   realm_kv_cache **out);

/** @brief Frees a cache (plans using it must not run afterwards). NULL is ignored. */
void realm_kv_cache_destroy(realm_kv_cache *cache);

/** @brief Tokens stored (the position of the next token); -1 for NULL. */
int64_t realm_kv_cache_pos(const realm_kv_cache *cache);

/** @brief Capacity in tokens (n_ctx); -1 for NULL. */
int64_t realm_kv_cache_n_ctx(const realm_kv_cache *cache);

/**
 * @brief Sets the position, forgetting the tokens from @p pos on (0 clears
 *        the cache; e.g. to start a new prompt or to drop rejected tokens).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL or pos outside
 *         0..current position.
 */
realm_status realm_kv_cache_set_pos(realm_kv_cache *cache, int64_t pos);

/**
 * @brief RoPE whose positions start at the cache's position at run time
 *        (token t at realm_kv_cache_pos() + t); @p params->pos0 is ignored.
 * @return as realm_op_rope(); REALM_ERR_INVALID_ARG for a NULL cache.
 */
realm_tensor *realm_op_rope_kv(realm_graph *g, const realm_tensor *x, const realm_rope_params *params,
                               realm_kv_cache *cache, realm_status *status);

/**
 * @brief Attention through a KV cache: appends this run's @p k and @p v to
 *        layer @p layer of @p cache at its position, then causal scaled
 *        dot-product attention of @p q over every stored key (grouped-query:
 *        query head h reads kv head h / (n_head / n_head_kv)); realm_attention().
 * @param g the graph.
 * @param q f32 [tokens][n_head][head_dim].
 * @param k f32 [tokens][n_head_kv][head_dim] (the cache's head counts).
 * @param v like @p k.
 * @param cache the cache (borrowed; must outlive the plans that use it).
 * @param layer 0..n_layers-1 of the cache; one attention node per layer.
 * @param scale score multiplier, usually 1/sqrt(head_dim).
 * @param[out] status result code, or NULL.
 * @return f32 [tokens][n_head * head_dim], or NULL: REALM_ERR_INVALID_ARG
 *         for NULLs, another graph, a bad layer or scale; REALM_ERR_SHAPE
 *         for shapes that disagree with each other or the cache.
 */
realm_tensor *realm_op_attention(realm_graph *g, const realm_tensor *q, const realm_tensor *k,
                                 const realm_tensor *v, realm_kv_cache *cache, int layer, float scale,
                                 realm_status *status);

/**
 * @brief Marks @p t (an op result) as an output: kept whole after a run,
 *        readable with realm_plan_output().
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, a tensor of another
 *         graph, or a leaf (input or weight).
 */
realm_status realm_graph_output(realm_graph *g, realm_tensor *t);

/**
 * @brief Names an op result, e.g. to read it back with
 *        realm_plan_output_by_name() (copied; replaces an earlier name).
 * @param g the graph.
 * @param t an op result of @p g (inputs keep the name they were made with).
 * @param name 1..::REALM_MAX_NAME characters, unique among the graph's op results.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, a tensor of another
 *         graph, a leaf, a bad or taken name.
 */
realm_status realm_tensor_set_name(realm_graph *g, realm_tensor *t, const char *name);

/**
 * @brief The input named @p name, or NULL (REALM_ERR_INVALID_ARG in
 *        realm_last_error()) when there is none.
 */
realm_tensor *realm_graph_find_input(const realm_graph *g, const char *name);

/**
 * @brief Shape of @p t as built (dynamic dims as ::REALM_DIM_DYNAMIC).
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULLs.
 */
realm_status realm_tensor_shape(const realm_tensor *t, realm_shape *out);

/** @brief Element type of @p t (f32 for everything but weights); REALM_TYPE_COUNT for NULL. */
realm_type realm_tensor_type(const realm_tensor *t);

/** realm_graph_options::flags: record per-node times while running (see
 *  realm_plan_profile_get(), realm_plan_write_trace()). */
#define REALM_GRAPH_PROFILE (1u << 0)

/** realm_graph_options::flags: do not fuse. By default, with the optimized
 *  backend, an RMS norm, SwiGLU, unary or scale op whose only readers are
 *  quantized matmuls is folded into their activation pass: each matmul
 *  computes the op's row just before quantizing it, and the op's result is
 *  never stored (realm_plan_info::n_fused counts them). The flag also
 *  keeps quantized matmuls that read the same activations (a layer's
 *  q/k/v, gate/up) from running as one group: one parallel region that
 *  quantizes the activations once (realm_plan_info::n_grouped). */
#define REALM_GRAPH_NO_FUSION (1u << 1)

/** Options of realm_graph_compile(); start from realm_graph_options_default(). */
typedef struct realm_graph_options {
    realm_backend backend; /**< kernels the plan runs; default REALM_BACKEND_OPTIMIZED */
    uint32_t flags;        /**< 0 or ::REALM_GRAPH_PROFILE; other bits are invalid */
} realm_graph_options;

/** @brief Default options: the optimized backend. */
realm_graph_options realm_graph_options_default(void);

/**
 * @brief Validates the graph, orders the nodes the outputs need, and plans
 *        one activation arena for the largest token count.
 *
 * Nodes no output depends on are left out. Each op result gets an offset in
 * the arena, chosen greedily (largest tensors first, lowest free offset)
 * among the results whose lifetimes overlap; realm_plan_get_info() reports
 * the arena and the lower bound any placement needs.
 * @param g the graph.
 * @param rt the runtime the plan runs on (borrowed).
 * @param options options, or NULL for the defaults.
 * @param[out] out the plan, owned by the caller (realm_plan_destroy()); NULL
 *             on failure.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, bad options;
 *         REALM_ERR_STATE when no output was marked or a needed weight has no
 *         data; REALM_ERR_OVERFLOW; REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_graph_compile(realm_graph *g, realm_runtime *rt, const realm_graph_options *options,
                                 realm_plan **out);

/** Facts about a compiled plan. */
typedef struct realm_plan_info {
    int n_nodes;              /**< ops the plan runs */
    int n_inputs;             /**< inputs a run must bind (those the outputs need) */
    int64_t max_tokens;       /**< largest dynamic dim (1 when none is dynamic) */
    size_t arena_bytes;       /**< activation arena size */
    size_t arena_lower_bound; /**< peak bytes of results alive at one step (same 64-byte rounding) */
    realm_backend backend;    /**< kernels the plan runs */
    int n_fused;              /**< ops folded into the matmuls that read them (REALM_GRAPH_NO_FUSION) */
    int n_grouped;            /**< matmuls run in the group of an earlier one reading the same activations */
} realm_plan_info;

/**
 * @brief Facts about @p plan.
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULLs.
 */
realm_status realm_plan_get_info(const realm_plan *plan, realm_plan_info *out);

/** One input's data for realm_plan_run(): by handle or by name. */
typedef struct realm_binding {
    const realm_tensor *tensor; /**< the input, or NULL to look it up by @c name */
    const char *name;           /**< the input's name (used when @c tensor is NULL) */
    const void *data;           /**< f32 data of @c shape (int32 for id inputs), borrowed during the run */
    realm_shape shape;          /**< the data's shape: the input's, dynamic dims bound */
} realm_binding;

/**
 * @brief Runs the plan: binds the inputs, then runs every node on the
 *        runtime's threads. Output is the same bits for any executor and
 *        thread count.
 *
 * Every input the plan needs must be bound once (inputs it does not need
 * may be bound and are ignored); all dynamic dims take one value,
 * 1..max_tokens. One run at a time per plan: a plan is not reentrant
 * (compile one plan per concurrent caller). Matmuls go through
 * realm_runtime_matmul_quant(), which allocates its workspace per call;
 * nothing else is allocated.
 * @param plan the plan.
 * @param bindings @p n_bindings bindings.
 * @param n_bindings >= 0.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, an unknown input or
 *         name, a tensor that is not an input of this plan's graph, a
 *         missing or repeated binding; REALM_ERR_SHAPE for a shape that does
 *         not match the input or dynamic dims out of range or disagreeing;
 *         errors of the kernels and the runtime.
 */
realm_status realm_plan_run(realm_plan *plan, const realm_binding *bindings, int n_bindings);

/**
 * @brief Result of the last run for output @p t.
 * @param plan the plan.
 * @param t an output of the plan's graph.
 * @param[out] data pointer into the plan's arena, valid until the next run
 *             or realm_plan_destroy().
 * @param[out] shape the shape of the last run (dynamic dims bound), or NULL.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, a tensor that is not
 *         an output of the plan; REALM_ERR_STATE before the first
 *         successful run.
 */
realm_status realm_plan_output(const realm_plan *plan, const realm_tensor *t, const float **data,
                               realm_shape *shape);

/**
 * @brief realm_plan_output() for the output named @p name (realm_tensor_set_name()).
 * @return as realm_plan_output(); REALM_ERR_INVALID_ARG when no output of
 *         the plan has that name.
 */
realm_status realm_plan_output_by_name(const realm_plan *plan, const char *name, const float **data,
                                       realm_shape *shape);

/** @brief Frees a plan (not the graph, runtime or weights). NULL is ignored. */
void realm_plan_destroy(realm_plan *plan);

/**
 * Profile of one node of a plan compiled with ::REALM_GRAPH_PROFILE, summed
 * over the successful runs since compile or realm_plan_profile_reset().
 *
 * FLOPs are nominal: a matmul counts 2 * n_out * k per activation row
 * (2 * m * n * k for the f32 matmul); add, mul, scale and unary ops 1 per
 * element, swiglu 2, rms_norm and rope 3, layer_norm and softmax 5;
 * attention 4 * head_dim per (head, query, visible key); other ops 0. Bytes
 * are the node's sources (weights as stored, activations as f32) plus its
 * result, each counted once per run; get_rows counts the rows it looks up,
 * attention adds the cached K and V it reads, a reshape moves nothing.
 */
typedef struct realm_node_profile {
    const char *op;   /**< op name (static string) */
    const char *name; /**< result's name (realm_tensor_set_name()), "" if none; lives as long as the graph */
    int64_t runs;     /**< runs summed */
    int64_t rows;     /**< result rows (elements / last dim) in the last run */
    int64_t flops;    /**< FLOPs, summed over the runs */
    int64_t bytes;    /**< bytes read and written, summed over the runs */
    double seconds;   /**< wall time of the node, summed over the runs */
    double gflops;    /**< flops / seconds / 1e9 (0 when no time) */
    double gbps;      /**< bytes / seconds / 1e9 (0 when no time) */
    double busy_seconds; /**< time the threads spent in the node's kernels, all threads summed */
    double balance;   /**< max over threads of busy time / mean over all runtime threads (>= 1; 1 = even) */
    int threads;      /**< threads of the plan's runtime */
    int threads_busy; /**< threads that did work in the node */
} realm_node_profile;

/**
 * @brief Nodes in the profile (those the plan runs, in run order).
 * @param plan a plan compiled with ::REALM_GRAPH_PROFILE.
 * @param[out] count the node count.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs; REALM_ERR_STATE for a
 *         plan compiled without ::REALM_GRAPH_PROFILE.
 */
realm_status realm_plan_profile_count(const realm_plan *plan, int *count);

/**
 * @brief Profile of node @p i (0 .. count-1, run order).
 * @param plan a plan compiled with ::REALM_GRAPH_PROFILE.
 * @param i the node.
 * @param[out] out its profile.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs or @p i out of range;
 *         REALM_ERR_STATE for a plan compiled without ::REALM_GRAPH_PROFILE.
 */
realm_status realm_plan_profile_get(const realm_plan *plan, int i, realm_node_profile *out);

/**
 * @brief Clears the sums (not the last run's trace).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL; REALM_ERR_STATE for a
 *         plan compiled without ::REALM_GRAPH_PROFILE.
 */
realm_status realm_plan_profile_reset(realm_plan *plan);

/**
 * @brief Writes the profile as a table, one line per node (time per run,
 *        share of the total, GFLOP/s, GB/s, balance), then a totals line.
 * @param plan a plan compiled with ::REALM_GRAPH_PROFILE.
 * @param f the stream.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs; REALM_ERR_STATE for a
 *         plan compiled without ::REALM_GRAPH_PROFILE; REALM_ERR_IO on a
 *         write error.
 */
realm_status realm_plan_print_profile(const realm_plan *plan, FILE *f);

/**
 * @brief Writes the last run as Chrome trace JSON (opens in Perfetto or
 *        chrome://tracing).
 *
 * `{"traceEvents":[...]}`: one complete event ("ph":"X") per node per
 * thread that worked in it, on that thread's track ("tid" = thread index),
 * from its first chunk's start to its last chunk's end ("ts", "dur" in
 * microseconds from the start of the run; "args" holds the busy time,
 * rows, FLOPs and bytes), plus thread_name metadata events.
 * @param plan a plan compiled with ::REALM_GRAPH_PROFILE.
 * @param path the file to write (replaced).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs; REALM_ERR_STATE for a
 *         plan compiled without ::REALM_GRAPH_PROFILE or whose last run
 *         failed or never happened; REALM_ERR_IO when the file cannot be written.
 */
realm_status realm_plan_write_trace(const realm_plan *plan, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* REALM_GRAPH_H */
