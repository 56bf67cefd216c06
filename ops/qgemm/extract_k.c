/* Exact extraction of the K-quant formats into (q, s1, m) for the int8 GEMM
 * path. In every K format the scale of element e is sub-block e/16 (or
 * e/32), which is what the B of each type says. */
#include <string.h>

#include "qgemm/extract.h"
#include "quant/blocks.h"

/* 6-bit scale and min j of the packed 12 bytes of Q4_K / Q5_K. */
static void scale_min_k4(int j, const uint8_t *s, int *sc, int *mn) {
    if (j < 4) {
        *sc = s[j] & 63;
        *mn = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
        *mn = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

/* Q2_K: the 4-bit sub-scale times the 2-bit level (<= 45) is the level
 * here, so one scale d serves 32 elements (B = 32); mins stay per 16. */
void qg_extract_q2_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q2_K *x = row;
    for (int64_t i = 0; i < k / QK_K; i++, q += QK_K, s1 += 8, m += 16) {
        const float d = realm_fp16_to_fp32(x[i].d), dmin = realm_fp16_to_fp32(x[i].dmin);
        for (int e = 0; e < QK_K; e++) { /* element e: byte (e/128)*32 + e%32, bits 2*((e%128)/32) */
            const int level = (x[i].qs[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3;
            q[e] = (uint8_t)(level * (x[i].scales[e / 16] & 0xF));
        }
        for (int s = 0; s < 8; s++)
            s1[s] = d;
        for (int s = 0; s < 16; s++)
            m[s] = -(dmin * (float)(x[i].scales[s] >> 4));
    }
}

void qg_extract_q3_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q3_K *x = row;
    for (int64_t i = 0; i < k / QK_K; i++, q += QK_K, s1 += 16, m += 16) {
        const float d = realm_fp16_to_fp32(x[i].d);
        const uint8_t *sc = x[i].scales;
        for (int e = 0; e < QK_K; e++) {
            const int half = e / 128, j = (e % 128) / 32, l = e % 32;
            const int lo = (x[i].qs[half * 32 + l] >> (2 * j)) & 3;
            const int hi = (x[i].hmask[l] >> (4 * half + j)) & 1;
            q[e] = (uint8_t)(lo | (hi << 2)); /* level - 4 is the signed value */
        }
        for (int s = 0; s < 16; s++) {
            /* 16 6-bit scales: low 4 bits in bytes 0..7, high 2 bits in 8..11 */
            const int low = s < 8 ? sc[s] & 0xF : sc[s - 8] >> 4;
            const int high = (sc[8 + s % 4] >> (2 * (s / 4))) & 3;
            s1[s] = d * (float)((low | (high << 4)) - 32);
            m[s] = 0;
        }
    }
}

void qg_extract_q4_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q4_K *x = row;
    for (int64_t i = 0; i < k / QK_K; i++, q += QK_K, s1 += 8, m += 8) {
        const float d = realm_fp16_to_fp32(x[i].d), dmin = realm_fp16_to_fp32(x[i].dmin);
        for (int p = 0; p < 4; p++) /* 64 elements per 32 bytes: low nibbles, then high */
            for (int l = 0; l < 32; l++) {
                q[64 * p + l] = x[i].qs[32 * p + l] & 0xF;
                q[64 * p + 32 + l] = x[i].qs[32 * p + l] >> 4;
            }
        for (int s = 0; s < 8; s++) {
            int sc, mn;
            scale_min_k4(s, x[i].scales, &sc, &mn);
            s1[s] = d * (float)sc;
            m[s] = -(dmin * (float)mn);
        }
    }
}

void qg_extract_q5_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q5_K *x = row;
    for (int64_t i = 0; i < k / QK_K; i++, q += QK_K, s1 += 8, m += 8) {
        const float d = realm_fp16_to_fp32(x[i].d), dmin = realm_fp16_to_fp32(x[i].dmin);
        for (int p = 0; p < 4; p++)
            for (int l = 0; l < 32; l++) {
                const int h0 = (x[i].qh[l] >> (2 * p)) & 1, h1 = (x[i].qh[l] >> (2 * p + 1)) & 1;
                q[64 * p + l] = (uint8_t)((x[i].qs[32 * p + l] & 0xF) | (h0 << 4));
                q[64 * p + 32 + l] = (uint8_t)((x[i].qs[32 * p + l] >> 4) | (h1 << 4));
            }
        for (int s = 0; s < 8; s++) {
            int sc, mn;
            scale_min_k4(s, x[i].scales, &sc, &mn);
            s1[s] = d * (float)sc;
            m[s] = -(dmin * (float)mn);
        }
    }
}

void qg_extract_q6_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q6_K *x = row;
    for (int64_t i = 0; i < k / QK_K; i++, q += QK_K, s1 += 16, m += 16) {
        const float d = realm_fp16_to_fp32(x[i].d);
        for (int e = 0; e < QK_K; e++) {
            const int half = e / 128, j = (e % 128) / 32, l = e % 32;
            const uint8_t *ql = x[i].ql + 64 * half, *qh = x[i].qh + 32 * half;
            const int lo = (j & 1) ? ql[l + 32] : ql[l];              /* quarters 1,3 use bytes 32.. */
            const int low4 = (j & 2) ? lo >> 4 : lo & 0xF;            /* quarters 2,3 high nibbles */
            q[e] = (uint8_t)(low4 | (((qh[l] >> (2 * j)) & 3) << 4)); /* level - 32 is the value */
        }
        for (int s = 0; s < 16; s++) {
            s1[s] = d * (float)x[i].scales[s];
            m[s] = 0;
        }
    }
}

void qg_extract_q8_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q8_K *x = row;
    for (int64_t i = 0; i < k / QK_K; i++, q += QK_K, s1 += 8, m += 8) {
        for (int e = 0; e < QK_K; e++)
            q[e] = (uint8_t)(x[i].qs[e] + 128);
        for (int s = 0; s < 8; s++) {
            s1[s] = x[i].d;
            m[s] = 0;
        }
    }
}
