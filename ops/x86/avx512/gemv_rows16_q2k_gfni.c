/* The ROWS16 q2_K batch-1 kernel with GFNI level extraction (compiled with
 * -mgfni; realm_gemv_fill_avx512_rows16_k23 picks it when the CPU has
 * GFNI). One GF2P8AFFINEQB moves bits 2t, 2t + 1 of every byte to bits 0, 1
 * and clears the rest, where shift + mask take two instructions: about 20%
 * fewer cycles per group super-block from L2 on Zen 4 (83 -> 66), same bits. */
#include <immintrin.h>

#include "gemv/gemv.h"

/* Output bit i of a byte is the parity of (matrix byte 7 - i) & input:
 * bit 0 takes input bit 2t, bit 1 input bit 2t + 1, bits 2-7 nothing. */
#define Q2_GF_MATRIX(t)                                                                                      \
    _mm512_set1_epi64((long long)((1ull << (2 * (t) + 56)) | (1ull << (2 * (t) + 1 + 48))))
#define Q2_LEVEL(v, t)                                                                                       \
    ((t) == 0 ? _mm512_and_si512((v), _mm512_set1_epi8(3))                                                   \
              : _mm512_gf2p8affine_epi64_epi8((v), Q2_GF_MATRIX(t), 0))
#define Q2_DOT16_NAME realm_rows16_dot16_q2_K_gfni
#include "x86/avx512/rows16_q2k.h"
