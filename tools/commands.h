/* The subcommands of `realm`: one declaration each here and one row in the
 * table in main.c. Each is defined in tools/cmd_<name>.c and receives
 * argv[0] = its own name; it returns the exit code. */
#ifndef REALM_TOOL_COMMANDS_H
#define REALM_TOOL_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

typedef int (*tool_command_fn)(int argc, char **argv);

int tool_cmd_info(int argc, char **argv);
int tool_cmd_quant(int argc, char **argv);
int tool_cmd_dequant(int argc, char **argv);
int tool_cmd_demo(int argc, char **argv);
int tool_cmd_bench(int argc, char **argv);
int tool_cmd_tokenize(int argc, char **argv);
int tool_cmd_generate(int argc, char **argv);
int tool_cmd_make_model(int argc, char **argv);
int tool_cmd_quantize(int argc, char **argv);

/* Parts of `realm info` that belong to the runtime (tools/cmd_info_threads.c). */
int tool_info_runtime(FILE *out, bool json);
int tool_info_threads(FILE *out, int n_threads);

#endif
