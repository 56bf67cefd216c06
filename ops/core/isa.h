/* Internal: the ISA ceiling for kernel dispatch. REALM_ISA=scalar|avx2|
 * avxvnni|avx512 caps what the CPU would otherwise get, so tests and
 * benchmarks can compare kernels on one machine. Unset or unknown: no cap. */
#ifndef REALM_CORE_ISA_H
#define REALM_CORE_ISA_H

enum { REALM_ISA_SCALAR = 0, REALM_ISA_AVX2 = 1, REALM_ISA_AVXVNNI = 2, REALM_ISA_AVX512 = 3 };

int realm_isa_cap(void);

#endif
