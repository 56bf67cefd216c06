/* GEMM panels (qgemm/qgemm.h) straight from ROWS16 groups of the K formats:
 * a group is already 16 rows with 4 consecutive elements per row and lane,
 * which is the panel's order, so packing is masking nibbles, not the
 * per-element gathering of the GGUF extractors. Same panel bytes and
 * floats as qg_pack_panel() of the unpacked rows. */
#include "quant/blocks.h"
#include "repack/repack.h"
#include "repack/rows16_layout.h"

void realm_rows16_panel_q4_K(const uint8_t *grp, int64_t k, qg_panel *p) {
    const rows16_q4_K *g = (const rows16_q4_K *)(const void *)grp;
    for (int64_t i = 0; i < k / QK_K; i++, g++)
        for (int j = 0; j < 8; j++) {
            const int64_t jg = 8 * i + j; /* 32-element block */
            for (int t = 0; t < 4; t++) {
                uint8_t *lo = p->q + (jg * 8 + 2 * t) * 64, *hi = lo + 64;
                const uint8_t *src = &g->qs[j][t][0][0];
                for (int e = 0; e < 64; e++) {
                    lo[e] = src[e] & 15;
                    hi[e] = src[e] >> 4;
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

void realm_rows16_panel_q6_K(const uint8_t *grp, int64_t k, qg_panel *p) {
    const rows16_q6_K *g = (const rows16_q6_K *)(const void *)grp;
    for (int64_t i = 0; i < k / QK_K; i++, g++)
        for (int s = 0; s < 16; s++) {
            const int64_t jg = 16 * i + s; /* 16-element block */
            uint8_t *q = p->q + jg * 4 * 64;
            const uint8_t *l0 = &g->ql[s][0][0][0], *l1 = &g->ql[s][1][0][0], *h = &g->qh[s][0][0];
            for (int e = 0; e < 64; e++) {
                q[e] = (uint8_t)((l0[e] & 15) | (h[e] & 3) << 4);
                q[64 + e] = (uint8_t)((l0[e] >> 4) | ((h[e] >> 2) & 3) << 4);
                q[128 + e] = (uint8_t)((l1[e] & 15) | ((h[e] >> 4) & 3) << 4);
                q[192 + e] = (uint8_t)((l1[e] >> 4) | (h[e] >> 6) << 4);
            }
            const int pair = s / 2, half = s % 2;
            for (int r = 0; r < 16; r++) {
                p->s1[jg * 16 + r] = realm_fp16_to_fp32(g->d[r]) * (float)g->sc[pair][r][half];
                p->m[jg * 16 + r] = 0;
            }
        }
}
