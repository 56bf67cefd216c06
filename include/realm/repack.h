/**
 * @file repack.h
 * @brief Weight layouts for the batch-1 (decode) kernels, and the explicit,
 *        reversible repacking between them and GGUF's.
 *
 * GGUF stores each weight row as consecutive blocks. A decode GEMV that
 * reads rows one at a time spends most of its vector instructions
 * rearranging those bytes (nibble order, packed 6-bit scales). The
 * REALM_LAYOUT_ROWS16 layout interleaves 16 rows per super-block so that
 * one 64-byte load holds 4 weights of each of 16 rows: the kernel
 * broadcasts 4 activation bytes against it, each 32-bit lane is one output
 * row, and scales arrive one byte per row. Same bytes as GGUF (a
 * permutation); rows past the last full group of 16 stay in GGUF layout at
 * the end. Files keep the GGUF layout: repacking is done after loading
 * (realm_model does it for its matmul weights) and undone with
 * realm_unpack().
 */
#ifndef REALM_REPACK_H
#define REALM_REPACK_H

#include <stdbool.h>
#include <stdint.h>

#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How the rows of a quantized weight are arranged in memory. */
typedef enum realm_layout {
    REALM_LAYOUT_GGUF = 0,   /**< consecutive GGUF rows (files, every op) */
    REALM_LAYOUT_ROWS16 = 1, /**< 16 rows interleaved per super-block (matmul weights of some types) */
} realm_layout;

/** True when weights of type @p t can be held in layout @p l (GGUF: always). */
bool realm_layout_supported(realm_type t, realm_layout l);

/** The layout this CPU's fastest kernels want for matmul weights of type
 *  @p t: REALM_LAYOUT_ROWS16 where a SIMD kernel reads it, else GGUF. */
realm_layout realm_layout_preferred(realm_type t);

/** Name of a layout ("gguf", "rows16"), or "?" */
const char *realm_layout_name(realm_layout l);

/**
 * @brief Rearranges @p rows GGUF rows of @p k elements into layout @p to.
 * @param t a quantized type.
 * @param to the layout to write.
 * @param src GGUF rows, realm_row_bytes(t, k) each.
 * @param dst the same number of bytes; must not overlap @p src.
 * @param rows rows, >= 0.
 * @param k elements per row, a multiple of the type's block.
 * @return REALM_ERR_INVALID_ARG for NULL pointers, overlap, k not a multiple
 *         of the block size or negative counts; REALM_ERR_UNSUPPORTED when
 *         the type has no such layout.
 */
realm_status realm_repack(realm_type t, realm_layout to, const void *src, void *dst, int64_t rows, int64_t k);

/** The inverse of realm_repack(): GGUF rows from layout @p from, byte for
 *  byte (@p src in @p from, @p dst GGUF; arguments as realm_repack()). */
realm_status realm_unpack(realm_type t, realm_layout from, const void *src, void *dst, int64_t rows,
                          int64_t k);

/** GGUF rows [r0, r1) of a weight of @p rows rows held in layout @p from,
 *  into @p dst ((r1 - r0) GGUF rows). */
realm_status realm_unpack_rows(realm_type t, realm_layout from, const void *src, int64_t rows, int64_t k,
                               int64_t r0, int64_t r1, void *dst);

#ifdef __cplusplus
}
#endif

#endif
