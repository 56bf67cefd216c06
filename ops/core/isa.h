/* Internal: the ISA ceiling for kernel dispatch. REALM_ISA=scalar|avx2|
 * avxvnni|avx512bw|avx512 caps what the CPU would otherwise get, so tests and
 * benchmarks can compare kernels on one machine. Unset or unknown: no cap. */
#ifndef REALM_CORE_ISA_H
#define REALM_CORE_ISA_H

/* avx512bw: AVX-512 F/BW/VL/DQ without VNNI; avx512: with VNNI */
enum {
    REALM_ISA_SCALAR = 0,
    REALM_ISA_AVX2 = 1,
    REALM_ISA_AVXVNNI = 2,
    REALM_ISA_AVX512BW = 3,
    REALM_ISA_AVX512 = 4
};

int realm_isa_cap(void);

#endif
