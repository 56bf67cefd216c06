/* Internal: setting the calling thread's last error. */
#ifndef REALM_CORE_ERROR_H
#define REALM_CORE_ERROR_H

#include "realm/types.h"

#if defined(__GNUC__)
#define REALM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define REALM_PRINTF(a, b)
#endif

/* Records a message for realm_last_error() and returns s, so callers can
 * write `return realm_error(REALM_ERR_SHAPE, "k=%lld ...", k);`. */
realm_status realm_error(realm_status s, const char *fmt, ...) REALM_PRINTF(2, 3);

#endif
