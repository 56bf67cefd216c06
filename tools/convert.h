/* The shared body of `realm quant` and `realm dequant`: the same options and
 * the same row bookkeeping, in opposite directions. */
#ifndef REALM_TOOL_CONVERT_H
#define REALM_TOOL_CONVERT_H

typedef enum tool_convert_dir {
    TOOL_CONVERT_QUANTIZE,   /* f32 rows -> blocks */
    TOOL_CONVERT_DEQUANTIZE, /* blocks -> f32 rows */
} tool_convert_dir;

/* Parses --type/--in/--out/--cols and converts the file; returns the exit
 * code. description is the subcommand's help text. */
int tool_convert_main(tool_convert_dir dir, const char *description, int argc, char **argv);

#endif
