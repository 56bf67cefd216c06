/* Internal: the ROWS16 group super-block (16 rows' GGUF blocks of one
 * super-block, rearranged, same size) of q5_K and q8_K, shared by the
 * repacker (rows16_k58.c) and the GEMV kernels. As in rows16_layout.h, a
 * 64-byte vector is 4 bytes of each of the 16 rows (32-bit lane r = row r)
 * holding consecutive elements, so a 4-byte activation broadcast meets them
 * in natural order, and per-row scalars are one entry per lane. */
#ifndef REALM_ROWS16_LAYOUT_K58_H
#define REALM_ROWS16_LAYOUT_K58_H

#include <assert.h>
#include <stdint.h>

#include "quant/blocks.h"
#include "repack/rows16_layout.h" /* rows16_sm6: q5_K shares q4_K's scale packing */

/* q5_K: rows16_q4_K plus the fifth bits. Sub-block j (32 elements) of row
 * r: low 4 bits in qs[j][0..3][r] (byte b of qs[j][t][r]: element 32j + 8t
 * + b low nibble, 32j + 8t + 4 + b high nibble); fifth bits in qh[j][r]
 * (byte b, bit 2t + h: element 32j + 8t + 4h + b), so one 64-byte load of
 * qh serves the sub-block's four qs loads with a shift each. Scales and
 * mins as q4_K: low 4 bits in scm[j][r] (scale low nibble, min high), top
 * 2 bits in hi[r] at bits 2j (scale) and 16 + 2j (min). */
typedef struct {
    uint8_t qs[8][4][16][4];
    uint8_t qh[8][16][4];
    uint8_t scm[8][16];
    uint32_t hi[16];
    realm_half d[16], dmin[16];
} rows16_q5_K;
static_assert(sizeof(rows16_q5_K) == 16 * 176, "rows16_q5_K size");

/* q8_K: qs[t][r][b] is element 4t + b of row r (the signed GGUF byte; the
 * kernels flip it to u8 themselves), d row r's scale. The dot reads qs and
 * d only: the bsums (row r's GGUF bsums, kept for the exact round trip) go
 * last, off the kernel's lines (4672 = 73 * 64: group super-blocks stay
 * line-aligned). */
typedef struct {
    int8_t qs[64][16][4];
    float d[16];
    int16_t bsums[16][16];
} rows16_q8_K;
static_assert(sizeof(rows16_q8_K) == 16 * 292, "rows16_q8_K size");

#endif
