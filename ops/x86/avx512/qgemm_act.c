/* AVX-512 activation quantizer of the int8 GEMM path: one 32-block is two
 * zmm; the same amax, the same scale and the same round-to-nearest-even
 * (vcvtps2dq in the default rounding mode is lrintf) as the portable
 * qg_quantize_act, so the bytes are identical. At batch 512 the portable
 * loop was ~15% of the whole matmul. */
#include <immintrin.h>

#include "qgemm/qgemm.h"

void qg_quantize_act_avx512(const qg_type *ty, const float *X, int64_t ldx, int64_t k, int64_t b0, int64_t b1,
                            qg_act *a) {
    const int64_t na = k / QG_ABLK;
    const __m512 sign = _mm512_set1_ps(-0.0f);
    for (int64_t b = b0; b < b1; b++) {
        const float *x = X + b * ldx;
        int8_t *q = a->q + b * k;
        for (int64_t i = 0; i < na; i++) {
            const __m512 v0 = _mm512_loadu_ps(x + i * QG_ABLK), v1 = _mm512_loadu_ps(x + i * QG_ABLK + 16);
            const __m512 m = _mm512_max_ps(_mm512_andnot_ps(sign, v0), _mm512_andnot_ps(sign, v1));
            const float amax = _mm512_reduce_max_ps(m);
            const float d = amax / 127.0f, id = d > 0 ? 127.0f / amax : 0.0f;
            a->d[b * na + i] = d;
            const __m512 vid = _mm512_set1_ps(id);
            const __m512i q0 = _mm512_cvtps_epi32(_mm512_mul_ps(v0, vid));
            const __m512i q1 = _mm512_cvtps_epi32(_mm512_mul_ps(v1, vid));
            _mm_storeu_si128((__m128i *)(void *)(q + i * QG_ABLK), _mm512_cvtepi32_epi8(q0));
            _mm_storeu_si128((__m128i *)(void *)(q + i * QG_ABLK + 16), _mm512_cvtepi32_epi8(q1));
            const int sum16[2] = {_mm512_reduce_add_epi32(q0), _mm512_reduce_add_epi32(q1)};
            qg_store_block_sums(ty, a, k, b, i, d, sum16);
        }
    }
}
