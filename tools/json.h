/* Minimal JSON writing for machine-readable output (`--format json`). */
#ifndef REALM_TOOL_JSON_H
#define REALM_TOOL_JSON_H

#include <stdio.h>

/* Writes s as a JSON string literal, quotes included, escaping what JSON
 * requires; NULL is written as null. */
void tool_json_string(FILE *f, const char *s);

#endif
