/* Naive fused dequantize + matmul: exact dequantized weights times
 * unquantized activations, accumulated in double. Each (row, batch) dot
 * product dequantizes its row one block at a time into a stack buffer, so
 * the kernel never allocates (and so can never fail). */
#include "reference/reference.h"

enum { CHUNK = 256 }; /* a multiple of every block size */

static double dot_row(const realm_type_traits *tr, const uint8_t *w, int64_t k, const float *x) {
    float buf[CHUNK];
    double acc = 0;
    /* f32 / f16 have 1-element blocks: chunk by CHUNK elements for them too */
    const int64_t step = tr->block_elems > 1 ? tr->block_elems : CHUNK;
    const size_t step_bytes = (size_t)(step / tr->block_elems) * tr->block_bytes;
    for (int64_t i = 0; i < k; i += step) {
        const int64_t len = k - i < step ? k - i : step;
        tr->dequantize(w, buf, len);
        for (int64_t j = 0; j < len; j++)
            acc += (double)buf[j] * (double)x[i + j];
        w += step_bytes;
    }
    return acc;
}

realm_status realm_ref_matmul_quant(realm_type t, const void *W, int64_t rows, int64_t k, const float *X,
                                    int64_t ldx, int64_t batch, float *Y, int64_t ldy) {
    const realm_type_traits *tr = realm_type_get_traits(t);
    const size_t row_bytes = (size_t)(k / tr->block_elems) * tr->block_bytes;
    for (int64_t r = 0; r < rows; r++) {
        const uint8_t *w = (const uint8_t *)W + (size_t)r * row_bytes;
        for (int64_t b = 0; b < batch; b++)
            Y[b * ldy + r] = (float)dot_row(tr, w, k, X + b * ldx);
    }
    return REALM_OK;
}
