/* Test helpers: deterministic random data, file loading, shared-data paths,
 * error metrics. */
#ifndef REALM_TEST_UTIL_H
#define REALM_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "realm/runtime.h"

/* Deterministic generator (splitmix64) so failures reproduce. */
typedef struct {
    uint64_t s;
} tu_rng;
uint64_t tu_next(tu_rng *r);
float tu_uniform(tu_rng *r, float lo, float hi); /* [lo, hi) */
float tu_normal(tu_rng *r);                      /* N(0, 1) */
/* Fills x with n values of a mixed distribution: normal * scale with a few
 * outliers, never all zeros. */
void tu_fill(tu_rng *r, float *x, int64_t n, float scale);

/* Path of a file under the shared data dir, or NULL when the dir is absent
 * (then the test should cr_skip with a message). Returned buffer is static
 * per call site use; copy if needed. */
const char *tu_shared_path(const char *rel, char *buf, size_t size);
bool tu_shared_available(void);

/* Reads a whole file; returns malloc'd buffer (caller frees) and its size. */
void *tu_read_file(const char *path, size_t *size);

/* sqrt(sum (a-b)^2) / sqrt(sum b^2); 0 when both are zero. */
double tu_rel_rmse(const float *a, const float *b, int64_t n);
/* max |a-b| / max(max|b|, tiny) */
double tu_rel_maxerr(const float *a, const float *b, int64_t n);

/* A runtime of `threads` threads on executor ex; fails the test otherwise. */
realm_runtime *tu_runtime(int threads, realm_executor ex);

/* A unique temporary file (mkstemp) or directory (mkdtemp) named
 * $TMPDIR/<prefix><6 random chars> (TMPDIR defaults to /tmp), in path.
 * tu_mkstemp returns the open descriptor or -1; tu_mkdtemp path or NULL. */
int tu_mkstemp(char *path, size_t size, const char *prefix);
char *tu_mkdtemp(char *path, size_t size, const char *prefix);

#endif
