/* Public row quantize/dequantize: argument checks, then the traits table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "realm/quant.h"

/* realm_type_align() is what the row's C structs need. Rows from a GGUF
 * opened in memory (or with general.alignment 1) can sit at any address;
 * such rows go through an aligned copy instead of misaligned struct access
 * (undefined in C). */
static bool misaligned(realm_type t, const void *p) { return (uintptr_t)p % realm_type_align(t) != 0; }

/* Checks type and n; on success stores the traits and the row size. */
static realm_status check_row(const char *fn, realm_type t, int64_t n, const realm_type_traits **tr,
                              size_t *bytes) {
    if (!realm_type_is_valid(t))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: unknown type id %d", fn, (int)t);
    const realm_type_traits *x = realm_type_get_traits(t);
    if (n < 0) return realm_error(REALM_ERR_INVALID_ARG, "%s: negative element count %lld", fn, (long long)n);
    if (n % x->block_elems != 0)
        return realm_error(REALM_ERR_SHAPE, "%s: %lld elements is not a multiple of the %s block size %lld",
                           fn, (long long)n, x->name, (long long)x->block_elems);
    uint64_t blocks = (uint64_t)(n / x->block_elems);
    /* both the blocks and the n floats on the other side must be addressable */
    if (blocks > SIZE_MAX / x->block_bytes || (uint64_t)n > SIZE_MAX / sizeof(float))
        return realm_error(REALM_ERR_OVERFLOW, "%s: a row of %lld %s elements does not fit in memory", fn,
                           (long long)n, x->name);
    *tr = x;
    *bytes = (size_t)blocks * x->block_bytes;
    return REALM_OK;
}

size_t realm_row_bytes(realm_type t, int64_t n) {
    const realm_type_traits *tr = NULL;
    size_t bytes = 0;
    if (check_row("realm_row_bytes", t, n, &tr, &bytes) != REALM_OK) return 0;
    return bytes;
}

realm_status realm_quantize_row_weighted(realm_type t, const float *src, void *dst, int64_t n,
                                         const float *importance) {
    const realm_type_traits *tr = NULL;
    size_t bytes = 0;
    realm_status s = check_row("realm_quantize_row", t, n, &tr, &bytes);
    if (s != REALM_OK) return s;
    if (!src || !dst)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_quantize_row: NULL %s", src ? "dst" : "src");
    if (importance) {
        for (int64_t i = 0; i < n; i++)
            if (!(importance[i] >= 0.0f) || importance[i] > 3.4e38f)
                return realm_error(REALM_ERR_INVALID_ARG,
                                   "realm_quantize_row: importance[%lld] is negative or not finite",
                                   (long long)i);
    }
    if (!misaligned(t, dst)) {
        tr->quantize(src, dst, n, importance);
        return REALM_OK;
    }
    void *tmp = malloc(bytes ? bytes : 1);
    if (!tmp)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_quantize_row: cannot allocate %zu bytes", bytes);
    tr->quantize(src, tmp, n, importance);
    memcpy(dst, tmp, bytes);
    free(tmp);
    return REALM_OK;
}

realm_status realm_quantize_row(realm_type t, const float *src, void *dst, int64_t n) {
    return realm_quantize_row_weighted(t, src, dst, n, NULL);
}

realm_status realm_dequantize_row(realm_type t, const void *src, float *dst, int64_t n) {
    const realm_type_traits *tr = NULL;
    size_t bytes = 0;
    realm_status s = check_row("realm_dequantize_row", t, n, &tr, &bytes);
    if (s != REALM_OK) return s;
    if (!src || !dst)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_dequantize_row: NULL %s", src ? "dst" : "src");
    if (!misaligned(t, src)) {
        tr->dequantize(src, dst, n);
        return REALM_OK;
    }
    void *tmp = malloc(bytes ? bytes : 1);
    if (!tmp)
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_dequantize_row: cannot allocate %zu bytes", bytes);
    memcpy(tmp, src, bytes);
    tr->dequantize(tmp, dst, n);
    free(tmp);
    return REALM_OK;
}
