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
    bool sse42, avx, avx2, fma, f16c;
    bool avx512f, avx512bw, avx512vl, avx512dq, avx512vnni, avx512bf16;
    bool avxvnni;
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
