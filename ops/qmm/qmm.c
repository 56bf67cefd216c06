/* The two-phase optimized quantized matmul (qmm.h). */
#include "qmm/qmm.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/isa.h"
#include "realm/cpu.h"
#include "realm/quant.h"

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

qg_kernel_fn realm_qgemm_kernel(void) {
    const realm_cpu_features *f = realm_cpu_get_features();
    const int cap = realm_isa_cap();
    if (cap >= REALM_ISA_AVX512 && f->avx512f && f->avx512bw && f->avx512vl && f->avx512vnni)
        return qg_kernel_avx512vnni;
    if (cap >= REALM_ISA_AVXVNNI && f->avxvnni && f->fma) return qg_kernel_avxvnni;
    if (cap >= REALM_ISA_AVX2 && f->avx2 && f->fma) return qg_kernel_avx2;
    return qg_kernel_scalar;
}

realm_status realm_qmm_init(realm_qmm *q, realm_type t, const void *W, int64_t rows, int64_t k,
                            int64_t batch) {
    memset(q, 0, sizeof *q);
    const realm_type_traits *tr = realm_type_get_traits(t);
    q->qg = qg_type_get(t);
    if (!tr || !q->qg)
        return realm_error(REALM_ERR_UNSUPPORTED, "no quantized fast path for type %s", realm_type_name(t));
    q->type = t;
    q->W = W;
    q->row_bytes = (size_t)(k / tr->block_elems) * tr->block_bytes;
    q->rows = rows;
    q->k = k;
    q->batch = batch;
    q->gemm = batch >= REALM_QMM_GEMM_MIN_BATCH;
    if (q->gemm) {
        q->kernel = realm_qgemm_kernel();
    } else {
        q->gemv = realm_gemv_get();
        q->xq_row_bytes = realm_gemv_act_bytes(q->gemv, tr->dot_type, k);
    }
    return REALM_OK;
}

size_t realm_qmm_act_bytes(const realm_qmm *q) {
    if (q->gemm) return qg_act_bytes(q->qg, q->k, q->batch);
    return align64(q->xq_row_bytes * (size_t)q->batch);
}

size_t realm_qmm_scratch_bytes(const realm_qmm *q) {
    if (!q->gemm) return 0;
    return qg_panel_bytes(q->qg, q->k) + qg_pack_tmp_bytes(q->qg, q->k);
}

int64_t realm_qmm_grain(const realm_qmm *q) {
    /* GEMM: whole panels. GEMV: 16 rows keep threads' outputs on separate
     * cache lines (16 floats = 64 bytes). */
    (void)q;
    return QG_ROWS;
}

bool realm_qmm_same_act(const realm_qmm *a, const realm_qmm *b) {
    if (a->gemm != b->gemm || a->k != b->k || a->batch != b->batch) return false;
    if (!a->gemm) return realm_type_get_traits(a->type)->dot_type == realm_type_get_traits(b->type)->dot_type;
    /* the GEMM activations carry per-block sums that depend on these */
    return a->qg->B == b->qg->B && a->qg->Bm == b->qg->Bm && a->qg->off == b->qg->off &&
           a->qg->has_min == b->qg->has_min;
}

void realm_qmm_bind(realm_qmm *q, void *act_ws) {
    q->act_ws = act_ws;
    if (q->gemm) qg_act_init(&q->act, q->qg, q->k, q->batch, act_ws);
}

void realm_qmm_quantize(const realm_qmm *q, const float *X, int64_t ldx, int64_t b0, int64_t b1) {
    if (q->gemm) {
        /* the AVX-512 quantizer writes the same bytes as the portable one */
        if (q->kernel == qg_kernel_avx512vnni)
            qg_quantize_act_avx512(q->qg, X, ldx, q->k, b0, b1, (qg_act *)&q->act);
        else
            qg_quantize_act(q->qg, X, ldx, q->k, b0, b1, (qg_act *)&q->act);
        return;
    }
    const realm_quantize_act_fn quant = q->gemv->quantize_act[realm_type_get_traits(q->type)->dot_type];
    for (int64_t b = b0; b < b1; b++)
        quant(X + b * ldx, (uint8_t *)q->act_ws + (size_t)b * q->xq_row_bytes, q->k);
}

void realm_qmm_rows(const realm_qmm *q, int64_t r0, int64_t r1, float *Y, int64_t ldy, void *scratch) {
    if (q->gemm) {
        qg_panel p;
        qg_panel_init(&p, q->qg, q->k, scratch);
        void *tmp = (uint8_t *)scratch + qg_panel_bytes(q->qg, q->k);
        for (int64_t r = r0; r < r1; r += QG_ROWS) {
            const int64_t n = r1 - r < QG_ROWS ? r1 - r : QG_ROWS;
            qg_pack_panel(q->qg, q->W, q->row_bytes, r, n, q->k, tmp, &p);
            q->kernel(q->qg, &p, (int)n, q->k, &q->act, 0, q->batch, Y + r, ldy);
        }
        return;
    }
    /* GEMV: each weight row is read from memory once and stays in L1 while
     * it meets every activation column. */
    const realm_vec_dot_fn dot = q->gemv->vec_dot[q->type];
    for (int64_t r = r0; r < r1; r++) {
        const uint8_t *w = (const uint8_t *)q->W + (size_t)r * q->row_bytes;
        for (int64_t b = 0; b < q->batch; b++)
            dot(q->k, w, (const uint8_t *)q->act_ws + (size_t)b * q->xq_row_bytes, Y + b * ldy + r);
    }
}
