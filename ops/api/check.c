/* Argument checks shared by the public op wrappers. Sizes are compared in
 * uint64_t after the sign checks, so no check itself can overflow. */
#include "api/check.h"

#include <float.h>
#include <stdio.h>

#include "core/error.h"

realm_status realm_check_backend(const char *fn, realm_backend be, const realm_kernel_table **kt) {
    *kt = realm_kernels_get(be);
    if (!*kt)
        return realm_error(REALM_ERR_INVALID_ARG,
                           "%s: invalid backend %d (expected REALM_BACKEND_NAIVE or REALM_BACKEND_OPTIMIZED)",
                           fn, (int)be);
    return REALM_OK;
}

realm_status realm_check_ptr(const char *fn, const char *name, const void *p) {
    return p ? REALM_OK : realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, name);
}

realm_status realm_check_min(const char *fn, const char *name, int64_t v, int64_t min) {
    if (v >= min) return REALM_OK;
    return realm_error(REALM_ERR_INVALID_ARG, "%s: %s = %lld, must be >= %lld", fn, name, (long long)v,
                       (long long)min);
}

/* The most elements of elem bytes a buffer may hold: its byte count must fit
 * size_t and every element index must fit the kernels' int64_t arithmetic. */
static uint64_t max_elems(size_t elem) {
    uint64_t by_bytes = (uint64_t)(SIZE_MAX / elem);
    return by_bytes < (uint64_t)INT64_MAX ? by_bytes : (uint64_t)INT64_MAX;
}

realm_status realm_check_bytes(const char *fn, const char *name, const int64_t *dims, int ndims, size_t elem,
                               size_t *bytes) {
    uint64_t limit = max_elems(elem), count = 1;
    for (int i = 0; i < ndims; i++) {
        uint64_t d = (uint64_t)dims[i];
        if (d != 0 && count > limit / d) {
            char shape[128];
            int len = 0;
            for (int j = 0; j < ndims && len < (int)sizeof shape - 24; j++)
                len += snprintf(shape + len, sizeof shape - (size_t)len, "%s%lld", j ? " x " : "",
                                (long long)dims[j]);
            return realm_error(REALM_ERR_OVERFLOW, "%s: %s of %s elements does not fit in memory", fn, name,
                               shape);
        }
        count *= d;
    }
    *bytes = (size_t)count * elem;
    return REALM_OK;
}

realm_status realm_check_matrix(const char *fn, const char *name, int64_t rows, int64_t cols, int64_t ld,
                                const char *ld_name, size_t *bytes) {
    if (ld < cols)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: %s = %lld is shorter than the %lld-element rows of %s",
                           fn, ld_name, (long long)ld, (long long)cols, name);
    uint64_t limit = max_elems(sizeof(float));
    uint64_t r = (uint64_t)rows - 1, c = (uint64_t)cols, l = (uint64_t)ld;
    if (c > limit || (r != 0 && r > (limit - c) / l))
        return realm_error(REALM_ERR_OVERFLOW,
                           "%s: %s of %lld rows with stride %s = %lld does not fit in memory", fn, name,
                           (long long)rows, ld_name, (long long)ld);
    *bytes = (size_t)(r * l + c) * sizeof(float);
    return REALM_OK;
}

realm_status realm_check_overlap(const char *fn, const char *out_name, const void *out, size_t out_bytes,
                                 const char *in_name, const void *in, size_t in_bytes, bool in_place_ok) {
    if (in_place_ok && out == in) return REALM_OK;
    uintptr_t o = (uintptr_t)out, i = (uintptr_t)in;
    /* Compared as distances from the lower address so an end that would
     * pass the top of the address space cannot wrap. */
    bool overlap = o <= i ? i - o < out_bytes : o - i < in_bytes;
    if (!overlap) return REALM_OK;
    return realm_error(REALM_ERR_INVALID_ARG, "%s: %s overlaps %s%s", fn, out_name, in_name,
                       in_place_ok ? " (only exact in-place aliasing is allowed)" : "");
}

realm_status realm_check_positive(const char *fn, const char *name, float v) {
    if (v > 0.0f && v <= FLT_MAX) return REALM_OK;
    return realm_error(REALM_ERR_INVALID_ARG, "%s: %s = %g, must be finite and > 0", fn, name, (double)v);
}
