/* Internal: ROWS16 group super-blocks of q2_K and q3_K (the conventions of
 * repack/rows16_layout.h: 32-bit lane r of a 64-byte vector is row r, and
 * a row's 4 bytes hold consecutive elements, element e0 + b in byte b, so
 * a 4-byte activation broadcast meets them in order). Same size as the 16
 * GGUF blocks; every bit of them is kept. */
#ifndef REALM_ROWS16_LAYOUT_K23_H
#define REALM_ROWS16_LAYOUT_K23_H

#include <assert.h>
#include <stdint.h>

#include "quant/blocks.h"

/* q2_K: sub-block s (16 elements) of row r is qs[s][r][0..3]: bits 2t, 2t + 1
 * of byte b hold the level of element 16s + 4t + b, so (v >> 2t) & 3 is 4
 * consecutive elements of every row. The GGUF scale bytes (scale low
 * nibble, min high) of sub-blocks 2p and 2p + 1 sit side by side in
 * sm[p][r]: one cvtepu8_epi16 gives lane r both, as its two words, which
 * is what vpdpwssd pairs with bsums 2p, 2p + 1. */
typedef struct {
    uint8_t qs[16][16][4];
    uint8_t sm[8][16][2];
    realm_half d[16], dmin[16];
} rows16_q2_K;
static_assert(sizeof(rows16_q2_K) == 16 * 84, "rows16_q2_K size");

/* q3_K: level = 2 low bits | hmask bit << 2 (0..7, value level - 4).
 * Sub-blocks 2p, 2p + 1 (32 elements: group G = elements 32p + 4G + b,
 * b = 0..3) of row r take 12 bytes, q[p][0..2][r][b]: v0 bits 0-2 group 0,
 * bits 3-5 group 1; v1 groups 2, 3 likewise; v2 groups 4, 5; group 6 has
 * level bits 1-2 in v0 bits 6-7 and bit 0 in v2 bit 6, group 7 level bits
 * 1-2 in v1 bits 6-7 and bit 0 in v2 bit 7 (v2 >> 1 or >> 2 puts bit 0
 * under them: one bit-select, then >> 5). 6-bit scales (+32): low 4 bits
 * of sub-blocks 2p (low nibble) and 2p + 1 (high) in lo[p][r]; top 2 bits
 * in hi[r], of 2p at bits 2p and of 2p + 1 at bits 16 + 2p, so one shift
 * of hi puts both under the words of a (2p, 2p + 1) pair. */
typedef struct {
    uint8_t q[8][3][16][4];
    uint8_t lo[8][16];
    uint32_t hi[16];
    realm_half d[16];
} rows16_q3_K;
static_assert(sizeof(rows16_q3_K) == 16 * 110, "rows16_q3_K size");

/* Level of element 32p + 4G + b of row r. */
static inline int rows16_q3_level(const rows16_q3_K *g, int p, int G, int r, int b) {
    const int v0 = g->q[p][0][r][b], v1 = g->q[p][1][r][b], v2 = g->q[p][2][r][b];
    switch (G) {
    case 0:
        return v0 & 7;
    case 1:
        return (v0 >> 3) & 7;
    case 2:
        return v1 & 7;
    case 3:
        return (v1 >> 3) & 7;
    case 4:
        return v2 & 7;
    case 5:
        return (v2 >> 3) & 7;
    case 6:
        return (v0 >> 6) << 1 | ((v2 >> 6) & 1);
    default:
        return (v1 >> 6) << 1 | (v2 >> 7);
    }
}

/* Stored 6-bit scale (value + 32) of sub-block s of row r. */
static inline int rows16_q3_scale(const rows16_q3_K *g, int s, int r) {
    const int p = s / 2, hs = 2 * p + 16 * (s & 1);
    return ((g->lo[p][r] >> (4 * (s & 1))) & 15) | (int)((g->hi[r] >> hs) & 3) << 4;
}

#endif
