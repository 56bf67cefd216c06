/* Llama model from GGUF: hyper-parameters from `llama.*` metadata and the
 * tensors every layer needs, checked for name, shape and type. Weights stay
 * in the mapped file; 1-dim norms that are not f32 are converted once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/error.h"
#include "model/llama_impl.h"
#include "realm/quant.h"

static realm_status get_i64(const realm_gguf *g, const char *key, int64_t *out, int64_t dflt, bool required) {
    if (realm_gguf_find_key(g, key) < 0) {
        if (required) return realm_error(REALM_ERR_FORMAT, "model: metadata '%s' missing", key);
        *out = dflt;
        return REALM_OK;
    }
    return realm_gguf_get_i64(g, key, out);
}

static realm_status get_f32(const realm_gguf *g, const char *key, float *out, float dflt) {
    if (realm_gguf_find_key(g, key) < 0) {
        *out = dflt;
        return REALM_OK;
    }
    return realm_gguf_get_f32(g, key, out);
}

static realm_status read_hparams(const realm_gguf *g, realm_model_hparams *h) {
    const char *arch;
    size_t len;
    realm_status st = realm_gguf_get_str(g, "general.architecture", &arch, &len);
    if (st != REALM_OK) return st;
    if (len != 5 || memcmp(arch, "llama", 5) != 0)
        return realm_error(REALM_ERR_UNSUPPORTED, "model: architecture '%.*s' is not llama",
                           (int)(len < 64 ? len : 64), arch);
    memset(h, 0, sizeof *h);
    if ((st = get_i64(g, "llama.embedding_length", &h->n_embd, 0, true)) ||
        (st = get_i64(g, "llama.block_count", &h->n_layer, 0, true)) ||
        (st = get_i64(g, "llama.feed_forward_length", &h->n_ff, 0, true)) ||
        (st = get_i64(g, "llama.attention.head_count", &h->n_head, 0, true)) ||
        (st = get_i64(g, "llama.attention.head_count_kv", &h->n_head_kv, h->n_head, false)) ||
        (st = get_i64(g, "llama.context_length", &h->n_ctx_train, 2048, false)))
        return st;
    if (h->n_embd < 1 || h->n_layer < 1 || h->n_layer > 100000 || h->n_ff < 1 || h->n_head < 1 ||
        h->n_head_kv < 1 || h->n_ctx_train < 1 || h->n_embd % h->n_head || h->n_head % h->n_head_kv)
        return realm_error(
            REALM_ERR_FORMAT,
            "model: bad sizes (n_embd %lld, n_layer %lld, n_ff %lld, n_head %lld, n_head_kv %lld, "
            "context %lld)",
            (long long)h->n_embd, (long long)h->n_layer, (long long)h->n_ff, (long long)h->n_head,
            (long long)h->n_head_kv, (long long)h->n_ctx_train);
    const int64_t hd = h->n_embd / h->n_head;
    if ((st = get_i64(g, "llama.rope.dimension_count", &h->n_rot, hd, false))) return st;
    if (h->n_rot < 2 || h->n_rot > hd || h->n_rot % 2 || hd > REALM_ATTENTION_MAX_HEAD_DIM)
        return realm_error(REALM_ERR_FORMAT, "model: rope dimension %lld for head size %lld",
                           (long long)h->n_rot, (long long)hd);
    float scale = 1.0f;
    if ((st = get_f32(g, "llama.attention.layer_norm_rms_epsilon", &h->rms_eps, 1e-5f)) ||
        (st = get_f32(g, "llama.rope.freq_base", &h->rope_freq_base, 10000.0f)) ||
        (st = get_f32(g, "llama.rope.scale_linear", &scale, 1.0f)))
        return st;
    if (!(h->rms_eps > 0) || !(h->rope_freq_base > 0) || !(scale > 0) || h->rms_eps > 1 ||
        h->rope_freq_base > 1e12f)
        return realm_error(REALM_ERR_FORMAT, "model: bad eps %g, rope base %g or scale %g",
                           (double)h->rms_eps, (double)h->rope_freq_base, (double)scale);
    h->rope_freq_scale = 1.0f / scale;
    return REALM_OK;
}

/* Finds tensor name with shape [rows][cols] (GGUF ne = {cols, rows}; rows 0
 * for 1-dim) into *w; a matrix may be any type, a vector becomes f32. */
static realm_status find_tensor(realm_model *m, const char *name, int64_t rows, int64_t cols, bool optional,
                                model_weight *w) {
    memset(w, 0, sizeof *w);
    const int64_t i = realm_gguf_find_tensor(m->gguf, name);
    if (i < 0) {
        if (optional) return REALM_OK;
        return realm_error(REALM_ERR_FORMAT, "model: tensor '%s' missing", name);
    }
    realm_gguf_tensor t;
    realm_status st = realm_gguf_tensor_info(m->gguf, i, &t);
    if (st != REALM_OK) return st;
    const bool vec = rows == 0;
    if (t.n_dims != (vec ? 1 : 2) || t.ne[0] != cols || (!vec && t.ne[1] != rows))
        return realm_error(REALM_ERR_FORMAT,
                           "model: tensor '%s' has shape [%lld, %lld] (%d dims), expected [%lld, %lld]", name,
                           (long long)t.ne[0], (long long)t.ne[1], t.n_dims, (long long)cols,
                           (long long)(vec ? 1 : rows));
    w->type = t.type;
    w->data = t.data;
    w->bytes = t.bytes;
    w->present = true;
    if (vec && t.type != REALM_TYPE_F32) {
        float *f = malloc(sizeof(float) * (size_t)cols);
        if (!f) return realm_error(REALM_ERR_OUT_OF_MEMORY, "model: out of memory");
        st = realm_dequantize_row(t.type, t.data, f, cols);
        if (st != REALM_OK) {
            free(f);
            return st;
        }
        w->owned = f;
        w->data = f;
        w->type = REALM_TYPE_F32;
    }
    m->weight_bytes += t.bytes;
    return REALM_OK;
}

static realm_status load_tensors(realm_model *m) {
    const realm_model_hparams *h = &m->hp;
    const int64_t E = h->n_embd, hd = E / h->n_head, kv = hd * h->n_head_kv;
    /* n_vocab is the embedding's row count */
    const int64_t ti = realm_gguf_find_tensor(m->gguf, "token_embd.weight");
    realm_gguf_tensor t;
    if (ti < 0 || realm_gguf_tensor_info(m->gguf, ti, &t) != REALM_OK || t.n_dims != 2 || t.ne[0] != E)
        return realm_error(REALM_ERR_FORMAT, "model: token_embd.weight missing or not [n_vocab][%lld]",
                           (long long)E);
    m->hp.n_vocab = t.ne[1];
    realm_status st = find_tensor(m, "token_embd.weight", t.ne[1], E, false, &m->tok_embd);
    if (st != REALM_OK) return st;
    if ((st = find_tensor(m, "output_norm.weight", 0, E, false, &m->out_norm)) ||
        (st = find_tensor(m, "output.weight", m->hp.n_vocab, E, true, &m->output)))
        return st;
    m->hp.tied_output = !m->output.present;
    m->layers = calloc((size_t)h->n_layer, sizeof(model_layer));
    if (!m->layers) return realm_error(REALM_ERR_OUT_OF_MEMORY, "model: out of memory");
    char name[96];
#define LAYER_TENSOR(field, suffix, rows, cols)                                                              \
    do {                                                                                                     \
        snprintf(name, sizeof name, "blk.%d." suffix ".weight", l);                                          \
        if ((st = find_tensor(m, name, rows, cols, false, &L->field))) return st;                            \
    } while (0)
    for (int l = 0; l < h->n_layer; l++) {
        model_layer *L = &m->layers[l];
        LAYER_TENSOR(attn_norm, "attn_norm", 0, E);
        LAYER_TENSOR(wq, "attn_q", E, E);
        LAYER_TENSOR(wk, "attn_k", kv, E);
        LAYER_TENSOR(wv, "attn_v", kv, E);
        LAYER_TENSOR(wo, "attn_output", E, E);
        LAYER_TENSOR(ffn_norm, "ffn_norm", 0, E);
        LAYER_TENSOR(w_gate, "ffn_gate", h->n_ff, E);
        LAYER_TENSOR(w_up, "ffn_up", h->n_ff, E);
        LAYER_TENSOR(w_down, "ffn_down", E, h->n_ff);
    }
#undef LAYER_TENSOR
    return REALM_OK;
}

static realm_status model_from_gguf(realm_gguf *g, bool own, bool repack, realm_model **out) {
    if (!g || !out) {
        if (own) realm_gguf_close(g);
        return realm_error(REALM_ERR_INVALID_ARG, "realm_model_from_gguf: NULL %s", g ? "out" : "file");
    }
    *out = NULL;
    realm_model *m = calloc(1, sizeof *m);
    if (!m) {
        if (own) realm_gguf_close(g);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_model_from_gguf: out of memory");
    }
    m->gguf = g;
    m->own = own;
    realm_status st = read_hparams(g, &m->hp);
    if (st == REALM_OK) st = load_tensors(m);
    if (st == REALM_OK && repack) st = llama_repack_weights(m);
    if (st != REALM_OK) {
        realm_model_destroy(m);
        return st;
    }
    *out = m;
    return REALM_OK;
}

realm_status realm_model_from_gguf(realm_gguf *g, bool own, realm_model **out) {
    return model_from_gguf(g, own, realm_model_params_default().repack, out);
}

realm_model_params realm_model_params_default(void) {
    return (realm_model_params){.use_mmap = true, .repack = true};
}

/* The whole file in anonymous memory, rounded to 2 MiB and advised to use
 * huge pages (the kernel may decline: then it is ordinary memory). */
static realm_status read_file(const char *path, void **buf, size_t *bytes, size_t *file_bytes) {
    FILE *f = fopen(path, "rb");
    if (!f) return realm_error(REALM_ERR_IO, "model: cannot open '%s'", path);
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return realm_error(REALM_ERR_IO, "model: cannot size '%s'", path);
    }
    const size_t huge = (size_t)2 << 20, size = ((size_t)n + huge - 1) / huge * huge;
    void *p =
        size ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
    if (p == MAP_FAILED) {
        fclose(f);
        return size ? realm_error(REALM_ERR_OUT_OF_MEMORY, "model: %zu bytes for '%s': out of memory", size,
                                  path)
                    : realm_error(REALM_ERR_FORMAT, "model: '%s' is empty", path);
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(p, size, MADV_HUGEPAGE); /* a hint: failure is fine */
#endif
    const size_t got = fread(p, 1, (size_t)n, f);
    fclose(f);
    if (got != (size_t)n) {
        munmap(p, size);
        return realm_error(REALM_ERR_IO, "model: read %zu of %ld bytes of '%s'", got, n, path);
    }
    *buf = p;
    *bytes = size;
    *file_bytes = (size_t)n;
    return REALM_OK;
}

realm_status realm_model_load_ex(const char *path, const realm_model_params *params, realm_model **out) {
    if (!path || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_model_load: NULL %s", path ? "out" : "path");
    *out = NULL;
    const realm_model_params p = params ? *params : realm_model_params_default();
    realm_gguf *g;
    if (p.use_mmap) {
        realm_status st = realm_gguf_open(path, &g);
        if (st != REALM_OK) return st;
        return model_from_gguf(g, true, p.repack, out);
    }
    void *buf = NULL;
    size_t bytes = 0, file_bytes = 0;
    realm_status st = read_file(path, &buf, &bytes, &file_bytes);
    if (st != REALM_OK) return st;
    st = realm_gguf_open_memory(buf, file_bytes, &g);
    if (st == REALM_OK) st = model_from_gguf(g, true, p.repack, out);
    if (st != REALM_OK) {
        munmap(buf, bytes);
        return st;
    }
    (*out)->buf = buf; /* unmapped after the gguf that points into it */
    (*out)->buf_bytes = bytes;
    return REALM_OK;
}

realm_status realm_model_load(const char *path, realm_model **out) {
    return realm_model_load_ex(path, NULL, out);
}

static void free_weight(model_weight *w) { free(w->owned); }

void realm_model_destroy(realm_model *m) {
    if (!m) return;
    if (m->layers)
        for (int64_t l = 0; l < m->hp.n_layer; l++) {
            free_weight(&m->layers[l].attn_norm);
            free_weight(&m->layers[l].ffn_norm);
        }
    llama_free_packed(m);
    free(m->layers);
    free_weight(&m->out_norm);
    if (m->own) realm_gguf_close(m->gguf);
    if (m->buf) munmap(m->buf, m->buf_bytes);
    free(m);
}

realm_status realm_model_get_hparams(const realm_model *m, realm_model_hparams *out) {
    if (!m || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_model_get_hparams: NULL %s", m ? "out" : "model");
    *out = m->hp;
    return REALM_OK;
}

const realm_gguf *realm_model_gguf(const realm_model *m) { return m ? m->gguf : NULL; }

size_t realm_model_weight_bytes(const realm_model *m) { return m ? m->weight_bytes : 0; }
