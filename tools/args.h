/* Command-line options of a subcommand, described by a table.
 *
 * A subcommand lists its options (name, kind, where the value goes, help);
 * tool_args_parse() fills the values and prints either the generated help
 * text or one error line. Accepted forms: --name VALUE, --name=VALUE, and
 * -h/--help. Values are checked here (integers in range, finite floats,
 * known type and backend names, one of a fixed set of words), so commands
 * only check how values relate to each other. */
#ifndef REALM_TOOL_ARGS_H
#define REALM_TOOL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum tool_opt_kind {
    TOOL_OPT_STRING,  /* value: const char *  (points into argv) */
    TOOL_OPT_INT,     /* value: int64_t, within [min, max] */
    TOOL_OPT_FLOAT,   /* value: double, finite */
    TOOL_OPT_TYPE,    /* value: realm_type, any name realm_type_from_name() knows */
    TOOL_OPT_BACKEND, /* value: realm_backend ("naive", "optimized") */
    TOOL_OPT_CHOICE,  /* value: int, index into choices */
    TOOL_OPT_FLAG,    /* value: bool, set to true; takes no argument */
} tool_opt_kind;

typedef struct tool_opt {
    const char *name;           /* without dashes: "cols" for --cols */
    void *value;                /* written only when the option is given */
    const char *metavar;        /* "N" in "--cols N"; unused for flags */
    const char *help;           /* one line for --help, defaults included */
    int64_t min, max;           /* TOOL_OPT_INT range, inclusive */
    const char *const *choices; /* TOOL_OPT_CHOICE: NULL-terminated words */
    tool_opt_kind kind;
    bool required;
    bool seen;       /* set by the parser */
    char short_name; /* 'm' for -m VALUE (the value is taken as is); 0: none */
} tool_opt;

typedef struct tool_cli {
    const char *command;     /* subcommand name, used in messages */
    const char *description; /* text under the usage line; may span lines */
    tool_opt *opts;
    size_t n_opts;
} tool_cli;

/* Parses argv[1..argc) (argv[0] is the subcommand name). Returns true when
 * the command should go on. Otherwise *exit_code says how to leave: 0 after
 * printing the help on stdout, 2 after printing one error line on stderr. */
bool tool_args_parse(tool_cli *cli, int argc, char **argv, int *exit_code);

/* tool_args_parse() that also takes up to max_pos positional arguments
 * (stored in pos, pointing into argv; their count in *n_pos). */
bool tool_args_parse_pos(tool_cli *cli, int argc, char **argv, int *exit_code, const char **pos, int max_pos,
                         int *n_pos);

/* Writes the usage line, description and option list. */
void tool_args_usage(const tool_cli *cli, FILE *f);

#endif
