/* Scale searches for the 32-element formats (see search.h).
 *
 * Why: the reference rule (d from the block's extreme value) is cheap but
 * leaves accuracy behind, most visibly when fp16 rounding of d matters. We
 * try a small fan of scales around the extreme-value one, refit d (and m) by
 * weighted least squares for the best level assignment, and score every
 * candidate after fp16 rounding, exactly as dequantization will see it. */
#include "quant/search.h"

#include <float.h>
#include <math.h>

#include "realm/types.h"

static float weight(const float *w, int i) { return w ? w[i] : 1.0f; }

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Nearest level of x/d (NaN-safe: d == 0 maps to level 0 -> L = -qmin). */
static int level_sym(float x, float d, int qmin, int qmax) {
    if (d == 0.0f) return clampi(0, qmin, qmax);
    float v = x / d;
    if (!(v > -1e9f && v < 1e9f)) return v > 0 ? qmax : qmin;
    return clampi((int)lrintf(v), qmin, qmax);
}

double realm_sse_sym(const float *x, const float *w, int n, int qmin, const uint8_t *L, float d) {
    double e = 0;
    for (int i = 0; i < n; i++) {
        double diff = (double)x[i] - (double)(d * (float)(L[i] + qmin));
        e += weight(w, i) * diff * diff;
    }
    return e;
}

double realm_sse_affine(const float *x, const float *w, int n, const uint8_t *L, float d, float m) {
    double e = 0;
    for (int i = 0; i < n; i++) {
        double diff = (double)x[i] - (double)((float)L[i] * d + m);
        e += weight(w, i) * diff * diff;
    }
    return e;
}

/* Quantizes with fp16-rounded d, scores, and keeps it if better. */
static void try_sym(const float *x, const float *w, int n, int qmin, int qmax, float d, uint8_t *L,
                    uint16_t *dh, double *best) {
    uint8_t cand[256];
    uint16_t h = realm_fp32_to_fp16(d);
    float dr = realm_fp16_to_fp32(h);
    if (!isfinite(dr)) return;
    for (int i = 0; i < n; i++)
        cand[i] = (uint8_t)(level_sym(x[i], dr, qmin, qmax) - qmin);
    double e = realm_sse_sym(x, w, n, qmin, cand, dr);
    if (e < *best) {
        *best = e;
        *dh = h;
        for (int i = 0; i < n; i++)
            L[i] = cand[i];
    }
}

double realm_search_sym(const float *x, const float *w, int n, int qmin, int qmax, uint8_t *L, uint16_t *dh) {
    float amax = 0, max = 0;
    for (int i = 0; i < n; i++) {
        if (fabsf(x[i]) > amax) {
            amax = fabsf(x[i]);
            max = x[i];
        }
    }
    double best = DBL_MAX;
    try_sym(x, w, n, qmin, qmax, 0.0f, L, dh, &best);
    if (amax == 0) return best;
    /* The extreme value maps to the end of the range on its own side. */
    float end = max < 0 ? (float)qmin : (float)qmax;
    float span = end < 0 ? -end : end;
    for (int s = -8; s <= 8; s++) {
        float target = span + 0.125f * (float)s * (span > 16 ? span / 16.0f : 1.0f);
        if (target < 0.5f) continue;
        try_sym(x, w, n, qmin, qmax, max / (end < 0 ? -target : target), L, dh, &best);
    }
    /* Least-squares refit for the winning levels, then once more. */
    for (int it = 0; it < 2; it++) {
        double sxq = 0, sqq = 0;
        float d0 = realm_fp16_to_fp32(*dh);
        for (int i = 0; i < n; i++) {
            double q = (double)(L[i] + qmin);
            sxq += weight(w, i) * x[i] * q;
            sqq += weight(w, i) * q * q;
        }
        if (sqq <= 0) break;
        float d = (float)(sxq / sqq);
        if (d == d0) break;
        try_sym(x, w, n, qmin, qmax, d, L, dh, &best);
    }
    return best;
}

/* Affine candidate: fp16-round d and m, quantize with them, score. */
static void try_affine(const float *x, const float *w, int n, int qmax, float d, float m, uint8_t *L,
                       uint16_t *dh, uint16_t *mh, double *best) {
    uint8_t cand[256];
    uint16_t hd = realm_fp32_to_fp16(d), hm = realm_fp32_to_fp16(m);
    float dr = realm_fp16_to_fp32(hd), mr = realm_fp16_to_fp32(hm);
    if (!isfinite(dr) || !isfinite(mr)) return;
    for (int i = 0; i < n; i++)
        cand[i] = (uint8_t)level_sym(x[i] - mr, dr, 0, qmax);
    double e = realm_sse_affine(x, w, n, cand, dr, mr);
    if (e < *best) {
        *best = e;
        *dh = hd;
        *mh = hm;
        for (int i = 0; i < n; i++)
            L[i] = cand[i];
    }
}

/* Weighted least squares of x ~ d q + m for fixed levels; false when
 * degenerate (all levels equal). */
static int fit_affine(const float *x, const float *w, int n, const uint8_t *L, float *d, float *m) {
    double sw = 0, sq = 0, sqq = 0, sx = 0, sxq = 0;
    for (int i = 0; i < n; i++) {
        double wi = weight(w, i), q = L[i];
        sw += wi;
        sq += wi * q;
        sqq += wi * q * q;
        sx += wi * x[i];
        sxq += wi * x[i] * q;
    }
    double det = sw * sqq - sq * sq;
    if (!(det > 0)) return 0;
    *d = (float)((sw * sxq - sq * sx) / det);
    *m = (float)((sqq * sx - sq * sxq) / det);
    return 1;
}

double realm_search_affine(const float *x, const float *w, int n, int qmax, uint8_t *L, uint16_t *dh,
                           uint16_t *mh) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int i = 0; i < n; i++) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
    }
    double best = DBL_MAX;
    try_affine(x, w, n, qmax, 0.0f, min, L, dh, mh, &best);
    if (max == min) return best;
    uint8_t cand[256];
    for (int s = -6; s <= 6; s++) {
        float iscale = ((float)qmax + 0.1f * (float)s) / (max - min);
        try_affine(x, w, n, qmax, 1.0f / iscale, min, L, dh, mh, &best);
        /* refit d and m to the levels this scale assigns */
        for (int i = 0; i < n; i++)
            cand[i] = (uint8_t)clampi((int)lrintf((x[i] - min) * iscale), 0, qmax);
        float d, m;
        if (fit_affine(x, w, n, cand, &d, &m)) try_affine(x, w, n, qmax, d, m, L, dh, mh, &best);
    }
    for (int it = 0; it < 2; it++) {
        float d, m;
        if (!fit_affine(x, w, n, L, &d, &m)) break;
        try_affine(x, w, n, qmax, d, m, L, dh, mh, &best);
    }
    return best;
}
