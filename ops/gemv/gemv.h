/* Internal: the batch-1 (decode) path of the quantized matmul. Activations
 * are quantized once per op to the weight type's dot partner (Q8_0, Q8_1
 * or Q8_K, see realm_type_traits.dot_type); then each weight row is one
 * integer dot product streamed straight from the GGUF blocks. Memory-bound:
 * the kernels must read each weight byte once at full bandwidth. */
#ifndef REALM_GEMV_H
#define REALM_GEMV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "realm/types.h"

/* out = sum_i dequant(w)[i] * dequant(x)[i] over k elements; w is one row
 * of the weight type, x one row of its dot partner type. */
typedef void (*realm_vec_dot_fn)(int64_t k, const void *w, const void *x, float *out);

/* Fast activation quantizer to a dot partner type (plain amax rule, no
 * search: activations change every call). */
typedef void (*realm_quantize_act_fn)(const float *x, void *y, int64_t k);

/* A kernel family may keep its activations in a layout of its own instead
 * of the dot partner's GGUF blocks (ops/x86/avx512/gemv_k.c splits Q8_K
 * into aligned quants, sums and scales): its bytes per row of k, and the
 * conversion from GGUF blocks (tests feed hand-made blocks through it). */
typedef size_t (*realm_act_bytes_fn)(int64_t k);
typedef void (*realm_act_from_blocks_fn)(const void *blocks, void *out, int64_t k);

/* ROWS16 weights (realm/repack.h): out[0..15] = the 16 rows of one group
 * (k / 256 group super-blocks at w) against one activation row x. */
typedef void (*realm_vec_dot16_fn)(int64_t k, const void *w, const void *x, float *out);

typedef struct realm_gemv_table {
    const char *isa;                                      /* "scalar", "avx2", "avx512-vnni" */
    realm_vec_dot_fn vec_dot[REALM_TYPE_COUNT];           /* by weight type */
    realm_quantize_act_fn quantize_act[REALM_TYPE_COUNT]; /* by dot partner type: Q8_0, Q8_1, Q8_K */
    /* by dot partner type; NULL: the GGUF block layout */
    realm_act_bytes_fn act_bytes[REALM_TYPE_COUNT];
    realm_act_from_blocks_fn act_from_blocks[REALM_TYPE_COUNT];
    /* by weight type; NULL: no ROWS16 kernel. rows16_simd: an ISA kernel
     * fills it (the layout is worth choosing), not the portable one. */
    realm_vec_dot16_fn vec_dot16[REALM_TYPE_COUNT];
    bool rows16_simd[REALM_TYPE_COUNT];
} realm_gemv_table;

/* Bytes of one activation row of k elements as t's quantize_act[dot] writes
 * it; a multiple of 64 when the layout is not GGUF's. */
size_t realm_gemv_act_bytes(const realm_gemv_table *t, realm_type dot, int64_t k);
/* t's activation layout of a row of GGUF dot-type blocks. */
void realm_gemv_act_from_blocks(const realm_gemv_table *t, realm_type dot, const void *blocks, void *out,
                                int64_t k);

/* The table for this CPU (or for the ISA forced by REALM_ISA=scalar|avx2|
 * avx512), built once. Never NULL; every slot filled. */
const realm_gemv_table *realm_gemv_get(void);
/* The portable table (tests compare the ISA kernels against it). */
const realm_gemv_table *realm_gemv_scalar(void);

/* Fillers, one per family and ISA. Scalar ones fill every slot of their
 * family (32-element types with Q8_0/Q8_1, K types with Q8_K); ISA ones
 * override the slots they implement and are only called when the CPU has
 * the ISA (avx512 means F+BW+VL+VNNI). */
void realm_gemv_fill_scalar_q32(realm_gemv_table *t);
void realm_gemv_fill_scalar_k(realm_gemv_table *t);
void realm_gemv_fill_avx2_q32(realm_gemv_table *t);
void realm_gemv_fill_avx2_k(realm_gemv_table *t);
void realm_gemv_fill_avx512_q32(realm_gemv_table *t);
void realm_gemv_fill_avx512_k(realm_gemv_table *t);
/* ROWS16 kernels (realm/repack.h): the scalar and AVX-512 fillers of
 * q4_K/q6_K also call the ones of the other families below. */
void realm_gemv_fill_scalar_rows16(realm_gemv_table *t);
void realm_gemv_fill_avx512_rows16(realm_gemv_table *t);
void realm_gemv_fill_scalar_rows16_k23(realm_gemv_table *t); /* q2_K, q3_K */
/* The two AVX-512 VNNI ROWS16 kernels of q2_K and q3_K (same bits): levels
 * by shift and mask, and by GF2P8AFFINEQB (x86/avx512/gemv_rows16_k23_gfni.c,
 * needs GFNI). */
void realm_rows16_dot16_q2_K(int64_t k, const void *w, const void *x, float *out);
void realm_rows16_dot16_q2_K_gfni(int64_t k, const void *w, const void *x, float *out);
void realm_rows16_dot16_q3_K(int64_t k, const void *w, const void *x, float *out);
void realm_rows16_dot16_q3_K_gfni(int64_t k, const void *w, const void *x, float *out);
/* Likewise q6_K: levels by shift and mask, and by GF2P8AFFINEQB
 * (x86/avx512/gemv_rows16_q6k_gfni.c, needs GFNI). */
void realm_rows16_dot16_q6_K(int64_t k, const void *w, const void *x, float *out);
void realm_rows16_dot16_q6_K_gfni(int64_t k, const void *w, const void *x, float *out);
void realm_gemv_fill_avx512_rows16_k23(realm_gemv_table *t);
void realm_gemv_fill_scalar_rows16_k58(realm_gemv_table *t); /* q5_K, q8_K */
void realm_gemv_fill_avx512_rows16_k58(realm_gemv_table *t);
void realm_gemv_fill_scalar_rows16_q32(realm_gemv_table *t); /* 32-element block types */
void realm_gemv_fill_avx512_rows16_q32(realm_gemv_table *t);

#endif
