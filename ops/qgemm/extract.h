/* Internal: per-type exact extraction for the int8 GEMM path (qgemm.h). */
#ifndef REALM_QGEMM_EXTRACT_H
#define REALM_QGEMM_EXTRACT_H

#include <stdint.h>

#include "realm/types.h"

void qg_extract_q4_0(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q4_1(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q5_0(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q5_1(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q8_0(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q8_1(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q2_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q3_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q4_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q5_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q6_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m);
void qg_extract_q8_K(const void *row, int64_t k, uint8_t *q, float *s1, float *m);

#endif
