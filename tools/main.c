/* `realm`: one binary, subcommands. This file only dispatches: the table
 * below lists them, and every subcommand parses its
 * own options (args.h). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "realm/realm.h"

typedef struct tool_command {
    const char *name;
    const char *summary;
    tool_command_fn run;
} tool_command;

static const tool_command commands[] = {
    {"info", "show version, CPU features, kernel tables and types", tool_cmd_info},
    {"quant", "quantize rows of a raw f32 file into blocks of a type", tool_cmd_quant},
    {"dequant", "dequantize a raw file of blocks into f32 rows", tool_cmd_dequant},
    {"demo", "quantize a random matrix to every type and compare matmul errors", tool_cmd_demo},
    {"bench", "benchmarks: matmul, bandwidth, peak, sgemm-ref, overhead, graph", tool_cmd_bench},
    {"generate", "generate text with a llama GGUF model (default: a tiny random one)", tool_cmd_generate},
    {"tokenize", "print the token ids of a text under a GGUF file's vocab", tool_cmd_tokenize},
    {"make-model", "write a random-weight llama GGUF of any shape and type", tool_cmd_make_model},
    {"quantize", "quantize a GGUF model's matrices to a type or a K_M mix", tool_cmd_quantize},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const tool_command *find_command(const char *name) {
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static void print_help(FILE *f) {
    int width = 4; /* "help" */
    for (size_t i = 0; i < N_COMMANDS; i++) {
        int w = (int)strlen(commands[i].name);
        if (w > width) width = w;
    }
    fprintf(f,
            "usage: realm <command> [options]\n"
            "       realm --version | --help\n\n"
            "Quantized LLM layers on CPUs (library version %s).\n\n"
            "commands:\n",
            realm_version());
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-*s  %s\n", width, commands[i].name, commands[i].summary);
    fprintf(f, "  %-*s  %s\n", width, "help", "list the commands, or 'help <command>' for its options");
    fprintf(f, "\nRun 'realm <command> --help' for the options of a command.\n");
}

/* "realm help" lists the commands; "realm help quant" is "realm quant --help". */
static int run_help(int argc, char **argv) {
    if (argc < 2) {
        print_help(stdout);
        return TOOL_EXIT_OK;
    }
    const tool_command *c = find_command(argv[1]);
    if (!c) {
        tool_error(NULL, "unknown command '%s' (see 'realm --help')", argv[1]);
        return TOOL_EXIT_USAGE;
    }
    char help_flag[] = "--help";
    char *sub_argv[] = {argv[1], help_flag, NULL};
    return c->run(2, sub_argv);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        /* No command is a usage error, but the list is what the user needs. */
        print_help(stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--version") == 0) {
        printf("realm %s\n", realm_version());
        return TOOL_EXIT_OK;
    }
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        print_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (strcmp(first, "help") == 0) return run_help(argc - 1, argv + 1);
    if (first[0] == '-') {
        tool_error(NULL, "unknown option '%s' (see 'realm --help')", first);
        return TOOL_EXIT_USAGE;
    }
    const tool_command *c = find_command(first);
    if (!c) {
        tool_error(NULL, "unknown command '%s' (see 'realm --help')", first);
        return TOOL_EXIT_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
