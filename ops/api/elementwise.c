/* Public elementwise ops: argument checks, then the backend's kernel.
 * n == 0 is a valid no-op; pointers must still be non-NULL. The output may
 * be an input exactly (in place) but may not overlap one partially. */
#include "api/check.h"
#include "core/error.h"

/* Backend and length; *bytes gets the size of one vector. */
static realm_status check_vector(const char *fn, realm_backend be, const realm_kernel_table **kt, int64_t n,
                                 size_t *bytes) {
    REALM_TRY(realm_check_backend(fn, be, kt));
    REALM_TRY(realm_check_min(fn, "n", n, 0));
    return realm_check_bytes(fn, "a vector", &n, 1, sizeof(float), bytes);
}

/* fn names the public entry point so its name is the one in the message. */
static realm_status unary(const char *fn, realm_backend be, realm_unary_op op, const float *x, float *y,
                          int64_t n) {
    const realm_kernel_table *kt;
    size_t bytes;
    REALM_TRY(check_vector(fn, be, &kt, n, &bytes));
    if ((int)op < 0 || (int)op >= REALM_UNARY_COUNT)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: invalid unary op %d", fn, (int)op);
    REALM_TRY(realm_check_ptr(fn, "x", x));
    REALM_TRY(realm_check_ptr(fn, "y", y));
    REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "x", x, bytes, true));
    kt->unary[op](x, y, n);
    return REALM_OK;
}

realm_status realm_unary(realm_backend be, realm_unary_op op, const float *x, float *y, int64_t n) {
    return unary("realm_unary", be, op, x, y, n);
}

realm_status realm_silu(realm_backend be, const float *x, float *y, int64_t n) {
    return unary("realm_silu", be, REALM_UNARY_SILU, x, y, n);
}

realm_status realm_gelu(realm_backend be, const float *x, float *y, int64_t n) {
    return unary("realm_gelu", be, REALM_UNARY_GELU_TANH, x, y, n);
}

realm_status realm_gelu_erf(realm_backend be, const float *x, float *y, int64_t n) {
    return unary("realm_gelu_erf", be, REALM_UNARY_GELU_ERF, x, y, n);
}

realm_status realm_relu(realm_backend be, const float *x, float *y, int64_t n) {
    return unary("realm_relu", be, REALM_UNARY_RELU, x, y, n);
}

static realm_status binary(const char *fn, bool multiply, realm_backend be, const float *a, const float *b,
                           float *y, int64_t n) {
    const realm_kernel_table *kt;
    size_t bytes;
    REALM_TRY(check_vector(fn, be, &kt, n, &bytes));
    REALM_TRY(realm_check_ptr(fn, "a", a));
    REALM_TRY(realm_check_ptr(fn, "b", b));
    REALM_TRY(realm_check_ptr(fn, "y", y));
    REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "a", a, bytes, true));
    REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "b", b, bytes, true));
    (multiply ? kt->mul : kt->add)(a, b, y, n);
    return REALM_OK;
}

realm_status realm_add(realm_backend be, const float *a, const float *b, float *y, int64_t n) {
    return binary("realm_add", false, be, a, b, y, n);
}

realm_status realm_mul(realm_backend be, const float *a, const float *b, float *y, int64_t n) {
    return binary("realm_mul", true, be, a, b, y, n);
}

realm_status realm_scale(realm_backend be, const float *x, float s, float *y, int64_t n) {
    const char *fn = "realm_scale";
    const realm_kernel_table *kt;
    size_t bytes;
    REALM_TRY(check_vector(fn, be, &kt, n, &bytes));
    REALM_TRY(realm_check_ptr(fn, "x", x));
    REALM_TRY(realm_check_ptr(fn, "y", y));
    REALM_TRY(realm_check_overlap(fn, "y", y, bytes, "x", x, bytes, true));
    kt->scale(x, s, y, n);
    return REALM_OK;
}
