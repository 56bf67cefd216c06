/* Backend -> kernel table. The optimized table starts as a copy of the
 * reference table and the CPU's features override slots (BLIS-style), once.
 * REALM_ISA caps the ISA for tests and comparisons (core/isa.h). */
#include <pthread.h>
#include <stdio.h>

#include "attention/attention.h"
#include "core/isa.h"
#include "gemm/gemm_f32.h"
#include "gemv/gemv.h"
#include "kernels.h"
#include "qmm/qmm.h"
#include "realm/cpu.h"

realm_status realm_opt_matmul_quant(realm_type t, const void *W, int64_t rows, int64_t k, const float *X,
                                    int64_t ldx, int64_t batch, float *Y, int64_t ldy);

static realm_kernel_table optimized;
static char optimized_name[160];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build_optimized(void) {
    optimized = *realm_kernels_reference();
    optimized.name = "optimized-scalar";
    optimized.matmul_quant = realm_opt_matmul_quant;
    optimized.attention = realm_opt_attention;
    optimized.rope = realm_opt_rope;
    const char *f32_isa = "reference";
    const int cap = realm_isa_cap();
    const realm_cpu_features *f = realm_cpu_get_features();
    if (cap >= REALM_ISA_AVX2 && f->avx2 && f->fma) {
        optimized.name = "optimized-avx2";
        optimized.gemm_f32_nn = realm_gemm_f32_nn_avx2;
        optimized.gemm_f32_nt = realm_gemm_f32_nt_avx2;
        optimized.gemm_f32_mr = REALM_GEMM_F32_MR_AVX2;
        optimized.gemm_f32_nt_packed = realm_gemm_f32_nt_packed_avx2;
        f32_isa = "avx2 6x16";
    }
    /* the f32 kernels need AVX-512 F (and BW/VL/DQ, as compiled), not VNNI */
    if (cap >= REALM_ISA_AVX512BW && f->avx512f && f->avx512bw && f->avx512vl && f->avx512dq) {
        optimized.name =
            f->avx512vnni && cap >= REALM_ISA_AVX512 ? "optimized-avx512-vnni" : "optimized-avx512";
        optimized.gemm_f32_nn = realm_gemm_f32_nn_avx512;
        optimized.gemm_f32_nt = realm_gemm_f32_nt_avx512;
        optimized.gemm_f32_mr = REALM_GEMM_F32_MR_AVX512;
        optimized.gemm_f32_nt_packed = realm_gemm_f32_nt_packed_avx512;
        optimized.attention = realm_attention_avx512;
        optimized.unary[REALM_UNARY_SILU] = realm_silu_avx512;
        optimized.unary[REALM_UNARY_GELU_TANH] = realm_gelu_tanh_avx512;
        f32_isa = "avx512 14x32";
    }
    /* the name says which kernel serves each matmul path (`realm info`) */
    snprintf(optimized_name, sizeof optimized_name, "%s (f32 gemm: %s; quant gemv: %s; quant gemm: %s)",
             optimized.name, f32_isa, realm_gemv_get()->isa,
             realm_qgemm_kernel() == qg_kernel_avx512vnni ? "avx512-vnni 32x6+16x8"
             : realm_qgemm_kernel() == qg_kernel_avx512bw ? "avx512bw 16x8"
             : realm_qgemm_kernel() == qg_kernel_avxvnni  ? "avx-vnni 16x3"
             : realm_qgemm_kernel() == qg_kernel_avx2     ? "avx2 16x3"
                                                          : "scalar");
    optimized.name = optimized_name;
}

const realm_kernel_table *realm_kernels_get(realm_backend be) {
    switch (be) {
    case REALM_BACKEND_NAIVE:
        return realm_kernels_reference();
    case REALM_BACKEND_OPTIMIZED:
        pthread_once(&once, build_optimized);
        return &optimized;
    }
    return NULL;
}
