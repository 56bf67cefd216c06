/* ROWS16 packing of q2_K and q3_K (repack/rows16_layout_k23.h): levels are
 * taken out of the GGUF block into natural element order, then laid out
 * again; unpacking is the exact inverse (every bit of a block is used).
 * GEMM panels come straight from the groups, with the same bytes and
 * floats as qg_pack_panel() with qg_extract_q2_K / qg_extract_q3_K. */
#include <string.h>

#include "quant/blocks.h"
#include "repack/repack.h"
#include "repack/rows16_layout_k23.h"

/* The code below moves 4 bytes (one per b) at a time as a uint32: every
 * shift is followed by a per-byte mask or stays inside the byte, so no bit
 * crosses bytes and the result does not depend on byte order. */
static uint32_t ld32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static void st32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

#define B2 0x03030303u
#define B1 0x01010101u
#define B3 0x07070707u

/* GGUF q2_K / q3_K: element 128h + 32j + l has its 2 low bits at bits 2j
 * of qs[32h + l] (q3_K: its third at bit 4h + j of hmask[l]). In ROWS16
 * terms element 16s + 4t + b with s = 8h + 2j + l / 16, l = 16 (s % 2) +
 * 4t + b. */
static void q2k_pack(const uint8_t *const blocks[16], uint8_t *out) {
    rows16_q2_K *o = (rows16_q2_K *)(void *)out;
    for (int r = 0; r < 16; r++) {
        const block_q2_K *b = (const block_q2_K *)(const void *)blocks[r];
        for (int s = 0; s < 16; s++) {
            const uint8_t *src = b->qs + 32 * (s / 8) + 16 * (s % 2);
            const int j = (s % 8) / 2;
            uint32_t v = 0;
            for (int t = 0; t < 4; t++)
                v |= ((ld32(src + 4 * t) >> (2 * j)) & B2) << (2 * t);
            st32(o->qs[s][r], v);
            o->sm[s / 2][r][s % 2] = b->scales[s];
        }
        o->d[r] = b->d;
        o->dmin[r] = b->dmin;
    }
}

static void q2k_unpack(const uint8_t *gsb, int r, uint8_t *block) {
    const rows16_q2_K *o = (const rows16_q2_K *)(const void *)gsb;
    block_q2_K *b = (block_q2_K *)(void *)block;
    for (int l4 = 0; l4 < 16; l4++) { /* GGUF bytes 4 l4 .. 4 l4 + 3 */
        const int h = l4 / 8, q = (l4 % 8) / 4, t = l4 % 4;
        uint32_t v = 0;
        for (int j = 0; j < 4; j++)
            v |= ((ld32(o->qs[8 * h + 2 * j + q][r]) >> (2 * t)) & B2) << (2 * j);
        st32(b->qs + 4 * l4, v);
    }
    for (int s = 0; s < 16; s++)
        b->scales[s] = o->sm[s / 2][r][s % 2];
    b->d = o->d[r];
    b->dmin = o->dmin[r];
}

/* GGUF q3_K 6-bit scale s: low 4 bits a nibble of bytes 0..7, top 2 bits
 * at bits 2 (s / 4) of byte 8 + s % 4. */
static int q3k_scale(const uint8_t *sc, int s) {
    const int low = s < 8 ? sc[s] & 15 : sc[s - 8] >> 4;
    return low | ((sc[8 + s % 4] >> (2 * (s / 4))) & 3) << 4;
}

static void q3k_pack(const uint8_t *const blocks[16], uint8_t *out) {
    rows16_q3_K *o = (rows16_q3_K *)(void *)out;
    for (int r = 0; r < 16; r++) {
        const block_q3_K *b = (const block_q3_K *)(const void *)blocks[r];
        for (int p = 0; p < 8; p++) { /* elements 32p + 4G + b: h = p / 4, j = p % 4, l = 4G + b */
            const int h = p / 4, j = p % 4;
            uint32_t L[8];
            for (int G = 0; G < 8; G++)
                L[G] = ((ld32(b->qs + 32 * h + 4 * G) >> (2 * j)) & B2) |
                       ((ld32(b->hmask + 4 * G) >> (4 * h + j)) & B1) << 2;
            /* rows16_q3_level() read backwards */
            st32(o->q[p][0][r], L[0] | L[1] << 3 | ((L[6] >> 1) & B2) << 6);
            st32(o->q[p][1][r], L[2] | L[3] << 3 | ((L[7] >> 1) & B2) << 6);
            st32(o->q[p][2][r], L[4] | L[5] << 3 | (L[6] & B1) << 6 | (L[7] & B1) << 7);
        }
        uint32_t hi = 0;
        for (int p = 0; p < 8; p++) {
            const int se = q3k_scale(b->scales, 2 * p), so = q3k_scale(b->scales, 2 * p + 1);
            o->lo[p][r] = (uint8_t)((se & 15) | (so & 15) << 4);
            hi |= (uint32_t)(se >> 4) << (2 * p) | (uint32_t)(so >> 4) << (16 + 2 * p);
        }
        o->hi[r] = hi;
        o->d[r] = b->d;
    }
}

static void q3k_unpack(const uint8_t *gsb, int r, uint8_t *block) {
    const rows16_q3_K *o = (const rows16_q3_K *)(const void *)gsb;
    block_q3_K *b = (block_q3_K *)(void *)block;
    uint32_t qs[16] = {0}, hm[8] = {0};
    for (int p = 0; p < 8; p++) {
        const int h = p / 4, j = p % 4;
        const uint32_t v0 = ld32(o->q[p][0][r]), v1 = ld32(o->q[p][1][r]), v2 = ld32(o->q[p][2][r]);
        const uint32_t L[8] = {v0 & B3,
                               (v0 >> 3) & B3,
                               v1 & B3,
                               (v1 >> 3) & B3,
                               v2 & B3,
                               (v2 >> 3) & B3,
                               ((v0 >> 6) & B2) << 1 | ((v2 >> 6) & B1),
                               ((v1 >> 6) & B2) << 1 | ((v2 >> 7) & B1)};
        for (int G = 0; G < 8; G++) {
            qs[8 * h + G] |= (L[G] & B2) << (2 * j);
            hm[G] |= ((L[G] >> 2) & B1) << (4 * h + j);
        }
    }
    for (int i = 0; i < 16; i++)
        st32(b->qs + 4 * i, qs[i]);
    for (int i = 0; i < 8; i++)
        st32(b->hmask + 4 * i, hm[i]);
    memset(b->scales, 0, sizeof b->scales);
    for (int s = 0; s < 16; s++) {
        const int sc = rows16_q3_scale(o, s, r);
        b->scales[s % 8] |= (uint8_t)((sc & 15) << (4 * (s / 8)));
        b->scales[8 + s % 4] |= (uint8_t)((sc >> 4) << (2 * (s / 4)));
    }
    b->d = o->d[r];
}

/* q2_K panel (B 32, Bm 16): q = level * 4-bit scale, s1 = d, m = -dmin * min. */
static void q2k_panel(const uint8_t *grp, int64_t k, qg_panel *p) {
    const rows16_q2_K *g = (const rows16_q2_K *)(const void *)grp;
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        float d[16], dmin[16];
        for (int r = 0; r < 16; r++) {
            d[r] = realm_fp16_to_fp32(g->d[r]);
            dmin[r] = realm_fp16_to_fp32(g->dmin[r]);
        }
        for (int s = 0; s < 16; s++) {
            const int64_t sg = 16 * i + s; /* 16-element block; 32-block sg / 2 */
            uint8_t sc[64];                /* the scale under each byte of a 64-byte group */
            for (int r = 0; r < 16; r++) {
                const uint8_t sm = g->sm[s / 2][r][s % 2];
                memset(sc + 4 * r, sm & 15, 4);
                p->m[sg * 16 + r] = -(dmin[r] * (float)(sm >> 4));
                if (s % 2 == 0) p->s1[sg / 2 * 16 + r] = d[r];
            }
            const uint8_t *src = &g->qs[s][0][0];
            for (int t = 0; t < 4; t++) {
                uint8_t *q = p->q + (sg * 4 + t) * 64; /* 4-byte group 4 (s % 2) + t of block sg / 2 */
                for (int e = 0; e < 64; e++)
                    q[e] = (uint8_t)(((src[e] >> (2 * t)) & 3) * sc[e]);
            }
        }
    }
}

/* q3_K panel (B 16, off 4): q = level, s1 = d * (scale - 32), no min. */
static void q3k_panel(const uint8_t *grp, int64_t k, qg_panel *p) {
    const rows16_q3_K *g = (const rows16_q3_K *)(const void *)grp;
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        float d[16];
        for (int r = 0; r < 16; r++)
            d[r] = realm_fp16_to_fp32(g->d[r]);
        for (int pp = 0; pp < 8; pp++) {
            const int64_t jg = 16 * i + 2 * pp; /* 16-element blocks jg, jg + 1 */
            const uint8_t *v0 = &g->q[pp][0][0][0], *v1 = &g->q[pp][1][0][0], *v2 = &g->q[pp][2][0][0];
            uint8_t *q = p->q + jg * 4 * 64; /* the pair's 8 4-byte groups, in order */
            for (int e = 0; e < 64; e++) {
                q[e] = v0[e] & 7;
                q[64 + e] = (v0[e] >> 3) & 7;
                q[128 + e] = v1[e] & 7;
                q[192 + e] = (v1[e] >> 3) & 7;
                q[256 + e] = v2[e] & 7;
                q[320 + e] = (v2[e] >> 3) & 7;
                q[384 + e] = (uint8_t)((v0[e] >> 6) << 1 | ((v2[e] >> 6) & 1));
                q[448 + e] = (uint8_t)((v1[e] >> 6) << 1 | (v2[e] >> 7));
            }
            for (int u = 0; u < 2; u++)
                for (int r = 0; r < 16; r++) {
                    p->s1[(jg + u) * 16 + r] = d[r] * (float)(rows16_q3_scale(g, 2 * pp + u, r) - 32);
                    p->m[(jg + u) * 16 + r] = 0;
                }
        }
    }
}

static const realm_rows16_traits q2k = {q2k_pack, q2k_unpack, q2k_panel};
static const realm_rows16_traits q3k = {q3k_pack, q3k_unpack, q3k_panel};

void realm_rows16_fill_k23(const realm_rows16_traits **table) {
    table[REALM_TYPE_Q2_K] = &q2k;
    table[REALM_TYPE_Q3_K] = &q3k;
}
