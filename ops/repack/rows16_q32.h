/* Internal: the ROWS16 layout of the 32-element block types (Q4_0 .. Q8_1),
 * one description for all six. A group block is the 16 rows' GGUF blocks of
 * one 32-element block, rearranged (same size), at byte offsets:
 *   qs  [0, qs_bytes): 4-bit types: qs[t][r][b] (t < 4) holds element
 *       8t + b (low nibble) and 8t + 4 + b (high) of row r; 8-bit types:
 *       qs[t][r][b] (t < 8) is element 4t + b, the raw signed byte;
 *   qh  (Q5 types, 64 bytes) [r][b]: bit 2t + h is the fifth bit of
 *       element 8t + 4h + b;
 *   d   16 fp16; then m (Q4_1, Q5_1) or s (Q8_1, kept for the round trip):
 *       16 fp16. */
#ifndef REALM_ROWS16_Q32_H
#define REALM_ROWS16_Q32_H

#include <stdint.h>

#include "realm/types.h"

typedef struct rows16_q32 {
    int bits;    /* 4, 5 or 8 */
    int off;     /* level offset: the value is level - off (8-bit: signed bytes, off 0) */
    int gguf_m;  /* GGUF byte offset of m / s, or -1 */
    int gguf_qh; /* GGUF byte offset of qh, or -1 */
    int gguf_qs;
    int has_m; /* m is a min the dot uses (Q4_1, Q5_1) */
    int qs_bytes, qh_bytes, d_at, m_at;
} rows16_q32;

/* NULL for other types. */
const rows16_q32 *rows16_q32_get(realm_type t);

#endif
