/* Builds the batch-1 kernel table once: portable kernels first, then the
 * CPU's ISA overrides (BLIS-style). REALM_ISA caps the ISA, for tests and
 * for comparing kernels (core/isa.h). */
#include <pthread.h>

#include "core/isa.h"
#include "gemv/gemv.h"
#include "realm/cpu.h"
#include "realm/quant.h"

static realm_gemv_table scalar_table, best_table;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void) {
    scalar_table.isa = "scalar";
    realm_gemv_fill_scalar_q32(&scalar_table);
    realm_gemv_fill_scalar_k(&scalar_table);
    realm_gemv_fill_scalar_rows16(&scalar_table);
    best_table = scalar_table;
    const realm_cpu_features *f = realm_cpu_get_features();
    const int cap = realm_isa_cap();
    if (cap >= REALM_ISA_AVX2 && f->avx2 && f->fma && f->f16c) {
        best_table.isa = "avx2";
        realm_gemv_fill_avx2_q32(&best_table);
        realm_gemv_fill_avx2_k(&best_table);
    }
    if (cap >= REALM_ISA_AVX512 && f->avx512f && f->avx512bw && f->avx512vl && f->avx512vnni) {
        /* the ROWS16 q2_K / q3_K / q6_K kernels take their GFNI builds */
        best_table.isa = f->gfni ? "avx512-vnni+gfni" : "avx512-vnni";
        realm_gemv_fill_avx512_q32(&best_table);
        realm_gemv_fill_avx512_k(&best_table);
        realm_gemv_fill_avx512_rows16(&best_table);
    }
}

const realm_gemv_table *realm_gemv_get(void) {
    pthread_once(&once, build);
    return &best_table;
}

const realm_gemv_table *realm_gemv_scalar(void) {
    pthread_once(&once, build);
    return &scalar_table;
}

size_t realm_gemv_act_bytes(const realm_gemv_table *t, realm_type dot, int64_t k) {
    return t->act_bytes[dot] ? t->act_bytes[dot](k) : realm_row_bytes(dot, k);
}

void realm_gemv_act_from_blocks(const realm_gemv_table *t, realm_type dot, const void *blocks, void *out,
                                int64_t k) {
    if (t->act_from_blocks[dot])
        t->act_from_blocks[dot](blocks, out, k);
    else
        memcpy(out, blocks, realm_row_bytes(dot, k));
}
