/* AVX-512 VNNI batch-1 kernels for ROWS16 q2_K / q3_K weights
 * (repack/rows16_layout_k23.h) against the split Q8_K row
 * (x86/avx512/q8k_split.h). Same bits as ops/gemv/scalar_rows16_k23.c.
 *
 * Lane r of every vector is row r: each 64-byte weight vector yields u8
 * levels of 4 consecutive elements per row (shift and mask, no shuffles)
 * for vpdpbusd against a 4-byte activation broadcast. Integer limits:
 * vpdpbusd adds its four u8 x s8 products into 32 bits with no 16-bit
 * intermediate (and no saturation), so it only needs levels <= 255. The
 * sub-block sums t (|t| <= 6144 for q2_K, 14336 for q3_K, q8_K quants in
 * [-128, 127]) fit a signed word, so the two sub-blocks 2p, 2p + 1 are
 * packed as the words of one lane and one vpdpwssd (word x word, pairs
 * added in 32 bits) applies both scales; scales, mins and bsums are words
 * too. Everything is summed exactly in int32 per super-block, then
 * converted and fma'd in the portable kernel's order. */
#include <immintrin.h>

#include "gemv/gemv.h"
#include "realm/cpu.h"
#include "x86/avx512/rows16_common.h"

/* Levels by shift and mask (x86/avx512/rows16_k23.h) */
#define Q2_LEVEL(v, t) _mm512_and_si512(_mm512_srli_epi16((v), 2 * (t)), _mm512_set1_epi8(3))
#define Q3_SHR3(v) _mm512_and_si512(_mm512_srli_epi16((v), 3), _mm512_set1_epi8(7))
/* bits 6-7 of v under bit b of v2 brought to bit 5 (one bit-select), then
 * down to bits 0-2 */
#define Q3_TOP(v, v2, b)                                                                                     \
    _mm512_and_si512(                                                                                        \
        _mm512_srli_epi16(_mm512_ternarylogic_epi32((v), _mm512_srli_epi16((v2), (b)-5),                     \
                                                    _mm512_set1_epi8((char)0xC0), TERN_C_SELECT_A_B),        \
                          5),                                                                                \
        _mm512_set1_epi8(7))
#define Q2_DOT16_NAME realm_rows16_dot16_q2_K
#define Q3_DOT16_NAME realm_rows16_dot16_q3_K
#include "x86/avx512/rows16_k23.h"

void realm_gemv_fill_avx512_rows16_k23(realm_gemv_table *t) {
    t->vec_dot16[REALM_TYPE_Q2_K] =
        realm_cpu_get_features()->gfni ? realm_rows16_dot16_q2_K_gfni : realm_rows16_dot16_q2_K;
    t->vec_dot16[REALM_TYPE_Q3_K] =
        realm_cpu_get_features()->gfni ? realm_rows16_dot16_q3_K_gfni : realm_rows16_dot16_q3_K;
    t->rows16_simd[REALM_TYPE_Q2_K] = true;
    t->rows16_simd[REALM_TYPE_Q3_K] = true;
}
