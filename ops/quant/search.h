/* Internal: scale searches shared by the 32-element formats. Each search
 * works on one block, keeps the scales fp16-representable, and returns the
 * weighted squared error of what dequantization will really produce, so a
 * caller can compare candidates (e.g. against the reference rule) and keep
 * the best. */
#ifndef REALM_QUANT_SEARCH_H
#define REALM_QUANT_SEARCH_H

#include <stdint.h>

/* Symmetric: x ~ d * q, q integer in [qmin, qmax]. Writes q - qmin into L
 * (so L >= 0) and the fp16 bits of d into *dh. w may be NULL (all ones).
 * Returns sum w (x - d q)^2. */
double realm_search_sym(const float *x, const float *w, int n, int qmin, int qmax, uint8_t *L, uint16_t *dh);

/* Affine: x ~ d * q + m, q in [0, qmax]. Writes q into L, fp16 bits of d
 * and m. Returns the weighted squared error. */
double realm_search_affine(const float *x, const float *w, int n, int qmax, uint8_t *L, uint16_t *dh,
                           uint16_t *mh);

/* Weighted squared error of a symmetric / affine candidate with fixed
 * levels. */
double realm_sse_sym(const float *x, const float *w, int n, int qmin, const uint8_t *L, float d);
double realm_sse_affine(const float *x, const float *w, int n, const uint8_t *L, float d, float m);

#endif
