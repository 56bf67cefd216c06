/* Internal: pieces shared by the AVX2 and AVX-512 K-quant dot kernels
 * (ops/x86/avx2/gemv_k.c, ops/x86/avx512/gemv_k.c); needs AVX2. The
 * packed 6-bit sub-block scales are unpacked in vector registers from a
 * 16-byte load that the kernel makes anyway (it also holds d): misaligned
 * loads cost about a cycle each and bound these kernels, and the integer
 * route (12 bytes through general registers) costs two more loads plus
 * transfers. */
#ifndef REALM_X86_GEMV_K_SCALES_H
#define REALM_X86_GEMV_K_SCALES_H

#include <immintrin.h>

/* v, kept in a register: GCC folds a load into every instruction that uses
 * it, reading the same bytes once per use. */
static inline __m128i k_in_reg128(__m128i v) {
    __asm__("" : "+x"(v));
    return v;
}
static inline __m256i k_in_reg256(__m256i v) {
    __asm__("" : "+x"(v));
    return v;
}

/* The 16 6-bit q3_K scales, minus 32, as signed bytes, from bytes 2..13 of
 * t (the 12 scale bytes s): scale j has its low nibble in s[j % 8] (low
 * nibble for j < 8, high for j >= 8) and its top 2 bits at bits
 * 2 * (j / 4) of s[8 + j % 4]. */
static inline __m128i k_q3_scales(__m128i t) {
    const __m128i a = _mm_shuffle_epi8(t, _mm_setr_epi8(2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 8, 9));
    const __m128i b =
        _mm_shuffle_epi8(t, _mm_setr_epi8(10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13));
    const __m128i lo = _mm_and_si128(_mm_srlv_epi64(a, _mm_set_epi64x(4, 0)), _mm_set1_epi8(0x0F));
    /* top bits to bits 4-5; what the shifts pull in from neighbouring bytes is masked off */
    const __m128i hi = _mm_slli_epi32(_mm_srlv_epi32(b, _mm_setr_epi32(0, 2, 4, 6)), 4);
    return _mm_sub_epi8(_mm_or_si128(_mm_and_si128(hi, _mm_set1_epi8(0x30)), lo), _mm_set1_epi8(32));
}

/* The 12 scale bytes of q4_K / q5_K, at bytes 4..15 of t, unpacked to 8
 * scales then 8 mins. Scale and min j < 4 are the low 6 bits of bytes j and
 * j + 4; for j >= 4 the low 4 bits are a nibble of byte j + 4 (low for the
 * scale, high for the min) and the top 2 bits the top of byte j - 4
 * (scale) or j (min). */
static inline __m128i k_q45_scales(__m128i t) {
    /* a: the byte holding the low bits, b: the byte holding the top 2 */
    const __m128i a =
        _mm_shuffle_epi8(t, _mm_setr_epi8(4, 5, 6, 7, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15));
    const __m128i b = _mm_shuffle_epi8(t, _mm_setr_epi8(4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11));
    const __m128i lo = _mm_and_si128(_mm_srlv_epi32(a, _mm_setr_epi32(0, 0, 0, 4)),
                                     _mm_setr_epi32(0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F));
    const __m128i top = _mm_and_si128(_mm_srli_epi32(b, 2), _mm_setr_epi32(0, 0x30303030, 0, 0x30303030));
    return _mm_or_si128(lo, top);
}

#endif
