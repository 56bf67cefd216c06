/* Internal: the split Q8_K activation row the AVX-512 K kernels read
 * (ops/x86/avx512/gemv_k.c writes it): quants [nb][256] (64-byte aligned),
 * then bsums [nb][16], then scales [nb], padded to 64 bytes. */
#ifndef REALM_X86_AVX512_Q8K_SPLIT_H
#define REALM_X86_AVX512_Q8K_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "quant/blocks.h"

typedef struct xrow {
    const int8_t *qs;
    const int16_t *bsums;
    const float *d;
} xrow;

typedef struct xblk {
    const int8_t *qs;
    const int16_t *bsums;
    float d;
} xblk;

static inline size_t act_bytes_q8_K(int64_t k) {
    const size_t nb = (size_t)(k / QK_K);
    return (nb * (QK_K + 16 * sizeof(int16_t) + sizeof(float)) + 63) & ~(size_t)63;
}

static inline xrow xrow_of(const void *vx, int64_t k) {
    const uint8_t *p = vx;
    const size_t nb = (size_t)(k / QK_K);
    return (xrow){(const int8_t *)p, (const int16_t *)(const void *)(p + nb * QK_K),
                  (const float *)(const void *)(p + nb * (QK_K + 16 * sizeof(int16_t)))};
}

#endif
