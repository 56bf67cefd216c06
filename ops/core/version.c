#include "realm/realm.h"

const char *realm_version(void) { return REALM_VERSION_STRING; }
