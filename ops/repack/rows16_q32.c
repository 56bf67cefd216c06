/* ROWS16 packing of the 32-element block types (not yet written). */
#include "repack/repack.h"

void realm_rows16_fill_q32(const realm_rows16_traits **table) { (void)table; }
