/* realm_runtime_matmul_quant: the quantized matmul on every thread of a
 * runtime. One parallel region, two steps: quantize activation columns
 * (threads step), then output rows in tile-aligned chunks (rows step). The
 * runtime calls ops on row ranges; ops never call the runtime. The _ex form
 * adds a prologue, a caller's workspace and timing (runtime/matmul_ex.h). */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "api/check.h"
#include "core/error.h"
#include "qmm/qmm.h"
#include "realm/quant.h"
#include "runtime/matmul_ex.h"

typedef struct mm_ctx {
    const realm_mm_ex *ex;
    const realm_kernel_table *kt;
    realm_qmm q; /* fast quantized path, when used */
    int use_qmm;
    size_t row_bytes;
    uint8_t *scratch;     /* per thread: scratch_bytes each */
    size_t scratch_bytes; /* qmm scratch, then (with a prologue) one f32 row */
    size_t row_off;       /* offset of the prologue row in a thread's scratch */
    _Atomic int status;   /* first failure of a slice (f16 slabs allocate) */
} mm_ctx;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void quantize_step(void *ctx, int thread, int n_threads) {
    mm_ctx *c = ctx;
    const realm_mm_ex *ex = c->ex;
    const int64_t t0 = ex->timer ? now_ns() : 0;
    const int64_t b0 = ex->batch * thread / n_threads, b1 = ex->batch * (thread + 1) / n_threads;
    if (ex->prologue) {
        float *row = (float *)(void *)(c->scratch + (size_t)thread * c->scratch_bytes + c->row_off);
        for (int64_t b = b0; b < b1; b++) {
            ex->prologue(ex->prologue_ctx, b, row);
            realm_qmm_quantize(&c->q, row, 0, b, b + 1); /* ldx 0: row b is at row */
        }
    } else {
        realm_qmm_quantize(&c->q, ex->X, ex->k, b0, b1);
    }
    if (ex->timer && b1 > b0) ex->timer(ex->timer_ctx, thread, t0, now_ns());
}

static void rows_step(void *ctx, int64_t r0, int64_t r1, int thread) {
    mm_ctx *c = ctx;
    const realm_mm_ex *ex = c->ex;
    const int64_t t0 = ex->timer ? now_ns() : 0;
    if (c->use_qmm) {
        realm_qmm_rows(&c->q, r0, r1, ex->Y, ex->rows, c->scratch + (size_t)thread * c->scratch_bytes);
    } else {
        /* naive kernels, and f32/f16 weights: the kernel on a slice of rows
         * (a slab of output columns) */
        const realm_status s =
            c->kt->matmul_quant(ex->wtype, (const uint8_t *)ex->W + (size_t)r0 * c->row_bytes, r1 - r0, ex->k,
                                ex->X, ex->k, ex->batch, ex->Y + r0, ex->rows);
        if (s != REALM_OK) {
            int ok = REALM_OK;
            atomic_compare_exchange_strong(&c->status, &ok, (int)s);
        }
    }
    if (ex->timer) ex->timer(ex->timer_ctx, thread, t0, now_ns());
}

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

bool realm_runtime_matmul_can_fuse(realm_backend be, realm_type wtype) {
    return be == REALM_BACKEND_OPTIMIZED && realm_type_is_valid(wtype) &&
           realm_type_get_traits(wtype)->is_quantized;
}

/* Sizes of the workspace: activations, then per thread scratch. */
static void ws_layout(const realm_qmm *q, bool prologue, int64_t k, size_t *act, size_t *scratch,
                      size_t *row_off) {
    *act = align64(realm_qmm_act_bytes(q));
    *row_off = align64(realm_qmm_scratch_bytes(q));
    *scratch = *row_off + (prologue ? align64(sizeof(float) * (size_t)k) : 0);
}

size_t realm_runtime_matmul_ws_bytes(const realm_runtime *rt, realm_backend be, realm_type wtype,
                                     int64_t rows, int64_t k, int64_t batch, bool prologue) {
    if (!rt || !realm_runtime_matmul_can_fuse(be, wtype)) return 0;
    realm_qmm q;
    if (realm_qmm_init(&q, wtype, (const void *)64, rows, k, batch) != REALM_OK) return 0;
    size_t act, scratch, row_off;
    ws_layout(&q, prologue, k, &act, &scratch, &row_off);
    return act + scratch * (size_t)realm_runtime_n_threads(rt);
}

realm_status realm_runtime_matmul_quant_ex(realm_runtime *rt, const realm_mm_ex *ex) {
    static const char fn[] = "realm_runtime_matmul_quant";
    if (!rt || !ex)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, rt ? "arguments" : "runtime");
    mm_ctx c = {.ex = ex, .status = REALM_OK};
    c.use_qmm = realm_runtime_matmul_can_fuse(ex->be, ex->wtype);
    if (ex->prologue && !c.use_qmm)
        return realm_error(REALM_ERR_INTERNAL,
                           "%s: a prologue needs the optimized backend and quantized weights", fn);
    /* with a prologue X is never read */
    if (ex->prologue)
        REALM_TRY(realm_check_matmul_quant_w(fn, ex->be, ex->wtype, ex->W, ex->rows, ex->k, ex->batch, ex->Y,
                                             &c.kt));
    else
        REALM_TRY(realm_check_matmul_quant(fn, ex->be, ex->wtype, ex->W, ex->rows, ex->k, ex->X, ex->batch,
                                           ex->Y, &c.kt));
    c.row_bytes = realm_row_bytes(ex->wtype, ex->k);
    const int nt = realm_runtime_n_threads(rt);
    int64_t grain = 16;
    uint8_t *ws = NULL, *owned = NULL;
    if (c.use_qmm) {
        REALM_TRY(realm_qmm_init(&c.q, ex->wtype, ex->W, ex->rows, ex->k, ex->batch));
        size_t act;
        ws_layout(&c.q, ex->prologue != NULL, ex->k, &act, &c.scratch_bytes, &c.row_off);
        grain = realm_qmm_grain(&c.q);
        const size_t need = act + c.scratch_bytes * (size_t)nt;
        if (ex->ws && ex->ws_bytes >= need) {
            ws = ex->ws;
        } else {
            ws = owned = aligned_alloc(64, need + 64);
            if (!ws) return realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: cannot allocate the workspace", fn);
        }
        realm_qmm_bind(&c.q, ws);
        c.scratch = ws + act;
    }
    const realm_parallel_step steps[2] = {
        {.threads_fn = quantize_step},
        {.rows_fn = rows_step, .n_rows = ex->rows, .grain = grain},
    };
    realm_status s = c.use_qmm ? realm_runtime_parallel_steps(rt, steps, 2, &c)
                               : realm_runtime_parallel_steps(rt, steps + 1, 1, &c);
    free(owned);
    if (s == REALM_OK && atomic_load(&c.status) != REALM_OK) return (realm_status)atomic_load(&c.status);
    return s;
}

realm_status realm_runtime_matmul_quant(realm_runtime *rt, realm_backend be, realm_type wtype, const void *W,
                                        int64_t rows, int64_t k, const float *X, int64_t batch, float *Y) {
    const realm_mm_ex ex = {
        .be = be, .wtype = wtype, .W = W, .rows = rows, .k = k, .batch = batch, .X = X, .Y = Y};
    return realm_runtime_matmul_quant_ex(rt, &ex);
}
