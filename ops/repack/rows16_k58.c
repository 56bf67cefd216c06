/* ROWS16 packing of q5_K and q8_K (not yet written). */
#include "repack/repack.h"

void realm_rows16_fill_k58(const realm_rows16_traits **table) { (void)table; }
