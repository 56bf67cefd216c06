/**
 * @file types.h
 * @brief Status codes, tensor types (GGUF ids), per-type traits, fp16 helpers.
 *
 * Error convention (all of realm): functions return a ::realm_status; on
 * failure realm_last_error() gives a sentence for the calling thread.
 * No public function aborts, exits or prints on bad input.
 */
#ifndef REALM_TYPES_H
#define REALM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every fallible call. REALM_OK is zero. */
typedef enum realm_status {
    REALM_OK = 0,                /**< success */
    REALM_ERR_INVALID_ARG = 1,   /**< NULL pointer, negative size, bad enum value */
    REALM_ERR_UNSUPPORTED = 2,   /**< valid request this build or CPU cannot do */
    REALM_ERR_OUT_OF_MEMORY = 3, /**< an allocation failed */
    REALM_ERR_IO = 4,            /**< a file could not be opened, read or written */
    REALM_ERR_FORMAT = 5,        /**< malformed file or data */
    REALM_ERR_SHAPE = 6,         /**< sizes that do not fit together (e.g. n not a multiple of the block) */
    REALM_ERR_OVERFLOW = 7,      /**< a size computation would overflow */
    REALM_ERR_STATE = 8,         /**< call out of order (e.g. run before compile) */
    REALM_ERR_INTERNAL = 9,      /**< a bug in realm; please report */
} realm_status;

/** Number of distinct ::realm_status values. */
#define REALM_STATUS_COUNT 10

/**
 * @brief Short stable name of a status ("REALM_OK", "REALM_ERR_SHAPE", ...).
 * @return a static string; "REALM_ERR_UNKNOWN" for values outside the enum.
 */
const char *realm_status_str(realm_status s);

/**
 * @brief Human-readable description of the last error on the calling thread.
 *
 * Set by every public call that fails; left unchanged by calls that succeed.
 * @return a thread-local string owned by realm, valid until the next failing
 *         call on this thread; "" when no error happened yet.
 */
const char *realm_last_error(void);

/**
 * Tensor element types. Values equal GGUF tensor type ids so files are read
 * in place. Ids 4 and 5 (old Q4_2/Q4_3) are unused in GGUF.
 */
typedef enum realm_type {
    REALM_TYPE_F32 = 0,
    REALM_TYPE_F16 = 1,
    REALM_TYPE_Q4_0 = 2,
    REALM_TYPE_Q4_1 = 3,
    REALM_TYPE_Q5_0 = 6,
    REALM_TYPE_Q5_1 = 7,
    REALM_TYPE_Q8_0 = 8,
    REALM_TYPE_Q8_1 = 9,
    REALM_TYPE_Q2_K = 10,
    REALM_TYPE_Q3_K = 11,
    REALM_TYPE_Q4_K = 12,
    REALM_TYPE_Q5_K = 13,
    REALM_TYPE_Q6_K = 14,
    REALM_TYPE_Q8_K = 15,
    REALM_TYPE_COUNT = 16, /**< one past the largest weight type id; not a type */
    REALM_TYPE_I32 = 26,   /**< int32 (GGUF's id): token-id graph inputs only, not a weight type */
} realm_type;

/**
 * Reference quantizer of one row: @p n elements (a multiple of the block
 * size) from @p src into blocks at @p dst. @p importance, when not NULL,
 * holds one non-negative weight per element for the error the search
 * minimises.
 */
typedef void (*realm_quantize_fn)(const float *src, void *dst, int64_t n, const float *importance);
/** Reference dequantizer of one row of @p n elements. */
typedef void (*realm_dequantize_fn)(const void *src, float *dst, int64_t n);

/** Static description of a type. */
typedef struct realm_type_traits {
    const char *name;               /**< GGUF spelling: "f32", "q4_0", "q4_K" ... */
    int64_t block_elems;            /**< elements per block (1 for f32/f16) */
    size_t block_bytes;             /**< bytes per block */
    bool is_quantized;              /**< true for the 12 block formats */
    realm_type dot_type;            /**< activation type the fast dot kernels pair it with */
    realm_quantize_fn quantize;     /**< reference quantizer (f32 -> this type) */
    realm_dequantize_fn dequantize; /**< reference dequantizer (this type -> f32) */
} realm_type_traits;

/**
 * @brief Traits of a type.
 * @return a pointer to a static table entry, or NULL (with an error message)
 *         when @p t is not a valid type.
 */
const realm_type_traits *realm_type_get_traits(realm_type t);

/** @brief true when @p t names a type realm knows (f32, f16 or one of the 12 formats). */
bool realm_type_is_valid(realm_type t);

/**
 * @brief Byte alignment of rows of type @p t: 4 for f32 and q8_K (float
 *        fields), 2 for the others (fp16 fields); 0 for an unknown type.
 *
 * Matmul weights must start at such an address (REALM_ERR_INVALID_ARG
 * otherwise); realm_quantize_row() / realm_dequantize_row() accept any
 * address (a misaligned row goes through an aligned copy).
 */
size_t realm_type_align(realm_type t);

/**
 * @brief GGUF name of a type ("q4_K"); "invalid" for an unknown value.
 * @return a static string, never NULL.
 */
const char *realm_type_name(realm_type t);

/**
 * @brief Look a type up by name, case-insensitively ("Q4_K", "q8_0", "F16").
 * @param name NUL-terminated name.
 * @param[out] out the type, written only on success.
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULL arguments or an unknown name.
 */
realm_status realm_type_from_name(const char *name, realm_type *out);

/**
 * @brief Convert float to IEEE half, round to nearest even; subnormals,
 *        infinities and NaN (quiet, sign kept) handled exactly.
 */
uint16_t realm_fp32_to_fp16(float f);

/** @brief Convert IEEE half to float; exact for every input. */
float realm_fp16_to_fp32(uint16_t h);

#ifdef __cplusplus
}
#endif

#endif /* REALM_TYPES_H */
