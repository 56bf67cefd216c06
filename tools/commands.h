/* The subcommands of `realm`: one declaration each here and one row in the
 * table in main.c. Each is defined in tools/cmd_<name>.c and receives
 * argv[0] = its own name; it returns the exit code. */
#ifndef REALM_TOOL_COMMANDS_H
#define REALM_TOOL_COMMANDS_H

typedef int (*tool_command_fn)(int argc, char **argv);

int tool_cmd_info(int argc, char **argv);
int tool_cmd_quant(int argc, char **argv);
int tool_cmd_dequant(int argc, char **argv);
int tool_cmd_demo(int argc, char **argv);
int tool_cmd_bench(int argc, char **argv);

#endif
