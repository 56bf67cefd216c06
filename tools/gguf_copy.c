/* Metadata copy: each value read through the typed getters and written back
 * with the same GGUF type. */
#include <stdlib.h>
#include <string.h>

#include "gguf_copy.h"

static realm_status copy_scalar(realm_gguf_writer *w, const realm_gguf *g, const char *key,
                                realm_gguf_vtype t) {
    realm_status st;
    union {
        uint8_t u8;
        int8_t i8;
        uint16_t u16;
        int16_t i16;
        uint32_t u32;
        int32_t i32;
        uint64_t u64;
        int64_t i64;
        float f32;
        double f64;
        bool b;
    } v;
    int64_t i;
    uint64_t u;
    switch (t) {
    case REALM_GGUF_FLOAT32:
    case REALM_GGUF_FLOAT64:
        if ((st = realm_gguf_get_f32(g, key, &v.f32)) != REALM_OK) return st;
        if (t == REALM_GGUF_FLOAT64) v.f64 = v.f32;
        break;
    case REALM_GGUF_BOOL:
        if ((st = realm_gguf_get_bool(g, key, &v.b)) != REALM_OK) return st;
        break;
    case REALM_GGUF_UINT64:
        if ((st = realm_gguf_get_u64(g, key, &u)) != REALM_OK) return st;
        v.u64 = u;
        break;
    default:
        if ((st = realm_gguf_get_i64(g, key, &i)) != REALM_OK) return st;
        switch (t) {
        case REALM_GGUF_UINT8:
            v.u8 = (uint8_t)i;
            break;
        case REALM_GGUF_INT8:
            v.i8 = (int8_t)i;
            break;
        case REALM_GGUF_UINT16:
            v.u16 = (uint16_t)i;
            break;
        case REALM_GGUF_INT16:
            v.i16 = (int16_t)i;
            break;
        case REALM_GGUF_UINT32:
            v.u32 = (uint32_t)i;
            break;
        case REALM_GGUF_INT32:
            v.i32 = (int32_t)i;
            break;
        default:
            v.i64 = i;
            break;
        }
    }
    return realm_gguf_writer_set_scalar(w, key, t, &v);
}

/* A NUL-terminated copy of (s, len). */
static char *dup_n(const char *s, size_t len) {
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = 0;
    }
    return d;
}

realm_status tool_gguf_copy_kv(realm_gguf_writer *w, const realm_gguf *g, int64_t i) {
    const char *key = realm_gguf_key(g, i);
    if (!key) return REALM_ERR_INVALID_ARG;
    const realm_gguf_vtype t = realm_gguf_kv_type(g, i);
    realm_status st;
    if (t == REALM_GGUF_STRING) {
        const char *s;
        size_t len;
        if ((st = realm_gguf_get_str(g, key, &s, &len)) != REALM_OK) return st;
        char *d = dup_n(s, len);
        if (!d) return REALM_ERR_OUT_OF_MEMORY;
        st = realm_gguf_writer_set_str(w, key, d);
        free(d);
        return st;
    }
    if (t != REALM_GGUF_ARRAY) return copy_scalar(w, g, key, t);
    realm_gguf_vtype et;
    int64_t n;
    const void *data;
    if ((st = realm_gguf_get_arr(g, key, &et, &n, &data)) != REALM_OK) return st;
    if (et != REALM_GGUF_STRING) return realm_gguf_writer_set_arr(w, key, et, data, n);
    char **strs = calloc(n > 0 ? (size_t)n : 1, sizeof *strs);
    if (!strs) return REALM_ERR_OUT_OF_MEMORY;
    for (int64_t k = 0; k < n && st == REALM_OK; k++) {
        const char *s;
        size_t len;
        st = realm_gguf_get_arr_str(g, key, k, &s, &len);
        if (st == REALM_OK && !(strs[k] = dup_n(s, len))) st = REALM_ERR_OUT_OF_MEMORY;
    }
    if (st == REALM_OK) st = realm_gguf_writer_set_arr_str(w, key, (const char *const *)strs, n);
    for (int64_t k = 0; k < n; k++)
        free(strs[k]);
    free(strs);
    return st;
}
