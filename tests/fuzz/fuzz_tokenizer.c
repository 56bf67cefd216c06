/* libFuzzer target: tokenize arbitrary text, detokenize it, tokenize again.
 *
 * The tokenizer is built once: from ../shared/models/tiny-q8_0.gguf when it
 * is there (REALM_FUZZ_VOCAB=<gguf> picks another), else from a small
 * built-in vocab (byte tokens, a few merges, a user-defined token). Input
 * byte 0 picks add_bos and the output capacity (a too-small one must give
 * REALM_ERR_SHAPE and the needed count); the rest is the text. Checks:
 * no crash or sanitizer report; every id in range; measuring with cap 0
 * gives the same count; detokenizing gives the text back when the text is
 * valid UTF-8 without "\xe2\x96\x81" (U+2581, read as a space), up to the
 * space added after a user-defined token that raw text follows, and (when
 * none was added) tokenizing that again gives the same ids. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realm/gguf.h"
#include "realm/tokenizer.h"

#ifndef REALM_SHARED_DIR
#define REALM_SHARED_DIR "../shared"
#endif

static void check(bool ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "fuzz_tokenizer: %s\n", what);
        abort();
    }
}

static realm_tokenizer *builtin(void) {
    static const char *const merges[] = {"\xe2\x96\x81",
                                         "\xe2\x96\x81h",
                                         "\xe2\x96\x81he",
                                         "ll",
                                         "llo",
                                         "\xe2\x96\x81hello",
                                         "or",
                                         "ld",
                                         "\xe2\x96\x81world",
                                         "e",
                                         "h",
                                         "l",
                                         "o",
                                         "w",
                                         "r",
                                         "d",
                                         "<tag>"};
    enum { N_MERGES = sizeof merges / sizeof *merges, N = 3 + 256 + N_MERGES };
    static char bytes[256][8];
    const char *tokens[N];
    float scores[N];
    int32_t types[N];
    tokens[0] = "<unk>", tokens[1] = "<s>", tokens[2] = "</s>";
    types[0] = REALM_TOKEN_UNKNOWN, types[1] = types[2] = REALM_TOKEN_CONTROL;
    for (int i = 0; i < 256; i++) {
        snprintf(bytes[i], sizeof bytes[i], "<0x%02X>", i);
        tokens[3 + i] = bytes[i];
        types[3 + i] = REALM_TOKEN_BYTE;
    }
    for (int i = 0; i < N_MERGES; i++) {
        tokens[259 + i] = merges[i];
        types[259 + i] = i == N_MERGES - 1 ? REALM_TOKEN_USER_DEFINED : REALM_TOKEN_NORMAL;
    }
    for (int i = 0; i < N; i++)
        scores[i] = -(float)i;
    realm_vocab_desc d = realm_vocab_desc_default();
    d.n_tokens = N;
    d.tokens = tokens;
    d.scores = scores;
    d.token_types = types;
    realm_tokenizer *t = NULL;
    check(realm_tokenizer_create(&d, &t) == REALM_OK, realm_last_error());
    return t;
}

/* Whether the vocab puts a space in front of raw text: the first piece of
 * "a" then starts with ' '. */
static bool space_prefix(const realm_tokenizer *t) {
    int32_t ids[8];
    int64_t n = 0;
    char piece[64];
    size_t len = 0;
    return realm_tokenize(t, "a", 1, false, ids, 8, &n) == REALM_OK && n > 0 &&
           realm_token_piece(t, ids[0], piece, sizeof piece, &len) == REALM_OK && len > 0 && piece[0] == ' ';
}

static bool add_space_prefix;

static realm_tokenizer *tokenizer(void) {
    static realm_tokenizer *tok;
    if (tok) return tok;
    const char *path = getenv("REALM_FUZZ_VOCAB");
    char buf[4096];
    if (!path) {
        snprintf(buf, sizeof buf, "%s/models/tiny-q8_0.gguf", REALM_SHARED_DIR);
        path = buf;
    }
    realm_gguf *g = NULL;
    if (realm_gguf_open(path, &g) == REALM_OK) {
        if (realm_tokenizer_from_gguf(g, &tok) != REALM_OK) tok = NULL;
        realm_gguf_close(g);
    }
    const bool from_file = tok != NULL;
    if (!tok) tok = builtin();
    add_space_prefix = space_prefix(tok);
    fprintf(stderr, "fuzz_tokenizer: %d-token vocab (%s)\n", realm_tokenizer_n_vocab(tok),
            from_file ? path : "built in");
    return tok;
}

/* Whether s[0..n) is valid UTF-8 without NUL bytes and without U+2581
 * ("▁", which the tokenizer reads as a space). */
static bool plain_utf8(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n;) {
        const uint8_t c = s[i];
        size_t k;
        uint32_t cp;
        if (c == 0 || (c == 0xe2 && i + 2 < n && s[i + 1] == 0x96 && s[i + 2] == 0x81)) return false;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + k >= n) return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) return false;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

/* Raw text after a user-defined token gets the space prefix again (llama.cpp's
 * is_prev_special; tests/test_tokenizer.c user_defined_tokens_split_first), so
 * the detokenized text has a ' ' there that the input did not: remove those
 * from out[0..*got) and return how many. */
static size_t drop_added_spaces(const realm_tokenizer *t, const int32_t *ids, int64_t n, char *out,
                                size_t *got) {
    size_t removed = 0;
    for (int64_t i = 0; i + 1 < n; i++) {
        if (realm_tokenizer_token_type(t, ids[i]) != REALM_TOKEN_USER_DEFINED ||
            realm_tokenizer_token_type(t, ids[i + 1]) == REALM_TOKEN_USER_DEFINED)
            continue;
        size_t off = 0; /* where ids[i + 1]'s piece starts in the detokenized text */
        const realm_status st = realm_detokenize(t, ids, i + 1, NULL, 0, &off);
        check(st == REALM_OK || st == REALM_ERR_SHAPE, "detokenize measure failed");
        off -= removed;
        if (off < *got && out[off] == ' ') {
            memmove(out + off, out + off + 1, *got - off - 1);
            (*got)--;
            removed++;
        }
    }
    return removed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const realm_tokenizer *t = tokenizer();
    const bool add_bos = data[0] & 1;
    const int64_t small_cap = data[0] >> 1;
    const char *text = (const char *)data + 1;
    const size_t len = size - 1;
    const int32_t n_vocab = realm_tokenizer_n_vocab(t);

    int64_t need = -1;
    realm_status st = realm_tokenize(t, text, len, add_bos, NULL, 0, &need);
    if (st != REALM_OK && st != REALM_ERR_SHAPE) {
        check(realm_last_error()[0] != '\0', "an error without a message");
        return 0;
    }
    check(need >= 0 && (st == REALM_OK) == (need == 0), "measuring with cap 0");
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)(need + 1));
    check(ids != NULL, "out of memory");
    int64_t n = -1;
    st = realm_tokenize(t, text, len, add_bos, ids, small_cap, &n);
    check(n == need, "the count differs between calls");
    check(st == (small_cap >= need ? REALM_OK : REALM_ERR_SHAPE), "wrong status for the capacity");
    check(realm_tokenize(t, text, len, add_bos, ids, need, &n) == REALM_OK && n == need,
          "full tokenize failed");
    for (int64_t i = 0; i < n; i++)
        check(ids[i] >= 0 && ids[i] < n_vocab, "id out of range");

    size_t out_len = 0;
    st = realm_detokenize(t, ids, n, NULL, 0, &out_len);
    check(st == REALM_OK || st == REALM_ERR_SHAPE, "detokenize measure failed");
    char *out = malloc(out_len + 1);
    check(out != NULL, "out of memory");
    size_t got = 0;
    check(realm_detokenize(t, ids, n, out, out_len, &got) == REALM_OK && got == out_len, "detokenize failed");
    if (plain_utf8(data + 1, len)) {
        /* Tokens stand for the exact bytes: the text comes back (but for
         * the spaces the tokenizer adds after user-defined tokens), and
         * tokenizing it again is stable. */
        const size_t added = add_space_prefix ? drop_added_spaces(t, ids, n, out, &got) : 0;
        check(got == len && memcmp(out, text, len) == 0, "detokenize does not give the text back");
        if (added > 0) { /* re-tokenizing would add them again */
            free(out);
            free(ids);
            return 0;
        }
        int64_t n2 = 0;
        int32_t *ids2 = malloc(sizeof(int32_t) * (size_t)(need + 1));
        check(ids2 != NULL, "out of memory");
        check(realm_tokenize(t, out, got, add_bos, ids2, need, &n2) == REALM_OK && n2 == n &&
                  memcmp(ids, ids2, sizeof(int32_t) * (size_t)n) == 0,
              "tokenize(detokenize(ids)) != ids");
        free(ids2);
    }
    free(out);
    free(ids);
    return 0;
}
