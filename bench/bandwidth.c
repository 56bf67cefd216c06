/* STREAM-style read bandwidth probe: the ceiling for batch-1 matmuls. */
#include <immintrin.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "realm/cpu.h"

/* Sums the slice with the widest loads the CPU has and 8 independent
 * accumulators, so the loop is bound by memory, not by the adds; the result
 * defeats dead-code elimination. A probe weaker than the kernels would
 * flatter their bandwidth ratios. */
/* burst: 0, or prefetch each 2 KB two bursts ahead in one go, as the
 * decode kernels do (bench/RESULTS.md: on the VM that read 15-20% more than
 * the plain loop, and a probe below the kernels would flatter them). */
__attribute__((target("avx512f"))) static uint64_t read_avx512(const uint64_t *p, size_t n, int burst) {
    __m512i s[8];
    for (int j = 0; j < 8; j++)
        s[j] = _mm512_setzero_si512();
    for (size_t i = 0; i + 64 <= n; i += 64) {
        if (burst && i % 256 == 0) /* 256 words: 2 KB */
            for (int j = 0; j < 32; j++)
                _mm_prefetch((const char *)(p + i + 512) + 64 * j, _MM_HINT_T0);
        for (int j = 0; j < 8; j++)
            s[j] = _mm512_add_epi64(s[j], _mm512_load_si512((const void *)(p + i + 8 * j)));
    }
    for (int j = 1; j < 8; j++)
        s[0] = _mm512_add_epi64(s[0], s[j]);
    return (uint64_t)_mm512_reduce_add_epi64(s[0]);
}

__attribute__((target("avx2"))) static uint64_t read_avx2(const uint64_t *p, size_t n) {
    __m256i s[8];
    for (int j = 0; j < 8; j++)
        s[j] = _mm256_setzero_si256();
    for (size_t i = 0; i + 32 <= n; i += 32)
        for (int j = 0; j < 8; j++)
            s[j] = _mm256_add_epi64(s[j], _mm256_load_si256((const __m256i *)(const void *)(p + i + 4 * j)));
    for (int j = 1; j < 8; j++)
        s[0] = _mm256_add_epi64(s[0], s[j]);
    return (uint64_t)_mm256_extract_epi64(s[0], 0) + (uint64_t)_mm256_extract_epi64(s[0], 1) +
           (uint64_t)_mm256_extract_epi64(s[0], 2) + (uint64_t)_mm256_extract_epi64(s[0], 3);
}

static uint64_t read_portable(const uint64_t *p, size_t n) {
    uint64_t s[8] = {0};
    for (size_t i = 0; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            s[j] += p[i + j];
    return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

static uint64_t read_slice(const uint64_t *p, size_t n, int burst) {
    const realm_cpu_features *f = realm_cpu_get_features();
    if (f->avx512f) return read_avx512(p, n, burst);
    if (f->avx2) return read_avx2(p, n);
    return read_portable(p, n);
}

int bench_bandwidth(int threads, size_t bytes, int reps, bench_bandwidth_result *out) {
    if (threads < 1 || reps < 1 || bytes < 4096) return -1;
    const size_t words = bytes / sizeof(uint64_t);
    uint64_t *buf = aligned_alloc(64, words * sizeof(uint64_t));
    double *times = malloc(sizeof(double) * 2 * (size_t)reps); /* [variant][rep] */
    if (!buf || !times) {
        free(buf);
        free(times);
        return -1;
    }
    /* first touch by the reading threads: pages land near them */
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < words; i++)
        buf[i] = i;
    volatile uint64_t sink = 0;
    /* both read loops, alternating; the faster median is the machine's */
    for (int r = -1; r < reps; r++) /* r = -1: warm-up */
        for (int burst = 0; burst < 2; burst++) {
            uint64_t total = 0;
            const double t0 = bench_now();
#pragma omp parallel num_threads(threads) reduction(+ : total)
            {
                const size_t nt = (size_t)omp_get_num_threads(), id = (size_t)omp_get_thread_num();
                const size_t lo = words * id / nt / 64 * 64,
                             hi = id + 1 == nt ? words : words * (id + 1) / nt / 64 * 64;
                total += read_slice(buf + lo, hi - lo, burst);
            }
            const double dt = bench_now() - t0;
            sink += total;
            if (r >= 0) times[burst * reps + r] = dt;
        }
    (void)sink;
    out->threads = threads;
    out->bytes = words * sizeof(uint64_t);
    const double plain = bench_median(times, reps), burst = bench_median(times + reps, reps);
    out->median_s = plain < burst ? plain : burst;
    out->gbps = (double)out->bytes / out->median_s / 1e9;
    free(buf);
    free(times);
    return 0;
}

struct bench_probe {
    realm_runtime *rt;
    uint64_t *buf;
    size_t words;
    int burst;
    uint64_t sums[256]; /* per thread, so no pass can be optimized away */
};

static void probe_slice(const bench_probe *p, int thread, int n_threads, size_t *lo, size_t *hi) {
    *lo = p->words * (size_t)thread / (size_t)n_threads / 64 * 64;
    *hi = thread + 1 == n_threads ? p->words : p->words * (size_t)(thread + 1) / (size_t)n_threads / 64 * 64;
}

static void probe_touch(void *ctx, int thread, int n_threads) {
    bench_probe *p = ctx;
    size_t lo, hi;
    probe_slice(p, thread, n_threads, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        p->buf[i] = i;
}

static void probe_read(void *ctx, int thread, int n_threads) {
    bench_probe *p = ctx;
    size_t lo, hi;
    probe_slice(p, thread, n_threads, &lo, &hi);
    p->sums[thread % 256] += read_slice(p->buf + lo, hi - lo, p->burst);
}

bench_probe *bench_probe_create(realm_runtime *rt, size_t bytes) {
    bench_probe *p = calloc(1, sizeof *p);
    if (!p || !rt || bytes < 4096) {
        free(p);
        return NULL;
    }
    p->rt = rt;
    p->words = bytes / sizeof(uint64_t);
    p->buf = aligned_alloc(64, p->words * sizeof(uint64_t));
    /* first touch by the reading threads: pages land near them */
    if (!p->buf || realm_runtime_parallel_threads(rt, probe_touch, p) != REALM_OK) {
        bench_probe_destroy(p);
        return NULL;
    }
    return p;
}

double bench_probe_gbps(bench_probe *p) {
    double best = 0;
    for (p->burst = 0; p->burst < 2; p->burst++) {
        const double t0 = bench_now();
        if (realm_runtime_parallel_threads(p->rt, probe_read, p) != REALM_OK) return 0;
        const double gbps = (double)(p->words * sizeof(uint64_t)) / (bench_now() - t0) / 1e9;
        if (gbps > best) best = gbps;
    }
    return best;
}

void bench_probe_destroy(bench_probe *p) {
    if (!p) return;
    free(p->buf);
    free(p);
}
