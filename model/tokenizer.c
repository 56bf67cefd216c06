/* llama SentencePiece tokenizer, step for step what llama.cpp's
 * llm_tokenizer_spm does (src/llama-vocab.cpp), so ids match it exactly:
 * split on user-defined tokens, space prefix, ' ' -> U+2581, UTF-8 symbols,
 * best-scoring bigram merges, byte fallback. */
#include "realm/tokenizer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

struct realm_tokenizer {
    int32_t n;      /* vocab size */
    char *blob;     /* all token texts back to back */
    size_t *off;    /* (n) start of each text in blob */
    size_t *len;    /* (n) byte length of each text */
    float *score;   /* (n) merge score; NaN replaced by -inf */
    uint8_t *type;  /* (n) realm_token_type */
    int32_t *table; /* (mask + 1) open-addressing slots: token id or -1 */
    size_t mask;    /* table size - 1 (a power of two minus one) */
    int32_t *user;  /* (n_user) user-defined ids, longest text first */
    int32_t n_user; /* count of user-defined tokens with non-empty text */
    int32_t bos, eos, unk;
    bool add_bos, add_space_prefix;
    int32_t byte_id[256]; /* fallback token of each byte, -1 when none */
};

/* "▁" (U+2581), SentencePiece's stand-in for a space. */
static const char k_space_mark[3] = {'\xe2', '\x96', '\x81'};

realm_vocab_desc realm_vocab_desc_default(void) {
    realm_vocab_desc d;
    memset(&d, 0, sizeof d);
    d.bos_id = 1;
    d.eos_id = 2;
    d.unk_id = 0;
    d.add_bos = true;
    d.add_space_prefix = true;
    return d;
}

/* ---- text -> id hash table ------------------------------------------------ */

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 0x100000001b3ull;
    }
    return h ^ (h >> 29); /* the low bits pick the slot: fold the high ones in */
}

static int32_t lookup(const realm_tokenizer *t, const char *s, size_t n) {
    for (size_t i = (size_t)hash_bytes(s, n) & t->mask;; i = (i + 1) & t->mask) {
        int32_t id = t->table[i];
        if (id < 0) return -1;
        if (t->len[id] == n && memcmp(t->blob + t->off[id], s, n) == 0) return id;
    }
}

/* Later ids replace earlier ones with the same text, like llama.cpp's
 * token_to_id map filled in id order. */
static void table_insert(realm_tokenizer *t, int32_t id) {
    const char *s = t->blob + t->off[id];
    size_t n = t->len[id];
    for (size_t i = (size_t)hash_bytes(s, n) & t->mask;; i = (i + 1) & t->mask) {
        int32_t cur = t->table[i];
        if (cur < 0 || (t->len[cur] == n && memcmp(t->blob + t->off[cur], s, n) == 0)) {
            t->table[i] = id;
            return;
        }
    }
}

/* ---- creation ---------------------------------------------------------------- */

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* "<0xAB>" -> 0xAB; -1 for any other text. */
static int parse_byte_token(const char *s, size_t n) {
    if (n != 6 || s[0] != '<' || s[1] != '0' || s[2] != 'x' || s[5] != '>') return -1;
    int hi = hex_digit(s[3]), lo = hex_digit(s[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

/* Longest text first (llama.cpp's order for splitting), then by id. */
static bool user_after(const realm_tokenizer *t, int32_t x, int32_t y) {
    size_t lx = t->len[x], ly = t->len[y];
    if (lx != ly) return lx < ly;
    return x > y;
}

/* Insertion sort: qsort has no context argument in C11, and user-defined
 * tokens are few. */
static void sort_user(realm_tokenizer *t) {
    for (int32_t i = 1; i < t->n_user; i++) {
        int32_t v = t->user[i], j = i;
        while (j > 0 && user_after(t, t->user[j - 1], v)) {
            t->user[j] = t->user[j - 1];
            j--;
        }
        t->user[j] = v;
    }
}

static void fill_byte_ids(realm_tokenizer *t) {
    static const char hex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; b++) {
        /* As llama.cpp's byte_to_token: "<0xAB>", else the byte as a text;
         * where llama.cpp would throw we fall back to the unknown token. */
        char name[6] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>'};
        char one = (char)b;
        int32_t id = lookup(t, name, sizeof name);
        if (id < 0) id = lookup(t, &one, 1);
        if (id < 0) id = t->unk;
        t->byte_id[b] = id;
    }
}

void realm_tokenizer_destroy(realm_tokenizer *t) {
    if (!t) return;
    free(t->blob);
    free(t->off);
    free(t->len);
    free(t->score);
    free(t->type);
    free(t->table);
    free(t->user);
    free(t);
}

static bool special_ok(int32_t id, int32_t n) { return id >= -1 && id < n; }

realm_status realm_tokenizer_create(const realm_vocab_desc *desc, realm_tokenizer **out) {
    if (!desc || !out) return realm_error(REALM_ERR_INVALID_ARG, "realm_tokenizer_create: NULL argument");
    const int32_t n = desc->n_tokens;
    if (n < 1 || !desc->tokens)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "realm_tokenizer_create: need n_tokens >= 1 and tokens (got %d)", (int)n);
    if (!special_ok(desc->bos_id, n) || !special_ok(desc->eos_id, n) || !special_ok(desc->unk_id, n))
        return realm_error(REALM_ERR_INVALID_ARG,
                           "realm_tokenizer_create: bos %d, eos %d or unk %d outside [-1, %d)",
                           (int)desc->bos_id, (int)desc->eos_id, (int)desc->unk_id, (int)n);
    size_t total = 0;
    for (int32_t i = 0; i < n; i++) {
        if (!desc->tokens[i])
            return realm_error(REALM_ERR_INVALID_ARG, "realm_tokenizer_create: token %d has NULL text",
                               (int)i);
        size_t l = desc->token_lens ? desc->token_lens[i] : strlen(desc->tokens[i]);
        if (l > UINT32_MAX) /* merge sizes are queued as 32 bits */
            return realm_error(REALM_ERR_INVALID_ARG, "realm_tokenizer_create: token %d is %zu bytes long",
                               (int)i, l);
        if (l > SIZE_MAX / 2 - total)
            return realm_error(REALM_ERR_OVERFLOW, "realm_tokenizer_create: token texts too long");
        total += l;
    }
    /* Table at most half full keeps probe chains short. */
    size_t slots = 2;
    while (slots < 2 * (size_t)n)
        slots *= 2;

    realm_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_tokenizer_create: out of memory");
    t->n = n;
    t->blob = malloc(total ? total : 1);
    t->off = malloc((size_t)n * sizeof *t->off);
    t->len = malloc((size_t)n * sizeof *t->len);
    t->score = malloc((size_t)n * sizeof *t->score);
    t->type = malloc((size_t)n);
    t->table = malloc(slots * sizeof *t->table);
    t->user = malloc((size_t)n * sizeof *t->user);
    if (!t->blob || !t->off || !t->len || !t->score || !t->type || !t->table || !t->user) {
        realm_tokenizer_destroy(t);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_tokenizer_create: out of memory (%d tokens)",
                           (int)n);
    }
    t->mask = slots - 1;
    t->bos = desc->bos_id;
    t->eos = desc->eos_id;
    t->unk = desc->unk_id;
    t->add_bos = desc->add_bos;
    t->add_space_prefix = desc->add_space_prefix;

    size_t pos = 0;
    for (int32_t i = 0; i < n; i++) {
        size_t l = desc->token_lens ? desc->token_lens[i] : strlen(desc->tokens[i]);
        if (l) memcpy(t->blob + pos, desc->tokens[i], l);
        t->off[i] = pos;
        t->len[i] = l;
        pos += l;
        float s = desc->scores ? desc->scores[i] : 0.0f;
        t->score[i] = isnan(s) ? -INFINITY : s; /* NaN would break the heap's order */
        int32_t ty;
        if (desc->token_types) {
            ty = desc->token_types[i];
        } else if (i == t->bos || i == t->eos) {
            ty = REALM_TOKEN_CONTROL;
        } else if (i == t->unk) {
            ty = REALM_TOKEN_UNKNOWN;
        } else {
            ty = parse_byte_token(t->blob + t->off[i], l) >= 0 ? REALM_TOKEN_BYTE : REALM_TOKEN_NORMAL;
        }
        t->type[i] = ty >= 0 && ty <= 255 ? (uint8_t)ty : 0; /* 0: undefined, printed as nothing */
        if (t->type[i] == REALM_TOKEN_USER_DEFINED && l > 0) t->user[t->n_user++] = i;
    }
    memset(t->table, 0xff, slots * sizeof *t->table); /* all -1 */
    for (int32_t i = 0; i < n; i++)
        table_insert(t, i);
    sort_user(t);
    fill_byte_ids(t);
    *out = t;
    return REALM_OK;
}

int32_t realm_tokenizer_n_vocab(const realm_tokenizer *t) { return t ? t->n : 0; }
int32_t realm_tokenizer_bos(const realm_tokenizer *t) { return t ? t->bos : -1; }
int32_t realm_tokenizer_eos(const realm_tokenizer *t) { return t ? t->eos : -1; }
bool realm_tokenizer_add_bos(const realm_tokenizer *t) { return t && t->add_bos; }

int32_t realm_tokenizer_token_type(const realm_tokenizer *t, int32_t id) {
    return t && id >= 0 && id < t->n ? t->type[id] : 0;
}

/* ---- tokenize ---------------------------------------------------------------- */

/* Ids are counted always and stored while they fit. */
typedef struct emitter {
    int32_t *ids;
    int64_t cap, n;
} emitter;

static void emit(emitter *e, int32_t id) {
    if (e->n < e->cap) e->ids[e->n] = id;
    e->n++;
}

/* A piece of the text between user-defined tokens (id < 0), or one of them. */
typedef struct fragment {
    size_t off, len;
    int32_t id;
} fragment;

typedef struct symbol {
    size_t off, n;      /* bytes of the processed text; n == 0 once merged away */
    int64_t prev, next; /* neighbours in the list, -1 at the ends */
} symbol;

/* A queued merge of symbol left with its right neighbour. 16 bytes: the
 * queue is the hot data. The right symbol is not stored: while an entry is
 * current it is left's next (left's next changes only by absorbing it). */
typedef struct bigram {
    float score;
    uint32_t size; /* merged length when queued: stale entries no longer add up */
    int64_t left;
} bigram;

/* Scratch of one tokenize call. */
typedef struct spm_work {
    char *text; /* processed text: space prefix, ' ' as U+2581 */
    symbol *sym;
    bigram *heap; /* grows on demand: most pairs are no token */
    int64_t n_heap, heap_cap;
} spm_work;

/* Heap order: higher score first, then the leftmost pair (llama.cpp's
 * comparator). */
static bool before(const bigram *a, const bigram *b) {
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

/* A 4-ary heap: half the levels of a binary one, and the four children of a
 * node are 64 contiguous bytes, so a sift touches far fewer cache lines. */
static bool heap_push(spm_work *w, bigram b) {
    if (w->n_heap == w->heap_cap) {
        int64_t cap = w->heap_cap ? 2 * w->heap_cap : 64;
        bigram *bigger = realloc(w->heap, (size_t)cap * sizeof *bigger);
        if (!bigger) return false;
        w->heap = bigger;
        w->heap_cap = cap;
    }
    int64_t i = w->n_heap++;
    while (i > 0) {
        int64_t p = (i - 1) / 4;
        if (!before(&b, &w->heap[p])) break;
        w->heap[i] = w->heap[p];
        i = p;
    }
    w->heap[i] = b;
    return true;
}

static bigram heap_pop(spm_work *w) {
    bigram top = w->heap[0], last = w->heap[--w->n_heap];
    int64_t i = 0, n = w->n_heap;
    for (;;) {
        int64_t c = 4 * i + 1, best = c;
        if (c >= n) break;
        for (int64_t k = c + 1; k < c + 4 && k < n; k++)
            if (before(&w->heap[k], &w->heap[best])) best = k;
        if (!before(&w->heap[best], &last)) break;
        w->heap[i] = w->heap[best];
        i = best;
    }
    if (n > 0) w->heap[i] = last;
    return top;
}

/* Queues the merge of two neighbours when their joined text is a token;
 * false when out of memory. */
static bool try_add_bigram(const realm_tokenizer *t, spm_work *w, int64_t left, int64_t right) {
    if (left < 0 || right < 0) return true;
    size_t size = w->sym[left].n + w->sym[right].n;
    int32_t id = lookup(t, w->text + w->sym[left].off, size);
    if (id < 0) return true;
    return heap_push(w, (bigram){.score = t->score[id], .size = (uint32_t)size, .left = left});
}

/* UTF-8 length from the lead byte alone, as llama.cpp's unicode_len_utf8
 * (continuation bytes are not checked; stray ones count as 1). */
static size_t utf8_len(uint8_t c) {
    static const uint8_t lookup_len[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return lookup_len[c >> 4];
}

/* Tokenizes w->text[0, m) into e. Merged symbols are always vocab tokens
 * (a pair is queued only then), so resegmenting reduces to: a symbol is a
 * token, or a lone character emitted as bytes. llama.cpp's rev_merge
 * recursion never triggers for the same reason. */
static realm_status spm_session(const realm_tokenizer *t, spm_work *w, size_t m, emitter *e) {
    int64_t n_sym = 0;
    for (size_t off = 0; off < m;) {
        size_t l = utf8_len((uint8_t)w->text[off]);
        if (l > m - off) l = m - off;
        w->sym[n_sym] = (symbol){.off = off, .n = l, .prev = n_sym - 1, .next = -1};
        if (n_sym > 0) w->sym[n_sym - 1].next = n_sym;
        off += l;
        n_sym++;
    }
    if (n_sym == 0) return REALM_OK;

    w->n_heap = 0;
    bool ok = true;
    for (int64_t i = 1; i < n_sym; i++)
        ok = ok && try_add_bigram(t, w, i - 1, i);
    while (ok && w->n_heap > 0) {
        bigram b = heap_pop(w);
        symbol *l = &w->sym[b.left];
        if (l->n == 0 || l->next < 0) continue; /* stale */
        symbol *r = &w->sym[l->next];
        if (l->n + r->n != b.size) continue; /* stale */
        l->n += r->n;
        r->n = 0;
        int64_t after = r->next;
        l->next = after;
        if (after >= 0) w->sym[after].prev = b.left;
        ok = try_add_bigram(t, w, l->prev, b.left) && try_add_bigram(t, w, b.left, l->next);
    }
    if (!ok) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_tokenize: out of memory (%zu bytes)", m);

    for (int64_t i = 0; i != -1; i = w->sym[i].next) {
        const symbol *s = &w->sym[i];
        int32_t id = lookup(t, w->text + s->off, s->n);
        if (id >= 0) {
            emit(e, id);
            continue;
        }
        for (size_t j = 0; j < s->n; j++) {
            uint8_t byte = (uint8_t)w->text[s->off + j];
            if (t->byte_id[byte] < 0)
                return realm_error(REALM_ERR_FORMAT,
                                   "realm_tokenize: byte 0x%02X has no token and the vocab no unknown token",
                                   (unsigned)byte);
            emit(e, t->byte_id[byte]);
        }
    }
    return REALM_OK;
}

/* Splits the raw fragments of f[0, n) on every occurrence of token id, left
 * to right, into g. Fragments are non-empty and tile the text, so the text
 * length bounds their count. */
static size_t split_on_token(const realm_tokenizer *t, const char *text, const fragment *f, size_t n,
                             int32_t id, fragment *g) {
    const char *tok = t->blob + t->off[id];
    size_t tl = t->len[id], k = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].id >= 0) {
            g[k++] = f[i];
            continue;
        }
        size_t start = f[i].off, end = f[i].off + f[i].len;
        while (end - start >= tl) {
            const char *hit = memmem(text + start, end - start, tok, tl);
            if (!hit) break;
            size_t at = (size_t)(hit - text);
            if (at > start) g[k++] = (fragment){.off = start, .len = at - start, .id = -1};
            g[k++] = (fragment){.off = at, .len = tl, .id = id};
            start = at + tl;
        }
        if (end > start) g[k++] = (fragment){.off = start, .len = end - start, .id = -1};
    }
    return k;
}

realm_status realm_tokenize(const realm_tokenizer *t, const char *text, size_t len, bool add_bos,
                            int32_t *ids, int64_t cap, int64_t *n_out) {
    if (!t || !n_out || (!text && len > 0) || cap < 0 || (!ids && cap > 0))
        return realm_error(REALM_ERR_INVALID_ARG, "realm_tokenize: NULL argument or negative capacity");
    if (add_bos && t->bos < 0)
        return realm_error(REALM_ERR_STATE, "realm_tokenize: BOS asked for, vocab has none");
    /* Scratch is at most ~300 bytes per text byte (every byte a space: 3
     * symbols, each with up to 3 queued pairs). */
    if (len > SIZE_MAX / 1024)
        return realm_error(REALM_ERR_OVERFLOW, "realm_tokenize: text of %zu bytes is too long", len);

    emitter e = {.ids = ids, .cap = cap, .n = 0};
    if (add_bos) emit(&e, t->bos);
    realm_status st = REALM_OK;
    fragment *frag = NULL, *frag2 = NULL;
    spm_work w = {0};
    size_t n_frag = 0;
    if (len > 0) {
        size_t fcap = t->n_user > 0 ? len : 1;
        frag = malloc(fcap * sizeof *frag);
        frag2 = t->n_user > 0 ? malloc(fcap * sizeof *frag2) : NULL;
        /* Room for the whole text after ' ' -> U+2581, plus the prefix. */
        size_t m_max = len + 3;
        for (size_t j = 0; j < len; j++)
            m_max += text[j] == ' ' ? 2 : 0;
        w.text = malloc(m_max);
        w.sym = malloc(m_max * sizeof *w.sym);
        if (!frag || (t->n_user > 0 && !frag2) || !w.text || !w.sym) {
            st = realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_tokenize: out of memory (%zu bytes of text)",
                             len);
            goto done;
        }
        frag[0] = (fragment){.off = 0, .len = len, .id = -1};
        n_frag = 1;
        for (int32_t u = 0; u < t->n_user; u++) {
            n_frag = split_on_token(t, text, frag, n_frag, t->user[u], frag2);
            fragment *tmp = frag;
            frag = frag2;
            frag2 = tmp;
        }
    }
    /* A raw fragment at the start or after a user-defined token gets the
     * space prefix (llama.cpp's is_prev_special). */
    bool prev_special = true;
    for (size_t i = 0; i < n_frag && st == REALM_OK; i++) {
        if (frag[i].id >= 0) {
            emit(&e, frag[i].id);
            prev_special = true;
            continue;
        }
        size_t m = 0;
        if (t->add_space_prefix && prev_special) {
            memcpy(w.text, k_space_mark, 3);
            m = 3;
        }
        for (size_t j = 0; j < frag[i].len; j++) {
            char c = text[frag[i].off + j];
            if (c == ' ') {
                memcpy(w.text + m, k_space_mark, 3);
                m += 3;
            } else {
                w.text[m++] = c;
            }
        }
        st = spm_session(t, &w, m, &e);
        prev_special = false;
    }
done:
    free(frag);
    free(frag2);
    free(w.text);
    free(w.sym);
    free(w.heap);
    if (st != REALM_OK) return st;
    *n_out = e.n;
    if (e.n > cap)
        return realm_error(REALM_ERR_SHAPE, "realm_tokenize: %lld ids do not fit in %lld", (long long)e.n,
                           (long long)cap);
    return REALM_OK;
}

/* ---- pieces ------------------------------------------------------------------ */

/* Writes the piece of id to dst (bytes past cap dropped) and returns its full
 * length; lstrip drops one leading ' '. */
static size_t piece(const realm_tokenizer *t, int32_t id, bool lstrip, char *dst, size_t cap) {
    const char *s = t->blob + t->off[id];
    size_t n = t->len[id], k = 0;
    char byte;
    switch (t->type[id]) {
    case REALM_TOKEN_NORMAL:
        for (size_t i = 0; i < n;) {
            char c = s[i];
            size_t step = 1;
            if (n - i >= 3 && memcmp(s + i, k_space_mark, 3) == 0) {
                c = ' ';
                step = 3;
            }
            i += step;
            if (lstrip && k == 0 && c == ' ') {
                lstrip = false;
                continue;
            }
            lstrip = false;
            if (k < cap) dst[k] = c;
            k++;
        }
        return k;
    case REALM_TOKEN_BYTE: {
        int b = parse_byte_token(s, n);
        if (b >= 0) {
            byte = (char)b;
            s = &byte;
            n = 1;
        }
        break; /* a malformed byte token prints as its text */
    }
    case REALM_TOKEN_USER_DEFINED:
        break;
    default:
        return 0; /* control, unknown, unused, undefined: nothing, as llama.cpp */
    }
    if (lstrip && n > 0 && s[0] == ' ') {
        s++;
        n--;
    }
    if (cap > 0) memcpy(dst, s, n < cap ? n : cap);
    return n;
}

realm_status realm_token_piece(const realm_tokenizer *t, int32_t id, char *buf, size_t cap, size_t *len) {
    if (!t || !len || (!buf && cap > 0))
        return realm_error(REALM_ERR_INVALID_ARG, "realm_token_piece: NULL argument");
    if (id < 0 || id >= t->n)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_token_piece: id %d outside [0, %d)", (int)id,
                           (int)t->n);
    *len = piece(t, id, false, buf, cap);
    if (*len > cap)
        return realm_error(REALM_ERR_SHAPE, "realm_token_piece: piece of %zu bytes does not fit in %zu", *len,
                           cap);
    return REALM_OK;
}

realm_status realm_detokenize(const realm_tokenizer *t, const int32_t *ids, int64_t n, char *buf, size_t cap,
                              size_t *len) {
    if (!t || !len || n < 0 || (!ids && n > 0) || (!buf && cap > 0))
        return realm_error(REALM_ERR_INVALID_ARG, "realm_detokenize: NULL argument or negative count");
    for (int64_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= t->n)
            return realm_error(REALM_ERR_INVALID_ARG, "realm_detokenize: ids[%lld] = %d outside [0, %d)",
                               (long long)i, (int)ids[i], (int)t->n);
    /* The space tokenize put in front is not part of the text. */
    int64_t first = n > 0 && ids[0] == t->bos ? 1 : 0;
    size_t total = 0;
    for (int64_t i = 0; i < n; i++) {
        bool lstrip = t->add_space_prefix && i == first;
        total += piece(t, ids[i], lstrip, total < cap ? buf + total : NULL, total < cap ? cap - total : 0);
    }
    *len = total;
    if (total > cap)
        return realm_error(REALM_ERR_SHAPE, "realm_detokenize: text of %zu bytes does not fit in %zu", total,
                           cap);
    return REALM_OK;
}
