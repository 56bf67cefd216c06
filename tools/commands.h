/* The subcommands of `realm`. Each row is X(name, function, summary); main.c
 * turns the list into its dispatch table and help text, and this header
 * declares every function from the same list. Adding a subcommand is one row
 * here plus the file that defines it (tools/cmd_<name>.c, or one in bench/). */
#ifndef REALM_TOOL_COMMANDS_H
#define REALM_TOOL_COMMANDS_H

/* A subcommand receives argv[0] = its own name and returns the exit code. */
typedef int (*tool_command_fn)(int argc, char **argv);

#define REALM_TOOL_COMMANDS(X)                                                                               \
    X("info", tool_cmd_info, "show version, CPU features, kernel tables and types")                          \
    X("quant", tool_cmd_quant, "quantize rows of a raw f32 file into blocks of a type")                      \
    X("dequant", tool_cmd_dequant, "dequantize a raw file of blocks into f32 rows")                          \
    X("demo", tool_cmd_demo, "quantize a random matrix to every type and compare matmul errors")

#define REALM_TOOL_DECLARE(name, fn, summary) int fn(int argc, char **argv);
REALM_TOOL_COMMANDS(REALM_TOOL_DECLARE)
#undef REALM_TOOL_DECLARE

#endif
