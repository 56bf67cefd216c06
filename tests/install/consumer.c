/* Install test: a program outside the tree that uses only the installed
 * realm (headers, library, CMake package or pkg-config file). It round-trips
 * one Q8_0 row and prints the version; exit 0 on success. */
#include <stdio.h>
#include <string.h>

#include <realm/realm.h>

int main(void) {
    enum { N = 32 };
    float x[N], y[N];
    float amax = 0.0f;
    for (int i = 0; i < N; i++) {
        x[i] = (float)((i * 37) % 23 - 11) * 0.25f; /* in [-2.75, 2.75] */
        float a = x[i] < 0 ? -x[i] : x[i];
        if (a > amax) amax = a;
    }

    unsigned char q[64];
    size_t bytes = realm_row_bytes(REALM_TYPE_Q8_0, N);
    if (bytes == 0 || bytes > sizeof q) {
        fprintf(stderr, "realm_row_bytes(Q8_0, %d) = %zu: %s\n", N, bytes, realm_last_error());
        return 1;
    }
    realm_status s = realm_quantize_row(REALM_TYPE_Q8_0, x, q, N);
    if (s == REALM_OK) s = realm_dequantize_row(REALM_TYPE_Q8_0, q, y, N);
    if (s != REALM_OK) {
        fprintf(stderr, "q8_0 round trip: %s: %s\n", realm_status_str(s), realm_last_error());
        return 1;
    }

    /* One Q8_0 step is amax / 127; rounding costs at most half a step (plus
     * the fp16 rounding of the scale). */
    float maxerr = 0.0f;
    for (int i = 0; i < N; i++) {
        float e = x[i] > y[i] ? x[i] - y[i] : y[i] - x[i];
        if (e > maxerr) maxerr = e;
    }
    if (!(maxerr <= amax / 127.0f)) {
        fprintf(stderr, "q8_0 round trip error %g exceeds one step %g\n", (double)maxerr,
                (double)(amax / 127.0f));
        return 1;
    }

    const char *v = realm_version();
    if (strcmp(v, REALM_VERSION_STRING) != 0) {
        fprintf(stderr, "library version %s differs from header version %s\n", v, REALM_VERSION_STRING);
        return 1;
    }
    printf("realm %s: q8_0 round trip of %d floats, max error %g (%zu bytes)\n", v, N, (double)maxerr, bytes);
    return 0;
}
