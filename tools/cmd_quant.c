/* `realm quant`: f32 rows of a raw file -> blocks, for checking formats by
 * hand or from scripts (convert.c does the work). */
#include "commands.h"
#include "convert.h"

int tool_cmd_quant(int argc, char **argv) {
    return tool_convert_main(TOOL_CONVERT_QUANTIZE,
                             "Quantize a raw file of little-endian f32 values, rows back to back, into\n"
                             "blocks of type T (GGUF's byte layout), one row at a time. The input length\n"
                             "must be a whole number of rows; the file is streamed, not loaded whole.\n\n"
                             "example: realm quant --type q4_K --in w.f32 --out w.q4_K --cols 4096",
                             argc, argv);
}
