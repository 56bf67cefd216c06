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
    if (cap >= REALM_ISA_AVX512BW && f->avx512f && f->avx512bw && f->avx512vl && f->avx512dq)
        return qg_kernel_avx512bw;
    if (cap >= REALM_ISA_AVXVNNI && f->avxvnni && f->fma) return qg_kernel_avxvnni;
    if (cap >= REALM_ISA_AVX2 && f->avx2 && f->fma) return qg_kernel_avx2;
    return qg_kernel_scalar;
}

qg_kernel2_fn realm_qgemm_kernel2(void) {
    return realm_qgemm_kernel() == qg_kernel_avx512vnni ? qg_kernel2_avx512vnni : NULL;
}

realm_status realm_qmm_init(realm_qmm *q, realm_type t, const void *W, int64_t rows, int64_t k,
                            int64_t batch) {
    return realm_qmm_init_layout(q, t, REALM_LAYOUT_GGUF, W, rows, k, batch);
}

realm_status realm_qmm_init_layout(realm_qmm *q, realm_type t, realm_layout l, const void *W, int64_t rows,
                                   int64_t k, int64_t batch) {
    memset(q, 0, sizeof *q);
    if (l != REALM_LAYOUT_GGUF && !(l == REALM_LAYOUT_ROWS16 && realm_layout_supported(t, l)))
        return realm_error(REALM_ERR_UNSUPPORTED, "no %s layout for type %s", realm_layout_name(l),
                           realm_type_name(t));
    q->layout = l;
    q->rows16 = l == REALM_LAYOUT_ROWS16 ? realm_rows16_get(t) : NULL;
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
        q->kernel2 = realm_qgemm_kernel2();
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

/* Scratch: [panel][panel, with a two-panel kernel][pack tmp][ROWS16 rows]. */
static int n_panels(const realm_qmm *q) { return q->kernel2 ? 2 : 1; }

size_t realm_qmm_scratch_bytes(const realm_qmm *q) {
    if (!q->gemm) return 0;
    const size_t rows16 = q->rows16 ? REALM_ROWS16 * q->row_bytes : 0;
    return (size_t)n_panels(q) * qg_panel_bytes(q->qg, q->k) + align64(qg_pack_tmp_bytes(q->qg, q->k)) +
           rows16;
}

int64_t realm_qmm_grain(const realm_qmm *q) {
    /* GEMM: whole panels (pairs of them for a two-panel kernel). GEMV: 16
     * rows keep threads' outputs on separate cache lines (64 bytes). */
    return q->gemm && q->kernel2 ? 2 * QG_ROWS : QG_ROWS;
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
        if (q->kernel == qg_kernel_avx512vnni || q->kernel == qg_kernel_avx512bw)
            qg_quantize_act_avx512(q->qg, X, ldx, q->k, b0, b1, (qg_act *)&q->act);
        else
            qg_quantize_act(q->qg, X, ldx, q->k, b0, b1, (qg_act *)&q->act);
        return;
    }
    const realm_quantize_act_fn quant = q->gemv->quantize_act[realm_type_get_traits(q->type)->dot_type];
    for (int64_t b = b0; b < b1; b++)
        quant(X + b * ldx, (uint8_t *)q->act_ws + (size_t)b * q->xq_row_bytes, q->k);
}

/* GEMV over ROWS16 weights: whole groups straight into Y, a group cut by
 * the range through a buffer, rows past the last group (GGUF) one by one. */
static void rows16_gemv(const realm_qmm *q, int64_t r0, int64_t r1, float *Y, int64_t ldy) {
    const realm_vec_dot16_fn dot16 = q->gemv->vec_dot16[q->type];
    const realm_vec_dot_fn dot = q->gemv->vec_dot[q->type];
    const int64_t full = realm_rows16_full(q->rows);
    for (int64_t r = r0; r < r1;) {
        const uint8_t *act = q->act_ws;
        if (r >= full) {
            for (int64_t b = 0; b < q->batch; b++)
                dot(q->k, (const uint8_t *)q->W + (size_t)r * q->row_bytes, act + (size_t)b * q->xq_row_bytes,
                    Y + b * ldy + r);
            r++;
            continue;
        }
        const int64_t g0 = r / REALM_ROWS16 * REALM_ROWS16, g1 = g0 + REALM_ROWS16, e = r1 < g1 ? r1 : g1;
        const uint8_t *grp = realm_rows16_group(q->W, q->row_bytes, g0 / REALM_ROWS16);
        for (int64_t b = 0; b < q->batch; b++) {
            float tmp[REALM_ROWS16];
            const bool whole = r == g0 && e == g1;
            dot16(q->k, grp, act + (size_t)b * q->xq_row_bytes, whole ? Y + b * ldy + g0 : tmp);
            if (!whole) memcpy(Y + b * ldy + r, tmp + (r - g0), sizeof(float) * (size_t)(e - r));
        }
        r = e;
    }
}

/* Rows [r, r + n) (n <= 16) of the weights into panel p. */
static void pack_rows(const realm_qmm *q, int64_t r, int64_t n, qg_panel *p, void *tmp) {
    const int64_t full = q->rows16 ? realm_rows16_full(q->rows) : 0;
    if (r < full && r % REALM_ROWS16 == 0 && n == REALM_ROWS16) { /* ROWS16: a group is a panel */
        q->rows16->pack_panel(realm_rows16_group(q->W, q->row_bytes, r / REALM_ROWS16), q->k, p);
    } else if (r < full) { /* a range cut inside a group: its rows back to GGUF first */
        uint8_t *rows = (uint8_t *)tmp + align64(qg_pack_tmp_bytes(q->qg, q->k));
        realm_unpack_rows(q->type, q->layout, q->W, q->rows, q->k, r, r + n, rows);
        qg_pack_panel(q->qg, rows, q->row_bytes, 0, n, q->k, tmp, p);
    } else {
        qg_pack_panel(q->qg, q->W, q->row_bytes, r, n, q->k, tmp, p);
    }
}

void realm_qmm_rows(const realm_qmm *q, int64_t r0, int64_t r1, float *Y, int64_t ldy, void *scratch) {
    if (q->gemm) {
        qg_panel p[2];
        const size_t pb = qg_panel_bytes(q->qg, q->k);
        for (int i = 0; i < n_panels(q); i++)
            qg_panel_init(&p[i], q->qg, q->k, (uint8_t *)scratch + (size_t)i * pb);
        void *tmp = (uint8_t *)scratch + (size_t)n_panels(q) * pb;
        for (int64_t r = r0; r < r1;) {
            if (q->kernel2 && r1 - r >= 2 * QG_ROWS) { /* two full panels */
                pack_rows(q, r, QG_ROWS, &p[0], tmp);
                pack_rows(q, r + QG_ROWS, QG_ROWS, &p[1], tmp);
                q->kernel2(q->qg, &p[0], &p[1], q->k, &q->act, 0, q->batch, Y + r, ldy);
                r += 2 * QG_ROWS;
                continue;
            }
            const int64_t n = r1 - r < QG_ROWS ? r1 - r : QG_ROWS;
            pack_rows(q, r, n, &p[0], tmp);
            q->kernel(q->qg, &p[0], (int)n, q->k, &q->act, 0, q->batch, Y + r, ldy);
            r += n;
        }
        return;
    }
    if (q->rows16) {
        rows16_gemv(q, r0, r1, Y, ldy);
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
