/* Backend -> kernel table. The optimized table is the reference table with
 * slots overridden by the fastest kernels this CPU supports (ops/x86/). */
#include "kernels.h"

const realm_kernel_table *realm_kernels_get(realm_backend be) {
    switch (be) {
    case REALM_BACKEND_NAIVE:
        return realm_kernels_reference();
    case REALM_BACKEND_OPTIMIZED:
        return realm_kernels_reference(); /* SIMD overrides arrive with the fast-kernels issue */
    }
    return NULL;
}
