/* Workspace layout, activation quantization and weight panel packing for
 * the int8 GEMM path (qgemm.h). */
#include <math.h>
#include <string.h>

#include "qgemm/qgemm.h"

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

size_t qg_panel_bytes(const qg_type *ty, int64_t k) {
    const size_t nb = (size_t)(k / ty->B), nm = (size_t)(k / ty->Bm);
    return align64((size_t)k * QG_ROWS) + align64(nb * QG_ROWS * sizeof(float)) +
           align64(nm * QG_ROWS * sizeof(float));
}

size_t qg_act_bytes(const qg_type *ty, int64_t k, int64_t batch) {
    const size_t b = (size_t)batch, nb = (size_t)(k / ty->B), nm = (size_t)(k / ty->Bm);
    return align64(b * (size_t)k) + align64(b * (size_t)(k / QG_ABLK) * sizeof(float)) +
           align64(b * nm * sizeof(float)) + align64(b * nb * sizeof(int32_t));
}

void qg_panel_init(qg_panel *p, const qg_type *ty, int64_t k, void *ws) {
    uint8_t *w = ws;
    const size_t nb = (size_t)(k / ty->B);
    p->q = w;
    w += align64((size_t)k * QG_ROWS);
    p->s1 = (float *)w;
    w += align64(nb * QG_ROWS * sizeof(float));
    p->m = (float *)w;
}

void qg_act_init(qg_act *a, const qg_type *ty, int64_t k, int64_t batch, void *ws) {
    uint8_t *w = ws;
    const size_t b = (size_t)batch, nm = (size_t)(k / ty->Bm);
    a->q = (int8_t *)w;
    w += align64(b * (size_t)k);
    a->d = (float *)w;
    w += align64(b * (size_t)(k / QG_ABLK) * sizeof(float));
    a->dsum = (float *)w;
    w += align64(b * nm * sizeof(float));
    a->noff = (int32_t *)w;
}

void qg_store_block_sums(const qg_type *ty, qg_act *a, int64_t k, int64_t b, int64_t i, float d,
                         const int *sum16) {
    const int64_t nb = k / ty->B, nm = k / ty->Bm;
    /* block sums at the granularity each consumer needs */
    for (int h = 0; h < QG_ABLK / ty->Bm; h++) {
        int s = 0;
        for (int u = 0; u < ty->Bm / 16; u++)
            s += sum16[h * (ty->Bm / 16) + u];
        a->dsum[b * nm + i * (QG_ABLK / ty->Bm) + h] = d * (float)s;
    }
    for (int h = 0; h < QG_ABLK / ty->B; h++) {
        int s = 0;
        for (int u = 0; u < ty->B / 16; u++)
            s += sum16[h * (ty->B / 16) + u];
        a->noff[b * nb + i * (QG_ABLK / ty->B) + h] = -ty->off * s;
    }
}

void qg_quantize_act(const qg_type *ty, const float *X, int64_t ldx, int64_t k, int64_t b0, int64_t b1,
                     qg_act *a) {
    const int64_t na = k / QG_ABLK;
    for (int64_t b = b0; b < b1; b++) {
        const float *x = X + b * ldx;
        int8_t *q = a->q + b * k;
        for (int64_t i = 0; i < na; i++) {
            float amax = 0;
            for (int j = 0; j < QG_ABLK; j++) {
                const float v = fabsf(x[i * QG_ABLK + j]);
                amax = v > amax ? v : amax;
            }
            const float d = amax / 127.0f, id = d > 0 ? 127.0f / amax : 0.0f;
            a->d[b * na + i] = d;
            int sum16[QG_ABLK / 16] = {0};
            for (int j = 0; j < QG_ABLK; j++) {
                const int v = (int)lrintf(x[i * QG_ABLK + j] * id);
                q[i * QG_ABLK + j] = (int8_t)v;
                sum16[j / 16] += v;
            }
            qg_store_block_sums(ty, a, k, b, i, d, sum16);
        }
    }
}

size_t qg_pack_tmp_bytes(const qg_type *ty, int64_t k) {
    return align64((size_t)k) + align64((size_t)(k / ty->B) * sizeof(float)) +
           align64((size_t)(k / ty->Bm) * sizeof(float));
}

void qg_pack_panel(const qg_type *ty, const void *W, size_t row_bytes, int64_t r0, int64_t n, int64_t k,
                   void *tmp, qg_panel *p) {
    if (ty->pack)
        ty->pack(W, row_bytes, r0, n, k, p);
    else
        qg_pack_panel_generic(ty, W, row_bytes, r0, n, k, tmp, p);
}

void qg_pack_panel_generic(const qg_type *ty, const void *W, size_t row_bytes, int64_t r0, int64_t n,
                           int64_t k, void *tmp, qg_panel *p) {
    const int64_t nb = k / ty->B, nm = k / ty->Bm, groups = ty->B / 4;
    uint8_t *q = tmp;
    float *s1 = (float *)(q + align64((size_t)k));
    float *m = s1 + align64((size_t)nb * sizeof(float)) / sizeof(float);
    for (int64_t r = 0; r < QG_ROWS; r++) {
        if (r < n) {
            ty->extract((const uint8_t *)W + (size_t)(r0 + r) * row_bytes, k, q, s1, m);
        } else { /* padding rows: zero weights, zero scales */
            memset(q, 0, (size_t)k);
            memset(s1, 0, (size_t)nb * sizeof(float));
            memset(m, 0, (size_t)nm * sizeof(float));
        }
        for (int64_t j = 0; j < nm; j++)
            p->m[j * QG_ROWS + r] = m[j];
        for (int64_t j = 0; j < nb; j++) {
            p->s1[j * QG_ROWS + r] = s1[j];
            for (int64_t g = 0; g < groups; g++)
                memcpy(p->q + ((j * groups + g) * QG_ROWS + r) * 4, q + j * ty->B + g * 4, 4);
        }
    }
}
