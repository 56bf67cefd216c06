/* realm_runtime_matmul_quant: the same bits as the single-threaded call for
 * every thread count and executor, on both backends and both optimized
 * paths (GEMV below batch 8, int8 GEMM above). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "realm/ops.h"
#include "realm/quant.h"
#include "realm/runtime.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

Test(matmul_runtime, bit_identical_for_any_threads_and_executor) {
    static const realm_type types[] = {REALM_TYPE_Q4_K, REALM_TYPE_Q6_K, REALM_TYPE_Q4_0, REALM_TYPE_Q5_1,
                                       REALM_TYPE_Q8_K, REALM_TYPE_F32,  REALM_TYPE_F16};
    static const int64_t batches[] = {1, 3, 9, 40};
    const int64_t rows = 83, k = 512;
    for (size_t ti = 0; ti < sizeof types / sizeof types[0]; ti++) {
        const realm_type t = types[ti];
        const size_t rb = realm_row_bytes(t, k);
        tu_rng r = {900 + ti};
        float *wf = malloc(sizeof(float) * rows * k);
        uint8_t *w = malloc(rb * rows);
        tu_fill(&r, wf, rows * k, 0.3f);
        for (int64_t i = 0; i < rows; i++)
            realm_quantize_row(t, wf + i * k, w + i * rb, k);
        for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++) {
            const int64_t batch = batches[bi];
            float *x = malloc(sizeof(float) * batch * k), *want = malloc(sizeof(float) * batch * rows);
            float *got = malloc(sizeof(float) * batch * rows);
            tu_fill(&r, x, batch * k, 1.0f);
            for (int be = 0; be < 2; be++) {
                cr_assert_eq(realm_matmul_quant((realm_backend)be, t, w, rows, k, x, batch, want), REALM_OK);
                for (int ex = 0; ex < 3; ex++) {
                    for (int threads = 1; threads <= (ex == REALM_EXECUTOR_SERIAL ? 1 : 5); threads += 2) {
                        realm_runtime *rt = tu_runtime(threads, (realm_executor)ex);
                        for (int64_t i = 0; i < batch * rows; i++)
                            got[i] = NAN;
                        cr_assert_eq(
                            realm_runtime_matmul_quant(rt, (realm_backend)be, t, w, rows, k, x, batch, got),
                            REALM_OK, "%s", realm_last_error());
                        cr_assert_eq(memcmp(got, want, sizeof(float) * batch * rows), 0,
                                     "%s batch %lld backend %d executor %d threads %d: bits differ",
                                     realm_type_name(t), (long long)batch, be, ex, threads);
                        realm_runtime_destroy(rt);
                    }
                }
            }
            free(x);
            free(want);
            free(got);
        }
        free(wf);
        free(w);
    }
}

Test(matmul_runtime, bad_input) {
    realm_runtime *rt = tu_runtime(2, REALM_EXECUTOR_POOL);
    float x[32] = {1}, y[4];
    uint8_t w[34] = {0};
    cr_assert_eq(
        realm_runtime_matmul_quant(NULL, REALM_BACKEND_OPTIMIZED, REALM_TYPE_Q8_0, w, 1, 32, x, 1, y),
        REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_matmul_quant(rt, REALM_BACKEND_OPTIMIZED, REALM_TYPE_Q8_0, w, 1, 33, x, 1, y),
                 REALM_ERR_SHAPE);
    cr_assert(strstr(realm_last_error(), "realm_runtime_matmul_quant") != NULL);
    cr_assert_eq(
        realm_runtime_matmul_quant(rt, REALM_BACKEND_OPTIMIZED, REALM_TYPE_Q8_0, NULL, 1, 32, x, 1, y),
        REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_runtime_matmul_quant(rt, (realm_backend)7, REALM_TYPE_Q8_0, w, 1, 32, x, 1, y),
                 REALM_ERR_INVALID_ARG);
    realm_runtime_destroy(rt);
}
