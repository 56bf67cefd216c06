/* Random-weight llama models: metadata, a vocabulary (built in, or copied
 * from another GGUF), and weights drawn from N(0, 1/fan_in) then quantized
 * row by row on the realm runtime's threads. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model_maker.h"
#include "realm/realm.h"
#include "rng.h"

bool tool_type_mix_parse(const char *name, tool_type_mix *out) {
    memset(out, 0, sizeof *out);
    if (strcasecmp(name, "q4_K_M") == 0 || strcasecmp(name, "q5_K_M") == 0) {
        out->base = name[1] == '4' ? REALM_TYPE_Q4_K : REALM_TYPE_Q5_K;
        out->more = REALM_TYPE_Q6_K;
        out->mixed = true;
        return true;
    }
    if (realm_type_from_name(name, &out->base) != REALM_OK) return false;
    out->more = out->base;
    return true;
}

realm_type tool_type_mix_pick(const tool_type_mix *m, const char *role, int layer, int n_layer) {
    if (!m->mixed) return m->base;
    if (strcmp(role, "output") == 0) return m->more;
    if (strcmp(role, "attn_v") == 0 || strcmp(role, "ffn_down") == 0) {
        const bool more = layer < n_layer / 8 || layer >= 7 * n_layer / 8 || (layer - n_layer / 8) % 3 == 2;
        return more ? m->more : m->base;
    }
    return m->base;
}

realm_type tool_type_fallback(realm_type t, int64_t cols) {
    if (cols % realm_type_get_traits(t)->block_elems == 0) return t;
    if (cols % 32) return REALM_TYPE_F16;
    switch (t) {
    case REALM_TYPE_Q2_K:
    case REALM_TYPE_Q3_K:
        return REALM_TYPE_Q4_0;
    case REALM_TYPE_Q4_K:
        return REALM_TYPE_Q5_0;
    case REALM_TYPE_Q5_K:
        return REALM_TYPE_Q5_1;
    default:
        return REALM_TYPE_Q8_0;
    }
}

bool tool_model_preset(const char *name, tool_model_spec *s) {
    memset(s, 0, sizeof *s);
    s->mix.base = s->mix.more = REALM_TYPE_Q8_0;
    s->seed = 1;
    if (strcmp(name, "tiny") == 0) {
        *s = (tool_model_spec){.n_embd = 256,
                               .n_layer = 2,
                               .n_head = 8,
                               .n_head_kv = 4,
                               .n_ff = 768,
                               .n_ctx = 512,
                               .n_vocab = 512,
                               .mix = s->mix,
                               .seed = 1};
    } else if (strcmp(name, "stories") == 0) {
        *s = (tool_model_spec){.n_embd = 64,
                               .n_layer = 5,
                               .n_head = 8,
                               .n_head_kv = 4,
                               .n_ff = 172,
                               .n_ctx = 256,
                               .n_vocab = 512,
                               .mix = s->mix,
                               .seed = 1};
    } else if (strcmp(name, "tinyllama") == 0) {
        *s = (tool_model_spec){.n_embd = 2048,
                               .n_layer = 22,
                               .n_head = 32,
                               .n_head_kv = 4,
                               .n_ff = 5632,
                               .n_ctx = 2048,
                               .n_vocab = 32000,
                               .mix = s->mix,
                               .seed = 1};
    } else {
        return false;
    }
    return true;
}

/* The built-in vocabulary: <unk> <s> </s>, the 256 byte tokens, then "▁"
 * and the printable ASCII characters, then "▁x" pieces and filler up to n
 * entries. Scores favour longer pieces so merges happen. */
typedef struct vocab {
    char **tok;
    float *score;
    int32_t *type;
    int64_t n;
} vocab;

static bool vocab_add(vocab *v, const char *text, float score, int32_t type) {
    char *s = strdup(text);
    if (!s) return false;
    v->tok[v->n] = s;
    v->score[v->n] = score;
    v->type[v->n] = type;
    v->n++;
    return true;
}

static void vocab_free(vocab *v) {
    for (int64_t i = 0; i < v->n; i++)
        free(v->tok[i]);
    free(v->tok);
    free(v->score);
    free(v->type);
}

static bool builtin_vocab(vocab *v, int64_t n) {
    v->tok = calloc((size_t)n, sizeof *v->tok);
    v->score = calloc((size_t)n, sizeof *v->score);
    v->type = calloc((size_t)n, sizeof *v->type);
    v->n = 0;
    if (!v->tok || !v->score || !v->type) return false;
    bool ok = vocab_add(v, "<unk>", 0, 2) && vocab_add(v, "<s>", 0, 3) && vocab_add(v, "</s>", 0, 3);
    char buf[32];
    for (int b = 0; b < 256 && ok; b++) {
        snprintf(buf, sizeof buf, "<0x%02X>", b);
        ok = vocab_add(v, buf, 0, 6);
    }
    ok = ok && vocab_add(v, "\xe2\x96\x81", -1, 1);
    for (int c = 33; c < 127 && ok; c++) {
        buf[0] = (char)c;
        buf[1] = 0;
        ok = vocab_add(v, buf, -2, 1);
    }
    for (int c = 'a'; c <= 'z' && ok; c++) {
        snprintf(buf, sizeof buf, "\xe2\x96\x81%c", c);
        ok = vocab_add(v, buf, -0.5f, 1);
    }
    for (int64_t i = 0; v->n < n && ok; i++) {
        snprintf(buf, sizeof buf, "<extra_%lld>", (long long)i);
        ok = vocab_add(v, buf, -1000, 5); /* unused: never produced by tokenizing */
    }
    return ok && v->n == n;
}

static realm_status set_vocab(realm_gguf_writer *w, const tool_model_spec *s, realm_gguf **src) {
    realm_status st;
    if (s->vocab_from) {
        if ((st = realm_gguf_open(s->vocab_from, src)) != REALM_OK) return st;
        const char *keys[] = {"tokenizer.ggml.model",
                              "tokenizer.ggml.tokens",
                              "tokenizer.ggml.scores",
                              "tokenizer.ggml.token_type",
                              "tokenizer.ggml.bos_token_id",
                              "tokenizer.ggml.eos_token_id",
                              "tokenizer.ggml.unknown_token_id",
                              "tokenizer.ggml.add_bos_token",
                              "tokenizer.ggml.add_space_prefix"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            const int64_t i = realm_gguf_find_key(*src, keys[k]);
            if (i < 0) continue;
            if ((st = realm_gguf_writer_copy_kv(w, *src, i)) != REALM_OK) return st;
        }
        return REALM_OK;
    }
    vocab v;
    if (!builtin_vocab(&v, s->n_vocab)) {
        vocab_free(&v);
        return REALM_ERR_OUT_OF_MEMORY;
    }
    if ((st = realm_gguf_writer_set_str(w, "tokenizer.ggml.model", "llama")) ||
        (st = realm_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", (const char *const *)v.tok, v.n)) ||
        (st = realm_gguf_writer_set_arr(w, "tokenizer.ggml.scores", REALM_GGUF_FLOAT32, v.score, v.n)) ||
        (st = realm_gguf_writer_set_arr(w, "tokenizer.ggml.token_type", REALM_GGUF_INT32, v.type, v.n)) ||
        (st = realm_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", 1)) ||
        (st = realm_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", 2)) ||
        (st = realm_gguf_writer_set_u32(w, "tokenizer.ggml.unknown_token_id", 0)) ||
        (st = realm_gguf_writer_set_bool(w, "tokenizer.ggml.add_bos_token", true))) {
    }
    vocab_free(&v);
    return st;
}

/* One matrix being generated: rows quantized in parallel. */
typedef struct gen_ctx {
    realm_type type;
    int64_t cols;
    float scale;
    uint64_t seed;
    unsigned char *out;
    size_t row_bytes;
    _Atomic int status; /* a failing row's status */
} gen_ctx;

static void gen_rows(void *vctx, int64_t r0, int64_t r1, int thread) {
    (void)thread;
    gen_ctx *c = vctx;
    float *row = malloc(sizeof(float) * (size_t)c->cols);
    if (!row) {
        atomic_store(&c->status, REALM_ERR_OUT_OF_MEMORY);
        return;
    }
    for (int64_t r = r0; r < r1; r++) {
        /* a generator per row: the same bits for any thread split */
        tool_rng g = tool_rng_seed(c->seed * 0x9E3779B97F4A7C15ull + (uint64_t)r);
        for (int64_t i = 0; i < c->cols; i++)
            row[i] = c->scale * tool_rng_normal(&g);
        realm_status s = realm_quantize_row(c->type, row, c->out + (size_t)r * c->row_bytes, c->cols);
        if (s != REALM_OK) atomic_store(&c->status, s);
    }
    free(row);
}

typedef struct tensors {
    void **data;
    int n;
} tensors;

/* Adds tensor name [rows][cols] (rows 0: a vector of ones) of type t. */
static realm_status add_tensor(realm_gguf_writer *w, realm_runtime *rt, tensors *keep, const char *name,
                               realm_type t, int64_t rows, int64_t cols, uint64_t seed) {
    const int64_t ne[2] = {cols, rows};
    if (rows == 0) {
        float *ones = malloc(sizeof(float) * (size_t)cols);
        if (!ones) return REALM_ERR_OUT_OF_MEMORY;
        for (int64_t i = 0; i < cols; i++)
            ones[i] = 1.0f;
        keep->data[keep->n++] = ones;
        return realm_gguf_writer_add_tensor(w, name, REALM_TYPE_F32, 1, ne, ones,
                                            sizeof(float) * (size_t)cols);
    }
    t = tool_type_fallback(t, cols);
    gen_ctx c = {.type = t,
                 .cols = cols,
                 .scale = 1.0f / sqrtf((float)cols),
                 .seed = seed,
                 .row_bytes = realm_row_bytes(t, cols)};
    c.out = malloc(c.row_bytes * (size_t)rows);
    if (!c.out) return REALM_ERR_OUT_OF_MEMORY;
    keep->data[keep->n++] = c.out;
    atomic_init(&c.status, REALM_OK);
    realm_status st = realm_runtime_parallel_rows(rt, rows, 16, gen_rows, &c);
    if (st == REALM_OK) st = (realm_status)atomic_load(&c.status);
    if (st != REALM_OK) return st;
    return realm_gguf_writer_add_tensor(w, name, t, 2, ne, c.out, c.row_bytes * (size_t)rows);
}

realm_status tool_make_model(const tool_model_spec *s, const char *path, bool verbose) {
    realm_gguf_writer *w = NULL;
    realm_gguf *src = NULL;
    realm_runtime *rt = NULL;
    tensors keep = {0};
    realm_status st = realm_gguf_writer_create(&w);
    const realm_runtime_params rp = realm_runtime_params_default();
    if (st == REALM_OK) st = realm_runtime_create(&rp, &rt);
    if (st == REALM_OK) st = set_vocab(w, s, &src);
    int64_t n_vocab = s->n_vocab;
    if (st == REALM_OK && src) {
        realm_gguf_vtype et;
        const void *d;
        st = realm_gguf_get_arr(src, "tokenizer.ggml.tokens", &et, &n_vocab, &d);
    }
    const int64_t E = s->n_embd, hd = s->n_embd / s->n_head, kv = hd * s->n_head_kv;
    if (st == REALM_OK &&
        ((st = realm_gguf_writer_set_str(w, "general.architecture", "llama")) ||
         (st = realm_gguf_writer_set_str(w, "general.name", "realm-random-llama")) ||
         (st = realm_gguf_writer_set_u32(w, "llama.context_length", (uint32_t)s->n_ctx)) ||
         (st = realm_gguf_writer_set_u32(w, "llama.embedding_length", (uint32_t)E)) ||
         (st = realm_gguf_writer_set_u32(w, "llama.block_count", (uint32_t)s->n_layer)) ||
         (st = realm_gguf_writer_set_u32(w, "llama.feed_forward_length", (uint32_t)s->n_ff)) ||
         (st = realm_gguf_writer_set_u32(w, "llama.attention.head_count", (uint32_t)s->n_head)) ||
         (st = realm_gguf_writer_set_u32(w, "llama.attention.head_count_kv", (uint32_t)s->n_head_kv)) ||
         (st = realm_gguf_writer_set_u32(w, "llama.rope.dimension_count", (uint32_t)hd)) ||
         (st = realm_gguf_writer_set_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f)) ||
         (st = realm_gguf_writer_set_f32(w, "llama.rope.freq_base", 10000.0f)) ||
         (st = realm_gguf_writer_set_u32(w, "llama.vocab_size", (uint32_t)n_vocab)) ||
         (st = realm_gguf_writer_set_u32(w, "general.quantization_version", 2))))
        (void)0;
    keep.data = calloc((size_t)(s->n_layer * 9 + 3), sizeof(void *));
    if (st == REALM_OK && !keep.data) st = REALM_ERR_OUT_OF_MEMORY;
    const int L = (int)s->n_layer;
    uint64_t seed = s->seed * 1000003u;
    if (st == REALM_OK)
        st = add_tensor(w, rt, &keep, "token_embd.weight", tool_type_mix_pick(&s->mix, "token_embd", -1, L),
                        n_vocab, E, seed++);
    if (st == REALM_OK) st = add_tensor(w, rt, &keep, "output_norm.weight", REALM_TYPE_F32, 0, E, seed++);
    if (st == REALM_OK)
        st = add_tensor(w, rt, &keep, "output.weight", tool_type_mix_pick(&s->mix, "output", -1, L), n_vocab,
                        E, seed++);
    char name[96];
    static const struct {
        const char *role;
        int rows, cols; /* 0 vector, 1 E, 2 kv, 3 n_ff */
    } parts[9] = {{"attn_norm", 0, 1}, {"attn_q", 1, 1},      {"attn_k", 2, 1},
                  {"attn_v", 2, 1},    {"attn_output", 1, 1}, {"ffn_norm", 0, 1},
                  {"ffn_gate", 3, 1},  {"ffn_up", 3, 1},      {"ffn_down", 1, 3}};
    const int64_t size_of[4] = {0, E, kv, s->n_ff};
    for (int l = 0; l < L && st == REALM_OK; l++) {
        if (verbose) fprintf(stderr, "\rmake-model: layer %d/%d", l + 1, L);
        for (int p = 0; p < 9 && st == REALM_OK; p++) {
            snprintf(name, sizeof name, "blk.%d.%s.weight", l, parts[p].role);
            const realm_type t =
                parts[p].rows == 0 ? REALM_TYPE_F32 : tool_type_mix_pick(&s->mix, parts[p].role, l, L);
            st = add_tensor(w, rt, &keep, name, t, size_of[parts[p].rows], size_of[parts[p].cols], seed++);
        }
    }
    if (verbose) fprintf(stderr, "\n");
    if (st == REALM_OK) st = realm_gguf_writer_write(w, path);
    for (int i = 0; i < keep.n; i++)
        free(keep.data[i]);
    free(keep.data);
    realm_gguf_writer_destroy(w);
    realm_gguf_close(src);
    realm_runtime_destroy(rt);
    return st;
}
