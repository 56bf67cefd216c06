/* The 12 formats against the golden vectors in ../shared/golden/quant:
 * dequantization bit for bit, quantization error row by row no worse. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realm/quant.h"
#include "util.h"

#define GOLD_ROWS 8
#define GOLD_COLS 1024

static const char *const golden_types[] = {"q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q8_1",
                                           "q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "q8_K"};
#define N_GOLDEN (sizeof golden_types / sizeof golden_types[0])

static void *load_golden(const char *name, size_t *size) {
    char rel[256], path[1024];
    snprintf(rel, sizeof rel, "golden/quant/%s", name);
    if (!tu_shared_path(rel, path, sizeof path)) return NULL;
    return tu_read_file(path, size);
}

Test(quant_golden, dequant_bit_exact) {
    if (!tu_shared_available()) cr_skip_test("../shared is absent: golden dequantization not checked");
    for (size_t i = 0; i < N_GOLDEN; i++) {
        realm_type t;
        cr_assert_eq(realm_type_from_name(golden_types[i], &t), REALM_OK);
        char name[64];
        size_t nb = 0, nf = 0;
        snprintf(name, sizeof name, "%s.blocks", golden_types[i]);
        uint8_t *blocks = load_golden(name, &nb);
        snprintf(name, sizeof name, "%s.dequant.f32", golden_types[i]);
        float *want = load_golden(name, &nf);
        cr_assert(blocks && want, "missing golden files for %s", golden_types[i]);
        size_t rb = realm_row_bytes(t, GOLD_COLS);
        cr_assert_eq(nb, rb * GOLD_ROWS, "%s: blocks file is %zu bytes, expected %zu", golden_types[i], nb,
                     rb * GOLD_ROWS);
        cr_assert_eq(nf, sizeof(float) * GOLD_ROWS * GOLD_COLS);
        float *got = malloc(sizeof(float) * GOLD_COLS);
        for (int r = 0; r < GOLD_ROWS; r++) {
            cr_assert_eq(realm_dequantize_row(t, blocks + r * rb, got, GOLD_COLS), REALM_OK);
            for (int c = 0; c < GOLD_COLS; c++) {
                uint32_t a, b;
                memcpy(&a, &got[c], 4);
                memcpy(&b, &want[r * GOLD_COLS + c], 4);
                cr_assert_eq(a, b, "%s row %d col %d: got %.9g want %.9g", golden_types[i], r, c, got[c],
                             want[r * GOLD_COLS + c]);
            }
        }
        free(got);
        free(blocks);
        free(want);
    }
}

Test(quant_golden, roundtrip_no_worse_than_reference) {
    if (!tu_shared_available()) cr_skip_test("../shared is absent: golden round-trip error not checked");
    size_t ni = 0;
    float *input = load_golden("input.f32", &ni);
    cr_assert(input && ni == sizeof(float) * GOLD_ROWS * GOLD_COLS);
    for (size_t i = 0; i < N_GOLDEN; i++) {
        realm_type t;
        cr_assert_eq(realm_type_from_name(golden_types[i], &t), REALM_OK);
        char name[64];
        snprintf(name, sizeof name, "%s.dequant.f32", golden_types[i]);
        size_t nf = 0;
        float *ref = load_golden(name, &nf);
        cr_assert(ref);
        size_t rb = realm_row_bytes(t, GOLD_COLS);
        void *blocks = malloc(rb);
        float *got = malloc(sizeof(float) * GOLD_COLS);
        for (int r = 0; r < GOLD_ROWS; r++) {
            const float *x = input + r * GOLD_COLS;
            cr_assert_eq(realm_quantize_row(t, x, blocks, GOLD_COLS), REALM_OK);
            cr_assert_eq(realm_dequantize_row(t, blocks, got, GOLD_COLS), REALM_OK);
            double ours = tu_rel_rmse(got, x, GOLD_COLS);
            double theirs = tu_rel_rmse(ref + r * GOLD_COLS, x, GOLD_COLS);
            cr_assert(ours <= theirs * (1 + 1e-6) + 1e-12, "%s row %d: relative RMSE %.6g, reference %.6g",
                      golden_types[i], r, ours, theirs);
        }
        free(blocks);
        free(got);
        free(ref);
    }
    free(input);
}
