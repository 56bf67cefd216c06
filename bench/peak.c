/* Peak compute probe: register-only chains of f32 FMA and int8 dot
 * instructions on every thread, so results can be stated as a fraction of
 * what the cores can do. Compiled for the ISA with target attributes and
 * chosen from the detected CPU features. */
#include <immintrin.h>
#include <omp.h>

#include "bench.h"
#include "realm/cpu.h"

enum { ITERS = 4 * 1000 * 1000, CHAINS = 12 };

__attribute__((target("avx512f"))) static float fma_avx512(int iters) {
    __m512 a[CHAINS];
    const __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-7f);
    for (int c = 0; c < CHAINS; c++)
        a[c] = _mm512_set1_ps((float)c);
    for (int i = 0; i < iters; i++)
        for (int c = 0; c < CHAINS; c++)
            a[c] = _mm512_fmadd_ps(a[c], x, y);
    __m512 s = a[0];
    for (int c = 1; c < CHAINS; c++)
        s = _mm512_add_ps(s, a[c]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx512f,avx512vnni"))) static unsigned dot_avx512(int iters) {
    __m512i a[CHAINS];
    const __m512i x = _mm512_set1_epi8(3), y = _mm512_set1_epi8(-2);
    for (int c = 0; c < CHAINS; c++)
        a[c] = _mm512_set1_epi32(c);
    for (int i = 0; i < iters; i++)
        for (int c = 0; c < CHAINS; c++)
            a[c] = _mm512_dpbusd_epi32(a[c], x, y);
    __m512i s = a[0];
    for (int c = 1; c < CHAINS; c++)
        s = _mm512_add_epi32(s, a[c]);
    /* lane 0 keeps the work alive; a C sum of the lanes would overflow int
     * (undefined behaviour) after millions of iterations */
    return (unsigned)_mm512_cvtsi512_si32(s);
}

__attribute__((target("avx2,fma"))) static float fma_avx2(int iters) {
    __m256 a[CHAINS];
    const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-7f);
    for (int c = 0; c < CHAINS; c++)
        a[c] = _mm256_set1_ps((float)c);
    for (int i = 0; i < iters; i++)
        for (int c = 0; c < CHAINS; c++)
            a[c] = _mm256_fmadd_ps(a[c], x, y);
    float out[8], s = 0;
    for (int c = 1; c < CHAINS; c++)
        a[0] = _mm256_add_ps(a[0], a[c]);
    _mm256_storeu_ps(out, a[0]);
    for (int i = 0; i < 8; i++)
        s += out[i];
    return s;
}

/* AVX2 int8 dot: vpmaddubsw + vpmaddwd + vpaddd, 3 instructions per 32 pairs. */
__attribute__((target("avx2"))) static unsigned dot_avx2(int iters) {
    __m256i a[CHAINS];
    const __m256i x = _mm256_set1_epi8(3), y = _mm256_set1_epi8(-2), one = _mm256_set1_epi16(1);
    for (int c = 0; c < CHAINS; c++)
        a[c] = _mm256_set1_epi32(c);
    for (int i = 0; i < iters; i++)
        for (int c = 0; c < CHAINS; c++)
            a[c] = _mm256_add_epi32(a[c], _mm256_madd_epi16(_mm256_maddubs_epi16(x, y), one));
    for (int c = 1; c < CHAINS; c++)
        a[0] = _mm256_add_epi32(a[0], a[c]);
    return (unsigned)_mm256_cvtsi256_si32(a[0]); /* lane 0, as in dot_avx512 */
}

/* Runs fn on every thread; returns the wall time of the slowest. */
static double timed(int threads, int use_dot, int avx512) {
    double sink_f = 0;
    unsigned sink_i = 0;
    const double t0 = bench_now();
#pragma omp parallel num_threads(threads) reduction(+ : sink_f, sink_i)
    {
        if (use_dot)
            sink_i += avx512 ? dot_avx512(ITERS) : dot_avx2(ITERS);
        else
            sink_f += avx512 ? fma_avx512(ITERS) : fma_avx2(ITERS);
    }
    const double dt = bench_now() - t0;
    /* the results must look used, or the loops could be dropped */
    volatile double keep = sink_f + (double)sink_i;
    (void)keep;
    return dt;
}

int bench_peak(int threads, bench_peak_result *out) {
    const realm_cpu_features *f = realm_cpu_get_features();
    const int avx512 = f->avx512f && f->avx512vnni;
    if (threads < 1 || !(avx512 || (f->avx2 && f->fma))) return -1;
    const double lanes = avx512 ? 16 : 8, bytes = avx512 ? 64 : 32;
    const double ops = (double)ITERS * CHAINS * threads;
    double tf = 1e30, td = 1e30;
    for (int r = 0; r < 3; r++) { /* best of 3: a probe of the ceiling */
        double t = timed(threads, 0, avx512);
        if (t < tf) tf = t;
        t = timed(threads, 1, avx512);
        if (t < td) td = t;
    }
    out->threads = threads;
    out->f32_gflops = ops * lanes * 2 / tf / 1e9;
    out->int8_gops = ops * bytes * 2 / td / 1e9;
    out->isa = avx512 ? "avx512-vnni" : "avx2";
    return 0;
}
