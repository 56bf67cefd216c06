/* GGUF writer: values are encoded when set (so callers' buffers are not kept),
 * tensor data is borrowed and streamed at write time in llama.cpp's layout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "model/gguf_impl.h"
#include "realm/gguf.h"

/* A pair: the key and its value encoded as in the file after the type id. */
typedef struct wkv {
    char *key;
    realm_gguf_vtype type;
    uint8_t *val;
    size_t val_bytes;
} wkv;

typedef struct wtensor {
    char *name;
    realm_type type;
    int n_dims;
    int64_t ne[GGUF_MAX_DIMS];
    const void *data;
    size_t bytes;
} wtensor;

struct realm_gguf_writer {
    wkv *kv;
    int64_t n_kv, cap_kv;
    wtensor *t;
    int64_t n_t, cap_t;
};

/* Growable byte buffer for encoding values; oom sticks. */
typedef struct wbuf {
    uint8_t *p;
    size_t n, cap;
    bool oom;
} wbuf;

static void put(wbuf *b, const void *src, size_t n) {
    if (b->oom || n == 0) return;
    if (n > b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap - b->n < n) {
            if (cap > SIZE_MAX / 2) {
                b->oom = true;
                return;
            }
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_u32(wbuf *b, uint32_t v) {
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}

static void put_u64(wbuf *b, uint64_t v) {
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_str(wbuf *b, const char *s) {
    size_t n = strlen(s);
    put_u64(b, n);
    put(b, s, n);
}

realm_status realm_gguf_writer_create(realm_gguf_writer **out) {
    if (!out) return realm_error(REALM_ERR_INVALID_ARG, "realm_gguf_writer_create: NULL out");
    *out = calloc(1, sizeof(realm_gguf_writer));
    if (!*out) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_gguf_writer_create: out of memory");
    return REALM_OK;
}

void realm_gguf_writer_destroy(realm_gguf_writer *w) {
    if (!w) return;
    for (int64_t i = 0; i < w->n_kv; i++) {
        free(w->kv[i].key);
        free(w->kv[i].val);
    }
    for (int64_t i = 0; i < w->n_t; i++)
        free(w->t[i].name);
    free(w->kv);
    free(w->t);
    free(w);
}

/* Grows an array of elem-sized items to hold one more. */
static bool grow(void **arr, int64_t n, int64_t *cap, size_t elem) {
    if (n < *cap) return true;
    int64_t c = *cap ? 2 * *cap : 16;
    void *p = realloc(*arr, (size_t)c * elem);
    if (!p) return false;
    *arr = p;
    *cap = c;
    return true;
}

static bool alignment_ok(realm_gguf_vtype type, const uint8_t *val) {
    if (type != REALM_GGUF_UINT32) return false;
    uint32_t a = (uint32_t)val[0] | (uint32_t)val[1] << 8 | (uint32_t)val[2] << 16 | (uint32_t)val[3] << 24;
    return gguf_is_pow2(a);
}

/* Stores an encoded value under key, replacing an existing one; takes b's buffer in every case. */
static realm_status set_kv(realm_gguf_writer *w, const char *key, realm_gguf_vtype type, wbuf *b,
                           const char *fn) {
    realm_status s = REALM_OK;
    if (b->oom) {
        s = realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: out of memory for '%s'", fn, key);
    } else if (strcmp(key, "general.alignment") == 0 && !alignment_ok(type, b->p)) {
        s = realm_error(REALM_ERR_INVALID_ARG, "%s: general.alignment must be a uint32 power of two", fn);
    } else {
        for (int64_t i = 0; i < w->n_kv; i++) {
            if (strcmp(w->kv[i].key, key) != 0) continue;
            free(w->kv[i].val);
            w->kv[i].type = type;
            w->kv[i].val = b->p;
            w->kv[i].val_bytes = b->n;
            return REALM_OK;
        }
        char *k = strdup(key);
        if (!k || !grow((void **)&w->kv, w->n_kv, &w->cap_kv, sizeof(wkv))) {
            free(k);
            s = realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: out of memory for '%s'", fn, key);
        } else {
            w->kv[w->n_kv++] = (wkv){k, type, b->p, b->n};
            return REALM_OK;
        }
    }
    free(b->p);
    return s;
}

static realm_status check_key(const realm_gguf_writer *w, const char *key, const void *p, const char *fn) {
    if (!w || !key || !p)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, !w ? "writer" : !key ? "key" : "value");
    if (!key[0]) return realm_error(REALM_ERR_INVALID_ARG, "%s: empty key", fn);
    return REALM_OK;
}

realm_status realm_gguf_writer_set_scalar(realm_gguf_writer *w, const char *key, realm_gguf_vtype type,
                                          const void *value) {
    const char *fn = "realm_gguf_writer_set_scalar";
    realm_status s = check_key(w, key, value, fn);
    if (s != REALM_OK) return s;
    size_t sz = type >= 0 ? gguf_vtype_size((uint32_t)type) : 0;
    if (sz == 0)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: '%s': type %d is not a numeric or bool type", fn, key,
                           (int)type);
    wbuf b = {0};
    if (type == REALM_GGUF_BOOL) {
        uint8_t v = *(const bool *)value ? 1 : 0;
        put(&b, &v, 1);
    } else {
        put(&b, value, sz); /* the host is little-endian (gguf_impl.h) */
    }
    return set_kv(w, key, type, &b, fn);
}

realm_status realm_gguf_writer_set_u32(realm_gguf_writer *w, const char *key, uint32_t value) {
    return realm_gguf_writer_set_scalar(w, key, REALM_GGUF_UINT32, &value);
}

realm_status realm_gguf_writer_set_i32(realm_gguf_writer *w, const char *key, int32_t value) {
    return realm_gguf_writer_set_scalar(w, key, REALM_GGUF_INT32, &value);
}

realm_status realm_gguf_writer_set_u64(realm_gguf_writer *w, const char *key, uint64_t value) {
    return realm_gguf_writer_set_scalar(w, key, REALM_GGUF_UINT64, &value);
}

realm_status realm_gguf_writer_set_f32(realm_gguf_writer *w, const char *key, float value) {
    return realm_gguf_writer_set_scalar(w, key, REALM_GGUF_FLOAT32, &value);
}

realm_status realm_gguf_writer_set_bool(realm_gguf_writer *w, const char *key, bool value) {
    return realm_gguf_writer_set_scalar(w, key, REALM_GGUF_BOOL, &value);
}

realm_status realm_gguf_writer_set_str(realm_gguf_writer *w, const char *key, const char *str) {
    const char *fn = "realm_gguf_writer_set_str";
    realm_status s = check_key(w, key, str, fn);
    if (s != REALM_OK) return s;
    wbuf b = {0};
    put_str(&b, str);
    return set_kv(w, key, REALM_GGUF_STRING, &b, fn);
}

realm_status realm_gguf_writer_set_arr(realm_gguf_writer *w, const char *key, realm_gguf_vtype elem,
                                       const void *data, int64_t n) {
    const char *fn = "realm_gguf_writer_set_arr";
    static const uint8_t none[1];
    realm_status s = check_key(w, key, n == 0 && !data ? none : data, fn);
    if (s != REALM_OK) return s;
    size_t es = elem >= 0 ? gguf_vtype_size((uint32_t)elem) : 0;
    if (es == 0)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: '%s': element type %d is not numeric or bool%s", fn,
                           key, (int)elem,
                           elem == REALM_GGUF_STRING ? " (use realm_gguf_writer_set_arr_str)" : "");
    if (n < 0)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: '%s': negative length %lld", fn, key, (long long)n);
    uint64_t bytes;
    if (!gguf_mul((uint64_t)n, es, &bytes) || bytes > SIZE_MAX - 12)
        return realm_error(REALM_ERR_OVERFLOW, "%s: '%s': %lld elements overflow", fn, key, (long long)n);
    wbuf b = {0};
    put_u32(&b, (uint32_t)elem);
    put_u64(&b, (uint64_t)n);
    if (elem == REALM_GGUF_BOOL) { /* bool may be wider than a byte on some ABIs */
        for (int64_t i = 0; i < n; i++) {
            uint8_t v = ((const bool *)data)[i] ? 1 : 0;
            put(&b, &v, 1);
        }
    } else {
        put(&b, data, (size_t)bytes);
    }
    return set_kv(w, key, REALM_GGUF_ARRAY, &b, fn);
}

realm_status realm_gguf_writer_set_arr_str(realm_gguf_writer *w, const char *key, const char *const *strs,
                                           int64_t n) {
    const char *fn = "realm_gguf_writer_set_arr_str";
    static const char *const none[1] = {""};
    realm_status s = check_key(w, key, n == 0 && !strs ? none : strs, fn);
    if (s != REALM_OK) return s;
    if (n < 0)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: '%s': negative length %lld", fn, key, (long long)n);
    for (int64_t i = 0; i < n; i++)
        if (!strs[i])
            return realm_error(REALM_ERR_INVALID_ARG, "%s: '%s': string %lld is NULL", fn, key, (long long)i);
    wbuf b = {0};
    put_u32(&b, REALM_GGUF_STRING);
    put_u64(&b, (uint64_t)n);
    for (int64_t i = 0; i < n; i++)
        put_str(&b, strs[i]);
    return set_kv(w, key, REALM_GGUF_ARRAY, &b, fn);
}

realm_status realm_gguf_writer_copy_kv(realm_gguf_writer *w, const realm_gguf *g, int64_t i) {
    const char *fn = "realm_gguf_writer_copy_kv";
    if (!w || !g) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, !w ? "writer" : "file");
    const char *key;
    realm_gguf_vtype type;
    const uint8_t *raw;
    size_t raw_len;
    if (!gguf_kv_raw(g, i, &key, &type, &raw, &raw_len))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: index %lld out of range (%lld pairs)", fn,
                           (long long)i, (long long)realm_gguf_n_kv(g));
    /* the reader validated the encoding (never empty), so the bytes are copied as they are */
    wbuf b = {0};
    put(&b, raw, raw_len);
    return set_kv(w, key, type, &b, fn);
}

realm_status realm_gguf_writer_add_tensor(realm_gguf_writer *w, const char *name, realm_type type, int n_dims,
                                          const int64_t *ne, const void *data, size_t bytes) {
    const char *fn = "realm_gguf_writer_add_tensor";
    if (!w || !name || !ne || !data)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn,
                           !w      ? "writer"
                           : !name ? "name"
                           : !ne   ? "ne"
                                   : "data");
    size_t len = strlen(name);
    if (len == 0 || len > REALM_GGUF_MAX_NAME)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: name '%.80s' must have 1..%d bytes", fn, name,
                           REALM_GGUF_MAX_NAME);
    for (int64_t i = 0; i < w->n_t; i++)
        if (strcmp(w->t[i].name, name) == 0)
            return realm_error(REALM_ERR_INVALID_ARG, "%s: duplicate tensor name '%s'", fn, name);
    if (!realm_type_is_valid(type))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: '%s': invalid type %d", fn, name, (int)type);
    if (n_dims < 1 || n_dims > GGUF_MAX_DIMS)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: '%s': n_dims %d (must be 1..%d)", fn, name, n_dims,
                           GGUF_MAX_DIMS);
    for (int d = 0; d < n_dims; d++)
        if (ne[d] < 1)
            return realm_error(REALM_ERR_INVALID_ARG, "%s: '%s': ne[%d] = %lld (must be >= 1)", fn, name, d,
                               (long long)ne[d]);
    const realm_type_traits *tr = realm_type_get_traits(type);
    uint64_t want;
    bool bad_block;
    if (!gguf_tensor_bytes(tr->block_elems, tr->block_bytes, n_dims, ne, &want, &bad_block)) {
        if (bad_block)
            return realm_error(REALM_ERR_SHAPE,
                               "%s: '%s': row length %lld is not a multiple of the %s block (%lld)", fn, name,
                               (long long)ne[0], tr->name, (long long)tr->block_elems);
        return realm_error(REALM_ERR_OVERFLOW, "%s: '%s': tensor size overflows", fn, name);
    }
    if (want != bytes)
        return realm_error(REALM_ERR_SHAPE, "%s: '%s': %zu bytes given, a %s tensor of this shape has %llu",
                           fn, name, bytes, tr->name, (unsigned long long)want);
    char *copy = strdup(name);
    if (!copy || !grow((void **)&w->t, w->n_t, &w->cap_t, sizeof(wtensor))) {
        free(copy);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: out of memory", fn);
    }
    wtensor *t = &w->t[w->n_t++];
    *t = (wtensor){.name = copy, .type = type, .n_dims = n_dims, .data = data, .bytes = bytes};
    for (int d = 0; d < GGUF_MAX_DIMS; d++)
        t->ne[d] = d < n_dims ? ne[d] : 1;
    return REALM_OK;
}

/* Output stream that remembers the position and the first error. */
typedef struct wout {
    FILE *f;
    uint64_t pos;
    bool err;
} wout;

static void out(wout *o, const void *p, size_t n) {
    if (o->err || n == 0) return;
    if (fwrite(p, 1, n, o->f) != n) o->err = true;
    o->pos += n;
}

static void out_buf(wout *o, const wbuf *b) { out(o, b->p, b->n); }

static void out_pad(wout *o, uint64_t align) {
    static const uint8_t zeros[256];
    uint64_t end;
    if (!gguf_align_up(o->pos, align, &end)) {
        o->err = true;
        return;
    }
    while (o->pos < end && !o->err) {
        uint64_t n = end - o->pos;
        out(o, zeros, n < sizeof(zeros) ? (size_t)n : sizeof(zeros));
    }
}

static uint32_t writer_alignment(const realm_gguf_writer *w) {
    for (int64_t i = 0; i < w->n_kv; i++)
        if (strcmp(w->kv[i].key, "general.alignment") == 0) {
            const uint8_t *v = w->kv[i].val; /* checked a uint32 power of two when set */
            return (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
        }
    return REALM_GGUF_DEFAULT_ALIGNMENT;
}

/* Everything before the data section, with the tensor offsets filled in. */
static realm_status encode_meta(const realm_gguf_writer *w, uint64_t align, wbuf *b) {
    put(b, GGUF_MAGIC, 4);
    put_u32(b, 3);
    put_u64(b, (uint64_t)w->n_t);
    put_u64(b, (uint64_t)w->n_kv);
    for (int64_t i = 0; i < w->n_kv; i++) {
        put_str(b, w->kv[i].key);
        put_u32(b, (uint32_t)w->kv[i].type);
        put(b, w->kv[i].val, w->kv[i].val_bytes);
    }
    uint64_t off = 0;
    for (int64_t i = 0; i < w->n_t; i++) {
        const wtensor *t = &w->t[i];
        put_str(b, t->name);
        put_u32(b, (uint32_t)t->n_dims);
        for (int d = 0; d < t->n_dims; d++)
            put_u64(b, (uint64_t)t->ne[d]);
        put_u32(b, (uint32_t)t->type);
        put_u64(b, off);
        if (!gguf_add(off, t->bytes, &off) || !gguf_align_up(off, align, &off))
            return realm_error(REALM_ERR_OVERFLOW, "realm_gguf_writer_write: data section size overflows");
    }
    if (b->oom) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_gguf_writer_write: out of memory");
    return REALM_OK;
}

realm_status realm_gguf_writer_write(const realm_gguf_writer *w, const char *path) {
    if (!w || !path)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_gguf_writer_write: NULL %s", !w ? "writer" : "path");
    const uint64_t align = writer_alignment(w);
    wbuf meta = {0};
    realm_status s = encode_meta(w, align, &meta);
    if (s != REALM_OK) {
        free(meta.p);
        return s;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        s = realm_error(REALM_ERR_IO, "gguf: cannot create '%s': %s", path, strerror(errno));
        free(meta.p);
        return s;
    }
    wout o = {f, 0, false};
    out_buf(&o, &meta);
    free(meta.p);
    out_pad(&o, align); /* the data section starts aligned */
    for (int64_t i = 0; i < w->n_t; i++) {
        out(&o, w->t[i].data, w->t[i].bytes);
        out_pad(&o, align); /* like llama.cpp, every tensor is padded, the last one too */
    }
    int err = o.err || ferror(f) ? errno : 0;
    bool failed = o.err || ferror(f);
    if (fclose(f) != 0 && !failed) {
        failed = true;
        err = errno;
    }
    if (failed) {
        remove(path);
        return realm_error(REALM_ERR_IO, "gguf: cannot write '%s': %s", path,
                           err ? strerror(err) : "write error");
    }
    return REALM_OK;
}
