/* Public row norms: argument checks, then the backend's kernel. y may be x
 * exactly (in place); weight and bias are optional but must not overlap y. */
#include "api/check.h"

/* Everything both norms check; *kt gets the kernel table. */
static realm_status check_norm(const char *fn, realm_backend be, const realm_kernel_table **kt,
                               const float *x, const float *weight, const float *bias, const float *y,
                               int64_t rows, int64_t cols, float eps) {
    size_t bytes;
    REALM_TRY(realm_check_backend(fn, be, kt));
    REALM_TRY(realm_check_ptr(fn, "x", x));
    REALM_TRY(realm_check_ptr(fn, "y", y));
    REALM_TRY(realm_check_min(fn, "rows", rows, 1));
    REALM_TRY(realm_check_min(fn, "cols", cols, 1));
    REALM_TRY(realm_check_positive(fn, "eps", eps));
    REALM_TRY(realm_check_bytes(fn, "x", (const int64_t[]){rows, cols}, 2, sizeof(float), &bytes));
    size_t row_bytes = (size_t)cols * sizeof(float); /* fits: rows * cols did */
    REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "x", x, bytes, true));
    if (weight) REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "weight", weight, row_bytes, false));
    if (bias) REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "bias", bias, row_bytes, false));
    return REALM_OK;
}

realm_status realm_rms_norm(realm_backend be, const float *x, const float *weight, float *y, int64_t rows,
                            int64_t cols, float eps) {
    const realm_kernel_table *kt;
    REALM_TRY(check_norm("realm_rms_norm", be, &kt, x, weight, NULL, y, rows, cols, eps));
    kt->rms_norm(x, weight, y, rows, cols, eps);
    return REALM_OK;
}

realm_status realm_layer_norm(realm_backend be, const float *x, const float *weight, const float *bias,
                              float *y, int64_t rows, int64_t cols, float eps) {
    const realm_kernel_table *kt;
    REALM_TRY(check_norm("realm_layer_norm", be, &kt, x, weight, bias, y, rows, cols, eps));
    kt->layer_norm(x, weight, bias, y, rows, cols, eps);
    return REALM_OK;
}
