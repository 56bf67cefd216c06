/* AVX-512 activations: SiLU and tanh-GELU in their sigmoid forms with the
 * vector exp (a few ulp from the double reference). NaN inputs stay NaN:
 * the numerator carries them. Tails use masked loads and stores. */
#include <immintrin.h>

#include "attention/attention.h"
#include "x86/avx512/exp512.h"

/* x / (1 + e^(-k x)) on 16 lanes, u = k x given */
static inline __m512 sig_form(__m512 x, __m512 u) {
    const __m512 e = exp512(_mm512_sub_ps(_mm512_setzero_ps(), u));
    return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

void realm_silu_avx512(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_loadu_ps(x + i);
        _mm512_storeu_ps(y + i, sig_form(v, v));
    }
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        _mm512_mask_storeu_ps(y + i, m, sig_form(v, v));
    }
}

/* 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3) */
static inline __m512 gelu16(__m512 v) {
    const __m512 v3 = _mm512_mul_ps(_mm512_mul_ps(v, v), v);
    const __m512 u = _mm512_mul_ps(_mm512_set1_ps(2.0f * 0.7978845608f),
                                   _mm512_fmadd_ps(_mm512_set1_ps(0.044715f), v3, v));
    return sig_form(v, u);
}

void realm_gelu_tanh_avx512(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, gelu16(_mm512_loadu_ps(x + i)));
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(y + i, m, gelu16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}
