/* ROWS16 packing of the K formats (repack/rows16_layout.h): levels are
 * taken out of the GGUF block into natural element order, then laid out
 * again; unpacking is the exact inverse (every bit of a block is used). */
#include <string.h>

#include "quant/blocks.h"
#include "quant/kquant_util.h"
#include "repack/repack.h"
#include "repack/rows16_layout.h"

static void q4k_pack(const uint8_t *const blocks[16], uint8_t *out) {
    rows16_q4_K *o = (rows16_q4_K *)(void *)out;
    for (int r = 0; r < 16; r++) {
        const block_q4_K *b = (const block_q4_K *)(const void *)blocks[r];
        uint8_t lv[QK_K];
        for (int c = 0; c < 4; c++)
            for (int l = 0; l < 32; l++) {
                lv[64 * c + l] = b->qs[32 * c + l] & 15;
                lv[64 * c + 32 + l] = b->qs[32 * c + l] >> 4;
            }
        uint32_t hi = 0;
        for (int j = 0; j < 8; j++) {
            int sc, m;
            kq_unpack_scale_min_k4(b->scales, j, &sc, &m);
            rows16_sm6_put(sc, m, j, &o->scm[j][r], &hi);
            for (int t = 0; t < 4; t++)
                for (int e = 0; e < 4; e++)
                    o->qs[j][t][r][e] = (uint8_t)(lv[32 * j + 8 * t + e] | lv[32 * j + 8 * t + 4 + e] << 4);
        }
        o->hi[r] = hi;
        o->d[r] = b->d;
        o->dmin[r] = b->dmin;
    }
}

static void q4k_unpack(const uint8_t *gsb, int r, uint8_t *block) {
    const rows16_q4_K *o = (const rows16_q4_K *)(const void *)gsb;
    block_q4_K *b = (block_q4_K *)(void *)block;
    uint8_t lv[QK_K];
    memset(b->scales, 0, sizeof b->scales);
    for (int j = 0; j < 8; j++) {
        int sc, m;
        rows16_sm6(o->scm[j][r], o->hi[r], j, &sc, &m);
        kq_pack_scale_min_k4(b->scales, j, sc, m);
        for (int t = 0; t < 4; t++)
            for (int e = 0; e < 4; e++) {
                lv[32 * j + 8 * t + e] = o->qs[j][t][r][e] & 15;
                lv[32 * j + 8 * t + 4 + e] = o->qs[j][t][r][e] >> 4;
            }
    }
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++)
            b->qs[32 * c + l] = (uint8_t)(lv[64 * c + l] | lv[64 * c + 32 + l] << 4);
    b->d = o->d[r];
    b->dmin = o->dmin[r];
}

/* q6_K element e: low 4 bits in ql[64h + l + 32(q & 1)] (high nibble when
 * q >= 2), top 2 bits at bits 2q of qh[32h + l]; h = e / 128, q = (e % 128)
 * / 32, l = e % 32. */
static void q6k_pos(int e, int *ql, int *nib_shift, int *qh, int *qh_shift) {
    const int h = e / 128, q = (e % 128) / 32, l = e % 32;
    *ql = 64 * h + l + 32 * (q & 1);
    *nib_shift = q >= 2 ? 4 : 0;
    *qh = 32 * h + l;
    *qh_shift = 2 * q;
}

static void q6k_pack(const uint8_t *const blocks[16], uint8_t *out) {
    rows16_q6_K *o = (rows16_q6_K *)(void *)out;
    for (int r = 0; r < 16; r++) {
        const block_q6_K *b = (const block_q6_K *)(const void *)blocks[r];
        uint8_t lv[QK_K];
        for (int e = 0; e < QK_K; e++) {
            int ql, ns, qh, hs;
            q6k_pos(e, &ql, &ns, &qh, &hs);
            lv[e] = (uint8_t)(((b->ql[ql] >> ns) & 15) | ((b->qh[qh] >> hs) & 3) << 4);
        }
        for (int s = 0; s < 16; s++) {
            for (int t = 0; t < 2; t++)
                for (int e = 0; e < 4; e++)
                    o->ql[s][t][r][e] =
                        (uint8_t)((lv[16 * s + 8 * t + e] & 15) | (lv[16 * s + 8 * t + 4 + e] & 15) << 4);
            for (int e = 0; e < 4; e++) {
                uint8_t h = 0;
                for (int i = 0; i < 4; i++)
                    h |= (uint8_t)((lv[16 * s + 4 * i + e] >> 4) << (2 * i));
                o->qh[s][r][e] = h;
            }
            o->sc[s / 2][r][s % 2] = b->scales[s];
        }
        o->d[r] = b->d;
    }
}

static void q6k_unpack(const uint8_t *gsb, int r, uint8_t *block) {
    const rows16_q6_K *o = (const rows16_q6_K *)(const void *)gsb;
    block_q6_K *b = (block_q6_K *)(void *)block;
    memset(b->ql, 0, sizeof b->ql);
    memset(b->qh, 0, sizeof b->qh);
    for (int s = 0; s < 16; s++) {
        for (int e4 = 0; e4 < 16; e4++) { /* element 16s + e4 */
            const int t = e4 / 8, hi = (e4 % 8) >= 4, e = e4 % 4, i = e4 / 4;
            const int low = (o->ql[s][t][r][e] >> (4 * hi)) & 15, top = (o->qh[s][r][e] >> (2 * i)) & 3;
            int ql, ns, qh, hs;
            q6k_pos(16 * s + e4, &ql, &ns, &qh, &hs);
            b->ql[ql] |= (uint8_t)(low << ns);
            b->qh[qh] |= (uint8_t)(top << hs);
        }
        b->scales[s] = o->sc[s / 2][r][s % 2];
    }
    b->d = o->d[r];
}

static const realm_rows16_traits q4k = {q4k_pack, q4k_unpack, realm_rows16_panel_q4_K};
static const realm_rows16_traits q6k = {q6k_pack, q6k_unpack, realm_rows16_panel_q6_K};

void realm_rows16_fill_k(const realm_rows16_traits **table) {
    table[REALM_TYPE_Q4_K] = &q4k;
    table[REALM_TYPE_Q6_K] = &q6k;
}
