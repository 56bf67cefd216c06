/* AVX-512 causal attention: per query row, keys in blocks of 16. Scores of
 * a block (zmm dot products), one rescale of the running sum when the block
 * raises the max, exp of the 16 scores at once (polynomial, ~1 ulp), then
 * the weighted V rows. Rows are independent: any split, the same bits. */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "attention/attention.h"
#include "x86/avx512/exp512.h"

/* q . k over hd floats (tail masked). */
static inline float dot512(const float *q, const float *k, int64_t hd) {
    __m512 a = _mm512_setzero_ps();
    int64_t d = 0;
    for (; d + 16 <= hd; d += 16)
        a = _mm512_fmadd_ps(_mm512_loadu_ps(q + d), _mm512_loadu_ps(k + d), a);
    if (d < hd) {
        const __mmask16 m = (__mmask16)((1u << (hd - d)) - 1);
        a = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + d), _mm512_maskz_loadu_ps(m, k + d), a);
    }
    return _mm512_reduce_add_ps(a);
}

/* The 16 horizontal sums of v[0..15], in order: a transpose-and-add tree
 * (15 adds) instead of 16 separate reductions. */
static inline __m512 hsum16(const __m512 *v) {
    __m512 a[8], b[4], c[2];
    for (int i = 0; i < 8; i++)
        a[i] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]),
                             _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
    for (int i = 0; i < 4; i++) {
        const __m512d x = _mm512_castps_pd(a[2 * i]), y = _mm512_castps_pd(a[2 * i + 1]);
        b[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)),
                             _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
    }
    for (int i = 0; i < 2; i++)
        c[i] = _mm512_add_ps(_mm512_shuffle_f32x4(b[2 * i], b[2 * i + 1], 0x88),
                             _mm512_shuffle_f32x4(b[2 * i], b[2 * i + 1], 0xDD));
    return _mm512_add_ps(_mm512_shuffle_f32x4(c[0], c[1], 0x88), _mm512_shuffle_f32x4(c[0], c[1], 0xDD));
}

/* Most query heads that share a kv head handled together (a tile). */
#define TILE_MAX 16

/* head_dim = 16 * NV (NV <= 8). Rows are taken in tiles: the query heads of
 * one token that read the same kv head. Each 16-key block of K and V is
 * fetched from L2 once per tile and then served from L1 to every head of
 * it; a head's accumulator lives in registers while it works on a block.
 * A block's 16 scores come out of one hsum16. Per row, the arithmetic is
 * the same whatever the tile, so any row split gives the same bits. */
static inline __attribute__((always_inline)) void rows_nv(const int NV, const float *q, const float *k,
                                                          const float *v, float *out, int64_t r0, int64_t r1,
                                                          int64_t n_head, int64_t n_head_kv, int64_t n_kv,
                                                          int64_t pos0, float scale) {
    const int64_t hd = (int64_t)16 * NV, group = n_head / n_head_kv, ks = n_head_kv * hd;
    _Alignas(64) float p[16];
    _Alignas(64) float accs[TILE_MAX][128];
    float ms[TILE_MAX], ls[TILE_MAX];
    for (int64_t r = r0; r < r1;) {
        const int64_t t = r / n_head, h = r % n_head, kh = h / group;
        int64_t nt = group - h % group; /* heads left in this kv group */
        if (nt > r1 - r) nt = r1 - r;
        if (nt > TILE_MAX) nt = TILE_MAX;
        const float *kb = k + kh * hd, *vb = v + kh * hd;
        const int64_t n = (pos0 + t < n_kv - 1 ? pos0 + t : n_kv - 1) + 1;
        for (int64_t g = 0; g < nt; g++) {
            ms[g] = -INFINITY;
            ls[g] = 0;
            for (int i = 0; i < NV; i++)
                _mm512_store_ps(accs[g] + 16 * i, _mm512_setzero_ps());
        }
        for (int64_t j0 = 0; j0 < n; j0 += 16) {
            const int nb = n - j0 < 16 ? (int)(n - j0) : 16;
            const __mmask16 live = (__mmask16)(nb == 16 ? 0xFFFF : (1u << nb) - 1);
            for (int64_t g = 0; g < nt; g++) {
                __m512 qv[8], acc[8], d[16];
                for (int i = 0; i < NV; i++) {
                    qv[i] = _mm512_loadu_ps(q + (r + g) * hd + 16 * i);
                    acc[i] = _mm512_load_ps(accs[g] + 16 * i);
                }
                for (int j = 0; j < 16; j++) {
                    const float *kj = kb + (j0 + (j < nb ? j : 0)) * ks; /* dead lanes reread key j0 */
                    __m512 x = _mm512_mul_ps(qv[0], _mm512_loadu_ps(kj));
                    for (int i = 1; i < NV; i++)
                        x = _mm512_fmadd_ps(qv[i], _mm512_loadu_ps(kj + 16 * i), x);
                    d[j] = x;
                }
                const __m512 sv = _mm512_mask_mov_ps(_mm512_set1_ps(-INFINITY), live,
                                                     _mm512_mul_ps(hsum16(d), _mm512_set1_ps(scale)));
                const float bm = _mm512_reduce_max_ps(sv);
                if (bm > ms[g]) {
                    const float c = expf(ms[g] - bm); /* 0 on the first block */
                    ls[g] *= c;
                    for (int i = 0; i < NV; i++)
                        acc[i] = _mm512_mul_ps(acc[i], _mm512_set1_ps(c));
                    ms[g] = bm;
                }
                const __m512 pv = _mm512_maskz_mov_ps(live, exp512(_mm512_sub_ps(sv, _mm512_set1_ps(ms[g]))));
                ls[g] += _mm512_reduce_add_ps(pv);
                _mm512_store_ps(p, pv);
                for (int j = 0; j < nb; j++) {
                    const __m512 pj = _mm512_set1_ps(p[j]);
                    const float *vj = vb + (j0 + j) * ks;
                    for (int i = 0; i < NV; i++)
                        acc[i] = _mm512_fmadd_ps(pj, _mm512_loadu_ps(vj + 16 * i), acc[i]);
                }
                for (int i = 0; i < NV; i++)
                    _mm512_store_ps(accs[g] + 16 * i, acc[i]);
            }
        }
        for (int64_t g = 0; g < nt; g++) {
            const __m512 inv = _mm512_set1_ps(1.0f / ls[g]);
            for (int i = 0; i < NV; i++)
                _mm512_storeu_ps(out + (r + g) * hd + 16 * i,
                                 _mm512_mul_ps(_mm512_load_ps(accs[g] + 16 * i), inv));
        }
        r += nt;
    }
}

#define ROWS_NV(NV)                                                                                          \
    static void rows_nv##NV(const float *q, const float *k, const float *v, float *out, int64_t r0,          \
                            int64_t r1, int64_t n_head, int64_t n_head_kv, int64_t n_kv, int64_t pos0,       \
                            float scale) {                                                                   \
        rows_nv(NV, q, k, v, out, r0, r1, n_head, n_head_kv, n_kv, pos0, scale);                             \
    }
ROWS_NV(2)
ROWS_NV(4)
ROWS_NV(8)

void realm_attention_avx512(const float *q, const float *k, const float *v, float *out, int64_t r0,
                            int64_t r1, int64_t n_head, int64_t n_head_kv, int64_t hd, int64_t n_kv,
                            int64_t pos0, float scale) {
    switch (hd) { /* the common head sizes: registers only */
    case 32:
        rows_nv2(q, k, v, out, r0, r1, n_head, n_head_kv, n_kv, pos0, scale);
        return;
    case 64:
        rows_nv4(q, k, v, out, r0, r1, n_head, n_head_kv, n_kv, pos0, scale);
        return;
    case 128:
        rows_nv8(q, k, v, out, r0, r1, n_head, n_head_kv, n_kv, pos0, scale);
        return;
    default:
        break;
    }
    const int64_t group = n_head / n_head_kv, kv_stride = n_head_kv * hd;
    _Alignas(64) float acc[REALM_ATTENTION_MAX_HEAD_DIM];
    _Alignas(64) float s[16], p[16];
    const int64_t nd = (hd + 15) / 16;
    const __mmask16 tail = (__mmask16)(hd % 16 ? (1u << (hd % 16)) - 1 : 0xFFFF);
    for (int64_t r = r0; r < r1; r++) {
        const int64_t t = r / n_head, h = r % n_head, kh = h / group;
        const float *qr = q + r * hd;
        const int64_t n = (pos0 + t < n_kv - 1 ? pos0 + t : n_kv - 1) + 1; /* keys visible */
        const float *kb = k + kh * hd, *vb = v + kh * hd;
        float m = -INFINITY, l = 0;
        memset(acc, 0, sizeof(float) * (size_t)(nd * 16));
        for (int64_t j0 = 0; j0 < n; j0 += 16) {
            const int nb = n - j0 < 16 ? (int)(n - j0) : 16;
            for (int j = 0; j < nb; j++)
                s[j] = dot512(qr, kb + (j0 + j) * kv_stride, hd) * scale;
            const __mmask16 live = (__mmask16)(nb == 16 ? 0xFFFF : (1u << nb) - 1);
            const __m512 sv = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), live, s);
            const float bm = _mm512_reduce_max_ps(sv);
            if (bm > m) {
                const float c = expf(m - bm); /* 0 on the first block */
                l *= c;
                const __m512 cv = _mm512_set1_ps(c);
                for (int64_t d = 0; d < nd; d++)
                    _mm512_store_ps(acc + 16 * d, _mm512_mul_ps(_mm512_load_ps(acc + 16 * d), cv));
                m = bm;
            }
            const __m512 pv = _mm512_maskz_mov_ps(live, exp512(_mm512_sub_ps(sv, _mm512_set1_ps(m))));
            l += _mm512_reduce_add_ps(pv);
            _mm512_store_ps(p, pv);
            for (int j = 0; j < nb; j++) {
                const __m512 pj = _mm512_set1_ps(p[j]);
                const float *vj = vb + (j0 + j) * kv_stride;
                int64_t d = 0;
                for (; d + 1 < nd || (d < nd && tail == 0xFFFF); d++)
                    _mm512_store_ps(acc + 16 * d, _mm512_fmadd_ps(pj, _mm512_loadu_ps(vj + 16 * d),
                                                                  _mm512_load_ps(acc + 16 * d)));
                if (d < nd)
                    _mm512_store_ps(acc + 16 * d,
                                    _mm512_fmadd_ps(pj, _mm512_maskz_loadu_ps(tail, vj + 16 * d),
                                                    _mm512_load_ps(acc + 16 * d)));
            }
        }
        const float inv = 1.0f / l;
        for (int64_t d = 0; d < hd; d++)
            out[r * hd + d] = acc[d] * inv;
    }
}
