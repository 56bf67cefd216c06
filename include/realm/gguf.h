/**
 * @file gguf.h
 * @brief Read and write GGUF files (versions 2 and 3), the llama.cpp model format.
 *
 * Reading: realm_gguf_open() maps a file read-only (realm_gguf_open_memory()
 * reads a caller's buffer); metadata (key/value pairs) and tensor infos are
 * parsed and validated once, and tensor data is used in place: a
 * ::realm_gguf_tensor's @c data points into the mapping. Every count, length,
 * dimension and offset is checked against the file size with overflow-checked
 * arithmetic; a malformed file gets REALM_ERR_FORMAT (REALM_ERR_UNSUPPORTED
 * for a well-formed file realm cannot use, e.g. GGUF v1 or a bf16 tensor) and
 * a realm_last_error() sentence naming what is wrong. No input makes the
 * reader crash or read outside the file. (A file truncated by another process
 * while mapped can still raise SIGBUS: the kernel's, not realm's, to catch.)
 *
 * Getters look keys up by name. A missing key or a value of the wrong type is
 * REALM_ERR_FORMAT ("gguf: key 'llama.block_count' missing"), since for a
 * model file that is a defect of the file; NULL arguments are
 * REALM_ERR_INVALID_ARG. Strings point into the file and are NOT
 * NUL-terminated: use the returned length. Keys and tensor names are
 * NUL-terminated copies owned by the ::realm_gguf. Everything returned lives
 * until realm_gguf_close().
 *
 * Writing: realm_gguf_writer_create(), set keys and add tensors (their data is
 * borrowed until realm_gguf_writer_write()), write, destroy. The output has
 * llama.cpp's layout (version 3, tensors in the order added, each at an
 * aligned offset), so llama.cpp and other GGUF readers load it.
 *
 * A ::realm_gguf is immutable after opening, so several threads may read one
 * concurrently; a writer is for one thread at a time.
 */
#ifndef REALM_GGUF_H
#define REALM_GGUF_H

#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque opened GGUF file (mapped read-only, or a borrowed buffer). */
typedef struct realm_gguf realm_gguf;

/** Value types of GGUF metadata; values equal GGUF's type ids. */
typedef enum realm_gguf_vtype {
    REALM_GGUF_NONE = -1,   /**< not a type: realm_gguf_kv_type() for a bad index */
    REALM_GGUF_UINT8 = 0,   /**< uint8_t */
    REALM_GGUF_INT8 = 1,    /**< int8_t */
    REALM_GGUF_UINT16 = 2,  /**< uint16_t */
    REALM_GGUF_INT16 = 3,   /**< int16_t */
    REALM_GGUF_UINT32 = 4,  /**< uint32_t */
    REALM_GGUF_INT32 = 5,   /**< int32_t */
    REALM_GGUF_FLOAT32 = 6, /**< float */
    REALM_GGUF_BOOL = 7,    /**< one byte, 0 false, anything else true */
    REALM_GGUF_STRING = 8,  /**< uint64_t length + bytes (UTF-8, no NUL) */
    REALM_GGUF_ARRAY = 9,   /**< element type (uint32), uint64_t count, elements */
    REALM_GGUF_UINT64 = 10, /**< uint64_t */
    REALM_GGUF_INT64 = 11,  /**< int64_t */
    REALM_GGUF_FLOAT64 = 12 /**< double */
} realm_gguf_vtype;

/** Number of GGUF value types (one past the largest id). */
#define REALM_GGUF_VTYPE_COUNT 13
/** Alignment of the data section and of every tensor when general.alignment is absent. */
#define REALM_GGUF_DEFAULT_ALIGNMENT 32
/** Longest tensor name the writer accepts (llama.cpp's limit, the NUL excluded). */
#define REALM_GGUF_MAX_NAME 63

/**
 * @brief GGUF name of a value type ("uint32", "string", "array", ...).
 * @return a static string; "invalid" for a value outside the enum.
 */
const char *realm_gguf_vtype_name(realm_gguf_vtype t);

/**
 * @brief Opens a GGUF file: maps it read-only and validates all of its structure.
 *
 * @param path file to open.
 * @param[out] out the file, closed with realm_gguf_close(); NULL on failure.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL arguments; REALM_ERR_IO when
 *         the file cannot be opened or mapped; REALM_ERR_FORMAT for a malformed
 *         file; REALM_ERR_UNSUPPORTED for GGUF v1, a big-endian file or a tensor
 *         type realm does not have; REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_gguf_open(const char *path, realm_gguf **out);

/**
 * @brief Like realm_gguf_open(), on a caller's buffer (tests, fuzzing, embedded files).
 *
 * The buffer is borrowed, never written, and must outlive the ::realm_gguf.
 * Any @p size and any content is safe: nothing outside [data, data + size) is read.
 * @param data the file's bytes (any alignment; tensor data pointers are then
 *        only as aligned as @p data plus their offsets).
 * @param size bytes at @p data.
 * @param[out] out the file; NULL on failure.
 * @return as realm_gguf_open(), without REALM_ERR_IO.
 */
realm_status realm_gguf_open_memory(const void *data, size_t size, realm_gguf **out);

/** @brief Closes a file: unmaps it and frees everything it returned. NULL is ignored. */
void realm_gguf_close(realm_gguf *g);

/** @brief GGUF version of the file (2 or 3); 0 for NULL. */
uint32_t realm_gguf_version(const realm_gguf *g);

/** @brief Alignment of the file's tensor data (general.alignment, default 32); 0 for NULL. */
size_t realm_gguf_alignment(const realm_gguf *g);

/** @brief Size of the file (or buffer) in bytes; 0 for NULL. */
size_t realm_gguf_size(const realm_gguf *g);

/** @brief Offset of the data section from the start of the file; tensor offsets count from here. */
size_t realm_gguf_data_offset(const realm_gguf *g);

/** @brief Number of key/value pairs; 0 for NULL. */
int64_t realm_gguf_n_kv(const realm_gguf *g);

/**
 * @brief Key of pair @p i.
 * @return a NUL-terminated copy owned by @p g, or NULL when @p i is out of range.
 */
const char *realm_gguf_key(const realm_gguf *g, int64_t i);

/**
 * @brief Index of a key (O(log n_kv)).
 * @return 0..n_kv-1, or -1 when absent or an argument is NULL.
 */
int64_t realm_gguf_find_key(const realm_gguf *g, const char *key);

/**
 * @brief Value type of pair @p i.
 * @return the type, or ::REALM_GGUF_NONE when @p i is out of range.
 */
realm_gguf_vtype realm_gguf_kv_type(const realm_gguf *g, int64_t i);

/**
 * @brief An integer value that fits in uint32_t.
 *
 * Any integer type is accepted (uint8 ... int64) when its value fits.
 * @param g the file.
 * @param key the key.
 * @param[out] out the value, written only on success.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL arguments; REALM_ERR_FORMAT
 *         when the key is missing, not an integer, or out of range.
 */
realm_status realm_gguf_get_u32(const realm_gguf *g, const char *key, uint32_t *out);

/**
 * @brief An integer value that fits in uint64_t (any integer type, negative values rejected).
 * @param g the file.
 * @param key the key.
 * @param[out] out the value, written only on success.
 * @return as realm_gguf_get_u32().
 */
realm_status realm_gguf_get_u64(const realm_gguf *g, const char *key, uint64_t *out);

/**
 * @brief An integer value that fits in int64_t (any integer type).
 * @param g the file.
 * @param key the key.
 * @param[out] out the value, written only on success.
 * @return as realm_gguf_get_u32().
 */
realm_status realm_gguf_get_i64(const realm_gguf *g, const char *key, int64_t *out);

/**
 * @brief A float32 value, or a float64 one rounded to float.
 * @param g the file.
 * @param key the key.
 * @param[out] out the value, written only on success.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL arguments; REALM_ERR_FORMAT
 *         when the key is missing or not a float.
 */
realm_status realm_gguf_get_f32(const realm_gguf *g, const char *key, float *out);

/**
 * @brief A bool value.
 * @param g the file.
 * @param key the key.
 * @param[out] out the value, written only on success.
 * @return as realm_gguf_get_f32(); REALM_ERR_FORMAT unless the type is bool.
 */
realm_status realm_gguf_get_bool(const realm_gguf *g, const char *key, bool *out);

/**
 * @brief A string value, in place.
 * @param g the file.
 * @param key the key.
 * @param[out] s the first byte, in the file: NOT NUL-terminated.
 * @param[out] len its length in bytes (may be 0).
 * @return as realm_gguf_get_f32(); REALM_ERR_FORMAT unless the type is string.
 */
realm_status realm_gguf_get_str(const realm_gguf *g, const char *key, const char **s, size_t *len);

/**
 * @brief An array value: element type, count and, for numeric arrays, the elements in place.
 *
 * Numeric (and bool) elements are packed little-endian in the file and may be
 * unaligned: copy them with memcpy() rather than dereferencing a cast pointer.
 * For string arrays @p data is set to NULL; use realm_gguf_get_arr_str().
 * @param g the file.
 * @param key the key.
 * @param[out] elem_type the element type (never ::REALM_GGUF_ARRAY: nested arrays are rejected at open).
 * @param[out] n the number of elements (may be 0).
 * @param[out] data the first element, or NULL for strings; may be NULL to skip.
 * @return as realm_gguf_get_f32(); REALM_ERR_FORMAT unless the type is array.
 */
realm_status realm_gguf_get_arr(const realm_gguf *g, const char *key, realm_gguf_vtype *elem_type, int64_t *n,
                                const void **data);

/**
 * @brief Element @p i of a string array, in place, in O(1).
 * @param g the file.
 * @param key the key.
 * @param i 0..n-1.
 * @param[out] s the first byte, NOT NUL-terminated.
 * @param[out] len its length in bytes.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL arguments or @p i out of
 *         range; REALM_ERR_FORMAT when the key is missing or not an array of strings.
 */
realm_status realm_gguf_get_arr_str(const realm_gguf *g, const char *key, int64_t i, const char **s,
                                    size_t *len);

/** @brief Number of tensors; 0 for NULL. */
int64_t realm_gguf_n_tensors(const realm_gguf *g);

/** A tensor of an opened file. */
typedef struct realm_gguf_tensor {
    const char *name; /**< NUL-terminated, owned by the ::realm_gguf */
    realm_type type;  /**< element type */
    int n_dims;       /**< 1..4 */
    int64_t ne[4];    /**< GGUF order: ne[0] is the row length (innermost); unused dims are 1 */
    uint64_t offset;  /**< from the start of the data section; a multiple of the alignment */
    size_t bytes;     /**< size of the data */
    const void *data; /**< the data, in place in the file */
} realm_gguf_tensor;

/**
 * @brief Index of a tensor by name (O(log n_tensors)).
 * @return 0..n_tensors-1, or -1 when absent or an argument is NULL.
 */
int64_t realm_gguf_find_tensor(const realm_gguf *g, const char *name);

/**
 * @brief Description of tensor @p i.
 * @param g the file.
 * @param i 0..n_tensors-1 (file order).
 * @param[out] out the description; its pointers live until realm_gguf_close().
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL arguments or @p i out of range.
 */
realm_status realm_gguf_tensor_info(const realm_gguf *g, int64_t i, realm_gguf_tensor *out);

/** Opaque GGUF writer. */
typedef struct realm_gguf_writer realm_gguf_writer;

/**
 * @brief New, empty writer: version 3, alignment 32 unless general.alignment is set.
 * @param[out] out the writer, freed with realm_gguf_writer_destroy(); NULL on failure.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL @p out; REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_gguf_writer_create(realm_gguf_writer **out);

/** @brief Frees a writer and its copies of keys and values (not tensor data). NULL is ignored. */
void realm_gguf_writer_destroy(realm_gguf_writer *w);

/**
 * @brief Sets a scalar of any numeric or bool type from its in-memory value.
 *
 * Pairs are written in the order first set; setting an existing key replaces
 * its value (and type) in place. general.alignment must be a uint32 power of two.
 * @param w the writer.
 * @param key non-empty, NUL-terminated (copied).
 * @param type ::REALM_GGUF_UINT8 ... ::REALM_GGUF_FLOAT64 except string and array.
 * @param value points to one value of that C type (bool: a @c bool).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL arguments, an empty key, a
 *         string/array/unknown type or a bad general.alignment; REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_gguf_writer_set_scalar(realm_gguf_writer *w, const char *key, realm_gguf_vtype type,
                                          const void *value);

/**
 * @brief Sets a uint32 value (replacing any value of @p key).
 * @param w the writer.
 * @param key non-empty key (copied).
 * @param value the value.
 * @return as realm_gguf_writer_set_scalar().
 */
realm_status realm_gguf_writer_set_u32(realm_gguf_writer *w, const char *key, uint32_t value);

/**
 * @brief Sets an int32 value (replacing any value of @p key).
 * @param w the writer.
 * @param key non-empty key (copied).
 * @param value the value.
 * @return as realm_gguf_writer_set_scalar().
 */
realm_status realm_gguf_writer_set_i32(realm_gguf_writer *w, const char *key, int32_t value);

/**
 * @brief Sets a uint64 value (replacing any value of @p key).
 * @param w the writer.
 * @param key non-empty key (copied).
 * @param value the value.
 * @return as realm_gguf_writer_set_scalar().
 */
realm_status realm_gguf_writer_set_u64(realm_gguf_writer *w, const char *key, uint64_t value);

/**
 * @brief Sets a float32 value (replacing any value of @p key).
 * @param w the writer.
 * @param key non-empty key (copied).
 * @param value the value.
 * @return as realm_gguf_writer_set_scalar().
 */
realm_status realm_gguf_writer_set_f32(realm_gguf_writer *w, const char *key, float value);

/**
 * @brief Sets a bool value (replacing any value of @p key).
 * @param w the writer.
 * @param key non-empty key (copied).
 * @param value the value.
 * @return as realm_gguf_writer_set_scalar().
 */
realm_status realm_gguf_writer_set_bool(realm_gguf_writer *w, const char *key, bool value);

/**
 * @brief Sets a string value (replacing any value of @p key).
 * @param w the writer.
 * @param key non-empty key (copied).
 * @param s NUL-terminated string (copied, written without the NUL).
 * @return as realm_gguf_writer_set_scalar().
 */
realm_status realm_gguf_writer_set_str(realm_gguf_writer *w, const char *key, const char *s);

/**
 * @brief Sets a numeric (or bool) array (replacing any value of @p key).
 * @param w the writer.
 * @param key non-empty key (copied).
 * @param elem element type: a numeric type or ::REALM_GGUF_BOOL (one byte each).
 * @param data @p n packed elements of that type (copied); may be NULL when @p n is 0.
 * @param n number of elements, >= 0.
 * @return as realm_gguf_writer_set_scalar(); REALM_ERR_INVALID_ARG for a string
 *         or array element type or a negative @p n; REALM_ERR_OVERFLOW.
 */
realm_status realm_gguf_writer_set_arr(realm_gguf_writer *w, const char *key, realm_gguf_vtype elem,
                                       const void *data, int64_t n);

/**
 * @brief Sets an array of strings (replacing any value of @p key).
 * @param w the writer.
 * @param key non-empty key (copied).
 * @param strs @p n NUL-terminated strings (copied); may be NULL when @p n is 0.
 * @param n number of strings, >= 0.
 * @return as realm_gguf_writer_set_arr().
 */
realm_status realm_gguf_writer_set_arr_str(realm_gguf_writer *w, const char *key, const char *const *strs,
                                           int64_t n);

/**
 * @brief Copies pair @p i of an opened file (key, type and value, arrays
 *        included) into the writer, replacing any value of that key.
 *
 * For tools that rewrite a file (quantize): copy every pair, then override
 * the ones that change. general.alignment must still be a uint32 power of two.
 * @param w the writer.
 * @param g the source file (may be closed afterwards: the value is copied).
 * @param i 0..realm_gguf_n_kv(g)-1.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL arguments, @p i out of
 *         range or a general.alignment that is not uint32; REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_gguf_writer_copy_kv(realm_gguf_writer *w, const realm_gguf *g, int64_t i);

/**
 * @brief Adds a tensor; tensors are written in the order added.
 * @param w the writer.
 * @param name unique, 1..::REALM_GGUF_MAX_NAME bytes (copied).
 * @param type any valid ::realm_type.
 * @param n_dims 1..4.
 * @param ne @p n_dims sizes >= 1, GGUF order (ne[0] is the row length, a
 *        multiple of the type's block size).
 * @param data the tensor's bytes, borrowed until realm_gguf_writer_write().
 * @param bytes size of @p data: exactly realm_row_bytes(type, ne[0]) times the
 *        product of the other dims.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL arguments, a bad or
 *         duplicate name, a bad type, n_dims or size; REALM_ERR_SHAPE when ne[0]
 *         is not a multiple of the block size or @p bytes does not match;
 *         REALM_ERR_OVERFLOW; REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_gguf_writer_add_tensor(realm_gguf_writer *w, const char *name, realm_type type, int n_dims,
                                          const int64_t *ne, const void *data, size_t bytes);

/**
 * @brief Writes the file: header, key/value pairs, tensor infos, then the aligned data.
 *
 * The writer is unchanged and may write again. On failure the partial file is removed.
 * @param w the writer.
 * @param path the file to create or truncate.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL arguments; REALM_ERR_IO
 *         when the file cannot be created or written; REALM_ERR_OVERFLOW.
 */
realm_status realm_gguf_writer_write(const realm_gguf_writer *w, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* REALM_GGUF_H */
