/* The int8 GEMM path's view of each type: scale block, min block, zero
 * point, min. Q2_K folds its 4-bit sub-scales into the levels (<= 45), so
 * one scale covers 32 while its mins stay per 16. */
#include "qgemm/extract.h"
#include "qgemm/qgemm.h"

static const qg_type table[REALM_TYPE_COUNT] = {
    [REALM_TYPE_Q4_0] = {32, 32, 8, 0, qg_extract_q4_0, qg_pack_Q4_0},
    [REALM_TYPE_Q4_1] = {32, 32, 0, 1, qg_extract_q4_1, qg_pack_Q4_1},
    [REALM_TYPE_Q5_0] = {32, 32, 16, 0, qg_extract_q5_0, qg_pack_Q5_0},
    [REALM_TYPE_Q5_1] = {32, 32, 0, 1, qg_extract_q5_1, qg_pack_Q5_1},
    [REALM_TYPE_Q8_0] = {32, 32, 128, 0, qg_extract_q8_0, qg_pack_Q8_0},
    [REALM_TYPE_Q8_1] = {32, 32, 128, 0, qg_extract_q8_1, qg_pack_Q8_1},
    [REALM_TYPE_Q2_K] = {32, 16, 0, 1, qg_extract_q2_K, NULL},
    [REALM_TYPE_Q3_K] = {16, 16, 4, 0, qg_extract_q3_K, NULL},
    [REALM_TYPE_Q4_K] = {32, 32, 0, 1, qg_extract_q4_K, NULL},
    [REALM_TYPE_Q5_K] = {32, 32, 0, 1, qg_extract_q5_K, NULL},
    [REALM_TYPE_Q6_K] = {16, 16, 32, 0, qg_extract_q6_K, NULL},
    [REALM_TYPE_Q8_K] = {32, 32, 128, 0, qg_extract_q8_K, NULL},
};

const qg_type *qg_type_get(realm_type t) {
    if ((int)t < 0 || (int)t >= REALM_TYPE_COUNT || !table[t].extract) return NULL;
    return &table[t];
}
