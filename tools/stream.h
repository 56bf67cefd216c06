/* Streaming conversion of one raw file into another, a batch of fixed-size
 * units at a time, so files far larger than memory can be converted. */
#ifndef REALM_TOOL_STREAM_H
#define REALM_TOOL_STREAM_H

#include <stddef.h>

#include "realm/types.h"

/* Converts n_units units from in (in_unit bytes each) to out (out_unit bytes
 * each). On failure returns the library status; realm_last_error() says why. */
typedef realm_status (*tool_stream_fn)(void *ctx, const void *in, void *out, size_t n_units);

typedef struct tool_stream {
    const char *cmd;       /* subcommand, for error lines */
    const char *in_path;   /* "-" reads stdin */
    const char *out_path;  /* "-" writes stdout */
    size_t in_unit;        /* bytes per unit in the input; its length must be a multiple */
    size_t out_unit;       /* bytes per unit in the output */
    const char *unit_desc; /* the unit in words, e.g. "rows of 64 f32 values (256 bytes each)" */
    const char *call;      /* the library call convert makes, for error lines */
    tool_stream_fn convert;
    void *ctx;
} tool_stream;

/* Runs the conversion. Checks the input length before creating the output
 * when the input is a regular file; removes a partly written output file
 * when anything fails. Prints one error line and returns TOOL_EXIT_FAILURE
 * (TOOL_EXIT_USAGE when input and output are the same file), or returns
 * TOOL_EXIT_OK. */
int tool_stream_run(const tool_stream *st);

#endif
