/* Internal: the byte layout of one ROWS16 group super-block (16 rows'
 * blocks of one super-block) per type, shared by the repacker and the GEMV
 * kernels. Same size as the 16 GGUF blocks.
 *
 * Lane r of a 32-bit vector lane is row r. Weight bytes are grouped so that
 * one 64-byte vector holds 4 bytes of each of the 16 rows; within a row's 4
 * bytes, the low nibbles are 4 consecutive elements and the high nibbles
 * the next 4, so a 4-byte broadcast of the activations meets them in
 * natural order. */
#ifndef REALM_ROWS16_LAYOUT_H
#define REALM_ROWS16_LAYOUT_H

#include <assert.h>
#include <stdint.h>

#include "quant/blocks.h"

/* q4_K: sub-block j (32 elements) of row r is qs[j][0..3][r][0..3]; byte b
 * of qs[j][t][r] holds element 32j + 8t + b (low nibble) and 32j + 8t + 4
 * + b (high). The 6-bit scale and min of sub-block j: low 4 bits in scm[j][r]
 * (scale low, min high nibble), top 2 bits in hi[r] at bits 2j (scale) and
 * 16 + 2j (min). */
typedef struct {
    uint8_t qs[8][4][16][4];
    uint8_t scm[8][16];
    uint32_t hi[16];
    realm_half d[16], dmin[16];
} rows16_q4_K;
static_assert(sizeof(rows16_q4_K) == 16 * 144, "rows16_q4_K size");

/* Scale and min of sub-block j of row r from scm / hi (q4_K and q5_K). */
static inline void rows16_sm6(uint8_t scm, uint32_t hi, int j, int *sc, int *m) {
    *sc = (scm & 15) | (int)((hi >> (2 * j)) & 3) << 4;
    *m = (scm >> 4) | (int)((hi >> (16 + 2 * j)) & 3) << 4;
}

/* Stores scale and min of sub-block j into scm and the top bits into *hi. */
static inline void rows16_sm6_put(int sc, int m, int j, uint8_t *scm, uint32_t *hi) {
    *scm = (uint8_t)((sc & 15) | (m & 15) << 4);
    *hi |= (uint32_t)(sc >> 4) << (2 * j) | (uint32_t)(m >> 4) << (16 + 2 * j);
}

/* q6_K: sub-block s (16 elements) of row r: low 4 bits in ql[s][0..1][r]
 * (byte b of ql[s][t][r]: element 16s + 8t + b low nibble, + 4 high), top 2
 * bits in qh[s][r] (byte b: element 16s + 4i + b at bits 2i). Scales of
 * sub-blocks 2p, 2p + 1 side by side in sc[p][r]. */
typedef struct {
    uint8_t ql[16][2][16][4];
    uint8_t qh[16][16][4];
    int8_t sc[8][16][2];
    realm_half d[16];
} rows16_q6_K;
static_assert(sizeof(rows16_q6_K) == 16 * 210, "rows16_q6_K size");

#endif
