/* `realm info`: what this build and this CPU offer — version, detected CPU
 * features, the kernel table each backend resolved to, and the types. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "diag.h"
#include "json.h"
#include "kernels.h"
#include "realm/realm.h"

enum { FORMAT_TEXT, FORMAT_JSON };
static const char *const format_names[] = {"text", "json", NULL};

/* Backends are numbered from 0 and realm_kernels_get() returns NULL past the
 * last one, so a backend added to the library shows up here by itself. */
static const realm_kernel_table *backend_table(int be) { return realm_kernels_get((realm_backend)be); }

static double bits_per_weight(const realm_type_traits *tr) {
    return 8.0 * (double)tr->block_bytes / (double)tr->block_elems;
}

static void print_text(const char *features) {
    printf("realm %s (block format version %d)\n\n", realm_version(), REALM_FORMAT_VERSION);
    printf("cpu features: %s\n\n", *features ? features : "(none detected)");
    printf("kernel tables:\n");
    for (int be = 0; backend_table(be); be++)
        printf("  %-10s %s\n", realm_backend_name((realm_backend)be), backend_table(be)->name);
    printf("\ntypes:\n  %-6s %3s %6s %6s %12s  %s\n", "name", "id", "block", "bytes", "bits/weight",
           "dot type");
    for (int t = 0; t < REALM_TYPE_COUNT; t++) {
        if (!realm_type_is_valid((realm_type)t)) continue;
        const realm_type_traits *tr = realm_type_get_traits((realm_type)t);
        printf("  %-6s %3d %6lld %6zu %12.5g  %s\n", tr->name, t, (long long)tr->block_elems, tr->block_bytes,
               bits_per_weight(tr), realm_type_name(tr->dot_type));
    }
}

/* The space-separated feature string as a JSON array of strings. */
static void print_json_features(const char *features) {
    char copy[512];
    snprintf(copy, sizeof copy, "%s", features);
    fputc('[', stdout);
    int n = 0;
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (n++) fputs(", ", stdout);
        tool_json_string(stdout, w);
    }
    fputc(']', stdout);
}

static void print_json_type(int t) {
    const realm_type_traits *tr = realm_type_get_traits((realm_type)t);
    printf("    {\"name\": ");
    tool_json_string(stdout, tr->name);
    printf(", \"id\": %d, \"block_elems\": %lld, \"block_bytes\": %zu, \"bits_per_weight\": %.6g, "
           "\"quantized\": %s, \"dot_type\": ",
           t, (long long)tr->block_elems, tr->block_bytes, bits_per_weight(tr),
           tr->is_quantized ? "true" : "false");
    tool_json_string(stdout, realm_type_name(tr->dot_type));
    fputc('}', stdout);
}

static void print_json(const char *features) {
    printf("{\n  \"version\": ");
    tool_json_string(stdout, realm_version());
    printf(",\n  \"format_version\": %d,\n  \"cpu_features\": ", REALM_FORMAT_VERSION);
    print_json_features(features);
    printf(",\n  \"kernel_tables\": {");
    for (int be = 0; backend_table(be); be++) {
        fputs(be ? ", " : "", stdout);
        tool_json_string(stdout, realm_backend_name((realm_backend)be));
        fputs(": ", stdout);
        tool_json_string(stdout, backend_table(be)->name);
    }
    printf("},\n  \"types\": [\n");
    int n = 0;
    for (int t = 0; t < REALM_TYPE_COUNT; t++) {
        if (!realm_type_is_valid((realm_type)t)) continue;
        if (n++) fputs(",\n", stdout);
        print_json_type(t);
    }
    printf("\n  ],\n  \"runtime\": ");
    tool_info_runtime(stdout, true);
    printf("\n}\n");
}

int tool_cmd_info(int argc, char **argv) {
    int format = FORMAT_TEXT;
    int64_t threads = -1;
    tool_opt opts[] = {
        {.name = "threads",
         .kind = TOOL_OPT_INT,
         .value = &threads,
         .metavar = "N",
         .min = 0,
         .max = 4096,
         .help = "also start a pool of N threads (0: the default count) and show each one's core"},
        {.name = "format",
         .kind = TOOL_OPT_CHOICE,
         .value = &format,
         .metavar = "FMT",
         .help = "output format: text or json (one JSON object); default text",
         .choices = format_names},
    };
    tool_cli cli = {"info",
                    "Show the library version, the CPU features realm detected, the kernel table each\n"
                    "backend uses on this CPU, and every type with its block size, bytes per block,\n"
                    "bits per weight and the activation type its dot products pair it with.",
                    opts, sizeof opts / sizeof opts[0]};
    int rc;
    if (!tool_args_parse(&cli, argc, argv, &rc)) return rc;

    char features[512];
    realm_status s = realm_cpu_features_string(features, sizeof features);
    if (s != REALM_OK) {
        tool_error_status("info", s, "realm_cpu_features_string");
        return TOOL_EXIT_FAILURE;
    }
    if (format == FORMAT_JSON) {
        print_json(features);
    } else {
        print_text(features);
        printf("\n");
        if (tool_info_runtime(stdout, false) != TOOL_EXIT_OK) return TOOL_EXIT_FAILURE;
    }
    if (threads >= 0 && tool_info_threads(stdout, (int)threads) != TOOL_EXIT_OK) return TOOL_EXIT_FAILURE;
    return tool_finish_stdout("info");
}
