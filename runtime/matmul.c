/* realm_runtime_matmul_quant: the quantized matmul on every thread of a
 * runtime. One parallel region, two steps: quantize activation columns
 * (threads step), then output rows in tile-aligned chunks (rows step). The
 * runtime calls ops on row ranges; ops never call the runtime. The _ex form
 * adds a prologue, a caller's workspace, timing and groups of weights that
 * share the activations (runtime/matmul_ex.h).
 *
 * Decode (one activation row, GEMV path) skips the first step: each thread
 * quantizes the row into its own scratch before its first chunk. That is a
 * few hundred ns of duplicated work against a barrier and a serial
 * quantization per matmul, and the bytes are the same on every thread. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/check.h"
#include "core/error.h"
#include "gemm/gemm_f32.h"
#include "qmm/qmm.h"
#include "realm/quant.h"
#include "runtime/matmul_ex.h"
#include "runtime/runtime_impl.h"

/* Batch up to this with k up to PRIVATE_ELEMS/batch: per-thread quantization. */
#define PRIVATE_ELEMS 16384

/* One weight of the call and where its rows sit in the rows step. */
typedef struct mm_part {
    realm_type wtype;
    realm_layout layout;
    const void *W;
    int64_t rows;
    float *Y;
    realm_qmm q;    /* fast quantized path, when used */
    int64_t vrow0;  /* first row in the step's row space (a multiple of the grain) */
    int act_owner;  /* part whose quantized activations this one reads */
    size_t act_off; /* owner parts: offset of their activations (shared or per thread) */
} mm_part;

/* Workspace layout: [shared activations][per thread: qmm scratch | prologue
 * row | private activations]. */
typedef struct mm_layout {
    size_t act;     /* shared activation bytes */
    size_t scratch; /* per-thread bytes */
    size_t row_off; /* prologue row, in a thread's scratch */
    size_t priv_off;
    bool private_act; /* activations per thread (GEMV path, small batch) */
} mm_layout;

typedef struct mm_ctx {
    const realm_mm_ex *ex;
    const realm_kernel_table *kt;
    mm_part part[REALM_MM_MAX_PARTS];
    int n_parts;
    int use_qmm;
    size_t row_bytes; /* part 0, naive path */
    mm_layout lay;
    uint8_t *act;                                  /* shared activations */
    uint8_t *scratch;                              /* per thread: lay.scratch bytes each */
    unsigned char done[REALM_RUNTIME_MAX_THREADS]; /* private activations quantized (own byte per thread) */
    _Atomic int status;                            /* first failure of a slice (f16 slabs allocate) */
    float *apack; /* f32 weights, batch >= 8: X packed once for every chunk's GEMM */
} mm_ctx;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

bool realm_runtime_matmul_can_fuse(realm_backend be, realm_type wtype) {
    return be == REALM_BACKEND_OPTIMIZED && realm_type_is_valid(wtype) &&
           realm_type_get_traits(wtype)->is_quantized;
}

/* Parts, qmm set-up (no data needed) and the workspace layout of ex. */
static realm_status mm_setup(mm_ctx *c, const realm_mm_ex *ex) {
    c->n_parts = 1 + ex->n_more;
    c->part[0] =
        (mm_part){.wtype = ex->wtype, .layout = ex->layout, .W = ex->W, .rows = ex->rows, .Y = ex->Y};
    for (int i = 1; i < c->n_parts; i++)
        c->part[i] = (mm_part){.wtype = ex->more[i - 1].wtype,
                               .layout = ex->more[i - 1].layout,
                               .W = ex->more[i - 1].W,
                               .rows = ex->more[i - 1].rows,
                               .Y = ex->more[i - 1].Y};
    mm_layout *L = &c->lay;
    memset(L, 0, sizeof *L);
    if (!c->use_qmm) return REALM_OK;
    size_t qscratch = 0, act_shared = 0, act_priv = 0;
    int64_t vrow = 0;
    for (int i = 0; i < c->n_parts; i++) {
        mm_part *p = &c->part[i];
        /* a stand-in pointer when only sizes are wanted */
        REALM_TRY(realm_qmm_init_layout(&p->q, p->wtype, p->layout, p->W ? p->W : (const void *)64, p->rows,
                                        ex->k, ex->batch));
        const int64_t g = realm_qmm_grain(&p->q);
        p->vrow0 = vrow;
        vrow += (p->rows + g - 1) / g * g;
        const size_t qs = realm_qmm_scratch_bytes(&p->q);
        if (qs > qscratch) qscratch = qs;
        p->act_owner = i;
        for (int j = 0; j < i && p->act_owner == i; j++)
            if (c->part[j].act_owner == j && realm_qmm_same_act(&c->part[j].q, &p->q)) p->act_owner = j;
        if (i == 0) L->private_act = !p->q.gemm && ex->batch * ex->k <= PRIVATE_ELEMS;
        if (p->act_owner != i) continue;
        const size_t ab = align64(realm_qmm_act_bytes(&p->q));
        if (L->private_act) {
            p->act_off = act_priv;
            act_priv += ab;
        } else {
            p->act_off = act_shared;
            act_shared += ab;
        }
    }
    L->act = act_shared;
    L->row_off = align64(qscratch);
    L->priv_off = L->row_off + (ex->prologue ? align64(sizeof(float) * (size_t)ex->k) : 0);
    L->scratch = L->priv_off + act_priv;
    return REALM_OK;
}

/* Quantize activation rows [b0, b1) for every owner part, into the
 * activations at base (+ each part's offset); a prologue computes each row
 * once, into row, for all of them. */
static void quantize_rows(mm_ctx *c, uint8_t *base, float *row, int64_t b0, int64_t b1) {
    const realm_mm_ex *ex = c->ex;
    realm_qmm q[REALM_MM_MAX_PARTS];
    for (int i = 0; i < c->n_parts; i++) {
        q[i] = c->part[i].q;
        realm_qmm_bind(&q[i], base + c->part[i].act_off);
        if (!ex->prologue && c->part[i].act_owner == i) realm_qmm_quantize(&q[i], ex->X, ex->k, b0, b1);
    }
    for (int64_t b = b0; ex->prologue && b < b1; b++) {
        ex->prologue(ex->prologue_ctx, b, row);
        for (int i = 0; i < c->n_parts; i++)
            if (c->part[i].act_owner == i)
                realm_qmm_quantize(&q[i], row, 0, b, b + 1); /* ldx 0: row b is at row */
    }
}

static float *thread_row(const mm_ctx *c, int thread) {
    return (float *)(void *)(c->scratch + (size_t)thread * c->lay.scratch + c->lay.row_off);
}

static void quantize_step(void *ctx, int thread, int n_threads) {
    mm_ctx *c = ctx;
    const realm_mm_ex *ex = c->ex;
    const int64_t t0 = ex->timer ? now_ns() : 0;
    const int64_t b0 = ex->batch * thread / n_threads, b1 = ex->batch * (thread + 1) / n_threads;
    quantize_rows(c, c->act, thread_row(c, thread), b0, b1);
    if (ex->timer && b1 > b0) ex->timer(ex->timer_ctx, thread, t0, now_ns());
}

/* Rows [r0, r1) of part p (local numbering). */
static void part_rows(mm_ctx *c, mm_part *p, int64_t r0, int64_t r1, int thread) {
    const realm_mm_ex *ex = c->ex;
    if (c->use_qmm) {
        uint8_t *mine = c->scratch + (size_t)thread * c->lay.scratch; /* no scratch on the naive path */
        realm_qmm q = p->q;
        const mm_part *owner = &c->part[p->act_owner];
        realm_qmm_bind(&q, (c->lay.private_act ? mine + c->lay.priv_off : c->act) + owner->act_off);
        realm_qmm_rows(&q, r0, r1, p->Y, p->rows, mine);
        return;
    }
    if (c->apack) { /* f32 weights: their rows are the GEMM's Bt */
        c->kt->gemm_f32_nt_packed(ex->batch, r1 - r0, ex->k, c->apack, (const float *)ex->W + r0 * ex->k,
                                  ex->k, ex->Y + r0, ex->rows);
        return;
    }
    /* naive kernels, and f32/f16 weights: the kernel on a slice of rows (a
     * slab of output columns); other layouts unpacked to GGUF rows first */
    realm_status s = REALM_OK;
    const uint8_t *w = (const uint8_t *)ex->W + (size_t)r0 * c->row_bytes;
    uint8_t *unpacked = NULL;
    if (ex->layout != REALM_LAYOUT_GGUF) {
        unpacked = malloc(c->row_bytes * (size_t)(r1 - r0));
        s = unpacked ? realm_unpack_rows(ex->wtype, ex->layout, ex->W, ex->rows, ex->k, r0, r1, unpacked)
                     : realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_matmul_quant: cannot unpack rows");
        w = unpacked;
    }
    if (s == REALM_OK)
        s = c->kt->matmul_quant(ex->wtype, w, r1 - r0, ex->k, ex->X, ex->k, ex->batch, ex->Y + r0, ex->rows);
    free(unpacked);
    if (s != REALM_OK) {
        int ok = REALM_OK;
        atomic_compare_exchange_strong(&c->status, &ok, (int)s);
    }
}

/* Threads step of the f32 path: a share of X's GEMM panels, packed once. */
static void apack_step(void *ctx, int thread, int n_threads) {
    mm_ctx *c = ctx;
    const realm_mm_ex *ex = c->ex;
    const int64_t t0 = ex->timer ? now_ns() : 0;
    const int mr = c->kt->gemm_f32_mr;
    const int64_t panels = (ex->batch + mr - 1) / mr;
    const int64_t q0 = panels * thread / n_threads, q1 = panels * (thread + 1) / n_threads;
    realm_gemm_f32_apack(mr, ex->batch, ex->k, ex->X, ex->k, c->apack, q0, q1);
    if (ex->timer && q1 > q0) ex->timer(ex->timer_ctx, thread, t0, now_ns());
}

static void rows_step(void *ctx, int64_t r0, int64_t r1, int thread) {
    mm_ctx *c = ctx;
    const realm_mm_ex *ex = c->ex;
    const int64_t t0 = ex->timer ? now_ns() : 0;
    if (c->lay.private_act && !c->done[thread]) {
        uint8_t *mine = c->scratch + (size_t)thread * c->lay.scratch;
        quantize_rows(c, mine + c->lay.priv_off, thread_row(c, thread), 0, ex->batch);
        c->done[thread] = 1;
    }
    for (int i = 0; i < c->n_parts; i++) {
        mm_part *p = &c->part[i];
        const int64_t a = r0 > p->vrow0 ? r0 : p->vrow0, e = p->vrow0 + p->rows;
        const int64_t b = r1 < e ? r1 : e;
        if (a < b) part_rows(c, p, a - p->vrow0, b - p->vrow0, thread);
    }
    if (ex->timer) ex->timer(ex->timer_ctx, thread, t0, now_ns());
}

size_t realm_runtime_matmul_ws_bytes(const realm_runtime *rt, const realm_mm_ex *ex) {
    if (!rt || !ex || ex->n_more < 0 || ex->n_more >= REALM_MM_MAX_PARTS ||
        !realm_runtime_matmul_can_fuse(ex->be, ex->wtype))
        return 0;
    mm_ctx c = {.ex = ex, .use_qmm = 1};
    if (mm_setup(&c, ex) != REALM_OK) return 0;
    return c.lay.act + c.lay.scratch * (size_t)realm_runtime_n_threads(rt);
}

static realm_status check_layout(const char *fn, realm_type t, realm_layout l) {
    if (l == REALM_LAYOUT_GGUF || realm_layout_supported(t, l)) return REALM_OK;
    return realm_error(REALM_ERR_INVALID_ARG, "%s: weights of type %s cannot be in layout %d", fn,
                       realm_type_is_valid(t) ? realm_type_name(t) : "?", (int)l);
}

/* Every extra part: quantized, optimized, its own output. */
static realm_status check_parts(const char *fn, const realm_mm_ex *ex) {
    if (ex->n_more < 0 || ex->n_more >= REALM_MM_MAX_PARTS || (ex->n_more && !ex->more))
        return realm_error(REALM_ERR_INTERNAL, "%s: %d extra parts (at most %d)", fn, ex->n_more,
                           REALM_MM_MAX_PARTS - 1);
    for (int i = 0; i < ex->n_more; i++) {
        const realm_mm_part *m = &ex->more[i];
        if (!realm_runtime_matmul_can_fuse(ex->be, m->wtype) ||
            !realm_runtime_matmul_can_fuse(ex->be, ex->wtype))
            return realm_error(REALM_ERR_INTERNAL,
                               "%s: a group needs the optimized backend and quantized weights", fn);
        const realm_kernel_table *kt;
        REALM_TRY(
            realm_check_matmul_quant_w(fn, ex->be, m->wtype, m->W, m->rows, ex->k, ex->batch, m->Y, &kt));
        REALM_TRY(check_layout(fn, m->wtype, m->layout));
    }
    return REALM_OK;
}

realm_status realm_runtime_matmul_quant_ex(realm_runtime *rt, const realm_mm_ex *ex) {
    static const char fn[] = "realm_runtime_matmul_quant";
    if (!rt || !ex)
        return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL %s", fn, rt ? "arguments" : "runtime");
    mm_ctx ctx = {.ex = ex}, *c = &ctx; /* on the stack, zeroed (done[] included): runs allocate nothing */
    atomic_init(&c->status, REALM_OK);
    c->use_qmm = realm_runtime_matmul_can_fuse(ex->be, ex->wtype);
    realm_status s = REALM_OK;
    uint8_t *owned = NULL;
    bool scratch_held = false;
    if (ex->prologue && !c->use_qmm) {
        s = realm_error(REALM_ERR_INTERNAL,
                        "%s: a prologue needs the optimized backend and quantized weights", fn);
        goto done;
    }
    /* with a prologue X is never read */
    s = ex->prologue ? realm_check_matmul_quant_w(fn, ex->be, ex->wtype, ex->W, ex->rows, ex->k, ex->batch,
                                                  ex->Y, &c->kt)
                     : realm_check_matmul_quant(fn, ex->be, ex->wtype, ex->W, ex->rows, ex->k, ex->X,
                                                ex->batch, ex->Y, &c->kt);
    if (s == REALM_OK) s = check_layout(fn, ex->wtype, ex->layout);
    if (s == REALM_OK) s = check_parts(fn, ex);
    if (s == REALM_OK) s = mm_setup(c, ex);
    if (s != REALM_OK) goto done;
    c->row_bytes = realm_row_bytes(ex->wtype, ex->k);
    const int nt = realm_runtime_n_threads(rt);
    int64_t n_rows = ex->rows, grain = 16;
    if (!c->use_qmm && ex->batch >= REALM_QMM_GEMM_MIN_BATCH && ex->wtype == REALM_TYPE_F32 &&
        c->kt->gemm_f32_nt_packed) {
        /* f32 weights: each chunk is its own GEMM call, which would pack all
         * of X (its A) again; packed once instead, shared by every chunk.
         * Rows in multiples of 32, the AVX-512 GEMM's column panel. */
        const size_t bytes =
            sizeof(float) * (size_t)realm_gemm_f32_apack_floats(c->kt->gemm_f32_mr, ex->batch, ex->k);
        c->apack = realm_runtime_scratch_acquire(rt, bytes);
        scratch_held = c->apack != NULL;
        if (!c->apack) {
            s = realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes to pack X", fn, bytes);
            goto done;
        }
        grain = 32;
    } else if (!c->use_qmm && ex->batch >= REALM_QMM_GEMM_MIN_BATCH) {
        /* f16 weights (and GEMMs without a packed-X form): every chunk packs
         * all of X again, which at 16 chunks per thread cost a quarter of a
         * batch-512 matmul on 2 threads; about two chunks per thread instead */
        const int64_t per = (ex->rows + 2 * nt - 1) / (2 * nt);
        grain = per <= 16 ? 16 : (per + 31) / 32 * 32;
    }
    if (c->use_qmm) {
        const mm_part *last = &c->part[c->n_parts - 1];
        n_rows = last->vrow0 + last->rows;
        grain = realm_qmm_grain(&c->part[0].q);
        const size_t need = c->lay.act + c->lay.scratch * (size_t)nt;
        uint8_t *ws = ex->ws;
        if (!ws || ex->ws_bytes < need) {
            ws = owned = aligned_alloc(64, need + 64);
            if (!ws) {
                s = realm_error(REALM_ERR_OUT_OF_MEMORY, "%s: cannot allocate the workspace", fn);
                goto done;
            }
        }
        c->act = ws;
        c->scratch = ws + c->lay.act;
    }
    const realm_parallel_step steps[2] = {
        {.threads_fn = c->apack ? apack_step : quantize_step},
        {.rows_fn = rows_step, .n_rows = n_rows, .grain = grain},
    };
    s = c->apack || (c->use_qmm && !c->lay.private_act) ? realm_runtime_parallel_steps(rt, steps, 2, c)
                                                        : realm_runtime_parallel_steps(rt, steps + 1, 1, c);
    if (s == REALM_OK && atomic_load(&c->status) != REALM_OK) s = (realm_status)atomic_load(&c->status);
done:
    free(owned);
    if (scratch_held) realm_runtime_scratch_release(rt);
    return s;
}

realm_status realm_runtime_matmul_quant(realm_runtime *rt, realm_backend be, realm_type wtype, const void *W,
                                        int64_t rows, int64_t k, const float *X, int64_t batch, float *Y) {
    const realm_mm_ex ex = {
        .be = be, .wtype = wtype, .W = W, .rows = rows, .k = k, .batch = batch, .X = X, .Y = Y};
    return realm_runtime_matmul_quant_ex(rt, &ex);
}

realm_status realm_runtime_matmul_quant_layout(realm_runtime *rt, realm_backend be, realm_type wtype,
                                               realm_layout layout, const void *W, int64_t rows, int64_t k,
                                               const float *X, int64_t batch, float *Y) {
    const realm_mm_ex ex = {.be = be,
                            .wtype = wtype,
                            .layout = layout,
                            .W = W,
                            .rows = rows,
                            .k = k,
                            .batch = batch,
                            .X = X,
                            .Y = Y};
    return realm_runtime_matmul_quant_ex(rt, &ex);
}
