/* AVX-512 VNNI batch-1 kernels for the 32-element types.
 *
 * A step takes four consecutive blocks (a "quad"). Each 128-bit lane holds
 * one block: "lo" registers hold elements 0..15 of the four blocks, "hi"
 * registers elements 16..31, for weights and activations alike, so two
 * vpdpbusd leave each block's integer sum in its own four int32 lanes.
 *
 * On this hardware the loads are the scarce resource (two per cycle, and
 * one that crosses a cache line costs two), not the arithmetic. So a
 * quad's bytes are read with two or three wide loads, each byte about
 * once, and rearranged in registers with vpermt2w (every field of these
 * formats starts at an even offset, so word moves suffice). The fp16
 * scales of the quad are gathered the same way, converted and multiplied
 * four at a time, and spread to their block's lanes. Weights are the
 * unsigned vpdpbusd operand (nibbles, 5-bit values, int8 + 128); a type's
 * offset is removed with a second dot of the offset against x:
 * sum (q - o) x = sum q x - o sum x. */
#include <immintrin.h>
#include <string.h>

#include "gemv/gemv.h"
#include "quant/blocks.h"

/* vpermt2w indices. A quad of N bytes is held in two registers: a = bytes
 * 0..63 and b = the last 32 bytes (N - 32 .. N - 1) for the nibble types,
 * b = bytes 64..127 for Q8 (whose quads are longer; see load_q8). QW maps
 * word q of the quad to its index in (a, b). */
#define QW(q, N) ((q) < 32 ? (q) : (q) + 32 - ((N)-32) / 2)
#define RUN8(q, N)                                                                                           \
    QW(q, N), QW((q) + 1, N), QW((q) + 2, N), QW((q) + 3, N), QW((q) + 4, N), QW((q) + 5, N),                \
        QW((q) + 6, N), QW((q) + 7, N)
/* The 16 nibble bytes of each block (block j at bytes j * bs + off). */
#define NIB(bs, off)                                                                                         \
    {                                                                                                        \
        RUN8((off) / 2, 4 * (bs)), RUN8(((bs) + (off)) / 2, 4 * (bs)),                                       \
            RUN8((2 * (bs) + (off)) / 2, 4 * (bs)), RUN8((3 * (bs) + (off)) / 2, 4 * (bs))                   \
    }
/* The d words of the four blocks, then their second fp16 (m or s). */
#define SCALES(bs)                                                                                           \
    {                                                                                                        \
        QW(0, 4 * (bs)), QW((bs) / 2, 4 * (bs)), QW((bs), 4 * (bs)), QW(3 * (bs) / 2, 4 * (bs)),             \
            QW(1, 4 * (bs)), QW((bs) / 2 + 1, 4 * (bs)), QW((bs) + 1, 4 * (bs)),                             \
            QW(3 * (bs) / 2 + 1, 4 * (bs))                                                                   \
    }
/* The 4 qh bytes of each Q5 block (at j * bs + 2) in words 0, 1 of its lane. */
#define QH(bs)                                                                                               \
    {                                                                                                        \
        QW(1, 4 * (bs)), QW(2, 4 * (bs)), 0, 0, 0, 0, 0, 0, QW((bs) / 2 + 1, 4 * (bs)),                      \
            QW((bs) / 2 + 2, 4 * (bs)), 0, 0, 0, 0, 0, 0, QW((bs) + 1, 4 * (bs)), QW((bs) + 2, 4 * (bs)), 0, \
            0, 0, 0, 0, 0, QW(3 * (bs) / 2 + 1, 4 * (bs)), QW(3 * (bs) / 2 + 2, 4 * (bs)), 0, 0, 0, 0, 0, 0  \
    }

static const uint16_t nib_q4_0[32] = NIB(18, 2), sc_q4_0[32] = SCALES(18);
static const uint16_t nib_q4_1[32] = NIB(20, 4), sc_q4_1[32] = SCALES(20);
static const uint16_t nib_q5_0[32] = NIB(22, 6), sc_q5_0[32] = SCALES(22), qh_q5_0[32] = QH(22);
static const uint16_t nib_q5_1[32] = NIB(24, 8), sc_q5_1[32] = SCALES(24),
                      qh_q5_1[32] = {
                          QW(2, 96),  QW(3, 96),  0, 0, 0, 0, 0, 0, QW(14, 96), QW(15, 96), 0, 0, 0, 0, 0, 0,
                          QW(26, 96), QW(27, 96), 0, 0, 0, 0, 0, 0, QW(38, 96), QW(39, 96), 0, 0, 0, 0, 0, 0};
/* Q8 quads are read as bytes 0..127 (plain word numbers) plus a tail. */
#define Q8RUN(q) (q), (q) + 1, (q) + 2, (q) + 3, (q) + 4, (q) + 5, (q) + 6, (q) + 7
static const uint16_t lo_q8_0[32] = {Q8RUN(1), Q8RUN(18), Q8RUN(35), Q8RUN(52)};
static const uint16_t hi_q8_0[32] = {Q8RUN(9), Q8RUN(26), Q8RUN(43), Q8RUN(60)};
static const uint16_t sc_q8_0[32] = {0, 17, 34, 51};
static const uint16_t lo_q8_1[32] = {Q8RUN(2), Q8RUN(20), Q8RUN(38), Q8RUN(56)};
static const uint16_t hi_q8_1[32] = {Q8RUN(10), Q8RUN(28), Q8RUN(46)}; /* lane 3: the tail */
static const uint16_t sc_q8_1[32] = {0, 18, 36, 54, 1, 19, 37, 55};

static inline __m512i vec(const uint16_t *t) { return _mm512_loadu_si512(t); }

/* Keeps a loaded register from being re-loaded: vpermt2w overwrites one of
 * its tables, and GCC would read the (unaligned, often line-crossing)
 * memory again for each permute instead of copying the register. */
static inline __m512i keep(__m512i v) {
    __asm__("" : "+v"(v));
    return v;
}

/* Quants (lo, hi) and the fp16 scale words (sc) of a quad. */
typedef struct {
    __m512i lo, hi, sc;
} quad;

/* Four Q4/Q5 blocks of bs bytes: nibble bytes of block j in lane j, lo =
 * low nibbles, hi = high nibbles; for Q5 (qh != NULL) the fifth bit of
 * element e (qh bit e) added as 16, expanded from the qh bytes with a byte
 * shuffle and a bit test. */
static inline quad load_nib(const uint8_t *p, int bs, const uint16_t *nib, const uint16_t *sc,
                            const uint16_t *qh) {
    const __m512i a = keep(_mm512_loadu_si512(p));
    const __m512i b = keep(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(p + 4 * bs - 32))));
    const __m512i v = _mm512_permutex2var_epi16(a, vec(nib), b), m = _mm512_set1_epi8(0x0F);
    quad q = {_mm512_and_si512(v, m), _mm512_and_si512(_mm512_srli_epi16(v, 4), m),
              _mm512_permutex2var_epi16(a, vec(sc), b)};
    if (qh) {
        const __m512i h = _mm512_permutex2var_epi16(a, vec(qh), b);
        /* lane byte e <- qh byte e / 8 (lo: elements 0..15) or 2 + e / 8 (hi) */
        const __m512i sel_lo = _mm512_setr_epi64(0, 0x0101010101010101ll, 0, 0x0101010101010101ll, 0,
                                                 0x0101010101010101ll, 0, 0x0101010101010101ll);
        const __m512i sel_hi = _mm512_add_epi8(sel_lo, _mm512_set1_epi8(2));
        const __m512i bit = _mm512_set1_epi64(0x8040201008040201ll), c16 = _mm512_set1_epi8(16);
        q.lo =
            _mm512_mask_add_epi8(q.lo, _mm512_test_epi8_mask(_mm512_shuffle_epi8(h, sel_lo), bit), q.lo, c16);
        q.hi =
            _mm512_mask_add_epi8(q.hi, _mm512_test_epi8_mask(_mm512_shuffle_epi8(h, sel_hi), bit), q.hi, c16);
    }
    return q;
}

/* Four Q8_0 (bs 34) or Q8_1 (bs 36) blocks: 136 or 144 bytes, so the
 * last elements of block 3 come from a third load, blended into hi. */
static inline quad load_q8(const uint8_t *p, int bs, const uint16_t *lo, const uint16_t *hi,
                           const uint16_t *sc) {
    const __m512i a = keep(_mm512_loadu_si512(p)), b = keep(_mm512_loadu_si512(p + 64));
    quad q = {_mm512_permutex2var_epi16(a, vec(lo), b), _mm512_permutex2var_epi16(a, vec(hi), b),
              _mm512_permutex2var_epi16(a, vec(sc), b)};
    if (bs == QK8_0 + 2) { /* elements 28..31 of block 3: bytes 128..135 */
        long long t;
        memcpy(&t, p + 128, sizeof t);
        q.hi = _mm512_mask_blend_epi64(0x80, q.hi, _mm512_set1_epi64(t));
    } else { /* elements 16..31 of block 3: bytes 128..143 (a wide load overlapping b
              * instead halves the streaming speed) */
        q.hi = _mm512_inserti32x4(q.hi, _mm_loadu_si128((const __m128i *)(p + 128)), 3);
    }
    return q;
}

static inline __m512i dot(__m512i wlo, __m512i whi, quad x) {
    return _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), wlo, x.lo), whi, x.hi);
}

/* sum (w - off) x, w unsigned */
static inline __m512i dot_off(quad w, quad x, char off) {
    const __m512i o = _mm512_set1_epi8(off);
    return _mm512_sub_epi32(dot(w.lo, w.hi, x), dot(o, o, x));
}

/* lanes 4j..4j+3 <- s[j] */
static inline __m512 spread(__m128 s) {
    const __m512i idx = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
    return _mm512_permutexvar_ps(idx, _mm512_castps128_ps512(s));
}

/* acc += block sums times d_w * d_x. */
static inline __m512 scale_acc(__m512 acc, __m512i sum, quad w, quad x) {
    const __m128 s =
        _mm_mul_ps(_mm_cvtph_ps(_mm512_castsi512_si128(w.sc)), _mm_cvtph_ps(_mm512_castsi512_si128(x.sc)));
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), spread(s), acc);
}

/* The same for weights with a min: the products [d_w d_x | m_w s_x] of
 * the four blocks; the min terms (lanes 4..7) go to accm. */
static inline __m512 scale_acc_min(__m512 acc, __m256 *accm, __m512i sum, quad w, quad x) {
    const __m256 p = _mm256_mul_ps(_mm256_cvtph_ps(_mm512_castsi512_si128(w.sc)),
                                   _mm256_cvtph_ps(_mm512_castsi512_si128(x.sc)));
    *accm = _mm256_add_ps(*accm, p);
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), spread(_mm256_castps256_ps128(p)), acc);
}

static inline __m512 step_q4_0(const uint8_t *w, const uint8_t *x, __m512 acc, __m256 *accm) {
    (void)accm;
    const quad W = load_nib(w, 18, nib_q4_0, sc_q4_0, NULL), X = load_q8(x, 34, lo_q8_0, hi_q8_0, sc_q8_0);
    return scale_acc(acc, dot_off(W, X, 8), W, X);
}

static inline __m512 step_q4_1(const uint8_t *w, const uint8_t *x, __m512 acc, __m256 *accm) {
    const quad W = load_nib(w, 20, nib_q4_1, sc_q4_1, NULL), X = load_q8(x, 36, lo_q8_1, hi_q8_1, sc_q8_1);
    return scale_acc_min(acc, accm, dot(W.lo, W.hi, X), W, X);
}

static inline __m512 step_q5_0(const uint8_t *w, const uint8_t *x, __m512 acc, __m256 *accm) {
    (void)accm;
    const quad W = load_nib(w, 22, nib_q5_0, sc_q5_0, qh_q5_0), X = load_q8(x, 34, lo_q8_0, hi_q8_0, sc_q8_0);
    return scale_acc(acc, dot_off(W, X, 16), W, X);
}

static inline __m512 step_q5_1(const uint8_t *w, const uint8_t *x, __m512 acc, __m256 *accm) {
    const quad W = load_nib(w, 24, nib_q5_1, sc_q5_1, qh_q5_1), X = load_q8(x, 36, lo_q8_1, hi_q8_1, sc_q8_1);
    return scale_acc_min(acc, accm, dot(W.lo, W.hi, X), W, X);
}

/* int8 weights made unsigned by flipping the sign bit (w + 128). */
static inline quad biased(quad w) {
    const __m512i s = _mm512_set1_epi8((char)0x80);
    w.lo = _mm512_xor_si512(w.lo, s);
    w.hi = _mm512_xor_si512(w.hi, s);
    return w;
}

static inline __m512 step_q8_0(const uint8_t *w, const uint8_t *x, __m512 acc, __m256 *accm) {
    (void)accm;
    const quad W = biased(load_q8(w, 34, lo_q8_0, hi_q8_0, sc_q8_0)),
               X = load_q8(x, 34, lo_q8_0, hi_q8_0, sc_q8_0);
    return scale_acc(acc, dot_off(W, X, (char)0x80), W, X);
}

static inline __m512 step_q8_1(const uint8_t *w, const uint8_t *x, __m512 acc, __m256 *accm) {
    (void)accm;
    const quad W = biased(load_q8(w, 36, lo_q8_1, hi_q8_1, sc_q8_1)),
               X = load_q8(x, 36, lo_q8_1, hi_q8_1, sc_q8_1);
    return scale_acc(acc, dot_off(W, X, (char)0x80), W, X);
}

/* The weights 4 KB ahead, non-temporal (each weight byte is used once);
 * rows are read in order and a prefetch past the end is harmless.
 * Measured on this Zen machine, 1 thread, K = 8192: 5-15% more bandwidth
 * from DRAM (T0 gained less). */
static inline void prefetch_weights(const uint8_t *p, int bytes) {
    for (int l = 0; l < bytes; l += 64)
        _mm_prefetch((const char *)((uintptr_t)p + 4096 + (uintptr_t)l), _MM_HINT_NTA);
}

/* The row loop: two quads per iteration into two accumulators; the last
 * 1..3 blocks are copied into a zeroed quad (zero scales add nothing). */
#define ROW(STEP, BW, BX)                                                                                    \
    do {                                                                                                     \
        const uint8_t *w = vw, *x = vx;                                                                      \
        const int64_t nb = k / 32;                                                                           \
        __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();                                       \
        __m256 accm = _mm256_setzero_ps();                                                                   \
        int64_t i = 0;                                                                                       \
        for (; i + 8 <= nb; i += 8) {                                                                        \
            prefetch_weights(w + i * (BW), 8 * (BW));                                                        \
            acc0 = STEP(w + i * (BW), x + i * (BX), acc0, &accm);                                            \
            acc1 = STEP(w + (i + 4) * (BW), x + (i + 4) * (BX), acc1, &accm);                                \
        }                                                                                                    \
        for (; i + 4 <= nb; i += 4)                                                                          \
            acc0 = STEP(w + i * (BW), x + i * (BX), acc0, &accm);                                            \
        if (i < nb) {                                                                                        \
            uint8_t wt[4 * (BW)] = {0}, xt[4 * (BX)] = {0};                                                  \
            memcpy(wt, w + i * (BW), (size_t)(nb - i) * (BW));                                               \
            memcpy(xt, x + i * (BX), (size_t)(nb - i) * (BX));                                               \
            acc1 = STEP(wt, xt, acc1, &accm);                                                                \
        }                                                                                                    \
        /* lanes 4..7 of accm: the min terms (zero for types without) */                                     \
        *out = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) +                                             \
               _mm512_mask_reduce_add_ps(0xF0, _mm512_castps256_ps512(accm));                                \
    } while (0)

static void vec_dot_q4_0(int64_t k, const void *vw, const void *vx, float *out) { ROW(step_q4_0, 18, 34); }
static void vec_dot_q4_1(int64_t k, const void *vw, const void *vx, float *out) { ROW(step_q4_1, 20, 36); }
static void vec_dot_q5_0(int64_t k, const void *vw, const void *vx, float *out) { ROW(step_q5_0, 22, 34); }
static void vec_dot_q5_1(int64_t k, const void *vw, const void *vx, float *out) { ROW(step_q5_1, 24, 36); }
static void vec_dot_q8_0(int64_t k, const void *vw, const void *vx, float *out) { ROW(step_q8_0, 34, 34); }
static void vec_dot_q8_1(int64_t k, const void *vw, const void *vx, float *out) { ROW(step_q8_1, 36, 36); }

void realm_gemv_fill_avx512_q32(realm_gemv_table *t) {
    t->vec_dot[REALM_TYPE_Q4_0] = vec_dot_q4_0;
    t->vec_dot[REALM_TYPE_Q4_1] = vec_dot_q4_1;
    t->vec_dot[REALM_TYPE_Q5_0] = vec_dot_q5_0;
    t->vec_dot[REALM_TYPE_Q5_1] = vec_dot_q5_1;
    t->vec_dot[REALM_TYPE_Q8_0] = vec_dot_q8_0;
    t->vec_dot[REALM_TYPE_Q8_1] = vec_dot_q8_1;
}
