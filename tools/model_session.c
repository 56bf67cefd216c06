/* Model sessions for generate and bench model. Without -m a tiny random
 * model is written to a temp file, mapped, and the file removed at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "model_maker.h"
#include "model_session.h"

const char *const tool_executor_names[] = {"pool", "openmp", "serial", NULL};

static bool fail(const char *cmd, realm_status st, const char *what, tool_session *s) {
    tool_error_status(cmd, st, what);
    tool_session_close(s);
    return false;
}

static realm_status load_default(realm_model **out) {
    const char *dir = getenv("TMPDIR");
    char path[512];
    /* "<dir>/realm-tiny-" and mkstemp's six-character template */
    const int n = snprintf(path, sizeof path, "%s/realm-tiny-", dir && dir[0] ? dir : "/tmp");
    if (n < 0 || (size_t)n + 7 > sizeof path) return REALM_ERR_IO;
    memset(path + n, 'X', 6);
    path[n + 6] = '\0';
    const int fd = mkstemp(path);
    if (fd < 0) return REALM_ERR_IO;
    close(fd);
    tool_model_spec spec;
    tool_model_preset("tiny", &spec);
    realm_status st = tool_make_model(&spec, path, false);
    if (st == REALM_OK) st = realm_model_load(path, out); /* mapped: the file may go */
    unlink(path);
    return st;
}

bool tool_session_open(const char *cmd, const tool_session_opts *o, tool_session *s) {
    memset(s, 0, sizeof *s);
    realm_status st;
    if (o->model_path) {
        realm_model_params mp = realm_model_params_default();
        mp.use_mmap = !o->no_mmap;
        mp.repack = !o->no_repack;
        st = realm_model_load_ex(o->model_path, &mp, &s->model);
        if (st != REALM_OK) return fail(cmd, st, o->model_path, s);
    } else {
        fprintf(stderr,
                "realm %s: no -m FILE: using a random tiny llama made on the fly (its text is noise)\n", cmd);
        st = load_default(&s->model);
        if (st != REALM_OK) return fail(cmd, st, "built-in model", s);
    }
    realm_model_get_hparams(s->model, &s->hp);
    realm_runtime_params rp = realm_runtime_params_default();
    rp.n_threads = o->threads;
    rp.executor = (realm_executor)o->executor;
    /* the tool owns its main thread: bind it beside the pinned workers */
    rp.flags = REALM_RUNTIME_PIN_CALLER;
    if ((st = realm_runtime_create(&rp, &s->rt)) != REALM_OK) return fail(cmd, st, "runtime", s);
    if ((st = realm_tokenizer_from_gguf(realm_model_gguf(s->model), &s->tok)) != REALM_OK)
        return fail(cmd, st, "tokenizer", s);
    realm_context_params cp = realm_context_params_default();
    cp.backend = o->backend;
    if (o->n_ctx) cp.n_ctx = o->n_ctx;
    if (o->n_batch) cp.n_batch = o->n_batch;
    cp.graph_flags = o->graph_flags;
    if ((st = realm_context_create(s->model, s->rt, &cp, &s->ctx)) != REALM_OK)
        return fail(cmd, st, "context", s);
    return true;
}

void tool_session_close(tool_session *s) {
    realm_context_destroy(s->ctx);
    realm_tokenizer_destroy(s->tok);
    realm_runtime_destroy(s->rt);
    realm_model_destroy(s->model);
    memset(s, 0, sizeof *s);
}
