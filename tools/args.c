/* Table-driven option parsing for the subcommands (see args.h). */
#include "args.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "realm/realm.h"

static bool is_help(const char *arg) { return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0; }

/* The option called by "--name" or "--name=value"; NULL when unknown. */
static tool_opt *find_opt(tool_cli *cli, const char *arg, size_t name_len) {
    for (size_t i = 0; i < cli->n_opts; i++) {
        const char *name = cli->opts[i].name;
        if (strlen(name) == name_len && strncmp(name, arg, name_len) == 0) return &cli->opts[i];
    }
    return NULL;
}

static bool parse_int(const tool_cli *cli, tool_opt *o, const char *text) {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0') {
        tool_error(cli->command, "--%s: '%s' is not an integer", o->name, text);
        return false;
    }
    if (errno == ERANGE || v < o->min || v > o->max) {
        tool_error(cli->command, "--%s: %s is out of range (%" PRId64 " to %" PRId64 ")", o->name, text,
                   o->min, o->max);
        return false;
    }
    *(int64_t *)o->value = (int64_t)v;
    return true;
}

static bool parse_float(const tool_cli *cli, tool_opt *o, const char *text) {
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        tool_error(cli->command, "--%s: '%s' is not a finite number", o->name, text);
        return false;
    }
    *(double *)o->value = v;
    return true;
}

static bool parse_choice(const tool_cli *cli, tool_opt *o, const char *text) {
    char expected[256] = "";
    size_t used = 0;
    for (int i = 0; o->choices[i]; i++) {
        if (strcmp(text, o->choices[i]) == 0) {
            *(int *)o->value = i;
            return true;
        }
        int w = snprintf(expected + used, sizeof expected - used, "%s%s", i ? ", " : "", o->choices[i]);
        if (w > 0 && (size_t)w < sizeof expected - used) used += (size_t)w;
    }
    tool_error(cli->command, "--%s: unknown value '%s' (expected %s)", o->name, text, expected);
    return false;
}

/* Converts and stores one value; prints the error line on failure. */
static bool store_value(const tool_cli *cli, tool_opt *o, const char *text) {
    realm_status s;
    switch (o->kind) {
    case TOOL_OPT_STRING:
        *(const char **)o->value = text;
        return true;
    case TOOL_OPT_INT:
        return parse_int(cli, o, text);
    case TOOL_OPT_FLOAT:
        return parse_float(cli, o, text);
    case TOOL_OPT_TYPE:
        s = realm_type_from_name(text, (realm_type *)o->value);
        break;
    case TOOL_OPT_BACKEND:
        s = realm_backend_from_name(text, (realm_backend *)o->value);
        break;
    case TOOL_OPT_CHOICE:
        return parse_choice(cli, o, text);
    case TOOL_OPT_FLAG:
        *(bool *)o->value = true;
        return true;
    default:
        tool_error(cli->command, "--%s: option of unknown kind", o->name);
        return false;
    }
    /* The library's message already names the value and the valid ones. */
    if (s != REALM_OK) tool_error(cli->command, "--%s: %s", o->name, realm_last_error());
    return s == REALM_OK;
}

/* A following word that is itself an option means the value was forgotten:
 * "--in --out x" should not read a file named "--out". */
static bool looks_like_option(const char *arg) { return arg[0] == '-' && arg[1] == '-' && arg[2] != '\0'; }

/* Handles argv[*i], an argument starting with "--"; advances *i past a
 * separate value. */
static bool parse_long_option(tool_cli *cli, int argc, char **argv, int *i) {
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    tool_opt *o = find_opt(cli, arg, name_len);
    if (!o) {
        tool_error(cli->command, "unknown option '--%.*s' (see 'realm %s --help')", (int)name_len, arg,
                   cli->command);
        return false;
    }
    const char *value = NULL;
    if (o->kind == TOOL_OPT_FLAG) {
        if (eq) {
            tool_error(cli->command, "option --%s takes no value", o->name);
            return false;
        }
    } else if (eq) {
        value = eq + 1;
    } else if (*i + 1 < argc && !looks_like_option(argv[*i + 1])) {
        value = argv[++*i];
    } else {
        tool_error(cli->command, "option --%s needs a value (--%s %s)", o->name, o->name,
                   o->metavar ? o->metavar : "VALUE");
        return false;
    }
    o->seen = true;
    return store_value(cli, o, value);
}

/* Handles argv[*i] = "-x" for an option with short_name x. */
static bool parse_short_option(tool_cli *cli, int argc, char **argv, int *i) {
    tool_opt *o = NULL;
    for (size_t k = 0; k < cli->n_opts && !o; k++)
        if (cli->opts[k].short_name && cli->opts[k].short_name == argv[*i][1]) o = &cli->opts[k];
    if (!o) {
        tool_error(cli->command, "unknown option '%s' (see 'realm %s --help')", argv[*i], cli->command);
        return false;
    }
    o->seen = true;
    if (o->kind == TOOL_OPT_FLAG) return store_value(cli, o, NULL);
    if (*i + 1 >= argc) {
        tool_error(cli->command, "option -%c needs a value (-%c %s)", o->short_name, o->short_name,
                   o->metavar ? o->metavar : "VALUE");
        return false;
    }
    return store_value(cli, o, argv[++*i]);
}

static bool check_required(const tool_cli *cli) {
    for (size_t i = 0; i < cli->n_opts; i++) {
        const tool_opt *o = &cli->opts[i];
        if (o->required && !o->seen) {
            tool_error(cli->command, "missing required option --%s %s (see 'realm %s --help')", o->name,
                       o->metavar ? o->metavar : "VALUE", cli->command);
            return false;
        }
    }
    return true;
}

bool tool_args_parse(tool_cli *cli, int argc, char **argv, int *exit_code) {
    int n_pos = 0;
    return tool_args_parse_pos(cli, argc, argv, exit_code, NULL, 0, &n_pos);
}

bool tool_args_parse_pos(tool_cli *cli, int argc, char **argv, int *exit_code, const char **pos, int max_pos,
                         int *n_pos) {
    *exit_code = TOOL_EXIT_USAGE;
    *n_pos = 0;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            tool_args_usage(cli, stdout);
            *exit_code = TOOL_EXIT_OK;
            return false;
        }
        if (argv[i][0] == '-' && argv[i][1] != '-' && argv[i][1] != '\0' && argv[i][2] == '\0') {
            if (!parse_short_option(cli, argc, argv, &i)) return false;
            continue;
        }
        if ((argv[i][0] != '-' || argv[i][1] == '\0') && *n_pos < max_pos) {
            pos[(*n_pos)++] = argv[i];
            continue;
        }
        if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
            tool_error(cli->command, "unexpected argument '%s' (see 'realm %s --help')", argv[i],
                       cli->command);
            return false;
        }
        if (!parse_long_option(cli, argc, argv, &i)) return false;
    }
    return check_required(cli);
}

/* "--name META" as shown in the usage line and the option list. */
static int format_opt(const tool_opt *o, char *buf, size_t size) {
    char sh[8] = "";
    if (o->short_name) snprintf(sh, sizeof sh, "-%c, ", o->short_name);
    if (o->kind == TOOL_OPT_FLAG) return snprintf(buf, size, "%s--%s", sh, o->name);
    return snprintf(buf, size, "%s--%s %s", sh, o->name, o->metavar ? o->metavar : "VALUE");
}

void tool_args_usage(const tool_cli *cli, FILE *f) {
    char buf[96];
    fprintf(f, "usage: realm %s", cli->command);
    for (size_t i = 0; i < cli->n_opts; i++) {
        format_opt(&cli->opts[i], buf, sizeof buf);
        fprintf(f, cli->opts[i].required ? " %s" : " [%s]", buf);
    }
    fprintf(f, "\n\n%s\n\noptions:\n", cli->description);
    int width = 10; /* "-h, --help" */
    for (size_t i = 0; i < cli->n_opts; i++) {
        int w = format_opt(&cli->opts[i], buf, sizeof buf);
        if (w > width) width = w;
    }
    for (size_t i = 0; i < cli->n_opts; i++) {
        format_opt(&cli->opts[i], buf, sizeof buf);
        fprintf(f, "  %-*s  %s%s\n", width, buf, cli->opts[i].help,
                cli->opts[i].required ? " (required)" : "");
    }
    fprintf(f, "  %-*s  %s\n", width, "-h, --help", "show this help and exit");
}
