/* Internal: the ROWS16 weight layout (include/realm/repack.h), per type.
 *
 * A weight of n rows in ROWS16 is n / 16 groups, then the n % 16 remaining
 * rows in GGUF layout. A group is its 16 rows' super-block 0, then their
 * super-block 1, ...: one group super-block holds 16 GGUF blocks' bytes,
 * rearranged by the type's pack_sb. A thread streams one group at a time. */
#ifndef REALM_REPACK_INTERNAL_H
#define REALM_REPACK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "qgemm/qgemm.h"
#include "realm/repack.h"

#define REALM_ROWS16 16

typedef struct realm_rows16_traits {
    /* blocks[r] is row r's GGUF block; out gets 16 * block bytes */
    void (*pack_sb)(const uint8_t *const blocks[REALM_ROWS16], uint8_t *out);
    /* row r's GGUF block back out of a group super-block */
    void (*unpack_sb)(const uint8_t *gsb, int r, uint8_t *block);
    /* the GEMM panel of a group (all 16 rows) of k elements */
    void (*pack_panel)(const uint8_t *grp, int64_t k, qg_panel *p);
} realm_rows16_traits;

void realm_rows16_panel_q4_K(const uint8_t *grp, int64_t k, qg_panel *p);
void realm_rows16_panel_q6_K(const uint8_t *grp, int64_t k, qg_panel *p);

/* NULL when type t has no ROWS16 layout. */
const realm_rows16_traits *realm_rows16_get(realm_type t);
void realm_rows16_fill_k(const realm_rows16_traits **table);   /* q4_K, q6_K; calls the two below */
void realm_rows16_fill_k23(const realm_rows16_traits **table); /* q2_K, q3_K */
void realm_rows16_fill_k58(const realm_rows16_traits **table); /* q5_K, q8_K */
void realm_rows16_fill_q32(const realm_rows16_traits **table); /* the 32-element block types */

/* Where group g (of rows 16g .. 16g + 15) and the GGUF tail start. */
static inline const uint8_t *realm_rows16_group(const void *w, size_t row_bytes, int64_t g) {
    return (const uint8_t *)w + (size_t)g * REALM_ROWS16 * row_bytes;
}
static inline int64_t realm_rows16_full(int64_t rows) { return rows / REALM_ROWS16 * REALM_ROWS16; }

#endif
