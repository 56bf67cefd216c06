/* Portable ROWS16 kernels of q2_K and q3_K (not yet written). */
#include "gemv/gemv.h"

void realm_gemv_fill_scalar_rows16_k23(realm_gemv_table *t) { (void)t; }
