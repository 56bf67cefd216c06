/* realm_runtime_matmul_quant: the quantized matmul on every thread of a
 * runtime. One parallel region, two steps: quantize activation columns
 * (threads step), then output rows in tile-aligned chunks (rows step). The
 * runtime calls ops on row ranges; ops never call the runtime. */
#include <stdatomic.h>
#include <stdlib.h>

#include "api/check.h"
#include "core/error.h"
#include "qmm/qmm.h"
#include "realm/quant.h"
#include "realm/runtime.h"

typedef struct mm_ctx {
    const realm_kernel_table *kt;
    realm_qmm q; /* fast quantized path, when used */
    int use_qmm;
    realm_type t;
    const uint8_t *W;
    size_t row_bytes;
    int64_t rows, k, batch;
    const float *X;
    float *Y;
    uint8_t *scratch; /* per thread: scratch_bytes each */
    size_t scratch_bytes;
    _Atomic int status; /* first failure of a slice (f16 slabs allocate) */
} mm_ctx;

static void quantize_step(void *ctx, int thread, int n_threads) {
    mm_ctx *c = ctx;
    realm_qmm_quantize(&c->q, c->X, c->k, c->batch * thread / n_threads, c->batch * (thread + 1) / n_threads);
}

static void rows_step(void *ctx, int64_t r0, int64_t r1, int thread) {
    mm_ctx *c = ctx;
    if (c->use_qmm) {
        realm_qmm_rows(&c->q, r0, r1, c->Y, c->rows, c->scratch + (size_t)thread * c->scratch_bytes);
        return;
    }
    /* naive kernels, and f32/f16 weights: the kernel on a slice of rows
     * (a slab of output columns) */
    const realm_status s = c->kt->matmul_quant(c->t, c->W + (size_t)r0 * c->row_bytes, r1 - r0, c->k, c->X,
                                               c->k, c->batch, c->Y + r0, c->rows);
    if (s != REALM_OK) {
        int ok = REALM_OK;
        atomic_compare_exchange_strong(&c->status, &ok, (int)s);
    }
}

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

realm_status realm_runtime_matmul_quant(realm_runtime *rt, realm_backend be, realm_type wtype, const void *W,
                                        int64_t rows, int64_t k, const float *X, int64_t batch, float *Y) {
    static const char fn[] = "realm_runtime_matmul_quant";
    if (!rt) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL runtime", fn);
    mm_ctx c = {.status = REALM_OK};
    REALM_TRY(realm_check_matmul_quant(fn, be, wtype, W, rows, k, X, batch, Y, &c.kt));
    c.t = wtype;
    c.W = W;
    c.row_bytes = realm_row_bytes(wtype, k);
    c.rows = rows;
    c.k = k;
    c.batch = batch;
    c.X = X;
    c.Y = Y;
    c.use_qmm = be == REALM_BACKEND_OPTIMIZED && realm_type_get_traits(wtype)->is_quantized;
    const int nt = realm_runtime_n_threads(rt);
    size_t act = 0;
    int64_t grain = 16;
    if (c.use_qmm) {
        REALM_TRY(realm_qmm_init(&c.q, wtype, W, rows, k, batch));
        act = align64(realm_qmm_act_bytes(&c.q));
        c.scratch_bytes = align64(realm_qmm_scratch_bytes(&c.q));
        grain = realm_qmm_grain(&c.q);
    }
    uint8_t *ws = NULL;
    if (c.use_qmm) {
        ws = aligned_alloc(64, act + c.scratch_bytes * (size_t)nt + 64);
        if (!ws) return realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: cannot allocate the workspace", fn);
        realm_qmm_bind(&c.q, ws);
        c.scratch = ws + act;
    }
    const realm_parallel_step steps[2] = {
        {.threads_fn = quantize_step},
        {.rows_fn = rows_step, .n_rows = rows, .grain = grain},
    };
    realm_status s = c.use_qmm ? realm_runtime_parallel_steps(rt, steps, 2, &c)
                               : realm_runtime_parallel_steps(rt, steps + 1, 1, &c);
    free(ws);
    if (s == REALM_OK && atomic_load(&c.status) != REALM_OK) return (realm_status)atomic_load(&c.status);
    return s;
}
