/* The SPM tokenizer: merges, ties, byte fallback, unknown tokens,
 * user-defined tokens, invalid UTF-8, capacities and misuse on small hand-made
 * vocabs; then the real llama vocab against llama.cpp's ids
 * (../shared/tokenizer, ../shared/models) when that data is present. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "realm/gguf.h"
#include "realm/tokenizer.h"
#include "util.h"

/* ---- hand-made vocab ------------------------------------------------------- */

/* Ids: 0 <unk>, 1 <s>, 2 </s>, then (with bytes) <0x00>..<0xFF> as 3..258,
 * then the pieces below, so piece k has id base + k. */
typedef struct piece_def {
    const char *text;
    float score;
    int32_t type;
} piece_def;

#define SP "\xe2\x96\x81" /* U+2581, the space mark */

static const piece_def pieces[] = {
    {SP, -1.0f, 1},          /* 0 */
    {"a", -2.0f, 1},         /* 1 */
    {"b", -3.0f, 1},         /* 2 */
    {"c", -4.0f, 1},         /* 3 */
    {"ab", -5.0f, 1},        /* 4 */
    {"bc", -0.5f, 1},        /* 5: the best merge */
    {"abc", -6.0f, 1},       /* 6 */
    {SP "a", -0.7f, 1},      /* 7 */
    {SP "abc", -10.0f, 1},   /* 8 */
    {"x", -1.0f, 1},         /* 9 */
    {"xx", -1.0f, 1},        /* 10 */
    {"<|u|>", 0.0f, 4},      /* 11: user-defined */
    {"\xc3\xa9", -50.0f, 5}, /* 12: "é", but unused: still matched by text, prints nothing */
};
#define N_PIECES (int)(sizeof pieces / sizeof pieces[0])

enum { P_SP, P_A, P_B, P_C, P_AB, P_BC, P_ABC, P_SPA, P_SPABC, P_X, P_XX, P_USER, P_EACUTE };

typedef struct vocab_opts {
    bool bytes;        /* include the 256 byte tokens */
    bool unk;          /* unk_id 0 (else -1) */
    bool space_prefix; /* add_space_prefix */
    bool types;        /* pass token_types (else inferred) */
    bool eacute;       /* include piece 12 */
} vocab_opts;

static const vocab_opts STD = {
    .bytes = true, .unk = true, .space_prefix = true, .types = true, .eacute = false};

static int base_of(vocab_opts o) { return 3 + (o.bytes ? 256 : 0); }

static realm_tokenizer *make_vocab(vocab_opts o) {
    static char byte_names[256][8];
    const char *texts[3 + 256 + N_PIECES];
    float scores[3 + 256 + N_PIECES];
    int32_t types[3 + 256 + N_PIECES];
    int n = 0;
    const char *specials[] = {"<unk>", "<s>", "</s>"};
    for (int i = 0; i < 3; i++, n++) {
        texts[n] = specials[i];
        scores[n] = 0;
        types[n] = i == 0 ? 2 : 3;
    }
    for (int b = 0; o.bytes && b < 256; b++, n++) {
        snprintf(byte_names[b], sizeof byte_names[b], "<0x%02X>", b);
        texts[n] = byte_names[b];
        scores[n] = 0;
        types[n] = 6;
    }
    for (int k = 0; k < N_PIECES - (o.eacute ? 0 : 1); k++, n++) {
        texts[n] = pieces[k].text;
        scores[n] = pieces[k].score;
        types[n] = pieces[k].type;
    }
    realm_vocab_desc d = realm_vocab_desc_default();
    d.n_tokens = n;
    d.tokens = texts;
    d.scores = scores;
    d.token_types = o.types ? types : NULL;
    d.unk_id = o.unk ? 0 : -1;
    d.add_space_prefix = o.space_prefix;
    realm_tokenizer *t = NULL;
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_OK, "%s", realm_last_error());
    return t;
}

/* Tokenizes and compares with want[0, n_want). */
static void check_ids(const realm_tokenizer *t, const char *text, size_t len, bool bos, const int32_t *want,
                      int64_t n_want) {
    int32_t got[256];
    int64_t n = -1;
    realm_status s = realm_tokenize(t, text, len, bos, got, 256, &n);
    cr_assert_eq(s, REALM_OK, "'%.*s': %s", (int)len, text, realm_last_error());
    cr_assert_eq(n, n_want, "'%.*s': %lld ids, want %lld", (int)len, text, (long long)n, (long long)n_want);
    for (int64_t i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "'%.*s': ids[%lld] = %d, want %d", (int)len, text, (long long)i, got[i],
                     want[i]);
}

#define CHECK(t, text, bos, ...)                                                                             \
    do {                                                                                                     \
        const int32_t want_[] = {__VA_ARGS__};                                                               \
        check_ids(t, text, strlen(text), bos, want_, (int64_t)(sizeof want_ / sizeof want_[0]));             \
    } while (0)

static void check_empty(const realm_tokenizer *t, const char *text, size_t len) {
    int64_t n = -1;
    cr_assert_eq(realm_tokenize(t, text, len, false, NULL, 0, &n), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(n, 0);
}

Test(tokenizer, merges_best_score_first) {
    realm_tokenizer *t = make_vocab(STD);
    int b = base_of(STD);
    /* "bc" (-0.5) beats "▁a" (-0.7) beats "ab" (-5) although "ab" is further
     * left; then "▁a"+"bc" is the token "▁abc". */
    CHECK(t, "abc", false, b + P_SPABC);
    /* c + ab: no merge across "c" ("▁c", "ca" are no tokens). */
    CHECK(t, "cab", false, b + P_SP, b + P_C, b + P_AB);
    CHECK(t, "bca", false, b + P_SP, b + P_BC, b + P_A);
    /* Spaces become "▁"; "▁b" is no token. */
    CHECK(t, "a b", false, b + P_SPA, b + P_SP, b + P_B);
    CHECK(t, " ", false, b + P_SP, b + P_SP);
    CHECK(t, "abc", true, 1, b + P_SPABC);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, equal_scores_merge_leftmost_first) {
    realm_tokenizer *t = make_vocab(STD);
    int b = base_of(STD);
    CHECK(t, "xxx", false, b + P_SP, b + P_XX, b + P_X);
    CHECK(t, "xxxx", false, b + P_SP, b + P_XX, b + P_XX);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, no_space_prefix) {
    vocab_opts o = STD;
    o.space_prefix = false;
    realm_tokenizer *t = make_vocab(o);
    int b = base_of(o);
    CHECK(t, "abc", false, b + P_ABC); /* bc, then a+bc */
    CHECK(t, " a", false, b + P_SPA);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, empty_text) {
    realm_tokenizer *t = make_vocab(STD);
    check_empty(t, "", 0);
    check_empty(t, NULL, 0);
    CHECK(t, "", true, 1); /* no space prefix for empty text: BOS only */
    realm_tokenizer_destroy(t);
}

Test(tokenizer, byte_fallback) {
    realm_tokenizer *t = make_vocab(STD);
    int b = base_of(STD);
    /* "é" is no token: its two bytes. */
    CHECK(t, "\xc3\xa9", false, b + P_SP, 3 + 0xC3, 3 + 0xA9);
    CHECK(t, "a\n", false, b + P_SPA, 3 + '\n');
    /* Control tokens written in the text are text. */
    CHECK(t, "</s>", false, b + P_SP, 3 + '<', 3 + '/', 3 + 's', 3 + '>');
    realm_tokenizer_destroy(t);
}

Test(tokenizer, unknown_without_byte_tokens) {
    vocab_opts o = STD;
    o.bytes = false;
    realm_tokenizer *t = make_vocab(o);
    int b = base_of(o);
    CHECK(t, "a\xc3\xa9", false, b + P_SPA, 0, 0);
    realm_tokenizer_destroy(t);

    o.unk = false;
    t = make_vocab(o);
    int32_t ids[8];
    int64_t n;
    cr_assert_eq(realm_tokenize(t, "a?", 2, false, ids, 8, &n), REALM_ERR_FORMAT);
    cr_assert(strstr(realm_last_error(), "0x3F") != NULL, "message: %s", realm_last_error());
    CHECK(t, "ab", false, b + P_SPA, b + P_B);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, token_of_any_type_is_matched_by_text) {
    vocab_opts o = STD;
    o.eacute = true;
    realm_tokenizer *t = make_vocab(o);
    int b = base_of(o);
    /* llama.cpp's text_to_token finds unused tokens too. */
    CHECK(t, "\xc3\xa9", false, b + P_SP, b + P_EACUTE);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, user_defined_tokens_split_first) {
    realm_tokenizer *t = make_vocab(STD);
    int b = base_of(STD);
    const int u = b + P_USER;
    /* Text after a user-defined token gets the space prefix again. */
    CHECK(t, "a<|u|>b", false, b + P_SPA, u, b + P_SP, b + P_B);
    CHECK(t, "<|u|>", false, u);
    CHECK(t, "<|u|><|u|>a", true, 1, u, u, b + P_SPA);
    CHECK(t, "<|u|", false, b + P_SP, 3 + '<', 3 + '|', 3 + 'u', 3 + '|');
    realm_tokenizer_destroy(t);
}

Test(tokenizer, invalid_utf8) {
    realm_tokenizer *t = make_vocab(STD);
    int b = base_of(STD);
    /* A lead byte takes as many bytes as it announces, clamped at the end;
     * such a symbol is no token, so it falls back to bytes. */
    CHECK(t, "\xff", false, b + P_SP, 3 + 0xFF);
    CHECK(t, "\xe2\x96", false, b + P_SP, 3 + 0xE2, 3 + 0x96);
    CHECK(t,
          "\x80"
          "a",
          false, b + P_SP, 3 + 0x80, b + P_A);
    CHECK(t,
          "\xc3"
          "a",
          false, b + P_SP, 3 + 0xC3, 3 + 'a');
    const char nul[] = {'a', '\0', 'b'};
    const int32_t want[] = {b + P_SPA, 3 + 0, b + P_B};
    check_ids(t, nul, 3, false, want, 3);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, inferred_types) {
    vocab_opts o = STD;
    o.types = false;
    realm_tokenizer *t = make_vocab(o);
    cr_assert_eq(realm_tokenizer_token_type(t, 0), REALM_TOKEN_UNKNOWN);
    cr_assert_eq(realm_tokenizer_token_type(t, 1), REALM_TOKEN_CONTROL);
    cr_assert_eq(realm_tokenizer_token_type(t, 2), REALM_TOKEN_CONTROL);
    cr_assert_eq(realm_tokenizer_token_type(t, 3 + 0x41), REALM_TOKEN_BYTE);
    cr_assert_eq(realm_tokenizer_token_type(t, base_of(o) + P_SPA), REALM_TOKEN_NORMAL);
    cr_assert_eq(realm_tokenizer_token_type(t, -1), 0);
    cr_assert_eq(realm_tokenizer_token_type(t, 100000), 0);
    char buf[8];
    size_t len;
    cr_assert_eq(realm_token_piece(t, 3 + 0x41, buf, sizeof buf, &len), REALM_OK);
    cr_assert(len == 1 && buf[0] == 'A');
    realm_tokenizer_destroy(t);
}

Test(tokenizer, later_duplicate_wins) {
    const char *texts[] = {"<unk>", "<s>", "</s>", "a", "b", "a"};
    realm_vocab_desc d = realm_vocab_desc_default();
    d.n_tokens = 6;
    d.tokens = texts;
    d.add_space_prefix = false;
    realm_tokenizer *t = NULL;
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_OK);
    CHECK(t, "ab", false, 5, 4);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, token_lens_allow_embedded_bytes) {
    /* Lengths given: texts need no NUL and may contain one. */
    const char raw[] = {'<', 'u', 'n', 'k', '>', 'x', '\0', 'y'};
    const char *texts[] = {raw, raw + 5, raw + 5};
    const size_t lens[] = {5, 2, 1};
    realm_vocab_desc d = realm_vocab_desc_default();
    d.n_tokens = 3;
    d.tokens = texts;
    d.token_lens = lens;
    d.bos_id = d.eos_id = -1;
    d.add_space_prefix = false;
    realm_tokenizer *t = NULL;
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_OK, "%s", realm_last_error());
    const int32_t want[] = {1};
    check_ids(t, raw + 5, 2, false, want, 1); /* "x\0" is token 1 */
    int64_t n;
    cr_assert_eq(realm_tokenize(t, "x", 1, true, NULL, 0, &n), REALM_ERR_STATE); /* no BOS in this vocab */
    cr_assert_eq(realm_tokenizer_bos(t), -1);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, capacity) {
    realm_tokenizer *t = make_vocab(STD);
    int64_t n = -1;
    /* " a b" -> ▁ ▁a ▁ b, plus BOS: 5. */
    cr_assert_eq(realm_tokenize(t, " a b", 4, true, NULL, 0, &n), REALM_ERR_SHAPE);
    cr_assert_eq(n, 5);
    int32_t ids[8];
    for (int i = 0; i < 8; i++)
        ids[i] = -7;
    n = -1;
    cr_assert_eq(realm_tokenize(t, " a b", 4, true, ids, 2, &n), REALM_ERR_SHAPE);
    cr_assert_eq(n, 5);
    for (int i = 2; i < 8; i++)
        cr_assert_eq(ids[i], -7, "ids[%d] written past the capacity", i);
    cr_assert_eq(realm_tokenize(t, " a b", 4, true, ids, 5, &n), REALM_OK);
    cr_assert_eq(n, 5);
    cr_assert_eq(ids[5], -7);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, pieces) {
    realm_tokenizer *t = make_vocab(STD);
    int b = base_of(STD);
    char buf[16];
    size_t len = 99;
    cr_assert_eq(realm_token_piece(t, b + P_SPA, buf, sizeof buf, &len), REALM_OK);
    cr_assert(len == 2 && memcmp(buf, " a", 2) == 0);
    cr_assert_eq(realm_token_piece(t, 3 + '\n', buf, sizeof buf, &len), REALM_OK);
    cr_assert(len == 1 && buf[0] == '\n');
    cr_assert_eq(realm_token_piece(t, b + P_USER, buf, sizeof buf, &len), REALM_OK);
    cr_assert(len == 5 && memcmp(buf, "<|u|>", 5) == 0);
    for (int32_t id = 0; id < 3; id++) { /* unk, bos, eos print nothing */
        cr_assert_eq(realm_token_piece(t, id, buf, sizeof buf, &len), REALM_OK);
        cr_assert_eq(len, 0);
    }
    cr_assert_eq(realm_token_piece(t, b + P_SPABC, buf, 2, &len), REALM_ERR_SHAPE);
    cr_assert_eq(len, 4);
    cr_assert_eq(realm_token_piece(t, b + P_SPABC, NULL, 0, &len), REALM_ERR_SHAPE);
    cr_assert_eq(realm_token_piece(t, -1, buf, sizeof buf, &len), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_token_piece(t, realm_tokenizer_n_vocab(t), buf, sizeof buf, &len),
                 REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_token_piece(t, 0, buf, sizeof buf, NULL), REALM_ERR_INVALID_ARG);
    realm_tokenizer_destroy(t);
}

static void check_text(const realm_tokenizer *t, const int32_t *ids, int64_t n, const char *want) {
    char buf[256];
    size_t len = 0;
    cr_assert_eq(realm_detokenize(t, ids, n, buf, sizeof buf, &len), REALM_OK, "%s", realm_last_error());
    cr_assert(len == strlen(want) && memcmp(buf, want, len) == 0, "got '%.*s', want '%s'", (int)len, buf,
              want);
}

Test(tokenizer, detokenize_drops_the_prefix_space) {
    realm_tokenizer *t = make_vocab(STD);
    int b = base_of(STD);
    const int32_t plain[] = {b + P_SPA, b + P_SP, b + P_B};
    const int32_t with_bos[] = {1, b + P_SPA, b + P_SP, b + P_B, 2};
    check_text(t, plain, 3, "a b");
    check_text(t, with_bos, 5, "a b");
    check_text(t, plain + 1, 2, "b"); /* the first piece's space goes, whatever it is */
    check_text(t, with_bos, 0, "");
    char buf[4];
    size_t len;
    cr_assert_eq(realm_detokenize(t, with_bos, 5, buf, 2, &len), REALM_ERR_SHAPE);
    cr_assert_eq(len, 3);
    const int32_t bad[] = {b + P_SPA, -3};
    cr_assert_eq(realm_detokenize(t, bad, 2, buf, sizeof buf, &len), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_detokenize(t, bad, -1, buf, sizeof buf, &len), REALM_ERR_INVALID_ARG);
    realm_tokenizer_destroy(t);

    vocab_opts o = STD;
    o.space_prefix = false;
    t = make_vocab(o);
    check_text(t, plain, 3, " a b");
    realm_tokenizer_destroy(t);
}

/* Random texts: ids always in range; texts without the bytes that can
 * break a "▁" apart (0x20 after a lead byte, a literal U+2581) and without
 * user-defined tokens (the text after one gets a space) come back exactly
 * from detokenize. */
Test(tokenizer, random_bytes_round_trip) {
    realm_tokenizer *t = make_vocab(STD);
    tu_rng rng = {42};
    static const char *const alphabet[] = {"a", "b", "c", "x", " ", "\xc3\xa9", "\n", "ab"};
    char text[128], back[512];
    int32_t ids[512];
    for (int iter = 0; iter < 3000; iter++) {
        bool raw = iter % 2 == 1;
        size_t len = 0;
        size_t want = (size_t)(tu_next(&rng) % 40);
        while (len < want) {
            if (raw) {
                text[len++] = (char)(tu_next(&rng) & 0xff);
            } else {
                const char *p = alphabet[tu_next(&rng) % 8];
                memcpy(text + len, p, strlen(p));
                len += strlen(p);
            }
        }
        int64_t n = 0;
        cr_assert_eq(realm_tokenize(t, text, len, iter % 3 == 0, ids, 512, &n), REALM_OK, "%s",
                     realm_last_error());
        for (int64_t i = 0; i < n; i++)
            cr_assert(ids[i] >= 0 && ids[i] < realm_tokenizer_n_vocab(t));
        bool exact = !raw || (!memchr(text, ' ', len) && !memchr(text, 0xE2, len));
        size_t back_len = 0;
        cr_assert_eq(realm_detokenize(t, ids, n, back, sizeof back, &back_len), REALM_OK);
        if (exact)
            cr_assert(back_len == len && memcmp(back, text, len) == 0, "round trip of '%.*s' gave '%.*s'",
                      (int)len, text, (int)back_len, back);
    }
    realm_tokenizer_destroy(t);
}

/* A long text: the merge queue grows many times over. */
Test(tokenizer, long_text_round_trip) {
    realm_tokenizer *t = make_vocab(STD);
    tu_rng rng = {7};
    static const char *const alphabet[] = {"a", "b", "c", "x", " ", "\xc3\xa9", "\n", "ab"};
    enum { LEN = 200000 };
    char *text = malloc(LEN + 8), *back = malloc(LEN + 8);
    int32_t *ids = malloc(sizeof *ids * (LEN + 8));
    cr_assert(text && back && ids);
    size_t len = 0;
    while (len < LEN) {
        const char *p = alphabet[tu_next(&rng) % 8];
        memcpy(text + len, p, strlen(p));
        len += strlen(p);
    }
    int64_t n = 0;
    cr_assert_eq(realm_tokenize(t, text, len, true, ids, LEN + 8, &n), REALM_OK, "%s", realm_last_error());
    cr_assert(n > (int64_t)len / 4 && n <= (int64_t)len + 1);
    size_t back_len = 0;
    cr_assert_eq(realm_detokenize(t, ids, n, back, LEN + 8, &back_len), REALM_OK);
    cr_assert(back_len == len && memcmp(back, text, len) == 0);
    free(text);
    free(back);
    free(ids);
    realm_tokenizer_destroy(t);
}

Test(tokenizer, misuse) {
    realm_tokenizer *t = NULL;
    realm_vocab_desc d = realm_vocab_desc_default();
    cr_assert_eq(realm_tokenizer_create(NULL, &t), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_ERR_INVALID_ARG); /* no tokens */
    cr_assert_neq(realm_last_error()[0], '\0');
    const char *texts[] = {"<unk>", "<s>", NULL};
    d.n_tokens = 3;
    d.tokens = texts;
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_ERR_INVALID_ARG); /* NULL text */
    texts[2] = "</s>";
    d.bos_id = 3;
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_ERR_INVALID_ARG); /* bos out of range */
    d.bos_id = 1;
    cr_assert_eq(realm_tokenizer_create(&d, NULL), REALM_ERR_INVALID_ARG);
    cr_assert_null(t);
    cr_assert_eq(realm_tokenizer_create(&d, &t), REALM_OK);

    int32_t ids[4];
    int64_t n;
    cr_assert_eq(realm_tokenize(NULL, "a", 1, false, ids, 4, &n), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_tokenize(t, NULL, 1, false, ids, 4, &n), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_tokenize(t, "a", 1, false, NULL, 4, &n), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_tokenize(t, "a", 1, false, ids, -1, &n), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_tokenize(t, "a", 1, false, ids, 4, NULL), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_tokenizer_n_vocab(NULL), 0);
    cr_assert_eq(realm_tokenizer_bos(NULL), -1);
    cr_assert_eq(realm_tokenizer_eos(t), 2);
    cr_assert(realm_tokenizer_add_bos(t));
    realm_tokenizer_destroy(t);
    realm_tokenizer_destroy(NULL);
}

/* ---- the real llama vocab (../shared) ------------------------------------- */

static realm_tokenizer *load_shared(const char *rel) {
    char path[1024];
    if (!tu_shared_path(rel, path, sizeof path))
        cr_skip_test("../shared is absent: no reference vocab to test");
    realm_gguf *g = NULL;
    cr_assert_eq(realm_gguf_open(path, &g), REALM_OK, "%s: %s", path, realm_last_error());
    realm_tokenizer *t = NULL;
    cr_assert_eq(realm_tokenizer_from_gguf(g, &t), REALM_OK, "%s: %s", path, realm_last_error());
    realm_gguf_close(g); /* the tokenizer keeps copies */
    return t;
}

/* A whole file with a NUL after its bytes; NULL when unreadable. */
static char *read_text(const char *path, size_t *len) {
    char *raw = tu_read_file(path, len);
    char *s = raw ? malloc(*len + 1) : NULL;
    if (s) {
        memcpy(s, raw, *len);
        s[*len] = '\0';
    }
    free(raw);
    return s;
}

/* ids in text form as the .out file and the tool write them: " 1 2 3". */
static void format_ids(const int32_t *ids, int64_t n, char *buf, size_t size) {
    size_t k = 0;
    buf[0] = '\0';
    for (int64_t i = 0; i < n && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, " %d", ids[i]);
}

Test(tokenizer_llama, llama_cpp_test_vectors) {
    realm_tokenizer *t = load_shared("models/tiny-q8_0.gguf");
    cr_assert_eq(realm_tokenizer_n_vocab(t), 32000);
    char path[1024];
    size_t inp_len = 0, out_len = 0;
    char *inp = read_text(tu_shared_path("tokenizer/llama-spm.inp", path, sizeof path), &inp_len);
    char *out = read_text(tu_shared_path("tokenizer/llama-spm.out", path, sizeof path), &out_len);
    cr_assert(inp && out, "cannot read ../shared/tokenizer/llama-spm.{inp,out}");

    /* As llama.cpp's test-tokenizer-0: the texts are the file split on this
     * separator; the file ends with one, after which nothing is a text. */
    static const char sep[] = "\n__ggml_vocab_test__\n";
    const char *p = inp, *end = inp + inp_len, *line = out;
    int n_texts = 0;
    static int32_t ids[8192];
    static char got[65536], back[65536];
    while (p < end) {
        const char *q = strstr(p, sep);
        size_t len = q ? (size_t)(q - p) : (size_t)(end - p);
        const char *eol = strchr(line, '\n');
        cr_assert_not_null(eol, "llama-spm.out has fewer lines than texts (%d)", n_texts + 1);
        int64_t n = 0;
        cr_assert_eq(realm_tokenize(t, p, len, false, ids, 8192, &n), REALM_OK, "%s", realm_last_error());
        format_ids(ids, n, got, sizeof got);
        size_t want_len = (size_t)(eol - line);
        cr_assert(strlen(got) == want_len && memcmp(got, line, want_len) == 0,
                  "text %d '%.*s':\n got:%s\nwant:%.*s", n_texts, (int)len, p, got, (int)want_len, line);
        size_t back_len = 0;
        cr_assert_eq(realm_detokenize(t, ids, n, back, sizeof back, &back_len), REALM_OK);
        cr_assert(back_len == len && memcmp(back, p, len) == 0, "text %d does not come back from detokenize",
                  n_texts);
        n_texts++;
        line = eol + 1;
        p = q ? q + strlen(sep) : end;
    }
    cr_assert_eq(*line, '\0', "llama-spm.out has more lines than the %d texts", n_texts);
    cr_assert_eq(n_texts, 46);
    free(inp);
    free(out);
    realm_tokenizer_destroy(t);
}

/* Every reference model's prompt gives its listed prompt_tokens (BOS first). */
Test(tokenizer_llama, model_prompts) {
    static const char *const models[] = {"stories260K-f32", "tiny-q2_K", "tiny-q4_0",
                                         "tiny-q4_K_M",     "tiny-q6_K", "tiny-q8_0"};
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        char rel[256], path[1024];
        snprintf(rel, sizeof rel, "models/%s.gguf", models[m]);
        realm_tokenizer *t = load_shared(rel);
        snprintf(rel, sizeof rel, "models/%s.expected.txt", models[m]);
        size_t size = 0;
        char *exp = read_text(tu_shared_path(rel, path, sizeof path), &size);
        cr_assert_not_null(exp, "cannot read %s", path);
        char *prompt = strstr(exp, "prompt: "), *want = strstr(exp, "prompt_tokens:");
        cr_assert(prompt && want, "%s: no prompt or prompt_tokens line", path);
        prompt += strlen("prompt: ");
        want += strlen("prompt_tokens:");
        *strchr(prompt, '\n') = '\0';
        *strchr(want, '\n') = '\0';
        int32_t ids[256];
        int64_t n = 0;
        cr_assert(realm_tokenizer_add_bos(t));
        cr_assert_eq(realm_tokenize(t, prompt, strlen(prompt), true, ids, 256, &n), REALM_OK);
        char got[2048];
        format_ids(ids, n, got, sizeof got);
        cr_assert_str_eq(got, want, "%s: '%s'", models[m], prompt);
        free(exp);
        realm_tokenizer_destroy(t);
    }
}

/* ---- from GGUF metadata ---------------------------------------------------- */

typedef struct gguf_vocab {
    const char *model;   /* tokenizer.ggml.model, NULL: absent */
    int64_t n_scores;    /* -1: absent */
    int64_t bos;         /* -1: absent */
    int space_prefix;    /* -1: absent, else the bool */
    bool tokens_as_ints; /* tokenizer.ggml.tokens of the wrong type */
} gguf_vocab;

/* Writes a 6-token vocab (<unk> <s> </s> ▁ a ▁a) as GGUF metadata, opens it
 * and returns realm_tokenizer_from_gguf's status. */
static realm_status from_gguf(gguf_vocab v, realm_tokenizer **t) {
    static const char *const tokens[] = {"<unk>", "<s>", "</s>", SP, "a", "\xe2\x96\x81\x61" /* "▁a" */};
    const float scores[] = {0, 0, 0, -1, -2, -0.5f, 9};
    const int32_t types[] = {2, 3, 3, 1, 1, 1};
    char path[256];
    int fd = tu_mkstemp(path, sizeof path, "realm-tok-gguf-");
    cr_assert(fd >= 0);
    close(fd);
    realm_gguf_writer *w = NULL;
    cr_assert_eq(realm_gguf_writer_create(&w), REALM_OK);
    if (v.model) cr_assert_eq(realm_gguf_writer_set_str(w, "tokenizer.ggml.model", v.model), REALM_OK);
    if (v.tokens_as_ints)
        cr_assert_eq(realm_gguf_writer_set_arr(w, "tokenizer.ggml.tokens", REALM_GGUF_INT32, types, 6),
                     REALM_OK);
    else
        cr_assert_eq(realm_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", tokens, 6), REALM_OK);
    if (v.n_scores >= 0)
        cr_assert_eq(
            realm_gguf_writer_set_arr(w, "tokenizer.ggml.scores", REALM_GGUF_FLOAT32, scores, v.n_scores),
            REALM_OK);
    cr_assert_eq(realm_gguf_writer_set_arr(w, "tokenizer.ggml.token_type", REALM_GGUF_INT32, types, 6),
                 REALM_OK);
    if (v.bos >= 0)
        cr_assert_eq(realm_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)v.bos), REALM_OK);
    if (v.space_prefix >= 0)
        cr_assert_eq(realm_gguf_writer_set_bool(w, "tokenizer.ggml.add_space_prefix", v.space_prefix != 0),
                     REALM_OK);
    cr_assert_eq(realm_gguf_writer_write(w, path), REALM_OK, "%s", realm_last_error());
    realm_gguf_writer_destroy(w);
    realm_gguf *g = NULL;
    cr_assert_eq(realm_gguf_open(path, &g), REALM_OK, "%s", realm_last_error());
    realm_status s = realm_tokenizer_from_gguf(g, t);
    realm_gguf_close(g);
    remove(path);
    return s;
}

Test(tokenizer, from_gguf) {
    const gguf_vocab ok = {.model = "llama", .n_scores = 6, .bos = -1, .space_prefix = -1};
    realm_tokenizer *t = NULL;
    cr_assert_eq(from_gguf(ok, &t), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(realm_tokenizer_n_vocab(t), 6);
    cr_assert_eq(realm_tokenizer_bos(t), 1); /* llama's defaults */
    cr_assert_eq(realm_tokenizer_eos(t), 2);
    cr_assert(realm_tokenizer_add_bos(t));
    CHECK(t, "a a", true, 1, 5, 5);
    realm_tokenizer_destroy(t);

    gguf_vocab v = ok;
    v.space_prefix = 0;
    v.n_scores = -1; /* all scores 0: still merges what is in the vocab */
    cr_assert_eq(from_gguf(v, &t), REALM_OK, "%s", realm_last_error());
    CHECK(t, "a a", false, 4, 5);
    realm_tokenizer_destroy(t);

    t = NULL;
    v = ok;
    v.model = "gpt2";
    cr_assert_eq(from_gguf(v, &t), REALM_ERR_UNSUPPORTED);
    cr_assert_null(t);
    v.model = NULL;
    cr_assert_eq(from_gguf(v, &t), REALM_ERR_FORMAT);
    v = ok;
    v.n_scores = 7;
    cr_assert_eq(from_gguf(v, &t), REALM_ERR_FORMAT);
    cr_assert(strstr(realm_last_error(), "tokenizer.ggml.scores") != NULL, "%s", realm_last_error());
    v = ok;
    v.bos = 6;
    cr_assert_eq(from_gguf(v, &t), REALM_ERR_FORMAT);
    v = ok;
    v.tokens_as_ints = true;
    cr_assert_eq(from_gguf(v, &t), REALM_ERR_FORMAT);
    cr_assert_null(t);
    cr_assert_eq(realm_tokenizer_from_gguf(NULL, &t), REALM_ERR_INVALID_ARG);
}
