/* Exact extraction of the 32-element formats into (q, s1, m) for the int8
 * GEMM path: w = s1 * (q - off) + m with the type's off (qgemm.h). */
#include <string.h>

#include "qgemm/extract.h"
#include "quant/blocks.h"

void qg_extract_q4_0(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q4_0 *x = row;
    for (int64_t i = 0; i < k / 32; i++, q += 32) {
        s1[i] = realm_fp16_to_fp32(x[i].d);
        m[i] = 0;
        for (int j = 0; j < 16; j++) {
            q[j] = x[i].qs[j] & 0x0F;
            q[j + 16] = x[i].qs[j] >> 4;
        }
    }
}

void qg_extract_q4_1(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q4_1 *x = row;
    for (int64_t i = 0; i < k / 32; i++, q += 32) {
        s1[i] = realm_fp16_to_fp32(x[i].d);
        m[i] = realm_fp16_to_fp32(x[i].m);
        for (int j = 0; j < 16; j++) {
            q[j] = x[i].qs[j] & 0x0F;
            q[j + 16] = x[i].qs[j] >> 4;
        }
    }
}

static void unpack5(const uint8_t *qs, const uint8_t *qh4, uint8_t *q) {
    uint32_t qh;
    memcpy(&qh, qh4, 4);
    for (int j = 0; j < 16; j++) {
        q[j] = (uint8_t)((qs[j] & 0x0F) | (((qh >> j) & 1) << 4));
        q[j + 16] = (uint8_t)((qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
    }
}

void qg_extract_q5_0(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q5_0 *x = row;
    for (int64_t i = 0; i < k / 32; i++, q += 32) {
        s1[i] = realm_fp16_to_fp32(x[i].d);
        m[i] = 0;
        unpack5(x[i].qs, x[i].qh, q);
    }
}

void qg_extract_q5_1(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q5_1 *x = row;
    for (int64_t i = 0; i < k / 32; i++, q += 32) {
        s1[i] = realm_fp16_to_fp32(x[i].d);
        m[i] = realm_fp16_to_fp32(x[i].m);
        unpack5(x[i].qs, x[i].qh, q);
    }
}

void qg_extract_q8_0(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q8_0 *x = row;
    for (int64_t i = 0; i < k / 32; i++, q += 32) {
        s1[i] = realm_fp16_to_fp32(x[i].d);
        m[i] = 0;
        for (int j = 0; j < 32; j++)
            q[j] = (uint8_t)(x[i].qs[j] + 128);
    }
}

void qg_extract_q8_1(const void *row, int64_t k, uint8_t *q, float *s1, float *m) {
    const block_q8_1 *x = row;
    for (int64_t i = 0; i < k / 32; i++, q += 32) {
        s1[i] = realm_fp16_to_fp32(x[i].d);
        m[i] = 0;
        for (int j = 0; j < 32; j++)
            q[j] = (uint8_t)(x[i].qs[j] + 128);
    }
}
