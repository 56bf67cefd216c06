/* Status names and the per-thread last-error message. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[512];

static const char *const status_names[REALM_STATUS_COUNT] = {
    [REALM_OK] = "REALM_OK",
    [REALM_ERR_INVALID_ARG] = "REALM_ERR_INVALID_ARG",
    [REALM_ERR_UNSUPPORTED] = "REALM_ERR_UNSUPPORTED",
    [REALM_ERR_OUT_OF_MEMORY] = "REALM_ERR_OUT_OF_MEMORY",
    [REALM_ERR_IO] = "REALM_ERR_IO",
    [REALM_ERR_FORMAT] = "REALM_ERR_FORMAT",
    [REALM_ERR_SHAPE] = "REALM_ERR_SHAPE",
    [REALM_ERR_OVERFLOW] = "REALM_ERR_OVERFLOW",
    [REALM_ERR_STATE] = "REALM_ERR_STATE",
    [REALM_ERR_INTERNAL] = "REALM_ERR_INTERNAL",
};

const char *realm_status_str(realm_status s) {
    if ((int)s < 0 || (int)s >= REALM_STATUS_COUNT) return "REALM_ERR_UNKNOWN";
    return status_names[s];
}

const char *realm_last_error(void) { return last_error; }

realm_status realm_error(realm_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}
