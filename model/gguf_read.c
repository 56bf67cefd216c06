/* GGUF reader: the whole structure is parsed and validated once at open, so
 * the getters are plain lookups into the mapping and never fail on content. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "model/gguf_impl.h"
#include "realm/gguf.h"

typedef unsigned long long ull; /* for printing uint64_t with %llu */

/* Smallest possible encodings, used to reject absurd counts before
 * allocating: a pair is key length (8) + a 1-byte key + type (4) + a 1-byte
 * value; a tensor info is name length (8) + a 1-byte name + n_dims (4) +
 * one ne (8) + type (4) + offset (8). */
#define MIN_KV_BYTES 14u
#define MIN_TENSOR_INFO_BYTES 33u

typedef struct gguf_kv {
    char *key;
    realm_gguf_vtype type;
    realm_gguf_vtype elem; /* arrays: element type */
    uint64_t n;            /* strings: length in bytes; arrays: element count */
    const uint8_t *val;    /* scalar value, string bytes or first array element */
    uint64_t *str_at;      /* string arrays: file offset of each element's length */
    uint64_t raw_at;       /* the encoded value (after the type id), for copying */
    uint64_t raw_len;
} gguf_kv;

typedef struct gguf_tensor {
    char *name;
    realm_type type;
    int n_dims;
    int64_t ne[GGUF_MAX_DIMS];
    uint64_t offset; /* from the data section */
    uint64_t bytes;
} gguf_tensor;

/* Sorted name index for O(log n) lookup and duplicate detection. */
typedef struct name_idx {
    const char *name;
    int64_t i;
} name_idx;

struct realm_gguf {
    const uint8_t *base;
    size_t size;
    bool mapped;
    uint32_t version;
    uint64_t alignment;
    uint64_t data_offset;
    int64_t n_kv;
    gguf_kv *kv;
    name_idx *kv_sorted;
    int64_t n_tensors;
    gguf_tensor *tensors;
    name_idx *tensor_sorted;
};

/* Parser state: a cursor over the file and a description of the current item
 * for messages ("kv 3 ('general.name')"). */
typedef struct parser {
    const uint8_t *p;
    uint64_t size, pos;
    char ctx[128];
} parser;

static uint64_t left(const parser *r) { return r->size - r->pos; }

static uint32_t ld_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t ld_u64(const uint8_t *p) { return (uint64_t)ld_u32(p) | (uint64_t)ld_u32(p + 4) << 32; }

static realm_status need(const parser *r, uint64_t n, const char *what) {
    if (n <= left(r)) return REALM_OK;
    return realm_error(REALM_ERR_FORMAT,
                       "gguf: %s: truncated: %s needs %llu bytes at offset %llu but the file ends at %llu",
                       r->ctx, what, (ull)n, (ull)r->pos, (ull)r->size);
}

static realm_status rd_u32(parser *r, uint32_t *v, const char *what) {
    realm_status s = need(r, 4, what);
    if (s != REALM_OK) return s;
    *v = ld_u32(r->p + r->pos);
    r->pos += 4;
    return REALM_OK;
}

static realm_status rd_u64(parser *r, uint64_t *v, const char *what) {
    realm_status s = need(r, 8, what);
    if (s != REALM_OK) return s;
    *v = ld_u64(r->p + r->pos);
    r->pos += 8;
    return REALM_OK;
}

/* A length-prefixed string, checked against the bytes left. */
static realm_status rd_str(parser *r, const uint8_t **str, uint64_t *len, const char *what) {
    realm_status s = rd_u64(r, len, what);
    if (s != REALM_OK) return s;
    if (*len > left(r))
        return realm_error(REALM_ERR_FORMAT,
                           "gguf: %s: %s length %llu at offset %llu exceeds the %llu bytes left in the file",
                           r->ctx, what, (ull)*len, (ull)(r->pos - 8), (ull)left(r));
    *str = r->p + r->pos;
    r->pos += *len;
    return REALM_OK;
}

/* NUL-terminated copy of a key or tensor name; names are looked up as C
 * strings, so an empty name or an embedded NUL is a defect. */
static realm_status dup_name(const parser *r, const uint8_t *s, uint64_t len, const char *what, char **out) {
    if (len == 0) return realm_error(REALM_ERR_FORMAT, "gguf: %s: empty %s", r->ctx, what);
    if (memchr(s, 0, len))
        return realm_error(REALM_ERR_FORMAT, "gguf: %s: %s contains a NUL byte", r->ctx, what);
    *out = malloc(len + 1);
    if (!*out)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "gguf: out of memory for a %llu-byte name", (ull)len);
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    return REALM_OK;
}

static realm_status parse_array(parser *r, gguf_kv *kv) {
    uint32_t elem;
    uint64_t n;
    realm_status s = rd_u32(r, &elem, "array element type");
    if (s == REALM_OK) s = rd_u64(r, &n, "array length");
    if (s != REALM_OK) return s;
    if (elem == REALM_GGUF_ARRAY)
        return realm_error(REALM_ERR_FORMAT, "gguf: %s: nested arrays are not supported", r->ctx);
    if (elem >= REALM_GGUF_VTYPE_COUNT)
        return realm_error(REALM_ERR_FORMAT, "gguf: %s: unknown array element type %u", r->ctx, elem);
    if (elem == REALM_GGUF_STRING) {
        /* every string needs at least its 8-byte length */
        if (n > left(r) / 8)
            return realm_error(
                REALM_ERR_FORMAT,
                "gguf: %s: array of %llu strings cannot fit in the %llu bytes left in the file", r->ctx,
                (ull)n, (ull)left(r));
        kv->str_at = malloc(n ? n * sizeof(uint64_t) : 1);
        if (!kv->str_at)
            return realm_error(REALM_ERR_OUT_OF_MEMORY, "gguf: %s: out of memory indexing %llu strings",
                               r->ctx, (ull)n);
        for (uint64_t k = 0; k < n; k++) {
            const uint8_t *str;
            uint64_t len;
            kv->str_at[k] = r->pos;
            s = rd_str(r, &str, &len, "array string");
            if (s != REALM_OK) return s;
        }
        kv->val = NULL;
    } else {
        size_t es = gguf_vtype_size(elem);
        if (n > left(r) / es)
            return realm_error(REALM_ERR_FORMAT,
                               "gguf: %s: array of %llu %s elements exceeds the %llu bytes left in the file",
                               r->ctx, (ull)n, realm_gguf_vtype_name((realm_gguf_vtype)elem), (ull)left(r));
        kv->val = r->p + r->pos;
        r->pos += n * es;
    }
    kv->elem = (realm_gguf_vtype)elem;
    kv->n = n;
    return REALM_OK;
}

static realm_status parse_value(parser *r, gguf_kv *kv) {
    uint32_t type;
    realm_status s = rd_u32(r, &type, "value type");
    if (s != REALM_OK) return s;
    if (type >= REALM_GGUF_VTYPE_COUNT)
        return realm_error(REALM_ERR_FORMAT, "gguf: %s: unknown value type %u", r->ctx, type);
    kv->raw_at = r->pos;
    if (type == REALM_GGUF_STRING) {
        s = rd_str(r, &kv->val, &kv->n, "string");
    } else if (type == REALM_GGUF_ARRAY) {
        s = parse_array(r, kv);
    } else {
        size_t sz = gguf_vtype_size(type);
        s = need(r, sz, realm_gguf_vtype_name((realm_gguf_vtype)type));
        if (s == REALM_OK) {
            kv->val = r->p + r->pos;
            r->pos += sz;
        }
    }
    if (s == REALM_OK) {
        kv->type = (realm_gguf_vtype)type;
        kv->raw_len = r->pos - kv->raw_at;
    }
    return s;
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(((const name_idx *)a)->name, ((const name_idx *)b)->name);
}

/* Sorted index of n names; on duplicates the first one is reported. */
static realm_status index_names(name_idx **out, int64_t n,
                                const char *(*name_of)(const realm_gguf *, int64_t), const realm_gguf *g,
                                const char *what) {
    name_idx *ix = malloc((size_t)(n ? n : 1) * sizeof(name_idx));
    if (!ix)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "gguf: out of memory indexing %lld %ss", (long long)n,
                           what);
    for (int64_t i = 0; i < n; i++)
        ix[i] = (name_idx){name_of(g, i), i};
    qsort(ix, (size_t)n, sizeof(name_idx), cmp_name);
    *out = ix;
    for (int64_t i = 1; i < n; i++)
        if (strcmp(ix[i - 1].name, ix[i].name) == 0)
            return realm_error(REALM_ERR_FORMAT, "gguf: duplicate %s '%s'", what, ix[i].name);
    return REALM_OK;
}

static const char *kv_name(const realm_gguf *g, int64_t i) { return g->kv[i].key; }
static const char *tensor_name(const realm_gguf *g, int64_t i) { return g->tensors[i].name; }

static int64_t lookup(const name_idx *ix, int64_t n, const char *name) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix[mid].name, name);
        if (c == 0) return ix[mid].i;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* An integer value: neg tells which of u (non-negative) or s (negative) holds it. */
typedef struct ival {
    bool neg;
    uint64_t u;
    int64_t s;
} ival;

static bool int_value(const gguf_kv *kv, ival *v) {
    const uint8_t *p = kv->val;
    int64_t s;
    switch (kv->type) {
    case REALM_GGUF_UINT8:
        *v = (ival){false, p[0], 0};
        return true;
    case REALM_GGUF_UINT16:
        *v = (ival){false, (uint64_t)p[0] | (uint64_t)p[1] << 8, 0};
        return true;
    case REALM_GGUF_UINT32:
        *v = (ival){false, ld_u32(p), 0};
        return true;
    case REALM_GGUF_UINT64:
        *v = (ival){false, ld_u64(p), 0};
        return true;
    case REALM_GGUF_INT8:
        s = (int8_t)p[0];
        break;
    case REALM_GGUF_INT16:
        s = (int16_t)(uint16_t)((unsigned)p[0] | (unsigned)p[1] << 8);
        break;
    case REALM_GGUF_INT32:
        s = (int32_t)ld_u32(p);
        break;
    case REALM_GGUF_INT64:
        s = (int64_t)ld_u64(p);
        break;
    default:
        return false;
    }
    *v = s < 0 ? (ival){true, 0, s} : (ival){false, (uint64_t)s, 0};
    return true;
}

/* general.alignment: any integer type holding a power of two that fits uint32. */
static realm_status read_alignment(realm_gguf *g) {
    g->alignment = REALM_GGUF_DEFAULT_ALIGNMENT;
    int64_t i = lookup(g->kv_sorted, g->n_kv, "general.alignment");
    if (i < 0) return REALM_OK;
    ival v = {0};
    if (g->kv[i].type == REALM_GGUF_ARRAY || !int_value(&g->kv[i], &v))
        return realm_error(REALM_ERR_FORMAT, "gguf: general.alignment has type %s, expected uint32",
                           realm_gguf_vtype_name(g->kv[i].type));
    if (v.neg)
        return realm_error(REALM_ERR_FORMAT, "gguf: general.alignment %lld is not a power of two",
                           (long long)v.s);
    if (v.u > UINT32_MAX || !gguf_is_pow2(v.u))
        return realm_error(REALM_ERR_FORMAT, "gguf: general.alignment %llu is not a power of two in 1..2^31",
                           (ull)v.u);
    g->alignment = v.u;
    return REALM_OK;
}

/* GGUF ids of the types ggml knows but realm does not, for messages. */
static const char *ggml_type_name(uint32_t id) {
    static const char *const names[] = {
        [4] = "q4_2 (removed)", [5] = "q4_3 (removed)", [16] = "iq2_xxs", [17] = "iq2_xs",
        [18] = "iq3_xxs",       [19] = "iq1_s",         [20] = "iq4_nl",  [21] = "iq3_s",
        [22] = "iq2_s",         [23] = "iq4_xs",        [24] = "i8",      [25] = "i16",
        [26] = "i32",           [27] = "i64",           [28] = "f64",     [29] = "iq1_m",
        [30] = "bf16",          [34] = "tq1_0",         [35] = "tq2_0",   [39] = "mxfp4",
    };
    return id < sizeof(names) / sizeof(names[0]) && names[id] ? names[id] : NULL;
}

static realm_status parse_tensor_info(parser *r, const realm_gguf *g, gguf_tensor *t) {
    uint32_t n_dims, type;
    realm_status s = rd_u32(r, &n_dims, "n_dims");
    if (s != REALM_OK) return s;
    if (n_dims < 1 || n_dims > GGUF_MAX_DIMS)
        return realm_error(REALM_ERR_FORMAT, "gguf: %s: n_dims %u (must be 1..%d)", r->ctx, n_dims,
                           GGUF_MAX_DIMS);
    t->n_dims = (int)n_dims;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) {
        t->ne[d] = 1;
        if (d >= t->n_dims) continue;
        uint64_t ne;
        s = rd_u64(r, &ne, "ne");
        if (s != REALM_OK) return s;
        if (ne == 0 || ne > (uint64_t)INT64_MAX)
            return realm_error(REALM_ERR_FORMAT, "gguf: %s: ne[%d] = %llu (must be 1..2^63-1)", r->ctx, d,
                               (ull)ne);
        t->ne[d] = (int64_t)ne;
    }
    s = rd_u32(r, &type, "type");
    if (s == REALM_OK) s = rd_u64(r, &t->offset, "offset");
    if (s != REALM_OK) return s;
    if (type >= REALM_TYPE_COUNT || !realm_type_is_valid((realm_type)type)) {
        const char *known = ggml_type_name(type);
        if (known)
            return realm_error(REALM_ERR_UNSUPPORTED,
                               "gguf: %s: tensor type %s (GGUF id %u) is not supported by realm", r->ctx,
                               known, type);
        return realm_error(REALM_ERR_FORMAT, "gguf: %s: unknown tensor type id %u", r->ctx, type);
    }
    t->type = (realm_type)type;
    const realm_type_traits *tr = realm_type_get_traits(t->type);
    bool bad_block;
    if (!tr ||
        !gguf_tensor_bytes(tr->block_elems, tr->block_bytes, t->n_dims, t->ne, &t->bytes, &bad_block)) {
        if (tr && bad_block)
            return realm_error(REALM_ERR_FORMAT,
                               "gguf: %s: row length ne[0] = %lld is not a multiple of the %s block (%lld)",
                               r->ctx, (long long)t->ne[0], tr->name, (long long)tr->block_elems);
        return realm_error(REALM_ERR_FORMAT, "gguf: %s: size of %s [%lld, %lld, %lld, %lld] overflows",
                           r->ctx, realm_type_name(t->type), (long long)t->ne[0], (long long)t->ne[1],
                           (long long)t->ne[2], (long long)t->ne[3]);
    }
    if (t->offset % g->alignment != 0)
        return realm_error(REALM_ERR_FORMAT, "gguf: %s: offset %llu is not a multiple of the alignment %llu",
                           r->ctx, (ull)t->offset, (ull)g->alignment);
    return REALM_OK;
}

/* A tensor's data range, for the overlap check. */
typedef struct span {
    uint64_t offset, bytes;
    const char *name;
} span;

static int cmp_offset(const void *a, const void *b) {
    uint64_t x = ((const span *)a)->offset, y = ((const span *)b)->offset;
    return x < y ? -1 : x > y;
}

/* Every tensor's data inside the file and no two overlapping. */
static realm_status check_data_ranges(const realm_gguf *g) {
    for (int64_t i = 0; i < g->n_tensors; i++) {
        const gguf_tensor *t = &g->tensors[i];
        uint64_t start, end;
        if (!gguf_add(g->data_offset, t->offset, &start) || !gguf_add(start, t->bytes, &end) || end > g->size)
            return realm_error(
                REALM_ERR_FORMAT,
                "gguf: tensor '%s': data [%llu, +%llu) past end of file (size %llu; data section at %llu)",
                t->name, (ull)g->data_offset + (ull)t->offset, (ull)t->bytes, (ull)g->size,
                (ull)g->data_offset);
    }
    if (g->n_tensors < 2) return REALM_OK;
    span *sp = malloc((size_t)g->n_tensors * sizeof(span));
    if (!sp) return realm_error(REALM_ERR_OUT_OF_MEMORY, "gguf: out of memory checking tensor overlap");
    for (int64_t i = 0; i < g->n_tensors; i++)
        sp[i] = (span){g->tensors[i].offset, g->tensors[i].bytes, g->tensors[i].name};
    qsort(sp, (size_t)g->n_tensors, sizeof(span), cmp_offset);
    realm_status s = REALM_OK;
    for (int64_t i = 1; i < g->n_tensors && s == REALM_OK; i++) {
        const span *a = &sp[i - 1], *b = &sp[i];
        if (a->offset + a->bytes > b->offset) /* no overflow: both ranges are inside the file */
            s = realm_error(REALM_ERR_FORMAT,
                            "gguf: tensors '%s' [%llu, +%llu) and '%s' [%llu, +%llu) overlap", a->name,
                            (ull)a->offset, (ull)a->bytes, b->name, (ull)b->offset, (ull)b->bytes);
    }
    free(sp);
    return s;
}

static realm_status parse_header(parser *r, realm_gguf *g, uint64_t *n_tensors, uint64_t *n_kv) {
    snprintf(r->ctx, sizeof(r->ctx), "header");
    if (r->size < 4 || memcmp(r->p, GGUF_MAGIC, 4) != 0) {
        if (r->size < 4)
            return realm_error(REALM_ERR_FORMAT, "gguf: %llu bytes is too small for a GGUF file",
                               (ull)r->size);
        return realm_error(REALM_ERR_FORMAT, "gguf: bad magic %02x %02x %02x %02x (not a GGUF file)", r->p[0],
                           r->p[1], r->p[2], r->p[3]);
    }
    r->pos = 4;
    realm_status s = rd_u32(r, &g->version, "version");
    if (s != REALM_OK) return s;
    if (g->version == 1)
        return realm_error(REALM_ERR_UNSUPPORTED,
                           "gguf: version 1 (32-bit counts) is not supported; re-convert the "
                           "model to GGUF v2 or v3");
    if (g->version == 0x02000000u || g->version == 0x03000000u)
        return realm_error(REALM_ERR_UNSUPPORTED, "gguf: big-endian GGUF files are not supported");
    if (g->version != 2 && g->version != 3)
        return realm_error(REALM_ERR_FORMAT, "gguf: unknown version %u (realm reads 2 and 3)", g->version);
    s = rd_u64(r, n_tensors, "tensor count");
    if (s == REALM_OK) s = rd_u64(r, n_kv, "key/value count");
    if (s != REALM_OK) return s;
    if (*n_kv > left(r) / MIN_KV_BYTES)
        return realm_error(REALM_ERR_FORMAT,
                           "gguf: n_kv %llu does not fit: the %llu bytes left hold at most %llu pairs "
                           "(corrupt count or truncated file)",
                           (ull)*n_kv, (ull)left(r), (ull)(left(r) / MIN_KV_BYTES));
    if (*n_tensors > left(r) / MIN_TENSOR_INFO_BYTES)
        return realm_error(REALM_ERR_FORMAT,
                           "gguf: n_tensors %llu does not fit: the %llu bytes left hold at most %llu tensor "
                           "infos (corrupt count or truncated file)",
                           (ull)*n_tensors, (ull)left(r), (ull)(left(r) / MIN_TENSOR_INFO_BYTES));
    return REALM_OK;
}

static realm_status parse(realm_gguf *g) {
    parser r = {.p = g->base, .size = g->size, .pos = 0};
    uint64_t n_tensors, n_kv;
    realm_status s = parse_header(&r, g, &n_tensors, &n_kv);
    if (s != REALM_OK) return s;

    g->kv = calloc(n_kv ? n_kv : 1, sizeof(gguf_kv));
    if (!g->kv) return realm_error(REALM_ERR_OUT_OF_MEMORY, "gguf: out of memory for %llu pairs", (ull)n_kv);
    for (uint64_t i = 0; i < n_kv; i++) {
        gguf_kv *kv = &g->kv[i];
        const uint8_t *key = NULL;
        uint64_t len = 0;
        g->n_kv = (int64_t)i + 1; /* so close() frees what this pair allocates */
        snprintf(r.ctx, sizeof(r.ctx), "kv %llu", (ull)i);
        s = rd_str(&r, &key, &len, "key");
        if (s == REALM_OK) s = dup_name(&r, key, len, "key", &kv->key);
        if (s != REALM_OK) return s;
        snprintf(r.ctx, sizeof(r.ctx), "kv %llu ('%.80s')", (ull)i, kv->key);
        s = parse_value(&r, kv);
        if (s != REALM_OK) return s;
    }
    s = index_names(&g->kv_sorted, g->n_kv, kv_name, g, "key");
    if (s == REALM_OK) s = read_alignment(g);
    if (s != REALM_OK) return s;

    snprintf(r.ctx, sizeof(r.ctx), "tensor infos");
    if (n_tensors > left(&r) / MIN_TENSOR_INFO_BYTES)
        return realm_error(REALM_ERR_FORMAT,
                           "gguf: n_tensors %llu does not fit: the %llu bytes left hold at most %llu tensor "
                           "infos (corrupt count or truncated file)",
                           (ull)n_tensors, (ull)left(&r), (ull)(left(&r) / MIN_TENSOR_INFO_BYTES));
    g->tensors = calloc(n_tensors ? n_tensors : 1, sizeof(gguf_tensor));
    if (!g->tensors)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "gguf: out of memory for %llu tensors", (ull)n_tensors);
    for (uint64_t i = 0; i < n_tensors; i++) {
        gguf_tensor *t = &g->tensors[i];
        const uint8_t *name = NULL;
        uint64_t len = 0;
        g->n_tensors = (int64_t)i + 1;
        snprintf(r.ctx, sizeof(r.ctx), "tensor %llu", (ull)i);
        s = rd_str(&r, &name, &len, "name");
        if (s == REALM_OK) s = dup_name(&r, name, len, "name", &t->name);
        if (s != REALM_OK) return s;
        snprintf(r.ctx, sizeof(r.ctx), "tensor %llu ('%.80s')", (ull)i, t->name);
        s = parse_tensor_info(&r, g, t);
        if (s != REALM_OK) return s;
    }
    s = index_names(&g->tensor_sorted, g->n_tensors, tensor_name, g, "tensor name");
    if (s != REALM_OK) return s;
    /* pos <= size and alignment <= 2^31, so this cannot overflow */
    (void)gguf_align_up(r.pos, g->alignment, &g->data_offset);
    return check_data_ranges(g);
}

void realm_gguf_close(realm_gguf *g) {
    if (!g) return;
    for (int64_t i = 0; i < g->n_kv; i++) {
        free(g->kv[i].key);
        free(g->kv[i].str_at);
    }
    for (int64_t i = 0; i < g->n_tensors; i++)
        free(g->tensors[i].name);
    free(g->kv);
    free(g->kv_sorted);
    free(g->tensors);
    free(g->tensor_sorted);
    if (g->mapped) munmap((void *)g->base, g->size);
    free(g);
}

/* Parses base[0, size); on failure g is closed (and unmapped when mapped). */
static realm_status open_common(const uint8_t *base, size_t size, bool mapped, realm_gguf **out) {
    realm_gguf *g = calloc(1, sizeof(realm_gguf));
    if (!g) {
        if (mapped) munmap((void *)base, size);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "gguf: out of memory");
    }
    g->base = base;
    g->size = size;
    g->mapped = mapped;
    realm_status s = parse(g);
    if (s != REALM_OK) {
        realm_gguf_close(g);
        return s;
    }
    *out = g;
    return REALM_OK;
}

realm_status realm_gguf_open_memory(const void *data, size_t size, realm_gguf **out) {
    if (out) *out = NULL;
    if (!data || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_gguf_open_memory: NULL %s", !data ? "data" : "out");
    return open_common(data, size, false, out);
}

realm_status realm_gguf_open(const char *path, realm_gguf **out) {
    if (out) *out = NULL;
    if (!path || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_gguf_open: NULL %s", !path ? "path" : "out");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return realm_error(REALM_ERR_IO, "gguf: cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return realm_error(REALM_ERR_IO, "gguf: '%s' is not a regular file", path);
    }
    if ((uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return realm_error(REALM_ERR_IO, "gguf: '%s' is too large to map", path);
    }
    static const uint8_t empty[1] = {0};
    const uint8_t *base = empty;
    size_t size = (size_t)st.st_size;
    if (size > 0) { /* mmap cannot map nothing; an empty file gets the parser's message */
        void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            realm_status s = realm_error(REALM_ERR_IO, "gguf: cannot map '%s': %s", path, strerror(errno));
            close(fd);
            return s;
        }
        base = map;
    }
    close(fd);
    realm_status s = open_common(base, size, size > 0, out);
    if (s != REALM_OK) {
        /* name the file: the parser's message does not know it */
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", realm_last_error());
        return realm_error(s, "%s (file '%s')", msg, path);
    }
    return REALM_OK;
}

const char *realm_gguf_vtype_name(realm_gguf_vtype t) {
    static const char *const names[REALM_GGUF_VTYPE_COUNT] = {
        [REALM_GGUF_UINT8] = "uint8",     [REALM_GGUF_INT8] = "int8",     [REALM_GGUF_UINT16] = "uint16",
        [REALM_GGUF_INT16] = "int16",     [REALM_GGUF_UINT32] = "uint32", [REALM_GGUF_INT32] = "int32",
        [REALM_GGUF_FLOAT32] = "float32", [REALM_GGUF_BOOL] = "bool",     [REALM_GGUF_STRING] = "string",
        [REALM_GGUF_ARRAY] = "array",     [REALM_GGUF_UINT64] = "uint64", [REALM_GGUF_INT64] = "int64",
        [REALM_GGUF_FLOAT64] = "float64",
    };
    return t >= 0 && t < REALM_GGUF_VTYPE_COUNT ? names[t] : "invalid";
}

uint32_t realm_gguf_version(const realm_gguf *g) { return g ? g->version : 0; }
size_t realm_gguf_alignment(const realm_gguf *g) { return g ? (size_t)g->alignment : 0; }
size_t realm_gguf_size(const realm_gguf *g) { return g ? g->size : 0; }
size_t realm_gguf_data_offset(const realm_gguf *g) { return g ? (size_t)g->data_offset : 0; }
int64_t realm_gguf_n_kv(const realm_gguf *g) { return g ? g->n_kv : 0; }
int64_t realm_gguf_n_tensors(const realm_gguf *g) { return g ? g->n_tensors : 0; }

const char *realm_gguf_key(const realm_gguf *g, int64_t i) {
    return g && i >= 0 && i < g->n_kv ? g->kv[i].key : NULL;
}

int64_t realm_gguf_find_key(const realm_gguf *g, const char *key) {
    return g && key ? lookup(g->kv_sorted, g->n_kv, key) : -1;
}

realm_gguf_vtype realm_gguf_kv_type(const realm_gguf *g, int64_t i) {
    return g && i >= 0 && i < g->n_kv ? g->kv[i].type : REALM_GGUF_NONE;
}

/* The pair of a key, or an error naming the getter, the key or the missing argument. */
static realm_status find(const realm_gguf *g, const char *key, const void *out, const char *fn,
                         const gguf_kv **kv) {
    if (!g || !key || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, !g ? "file" : !key ? "key" : "output");
    int64_t i = lookup(g->kv_sorted, g->n_kv, key);
    if (i < 0) return realm_error(REALM_ERR_FORMAT, "gguf: key '%s' missing", key);
    *kv = &g->kv[i];
    return REALM_OK;
}

static realm_status wrong_type(const gguf_kv *kv, const char *want) {
    return realm_error(REALM_ERR_FORMAT, "gguf: key '%s' has type %s, expected %s", kv->key,
                       realm_gguf_vtype_name(kv->type), want);
}

static realm_status get_int(const realm_gguf *g, const char *key, const void *out, const char *fn, ival *v) {
    const gguf_kv *kv = NULL;
    realm_status s = find(g, key, out, fn, &kv);
    if (s != REALM_OK) return s;
    if (!int_value(kv, v)) return wrong_type(kv, "an integer");
    return REALM_OK;
}

static realm_status out_of_range(const char *key, const ival *v, const char *want) {
    if (v->neg)
        return realm_error(REALM_ERR_FORMAT, "gguf: key '%s' value %lld does not fit %s", key,
                           (long long)v->s, want);
    return realm_error(REALM_ERR_FORMAT, "gguf: key '%s' value %llu does not fit %s", key, (ull)v->u, want);
}

realm_status realm_gguf_get_u32(const realm_gguf *g, const char *key, uint32_t *out) {
    ival v = {0};
    realm_status s = get_int(g, key, out, "realm_gguf_get_u32", &v);
    if (s != REALM_OK) return s;
    if (v.neg || v.u > UINT32_MAX) return out_of_range(key, &v, "uint32");
    *out = (uint32_t)v.u;
    return REALM_OK;
}

realm_status realm_gguf_get_u64(const realm_gguf *g, const char *key, uint64_t *out) {
    ival v = {0};
    realm_status s = get_int(g, key, out, "realm_gguf_get_u64", &v);
    if (s != REALM_OK) return s;
    if (v.neg) return out_of_range(key, &v, "uint64");
    *out = v.u;
    return REALM_OK;
}

realm_status realm_gguf_get_i64(const realm_gguf *g, const char *key, int64_t *out) {
    ival v = {0};
    realm_status s = get_int(g, key, out, "realm_gguf_get_i64", &v);
    if (s != REALM_OK) return s;
    if (!v.neg && v.u > (uint64_t)INT64_MAX) return out_of_range(key, &v, "int64");
    *out = v.neg ? v.s : (int64_t)v.u;
    return REALM_OK;
}

realm_status realm_gguf_get_f32(const realm_gguf *g, const char *key, float *out) {
    const gguf_kv *kv = NULL;
    realm_status s = find(g, key, out, "realm_gguf_get_f32", &kv);
    if (s != REALM_OK) return s;
    if (kv->type == REALM_GGUF_FLOAT32) {
        memcpy(out, kv->val, sizeof(float));
    } else if (kv->type == REALM_GGUF_FLOAT64) {
        double d;
        memcpy(&d, kv->val, sizeof(double));
        *out = (float)d;
    } else {
        return wrong_type(kv, "float32 or float64");
    }
    return REALM_OK;
}

realm_status realm_gguf_get_bool(const realm_gguf *g, const char *key, bool *out) {
    const gguf_kv *kv = NULL;
    realm_status s = find(g, key, out, "realm_gguf_get_bool", &kv);
    if (s != REALM_OK) return s;
    if (kv->type != REALM_GGUF_BOOL) return wrong_type(kv, "bool");
    *out = kv->val[0] != 0;
    return REALM_OK;
}

realm_status realm_gguf_get_str(const realm_gguf *g, const char *key, const char **str, size_t *len) {
    const gguf_kv *kv = NULL;
    realm_status s = find(g, key, str, "realm_gguf_get_str", &kv);
    if (s != REALM_OK) return s;
    if (!len) return realm_error(REALM_ERR_INVALID_ARG, "realm_gguf_get_str: NULL len");
    if (kv->type != REALM_GGUF_STRING) return wrong_type(kv, "string");
    *str = (const char *)kv->val;
    *len = (size_t)kv->n;
    return REALM_OK;
}

realm_status realm_gguf_get_arr(const realm_gguf *g, const char *key, realm_gguf_vtype *elem_type, int64_t *n,
                                const void **data) {
    const gguf_kv *kv = NULL;
    realm_status s = find(g, key, elem_type, "realm_gguf_get_arr", &kv);
    if (s != REALM_OK) return s;
    if (!n) return realm_error(REALM_ERR_INVALID_ARG, "realm_gguf_get_arr: NULL n");
    if (kv->type != REALM_GGUF_ARRAY) return wrong_type(kv, "array");
    *elem_type = kv->elem;
    *n = (int64_t)kv->n; /* bounded by the file size */
    if (data) *data = kv->val;
    return REALM_OK;
}

realm_status realm_gguf_get_arr_str(const realm_gguf *g, const char *key, int64_t i, const char **str,
                                    size_t *len) {
    const gguf_kv *kv = NULL;
    realm_status s = find(g, key, str, "realm_gguf_get_arr_str", &kv);
    if (s != REALM_OK) return s;
    if (!len) return realm_error(REALM_ERR_INVALID_ARG, "realm_gguf_get_arr_str: NULL len");
    if (kv->type != REALM_GGUF_ARRAY || kv->elem != REALM_GGUF_STRING) {
        if (kv->type == REALM_GGUF_ARRAY)
            return realm_error(REALM_ERR_FORMAT,
                               "gguf: key '%s' is an array of %s, expected an array of strings", key,
                               realm_gguf_vtype_name(kv->elem));
        return wrong_type(kv, "an array of strings");
    }
    if (i < 0 || (uint64_t)i >= kv->n)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "realm_gguf_get_arr_str: index %lld out of range for '%s' (%llu strings)",
                           (long long)i, key, (ull)kv->n);
    const uint8_t *p = g->base + kv->str_at[i];
    *len = (size_t)ld_u64(p);
    *str = (const char *)(p + 8);
    return REALM_OK;
}

bool gguf_kv_raw(const realm_gguf *g, int64_t i, const char **key, realm_gguf_vtype *type,
                 const uint8_t **raw, size_t *raw_len) {
    if (!g || i < 0 || i >= g->n_kv) return false;
    *key = g->kv[i].key;
    *type = g->kv[i].type;
    *raw = g->base + g->kv[i].raw_at;
    *raw_len = (size_t)g->kv[i].raw_len;
    return true;
}

int64_t realm_gguf_find_tensor(const realm_gguf *g, const char *name) {
    return g && name ? lookup(g->tensor_sorted, g->n_tensors, name) : -1;
}

realm_status realm_gguf_tensor_info(const realm_gguf *g, int64_t i, realm_gguf_tensor *out) {
    if (!g || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_gguf_tensor_info: NULL %s", !g ? "file" : "out");
    if (i < 0 || i >= g->n_tensors)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "realm_gguf_tensor_info: index %lld out of range (%lld tensors)", (long long)i,
                           (long long)g->n_tensors);
    const gguf_tensor *t = &g->tensors[i];
    out->name = t->name;
    out->type = t->type;
    out->n_dims = t->n_dims;
    memcpy(out->ne, t->ne, sizeof(out->ne));
    out->offset = t->offset;
    out->bytes = (size_t)t->bytes;
    out->data = g->base + g->data_offset + t->offset;
    return REALM_OK;
}
