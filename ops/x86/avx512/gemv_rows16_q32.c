/* AVX-512 ROWS16 kernels of the 32-element block types (not yet written). */
#include "gemv/gemv.h"

void realm_gemv_fill_avx512_rows16_q32(realm_gemv_table *t) { (void)t; }
