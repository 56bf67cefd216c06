/* `realm demo`: the library's main job on a small built-in problem. A random
 * weight matrix is quantized to each of the 12 block types and multiplied by
 * random activations with realm_matmul_quant on every backend; the table
 * compares each result with the f32 matmul on the unquantized weights. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "diag.h"
#include "realm/realm.h"
#include "rng.h"
#include "timer.h"

/* Bounds that keep the demo a demo (a few GiB at most) and every size
 * product far from overflow. */
#define DEMO_MAX_DIM ((int64_t)1 << 20)
#define DEMO_MAX_ELEMS ((int64_t)1 << 28)

static const realm_backend demo_backends[] = {REALM_BACKEND_NAIVE, REALM_BACKEND_OPTIMIZED};
#define N_BACKENDS (sizeof demo_backends / sizeof demo_backends[0])

typedef struct demo_cfg {
    int64_t rows, k, batch, seed, repeat;
} demo_cfg;

typedef struct demo_bufs {
    float *W;    /* [rows][k] f32 weights */
    float *X;    /* [batch][k] activations */
    float *Yref; /* [batch][rows] f32 matmul on W */
    float *Y;    /* [batch][rows] quantized matmul */
    float *Wdq;  /* [k] one dequantized row */
    void *Wq;    /* [rows] quantized rows, room for the widest type */
} demo_bufs;

/* One type's results; a failed measurement stays NAN and prints "failed". */
typedef struct demo_row {
    size_t w_bytes;
    double w_err;
    double y_err[N_BACKENDS];
    double ms[N_BACKENDS];
} demo_row;

/* Adds sum (a-b)^2 to *num and sum b^2 to *den, in double so that large
 * sizes stay accurate. */
static void accumulate_error(const float *a, const float *b, int64_t n, double *num, double *den) {
    for (int64_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        *num += d * d;
        *den += (double)b[i] * (double)b[i];
    }
}

static double rel_rms(double num, double den) { return den > 0 ? sqrt(num / den) : (num > 0 ? INFINITY : 0); }

/* k must be a whole number of blocks for every type: the least common
 * multiple of their block sizes (256 with the K-quants). */
static int64_t k_granule(void) {
    int64_t g = 1;
    for (int t = 0; t < REALM_TYPE_COUNT; t++) {
        if (!realm_type_is_valid((realm_type)t)) continue;
        int64_t b = realm_type_get_traits((realm_type)t)->block_elems, x = g, y = b;
        if (b < 1) continue;
        while (y) {
            int64_t r = x % y;
            x = y;
            y = r;
        }
        g = g / x * b;
    }
    return g;
}

static bool check_sizes(const demo_cfg *cfg) {
    int64_t g = k_granule();
    if (cfg->k % g != 0) {
        tool_error("demo", "--k %" PRId64 " must be a multiple of %" PRId64 " so that every type can run",
                   cfg->k, g);
        return false;
    }
    if (cfg->rows * cfg->k > DEMO_MAX_ELEMS || cfg->batch * cfg->k > DEMO_MAX_ELEMS ||
        cfg->batch * cfg->rows > DEMO_MAX_ELEMS) {
        tool_error("demo", "sizes too large for a demo: each matrix must hold at most %" PRId64 " values",
                   DEMO_MAX_ELEMS);
        return false;
    }
    return true;
}

static size_t widest_row_bytes(int64_t k) {
    size_t most = 0;
    for (int t = 0; t < REALM_TYPE_COUNT; t++) {
        if (!realm_type_is_valid((realm_type)t) || !realm_type_get_traits((realm_type)t)->is_quantized)
            continue;
        size_t b = realm_row_bytes((realm_type)t, k);
        if (b > most) most = b;
    }
    return most;
}

static bool alloc_bufs(const demo_cfg *cfg, demo_bufs *b) {
    size_t rk = (size_t)(cfg->rows * cfg->k), bk = (size_t)(cfg->batch * cfg->k);
    size_t br = (size_t)(cfg->batch * cfg->rows);
    /* calloc: a library call that fails to write its output then shows up as
     * zeros in the table rather than as garbage. */
    b->W = calloc(rk, sizeof(float));
    b->X = calloc(bk, sizeof(float));
    b->Yref = calloc(br, sizeof(float));
    b->Y = calloc(br, sizeof(float));
    b->Wdq = calloc((size_t)cfg->k, sizeof(float));
    b->Wq = calloc((size_t)cfg->rows, widest_row_bytes(cfg->k));
    if (b->W && b->X && b->Yref && b->Y && b->Wdq && b->Wq) return true;
    tool_error("demo", "out of memory for a %" PRId64 " x %" PRId64 " matrix", cfg->rows, cfg->k);
    return false;
}

static void free_bufs(demo_bufs *b) {
    free(b->W);
    free(b->X);
    free(b->Yref);
    free(b->Y);
    free(b->Wdq);
    free(b->Wq);
}

static void fill_inputs(const demo_cfg *cfg, demo_bufs *b) {
    tool_rng rng = tool_rng_seed((uint64_t)cfg->seed);
    for (int64_t i = 0; i < cfg->rows * cfg->k; i++)
        b->W[i] = tool_rng_normal(&rng);
    for (int64_t i = 0; i < cfg->batch * cfg->k; i++)
        b->X[i] = tool_rng_normal(&rng);
}

/* Y_ref = X W^T in f32 on the naive backend; returns its time in ms, or NAN. */
static double reference_matmul(const demo_cfg *cfg, demo_bufs *b) {
    double t0 = tool_now();
    realm_status s = realm_matmul_f32_t(REALM_BACKEND_NAIVE, cfg->batch, cfg->rows, cfg->k, b->X, cfg->k,
                                        b->W, cfg->k, b->Yref, cfg->rows);
    if (s != REALM_OK) {
        tool_error_status("demo", s, "realm_matmul_f32_t(naive)");
        return NAN;
    }
    return (tool_now() - t0) * 1e3;
}

/* Quantizes W row by row and measures the weight error. */
static bool quantize_weights(const demo_cfg *cfg, demo_bufs *b, realm_type t, demo_row *row) {
    size_t rb = realm_row_bytes(t, cfg->k);
    unsigned char *wq = b->Wq;
    double num = 0, den = 0;
    for (int64_t r = 0; r < cfg->rows; r++) {
        const float *w = b->W + r * cfg->k;
        realm_status s = realm_quantize_row(t, w, wq + (size_t)r * rb, cfg->k);
        if (s == REALM_OK) s = realm_dequantize_row(t, wq + (size_t)r * rb, b->Wdq, cfg->k);
        if (s != REALM_OK) {
            char what[64];
            snprintf(what, sizeof what, "quantize/dequantize %s row %" PRId64, realm_type_name(t), r);
            tool_error_status("demo", s, what);
            return false;
        }
        accumulate_error(b->Wdq, w, cfg->k, &num, &den);
    }
    row->w_bytes = rb * (size_t)cfg->rows;
    row->w_err = rel_rms(num, den);
    return true;
}

/* Runs the quantized matmul cfg->repeat times on one backend; keeps the
 * fastest time (the least disturbed by the rest of the machine). */
static bool run_backend(const demo_cfg *cfg, demo_bufs *b, realm_type t, size_t bi, demo_row *row) {
    double best = INFINITY;
    for (int64_t rep = 0; rep < cfg->repeat; rep++) {
        double t0 = tool_now();
        realm_status s =
            realm_matmul_quant(demo_backends[bi], t, b->Wq, cfg->rows, cfg->k, b->X, cfg->batch, b->Y);
        double dt = tool_now() - t0;
        if (s != REALM_OK) {
            char what[80];
            snprintf(what, sizeof what, "realm_matmul_quant(%s, %s)", realm_backend_name(demo_backends[bi]),
                     realm_type_name(t));
            tool_error_status("demo", s, what);
            return false;
        }
        if (dt < best) best = dt;
    }
    row->ms[bi] = best * 1e3;
    double num = 0, den = 0;
    accumulate_error(b->Y, b->Yref, cfg->batch * cfg->rows, &num, &den);
    row->y_err[bi] = rel_rms(num, den);
    return true;
}

/* "Y err naive", "ms optimized": a per-backend column label in buf; returns
 * the column width, which the cells below it share. */
static int backend_label(char *buf, size_t size, const char *prefix, size_t bi) {
    int w = snprintf(buf, size, "%s%s", prefix, realm_backend_name(demo_backends[bi]));
    return w < 10 ? 10 : w;
}

static void print_header(const demo_cfg *cfg, double ref_ms) {
    printf("realm demo: W %" PRId64 " x %" PRId64 " (f32, N(0,1)), X %" PRId64 " x %" PRId64 ", seed %" PRId64
           ", best of %" PRId64 " runs\n",
           cfg->rows, cfg->k, cfg->batch, cfg->k, cfg->seed, cfg->repeat);
    printf("reference: realm_matmul_f32_t on the naive backend, unquantized W: %.3f ms\n", ref_ms);
    printf("errors are relative RMS: W vs its dequantized blocks, Y vs the reference\n\n");
    printf("%-5s %6s %10s %10s", "type", "bits/w", "W bytes", "W err");
    char label[64];
    for (size_t i = 0; i < N_BACKENDS; i++) {
        int w = backend_label(label, sizeof label, "Y err ", i);
        printf(" %*s", w, label);
    }
    for (size_t i = 0; i < N_BACKENDS; i++) {
        int w = backend_label(label, sizeof label, "ms ", i);
        printf(" %*s", w, label);
    }
    printf("\n");
}

static void print_cell(double v, int width, const char *fmt) {
    if (isnan(v))
        printf(" %*s", width, "failed");
    else
        printf(fmt, width, v);
}

static void print_row(realm_type t, const demo_row *row) {
    const realm_type_traits *tr = realm_type_get_traits(t);
    double bits = 8.0 * (double)tr->block_bytes / (double)tr->block_elems;
    char label[64];
    printf("%-5s %6.3f %10zu", tr->name, bits, row->w_bytes);
    print_cell(row->w_err, 10, " %*.3e");
    for (size_t i = 0; i < N_BACKENDS; i++)
        print_cell(row->y_err[i], backend_label(label, sizeof label, "Y err ", i), " %*.3e");
    for (size_t i = 0; i < N_BACKENDS; i++)
        print_cell(row->ms[i], backend_label(label, sizeof label, "ms ", i), " %*.3f");
    printf("\n");
}

/* Measures one type and prints its row; false when any call failed. */
static bool demo_type(const demo_cfg *cfg, demo_bufs *b, realm_type t) {
    demo_row row = {.w_bytes = 0, .w_err = NAN};
    for (size_t i = 0; i < N_BACKENDS; i++)
        row.y_err[i] = row.ms[i] = NAN;
    bool ok = quantize_weights(cfg, b, t, &row);
    if (ok) /* every backend, even after one fails: the others still tell something */
        for (size_t i = 0; i < N_BACKENDS; i++)
            ok = run_backend(cfg, b, t, i, &row) && ok;
    print_row(t, &row);
    return ok;
}

static bool parse_options(demo_cfg *cfg, int argc, char **argv, int *rc) {
    tool_opt opts[] = {
        {.name = "rows",
         .kind = TOOL_OPT_INT,
         .value = &cfg->rows,
         .metavar = "R",
         .min = 1,
         .max = DEMO_MAX_DIM,
         .help = "weight rows (output features); default 256"},
        {.name = "k",
         .kind = TOOL_OPT_INT,
         .value = &cfg->k,
         .metavar = "K",
         .min = 1,
         .max = DEMO_MAX_DIM,
         .help = "row length (input features), a multiple of 256; default 1024"},
        {.name = "batch",
         .kind = TOOL_OPT_INT,
         .value = &cfg->batch,
         .metavar = "B",
         .min = 1,
         .max = DEMO_MAX_DIM,
         .help = "activation rows (tokens); default 4"},
        {.name = "seed",
         .kind = TOOL_OPT_INT,
         .value = &cfg->seed,
         .metavar = "S",
         .min = 0,
         .max = INT64_MAX,
         .help = "random seed for weights and activations; default 1"},
        {.name = "repeat",
         .kind = TOOL_OPT_INT,
         .value = &cfg->repeat,
         .metavar = "N",
         .min = 1,
         .max = 1000,
         .help = "runs per matmul, the fastest is shown; default 3"},
    };
    tool_cli cli = {"demo",
                    "Quantize a random R x K weight matrix to each of the 12 block types, multiply it\n"
                    "with B random activation rows using realm_matmul_quant on every backend, and\n"
                    "print per type: bits per weight, weight bytes, the weights' relative RMS error,\n"
                    "the output's relative RMS error against the f32 matmul on unquantized weights,\n"
                    "and the matmul time. Exits 1 if any library call fails.",
                    opts, sizeof opts / sizeof opts[0]};
    return tool_args_parse(&cli, argc, argv, rc);
}

int tool_cmd_demo(int argc, char **argv) {
    demo_cfg cfg = {.rows = 256, .k = 1024, .batch = 4, .seed = 1, .repeat = 3};
    int rc;
    if (!parse_options(&cfg, argc, argv, &rc)) return rc;
    if (!check_sizes(&cfg)) return TOOL_EXIT_USAGE;
    demo_bufs b = {0};
    bool ok = alloc_bufs(&cfg, &b);
    double ref_ms = NAN;
    if (ok) {
        fill_inputs(&cfg, &b);
        ref_ms = reference_matmul(&cfg, &b);
        ok = !isnan(ref_ms);
    }
    if (ok) {
        print_header(&cfg, ref_ms);
        /* Keep going after a failure: one broken type should not hide the rest. */
        for (int t = 0; t < REALM_TYPE_COUNT; t++)
            if (realm_type_is_valid((realm_type)t) && realm_type_get_traits((realm_type)t)->is_quantized)
                ok = demo_type(&cfg, &b, (realm_type)t) && ok;
    }
    free_bufs(&b);
    rc = tool_finish_stdout("demo");
    return ok ? rc : TOOL_EXIT_FAILURE;
}
