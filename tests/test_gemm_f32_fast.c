/* The packed, cache-blocked f32 GEMM kernels (ops/gemm, ops/x86/<isa>/
 * gemm_f32.c), nn and nt, each ISA the CPU has, against a double-accumulated
 * product: awkward shapes with padded strides, NaN-poisoned outputs and
 * guard words, and bit-identical results when a caller splits the rows (or
 * columns) of C into ranges. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm/gemm_f32.h"
#include "kernels.h"
#include "realm/cpu.h"
#include "util.h"

/* Normwise and per element (vs sum |a||b|, which cancellation cannot
 * shrink): float FMA chains of up to GEMM_KC terms stay far below this. */
#define REL_TOL 1e-5
#define GUARD 64 /* floats past the end of C that must stay untouched */

typedef struct {
    const char *name;
    realm_gemm_f32_fn fn;
    bool nt;
    bool (*has)(void);
} kernel;

/* What the compilers may emit from ops/x86/<isa>/ float code (the AVX-512
 * file's VNNI flag cannot produce VNNI instructions from it). */
static bool has_avx512(void) {
    const realm_cpu_features *f = realm_cpu_get_features();
    return f->avx512f && f->avx512bw && f->avx512vl && f->avx512dq && f->fma && f->f16c;
}
static bool has_avx2(void) {
    const realm_cpu_features *f = realm_cpu_get_features();
    return f->avx2 && f->fma && f->f16c;
}

static const kernel kernels[] = {
    {"avx512 nn", realm_gemm_f32_nn_avx512, false, has_avx512},
    {"avx512 nt", realm_gemm_f32_nt_avx512, true, has_avx512},
    {"avx2 nn", realm_gemm_f32_nn_avx2, false, has_avx2},
    {"avx2 nt", realm_gemm_f32_nt_avx2, true, has_avx2},
};

/* Quiet NaNs with payloads: one poisons C and its guard, the other pads
 * the inputs (a NaN read from them and carried into C keeps its payload,
 * so it cannot pass for untouched poison). */
#define POISON_C 0x7FC0BEEFu
#define POISON_IN 0x7FC0DEADu
static float nan_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}
static bool is_poison(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits == POISON_C;
}

/* Operands with padded strides; the padding holds NaN so any read of it
 * that reaches C shows. */
typedef struct {
    int64_t m, n, k, lda, ldb, ldc;
    float *A, *B, *C;
} problem;

static void fill_padded(tu_rng *r, float *x, int64_t rows, int64_t cols, int64_t ld) {
    for (int64_t i = 0; i < rows; i++) {
        tu_fill(r, x + i * ld, cols, 1.0f);
        for (int64_t j = cols; j < ld; j++)
            x[i * ld + j] = nan_bits(POISON_IN);
    }
}

static problem make(int64_t m, int64_t n, int64_t k, bool nt, uint64_t seed) {
    tu_rng r = {seed};
    problem p = {m, n, k, k + 3, (nt ? k : n) + 5, n + 7, NULL, NULL, NULL};
    const int64_t brows = nt ? n : k, bcols = nt ? k : n;
    p.A = malloc(sizeof(float) * m * p.lda);
    p.B = malloc(sizeof(float) * brows * p.ldb);
    p.C = malloc(sizeof(float) * (m * p.ldc + GUARD));
    cr_assert(p.A && p.B && p.C);
    fill_padded(&r, p.A, m, k, p.lda);
    fill_padded(&r, p.B, brows, bcols, p.ldb);
    return p;
}

static void release(problem *p) {
    free(p->A);
    free(p->B);
    free(p->C);
}

static void run(const kernel *kn, problem *p) {
    for (int64_t i = 0; i < p->m * p->ldc + GUARD; i++)
        p->C[i] = nan_bits(POISON_C);
    kn->fn(p->m, p->n, p->k, p->A, p->lda, p->B, p->ldb, p->C, p->ldc);
}

/* Every element written and close to the double-accumulated product;
 * row padding and the guard region untouched. */
static void check(const kernel *kn, const problem *p) {
    double err2 = 0, ref2 = 0;
    for (int64_t i = 0; i < p->m; i++) {
        for (int64_t j = 0; j < p->n; j++) {
            double ref = 0, mag = 0;
            for (int64_t q = 0; q < p->k; q++) {
                const double a = p->A[i * p->lda + q];
                const double b = kn->nt ? p->B[j * p->ldb + q] : p->B[q * p->ldb + j];
                ref += a * b;
                mag += fabs(a * b);
            }
            const float c = p->C[i * p->ldc + j];
            cr_assert(!isnan(c), "%s m=%ld n=%ld k=%ld: C[%ld][%ld] not written", kn->name, (long)p->m,
                      (long)p->n, (long)p->k, (long)i, (long)j);
            cr_assert(fabs(c - ref) <= REL_TOL * mag,
                      "%s m=%ld n=%ld k=%ld: C[%ld][%ld] = %g, want %g (mag %g)", kn->name, (long)p->m,
                      (long)p->n, (long)p->k, (long)i, (long)j, c, ref, mag);
            err2 += (c - ref) * (c - ref);
            ref2 += ref * ref;
        }
        for (int64_t j = p->n; j < p->ldc; j++)
            cr_assert(is_poison(p->C[i * p->ldc + j]), "%s: row padding C[%ld][%ld] overwritten", kn->name,
                      (long)i, (long)j);
    }
    cr_assert(err2 <= REL_TOL * REL_TOL * ref2, "%s m=%ld n=%ld k=%ld: normwise error %g", kn->name,
              (long)p->m, (long)p->n, (long)p->k, sqrt(err2 / ref2));
    for (int64_t i = 0; i < GUARD; i++)
        cr_assert(is_poison(p->C[p->m * p->ldc + i]), "%s: guard word %ld past C overwritten", kn->name,
                  (long)i);
}

static void check_shape(const kernel *kn, int64_t m, int64_t n, int64_t k, uint64_t seed) {
    problem p = make(m, n, k, kn->nt, seed);
    run(kn, &p);
    check(kn, &p);
    release(&p);
}

/* Skips (with a message) when the CPU lacks the kernel's ISA. */
static void require(const kernel *kn) {
    if (!kn->has()) cr_skip_test("%s: this CPU lacks the ISA", kn->name);
}

static const int64_t sizes[] = {1, 2, 3, 7, 15, 16, 17, 31, 33, 65, 129};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static void all_small_shapes(const kernel *kn) {
    require(kn);
    for (size_t a = 0; a < NSIZES; a++)
        for (size_t b = 0; b < NSIZES; b++)
            for (size_t c = 0; c < NSIZES; c++)
                check_shape(kn, sizes[a], sizes[b], sizes[c], 1000 + a * 100 + b * 10 + c);
}

/* Several k-blocks (a last one of 1), several row blocks of packed A. */
static void large_shapes(const kernel *kn) {
    require(kn);
    check_shape(kn, 200, 300, 513, 7);
    check_shape(kn, 33, 65, 2 * GEMM_KC, 8);
    check_shape(kn, 2 * GEMM_MC_BUF + 5, 37, 300, 9);
}

/* Same bits when the rows (or the columns) of C are split between two calls. */
static void split_bit_identical(const kernel *kn) {
    require(kn);
    static const int64_t shapes[][3] = {
        {45, 70, 600}, {29, 33, 257}, {GEMM_MC_BUF + 100, 40, 300}, {17, 129, 65}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        problem p = make(m, n, k, kn->nt, 50 + s);
        run(kn, &p);
        float *whole = malloc(sizeof(float) * m * p.ldc);
        cr_assert_not_null(whole);
        memcpy(whole, p.C, sizeof(float) * m * p.ldc);
        const int64_t row_cuts[] = {1, 7, m / 2, m - 1};
        for (size_t c = 0; c < 4; c++) {
            const int64_t h = row_cuts[c];
            memset(p.C, 0, sizeof(float) * m * p.ldc);
            kn->fn(h, n, k, p.A, p.lda, p.B, p.ldb, p.C, p.ldc);
            kn->fn(m - h, n, k, p.A + h * p.lda, p.lda, p.B, p.ldb, p.C + h * p.ldc, p.ldc);
            for (int64_t i = 0; i < m; i++)
                cr_assert(memcmp(p.C + i * p.ldc, whole + i * p.ldc, sizeof(float) * n) == 0,
                          "%s m=%ld n=%ld k=%ld: rows split at %ld differ in row %ld", kn->name, (long)m,
                          (long)n, (long)k, (long)h, (long)i);
        }
        const int64_t h = n / 2 + 1; /* columns: B offset by h columns (nn) or rows (nt) */
        memset(p.C, 0, sizeof(float) * m * p.ldc);
        kn->fn(m, h, k, p.A, p.lda, p.B, p.ldb, p.C, p.ldc);
        kn->fn(m, n - h, k, p.A, p.lda, p.B + (kn->nt ? h * p.ldb : h), p.ldb, p.C + h, p.ldc);
        for (int64_t i = 0; i < m; i++)
            cr_assert(memcmp(p.C + i * p.ldc, whole + i * p.ldc, sizeof(float) * n) == 0,
                      "%s m=%ld n=%ld k=%ld: columns split at %ld differ in row %ld", kn->name, (long)m,
                      (long)n, (long)k, (long)h, (long)i);
        free(whole);
        release(&p);
    }
}

Test(gemm_f32_fast, avx512_nn_small_shapes) { all_small_shapes(&kernels[0]); }
Test(gemm_f32_fast, avx512_nt_small_shapes) { all_small_shapes(&kernels[1]); }
Test(gemm_f32_fast, avx2_nn_small_shapes) { all_small_shapes(&kernels[2]); }
Test(gemm_f32_fast, avx2_nt_small_shapes) { all_small_shapes(&kernels[3]); }

Test(gemm_f32_fast, avx512_nn_large_shapes) { large_shapes(&kernels[0]); }
Test(gemm_f32_fast, avx512_nt_large_shapes) { large_shapes(&kernels[1]); }
Test(gemm_f32_fast, avx2_nn_large_shapes) { large_shapes(&kernels[2]); }
Test(gemm_f32_fast, avx2_nt_large_shapes) { large_shapes(&kernels[3]); }

Test(gemm_f32_fast, avx512_nn_split_bit_identical) { split_bit_identical(&kernels[0]); }
Test(gemm_f32_fast, avx512_nt_split_bit_identical) { split_bit_identical(&kernels[1]); }
Test(gemm_f32_fast, avx2_nn_split_bit_identical) { split_bit_identical(&kernels[2]); }
Test(gemm_f32_fast, avx2_nt_split_bit_identical) { split_bit_identical(&kernels[3]); }

/* A packed once (realm_gemm_f32_apack, in several parts as threads do) and
 * handed to the nt GEMM gives the bits of the GEMM packing A itself: partial
 * panels, a short last k block, several row blocks, column slices. */
static void packed_a_same_bits(int mr, realm_gemm_f32_packed_fn packed, const kernel *kn) {
    require(kn);
    static const int64_t shapes[][3] = {
        {1, 40, 300}, {13, 33, 513}, {29, 70, GEMM_KC}, {GEMM_MC_BUF + 9, 35, 260}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        problem p = make(m, n, k, true, 300 + s);
        run(kn, &p);
        float *whole = malloc(sizeof(float) * m * p.ldc);
        cr_assert_not_null(whole);
        memcpy(whole, p.C, sizeof(float) * m * p.ldc);
        const int64_t nf = realm_gemm_f32_apack_floats(mr, m, k), panels = (m + mr - 1) / mr;
        float *Ap = malloc(sizeof(float) * nf);
        cr_assert_not_null(Ap);
        for (int part = 0; part < 3; part++) /* three uneven parts, as three threads would */
            realm_gemm_f32_apack(mr, m, k, p.A, p.lda, Ap, panels * part / 3, panels * (part + 1) / 3);
        for (int64_t i = 0; i < m * p.ldc; i++)
            p.C[i] = nan_bits(POISON_C);
        const int64_t h = n / 3 + 1; /* two column slices, as two chunks */
        packed(m, h, k, Ap, p.B, p.ldb, p.C, p.ldc);
        packed(m, n - h, k, Ap, p.B + h * p.ldb, p.ldb, p.C + h, p.ldc);
        for (int64_t i = 0; i < m; i++)
            cr_assert(memcmp(p.C + i * p.ldc, whole + i * p.ldc, sizeof(float) * n) == 0,
                      "%s m=%ld n=%ld k=%ld: packed-A row %ld differs", kn->name, (long)m, (long)n, (long)k,
                      (long)i);
        free(Ap);
        free(whole);
        release(&p);
    }
}

Test(gemm_f32_fast, avx512_packed_a_same_bits) {
    packed_a_same_bits(REALM_GEMM_F32_MR_AVX512, realm_gemm_f32_nt_packed_avx512, &kernels[1]);
}
Test(gemm_f32_fast, avx2_packed_a_same_bits) {
    packed_a_same_bits(REALM_GEMM_F32_MR_AVX2, realm_gemm_f32_nt_packed_avx2, &kernels[3]);
}
