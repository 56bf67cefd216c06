/* AVX-512 ROWS16 kernels of q5_K and q8_K (not yet written). */
#include "gemv/gemv.h"

void realm_gemv_fill_avx512_rows16_k58(realm_gemv_table *t) { (void)t; }
