/* Random-weight llama GGUF files of any shape and type mix (make-model, the
 * built-in default of generate and bench model). */
#ifndef REALM_TOOL_MODEL_MAKER_H
#define REALM_TOOL_MODEL_MAKER_H

#include <stdbool.h>
#include <stdint.h>

#include "realm/types.h"

/* A type recipe: one type for every matrix, or the K_M mixes. */
typedef struct tool_type_mix {
    realm_type base; /* matrices */
    realm_type more; /* attn_v / ffn_down of the "more bits" layers, output */
    bool mixed;      /* q4_K_M / q5_K_M */
} tool_type_mix;

typedef struct tool_model_spec {
    int64_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx, n_vocab;
    const char *vocab_from; /* GGUF whose tokenizer.* keys are copied, or NULL: built-in vocab */
    tool_type_mix mix;
    uint64_t seed;
} tool_model_spec;

/* "q4_K_M", "q5_K_M" or any type name (f32, f16, q8_0, ...); false when unknown. */
bool tool_type_mix_parse(const char *name, tool_type_mix *out);

/* Type of a matrix under a mix (llama.cpp's Q4_K_M rule: attn_v and ffn_down
 * get the bigger type in the first and last eighth of the layers and every
 * third one between; output always). layer -1: not in a block. */
realm_type tool_type_mix_pick(const tool_type_mix *m, const char *role, int layer, int n_layer);

/* t, or what llama.cpp falls back to when rows of cols elements do not fit
 * t's blocks: a 32-block type for the K types (q4_K -> q5_0, q6_K -> q8_0,
 * ...), else f16. */
realm_type tool_type_fallback(realm_type t, int64_t cols);

/* Fills spec from a preset name ("tiny", "tinyllama", "stories"); false when unknown. */
bool tool_model_preset(const char *name, tool_model_spec *spec);

/* Writes the model to path; prints progress on stderr when verbose. Returns
 * a status with realm_last_error() set (or a tool message on stderr). */
realm_status tool_make_model(const tool_model_spec *spec, const char *path, bool verbose);

#endif
