/* The tokenizer from a GGUF file's tokenizer.ggml.* keys, with llama.cpp's
 * defaults for the optional ones. Texts are read in place from the file;
 * realm_tokenizer_create() copies them. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "realm/gguf.h"
#include "realm/tokenizer.h"

#define KEY_TOKENS "tokenizer.ggml.tokens"

static bool has_key(const realm_gguf *g, const char *key) { return realm_gguf_find_key(g, key) >= 0; }

/* A numeric array of n 4-byte elements of one of two types, copied out
 * (the file's copy may be unaligned). */
static realm_status read_arr4(const realm_gguf *g, const char *key, realm_gguf_vtype want,
                              realm_gguf_vtype also, int64_t n, void *dst) {
    realm_gguf_vtype et;
    int64_t count;
    const void *data;
    if (realm_gguf_get_arr(g, key, &et, &count, &data) != REALM_OK)
        return realm_error(REALM_ERR_FORMAT, "tokenizer: %s is not an array", key);
    if ((et != want && et != also) || count != n || !data)
        return realm_error(REALM_ERR_FORMAT, "tokenizer: %s has %lld elements of type %s, want %lld of %s",
                           key, (long long)count, realm_gguf_vtype_name(et), (long long)n,
                           realm_gguf_vtype_name(want));
    memcpy(dst, data, (size_t)n * 4);
    return REALM_OK;
}

/* An optional token id: def when absent; -1 when absent and def is not in
 * the vocab. */
static realm_status read_id(const realm_gguf *g, const char *key, int32_t def, int32_t n, int32_t *id) {
    if (!has_key(g, key)) {
        *id = def < n ? def : -1;
        return REALM_OK;
    }
    uint32_t v;
    if (realm_gguf_get_u32(g, key, &v) != REALM_OK || v >= (uint32_t)n)
        return realm_error(REALM_ERR_FORMAT, "tokenizer: %s is not a token id below %d", key, (int)n);
    *id = (int32_t)v;
    return REALM_OK;
}

static realm_status read_flag(const realm_gguf *g, const char *key, bool *flag) {
    if (!has_key(g, key)) return REALM_OK; /* keep the default */
    if (realm_gguf_get_bool(g, key, flag) != REALM_OK)
        return realm_error(REALM_ERR_FORMAT, "tokenizer: %s is not a bool", key);
    return REALM_OK;
}

realm_status realm_tokenizer_from_gguf(const realm_gguf *g, realm_tokenizer **out) {
    if (!g || !out) return realm_error(REALM_ERR_INVALID_ARG, "realm_tokenizer_from_gguf: NULL argument");
    const char *model;
    size_t model_len;
    if (realm_gguf_get_str(g, "tokenizer.ggml.model", &model, &model_len) != REALM_OK)
        return realm_error(REALM_ERR_FORMAT, "tokenizer: tokenizer.ggml.model missing or not a string");
    if (model_len != 5 || memcmp(model, "llama", 5) != 0)
        return realm_error(REALM_ERR_UNSUPPORTED, "tokenizer: model '%.*s' is not 'llama' (SentencePiece)",
                           (int)(model_len > 64 ? 64 : model_len), model);
    realm_gguf_vtype et;
    int64_t n64;
    if (realm_gguf_get_arr(g, KEY_TOKENS, &et, &n64, NULL) != REALM_OK || et != REALM_GGUF_STRING)
        return realm_error(REALM_ERR_FORMAT, "tokenizer: " KEY_TOKENS " missing or not an array of strings");
    if (n64 < 1 || n64 > INT32_MAX / 2)
        return realm_error(REALM_ERR_FORMAT, "tokenizer: " KEY_TOKENS " has %lld tokens", (long long)n64);
    const int32_t n = (int32_t)n64;

    realm_vocab_desc d = realm_vocab_desc_default();
    d.n_tokens = n;
    const char **texts = malloc((size_t)n * sizeof *texts);
    size_t *lens = malloc((size_t)n * sizeof *lens);
    float *scores = has_key(g, "tokenizer.ggml.scores") ? malloc((size_t)n * sizeof *scores) : NULL;
    int32_t *types = has_key(g, "tokenizer.ggml.token_type") ? malloc((size_t)n * sizeof *types) : NULL;
    realm_status st = REALM_OK;
    if (!texts || !lens || (!scores && has_key(g, "tokenizer.ggml.scores")) ||
        (!types && has_key(g, "tokenizer.ggml.token_type"))) {
        st = realm_error(REALM_ERR_OUT_OF_MEMORY, "tokenizer: out of memory (%d tokens)", (int)n);
        goto done;
    }
    for (int32_t i = 0; i < n && st == REALM_OK; i++)
        if (realm_gguf_get_arr_str(g, KEY_TOKENS, i, &texts[i], &lens[i]) != REALM_OK)
            st = realm_error(REALM_ERR_FORMAT, "tokenizer: " KEY_TOKENS "[%d] unreadable", (int)i);
    if (st == REALM_OK && scores)
        st = read_arr4(g, "tokenizer.ggml.scores", REALM_GGUF_FLOAT32, REALM_GGUF_FLOAT32, n, scores);
    /* llama.cpp reads the types as int32; uint32 has the same bits for 1..6. */
    if (st == REALM_OK && types)
        st = read_arr4(g, "tokenizer.ggml.token_type", REALM_GGUF_INT32, REALM_GGUF_UINT32, n, types);
    if (st == REALM_OK) st = read_id(g, "tokenizer.ggml.bos_token_id", 1, n, &d.bos_id);
    if (st == REALM_OK) st = read_id(g, "tokenizer.ggml.eos_token_id", 2, n, &d.eos_id);
    if (st == REALM_OK) st = read_id(g, "tokenizer.ggml.unknown_token_id", 0, n, &d.unk_id);
    if (st == REALM_OK) st = read_flag(g, "tokenizer.ggml.add_bos_token", &d.add_bos);
    if (st == REALM_OK) st = read_flag(g, "tokenizer.ggml.add_space_prefix", &d.add_space_prefix);
    if (st == REALM_OK) {
        d.tokens = texts;
        d.token_lens = lens;
        d.scores = scores;
        d.token_types = types;
        st = realm_tokenizer_create(&d, out);
    }
done:
    free(texts);
    free(lens);
    free(scores);
    free(types);
    return st;
}
