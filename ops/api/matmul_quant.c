/* Public fused quantized matmul: argument checks, then the backend's kernel. */
#include "core/error.h"
#include "kernels.h"

/* a * b fits in size_t (both non-negative) */
static int mul_fits(uint64_t a, uint64_t b, uint64_t limit) { return a == 0 || b <= limit / a; }

realm_status realm_matmul_quant(realm_backend be, realm_type wtype, const void *W, int64_t rows, int64_t k,
                                const float *X, int64_t batch, float *Y) {
    static const char fn[] = "realm_matmul_quant";
    const realm_kernel_table *kt = realm_kernels_get(be);
    if (!kt) return realm_error(REALM_ERR_INVALID_ARG, "%s: unknown backend %d", fn, (int)be);
    if (!realm_type_is_valid(wtype))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: unknown weight type id %d", fn, (int)wtype);
    if (!W || !X || !Y)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, !W ? "W" : !X ? "X" : "Y");
    if (rows < 1 || k < 1 || batch < 1)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: rows=%lld k=%lld batch=%lld must all be >= 1", fn,
                           (long long)rows, (long long)k, (long long)batch);
    const realm_type_traits *tr = realm_type_get_traits(wtype);
    if (k % tr->block_elems != 0)
        return realm_error(REALM_ERR_SHAPE, "%s: k=%lld is not a multiple of the %s block size %lld", fn,
                           (long long)k, tr->name, (long long)tr->block_elems);
    const uint64_t row_bytes = (uint64_t)(k / tr->block_elems) * tr->block_bytes;
    if (!mul_fits(row_bytes, (uint64_t)rows, SIZE_MAX) ||
        !mul_fits((uint64_t)batch, (uint64_t)k, SIZE_MAX / sizeof(float)) ||
        !mul_fits((uint64_t)batch, (uint64_t)rows, SIZE_MAX / sizeof(float)))
        return realm_error(REALM_ERR_OVERFLOW, "%s: rows=%lld k=%lld batch=%lld exceed the address space", fn,
                           (long long)rows, (long long)k, (long long)batch);
    kt->matmul_quant(wtype, W, rows, k, X, k, batch, Y, rows);
    return REALM_OK;
}
