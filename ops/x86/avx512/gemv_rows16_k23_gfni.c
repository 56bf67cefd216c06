/* The ROWS16 q2_K and q3_K batch-1 kernels with GFNI level extraction
 * (compiled with -mgfni; realm_gemv_fill_avx512_rows16_k23 picks them when
 * the CPU has GFNI). One GF2P8AFFINEQB moves the level's bits of every byte
 * into bits 0-2 and clears the rest, where shift + mask take two
 * instructions (a q3_K split level: three instead of four). Same bits. L2,
 * 1 thread, Zen 4: q2_K 66 instead of 83 cycles per group super-block. */
#include <immintrin.h>

#include "gemv/gemv.h"

/* Output bit j of a byte is the parity of (matrix byte 7 - j) & input:
 * GF_BIT(j, i) routes input bit i to output bit j. */
#define GF_BIT(j, i) (1ull << ((i) + 8 * (7 - (j))))
#define GF(v, m) _mm512_gf2p8affine_epi64_epi8((v), _mm512_set1_epi64((long long)(m)), 0)

#define Q2_LEVEL(v, t)                                                                                       \
    ((t) == 0 ? _mm512_and_si512((v), _mm512_set1_epi8(3))                                                   \
              : GF((v), GF_BIT(0, 2 * (t)) | GF_BIT(1, 2 * (t) + 1)))
#define Q3_SHR3(v) GF((v), GF_BIT(0, 3) | GF_BIT(1, 4) | GF_BIT(2, 5))
#define Q3_TOP(v, v2, b) _mm512_or_si512(GF((v), GF_BIT(1, 6) | GF_BIT(2, 7)), GF((v2), GF_BIT(0, (b))))
#define Q2_DOT16_NAME realm_rows16_dot16_q2_K_gfni
#define Q3_DOT16_NAME realm_rows16_dot16_q3_K_gfni
#include "x86/avx512/rows16_k23.h"
