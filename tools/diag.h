/* Exit codes and error lines shared by every subcommand, so that scripts can
 * rely on them: 0 success, 1 the work failed, 2 the command line was wrong. */
#ifndef REALM_TOOL_DIAG_H
#define REALM_TOOL_DIAG_H

#include "realm/types.h"

#define TOOL_EXIT_OK 0
#define TOOL_EXIT_FAILURE 1
#define TOOL_EXIT_USAGE 2

#if defined(__GNUC__)
#define TOOL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TOOL_PRINTF(a, b)
/* Flushes stdout and reports a failed write (a full disk, a closed pipe) as
 * an error line. Returns the exit code: TOOL_EXIT_OK or TOOL_EXIT_FAILURE. */
int tool_finish_stdout(const char *cmd);

#endif

/* Prints "realm CMD: error: MESSAGE" (or "realm: error: ..." when cmd is
 * NULL) as exactly one line on stderr: newlines inside the message become
 * spaces, so callers may pass library messages through unchanged. */
void tool_error(const char *cmd, const char *fmt, ...) TOOL_PRINTF(2, 3);

/* Reports a failed library call as one line: "<what>: <realm_last_error()>",
 * falling back to the status name when the library left no message. */
void tool_error_status(const char *cmd, realm_status s, const char *what);

/* Flushes stdout and reports a failed write (a full disk, a closed pipe) as
 * an error line. Returns the exit code: TOOL_EXIT_OK or TOOL_EXIT_FAILURE. */
int tool_finish_stdout(const char *cmd);

#endif
