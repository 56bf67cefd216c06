/* The one table describing every type, indexed by realm_type. Adding a type
 * is one entry here plus its format file. */
#include <ctype.h>

#include "core/error.h"
#include "quant/blocks.h"
#include "quant/formats.h"

static const realm_type_traits traits[REALM_TYPE_COUNT] = {
    [REALM_TYPE_F32] = {"f32", 1, 4, false, REALM_TYPE_F32, realm_quantize_f32_ref, realm_dequantize_f32_ref},
    [REALM_TYPE_F16] = {"f16", 1, 2, false, REALM_TYPE_F16, realm_quantize_f16_ref, realm_dequantize_f16_ref},
    [REALM_TYPE_Q4_0] = {"q4_0", QK4_0, sizeof(block_q4_0), true, REALM_TYPE_Q8_0, realm_quantize_q4_0_ref,
                         realm_dequantize_q4_0_ref},
    [REALM_TYPE_Q4_1] = {"q4_1", QK4_1, sizeof(block_q4_1), true, REALM_TYPE_Q8_1, realm_quantize_q4_1_ref,
                         realm_dequantize_q4_1_ref},
    [REALM_TYPE_Q5_0] = {"q5_0", QK5_0, sizeof(block_q5_0), true, REALM_TYPE_Q8_0, realm_quantize_q5_0_ref,
                         realm_dequantize_q5_0_ref},
    [REALM_TYPE_Q5_1] = {"q5_1", QK5_1, sizeof(block_q5_1), true, REALM_TYPE_Q8_1, realm_quantize_q5_1_ref,
                         realm_dequantize_q5_1_ref},
    [REALM_TYPE_Q8_0] = {"q8_0", QK8_0, sizeof(block_q8_0), true, REALM_TYPE_Q8_0, realm_quantize_q8_0_ref,
                         realm_dequantize_q8_0_ref},
    [REALM_TYPE_Q8_1] = {"q8_1", QK8_1, sizeof(block_q8_1), true, REALM_TYPE_Q8_1, realm_quantize_q8_1_ref,
                         realm_dequantize_q8_1_ref},
    [REALM_TYPE_Q2_K] = {"q2_K", QK_K, sizeof(block_q2_K), true, REALM_TYPE_Q8_K, realm_quantize_q2_K_ref,
                         realm_dequantize_q2_K_ref},
    [REALM_TYPE_Q3_K] = {"q3_K", QK_K, sizeof(block_q3_K), true, REALM_TYPE_Q8_K, realm_quantize_q3_K_ref,
                         realm_dequantize_q3_K_ref},
    [REALM_TYPE_Q4_K] = {"q4_K", QK_K, sizeof(block_q4_K), true, REALM_TYPE_Q8_K, realm_quantize_q4_K_ref,
                         realm_dequantize_q4_K_ref},
    [REALM_TYPE_Q5_K] = {"q5_K", QK_K, sizeof(block_q5_K), true, REALM_TYPE_Q8_K, realm_quantize_q5_K_ref,
                         realm_dequantize_q5_K_ref},
    [REALM_TYPE_Q6_K] = {"q6_K", QK_K, sizeof(block_q6_K), true, REALM_TYPE_Q8_K, realm_quantize_q6_K_ref,
                         realm_dequantize_q6_K_ref},
    [REALM_TYPE_Q8_K] = {"q8_K", QK_K, sizeof(block_q8_K), true, REALM_TYPE_Q8_K, realm_quantize_q8_K_ref,
                         realm_dequantize_q8_K_ref},
};

bool realm_type_is_valid(realm_type t) {
    return (int)t >= 0 && (int)t < REALM_TYPE_COUNT && traits[t].name != NULL;
}

const realm_type_traits *realm_type_get_traits(realm_type t) {
    if (!realm_type_is_valid(t)) {
        realm_error(REALM_ERR_INVALID_ARG, "unknown type id %d", (int)t);
        return NULL;
    }
    return &traits[t];
}

const char *realm_type_name(realm_type t) { return realm_type_is_valid(t) ? traits[t].name : "invalid"; }

static bool name_equal(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
    return *a == *b;
}

realm_status realm_type_from_name(const char *name, realm_type *out) {
    if (!name || !out) return realm_error(REALM_ERR_INVALID_ARG, "realm_type_from_name: NULL argument");
    for (int t = 0; t < REALM_TYPE_COUNT; t++) {
        if (traits[t].name && name_equal(name, traits[t].name)) {
            *out = (realm_type)t;
            return REALM_OK;
        }
    }
    return realm_error(REALM_ERR_INVALID_ARG,
                       "unknown type '%s' (expected f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0, q8_1, "
                       "q2_K, q3_K, q4_K, q5_K, q6_K or q8_K)",
                       name);
}

size_t realm_type_align(realm_type t) {
    if (!realm_type_is_valid(t)) return 0;
    return t == REALM_TYPE_Q8_K || t == REALM_TYPE_F32 ? 4 : 2;
}
