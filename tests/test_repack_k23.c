/* ROWS16 q2_K / q3_K (ops/repack/rows16_k23.c, ops/gemv/scalar_rows16_k23.c),
 * beyond what test_repack.c checks for every type:
 *  - the GEMM panel straight from a group is qg_pack_panel()'s of the GGUF
 *    rows, byte for byte (levels, s1, m);
 *  - the portable kernel gives exactly the bits of a reference written
 *    from the GGUF blocks (same integer sums, same fmaf order), on random
 *    and on extreme weights and activations;
 *  - both AVX-512 kernels of each type (shift + mask, GFNI) give those
 *    bits too. */
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

static const realm_type types[2] = {REALM_TYPE_Q2_K, REALM_TYPE_Q3_K};

static void random_bytes(tu_rng *r, uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)tu_next(r);
}

/* Small normal fp16 scales in every block (d, and dmin for q2_K). */
static void sane_halves(realm_type t, uint8_t *w, size_t blocks, tu_rng *r) {
    for (size_t i = 0; i < blocks; i++) {
        const uint16_t h1 = (uint16_t)(0x2000 + tu_next(r) % 0x800),
                       h2 = (uint16_t)(0x2000 + tu_next(r) % 0x800);
        if (t == REALM_TYPE_Q2_K) {
            memcpy(w + i * 84 + 80, &h1, 2);
            memcpy(w + i * 84 + 82, &h2, 2);
        } else {
            memcpy(w + i * 110 + 108, &h1, 2);
        }
    }
}

Test(repack_k23, panel_matches_qg_pack_panel) {
    tu_rng r = {0x9a4e1};
    const int64_t ks[] = {256, 768};
    for (int ti = 0; ti < 2; ti++)
        for (int ki = 0; ki < 2; ki++) {
            const realm_type t = types[ti];
            const int64_t k = ks[ki];
            const size_t rb = realm_row_bytes(t, k);
            const qg_type *ty = qg_type_get(t);
            uint8_t *w = malloc(16 * rb), *packed = malloc(16 * rb);
            random_bytes(&r, w, 16 * rb);
            sane_halves(t, w, (size_t)(16 * k / QK_K), &r);
            cr_assert_eq(realm_repack(t, REALM_LAYOUT_ROWS16, w, packed, 16, k), REALM_OK);
            const size_t pb = qg_panel_bytes(ty, k);
            void *wa = aligned_alloc(64, pb), *wb = aligned_alloc(64, pb);
            void *tmp = aligned_alloc(64, (qg_pack_tmp_bytes(ty, k) + 63) & ~(size_t)63);
            memset(wa, 0x5A, pb);
            memset(wb, 0x5A, pb);
            qg_panel pa, pp;
            qg_panel_init(&pa, ty, k, wa);
            qg_panel_init(&pp, ty, k, wb);
            qg_pack_panel(ty, w, rb, 0, 16, k, tmp, &pa);
            realm_rows16_get(t)->pack_panel(packed, k, &pp);
            cr_assert(memcmp(pa.q, pp.q, (size_t)(16 * k)) == 0, "%s k %lld: panel levels",
                      realm_type_name(t), (long long)k);
            cr_assert(memcmp(pa.s1, pp.s1, sizeof(float) * (size_t)(16 * k / ty->B)) == 0, "%s: panel s1",
                      realm_type_name(t));
            cr_assert(memcmp(pa.m, pp.m, sizeof(float) * (size_t)(16 * k / ty->Bm)) == 0, "%s: panel m",
                      realm_type_name(t));
            free(w);
            free(packed);
            free(wa);
            free(wb);
            free(tmp);
        }
}

/* Row r's 16-element sub-block sums from GGUF bytes, the reference's way:
 * levels by the GGUF bit positions (element 128h + 32j + l: bits 2j of
 * qs[32h + l], q3_K's third bit at bit 4h + j of hmask[l]). */
static float ref_row(realm_type t, const uint8_t *row, int64_t k, const block_q8_K *x) {
    float acc = 0;
    for (int64_t i = 0; i < k / QK_K; i++, x++) {
        int32_t isum = 0, msum = 0;
        if (t == REALM_TYPE_Q2_K) {
            const block_q2_K *b = (const block_q2_K *)(const void *)(row + i * 84);
            for (int s = 0; s < 16; s++) {
                int32_t tt = 0;
                for (int e = 16 * s; e < 16 * s + 16; e++)
                    tt += ((b->qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3) * x->qs[e];
                isum += (b->scales[s] & 15) * tt;
                msum += (b->scales[s] >> 4) * x->bsums[s];
            }
            acc = fmaf((float)isum, realm_fp16_to_fp32(b->d) * x->d, acc);
            acc = fmaf(-(float)msum, realm_fp16_to_fp32(b->dmin) * x->d, acc);
        } else {
            const block_q3_K *b = (const block_q3_K *)(const void *)(row + i * 110);
            for (int s = 0; s < 16; s++) {
                const int low = s < 8 ? b->scales[s] & 15 : b->scales[s - 8] >> 4;
                const int sc = (low | ((b->scales[8 + s % 4] >> (2 * (s / 4))) & 3) << 4) - 32;
                int32_t tt = 0;
                for (int e = 16 * s; e < 16 * s + 16; e++) {
                    const int h = (b->hmask[e % 32] >> (4 * (e / 128) + (e % 128) / 32)) & 1;
                    tt += (((b->qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3) | h << 2) *
                          x->qs[e];
                }
                isum += sc * tt;
                msum += sc * x->bsums[s];
            }
            acc = fmaf((float)(isum - 4 * msum), realm_fp16_to_fp32(b->d) * x->d, acc);
        }
    }
    return acc;
}

/* 16 rows of type t (random bytes, or all 0xFF when extreme != 0, sane
 * fp16 scales), their ROWS16 group, and Q8_K activations (random, or all
 * -128 / +127 for extreme < 0 / > 0). */
typedef struct k23_case {
    size_t rb;
    uint8_t *w, *packed;
    block_q8_K *x;
} k23_case;

static k23_case make_k23_case(realm_type t, int64_t k, int extreme, tu_rng *r) {
    k23_case c = {.rb = realm_row_bytes(t, k)};
    c.w = malloc(16 * c.rb);
    c.packed = malloc(16 * c.rb);
    random_bytes(r, c.w, 16 * c.rb);
    if (extreme) memset(c.w, 0xFF, 16 * c.rb);
    sane_halves(t, c.w, (size_t)(16 * k / QK_K), r);
    cr_assert_eq(realm_repack(t, REALM_LAYOUT_ROWS16, c.w, c.packed, 16, k), REALM_OK);
    float *xf = malloc(sizeof(float) * (size_t)k);
    tu_fill(r, xf, k, 1.0f);
    c.x = malloc(sizeof(block_q8_K) * (size_t)(k / QK_K));
    realm_gemv_scalar()->quantize_act[REALM_TYPE_Q8_K](xf, c.x, k);
    free(xf);
    for (int64_t i = 0; extreme && i < k / QK_K; i++) {
        memset(c.x[i].qs, extreme < 0 ? 0x80 : 0x7F, QK_K);
        for (int s = 0; s < 16; s++)
            c.x[i].bsums[s] = (int16_t)(16 * (extreme < 0 ? -128 : 127));
    }
    return c;
}

static void free_k23_case(k23_case *c) {
    free(c->w);
    free(c->packed);
    free(c->x);
}

Test(repack_k23, portable_kernel_exact_bits) {
    tu_rng r = {0x23};
    const int64_t ks[] = {256, 1280};
    for (int ti = 0; ti < 2; ti++)
        for (int ki = 0; ki < 2; ki++)
            for (int extreme = -1; extreme <= 1; extreme++) {
                const realm_type t = types[ti];
                const int64_t k = ks[ki];
                k23_case c = make_k23_case(t, k, extreme, &r);
                float y[16];
                realm_gemv_scalar()->vec_dot16[t](k, c.packed, c.x, y);
                for (int row = 0; row < 16; row++) {
                    const float want = ref_row(t, c.w + row * c.rb, k, c.x);
                    cr_assert(memcmp(&want, &y[row], sizeof want) == 0 && isfinite(want),
                              "%s k %lld extreme %d row %d: %.9g, reference %.9g", realm_type_name(t),
                              (long long)k, extreme, row, (double)y[row], (double)want);
                }
                free_k23_case(&c);
            }
}

/* The two AVX-512 kernels of each type (levels by shift + mask, and by
 * GFNI) give the portable kernel's bits, on random and extreme weights and
 * activations. */
Test(repack_k23, shift_and_gfni_kernels_same_bits) {
    const realm_cpu_features *f = realm_cpu_get_features();
    if (!(f->avx512f && f->avx512bw && f->avx512vl && f->avx512vnni)) {
        cr_log_warn("CPU lacks AVX-512 VNNI: the AVX-512 q2_K / q3_K ROWS16 kernels are not tested");
        return;
    }
    if (!f->gfni) cr_log_warn("CPU lacks GFNI: only the shift + mask kernels are tested");
    realm_gemv_table avx = {0};
    realm_gemv_fill_avx512_k(&avx); /* the split Q8_K activation layout */
    const realm_vec_dot16_fn kernels[2][2] = {{realm_rows16_dot16_q2_K, realm_rows16_dot16_q2_K_gfni},
                                              {realm_rows16_dot16_q3_K, realm_rows16_dot16_q3_K_gfni}};
    tu_rng r = {0x2f2};
    const int64_t ks[] = {256, 1280, 2048};
    for (int ti = 0; ti < 2; ti++)
        for (int ki = 0; ki < 3; ki++)
            for (int extreme = -1; extreme <= 1; extreme++) {
                const realm_type t = types[ti];
                const int64_t k = ks[ki];
                k23_case c = make_k23_case(t, k, extreme, &r);
                uint8_t *xa =
                    aligned_alloc(64, (realm_gemv_act_bytes(&avx, REALM_TYPE_Q8_K, k) + 63) & ~(size_t)63);
                realm_gemv_act_from_blocks(&avx, REALM_TYPE_Q8_K, c.x, xa, k);
                float want[16];
                realm_gemv_scalar()->vec_dot16[t](k, c.packed, c.x, want);
                for (int v = 0; v < (f->gfni ? 2 : 1); v++) {
                    float y[16];
                    kernels[ti][v](k, c.packed, xa, y);
                    for (int row = 0; row < 16; row++)
                        cr_assert(memcmp(&want[row], &y[row], sizeof(float)) == 0 && isfinite(want[row]),
                                  "%s %s kernel, k %lld extreme %d row %d: %.9g, portable %.9g",
                                  realm_type_name(t), v ? "gfni" : "shift", (long long)k, extreme, row,
                                  (double)y[row], (double)want[row]);
                }
                free(xa);
                free_k23_case(&c);
            }
}
