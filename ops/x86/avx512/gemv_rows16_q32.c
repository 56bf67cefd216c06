/* AVX-512 VNNI batch-1 kernels for ROWS16 weights of the 32-element types
 * (repack/rows16_q32.h) against GGUF Q8_0 / Q8_1 activations; the bits of
 * ops/gemv/scalar_rows16_q32.c. Lane r is row r: a 64-byte load is 4 bytes
 * of each row, met by a 4-byte activation broadcast in vpdpbusd. The level
 * offset (-8, -16) and the +128 that makes signed 8-bit weights unsigned
 * come back out through sum(q_x), itself a vpdpbusd of ones, so every sum
 * stays exact. */
#include <immintrin.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"
#include "repack/rows16_q32.h"
#include "x86/avx512/rows16_common.h"

/* inline F16C: a library call per block would spill every live zmm */
static inline float half_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

/* Prefetch a burst of PF_BLOCKS blocks (4.6-9.2 KB) PF_AHEAD bursts ahead.
 * Measured, 1 thread, q4_0/q4_1/q8_0 GB/s: a few lines per block 8 blocks
 * ahead 16-18 (below the GGUF kernels' 20-22), none 19-21, bursts of 16
 * one ahead 23-24. */
#define PF_BLOCKS 16
#define PF_AHEAD 1

static inline __attribute__((always_inline)) void dot16(int bits, int off_shift, int has_m, int q81, int gb,
                                                        int qs_bytes, int d_at, int m_at, int64_t k,
                                                        const void *vw, const void *vx, float *out) {
    const uint8_t *g = vw;
    const size_t xb = q81 ? sizeof(block_q8_1) : sizeof(block_q8_0);
    const __m512i m4 = _mm512_set1_epi8(0x0F), b4 = _mm512_set1_epi8(0x10), ones = _mm512_set1_epi8(1);
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < k / 32; i++, g += gb) {
        if (i % PF_BLOCKS == 0)
            for (int o = 0; o < PF_BLOCKS * gb; o += 64)
                _mm_prefetch((const char *)g + PF_AHEAD * PF_BLOCKS * gb + o, _MM_HINT_T0);
        const uint8_t *x = (const uint8_t *)vx + (size_t)i * xb;
        const int8_t *xq = (const int8_t *)(x + (q81 ? 4 : 2));
        __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512(), sx = _mm512_setzero_si512();
        if (bits == 8) {
            for (int t = 0; t < 8; t++) {
                const __m512i v = _mm512_xor_si512(_mm512_loadu_si512(g + 64 * t), flip); /* q + 128 */
                const __m512i xv = bcast4(xq + 4 * t);
                if (t & 1)
                    s1 = _mm512_dpbusd_epi32(s1, v, xv);
                else
                    s0 = _mm512_dpbusd_epi32(s0, v, xv);
                sx = _mm512_dpbusd_epi32(sx, ones, xv);
            }
        } else {
            const __m512i h = bits == 5 ? _mm512_loadu_si512(g + qs_bytes) : _mm512_setzero_si512();
            for (int t = 0; t < 4; t++) {
                const __m512i v = _mm512_loadu_si512(g + 64 * t);
                __m512i lo = _mm512_and_si512(v, m4), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
                if (bits == 5) {
                    lo = _mm512_ternarylogic_epi32(lo, fifth_bit(h, 2 * t), b4, TERN_A_OR_B_AND_C);
                    hi = _mm512_ternarylogic_epi32(hi, fifth_bit(h, 2 * t + 1), b4, TERN_A_OR_B_AND_C);
                }
                const __m512i xl = bcast4(xq + 8 * t), xh = bcast4(xq + 8 * t + 4);
                s0 = _mm512_dpbusd_epi32(s0, lo, xl);
                s1 = _mm512_dpbusd_epi32(s1, hi, xh);
                if (off_shift) sx = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(sx, ones, xl), ones, xh);
            }
        }
        __m512i isum = _mm512_add_epi32(s0, s1);
        if (off_shift) isum = _mm512_sub_epi32(isum, _mm512_slli_epi32(sx, (unsigned)off_shift));
        const __m512 d = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(g + d_at))),
                                       _mm512_set1_ps(half_at(x)));
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), d, acc);
        if (has_m)
            acc = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(g + m_at))),
                                  _mm512_set1_ps(half_at(x + 2)), acc);
    }
    _mm512_storeu_ps(out, acc);
}

/* bits, off as a shift (8: 3, 16: 4, +128: 7), min, Q8_1 activations, group
 * block bytes, qs bytes, d and m offsets (rows16_q32.c's table). */
static void dot16_q4_0(int64_t k, const void *w, const void *x, float *o) {
    dot16(4, 3, 0, 0, 288, 256, 256, -1, k, w, x, o);
}
static void dot16_q4_1(int64_t k, const void *w, const void *x, float *o) {
    dot16(4, 0, 1, 1, 320, 256, 256, 288, k, w, x, o);
}
static void dot16_q5_0(int64_t k, const void *w, const void *x, float *o) {
    dot16(5, 4, 0, 0, 352, 256, 320, -1, k, w, x, o);
}
static void dot16_q5_1(int64_t k, const void *w, const void *x, float *o) {
    dot16(5, 0, 1, 1, 384, 256, 320, 352, k, w, x, o);
}
static void dot16_q8_0(int64_t k, const void *w, const void *x, float *o) {
    dot16(8, 7, 0, 0, 544, 512, 512, -1, k, w, x, o);
}
static void dot16_q8_1(int64_t k, const void *w, const void *x, float *o) {
    dot16(8, 7, 0, 1, 576, 512, 512, 544, k, w, x, o);
}

void realm_gemv_fill_avx512_rows16_q32(realm_gemv_table *t) {
    const struct {
        realm_type type;
        realm_vec_dot16_fn fn;
    } k[] = {{REALM_TYPE_Q4_0, dot16_q4_0}, {REALM_TYPE_Q4_1, dot16_q4_1}, {REALM_TYPE_Q5_0, dot16_q5_0},
             {REALM_TYPE_Q5_1, dot16_q5_1}, {REALM_TYPE_Q8_0, dot16_q8_0}, {REALM_TYPE_Q8_1, dot16_q8_1}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        t->vec_dot16[k[i].type] = k[i].fn;
    /* Preferred (rows16_simd) only where the kernel out-read the GGUF one
     * from DRAM at 2 threads in every alternated pair (bench/RESULTS.md,
     * session 5): q8_0 0.84-0.89 of the probe vs 0.68-0.78, q8_1 0.83-0.90 vs
     * 0.71-0.75, q5_1 0.76-0.92 vs 0.74-0.77. q4_0 was mixed and q4_1 / q5_0
     * slower, so those keep GGUF layout; the layout stays available. */
    t->rows16_simd[REALM_TYPE_Q8_0] = true;
    t->rows16_simd[REALM_TYPE_Q8_1] = true;
    t->rows16_simd[REALM_TYPE_Q5_1] = true;
}
