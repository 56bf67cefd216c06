/* Benchmark drivers behind `realm bench`. Each returns 0 on success and
 * fills a result; the tool prints them. Timings are medians over repeated
 * runs after a warm-up; matmuls run on a realm runtime (pool, OpenMP or
 * serial executor). */
#ifndef REALM_BENCH_H
#define REALM_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "realm/ops.h"
#include "realm/runtime.h"

/* Monotonic seconds. */
double bench_now(void);
/* Median of n values (sorts v). */
double bench_median(double *v, int n);

typedef struct bench_bandwidth_result {
    int threads;
    size_t bytes;
    double median_s;
    double gbps; /* bytes read per second / 1e9 */
} bench_bandwidth_result;

/* STREAM-style read bandwidth: threads sum disjoint slices of a buffer of
 * `bytes` (much larger than the last-level cache). */
int bench_bandwidth(int threads, size_t bytes, int reps, bench_bandwidth_result *out);

/* The same probe on a realm runtime's own threads (same pinning as its
 * matmuls, no second thread team spinning), for interleaving with timed
 * runs: bench_matmul() reads it once before each of its timed runs. */
typedef struct bench_probe bench_probe;
bench_probe *bench_probe_create(realm_runtime *rt, size_t bytes);
/* One pass of each read loop; the faster one's GB/s. */
double bench_probe_gbps(bench_probe *p);
void bench_probe_destroy(bench_probe *p);

typedef struct bench_peak_result {
    int threads;
    double f32_gflops; /* FMA: 2 flops per lane per instruction */
    double int8_gops;  /* u8 x s8 dot: 2 ops per byte pair */
    const char *isa;
} bench_peak_result;

/* Register-only loops of independent FMA / VNNI chains on every thread. */
int bench_peak(int threads, bench_peak_result *out);

typedef struct bench_matmul_params {
    realm_type type;     /* REALM_TYPE_F32 for the f32 GEMM */
    int64_t k, n, batch; /* weights n x k, activations batch x k */
    int threads;
    realm_backend backend;
    int reps;
    int executor;       /* realm_executor */
    int layout;         /* realm_layout of the weights, or -1: realm_layout_preferred() */
    size_t probe_bytes; /* > 0: interleave a read-bandwidth probe of this size with the timed runs */
} bench_matmul_params;

typedef struct bench_matmul_result {
    double median_s;
    double gflops;      /* 2 * n * k * batch / s */
    double weight_gbps; /* weight bytes / s */
    const char *path;   /* "gemv", "gemm", "naive", "f32" */
    const char *layout; /* of the weights: "gguf", "rows16" */
    double bw_gbps;     /* with probe_bytes: median probe GB/s */
    double bw_ratio;    /* with probe_bytes: median over runs of weight GB/s / the probe just before it */
    double vs_first;    /* bench_matmul_types: median over reps of this type's speed / the first type's */
} bench_matmul_result;

/* Times Y = X W^T on random data; weights and activations rotate through
 * enough copies that every run reads them from memory, not cache. */
int bench_matmul(const bench_matmul_params *p, bench_matmul_result *out);
/* The same for n_types weight types (p->type ignored) on one runtime, their
 * runs interleaved rep by rep; out[t] for types[t]. */
int bench_matmul_types(const bench_matmul_params *p, const realm_type *types, int n_types,
                       bench_matmul_result *out);

/* OpenBLAS C = A B^T, A m x k, B n x k (only with REALM_HAVE_OPENBLAS). */
int bench_sgemm_ref(int64_t m, int64_t n, int64_t k, int threads, int reps, bench_matmul_result *out);

#endif
