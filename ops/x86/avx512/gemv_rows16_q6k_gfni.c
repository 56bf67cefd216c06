/* The ROWS16 q6_K batch-1 kernel with GFNI level assembly (compiled with
 * -mgfni; realm_gemv_fill_avx512_rows16 picks it when the CPU has GFNI).
 * A level is its low nibble (ql) under two high bits (qh): one
 * GF2P8AFFINEQB puts qh's bit pair for the group at bits 4-5 with nothing
 * else set, so one bit-select with the nibble finishes it, where shift +
 * mask + merge took three or four instructions. Same bits. */
#include <immintrin.h>

#include "gemv/gemv.h"
#include "x86/avx512/rows16_common.h"

/* Output bit i of a byte is the parity of (matrix byte 7 - i) & input:
 * bits 4, 5 take input bits 2t, 2t + 1, the others nothing. */
#define Q6_GF_HI(t) _mm512_set1_epi64((long long)((1ull << (2 * (t) + 24)) | (1ull << (2 * (t) + 1 + 16))))
#define Q6_LO4 _mm512_set1_epi8(0x0F)
#define Q6_LEVELS(l0, l1, h, v0, v1, v2, v3)                                                                 \
    do {                                                                                                     \
        (v0) = _mm512_ternarylogic_epi32(l0, _mm512_gf2p8affine_epi64_epi8(h, Q6_GF_HI(0), 0), Q6_LO4,       \
                                         TERN_C_SELECT_A_B);                                                 \
        (v1) = _mm512_ternarylogic_epi32(_mm512_srli_epi16(l0, 4),                                           \
                                         _mm512_gf2p8affine_epi64_epi8(h, Q6_GF_HI(1), 0), Q6_LO4,           \
                                         TERN_C_SELECT_A_B);                                                 \
        (v2) = _mm512_ternarylogic_epi32(l1, _mm512_and_si512(h, _mm512_set1_epi8(0x30)), Q6_LO4,            \
                                         TERN_C_SELECT_A_B);                                                 \
        (v3) = _mm512_ternarylogic_epi32(_mm512_srli_epi16(l1, 4),                                           \
                                         _mm512_gf2p8affine_epi64_epi8(h, Q6_GF_HI(3), 0), Q6_LO4,           \
                                         TERN_C_SELECT_A_B);                                                 \
    } while (0)
#define Q6_DOT16_NAME realm_rows16_dot16_q6_K_gfni
#include "x86/avx512/rows16_q6k.h"
