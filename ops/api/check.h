/* Internal: argument checks shared by the public op wrappers in ops/api/.
 * Each returns REALM_OK, or records "<fn>: <what is wrong>" for
 * realm_last_error() and returns the failing status; REALM_TRY turns a
 * wrapper into a plain list of checks followed by the kernel call. */
#ifndef REALM_API_CHECK_H
#define REALM_API_CHECK_H

#include "kernels.h"

/* Returns from the calling function when a check fails. */
#define REALM_TRY(expr)                                                                                      \
    do {                                                                                                     \
        realm_status try_status_ = (expr);                                                                   \
        if (try_status_ != REALM_OK) return try_status_;                                                     \
    } while (0)

/* Stores the kernel table of be in *kt; REALM_ERR_INVALID_ARG for a value
 * outside the enum. */
realm_status realm_check_backend(const char *fn, realm_backend be, const realm_kernel_table **kt);

/* REALM_ERR_INVALID_ARG when p is NULL. */
realm_status realm_check_ptr(const char *fn, const char *name, const void *p);

/* REALM_ERR_INVALID_ARG when v < min. */
realm_status realm_check_min(const char *fn, const char *name, int64_t v, int64_t min);

/* Byte size of a dense tensor with ndims non-negative dims of elem bytes
 * each, in *bytes; REALM_ERR_OVERFLOW when the element count does not fit
 * an int64 index or the byte count does not fit size_t. */
realm_status realm_check_bytes(const char *fn, const char *name, const int64_t *dims, int ndims, size_t elem,
                               size_t *bytes);

/* A rows x cols f32 matrix (both >= 1) with row stride ld: ld >= cols
 * (REALM_ERR_INVALID_ARG otherwise), and the bytes from its first to its last
 * element, (rows - 1) * ld + cols floats, in *bytes (REALM_ERR_OVERFLOW when
 * that is not addressable). */
realm_status realm_check_matrix(const char *fn, const char *name, int64_t rows, int64_t cols, int64_t ld,
                                const char *ld_name, size_t *bytes);

/* REALM_ERR_INVALID_ARG when the output bytes [out, out + out_bytes) share
 * any byte with the input [in, in + in_bytes), except that out == in is
 * allowed when in_place_ok (an elementwise op run in place). */
realm_status realm_check_overlap(const char *fn, const char *out_name, const void *out, size_t out_bytes,
                                 const char *in_name, const void *in, size_t in_bytes, bool in_place_ok);

/* REALM_ERR_INVALID_ARG unless v is finite and > 0 (an eps, a frequency). */
realm_status realm_check_positive(const char *fn, const char *name, float v);

/* Every check of realm_matmul_quant() (also used by the runtime's threaded
 * version); stores the backend's kernel table in *out. */
realm_status realm_check_matmul_quant(const char *fn, realm_backend be, realm_type wtype, const void *W,
                                      int64_t rows, int64_t k, const float *X, int64_t batch, const float *Y,
                                      const realm_kernel_table **out);
/* The same checks without X (a matmul whose activations come from elsewhere). */
realm_status realm_check_matmul_quant_w(const char *fn, realm_backend be, realm_type wtype, const void *W,
                                        int64_t rows, int64_t k, int64_t batch, const float *Y,
                                        const realm_kernel_table **out);

#endif
