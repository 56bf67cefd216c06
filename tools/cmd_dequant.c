/* `realm dequant`: blocks of a raw file -> f32 rows, the inverse of
 * `realm quant` (convert.c does the work). */
#include "commands.h"
#include "convert.h"

int tool_cmd_dequant(int argc, char **argv) {
    return tool_convert_main(TOOL_CONVERT_DEQUANTIZE,
                             "Dequantize a raw file of type-T blocks (GGUF's byte layout), rows back to\n"
                             "back, into little-endian f32 values, one row at a time. The input length\n"
                             "must be a whole number of rows; the file is streamed, not loaded whole.\n\n"
                             "example: realm dequant --type q4_K --in w.q4_K --out w.f32 --cols 4096",
                             argc, argv);
}
