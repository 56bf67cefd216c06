/* Internal: the optimized attention kernel (signature realm_attention_fn). */
#ifndef REALM_ATTENTION_H
#define REALM_ATTENTION_H

#include "kernels.h"

void realm_opt_attention(const float *q, const float *k, const float *v, float *out, int64_t r0, int64_t r1,
                         int64_t n_head, int64_t n_head_kv, int64_t hd, int64_t n_kv, int64_t pos0,
                         float scale);

#endif
