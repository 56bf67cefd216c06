/* Internal: the runtime's quantized matmul with the extras a compiled graph
 * wants: an activation prologue (a fused elementwise or norm op computes
 * each activation row just before it is quantized), a caller-owned
 * workspace (no allocation per run), per-chunk timing for profiles, and
 * groups: several weights that read the same activations (q/k/v, gate/up)
 * run as one parallel region, quantizing the activations once per format. */
#ifndef REALM_RUNTIME_MATMUL_EX_H
#define REALM_RUNTIME_MATMUL_EX_H

#include "realm/runtime.h"

/* Writes activation row b (k floats) to out. */
typedef void (*realm_mm_prologue_fn)(void *ctx, int64_t b, float *out);
/* Called by a thread after each piece of work it did, with monotonic ns. */
typedef void (*realm_mm_timer_fn)(void *ctx, int thread, int64_t t0_ns, int64_t t1_ns);

/* Most weights in one group. */
#define REALM_MM_MAX_PARTS 4

/* One more weight of a group: Y [batch][rows] = X W^T with the group's X. */
typedef struct realm_mm_part {
    realm_type wtype;
    const void *W;
    int64_t rows;
    float *Y;
    realm_layout layout; /* of W; zero: GGUF */
} realm_mm_part;

typedef struct realm_mm_ex {
    realm_backend be;
    realm_type wtype;
    const void *W;
    realm_layout layout; /* of W; zero: GGUF */
    int64_t rows, k, batch;
    const float *X;                /* [batch][k]; ignored with a prologue */
    float *Y;                      /* [batch][rows] */
    realm_mm_prologue_fn prologue; /* optimized backend and quantized weights only */
    void *prologue_ctx;
    void *ws; /* workspace of realm_runtime_matmul_ws_bytes(), 64-byte aligned; NULL: allocated per call */
    size_t ws_bytes;
    realm_mm_timer_fn timer;
    void *timer_ctx;
    /* more weights reading the same activations (optimized backend and
     * quantized weights only); the rows of every part are computed exactly
     * as a call of their own would, so the bits are the same */
    const realm_mm_part *more;
    int n_more; /* 0 .. REALM_MM_MAX_PARTS - 1 */
} realm_mm_ex;

/* Workspace bytes the call ex describes needs (0 when none); only the
 * sizes, types, prologue and parts of ex are read. */
size_t realm_runtime_matmul_ws_bytes(const realm_runtime *rt, const realm_mm_ex *ex);

/* True when a prologue (and a group) can be used with this backend and
 * weight type. */
bool realm_runtime_matmul_can_fuse(realm_backend be, realm_type wtype);

realm_status realm_runtime_matmul_quant_ex(realm_runtime *rt, const realm_mm_ex *ex);

#endif
