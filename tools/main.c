#include <stdio.h>

#include "realm/realm.h"

int main(void) {
    printf("realm %s\n", realm_version());
    return 0;
}
