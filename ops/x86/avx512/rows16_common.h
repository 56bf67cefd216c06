/* Internal: helpers every AVX-512 ROWS16 batch-1 kernel uses (lane r of a
 * vector is row r, activations arrive as 4-byte broadcasts). Include only
 * from files compiled with AVX-512 F/BW. */
#ifndef REALM_X86_AVX512_ROWS16_COMMON_H
#define REALM_X86_AVX512_ROWS16_COMMON_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* vpternlogd immediates */
#define TERN_A_OR_B_AND_C 0xF8  /* a | (b & c) */
#define TERN_A_OR_B_MASK_C 0xA8 /* (a | b) & c */
#define TERN_C_SELECT_A_B 0xE4  /* c ? a : b, bitwise */

/* The 4 activation bytes at p in every 32-bit lane. */
static inline __m512i bcast4(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

/* Every line of [p, p + bytes) into L1 (a group super-block, ahead). */
static inline void prefetch_lines(const void *p, size_t bytes) {
    for (size_t o = 0; o < bytes; o += 64)
        _mm_prefetch((const char *)p + o, _MM_HINT_T0);
}

/* Bit s (0..7) of each byte of h moved to bit 4; 16-bit shifts are fine:
 * the bit that lands on bit 4 never crosses a byte. */
static inline __m512i fifth_bit(__m512i h, int s) {
    return s <= 4 ? _mm512_slli_epi16(h, (unsigned)(4 - s)) : _mm512_srli_epi16(h, (unsigned)(s - 4));
}

#endif
