/* K-quant helpers: ports of ggml's sub-block scale searches (same float
 * evaluation order, so the seeds equal ggml's reference blocks) and a
 * refinement that only ever lowers the real encode/decode error. */
#include "quant/kquant_util.h"

#include <math.h>
#include <string.h>

#include "realm/types.h"

/* ggml treats a group whose largest magnitude is below this as all zero. */
#define GROUP_MAX_EPS 1e-15f

/* Rounds of sub-block + super-block refits. On N(0,1) rows a second round
 * still gains 0.3-1% RMSE, a third about 0.1% for 25% more time. */
#define KQ_ROUNDS 2

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* clamp(nearest_int(t), lo, hi) as an int */
static int level(float t, int lo, int hi) { return (int)kq_round_clamp(t, (float)lo, (float)hi); }

uint16_t kq_fp16(float v) {
    if (isnan(v)) return 0;
    if (v > 65504.0f) v = 65504.0f;
    if (v < -65504.0f) v = -65504.0f;
    return realm_fp32_to_fp16(v);
}

float kq_scale_min_search(int n, int nmax, const float *x, const float *w, float *the_min, float rmin,
                          float rdelta, int nstep, bool use_mad) {
    float L[32];
    float min = x[0], max = x[0];
    float sum_w = w[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0; /* the min is subtracted: never add an offset */
    if (max == min) {
        *the_min = -min;
        return 0.0f;
    }
    /* Start from the min/max fit, then try nstep + 1 stretched grids, each
     * followed by the least-squares scale and min for its quants. */
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float best = 0;
    for (int i = 0; i < n; i++) {
        float diff = scale * kq_round_clamp(iscale * (x[i] - min), 0, nmax) + min - x[i];
        best += w[i] * (use_mad ? fabsf(diff) : diff * diff);
    }
    for (int is = 0; is <= nstep; is++) {
        iscale = (rmin + rdelta * is + nmax) / (max - min);
        for (int i = 0; i < n; i++)
            L[i] = kq_round_clamp(iscale * (x[i] - min), 0, nmax);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; i++) {
            sum_l += w[i] * L[i];
            sum_l2 += w[i] * L[i] * L[i];
            sum_xl += w[i] * L[i] * x[i];
        }
        float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (this_min > 0) {
                this_min = 0;
                this_scale = sum_xl / sum_l2;
            }
            float err = 0;
            for (int i = 0; i < n; i++) {
                float diff = this_scale * L[i] + this_min - x[i];
                err += w[i] * (use_mad ? fabsf(diff) : diff * diff);
            }
            if (err < best) {
                best = err;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    *the_min = -min;
    return scale;
}

/* Signed value of largest magnitude (the first one on ties). */
static float signed_absmax(int n, const float *x) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; i++) {
        if (fabsf(x[i]) > amax) {
            amax = fabsf(x[i]);
            max = x[i];
        }
    }
    return max;
}

float kq_scale_search_q3(int n, int nmax, const float *x, const float *w) {
    int L[32];
    float max = signed_absmax(n, x);
    if (fabsf(max) < GROUP_MAX_EPS) return 0.0f;
    /* The largest magnitude goes to -nmax, the end of the asymmetric range
     * with one more level. */
    float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) {
        L[i] = level(iscale * x[i], -nmax, nmax - 1);
        sumlx += w[i] * x[i] * L[i];
        suml2 += w[i] * L[i] * L[i];
    }
    /* Move single quants to their best level for the least-squares scale of
     * the others, keeping a move when it raises sumlx^2 / suml2 (i.e.
     * lowers the error of the optimally scaled fit). */
    for (int itry = 0; itry < 5; itry++) {
        int changed = 0;
        for (int i = 0; i < n; i++) {
            float slx = sumlx - w[i] * x[i] * L[i];
            if (slx > 0) {
                float sl2 = suml2 - w[i] * L[i] * L[i];
                int nl = level(x[i] * sl2 / slx, -nmax, nmax - 1);
                if (nl != L[i]) {
                    slx += w[i] * x[i] * nl;
                    sl2 += w[i] * nl * nl;
                    if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = nl;
                        sumlx = slx;
                        suml2 = sl2;
                        changed++;
                    }
                }
            }
        }
        if (!changed) break;
    }
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

float kq_scale_search_qx(int n, int nmax, const float *x, const float *w) {
    float max = signed_absmax(n, x);
    if (fabsf(max) < GROUP_MAX_EPS) return 0.0f;
    float scale = 0, best = 0;
    /* The plain grid (is = 0) first, then stretched by -0.9 .. +0.9 levels.
     * A candidate's least-squares error falls as sumlx^2 / suml2 rises. */
    for (int k = 0; k <= 18; k++) {
        int is = k == 0 ? 0 : k <= 9 ? k - 10 : k - 9;
        float iscale = is == 0 ? -nmax / max : -(nmax + 0.1f * is) / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float l = kq_round_clamp(iscale * x[i], -nmax, nmax - 1);
            sumlx += w[i] * x[i] * l;
            suml2 += w[i] * l * l;
        }
        if (is == 0) {
            scale = suml2 ? sumlx / suml2 : 0.0f;
            best = scale * sumlx;
        } else if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

void kq_seed_affine(const kq_layout *f, const float *x, const float *imp, bool add_rms, float rmin, int nstep,
                    bool use_mad, kq_scales *s, float *scales, float *mins) {
    float w[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < f->nsub; j++) {
        const float *xs = x + j * f->len;
        float av_x = 0;
        if (add_rms) {
            float sum_x2 = 0;
            for (int l = 0; l < f->len; l++)
                sum_x2 += xs[l] * xs[l];
            av_x = sqrtf(sum_x2 / f->len);
        }
        for (int l = 0; l < f->len; l++)
            w[l] = (add_rms ? av_x + fabsf(xs[l]) : fabsf(xs[l])) * (imp ? imp[j * f->len + l] : 1.0f);
        scales[j] = kq_scale_min_search(f->len, f->qmax, xs, w, &mins[j], rmin, 0.1f, nstep, use_mad);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    const float inv_scale = max_scale > 0 ? f->smax / max_scale : 0.0f;
    const float inv_min = max_min > 0 ? f->mmax / max_min : 0.0f;
    for (int j = 0; j < f->nsub; j++) {
        s->sc[j] = level(inv_scale * scales[j], 0, f->smax);
        s->mn[j] = level(inv_min * mins[j], 0, f->mmax);
    }
    s->d = kq_fp16(max_scale / f->smax);
    s->dmin = kq_fp16(max_min / f->mmax);
}

void kq_seed_sym(const kq_layout *f, const float *x, const float *imp, bool q3_search, kq_scales *s,
                 float *scales) {
    float w[32];
    for (int j = 0; j < f->nsub; j++) {
        const float *xs = x + j * f->len;
        for (int l = 0; l < f->len; l++)
            w[l] = xs[l] * xs[l] * (imp ? imp[j * f->len + l] : 1.0f);
        scales[j] = q3_search ? kq_scale_search_q3(f->len, -f->qmin, xs, w)
                              : kq_scale_search_qx(f->len, -f->qmin, xs, w);
    }
    const float max_scale = signed_absmax(f->nsub, scales);
    s->d = s->dmin = 0;
    for (int j = 0; j < f->nsub; j++)
        s->sc[j] = s->mn[j] = 0;
    if (fabsf(max_scale) < GROUP_MAX_EPS) return;
    const float iscale = f->smin / max_scale;
    for (int j = 0; j < f->nsub; j++)
        s->sc[j] = level(iscale * scales[j], f->smin, f->smax);
    s->d = kq_fp16(1 / iscale);
}

/* Bytes 0-3: scales 0-3 (low 6 bits), bytes 4-7: mins 0-3 (low 6 bits);
 * bytes 8-11: low nibble scale 4-7, high nibble min 4-7; the top two bits
 * of bytes 0-7 hold the high bits of scales / mins 4-7. */
void kq_pack_scale_min_k4(uint8_t *s, int j, int sc, int mn) {
    if (j < 4) {
        s[j] |= (uint8_t)sc;
        s[j + 4] |= (uint8_t)mn;
    } else {
        s[j + 4] |= (uint8_t)((sc & 0xF) | ((mn & 0xF) << 4));
        s[j - 4] |= (uint8_t)((sc >> 4) << 6);
        s[j] |= (uint8_t)((mn >> 4) << 6);
    }
}

void kq_unpack_scale_min_k4(const uint8_t *s, int j, int *sc, int *mn) {
    if (j < 4) {
        *sc = s[j] & 63;
        *mn = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
        *mn = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

/* ---- refinement ---------------------------------------------------------- */

/* Weighted squared error of one sub-block decoded with scale sc and min mn
 * under the super-block scales d, dmin, each quant the nearest level (best
 * for fixed scales). Writes the quants to L when L is not NULL. */
static double sub_error(const kq_layout *f, float d, float dmin, int sc, int mn, const float *x,
                        const float *w, int8_t *L) {
    const float dl = d * sc, ml = dmin * mn;
    float q[32], y[32];
    if (dl == 0) {
        for (int i = 0; i < f->len; i++)
            q[i] = 0;
    } else {
        for (int i = 0; i < f->len; i++)
            q[i] = kq_round_clamp((x[i] + ml) / dl, f->qmin, f->qmax);
    }
    for (int i = 0; i < f->len; i++)
        y[i] = dl * q[i] - ml; /* the dequantizers' order */
    double e = 0;
    for (int i = 0; i < f->len; i++) {
        const double diff = (double)y[i] - x[i];
        e += (w ? w[i] : 1.0) * diff * diff;
    }
    if (L)
        for (int i = 0; i < f->len; i++)
            L[i] = (int8_t)q[i];
    return e;
}

static double block_error(const kq_layout *f, const kq_scales *s, const float *x, const float *w, double *sub,
                          int8_t *L) {
    const float d = realm_fp16_to_fp32(s->d), dmin = realm_fp16_to_fp32(s->dmin);
    double e = 0;
    for (int j = 0; j < f->nsub; j++) {
        const int o = j * f->len;
        double ej = sub_error(f, d, dmin, s->sc[j], s->mn[j], x + o, w ? w + o : NULL, L ? L + o : NULL);
        if (sub) sub[j] = ej;
        e += ej;
    }
    return e;
}

/* fp16 bits of the value nearest v and of its neighbours (same sign,
 * finite): the candidates for a super-block scale near v. */
static void half_around(float v, uint16_t out[3]) {
    const uint16_t h = kq_fp16(v);
    const int sign = h & 0x8000, mag = h & 0x7fff;
    for (int k = 0; k < 3; k++)
        out[k] = (uint16_t)(sign | clampi(mag + k - 1, 0, 0x7bff));
}

static uint16_t half_step(uint16_t h, int k) {
    return (uint16_t)((h & 0x8000) | clampi((h & 0x7fff) + k, 0, 0x7bff));
}

/* c[k] repeats an earlier candidate (clamped at the ends, or no mins) */
static bool seen(const uint16_t *c, int k) {
    for (int i = 0; i < k; i++)
        if (c[i] == c[k]) return true;
    return false;
}

/* Tries super-block scales d, dmin with the integers of t; keeps them in s
 * when the error drops below *best. */
static bool try_super(const kq_layout *f, const float *x, const float *w, kq_scales *s, kq_scales t,
                      uint16_t d, uint16_t dmin, double *best) {
    t.d = d;
    t.dmin = dmin;
    const double e = block_error(f, &t, x, w, NULL, NULL);
    if (!(e < *best)) return false;
    *best = e;
    *s = t;
    return true;
}

/* Other super-block scales near what ggml derives (the largest ideal
 * sub-block scale at the end of the integer range), each with the sub-block
 * integers re-derived from the ideal values. This matters where ggml's own
 * choice rounds to a poor or zero fp16 value (tiny inputs). The best is
 * kept even on a tie, so that a block decoding to zeros at d = 0 gets a
 * non-zero d that the refits below can work from. */
static void try_super_scales(const kq_layout *f, const float *x, const float *w, const float *ideal_s,
                             const float *ideal_m, kq_scales *s, double *best) {
    const bool sym = f->smin < 0;
    float max_s = 0, max_m = 0;
    for (int j = 0; j < f->nsub; j++) {
        if (sym ? fabsf(ideal_s[j]) > fabsf(max_s) : ideal_s[j] > max_s) max_s = ideal_s[j];
        if (ideal_m && ideal_m[j] > max_m) max_m = ideal_m[j];
    }
    if (max_s == 0) return;
    uint16_t dc[3], mc[3] = {s->dmin, s->dmin, s->dmin};
    half_around(max_s / (sym ? f->smin : f->smax), dc);
    if (f->mmax && max_m > 0) half_around(max_m / f->mmax, mc);
    kq_scales cand = *s;
    double cand_e = INFINITY;
    for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 3; b++) {
            const float d = realm_fp16_to_fp32(dc[a]), dmin = realm_fp16_to_fp32(mc[b]);
            if (d == 0 || seen(dc, a) || seen(mc, b)) continue;
            kq_scales t = *s;
            for (int j = 0; j < f->nsub; j++) {
                t.sc[j] = level(ideal_s[j] / d, f->smin, f->smax);
                if (f->mmax && dmin != 0) t.mn[j] = level(ideal_m[j] / dmin, 0, f->mmax);
            }
            try_super(f, x, w, &cand, t, dc[a], mc[b], &cand_e);
        }
    }
    if (cand_e <= *best) {
        *best = cand_e;
        *s = cand;
    }
}

/* Least-squares d and dmin for the current integers and quants (x ~ d u -
 * dmin v with u = sc q, v = mn), then the 3x3 nearby fp16 pairs and single
 * steps from the current pair. */
static bool refit_super(const kq_layout *f, const float *x, const float *w, const int8_t *L, kq_scales *s,
                        double *best) {
    double suu = 0, suv = 0, svv = 0, sux = 0, svx = 0;
    for (int j = 0; j < f->nsub; j++) {
        for (int i = 0; i < f->len; i++) {
            const int k = j * f->len + i;
            const double wk = w ? w[k] : 1.0, u = (double)s->sc[j] * L[k], v = s->mn[j];
            suu += wk * u * u;
            suv += wk * u * v;
            svv += wk * v * v;
            sux += wk * u * x[k];
            svx += wk * v * x[k];
        }
    }
    if (suu <= 0) return false;
    double d = sux / suu, m = realm_fp16_to_fp32(s->dmin);
    const double det = suu * svv - suv * suv;
    if (f->mmax && det > 1e-12 * suu * svv) {
        d = (sux * svv - suv * svx) / det;
        m = (suv * sux - suu * svx) / det;
    }
    uint16_t dc[3], mc[3] = {s->dmin, s->dmin, s->dmin};
    half_around((float)d, dc);
    if (f->mmax) half_around(m > 0 ? (float)m : 0.0f, mc);
    const kq_scales cur = *s;
    bool improved = false;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            if (!seen(dc, a) && !seen(mc, b)) improved |= try_super(f, x, w, s, cur, dc[a], mc[b], best);
    for (int k = -1; k <= 1; k += 2) {
        improved |= try_super(f, x, w, s, cur, half_step(cur.d, k), cur.dmin, best);
        if (f->mmax) improved |= try_super(f, x, w, s, cur, cur.d, half_step(cur.dmin, k), best);
    }
    return improved;
}

/* Per sub-block: least-squares scale and min for its current quants, then
 * the 3x3 nearby integer pairs and single steps from the current pair.
 * sub[] holds each sub-block's error and L its quants; both stay current. */
static bool refit_subs(const kq_layout *f, const float *x, const float *w, int8_t *L, kq_scales *s,
                       double *sub) {
    const float d = realm_fp16_to_fp32(s->d), dmin = realm_fp16_to_fp32(s->dmin);
    if (d == 0) return false;
    const bool mins = f->mmax && dmin != 0;
    bool improved = false;
    for (int j = 0; j < f->nsub; j++) {
        const float *xs = x + j * f->len, *ws = w ? w + j * f->len : NULL;
        int8_t *q = L + j * f->len;
        double sw = 0, sq = 0, sqq = 0, sx = 0, sqx = 0;
        for (int i = 0; i < f->len; i++) {
            const double wi = ws ? ws[i] : 1.0;
            sw += wi;
            sq += wi * q[i];
            sqq += wi * q[i] * q[i];
            sx += wi * xs[i];
            sqx += wi * q[i] * xs[i];
        }
        /* all quants zero: no least-squares direction, search around the
         * current integers */
        double a = sqq > 0 ? sqx / sqq : (double)s->sc[j] * d, b = (double)s->mn[j] * dmin;
        const double det = sqq * sw - sq * sq;
        if (mins && sqq > 0 && det > 1e-12 * sqq * sw) {
            b = (sq * sqx - sqq * sx) / det;
            if (b < 0)
                b = 0;
            else
                a = (sqx * sw - sq * sx) / det;
        }
        /* candidate (sc, mn) pairs: 3x3 around the least-squares point, then
         * single steps from the current pair */
        const int sc0 = level((float)(a / d), f->smin, f->smax);
        const int mn0 = mins ? level((float)(b / dmin), 0, f->mmax) : s->mn[j];
        const int cs = s->sc[j], cm = s->mn[j];
        int pc[13][2], np = 0;
        for (int u = -1; u <= 1; u++)
            for (int v = -1; v <= 1; v++)
                if (mins || v == 0) pc[np][0] = sc0 + u, pc[np++][1] = mn0 + v;
        pc[np][0] = cs - 1, pc[np++][1] = cm;
        pc[np][0] = cs + 1, pc[np++][1] = cm;
        if (mins) {
            pc[np][0] = cs, pc[np++][1] = cm - 1;
            pc[np][0] = cs, pc[np++][1] = cm + 1;
        }
        int bs = cs, bm = cm;
        for (int k = 0; k < np; k++) {
            const int tsc = clampi(pc[k][0], f->smin, f->smax), tmn = clampi(pc[k][1], 0, f->mmax);
            if ((tsc == cs && tmn == cm) || (tsc == bs && tmn == bm)) continue;
            const double e = sub_error(f, d, dmin, tsc, tmn, xs, ws, NULL);
            if (e < sub[j]) {
                sub[j] = e;
                bs = tsc;
                bm = tmn;
            }
        }
        if (bs != cs || bm != cm) {
            s->sc[j] = bs;
            s->mn[j] = bm;
            sub_error(f, d, dmin, bs, bm, xs, ws, q);
            improved = true;
        }
    }
    return improved;
}

void kq_refine(const kq_layout *f, const float *x, const float *w, const float *ideal_s, const float *ideal_m,
               kq_scales *s, int8_t *L) {
    double sub[KQ_MAX_SUB];
    double best = block_error(f, s, x, w, NULL, NULL);
    if (best > 0) {
        try_super_scales(f, x, w, ideal_s, ideal_m, s, &best);
        /* Alternate sub-block and super-block refits while either helps;
         * later rounds gain little. */
        for (int it = 0; it < KQ_ROUNDS; it++) {
            block_error(f, s, x, w, sub, L);
            const bool changed = refit_subs(f, x, w, L, s, sub);
            best = 0;
            for (int j = 0; j < f->nsub; j++)
                best += sub[j];
            if (!refit_super(f, x, w, L, s, &best) && !changed) break;
        }
    }
    block_error(f, s, x, w, NULL, L);
}
