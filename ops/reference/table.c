/* The naive reference kernel table: what REALM_BACKEND_NAIVE runs, and the
 * starting point the optimized table overrides slot by slot. */
#include "reference/reference.h"

static const realm_kernel_table reference_table = {
    .name = "naive",
    .matmul_quant = realm_ref_matmul_quant,
    .gemm_f32_nn = realm_ref_gemm_f32_nn,
    .gemm_f32_nt = realm_ref_gemm_f32_nt,
    .unary =
        {
            [REALM_UNARY_SILU] = realm_ref_silu,
            [REALM_UNARY_GELU_TANH] = realm_ref_gelu_tanh,
            [REALM_UNARY_GELU_ERF] = realm_ref_gelu_erf,
            [REALM_UNARY_RELU] = realm_ref_relu,
        },
    .add = realm_ref_add,
    .mul = realm_ref_mul,
    .scale = realm_ref_scale,
    .rms_norm = realm_ref_rms_norm,
    .layer_norm = realm_ref_layer_norm,
    .softmax = realm_ref_softmax,
    .rope = realm_ref_rope,
    .attention = realm_ref_attention,
};

const realm_kernel_table *realm_kernels_reference(void) { return &reference_table; }
