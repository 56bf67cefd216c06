/* Options and row bookkeeping for quant/dequant; the file plumbing is in
 * stream.c.
 *
 * With --cols every row is one library call, as a user of rows expects.
 * Without it the whole file is one row; it is still streamed, a batch of
 * whole blocks per call, because every GGUF block format quantizes each
 * block independently: the bytes equal one call over the whole row. */
#include "convert.h"

#include <inttypes.h>
#include <stdio.h>

#include "args.h"
#include "diag.h"
#include "realm/realm.h"
#include "stream.h"

/* Rows longer than this are surely a typo; it also keeps byte counts far
 * from overflow. */
#define MAX_COLS ((int64_t)1 << 40)

typedef struct convert_ctx {
    tool_convert_dir dir;
    realm_type type;
    int64_t unit_elems; /* elements per unit: one row, or one block */
    bool whole_row;     /* no --cols: a batch of units is one call */
    size_t in_unit, out_unit;
} convert_ctx;

static realm_status convert_units(void *ctx, const void *in, void *out, size_t n_units) {
    const convert_ctx *c = ctx;
    size_t per_call = c->whole_row ? n_units : 1;
    const unsigned char *src = in;
    unsigned char *dst = out;
    for (size_t u = 0; u < n_units; u += per_call) {
        int64_t n = (int64_t)per_call * c->unit_elems;
        realm_status s =
            c->dir == TOOL_CONVERT_QUANTIZE
                ? realm_quantize_row(c->type, (const float *)(src + u * c->in_unit), dst + u * c->out_unit, n)
                : realm_dequantize_row(c->type, src + u * c->in_unit, (float *)(dst + u * c->out_unit), n);
        if (s != REALM_OK) return s;
    }
    return REALM_OK;
}

/* Fills the unit sizes from the type and --cols; prints a usage error line
 * when they do not fit together. */
static bool plan_units(const char *cmd, convert_ctx *c, const tool_opt *cols_opt, int64_t cols) {
    const realm_type_traits *tr = realm_type_get_traits(c->type);
    c->whole_row = !cols_opt->seen;
    c->unit_elems = c->whole_row ? tr->block_elems : cols;
    if (c->unit_elems % tr->block_elems != 0) {
        tool_error(cmd, "--cols %" PRId64 " is not a multiple of the %s block size (%" PRId64 " values)",
                   cols, tr->name, tr->block_elems);
        return false;
    }
    size_t block_bytes = realm_row_bytes(c->type, c->unit_elems);
    if (block_bytes == 0) {
        tool_error(cmd, "--cols %" PRId64 ": %s", cols, realm_last_error());
        return false;
    }
    size_t f32_bytes = (size_t)c->unit_elems * sizeof(float);
    c->in_unit = c->dir == TOOL_CONVERT_QUANTIZE ? f32_bytes : block_bytes;
    c->out_unit = c->dir == TOOL_CONVERT_QUANTIZE ? block_bytes : f32_bytes;
    return true;
}

/* The unit in words, for the length error: what the input must hold. */
static void describe_unit(const convert_ctx *c, char *buf, size_t size) {
    const char *name = realm_type_name(c->type);
    if (!c->whole_row)
        snprintf(buf, size, "rows of %" PRId64 " %s values (%zu bytes each)", c->unit_elems,
                 c->dir == TOOL_CONVERT_QUANTIZE ? "f32" : name, c->in_unit);
    else if (c->dir == TOOL_CONVERT_QUANTIZE)
        snprintf(buf, size, "%s blocks of %" PRId64 " f32 values (%zu bytes each)", name, c->unit_elems,
                 c->in_unit);
    else
        snprintf(buf, size, "%s blocks (%zu bytes each)", name, c->in_unit);
}

int tool_convert_main(tool_convert_dir dir, const char *description, int argc, char **argv) {
    const char *cmd = dir == TOOL_CONVERT_QUANTIZE ? "quant" : "dequant";
    convert_ctx c = {.dir = dir, .type = REALM_TYPE_COUNT};
    const char *in_path = NULL, *out_path = NULL;
    int64_t cols = 0;
    tool_opt opts[] = {
        {.name = "type",
         .kind = TOOL_OPT_TYPE,
         .value = &c.type,
         .metavar = "T",
         .required = true,
         .help = "type: q4_0 q4_1 q5_0 q5_1 q8_0 q8_1 q2_K q3_K q4_K q5_K q6_K q8_K f16 f32"},
        {.name = "in",
         .kind = TOOL_OPT_STRING,
         .value = &in_path,
         .metavar = "FILE",
         .required = true,
         .help = dir == TOOL_CONVERT_QUANTIZE
                     ? "input: little-endian f32 values, rows back to back ('-': stdin)"
                     : "input: blocks of type T, rows back to back ('-': stdin)"},
        {.name = "out",
         .kind = TOOL_OPT_STRING,
         .value = &out_path,
         .metavar = "FILE",
         .required = true,
         .help = dir == TOOL_CONVERT_QUANTIZE ? "output: blocks of type T ('-': stdout)"
                                              : "output: little-endian f32 values ('-': stdout)"},
        {.name = "cols",
         .kind = TOOL_OPT_INT,
         .value = &cols,
         .metavar = "N",
         .min = 1,
         .max = MAX_COLS,
         .help = "values per row, a multiple of T's block size; default: the whole file is one row"},
    };
    tool_cli cli = {cmd, description, opts, sizeof opts / sizeof opts[0]};
    int rc;
    if (!tool_args_parse(&cli, argc, argv, &rc)) return rc;
    if (!plan_units(cmd, &c, &opts[3], cols)) return TOOL_EXIT_USAGE;

    char unit_desc[160], call[96];
    describe_unit(&c, unit_desc, sizeof unit_desc);
    snprintf(call, sizeof call, "%s(%s)",
             dir == TOOL_CONVERT_QUANTIZE ? "realm_quantize_row" : "realm_dequantize_row",
             realm_type_name(c.type));
    tool_stream st = {cmd, in_path, out_path, c.in_unit, c.out_unit, unit_desc, call, convert_units, &c};
    return tool_stream_run(&st);
}
