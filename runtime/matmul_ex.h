/* Internal: the runtime's quantized matmul with the extras a compiled graph
 * wants: an activation prologue (a fused elementwise or norm op computes
 * each activation row just before it is quantized), a caller-owned
 * workspace (no allocation per run), and per-chunk timing for profiles. */
#ifndef REALM_RUNTIME_MATMUL_EX_H
#define REALM_RUNTIME_MATMUL_EX_H

#include "realm/runtime.h"

/* Writes activation row b (k floats) to out. */
typedef void (*realm_mm_prologue_fn)(void *ctx, int64_t b, float *out);
/* Called by a thread after each piece of work it did, with monotonic ns. */
typedef void (*realm_mm_timer_fn)(void *ctx, int thread, int64_t t0_ns, int64_t t1_ns);

typedef struct realm_mm_ex {
    realm_backend be;
    realm_type wtype;
    const void *W;
    int64_t rows, k, batch;
    const float *X;                /* [batch][k]; ignored with a prologue */
    float *Y;                      /* [batch][rows] */
    realm_mm_prologue_fn prologue; /* optimized backend and quantized weights only */
    void *prologue_ctx;
    void *ws; /* workspace of realm_runtime_matmul_ws_bytes(), 64-byte aligned; NULL: allocated per call */
    size_t ws_bytes;
    realm_mm_timer_fn timer;
    void *timer_ctx;
} realm_mm_ex;

/* Workspace bytes a call with these sizes needs (0 when none). */
size_t realm_runtime_matmul_ws_bytes(const realm_runtime *rt, realm_backend be, realm_type wtype,
                                     int64_t rows, int64_t k, int64_t batch, bool prologue);

/* True when a prologue can be used with this backend and weight type. */
bool realm_runtime_matmul_can_fuse(realm_backend be, realm_type wtype);

realm_status realm_runtime_matmul_quant_ex(realm_runtime *rt, const realm_mm_ex *ex);

#endif
