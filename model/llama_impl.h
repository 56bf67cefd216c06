/* Internal: a loaded llama model and its context. */
#ifndef REALM_LLAMA_IMPL_H
#define REALM_LLAMA_IMPL_H

#include "realm/model.h"
#include "realm/repack.h"

/* One tensor: where its data is (in the file, or owned when converted). */
typedef struct model_weight {
    realm_type type;
    const void *data;
    size_t bytes;
    float *owned; /* a converted copy, freed with the model */
    bool present;
    realm_layout layout; /* of data */
    void *packed;        /* data when repacked (owned), else NULL */
} model_weight;

typedef struct model_layer {
    model_weight attn_norm, wq, wk, wv, wo, ffn_norm, w_gate, w_up, w_down;
} model_layer;

struct realm_model {
    realm_gguf *gguf;
    bool own;
    realm_model_hparams hp;
    model_weight tok_embd, out_norm, output; /* output absent: tied to tok_embd */
    model_layer *layers;                     /* [n_layer] */
    size_t weight_bytes;
    void *buf; /* the file read into anonymous memory (not use_mmap), or NULL */
    size_t buf_bytes;
};

struct realm_context {
    const realm_model *m;
    realm_context_params params;
    realm_graph *g;
    realm_plan *plan;
    realm_kv_cache *cache;
    realm_tensor *ids, *logits;
};

/* Repacks the matmul weights (not token_embd, which get_rows reads) to
 * the CPU's preferred layout (model/llama_repack.c). */
realm_status llama_repack_weights(realm_model *m);
/* Frees what llama_repack_weights allocated. */
void llama_free_packed(realm_model *m);

#endif
