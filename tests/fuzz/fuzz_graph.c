/* libFuzzer target: the graph API driven by bytes.
 *
 * The input is a little program: each step takes an opcode byte and its
 * operands from the input (a byte past the end reads as 0); 0xff ends it.
 * Steps add inputs (f32 and token ids), weights and KV caches with small
 * shapes (sometimes bad ones), apply ops from a table (the LLM ops
 * included) to tensors picked by index (or NULL), mark outputs and names;
 * then the graph is compiled (backend and flags from the input), its inputs
 * bound with token counts from the input, run twice, and every element of
 * every output read. Errors are fine;
 * crashes, sanitizer reports, leaks and a failing call without a message
 * are not. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realm/realm.h"

enum { MAX_TENSORS = 24, MAX_STEPS = 48, MAX_INPUTS = 6 };

typedef struct reader {
    const uint8_t *p;
    size_t n, i;
} reader;

static uint8_t byte(reader *r) { return r->i < r->n ? r->p[r->i++] : 0; }
static float small_float(reader *r) { return ((float)byte(r) - 128.0f) / 32.0f; }

/* A failing call must say why. */
static void check_message(realm_status st) {
    if (st != REALM_OK && realm_last_error()[0] == '\0') {
        fprintf(stderr, "fuzz_graph: %s without a message\n", realm_status_str(st));
        abort();
    }
}

static const realm_type types[] = {REALM_TYPE_F32,  REALM_TYPE_F16,  REALM_TYPE_Q4_0, REALM_TYPE_Q4_1,
                                   REALM_TYPE_Q5_0, REALM_TYPE_Q5_1, REALM_TYPE_Q8_0, REALM_TYPE_Q8_1,
                                   REALM_TYPE_Q2_K, REALM_TYPE_Q3_K, REALM_TYPE_Q4_K, REALM_TYPE_Q5_K,
                                   REALM_TYPE_Q6_K, REALM_TYPE_Q8_K, (realm_type)4,   REALM_TYPE_COUNT};
static const float epsilons[] = {1e-5f, 1e-6f, 0.0f, -1.0f, NAN, 1.0f, INFINITY, 1e-30f};
static const float scales[] = {1.0f, 0.5f, -2.0f, 0.0f, NAN, INFINITY, 1e-3f, 8.0f};

typedef struct state {
    realm_graph *g;
    realm_tensor *t[MAX_TENSORS];
    int n;
    realm_tensor *inputs[MAX_INPUTS];
    int n_inputs;
    void *bufs[MAX_TENSORS];
    int n_bufs;
    realm_kv_cache *caches[2];
    int n_caches;
} state;

static realm_kv_cache *pick_cache(state *s, reader *r) {
    const uint8_t b = byte(r);
    return s->n_caches == 0 || b % (s->n_caches + 1) == (unsigned)s->n_caches
               ? NULL
               : s->caches[b % (s->n_caches + 1)];
}

static const realm_tensor *pick(state *s, reader *r) {
    const uint8_t b = byte(r);
    return s->n == 0 || b % (s->n + 1) == (unsigned)s->n ? NULL : s->t[b % (s->n + 1)];
}

static void keep(state *s, realm_tensor *t) {
    if (t && s->n < MAX_TENSORS) s->t[s->n++] = t;
}

/* Shape from the input: 0..5 dims (1..4 valid), sizes from a table that
 * has the block sizes (dynamic, 0 and negative now and then); at most
 * 2^16 elements in all. */
static int dims_from(reader *r, int64_t *dims, int max_dims) {
    static const int64_t sizes[16] = {REALM_DIM_DYNAMIC, 1, 2, 3, 4, 5, 8, 16, 32, 32, 64, 256, 7, 1, 0, -7};
    const int n = byte(r) % (max_dims + 2);
    int64_t total = 1;
    for (int i = 0; i < REALM_MAX_DIMS + 1; i++) {
        dims[i] = sizes[byte(r) % 16];
        if (dims[i] > 0 && total * dims[i] > 65536) dims[i] = 1;
        if (dims[i] > 0) total *= dims[i];
    }
    return n;
}

static void add_input(state *s, reader *r) {
    int64_t dims[REALM_MAX_DIMS + 1];
    const int n = dims_from(r, dims, REALM_MAX_DIMS);
    const int64_t max_t = byte(r) % 6;
    char name[8];
    snprintf(name, sizeof name, "i%d", byte(r) % 8);
    realm_status st;
    realm_tensor *t = realm_input(s->g, name, n, dims, max_t, &st);
    check_message(st);
    if (t && s->n_inputs < MAX_INPUTS) s->inputs[s->n_inputs++] = t;
    keep(s, t);
}

static void add_weight(state *s, reader *r) {
    const realm_type ty = types[byte(r) % (sizeof types / sizeof *types)];
    const int n_dims = byte(r) % 4;
    const uint8_t rb = byte(r), cb = byte(r);
    const int64_t block = realm_type_is_valid(ty) ? realm_type_get_traits(ty)->block_elems : 32;
    static const int64_t mult[8] = {1, 2, 4, 8, 16, 32, 64, 256};
    int64_t dims[3] = {1 + rb % 8, block * mult[cb % 8], 1};
    if (dims[1] > 512) dims[1] = block;
    if (cb & 0x80) dims[1] += 1;   /* not a whole number of blocks */
    if (rb == 255) dims[0] = 0;    /* empty */
    if (cb == 254) dims[1] = -256; /* negative */
    const int64_t *d = n_dims == 1 ? dims + 1 : dims;
    void *data = NULL;
    const bool with_data = byte(r) % 4 != 0;
    if (with_data && realm_type_is_valid(ty) && dims[0] > 0 && dims[1] > 0 && dims[1] % block == 0) {
        const size_t row = realm_row_bytes(ty, dims[1]);
        const size_t bytes = row * (size_t)dims[0];
        if (s->n_bufs < MAX_TENSORS && (data = malloc(bytes))) {
            s->bufs[s->n_bufs++] = data;
            if (ty == REALM_TYPE_F32) {
                for (size_t i = 0; i < bytes / 4; i++)
                    ((float *)data)[i] = small_float(r);
            } else if (ty == REALM_TYPE_F16) {
                for (size_t i = 0; i < bytes / 2; i++)
                    ((uint16_t *)data)[i] = realm_fp32_to_fp16(small_float(r));
            } else {
                /* Quantize a row from the input: blocks as a real file has them. */
                float *f = malloc(sizeof(float) * (size_t)dims[1]);
                if (!f) abort();
                for (int64_t i = 0; i < dims[0]; i++) {
                    for (int64_t j = 0; j < dims[1]; j++)
                        f[j] = small_float(r);
                    if (realm_quantize_row(ty, f, (uint8_t *)data + (size_t)i * row, dims[1]) != REALM_OK)
                        abort();
                }
                free(f);
            }
        }
    }
    realm_status st;
    realm_tensor *t = realm_weight(s->g, byte(r) & 1 ? "w" : NULL, ty, n_dims, d, data, &st);
    check_message(st);
    keep(s, t);
}

/* Token-id input, KV cache, and the LLM ops: get_rows, reshape, last_row,
 * rope_kv, attention. */
static void add_llm(state *s, reader *r, uint8_t op) {
    realm_status st = REALM_OK;
    realm_tensor *t = NULL;
    switch (op) {
    case 0: {
        char name[8];
        snprintf(name, sizeof name, "i%d", byte(r) % 8);
        t = realm_input_ids(s->g, name, byte(r) % 6, &st);
        if (t && s->n_inputs < MAX_INPUTS) s->inputs[s->n_inputs++] = t;
        break;
    }
    case 1: {
        static const int64_t head_dims[8] = {2, 4, 8, 16, 32, 64, 3, 0};
        const uint8_t a = byte(r), b = byte(r);
        realm_kv_cache *c = NULL;
        st = realm_kv_cache_create(a % 3, b % 12, 1 + (a >> 4) % 4, head_dims[b >> 5], &c);
        if (st == REALM_OK) {
            if (s->n_caches < 2)
                s->caches[s->n_caches++] = c;
            else
                realm_kv_cache_destroy(c);
        }
        check_message(st);
        return;
    }
    case 2: {
        const realm_tensor *a = pick(s, r);
        t = realm_op_get_rows(s->g, a, pick(s, r), &st);
        break;
    }
    case 3: {
        const realm_tensor *a = pick(s, r);
        int64_t dims[REALM_MAX_DIMS + 1];
        const int n = dims_from(r, dims, REALM_MAX_DIMS);
        t = realm_op_reshape(s->g, a, n, dims, &st);
        break;
    }
    case 4:
        t = realm_op_last_row(s->g, pick(s, r), &st);
        break;
    case 5: {
        const realm_tensor *a = pick(s, r);
        realm_rope_params p = realm_rope_params_default();
        const uint8_t f = byte(r);
        p.mode = (realm_rope_mode)(f % 3);
        p.n_rot = (f >> 2) % 10;
        t = realm_op_rope_kv(s->g, a, &p, pick_cache(s, r), &st);
        break;
    }
    default: {
        const realm_tensor *q = pick(s, r), *k = pick(s, r), *v = pick(s, r);
        realm_kv_cache *c = pick_cache(s, r);
        const uint8_t f = byte(r);
        t = realm_op_attention(s->g, q, k, v, c, f % 3, scales[(f >> 2) % 8], &st);
        break;
    }
    }
    check_message(st);
    if (!t && st == REALM_OK) abort(); /* NULL must come with a status */
    keep(s, t);
}

static void add_op(state *s, reader *r, uint8_t op) {
    realm_status st = REALM_OK;
    realm_tensor *t = NULL;
    const realm_tensor *a = pick(s, r), *b = pick(s, r);
    switch (op) {
    case 0:
        t = realm_op_matmul(s->g, a, b, &st);
        break;
    case 1:
        t = realm_op_matmul_f32(s->g, a, b, byte(r) & 1, &st);
        break;
    case 2:
        t = realm_op_add(s->g, a, b, &st);
        break;
    case 3:
        t = realm_op_mul(s->g, a, b, &st);
        break;
    case 4:
        t = realm_op_swiglu(s->g, a, b, &st);
        break;
    case 5:
        t = realm_op_scale(s->g, a, scales[byte(r) % 8], &st);
        break;
    case 6:
        t = realm_op_unary(s->g, (realm_unary_op)(byte(r) % (REALM_UNARY_COUNT + 1)), a, &st);
        break;
    case 7:
        t = realm_op_rms_norm(s->g, a, b, epsilons[byte(r) % 8], &st);
        break;
    case 8:
        t = realm_op_layer_norm(s->g, a, b, pick(s, r), epsilons[byte(r) % 8], &st);
        break;
    case 9: {
        const uint8_t f = byte(r);
        t = realm_op_softmax(s->g, a, scales[f % 8], f & 8, (int64_t)(f >> 4) - 2, &st);
        break;
    }
    default: {
        realm_rope_params p = realm_rope_params_default();
        const uint8_t f = byte(r), n = byte(r);
        p.mode = (realm_rope_mode)(f % 3);
        p.n_rot = n % 10;
        p.pos0 = (int64_t)(f >> 2) - 4;
        if (f & 2) p.freq_base = scales[n % 8] * 1000.0f;
        t = realm_op_rope(s->g, a, byte(r) % 4 ? &p : NULL, &st);
        break;
    }
    }
    check_message(st);
    if (!t && st == REALM_OK) abort(); /* NULL must come with a status */
    keep(s, t);
}

static realm_runtime *runtime(int which) {
    static realm_runtime *rts[2];
    if (!rts[which]) {
        realm_runtime_params p = realm_runtime_params_default();
        p.executor = which ? REALM_EXECUTOR_POOL : REALM_EXECUTOR_SERIAL;
        p.n_threads = which ? 2 : 1;
        p.spin_us = 0;
        if (realm_runtime_create(&p, &rts[which]) != REALM_OK) abort();
    }
    return rts[which];
}

/* Binds every input with a token count from the input, runs, reads outputs. */
static void run_plan(state *s, reader *r, realm_plan *plan) {
    realm_binding b[MAX_INPUTS];
    float *data[MAX_INPUTS] = {0};
    const int64_t T = byte(r) % 7; /* 0 and 6 are out of range for most plans */
    int nb = 0;
    for (int i = 0; i < s->n_inputs; i++) {
        realm_shape sh;
        if (realm_tensor_shape(s->inputs[i], &sh) != REALM_OK) abort();
        size_t n = 1;
        for (int d = 0; d < sh.n_dims; d++) {
            if (sh.dims[d] == REALM_DIM_DYNAMIC) sh.dims[d] = T;
            n *= (size_t)(sh.dims[d] > 0 ? sh.dims[d] : 1);
        }
        data[i] = malloc(sizeof(float) * n);
        if (!data[i]) abort();
        if (realm_tensor_type(s->inputs[i]) == REALM_TYPE_I32) {
            int32_t *ids = (int32_t *)data[i]; /* ids: mostly small, some out of range */
            for (size_t j = 0; j < n; j++)
                ids[j] = (int32_t)(byte(r) % 20) - 2;
        } else {
            for (size_t j = 0; j < n; j++)
                data[i][j] = small_float(r);
        }
        b[nb++] = (realm_binding){
            .tensor = (byte(r) & 3) ? s->inputs[i] : NULL, .name = NULL, .data = data[i], .shape = sh};
    }
    for (int i = 0; i < nb; i++)
        if (!b[i].tensor) b[i].name = "i0"; /* by name: right for some, wrong for others */
    realm_status st = realm_plan_run(plan, b, nb);
    check_message(st);
    if (getenv("REALM_FUZZ_DEBUG"))
        fprintf(stderr, "run (T=%lld, %d inputs): %s %s\n", (long long)T, nb, realm_status_str(st),
                st ? realm_last_error() : "");
    if (st == REALM_OK) {
        volatile float sink = 0.0f;
        for (int i = 0; i < s->n; i++) {
            const float *out;
            realm_shape sh;
            if (realm_plan_output(plan, s->t[i], &out, &sh) != REALM_OK) continue;
            size_t n = 1;
            for (int d = 0; d < sh.n_dims; d++) {
                if (sh.dims[d] < 1) abort(); /* bound shapes only */
                n *= (size_t)sh.dims[d];
            }
            for (size_t j = 0; j < n; j++)
                sink += out[j];
        }
        (void)sink;
        int count = 0;
        if (realm_plan_profile_count(plan, &count) == REALM_OK) {
            realm_node_profile np;
            for (int i = 0; i < count; i++)
                if (realm_plan_profile_get(plan, i, &np) != REALM_OK) abort();
            check_message(realm_plan_profile_get(plan, count, &np));
        }
    }
    for (int i = 0; i < nb; i++)
        free(data[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size, 0};
    state s;
    memset(&s, 0, sizeof s);
    if (realm_graph_create(&s.g) != REALM_OK) abort();
    for (int step = 0; step < MAX_STEPS && r.i < r.n; step++) {
        const uint8_t op = byte(&r);
        if (op == 0xff) break; /* the rest drives compile and run */
        switch (op % 24) {
        case 0:
        case 1:
            add_input(&s, &r);
            break;
        case 2:
        case 3:
            add_weight(&s, &r);
            break;
        case 4: {
            const realm_tensor *t = pick(&s, &r);
            check_message(realm_graph_output(s.g, (realm_tensor *)t));
            break;
        }
        case 5: {
            char name[8];
            snprintf(name, sizeof name, "n%d", byte(&r) % 4);
            check_message(realm_tensor_set_name(s.g, (realm_tensor *)pick(&s, &r), name));
            break;
        }
        default:
            if (op % 24 < 17)
                add_op(&s, &r, (uint8_t)(op % 24 - 6));
            else
                add_llm(&s, &r, (uint8_t)(op % 24 - 17));
            break;
        }
    }
    realm_graph_options o = realm_graph_options_default();
    const uint8_t ob = byte(&r);
    o.backend = ob & 1 ? REALM_BACKEND_NAIVE : REALM_BACKEND_OPTIMIZED;
    o.flags = (ob >> 1) & 7; /* profile, no fusion, and an invalid bit */
    realm_plan *plan = NULL;
    const realm_status st = realm_graph_compile(s.g, runtime(byte(&r) & 1), &o, &plan);
    check_message(st);
    if (getenv("REALM_FUZZ_DEBUG"))
        fprintf(stderr, "%d tensors, compile: %s %s\n", s.n, realm_status_str(st),
                st ? realm_last_error() : "");
    if (st == REALM_OK) {
        realm_plan_info info;
        if (realm_plan_get_info(plan, &info) != REALM_OK || info.arena_bytes < info.arena_lower_bound)
            abort();
        run_plan(&s, &r, plan);
        run_plan(&s, &r, plan);
        realm_plan_destroy(plan);
    } else if (plan) {
        abort(); /* a failed compile must not hand out a plan */
    }
    realm_graph_destroy(s.g);
    for (int i = 0; i < s.n_caches; i++)
        realm_kv_cache_destroy(s.caches[i]);
    for (int i = 0; i < s.n_bufs; i++)
        free(s.bufs[i]);
    return 0;
}
