/* What generate and bench model share: a model from -m or made on the fly,
 * a runtime from --threads/--executor, the tokenizer, a context. */
#ifndef REALM_TOOL_MODEL_SESSION_H
#define REALM_TOOL_MODEL_SESSION_H

#include "realm/realm.h"

typedef struct tool_session {
    realm_model *model;
    realm_runtime *rt;
    realm_tokenizer *tok;
    realm_context *ctx;
    realm_model_hparams hp;
} tool_session;

typedef struct tool_session_opts {
    const char *model_path; /* NULL: a random "tiny" model made in a temp file */
    int threads;            /* 0: one per core */
    int executor;           /* index into tool_executor_names */
    realm_backend backend;
    int64_t n_ctx, n_batch; /* 0: defaults */
    uint32_t graph_flags;
    bool no_mmap;   /* read the weights into huge-page memory (realm_model_params) */
    bool no_repack; /* keep every weight in GGUF layout (realm_model_params) */
} tool_session_opts;

/* "pool", "openmp", "serial", NULL (the realm_executor order). */
extern const char *const tool_executor_names[];

/* Opens everything; prints one error line and returns false on failure. */
bool tool_session_open(const char *cmd, const tool_session_opts *o, tool_session *s);
void tool_session_close(tool_session *s);

#endif
