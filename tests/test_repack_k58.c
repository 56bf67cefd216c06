/* ROWS16 q5_K and q8_K (ops/repack/rows16_k58.c and their kernels), beyond
 * what test_repack.c checks for every type:
 *  - the GEMM panel packed from a group is byte for byte qg_pack_panel()'s
 *    of the 16 GGUF rows, for random bytes (any scale bits, NaN included);
 *  - the portable kernel matches the GGUF kernel within float-order error,
 *    measured against the sum of the super-blocks' |terms| so that
 *    cancellation cannot make it flaky;
 *  - the AVX-512 kernel gives the portable bits on long rows too;
 *  - the layout is the preferred one where an AVX-512 kernel exists. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemv/gemv.h"
#include "qgemm/qgemm.h"
#include "quant/blocks.h"
#include "realm/cpu.h"
#include "realm/quant.h"
#include "realm/repack.h"
#include "repack/repack.h"
#include "util.h"

static const realm_type types[] = {REALM_TYPE_Q5_K, REALM_TYPE_Q8_K};

static void random_bytes(tu_rng *r, uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)tu_next(r);
}

Test(repack_k58, panel_is_qg_pack_panel) {
    tu_rng r = {0x9a11};
    const int64_t ks[] = {256, 1024};
    for (int ti = 0; ti < 2; ti++)
        for (int ki = 0; ki < 2; ki++) {
            const realm_type t = types[ti];
            const int64_t k = ks[ki];
            const qg_type *ty = qg_type_get(t);
            const realm_rows16_traits *tr = realm_rows16_get(t);
            cr_assert(ty && tr);
            const size_t rb = realm_row_bytes(t, k), pb = qg_panel_bytes(ty, k);
            uint8_t *w = malloc(16 * rb), *g = malloc(16 * rb);
            random_bytes(&r, w, 16 * rb);
            cr_assert_eq(realm_repack(t, REALM_LAYOUT_ROWS16, w, g, 16, k), REALM_OK);
            void *ws1 = aligned_alloc(64, pb), *ws2 = aligned_alloc(64, pb);
            void *tmp = aligned_alloc(64, qg_pack_tmp_bytes(ty, k));
            memset(ws1, 0x5A, pb);
            memset(ws2, 0x5A, pb);
            qg_panel p1, p2;
            qg_panel_init(&p1, ty, k, ws1);
            qg_panel_init(&p2, ty, k, ws2);
            tr->pack_panel(g, k, &p1);
            qg_pack_panel(ty, w, rb, 0, 16, k, tmp, &p2);
            cr_assert(memcmp(p1.q, p2.q, (size_t)k * 16) == 0, "%s k %lld: q", realm_type_name(t),
                      (long long)k);
            cr_assert(memcmp(p1.s1, p2.s1, sizeof(float) * 16 * (size_t)(k / ty->B)) == 0, "%s: s1",
                      realm_type_name(t));
            cr_assert(memcmp(p1.m, p2.m, sizeof(float) * 16 * (size_t)(k / ty->Bm)) == 0, "%s: m",
                      realm_type_name(t));
            free(w);
            free(g);
            free(ws1);
            free(ws2);
            free(tmp);
        }
}

/* 16 quantized rows of t and their ROWS16 group; Q8_K activations. */
typedef struct {
    uint8_t *w, *g, *x;
    size_t rb;
} case16;

static case16 make_case(realm_type t, int64_t k, tu_rng *r) {
    case16 c = {.rb = realm_row_bytes(t, k)};
    c.w = malloc(16 * c.rb);
    c.g = malloc(16 * c.rb);
    float *f = malloc(sizeof(float) * (size_t)k);
    for (int row = 0; row < 16; row++) {
        tu_fill(r, f, k, 1.0f);
        cr_assert_eq(realm_quantize_row(t, f, c.w + row * c.rb, k), REALM_OK);
    }
    cr_assert_eq(realm_repack(t, REALM_LAYOUT_ROWS16, c.w, c.g, 16, k), REALM_OK);
    tu_fill(r, f, k, 1.0f);
    c.x = malloc(realm_row_bytes(REALM_TYPE_Q8_K, k));
    realm_gemv_scalar()->quantize_act[REALM_TYPE_Q8_K](f, c.x, k);
    free(f);
    return c;
}

static void free_case(case16 *c) {
    free(c->w);
    free(c->g);
    free(c->x);
}

Test(repack_k58, portable_matches_gguf) {
    const realm_gemv_table *s = realm_gemv_scalar();
    tu_rng r = {0x58};
    for (int ti = 0; ti < 2; ti++)
        for (int rep = 0; rep < 8; rep++) {
            const realm_type t = types[ti];
            const int64_t k = (int64_t)256 * (1 + rep);
            const size_t bb = realm_type_get_traits(t)->block_bytes;
            case16 c = make_case(t, k, &r);
            float y16[16];
            s->vec_dot16[t](k, c.g, c.x, y16);
            for (int row = 0; row < 16; row++) {
                float y = NAN, mag = 0;
                s->vec_dot[t](k, c.w + row * c.rb, c.x, &y);
                for (int64_t i = 0; i < k / QK_K; i++) { /* |term| of each super-block */
                    float yi = 0;
                    s->vec_dot[t](QK_K, c.w + row * c.rb + i * bb, c.x + i * sizeof(block_q8_K), &yi);
                    mag += fabsf(yi);
                }
                cr_assert(fabsf(y - y16[row]) <= 1e-5f * mag + 1e-30f,
                          "%s k %lld row %d: %.9g vs %.9g (mag %g)", realm_type_name(t), (long long)k, row,
                          (double)y16[row], (double)y, (double)mag);
            }
            free_case(&c);
        }
}

Test(repack_k58, avx512_same_bits_long_rows) {
    const realm_cpu_features *f = realm_cpu_get_features();
    if (!(f->avx512f && f->avx512bw && f->avx512vl && f->avx512vnni)) {
        cr_log_warn("CPU lacks AVX-512 VNNI: not tested");
        return;
    }
    realm_gemv_table avx = {0};
    realm_gemv_fill_avx512_k(&avx);
    realm_gemv_fill_avx512_rows16(&avx);
    const realm_gemv_table *s = realm_gemv_scalar();
    tu_rng r = {0xa58};
    for (int ti = 0; ti < 2; ti++) {
        const realm_type t = types[ti];
        const int64_t k = 8192;
        case16 c = make_case(t, k, &r);
        uint8_t *xa = aligned_alloc(64, realm_gemv_act_bytes(&avx, REALM_TYPE_Q8_K, k));
        realm_gemv_act_from_blocks(&avx, REALM_TYPE_Q8_K, c.x, xa, k);
        float ys[16], ya[16];
        s->vec_dot16[t](k, c.g, c.x, ys);
        avx.vec_dot16[t](k, c.g, xa, ya);
        cr_assert(memcmp(ys, ya, sizeof ys) == 0, "%s: AVX-512 bits differ", realm_type_name(t));
        cr_assert(avx.rows16_simd[t]);
        cr_assert_eq(realm_layout_preferred(t), REALM_LAYOUT_ROWS16);
        free(xa);
        free_case(&c);
    }
}
