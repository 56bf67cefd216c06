/* ROWS16 packing of the 32-element block types (repack/rows16_q32.h):
 * levels out of the GGUF block in element order, then laid out again;
 * unpacking is the exact inverse. */
#include "repack/rows16_q32.h"

#include <string.h>

#include "repack/repack.h"

static const rows16_q32 descs[REALM_TYPE_COUNT] = {
    [REALM_TYPE_Q4_0] = {4, 8, -1, -1, 2, 0, 256, 0, 256, -1},
    [REALM_TYPE_Q4_1] = {4, 0, 2, -1, 4, 1, 256, 0, 256, 288},
    [REALM_TYPE_Q5_0] = {5, 16, -1, 2, 6, 0, 256, 64, 320, -1},
    [REALM_TYPE_Q5_1] = {5, 0, 2, 4, 8, 1, 256, 64, 320, 352},
    [REALM_TYPE_Q8_0] = {8, 0, -1, -1, 2, 0, 512, 0, 512, -1},
    [REALM_TYPE_Q8_1] = {8, 0, 2, -1, 4, 0, 512, 0, 512, 544},
};

const rows16_q32 *rows16_q32_get(realm_type t) {
    return (int)t >= 0 && (int)t < REALM_TYPE_COUNT && descs[t].bits ? &descs[t] : NULL;
}

/* The 32 levels (8-bit types: raw bytes) of a GGUF block: byte j holds
 * element j (low nibble) and j + 16 (high); qh bit e is element e's fifth. */
static void levels_of(const rows16_q32 *q, const uint8_t *blk, uint8_t lv[32]) {
    if (q->bits == 8) {
        memcpy(lv, blk + q->gguf_qs, 32);
        return;
    }
    uint32_t qh = 0;
    if (q->gguf_qh >= 0) memcpy(&qh, blk + q->gguf_qh, 4);
    for (int j = 0; j < 16; j++) {
        lv[j] = (uint8_t)((blk[q->gguf_qs + j] & 15) | ((qh >> j) & 1) << 4);
        lv[j + 16] = (uint8_t)((blk[q->gguf_qs + j] >> 4) | ((qh >> (j + 16)) & 1) << 4);
    }
}

static void block_of(const rows16_q32 *q, const uint8_t lv[32], uint8_t *blk) {
    if (q->bits == 8) {
        memcpy(blk + q->gguf_qs, lv, 32);
        return;
    }
    uint32_t qh = 0;
    for (int j = 0; j < 16; j++) {
        blk[q->gguf_qs + j] = (uint8_t)((lv[j] & 15) | (lv[j + 16] & 15) << 4);
        qh |= (uint32_t)(lv[j] >> 4) << j | (uint32_t)(lv[j + 16] >> 4) << (j + 16);
    }
    if (q->gguf_qh >= 0) memcpy(blk + q->gguf_qh, &qh, 4);
}

static void pack_sb(const rows16_q32 *q, const uint8_t *const blocks[16], uint8_t *out) {
    for (int r = 0; r < 16; r++) {
        uint8_t lv[32];
        levels_of(q, blocks[r], lv);
        if (q->bits == 8) {
            for (int t = 0; t < 8; t++)
                memcpy(out + 64 * t + 4 * r, lv + 4 * t, 4);
        } else {
            for (int t = 0; t < 4; t++)
                for (int b = 0; b < 4; b++) {
                    const uint8_t lo = lv[8 * t + b], hi = lv[8 * t + 4 + b];
                    out[64 * t + 4 * r + b] = (uint8_t)((lo & 15) | (hi & 15) << 4);
                    if (q->qh_bytes) {
                        uint8_t *h = &out[q->qs_bytes + 4 * r + b];
                        if (t == 0) *h = 0;
                        *h |= (uint8_t)((lo >> 4) << (2 * t) | (hi >> 4) << (2 * t + 1));
                    }
                }
        }
        memcpy(out + q->d_at + 2 * r, blocks[r], 2); /* d leads every GGUF block */
        if (q->m_at >= 0) memcpy(out + q->m_at + 2 * r, blocks[r] + q->gguf_m, 2);
    }
}

static void unpack_sb(const rows16_q32 *q, const uint8_t *g, int r, uint8_t *blk) {
    uint8_t lv[32];
    if (q->bits == 8) {
        for (int t = 0; t < 8; t++)
            memcpy(lv + 4 * t, g + 64 * t + 4 * r, 4);
    } else {
        for (int t = 0; t < 4; t++)
            for (int b = 0; b < 4; b++) {
                const uint8_t v = g[64 * t + 4 * r + b], h = q->qh_bytes ? g[q->qs_bytes + 4 * r + b] : 0;
                lv[8 * t + b] = (uint8_t)((v & 15) | ((h >> (2 * t)) & 1) << 4);
                lv[8 * t + 4 + b] = (uint8_t)((v >> 4) | ((h >> (2 * t + 1)) & 1) << 4);
            }
    }
    block_of(q, lv, blk);
    memcpy(blk, g + q->d_at + 2 * r, 2);
    if (q->m_at >= 0) memcpy(blk + q->gguf_m, g + q->m_at + 2 * r, 2);
}

/* The GEMM panel (B = 32) of a group: levels (8-bit: q + 128) in the
 * panel's 4-element groups, s1 = d, m = the min or 0 (qgemm/extract.c). */
static void pack_panel(const rows16_q32 *q, const uint8_t *grp, int64_t k, qg_panel *p) {
    const size_t gb = (size_t)q->qs_bytes + (size_t)q->qh_bytes + (q->m_at >= 0 ? 64 : 32);
    for (int64_t j = 0; j < k / 32; j++) {
        const uint8_t *g = grp + (size_t)j * gb;
        uint8_t *out = p->q + j * 8 * 64;
        if (q->bits == 8) {
            for (int e = 0; e < 512; e++)
                out[e] = g[e] ^ 0x80;
        } else {
            for (int t = 0; t < 4; t++)
                for (int e = 0; e < 64; e++) {
                    const uint8_t v = g[64 * t + e], h = q->qh_bytes ? g[q->qs_bytes + e] : 0;
                    out[128 * t + e] = (uint8_t)((v & 15) | ((h >> (2 * t)) & 1) << 4);
                    out[128 * t + 64 + e] = (uint8_t)((v >> 4) | ((h >> (2 * t + 1)) & 1) << 4);
                }
        }
        for (int r = 0; r < 16; r++) {
            uint16_t d, m = 0;
            memcpy(&d, g + q->d_at + 2 * r, 2);
            if (q->has_m) memcpy(&m, g + q->m_at + 2 * r, 2);
            p->s1[j * 16 + r] = realm_fp16_to_fp32(d);
            p->m[j * 16 + r] = q->has_m ? realm_fp16_to_fp32(m) : 0;
        }
    }
}

#define Q32_TRAITS(T)                                                                                        \
    static void pack_##T(const uint8_t *const b[16], uint8_t *o) { pack_sb(&descs[REALM_TYPE_##T], b, o); }  \
    static void unpack_##T(const uint8_t *g, int r, uint8_t *b) {                                            \
        unpack_sb(&descs[REALM_TYPE_##T], g, r, b);                                                          \
    }                                                                                                        \
    static void panel_##T(const uint8_t *g, int64_t k, qg_panel *p) {                                        \
        pack_panel(&descs[REALM_TYPE_##T], g, k, p);                                                         \
    }                                                                                                        \
    static const realm_rows16_traits traits_##T = {pack_##T, unpack_##T, panel_##T};

Q32_TRAITS(Q4_0)
Q32_TRAITS(Q4_1)
Q32_TRAITS(Q5_0)
Q32_TRAITS(Q5_1)
Q32_TRAITS(Q8_0)
Q32_TRAITS(Q8_1)

void realm_rows16_fill_q32(const realm_rows16_traits **table) {
    table[REALM_TYPE_Q4_0] = &traits_Q4_0;
    table[REALM_TYPE_Q4_1] = &traits_Q4_1;
    table[REALM_TYPE_Q5_0] = &traits_Q5_0;
    table[REALM_TYPE_Q5_1] = &traits_Q5_1;
    table[REALM_TYPE_Q8_0] = &traits_Q8_0;
    table[REALM_TYPE_Q8_1] = &traits_Q8_1;
}
