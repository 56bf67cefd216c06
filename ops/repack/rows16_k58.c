/* ROWS16 packing of q5_K and q8_K (repack/rows16_layout_k58.h): levels are
 * taken out of the GGUF block in natural element order, then laid out
 * again; unpacking is the exact inverse (every bit of a block is used).
 * The GEMM panels come straight from a group, with the same bytes and the
 * same float operations as qg_extract_q5_K / qg_extract_q8_K. */
#include <string.h>

#include "quant/blocks.h"
#include "quant/kquant_util.h"
#include "repack/repack.h"
#include "repack/rows16_layout_k58.h"

/* Element 64p + 32u + l of a q5_K block: nibble u of qs[32p + l], fifth bit
 * at bit 2p + u of qh[l]. */
static void q5k_pack(const uint8_t *const blocks[16], uint8_t *out) {
    rows16_q5_K *o = (rows16_q5_K *)(void *)out;
    for (int r = 0; r < 16; r++) {
        const block_q5_K *b = (const block_q5_K *)(const void *)blocks[r];
        uint8_t lv[QK_K];
        for (int p = 0; p < 4; p++)
            for (int l = 0; l < 32; l++) {
                lv[64 * p + l] = (uint8_t)((b->qs[32 * p + l] & 15) | ((b->qh[l] >> (2 * p)) & 1) << 4);
                lv[64 * p + 32 + l] =
                    (uint8_t)((b->qs[32 * p + l] >> 4) | ((b->qh[l] >> (2 * p + 1)) & 1) << 4);
            }
        uint32_t hi = 0;
        for (int j = 0; j < 8; j++) {
            int sc, m;
            kq_unpack_scale_min_k4(b->scales, j, &sc, &m);
            rows16_sm6_put(sc, m, j, &o->scm[j][r], &hi);
            for (int e = 0; e < 4; e++) {
                uint8_t h = 0;
                for (int t = 0; t < 4; t++) {
                    const uint8_t a = lv[32 * j + 8 * t + e], c = lv[32 * j + 8 * t + 4 + e];
                    o->qs[j][t][r][e] = (uint8_t)((a & 15) | (c & 15) << 4);
                    h |= (uint8_t)((a >> 4) << (2 * t) | (c >> 4) << (2 * t + 1));
                }
                o->qh[j][r][e] = h;
            }
        }
        o->hi[r] = hi;
        o->d[r] = b->d;
        o->dmin[r] = b->dmin;
    }
}

static void q5k_unpack(const uint8_t *gsb, int r, uint8_t *block) {
    const rows16_q5_K *o = (const rows16_q5_K *)(const void *)gsb;
    block_q5_K *b = (block_q5_K *)(void *)block;
    uint8_t lv[QK_K];
    memset(b->scales, 0, sizeof b->scales);
    for (int j = 0; j < 8; j++) {
        int sc, m;
        rows16_sm6(o->scm[j][r], o->hi[r], j, &sc, &m);
        kq_pack_scale_min_k4(b->scales, j, sc, m);
        for (int t = 0; t < 4; t++)
            for (int e = 0; e < 4; e++) {
                const uint8_t v = o->qs[j][t][r][e], h = o->qh[j][r][e];
                lv[32 * j + 8 * t + e] = (uint8_t)((v & 15) | ((h >> (2 * t)) & 1) << 4);
                lv[32 * j + 8 * t + 4 + e] = (uint8_t)((v >> 4) | ((h >> (2 * t + 1)) & 1) << 4);
            }
    }
    memset(b->qh, 0, sizeof b->qh);
    for (int p = 0; p < 4; p++)
        for (int l = 0; l < 32; l++) {
            const uint8_t a = lv[64 * p + l], c = lv[64 * p + 32 + l];
            b->qs[32 * p + l] = (uint8_t)((a & 15) | (c & 15) << 4);
            b->qh[l] |= (uint8_t)((a >> 4) << (2 * p) | (c >> 4) << (2 * p + 1));
        }
    b->d = o->d[r];
    b->dmin = o->dmin[r];
}

/* Panel (B = Bm = 32): 4-element group g of sub-block jg at (8 jg + g) * 64,
 * 4 bytes per row, the order of qs[j][t] (g = 2t low nibbles, 2t + 1 high);
 * s1 = d * sc, m = -(dmin * mn) as in qg_extract_q5_K. */
static void q5k_panel(const uint8_t *grp, int64_t k, qg_panel *p) {
    const rows16_q5_K *g = (const rows16_q5_K *)(const void *)grp;
    for (int64_t i = 0; i < k / QK_K; i++, g++)
        for (int j = 0; j < 8; j++) {
            const int64_t jg = 8 * i + j;
            const uint8_t *h = &g->qh[j][0][0];
            for (int t = 0; t < 4; t++) {
                uint8_t *lo = p->q + (jg * 8 + 2 * t) * 64, *hi = lo + 64;
                const uint8_t *src = &g->qs[j][t][0][0];
                for (int e = 0; e < 64; e++) {
                    lo[e] = (uint8_t)((src[e] & 15) | ((h[e] >> (2 * t)) & 1) << 4);
                    hi[e] = (uint8_t)((src[e] >> 4) | ((h[e] >> (2 * t + 1)) & 1) << 4);
                }
            }
            for (int r = 0; r < 16; r++) {
                int sc, mn;
                rows16_sm6(g->scm[j][r], g->hi[r], j, &sc, &mn);
                p->s1[jg * 16 + r] = realm_fp16_to_fp32(g->d[r]) * (float)sc;
                p->m[jg * 16 + r] = -(realm_fp16_to_fp32(g->dmin[r]) * (float)mn);
            }
        }
}

static void q8k_pack(const uint8_t *const blocks[16], uint8_t *out) {
    rows16_q8_K *o = (rows16_q8_K *)(void *)out;
    for (int r = 0; r < 16; r++) {
        const block_q8_K *b = (const block_q8_K *)(const void *)blocks[r];
        for (int t = 0; t < 64; t++)
            memcpy(o->qs[t][r], b->qs + 4 * t, 4);
        memcpy(&o->d[r], &b->d, sizeof b->d); /* bit copies: NaN payloads survive */
        memcpy(o->bsums[r], b->bsums, sizeof b->bsums);
    }
}

static void q8k_unpack(const uint8_t *gsb, int r, uint8_t *block) {
    const rows16_q8_K *o = (const rows16_q8_K *)(const void *)gsb;
    block_q8_K *b = (block_q8_K *)(void *)block;
    for (int t = 0; t < 64; t++)
        memcpy(b->qs + 4 * t, o->qs[t][r], 4);
    memcpy(&b->d, &o->d[r], sizeof b->d);
    memcpy(b->bsums, o->bsums[r], sizeof b->bsums);
}

/* Panel (B = Bm = 32, off 128): a super-block's 64 4-element groups are
 * qs itself, as q + 128 (qg_extract_q8_K); s1 = d, m = 0. */
static void q8k_panel(const uint8_t *grp, int64_t k, qg_panel *p) {
    const rows16_q8_K *g = (const rows16_q8_K *)(const void *)grp;
    for (int64_t i = 0; i < k / QK_K; i++, g++) {
        const uint8_t *src = (const uint8_t *)g->qs;
        uint8_t *q = p->q + i * QK_K * 16;
        for (int e = 0; e < QK_K * 16; e++)
            q[e] = src[e] ^ 0x80;
        for (int j = 0; j < 8; j++)
            for (int r = 0; r < 16; r++) {
                p->s1[(8 * i + j) * 16 + r] = g->d[r];
                p->m[(8 * i + j) * 16 + r] = 0;
            }
    }
}

static const realm_rows16_traits q5k = {q5k_pack, q5k_unpack, q5k_panel};
static const realm_rows16_traits q8k = {q8k_pack, q8k_unpack, q8k_panel};

void realm_rows16_fill_k58(const realm_rows16_traits **table) {
    table[REALM_TYPE_Q5_K] = &q5k;
    table[REALM_TYPE_Q8_K] = &q8k;
}
