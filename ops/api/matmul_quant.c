/* Public fused quantized matmul: argument checks, then the backend's kernel. */
#include <stdint.h>

#include "api/check.h"
#include "core/error.h"

realm_status realm_check_matmul_quant_w(const char *fn, realm_backend be, realm_type wtype, const void *W,
                                        int64_t rows, int64_t k, int64_t batch, const float *Y,
                                        const realm_kernel_table **out) {
    const realm_kernel_table *kt;
    REALM_TRY(realm_check_backend(fn, be, &kt));
    if (!realm_type_is_valid(wtype))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: unknown weight type id %d", fn, (int)wtype);
    REALM_TRY(realm_check_ptr(fn, "W", W));
    REALM_TRY(realm_check_ptr(fn, "Y", Y));
    if ((uintptr_t)W % realm_type_align(wtype) != 0)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "%s: W (%p) is not aligned to %zu bytes, as %s rows must be", fn, W,
                           realm_type_align(wtype), realm_type_name(wtype));
    REALM_TRY(realm_check_min(fn, "rows", rows, 1));
    REALM_TRY(realm_check_min(fn, "k", k, 1));
    REALM_TRY(realm_check_min(fn, "batch", batch, 1));
    const realm_type_traits *tr = realm_type_get_traits(wtype);
    if (k % tr->block_elems != 0)
        return realm_error(REALM_ERR_SHAPE, "%s: k=%lld is not a multiple of the %s block size %lld", fn,
                           (long long)k, tr->name, (long long)tr->block_elems);
    const int64_t wdims[2] = {rows, k / tr->block_elems}, xdims[2] = {batch, k}, ydims[2] = {batch, rows};
    size_t wbytes, xbytes, ybytes;
    REALM_TRY(realm_check_bytes(fn, "W", wdims, 2, tr->block_bytes, &wbytes));
    REALM_TRY(realm_check_bytes(fn, "X", xdims, 2, sizeof(float), &xbytes));
    REALM_TRY(realm_check_bytes(fn, "Y", ydims, 2, sizeof(float), &ybytes));
    REALM_TRY(realm_check_overlap(fn, "Y", Y, ybytes, "W", W, wbytes, false));
    *out = kt;
    return REALM_OK;
}

realm_status realm_check_matmul_quant(const char *fn, realm_backend be, realm_type wtype, const void *W,
                                      int64_t rows, int64_t k, const float *X, int64_t batch, const float *Y,
                                      const realm_kernel_table **out) {
    REALM_TRY(realm_check_ptr(fn, "X", X));
    REALM_TRY(realm_check_matmul_quant_w(fn, be, wtype, W, rows, k, batch, Y, out));
    size_t xbytes, ybytes; /* sizes fit: checked above */
    REALM_TRY(realm_check_bytes(fn, "X", (const int64_t[]){batch, k}, 2, sizeof(float), &xbytes));
    REALM_TRY(realm_check_bytes(fn, "Y", (const int64_t[]){batch, rows}, 2, sizeof(float), &ybytes));
    return realm_check_overlap(fn, "Y", Y, ybytes, "X", X, xbytes, false);
}

realm_status realm_matmul_quant(realm_backend be, realm_type wtype, const void *W, int64_t rows, int64_t k,
                                const float *X, int64_t batch, float *Y) {
    const realm_kernel_table *kt;
    REALM_TRY(realm_check_matmul_quant("realm_matmul_quant", be, wtype, W, rows, k, X, batch, Y, &kt));
    return kt->matmul_quant(wtype, W, rows, k, X, k, batch, Y, rows);
}
