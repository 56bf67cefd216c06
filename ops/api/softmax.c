/* Public row softmax: argument checks, then the backend's kernel. */
#include <float.h>

#include "api/check.h"
#include "core/error.h"

realm_status realm_softmax(realm_backend be, const float *x, float *y, int64_t rows, int64_t cols,
                           float scale, bool causal, int64_t pos0) {
    const char *fn = "realm_softmax";
    const realm_kernel_table *kt;
    size_t bytes;
    REALM_TRY(realm_check_backend(fn, be, &kt));
    REALM_TRY(realm_check_ptr(fn, "x", x));
    REALM_TRY(realm_check_ptr(fn, "y", y));
    REALM_TRY(realm_check_min(fn, "rows", rows, 1));
    REALM_TRY(realm_check_min(fn, "cols", cols, 1));
    if (!(scale >= -FLT_MAX && scale <= FLT_MAX))
        return realm_error(REALM_ERR_INVALID_ARG, "%s: scale = %g, must be finite", fn, (double)scale);
    /* pos0 means nothing without the mask, so only a masked call checks it. */
    if (causal) REALM_TRY(realm_check_min(fn, "pos0", pos0, 0));
    REALM_TRY(realm_check_bytes(fn, "x", (const int64_t[]){rows, cols}, 2, sizeof(float), &bytes));
    REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "x", x, bytes, true));
    kt->softmax(x, y, rows, cols, scale, causal, pos0);
    return REALM_OK;
}
