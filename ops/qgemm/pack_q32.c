/* Direct panel packing of the 32-element GGUF types (Q4_0 .. Q8_1) for the
 * int8 GEMM path: each block goes straight into the panel as 8 four-byte
 * groups, a 32-bit mask or shift each, instead of extracting every level
 * into a row buffer and interleaving it (qg_pack_panel's generic route,
 * which cost about a fifth of a batch-512 q4_0 matmul). Same bytes and
 * floats as that route (test_qgemm). */
#include <string.h>

#include "qgemm/qgemm.h"
#include "realm/quant.h"
#include "repack/rows16_q32.h"

/* spread4[v]: bit i of v at bit 4 of byte i (the fifth bits of a group). */
static uint32_t spread4(uint32_t v) {
    return (v & 1u) << 4 | (v & 2u) << 11 | (v & 4u) << 18 | (v & 8u) << 25;
}

static uint32_t load32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static float half_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return realm_fp16_to_fp32(h);
}

/* Row r of the panel from one GGUF row of k elements (GGUF block offsets
 * from repack/rows16_q32.h). */
static void pack_row(const rows16_q32 *d, size_t block_bytes, const uint8_t *row, int64_t k, int r,
                     qg_panel *p) {
    for (int64_t j = 0; j < k / 32; j++) {
        const uint8_t *blk = row + (size_t)j * block_bytes, *qs = blk + d->gguf_qs;
        uint8_t *out = p->q + (size_t)j * 8 * 64 + (size_t)r * 4;
        uint32_t grp[8];
        if (d->bits == 8) {
            for (int g = 0; g < 8; g++)
                grp[g] = load32(qs + 4 * g) ^ 0x80808080u; /* q + 128 */
        } else {
            const uint32_t qh = d->bits == 5 ? load32(blk + d->gguf_qh) : 0;
            for (int g = 0; g < 4; g++) {
                const uint32_t v = load32(qs + 4 * g);
                grp[g] = (v & 0x0F0F0F0Fu) | spread4((qh >> (4 * g)) & 15u);
                grp[g + 4] = ((v >> 4) & 0x0F0F0F0Fu) | spread4((qh >> (16 + 4 * g)) & 15u);
            }
        }
        for (int g = 0; g < 8; g++)
            memcpy(out + g * 64, &grp[g], 4);
        p->s1[j * QG_ROWS + r] = half_at(blk); /* d leads every block */
        p->m[j * QG_ROWS + r] = d->has_m ? half_at(blk + d->gguf_m) : 0.0f;
    }
}

static void pack_q32(realm_type t, const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k,
                     qg_panel *p) {
    const rows16_q32 *d = rows16_q32_get(t);
    const size_t bb = realm_type_get_traits(t)->block_bytes;
    for (int r = 0; r < QG_ROWS; r++) {
        if (r < n) {
            pack_row(d, bb, (const uint8_t *)W + (size_t)(r0 + r) * row_bytes, k, r, p);
            continue;
        }
        for (int64_t j = 0; j < k / 32; j++) { /* padding rows: zero weights, zero scales */
            for (int g = 0; g < 8; g++)
                memset(p->q + (size_t)j * 8 * 64 + (size_t)g * 64 + (size_t)r * 4, 0, 4);
            p->s1[j * QG_ROWS + r] = 0;
            p->m[j * QG_ROWS + r] = 0;
        }
    }
}

#define PACK_Q32(T)                                                                                          \
    void qg_pack_##T(const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k, qg_panel *p) {       \
        pack_q32(REALM_TYPE_##T, W, row_bytes, r0, n, k, p);                                                 \
    }
PACK_Q32(Q4_0)
PACK_Q32(Q4_1)
PACK_Q32(Q5_0)
PACK_Q32(Q5_1)
PACK_Q32(Q8_0)
PACK_Q32(Q8_1)
