/* Backend names, both directions. */
#include <ctype.h>

#include "core/error.h"
#include "realm/ops.h"

static const char *const backend_names[] = {
    [REALM_BACKEND_NAIVE] = "naive",
    [REALM_BACKEND_OPTIMIZED] = "optimized",
};
#define N_BACKENDS ((int)(sizeof backend_names / sizeof backend_names[0]))

const char *realm_backend_name(realm_backend be) {
    return (int)be >= 0 && (int)be < N_BACKENDS ? backend_names[be] : "invalid";
}

static bool equal_nocase(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
    return *a == *b;
}

realm_status realm_backend_from_name(const char *name, realm_backend *out) {
    if (!name || !out)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_backend_from_name: NULL %s", name ? "out" : "name");
    for (int be = 0; be < N_BACKENDS; be++) {
        if (equal_nocase(name, backend_names[be])) {
            *out = (realm_backend)be;
            return REALM_OK;
        }
    }
    return realm_error(REALM_ERR_INVALID_ARG,
                       "realm_backend_from_name: unknown backend '%.64s' (expected naive or optimized)",
                       name);
}
