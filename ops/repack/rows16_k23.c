/* ROWS16 packing of q2_K and q3_K (repack/rows16_layout_k23.h): levels are
 * taken out of the GGUF block into natural element order, then laid out
 * again; unpacking is the exact inverse (every bit of a block is used).
 * GEMM panels come straight from the groups, with the same bytes and
 * floats as qg_pack_panel() with qg_extract_q2_K / qg_extract_q3_K. */
#include <string.h>

#include "quant/blocks.h"
#include "repack/repack.h"
#include "repack/rows16_layout_k23.h"

/* GGUF q2_K / q3_K: element 128h + 32j + l has its 2 low bits at bits 2j
 * of qs[32h + l] (q3_K: its third at bit 4h + j of hmask[l]). */
static int qs_byte(int e) { return 32 * (e / 128) + e % 32; }
static int qs_shift(int e) { return 2 * ((e % 128) / 32); }

static void q2k_pack(const uint8_t *const blocks[16], uint8_t *out) {
    rows16_q2_K *o = (rows16_q2_K *)(void *)out;
    memset(o->qs, 0, sizeof o->qs);
    for (int r = 0; r < 16; r++) {
        const block_q2_K *b = (const block_q2_K *)(const void *)blocks[r];
        for (int e = 0; e < QK_K; e++) {
            const int lv = (b->qs[qs_byte(e)] >> qs_shift(e)) & 3, s = e / 16, t = (e % 16) / 4;
            o->qs[s][r][e % 4] |= (uint8_t)(lv << (2 * t));
        }
        for (int s = 0; s < 16; s++)
            o->sm[s / 2][r][s % 2] = b->scales[s];
        o->d[r] = b->d;
        o->dmin[r] = b->dmin;
    }
}

static void q2k_unpack(const uint8_t *gsb, int r, uint8_t *block) {
    const rows16_q2_K *o = (const rows16_q2_K *)(const void *)gsb;
    block_q2_K *b = (block_q2_K *)(void *)block;
    memset(b->qs, 0, sizeof b->qs);
    for (int e = 0; e < QK_K; e++) {
        const int s = e / 16, t = (e % 16) / 4, lv = (o->qs[s][r][e % 4] >> (2 * t)) & 3;
        b->qs[qs_byte(e)] |= (uint8_t)(lv << qs_shift(e));
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
    memset(o->q, 0, sizeof o->q);
    for (int r = 0; r < 16; r++) {
        const block_q3_K *b = (const block_q3_K *)(const void *)blocks[r];
        for (int e = 0; e < QK_K; e++) {
            const int h = (b->hmask[e % 32] >> (4 * (e / 128) + (e % 128) / 32)) & 1;
            const int lv = ((b->qs[qs_byte(e)] >> qs_shift(e)) & 3) | h << 2;
            const int p = e / 32, G = (e % 32) / 4, bb = e % 4;
            uint8_t *v0 = &o->q[p][0][r][bb], *v1 = &o->q[p][1][r][bb], *v2 = &o->q[p][2][r][bb];
            switch (G) { /* rows16_q3_level() read backwards */
            case 0:
                *v0 |= (uint8_t)lv;
                break;
            case 1:
                *v0 |= (uint8_t)(lv << 3);
                break;
            case 2:
                *v1 |= (uint8_t)lv;
                break;
            case 3:
                *v1 |= (uint8_t)(lv << 3);
                break;
            case 4:
                *v2 |= (uint8_t)lv;
                break;
            case 5:
                *v2 |= (uint8_t)(lv << 3);
                break;
            case 6:
                *v0 |= (uint8_t)((lv >> 1) << 6), *v2 |= (uint8_t)((lv & 1) << 6);
                break;
            default:
                *v1 |= (uint8_t)((lv >> 1) << 6), *v2 |= (uint8_t)((lv & 1) << 7);
                break;
            }
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
    memset(b, 0, sizeof *b);
    for (int e = 0; e < QK_K; e++) {
        const int lv = rows16_q3_level(o, e / 32, (e % 32) / 4, r, e % 4);
        b->qs[qs_byte(e)] |= (uint8_t)((lv & 3) << qs_shift(e));
        b->hmask[e % 32] |= (uint8_t)((lv >> 2) << (4 * (e / 128) + (e % 128) / 32));
    }
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
    for (int64_t i = 0; i < k / QK_K; i++, g++)
        for (int s = 0; s < 16; s++) {
            const int64_t sg = 16 * i + s; /* 16-element block; 32-block sg / 2 */
            uint8_t sc[16];
            for (int r = 0; r < 16; r++) {
                const uint8_t sm = g->sm[s / 2][r][s % 2];
                sc[r] = sm & 15;
                p->m[sg * 16 + r] = -(realm_fp16_to_fp32(g->dmin[r]) * (float)(sm >> 4));
                if (s % 2 == 0) p->s1[sg / 2 * 16 + r] = realm_fp16_to_fp32(g->d[r]);
            }
            const uint8_t *src = &g->qs[s][0][0];
            for (int t = 0; t < 4; t++) {
                uint8_t *q = p->q + (sg * 4 + t) * 64; /* 4-byte group 4 (s % 2) + t of block sg / 2 */
                for (int e = 0; e < 64; e++)
                    q[e] = (uint8_t)(((src[e] >> (2 * t)) & 3) * sc[e / 4]);
            }
        }
}

/* q3_K panel (B 16, off 4): q = level, s1 = d * (scale - 32), no min. */
static void q3k_panel(const uint8_t *grp, int64_t k, qg_panel *p) {
    const rows16_q3_K *g = (const rows16_q3_K *)(const void *)grp;
    for (int64_t i = 0; i < k / QK_K; i++, g++)
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
                    p->s1[(jg + u) * 16 + r] =
                        realm_fp16_to_fp32(g->d[r]) * (float)(rows16_q3_scale(g, 2 * pp + u, r) - 32);
                    p->m[(jg + u) * 16 + r] = 0;
                }
        }
}

static const realm_rows16_traits q2k = {q2k_pack, q2k_unpack, q2k_panel};
static const realm_rows16_traits q3k = {q3k_pack, q3k_unpack, q3k_panel};

void realm_rows16_fill_k23(const realm_rows16_traits **table) {
    table[REALM_TYPE_Q2_K] = &q2k;
    table[REALM_TYPE_Q3_K] = &q3k;
}
