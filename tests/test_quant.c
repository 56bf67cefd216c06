/* Types, fp16 conversion and row quantization on generated data (no
 * ../shared needed), plus bad input for the quant API. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/quant.h"
#include "util.h"

static const realm_type all_quant[] = {REALM_TYPE_Q4_0, REALM_TYPE_Q4_1, REALM_TYPE_Q5_0, REALM_TYPE_Q5_1,
                                       REALM_TYPE_Q8_0, REALM_TYPE_Q8_1, REALM_TYPE_Q2_K, REALM_TYPE_Q3_K,
                                       REALM_TYPE_Q4_K, REALM_TYPE_Q5_K, REALM_TYPE_Q6_K, REALM_TYPE_Q8_K};
#define N_QUANT (sizeof all_quant / sizeof all_quant[0])

Test(types, gguf_ids_sizes_and_partners) {
    /* GGUF's table: id, name, block elements, block bytes, dot partner */
    static const struct {
        realm_type t;
        int id;
        const char *name;
        int64_t be;
        size_t bb;
        realm_type dot;
    } want[] = {
        {REALM_TYPE_F32, 0, "f32", 1, 4, REALM_TYPE_F32},
        {REALM_TYPE_F16, 1, "f16", 1, 2, REALM_TYPE_F16},
        {REALM_TYPE_Q4_0, 2, "q4_0", 32, 18, REALM_TYPE_Q8_0},
        {REALM_TYPE_Q4_1, 3, "q4_1", 32, 20, REALM_TYPE_Q8_1},
        {REALM_TYPE_Q5_0, 6, "q5_0", 32, 22, REALM_TYPE_Q8_0},
        {REALM_TYPE_Q5_1, 7, "q5_1", 32, 24, REALM_TYPE_Q8_1},
        {REALM_TYPE_Q8_0, 8, "q8_0", 32, 34, REALM_TYPE_Q8_0},
        {REALM_TYPE_Q8_1, 9, "q8_1", 32, 36, REALM_TYPE_Q8_1},
        {REALM_TYPE_Q2_K, 10, "q2_K", 256, 84, REALM_TYPE_Q8_K},
        {REALM_TYPE_Q3_K, 11, "q3_K", 256, 110, REALM_TYPE_Q8_K},
        {REALM_TYPE_Q4_K, 12, "q4_K", 256, 144, REALM_TYPE_Q8_K},
        {REALM_TYPE_Q5_K, 13, "q5_K", 256, 176, REALM_TYPE_Q8_K},
        {REALM_TYPE_Q6_K, 14, "q6_K", 256, 210, REALM_TYPE_Q8_K},
        {REALM_TYPE_Q8_K, 15, "q8_K", 256, 292, REALM_TYPE_Q8_K},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cr_assert_eq((int)want[i].t, want[i].id);
        const realm_type_traits *tr = realm_type_get_traits(want[i].t);
        cr_assert_not_null(tr);
        cr_assert_str_eq(tr->name, want[i].name);
        cr_assert_eq(tr->block_elems, want[i].be, "%s", want[i].name);
        cr_assert_eq(tr->block_bytes, want[i].bb, "%s", want[i].name);
        cr_assert_eq(tr->dot_type, want[i].dot, "%s", want[i].name);
        cr_assert_eq(tr->is_quantized, want[i].be > 1);
        cr_assert_not_null(tr->quantize);
        cr_assert_not_null(tr->dequantize);
        cr_assert_str_eq(realm_type_name(want[i].t), want[i].name);
    }
    cr_assert_not(realm_type_is_valid((realm_type)4));
    cr_assert_not(realm_type_is_valid((realm_type)5));
    cr_assert_not(realm_type_is_valid((realm_type)16));
    cr_assert_not(realm_type_is_valid((realm_type)-1));
    cr_assert_null(realm_type_get_traits((realm_type)4));
    cr_assert_str_eq(realm_type_name((realm_type)99), "invalid");
}

Test(types, lookup_by_name_is_case_insensitive) {
    realm_type t;
    cr_assert_eq(realm_type_from_name("Q4_K", &t), REALM_OK);
    cr_assert_eq(t, REALM_TYPE_Q4_K);
    cr_assert_eq(realm_type_from_name("q8_k", &t), REALM_OK);
    cr_assert_eq(t, REALM_TYPE_Q8_K);
    cr_assert_eq(realm_type_from_name("F16", &t), REALM_OK);
    cr_assert_eq(t, REALM_TYPE_F16);
    t = REALM_TYPE_F32;
    cr_assert_eq(realm_type_from_name("q4_", &t), REALM_ERR_INVALID_ARG);
    cr_assert_eq(t, REALM_TYPE_F32, "out must be untouched on failure");
    cr_assert_eq(realm_type_from_name("q4_0x", &t), REALM_ERR_INVALID_ARG);
    cr_assert(strstr(realm_last_error(), "q4_0x") != NULL);
    cr_assert_eq(realm_type_from_name(NULL, &t), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_type_from_name("q4_0", NULL), REALM_ERR_INVALID_ARG);
}

Test(status, names) {
    cr_assert_str_eq(realm_status_str(REALM_OK), "REALM_OK");
    cr_assert_str_eq(realm_status_str(REALM_ERR_SHAPE), "REALM_ERR_SHAPE");
    cr_assert_str_eq(realm_status_str((realm_status)1234), "REALM_ERR_UNKNOWN");
    for (int s = 0; s < REALM_STATUS_COUNT; s++)
        cr_assert(strncmp(realm_status_str((realm_status)s), "REALM_", 6) == 0);
}

static float f_from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

Test(fp16, every_half_round_trips) {
    for (uint32_t h = 0; h < 65536; h++) {
        float f = realm_fp16_to_fp32((uint16_t)h);
        bool is_nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
        if (is_nan) {
            cr_assert(isnan(f));
            cr_assert(isnan(realm_fp16_to_fp32(realm_fp32_to_fp16(f))));
            continue;
        }
        cr_assert_eq(realm_fp32_to_fp16(f), h, "half 0x%04x -> %g -> 0x%04x", h, f, realm_fp32_to_fp16(f));
    }
    cr_assert_eq(realm_fp16_to_fp32(0x0001), ldexpf(1, -24)); /* smallest subnormal */
    cr_assert_eq(realm_fp16_to_fp32(0x7bff), 65504.0f);
    cr_assert(isinf(realm_fp16_to_fp32(0xfc00)) && realm_fp16_to_fp32(0xfc00) < 0);
}

/* Nearest-even rounding checked against neighbours, for random floats over
 * the whole range (normals, subnormals, overflow). */
Test(fp16, rounds_to_nearest_even) {
    tu_rng r = {42};
    for (int i = 0; i < 200000; i++) {
        float f = ldexpf(tu_uniform(&r, 1.0f, 2.0f), (int)(tu_next(&r) % 50) - 30);
        if (tu_next(&r) & 1) f = -f;
        uint16_t h = realm_fp32_to_fp16(f);
        double v = realm_fp16_to_fp32(h);
        if (fabs((double)f) >= 65520.0) {
            cr_assert(isinf(v), "%g should overflow to inf", f);
            continue;
        }
        uint16_t mag = h & 0x7fff;
        double err = fabs(v - f);
        /* neighbours of h, away from and towards zero */
        double up = mag < 0x7bff ? realm_fp16_to_fp32((uint16_t)((h & 0x8000) | (mag + 1))) : INFINITY;
        double dn = mag > 0 ? realm_fp16_to_fp32((uint16_t)((h & 0x8000) | (mag - 1))) : v;
        cr_assert(err <= fabs(up - f) && err <= fabs(dn - f), "%a -> 0x%04x not nearest", f, h);
        if (err == fabs(up - f) || (mag > 0 && err == fabs(dn - f)))
            cr_assert((h & 1) == 0, "%a: tie not rounded to even (0x%04x)", f, h);
    }
    cr_assert_eq(realm_fp32_to_fp16(65519.0f), 0x7bff);
    cr_assert_eq(realm_fp32_to_fp16(65520.0f), 0x7c00);
    cr_assert_eq(realm_fp32_to_fp16(ldexpf(1, -25)), 0x0000, "2^-25 ties to even zero");
    cr_assert_eq(realm_fp32_to_fp16(ldexpf(1.5f, -25)), 0x0001);
    cr_assert_eq(realm_fp32_to_fp16(f_from_bits(0x7fc00000u)) & 0x7e00, 0x7e00, "NaN stays quiet NaN");
    cr_assert_eq(realm_fp32_to_fp16(-INFINITY), 0xfc00);
    cr_assert_eq(realm_fp32_to_fp16(-0.0f), 0x8000);
}

/* Relative RMSE bounds on N(0,1)-like data with outliers, per type, set at
 * about 1.5x what the formats achieve (bits per weight decide it). */
static double rmse_bound(realm_type t) {
    switch (t) {
    case REALM_TYPE_Q8_0:
    case REALM_TYPE_Q8_1:
        return 0.012;
    case REALM_TYPE_Q8_K:
        return 0.03; /* one scale per 256: outliers set the step */
    case REALM_TYPE_Q6_K:
        return 0.04;
    case REALM_TYPE_Q5_0:
    case REALM_TYPE_Q5_1:
    case REALM_TYPE_Q5_K:
        return 0.07;
    case REALM_TYPE_Q4_0:
    case REALM_TYPE_Q4_1:
    case REALM_TYPE_Q4_K:
        return 0.14;
    case REALM_TYPE_Q3_K:
        return 0.28;
    case REALM_TYPE_Q2_K:
        return 0.5;
    default:
        return 0;
    }
}

Test(quant, roundtrip_error_on_generated_rows) {
    tu_rng r = {7};
    const int64_t n = 4096;
    float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
    void *q = malloc(realm_row_bytes(REALM_TYPE_Q8_K, n));
    tu_fill(&r, x, n, 1.0f);
    for (size_t i = 0; i < N_QUANT; i++) {
        realm_type t = all_quant[i];
        cr_assert_eq(realm_quantize_row(t, x, q, n), REALM_OK);
        cr_assert_eq(realm_dequantize_row(t, q, y, n), REALM_OK);
        double e = tu_rel_rmse(y, x, n);
        cr_assert(e < rmse_bound(t), "%s: relative RMSE %.4g above %.4g", realm_type_name(t), e,
                  rmse_bound(t));
        cr_assert(e > 1e-6, "%s: a lossy format reproduced the input exactly", realm_type_name(t));
    }
    free(x);
    free(y);
    free(q);
}

Test(quant, zeros_constants_and_f16_rows) {
    const int64_t n = 512;
    float x[512], y[512];
    uint8_t q[2048];
    for (size_t i = 0; i < N_QUANT; i++) {
        realm_type t = all_quant[i];
        memset(x, 0, sizeof x);
        cr_assert_eq(realm_quantize_row(t, x, q, n), REALM_OK);
        cr_assert_eq(realm_dequantize_row(t, q, y, n), REALM_OK);
        for (int j = 0; j < n; j++)
            cr_assert_eq(y[j], 0.0f, "%s zeros -> %g", realm_type_name(t), y[j]);
        for (int j = 0; j < n; j++)
            x[j] = 0.5f;
        cr_assert_eq(realm_quantize_row(t, x, q, n), REALM_OK);
        cr_assert_eq(realm_dequantize_row(t, q, y, n), REALM_OK);
        for (int j = 0; j < n; j++)
            cr_assert(fabsf(y[j] - 0.5f) < 0.02f, "%s constant 0.5 -> %g", realm_type_name(t), y[j]);
    }
    tu_rng r = {3};
    tu_fill(&r, x, n, 100.0f);
    cr_assert_eq(realm_quantize_row(REALM_TYPE_F16, x, q, n), REALM_OK);
    cr_assert_eq(realm_dequantize_row(REALM_TYPE_F16, q, y, n), REALM_OK);
    for (int j = 0; j < n; j++)
        cr_assert_eq(y[j], realm_fp16_to_fp32(realm_fp32_to_fp16(x[j])));
    cr_assert_eq(realm_quantize_row(REALM_TYPE_F32, x, q, n), REALM_OK);
    cr_assert_eq(memcmp(q, x, sizeof x), 0);
}

/* Importance weights steer the error: the heavily weighted half ends up
 * more accurate than when quantized without weights. */
Test(quant, importance_weights_help_weighted_elements) {
    tu_rng r = {11};
    const int64_t n = 2048;
    float *x = malloc(sizeof(float) * n), *w = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
    void *q = malloc(realm_row_bytes(REALM_TYPE_Q8_K, n));
    tu_fill(&r, x, n, 1.0f);
    for (int64_t j = 0; j < n; j++)
        w[j] = (j % 4 == 0) ? 100.0f : 0.01f;
    for (size_t i = 0; i < N_QUANT; i++) {
        realm_type t = all_quant[i];
        double err[2];
        for (int pass = 0; pass < 2; pass++) {
            cr_assert_eq(realm_quantize_row_weighted(t, x, q, n, pass ? w : NULL), REALM_OK);
            cr_assert_eq(realm_dequantize_row(t, q, y, n), REALM_OK);
            err[pass] = 0;
            for (int64_t j = 0; j < n; j++)
                err[pass] += w[j] * ((double)x[j] - y[j]) * ((double)x[j] - y[j]);
        }
        cr_assert(err[1] <= err[0] * 1.0001, "%s: weighted error %.6g with weights vs %.6g without",
                  realm_type_name(t), err[1], err[0]);
    }
    w[5] = -1.0f;
    cr_assert_eq(realm_quantize_row_weighted(REALM_TYPE_Q4_0, x, q, n, w), REALM_ERR_INVALID_ARG);
    w[5] = NAN;
    cr_assert_eq(realm_quantize_row_weighted(REALM_TYPE_Q4_0, x, q, n, w), REALM_ERR_INVALID_ARG);
    free(x);
    free(w);
    free(y);
    free(q);
}

Test(quant, bad_input) {
    float x[64] = {1};
    uint8_t q[512];
    cr_assert_eq(realm_row_bytes(REALM_TYPE_Q4_0, 33), 0);
    cr_assert(strstr(realm_last_error(), "multiple") != NULL);
    cr_assert_eq(realm_row_bytes(REALM_TYPE_Q4_0, 64), 36);
    cr_assert_eq(realm_row_bytes(REALM_TYPE_Q4_K, 0), 0); /* valid: an empty row */
    cr_assert_eq(realm_row_bytes((realm_type)4, 32), 0);
    cr_assert_eq(realm_row_bytes(REALM_TYPE_F32, -1), 0);
    cr_assert_eq(realm_row_bytes(REALM_TYPE_F32, INT64_MAX), 0);
    cr_assert(strstr(realm_last_error(), "fit") != NULL);
    cr_assert_eq(realm_quantize_row(REALM_TYPE_Q8_0, x, q, 33), REALM_ERR_SHAPE);
    cr_assert_eq(realm_quantize_row(REALM_TYPE_Q8_0, NULL, q, 32), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_quantize_row(REALM_TYPE_Q8_0, x, NULL, 32), REALM_ERR_INVALID_ARG);
    cr_assert(strstr(realm_last_error(), "dst") != NULL);
    cr_assert_eq(realm_quantize_row((realm_type)77, x, q, 32), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_quantize_row(REALM_TYPE_Q8_0, x, q, -32), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_quantize_row(REALM_TYPE_Q2_K, x, q, 64), REALM_ERR_SHAPE);
    cr_assert_eq(realm_dequantize_row(REALM_TYPE_Q2_K, q, x, 64), REALM_ERR_SHAPE);
    cr_assert_eq(realm_dequantize_row(REALM_TYPE_Q8_0, NULL, x, 32), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_dequantize_row(REALM_TYPE_Q8_0, q, NULL, 32), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_dequantize_row((realm_type)5, q, x, 32), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_dequantize_row(REALM_TYPE_Q8_0, q, x, INT64_MAX - 31), REALM_ERR_OVERFLOW);
    cr_assert_eq(realm_quantize_row(REALM_TYPE_Q8_0, x, q, 0), REALM_OK);
}

/* Rows at any address (a GGUF opened in memory, general.alignment 1):
 * dequantize reads them and quantize writes them byte for byte as at an
 * aligned address, for every type (UBSan would flag a misaligned struct
 * access here). */
Test(quant, rows_at_odd_addresses) {
    const realm_type types[] = {REALM_TYPE_F32,  REALM_TYPE_F16,  REALM_TYPE_Q4_0, REALM_TYPE_Q4_1,
                                REALM_TYPE_Q5_0, REALM_TYPE_Q5_1, REALM_TYPE_Q8_0, REALM_TYPE_Q8_1,
                                REALM_TYPE_Q2_K, REALM_TYPE_Q3_K, REALM_TYPE_Q4_K, REALM_TYPE_Q5_K,
                                REALM_TYPE_Q6_K, REALM_TYPE_Q8_K};
    enum { N = 512 };
    tu_rng r = {0x0dd};
    float x[N], ya[N], yu[N];
    tu_fill(&r, x, N, 2.0f);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const realm_type t = types[i];
        cr_assert(realm_type_align(t) == (t == REALM_TYPE_F32 || t == REALM_TYPE_Q8_K ? 4u : 2u));
        const size_t rb = realm_row_bytes(t, N);
        uint8_t *aligned = aligned_alloc(64, (rb + 63) & ~(size_t)63), *buf = malloc(rb + 3);
        cr_assert_eq(realm_quantize_row(t, x, aligned, N), REALM_OK);
        for (size_t off = 1; off <= 3; off++) {
            uint8_t *odd = buf + off;
            memset(buf, 0xA5, rb + 3);
            cr_assert_eq(realm_quantize_row(t, x, odd, N), REALM_OK, "%s", realm_last_error());
            cr_assert(memcmp(odd, aligned, rb) == 0, "%s: quantize at offset %zu differs", realm_type_name(t),
                      off);
            cr_assert_eq(realm_dequantize_row(t, odd, yu, N), REALM_OK, "%s", realm_last_error());
            cr_assert_eq(realm_dequantize_row(t, aligned, ya, N), REALM_OK);
            cr_assert(memcmp(ya, yu, sizeof ya) == 0, "%s: dequantize at offset %zu differs",
                      realm_type_name(t), off);
        }
        free(aligned);
        free(buf);
    }
    cr_assert_eq(realm_type_align((realm_type)4), 0u);
}
