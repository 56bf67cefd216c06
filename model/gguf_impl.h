/* Internal: GGUF constants and helpers shared by the reader and the writer. */
#ifndef REALM_MODEL_GGUF_IMPL_H
#define REALM_MODEL_GGUF_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "realm/gguf.h"

/* GGUF is little-endian and numeric arrays are handed out in place. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "realm's GGUF code assumes a little-endian host"
/* Pair i of an opened file as encoded there: key, type and the value's bytes
 * after the type id (for copying pairs between files); false when i is out of range. */
bool gguf_kv_raw(const realm_gguf *g, int64_t i, const char **key, realm_gguf_vtype *type,
                 const uint8_t **raw, size_t *raw_len);

#endif

#define GGUF_MAGIC "GGUF"
#define GGUF_MAX_DIMS 4

/* Bytes of one value of a fixed-size type; 0 for string, array and unknown ids. */
static inline size_t gguf_vtype_size(uint32_t t) {
    static const size_t sizes[REALM_GGUF_VTYPE_COUNT] = {
        [REALM_GGUF_UINT8] = 1,  [REALM_GGUF_INT8] = 1,  [REALM_GGUF_UINT16] = 2,  [REALM_GGUF_INT16] = 2,
        [REALM_GGUF_UINT32] = 4, [REALM_GGUF_INT32] = 4, [REALM_GGUF_FLOAT32] = 4, [REALM_GGUF_BOOL] = 1,
        [REALM_GGUF_UINT64] = 8, [REALM_GGUF_INT64] = 8, [REALM_GGUF_FLOAT64] = 8,
    };
    return t < REALM_GGUF_VTYPE_COUNT ? sizes[t] : 0;
}

static inline bool gguf_is_pow2(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

/* Overflow-checked arithmetic: false when the result does not fit. */
static inline bool gguf_add(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_add_overflow(a, b, r); }
static inline bool gguf_mul(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_mul_overflow(a, b, r); }

/* x rounded up to a multiple of the power of two a; false on overflow. */
static inline bool gguf_align_up(uint64_t x, uint64_t a, uint64_t *r) {
    uint64_t t;
    if (!gguf_add(x, a - 1, &t)) return false;
    *r = t & ~(a - 1);
    return true;
}

/* Bytes of a tensor of the given (valid) traits and dims; false on overflow
 * or when ne[0] is not a multiple of the block (*bad_block set then). */
static inline bool gguf_tensor_bytes(int64_t block_elems, size_t block_bytes, int n_dims, const int64_t *ne,
                                     uint64_t *bytes, bool *bad_block) {
    *bad_block = ne[0] % block_elems != 0;
    if (*bad_block) return false;
    uint64_t b;
    if (!gguf_mul((uint64_t)(ne[0] / block_elems), block_bytes, &b)) return false;
    for (int d = 1; d < n_dims; d++)
        if (!gguf_mul(b, (uint64_t)ne[d], &b)) return false;
    /* the element count must fit in int64 as well (ggml's nelements) */
    uint64_t elems = 1;
    for (int d = 0; d < n_dims; d++)
        if (!gguf_mul(elems, (uint64_t)ne[d], &elems)) return false;
    if (elems > (uint64_t)INT64_MAX || b > SIZE_MAX) return false;
    *bytes = b;
    return true;
}

/* Pair i of an opened file as encoded there: key, type and the value's bytes
 * after the type id (for copying pairs between files); false when i is out of range. */
bool gguf_kv_raw(const realm_gguf *g, int64_t i, const char **key, realm_gguf_vtype *type,
                 const uint8_t **raw, size_t *raw_len);

#endif
