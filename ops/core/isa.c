#include "core/isa.h"

#include <stdlib.h>
#include <string.h>

int realm_isa_cap(void) {
    static const struct {
        const char *name;
        int level;
    } names[] = {{"scalar", REALM_ISA_SCALAR},
                 {"avx2", REALM_ISA_AVX2},
                 {"avxvnni", REALM_ISA_AVXVNNI},
                 {"avx512bw", REALM_ISA_AVX512BW},
                 {"avx512", REALM_ISA_AVX512}};
    const char *e = getenv("REALM_ISA");
    for (size_t i = 0; e && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(e, names[i].name) == 0) return names[i].level;
    return REALM_ISA_AVX512;
}
