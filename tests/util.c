#include "util.h"

#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint64_t tu_next(tu_rng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

float tu_uniform(tu_rng *r, float lo, float hi) {
    double u = (double)(tu_next(r) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(lo + (hi - lo) * u);
}

float tu_normal(tu_rng *r) {
    double u1 = ((double)(tu_next(r) >> 11) + 1.0) * (1.0 / 9007199254740993.0);
    double u2 = (double)(tu_next(r) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

void tu_fill(tu_rng *r, float *x, int64_t n, float scale) {
    for (int64_t i = 0; i < n; i++) {
        float v = tu_normal(r) * scale;
        if (tu_next(r) % 97 == 0) v *= 8.0f; /* occasional outlier */
        x[i] = v;
    }
    if (n > 0 && x[0] == 0.0f) x[0] = scale;
}

bool tu_shared_available(void) {
    const char *dir = getenv("REALM_SHARED_DIR");
    if (!dir) dir = REALM_SHARED_DIR;
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *tu_shared_path(const char *rel, char *buf, size_t size) {
    if (!tu_shared_available()) return NULL;
    const char *dir = getenv("REALM_SHARED_DIR");
    if (!dir) dir = REALM_SHARED_DIR;
    snprintf(buf, size, "%s/%s", dir, rel);
    return buf;
}

void *tu_read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = malloc(len > 0 ? (size_t)len : 1);
    if (buf && len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf && size) *size = (size_t)len;
    return buf;
}

double tu_rel_rmse(const float *a, const float *b, int64_t n) {
    double num = 0, den = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        num += d * d;
        den += (double)b[i] * (double)b[i];
    }
    if (den == 0) return num == 0 ? 0 : INFINITY;
    return sqrt(num / den);
}

double tu_rel_maxerr(const float *a, const float *b, int64_t n) {
    double m = 0, mb = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > m) m = d;
        if (fabs((double)b[i]) > mb) mb = fabs((double)b[i]);
    }
    return m / (mb > 1e-30 ? mb : 1e-30);
}

realm_runtime *tu_runtime(int threads, realm_executor ex) {
    realm_runtime_params p = realm_runtime_params_default();
    p.n_threads = threads;
    p.executor = ex;
    realm_runtime *rt = NULL;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    return rt;
}

/* $TMPDIR/<prefix> followed by the six template characters mkstemp wants. */
static bool temp_template(char *path, size_t size, const char *prefix) {
    const char *dir = getenv("TMPDIR");
    const int n = snprintf(path, size, "%s/%s", dir && *dir ? dir : "/tmp", prefix);
    if (n < 0 || (size_t)n + 7 > size) return false;
    memset(path + n, 'X', 6);
    path[n + 6] = '\0';
    return true;
}

int tu_mkstemp(char *path, size_t size, const char *prefix) {
    return temp_template(path, size, prefix) ? mkstemp(path) : -1;
}

char *tu_mkdtemp(char *path, size_t size, const char *prefix) {
    return temp_template(path, size, prefix) ? mkdtemp(path) : NULL;
}
