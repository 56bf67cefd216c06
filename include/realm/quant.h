/**
 * @file quant.h
 * @brief Quantize and dequantize rows in the GGUF block formats.
 *
 * Blocks are byte-for-byte GGUF's, so rows from a GGUF file can be passed
 * as they are.
 */
#ifndef REALM_QUANT_H
#define REALM_QUANT_H

#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Bytes taken by a row of @p n elements of type @p t.
 * @return the size, or 0 (with an error message) for an unknown type, a
 *         negative @p n, @p n not a multiple of the block size, or a size
 *         that does not fit in size_t.
 */
size_t realm_row_bytes(realm_type t, int64_t n);

/**
 * @brief Quantize one row of @p n floats into type @p t.
 *
 * For f32 the row is copied; for f16 each value is rounded to nearest even.
 * @param t destination type.
 * @param src @p n floats (read only).
 * @param dst realm_row_bytes(t, n) bytes, written completely.
 * @param n elements, a multiple of the block size of @p t.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL pointers, negative n or
 *         an unknown type; REALM_ERR_SHAPE when n is not a multiple of the
 *         block size.
 */
realm_status realm_quantize_row(realm_type t, const float *src, void *dst, int64_t n);

/**
 * @brief Like realm_quantize_row(), with per-element importance weights.
 *
 * The scale search minimises sum(importance[i] * (x[i] - q[i])^2) instead of
 * the plain squared error.
 * @param t destination type.
 * @param src @p n floats.
 * @param dst realm_row_bytes(t, n) bytes, written completely.
 * @param n elements, a multiple of the block size of @p t.
 * @param importance @p n finite, non-negative weights, or NULL (same as
 *        realm_quantize_row()).
 * @return as realm_quantize_row(); REALM_ERR_INVALID_ARG for a negative or
 *         non-finite weight.
 */
realm_status realm_quantize_row_weighted(realm_type t, const float *src, void *dst, int64_t n,
                                         const float *importance);

/**
 * @brief Dequantize one row of @p n elements of type @p t into floats.
 * @param t source type.
 * @param src realm_row_bytes(t, n) bytes (read only).
 * @param dst @p n floats, written completely; must not overlap @p src.
 * @param n elements, a multiple of the block size of @p t.
 * @return as realm_quantize_row().
 */
realm_status realm_dequantize_row(realm_type t, const void *src, float *dst, int64_t n);

#ifdef __cplusplus
}
#endif

#endif /* REALM_QUANT_H */
