/**
 * @file model.h
 * @brief Llama-family models from GGUF, run as a realm graph.
 *
 * realm_model_load() maps a GGUF file (weights are used in place) and reads
 * the `llama.*` hyper-parameters; realm_context_create() builds the model's
 * graph for a runtime (token embedding, per layer RMSNorm, attention with
 * grouped-query heads and RoPE through a KV cache, SwiGLU feed-forward; output
 * norm and projection, or the tied embedding when `output.weight` is absent)
 * and compiles it for up to n_batch tokens per run. realm_context_eval()
 * appends tokens (a prompt in chunks of n_batch, then one token at a time)
 * and returns the logits of the last one.
 */
#ifndef REALM_MODEL_H
#define REALM_MODEL_H

#include "realm/gguf.h"
#include "realm/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A loaded model (opaque). */
typedef struct realm_model realm_model;
/** A model's graph, plan and KV cache on one runtime (opaque). */
typedef struct realm_context realm_context;

/** Hyper-parameters read from GGUF metadata. */
typedef struct realm_model_hparams {
    int64_t n_vocab;       /**< vocabulary entries (rows of token_embd) */
    int64_t n_embd;        /**< hidden size */
    int64_t n_layer;       /**< transformer blocks */
    int64_t n_head;        /**< query heads */
    int64_t n_head_kv;     /**< key/value heads (grouped-query when < n_head) */
    int64_t n_ff;          /**< feed-forward hidden size */
    int64_t n_ctx_train;   /**< llama.context_length */
    int64_t n_rot;         /**< rotated dims per head (llama.rope.dimension_count) */
    float rms_eps;         /**< llama.attention.layer_norm_rms_epsilon */
    float rope_freq_base;  /**< llama.rope.freq_base (default 10000) */
    float rope_freq_scale; /**< 1 / llama.rope.scale_linear (default 1) */
    bool tied_output;      /**< no output.weight: logits use token_embd */
} realm_model_hparams;

/** How realm_model_load_ex() holds the weights; start from realm_model_params_default(). */
typedef struct realm_model_params {
    /** true (default): use the weights in place in the mapped file (no copy,
     *  pages shared with the page cache). false: read the file into
     *  anonymous memory advised to use transparent huge pages (a private
     *  copy; on the 2-core VM decode was no faster: 63.1 vs 61.7-62.7 t/s,
     *  bench/RESULTS.md). */
    bool use_mmap;
    /** true (default): matmul weights whose type this CPU's decode kernels
     *  read faster in another layout (realm_layout_preferred(), e.g. q4_K
     *  and q6_K in REALM_LAYOUT_ROWS16 with AVX-512 VNNI) are repacked at
     *  load into memory the model owns (same size; their file pages are no
     *  longer read). Results: the same prefill bits, decode within float
     *  order. false: every weight stays in GGUF layout. */
    bool repack;
} realm_model_params;

/** @brief Defaults: the weights in place in the mapped file (use_mmap true), matmul weights repacked where
 *  the CPU prefers it (repack true). */
realm_model_params realm_model_params_default(void);

/**
 * @brief realm_model_load() with options.
 * @param path the file.
 * @param params options, or NULL for the defaults.
 * @param[out] out the model (realm_model_destroy()).
 * @return as realm_model_load().
 */
realm_status realm_model_load_ex(const char *path, const realm_model_params *params, realm_model **out);

/**
 * @brief Opens a llama GGUF file with the default params (realm_model_load_ex())
 *        and checks every tensor the model needs
 *        (names, shapes, types) against the metadata.
 * @param path the file.
 * @param[out] out the model (realm_model_destroy()).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs; REALM_ERR_IO;
 *         REALM_ERR_FORMAT for a malformed file, missing metadata or tensors,
 *         shapes that disagree; REALM_ERR_UNSUPPORTED for another
 *         architecture.
 */
realm_status realm_model_load(const char *path, realm_model **out);

/**
 * @brief As realm_model_load() for an opened file.
 * @param g the file; the model takes ownership (closes it) when @p own, even
 *        on failure.
 * @param own whether the model closes @p g.
 * @param[out] out the model.
 * @return as realm_model_load().
 */
realm_status realm_model_from_gguf(realm_gguf *g, bool own, realm_model **out);

/** @brief Frees a model (contexts made from it must be destroyed first). NULL is ignored. */
void realm_model_destroy(realm_model *m);

/**
 * @brief The model's hyper-parameters.
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULLs.
 */
realm_status realm_model_get_hparams(const realm_model *m, realm_model_hparams *out);

/** @brief The model's GGUF file (e.g. for realm_tokenizer_from_gguf()); NULL for NULL. */
const realm_gguf *realm_model_gguf(const realm_model *m);

/** @brief Bytes of the model's weights as stored. 0 for NULL. */
size_t realm_model_weight_bytes(const realm_model *m);

/** Options of realm_context_create(); start from realm_context_params_default(). */
typedef struct realm_context_params {
    realm_backend backend; /**< kernels; default REALM_BACKEND_OPTIMIZED */
    int64_t n_ctx;         /**< KV cache positions; 0 = the model's n_ctx_train (default 0) */
    int64_t n_batch;       /**< most tokens per graph run (prompt chunks); default 512 */
    bool all_logits;       /**< logits of every token of a run, not only the last; default false */
    uint32_t graph_flags;  /**< realm_graph_options::flags, e.g. REALM_GRAPH_PROFILE; default 0 */
} realm_context_params;

/** @brief Defaults: optimized, n_ctx from the model, n_batch 512, last logits only. */
realm_context_params realm_context_params_default(void);

/**
 * @brief Builds and compiles the model's graph on @p rt with an empty KV cache.
 * @param m the model (borrowed; must outlive the context).
 * @param rt the runtime (borrowed).
 * @param params options, or NULL for the defaults.
 * @param[out] out the context (realm_context_destroy()).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs or bad params; errors of
 *         the graph (REALM_ERR_OUT_OF_MEMORY, ...).
 */
realm_status realm_context_create(const realm_model *m, realm_runtime *rt, const realm_context_params *params,
                                  realm_context **out);

/** @brief Frees a context. NULL is ignored. */
void realm_context_destroy(realm_context *c);

/**
 * @brief Appends @p n tokens at the current position (in runs of at most
 *        n_batch) and gives the logits of the last one.
 * @param c the context.
 * @param tokens @p n token ids, each in [0, n_vocab).
 * @param n >= 1.
 * @param[out] logits [n_vocab] floats (with all_logits: [tokens of the last
 *             run][n_vocab]), valid until the next call; may be NULL.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs, n < 1, an id out of
 *         range (nothing is run); REALM_ERR_STATE when the tokens do not fit
 *         in the context (position + n > n_ctx; nothing is run: rewind with
 *         realm_context_set_pos()); errors of the run.
 */
realm_status realm_context_eval(realm_context *c, const int32_t *tokens, int64_t n, const float **logits);

/** @brief Tokens in the KV cache (position of the next token); -1 for NULL. */
int64_t realm_context_pos(const realm_context *c);

/** @brief KV cache capacity; -1 for NULL. */
int64_t realm_context_n_ctx(const realm_context *c);

/**
 * @brief Rewinds to @p pos (0 starts over), forgetting later tokens.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL or pos outside 0..position.
 */
realm_status realm_context_set_pos(realm_context *c, int64_t pos);

/** @brief The compiled plan (e.g. for realm_plan_print_profile()); NULL for NULL. */
realm_plan *realm_context_plan(realm_context *c);

#ifdef __cplusplus
}
#endif

#endif /* REALM_MODEL_H */
