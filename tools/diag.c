/* One-line error reporting for the tool. */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "realm/realm.h"

void tool_error(const char *cmd, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Tests and scripts count stderr lines: keep the report on one. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    if (cmd)
        fprintf(stderr, "realm %s: error: %s\n", cmd, msg);
    else
        fprintf(stderr, "realm: error: %s\n", msg);
}

void tool_error_status(const char *cmd, realm_status s, const char *what) {
    const char *why = realm_last_error();
    if (!why || !*why) why = realm_status_str(s);
    tool_error(cmd, "%s: %s", what, why);
}

int tool_finish_stdout(const char *cmd) {
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout)) return TOOL_EXIT_OK;
    tool_error(cmd, "cannot write the output: %s", errno ? strerror(errno) : "write error");
    return TOOL_EXIT_FAILURE;
}
