/* The ROWS16 layout drivers and the public repack calls (realm/repack.h):
 * argument checks, then group by group through the type's traits. */
#include "repack/repack.h"

#include <pthread.h>
#include <string.h>

#include "api/check.h"
#include "core/error.h"
#include "gemv/gemv.h"
#include "realm/quant.h"

static const realm_rows16_traits *table[REALM_TYPE_COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void) {
    realm_rows16_fill_k(table);
    realm_rows16_fill_k23(table);
    realm_rows16_fill_k58(table);
    realm_rows16_fill_q32(table);
}

const realm_rows16_traits *realm_rows16_get(realm_type t) {
    pthread_once(&once, build);
    return realm_type_is_valid(t) ? table[t] : NULL;
}

bool realm_layout_supported(realm_type t, realm_layout l) {
    if (!realm_type_is_valid(t)) return false;
    if (l == REALM_LAYOUT_GGUF) return true;
    return l == REALM_LAYOUT_ROWS16 && realm_rows16_get(t) != NULL;
}

realm_layout realm_layout_preferred(realm_type t) {
    if (!realm_layout_supported(t, REALM_LAYOUT_ROWS16)) return REALM_LAYOUT_GGUF;
    const realm_gemv_table *g = realm_gemv_get();
    return g->rows16_simd[t] ? REALM_LAYOUT_ROWS16 : REALM_LAYOUT_GGUF;
}

const char *realm_layout_name(realm_layout l) {
    switch (l) {
    case REALM_LAYOUT_GGUF:
        return "gguf";
    case REALM_LAYOUT_ROWS16:
        return "rows16";
    }
    return "?";
}

static realm_status check(const char *fn, realm_type t, realm_layout l, const void *src, const void *dst,
                          int64_t rows, int64_t k, size_t *row_bytes) {
    if (!src || !dst) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, src ? "dst" : "src");
    if (!realm_type_is_valid(t) || !realm_type_get_traits(t)->is_quantized)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: type %d is not a quantized type", fn, (int)t);
    if (l != REALM_LAYOUT_GGUF && l != REALM_LAYOUT_ROWS16)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: unknown layout %d", fn, (int)l);
    if (!realm_layout_supported(t, l))
        return realm_error(REALM_ERR_UNSUPPORTED, "%s: type %s has no %s layout", fn, realm_type_name(t),
                           realm_layout_name(l));
    const int64_t be = realm_type_get_traits(t)->block_elems;
    if (rows < 0 || k <= 0 || k % be != 0 || k > ((int64_t)1 << 40) || rows > ((int64_t)1 << 40))
        return realm_error(REALM_ERR_INVALID_ARG,
                           "%s: bad shape %lld x %lld for %s (k a positive multiple of %lld)", fn,
                           (long long)rows, (long long)k, realm_type_name(t), (long long)be);
    *row_bytes = realm_row_bytes(t, k);
    return REALM_OK;
}

static realm_status check_overlap(const char *fn, const void *src, size_t src_bytes, const void *dst,
                                  size_t dst_bytes) {
    const uint8_t *a = src, *b = dst;
    if (src_bytes && dst_bytes && a < b + dst_bytes && b < a + src_bytes)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: src and dst overlap", fn);
    return REALM_OK;
}

realm_status realm_repack(realm_type t, realm_layout to, const void *src, void *dst, int64_t rows,
                          int64_t k) {
    size_t rb = 0;
    REALM_TRY(check("realm_repack", t, to, src, dst, rows, k, &rb));
    const size_t bytes = rb * (size_t)rows;
    REALM_TRY(check_overlap("realm_repack", src, bytes, dst, bytes));
    if (to == REALM_LAYOUT_GGUF) {
        if (bytes) memcpy(dst, src, bytes);
        return REALM_OK;
    }
    const realm_rows16_traits *tr = realm_rows16_get(t);
    const size_t bb = realm_type_get_traits(t)->block_bytes, nb = rb / bb;
    const int64_t full = realm_rows16_full(rows);
    for (int64_t g = 0; g < full / REALM_ROWS16; g++) {
        const uint8_t *rows16 = realm_rows16_group(src, rb, g);
        uint8_t *out = (uint8_t *)realm_rows16_group(dst, rb, g);
        for (size_t i = 0; i < nb; i++) {
            const uint8_t *blocks[REALM_ROWS16];
            for (int r = 0; r < REALM_ROWS16; r++)
                blocks[r] = rows16 + (size_t)r * rb + i * bb;
            tr->pack_sb(blocks, out + i * REALM_ROWS16 * bb);
        }
    }
    memcpy((uint8_t *)dst + (size_t)full * rb, (const uint8_t *)src + (size_t)full * rb,
           (size_t)(rows - full) * rb);
    return REALM_OK;
}

/* GGUF row r of a ROWS16 weight into out. */
static void unpack_row(const realm_rows16_traits *tr, const uint8_t *w, size_t rb, size_t bb, int64_t rows,
                       int64_t r, uint8_t *out) {
    if (r >= realm_rows16_full(rows)) {
        memcpy(out, w + (size_t)r * rb, rb);
        return;
    }
    const uint8_t *grp = realm_rows16_group(w, rb, r / REALM_ROWS16);
    for (size_t i = 0; i < rb / bb; i++)
        tr->unpack_sb(grp + i * REALM_ROWS16 * bb, (int)(r % REALM_ROWS16), out + i * bb);
}

realm_status realm_unpack_rows(realm_type t, realm_layout from, const void *src, int64_t rows, int64_t k,
                               int64_t r0, int64_t r1, void *dst) {
    size_t rb = 0;
    REALM_TRY(check("realm_unpack_rows", t, from, src, dst, rows, k, &rb));
    if (r0 < 0 || r1 < r0 || r1 > rows)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_unpack_rows: rows [%lld, %lld) outside [0, %lld)",
                           (long long)r0, (long long)r1, (long long)rows);
    if (from == REALM_LAYOUT_GGUF) {
        memcpy(dst, (const uint8_t *)src + (size_t)r0 * rb, (size_t)(r1 - r0) * rb);
        return REALM_OK;
    }
    const realm_rows16_traits *tr = realm_rows16_get(t);
    const size_t bb = realm_type_get_traits(t)->block_bytes;
    for (int64_t r = r0; r < r1; r++)
        unpack_row(tr, src, rb, bb, rows, r, (uint8_t *)dst + (size_t)(r - r0) * rb);
    return REALM_OK;
}

realm_status realm_unpack(realm_type t, realm_layout from, const void *src, void *dst, int64_t rows,
                          int64_t k) {
    return realm_unpack_rows(t, from, src, rows, k, 0, rows, dst);
}
