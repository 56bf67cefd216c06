/**
 * @file cpu.h
 * @brief CPU feature detection used by run-time kernel dispatch.
 */
#ifndef REALM_CPU_H
#define REALM_CPU_H

#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** x86 features that realm's kernels use. All false on other CPUs. */
typedef struct realm_cpu_features {
    bool sse42;      /**< SSE4.2 */
    bool avx;        /**< AVX (with OS support for YMM state) */
    bool avx2;       /**< AVX2 */
    bool fma;        /**< FMA3 */
    bool f16c;       /**< half <-> float conversion */
    bool avx512f;    /**< AVX-512 Foundation (with OS support for ZMM state) */
    bool avx512bw;   /**< AVX-512 byte and word */
    bool avx512vl;   /**< AVX-512 on 128/256-bit registers */
    bool avx512dq;   /**< AVX-512 doubleword and quadword */
    bool avx512vnni; /**< AVX-512 VNNI: vpdpbusd, vpdpwssd */
    bool avx512bf16; /**< AVX-512 BF16 */
    bool avxvnni;    /**< AVX-VNNI: VNNI on 256-bit registers (VEX) */
    bool gfni;       /**< Galois-field byte instructions (GF2P8AFFINEQB) */
} realm_cpu_features;

/**
 * @brief Features of the CPU this process runs on, detected once (the OS
 *        must also enable the wider registers). Thread-safe.
 * @return a pointer to a static, immutable structure; never NULL.
 */
const realm_cpu_features *realm_cpu_get_features(void);

/**
 * @brief Write the names of the detected features, space-separated, into
 *        @p buf (always NUL-terminated when @p size > 0).
 * @return REALM_OK, or REALM_ERR_INVALID_ARG for NULL buf / size 0.
 */
realm_status realm_cpu_features_string(char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* REALM_CPU_H */
