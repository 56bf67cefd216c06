/* Shared by the tests/test_api_errors*.c files: bad input to every public
 * function, one file per area. FAILS(want, call) clears the error, runs the
 * call and expects status want (ANY: any error) and a message; NULL_WITH does
 * the same for constructors returning NULL with a status. */
#ifndef REALM_TEST_API_ERRORS_H
#define REALM_TEST_API_ERRORS_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "realm/realm.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

#define NAIVE REALM_BACKEND_NAIVE
#define OPT REALM_BACKEND_OPTIMIZED
#define BIG (INT64_MAX / 2)
#define HUGE_ROWS (INT64_MAX / 64)

static inline void clear_error(void) { realm_error(REALM_OK, "%s", ""); }

static inline void expect_fail(realm_status want, realm_status got, const char *what, int line) {
    const char *msg = realm_last_error();
    cr_expect_eq(got, want, "line %d: %s: got %s, want %s (%s)", line, what, realm_status_str(got),
                 realm_status_str(want), msg);
    cr_expect(msg && msg[0] != '\0', "line %d: %s: failed without a message", line, what);
}

/* want is the exact status; ANY accepts any error status. */
#define ANY ((realm_status)-1)
static inline void expect_any_fail(realm_status got, const char *what, int line) {
    const char *msg = realm_last_error();
    cr_expect_neq(got, REALM_OK, "line %d: %s: succeeded", line, what);
    cr_expect(msg && msg[0] != '\0', "line %d: %s: failed without a message", line, what);
}
#define FAILS(want, call)                                                                                    \
    do {                                                                                                     \
        clear_error();                                                                                       \
        realm_status got_ = (call);                                                                          \
        if ((want) == ANY)                                                                                   \
            expect_any_fail(got_, #call, __LINE__);                                                          \
        else                                                                                                 \
            expect_fail((want), got_, #call, __LINE__);                                                      \
    } while (0)

/* Constructors returning NULL + status. */
#define NULL_WITH(want, call)                                                                                \
    do {                                                                                                     \
        clear_error();                                                                                       \
        realm_status st_ = REALM_OK;                                                                         \
        const void *t_ = (call);                                                                             \
        cr_expect_null(t_, "%s: returned a tensor", #call);                                                  \
        expect_fail((want), st_, #call, __LINE__);                                                           \
    } while (0)

/* A message without a status (functions returning a pointer or a size). */
#define HAS_MESSAGE(what) cr_expect(realm_last_error()[0] != '\0', "%s: no message", what)

/* Small buffers passed with huge sizes (never touched past their end). */
__attribute__((unused)) static float xf[64], yf[64];
__attribute__((unused)) static _Alignas(64) unsigned char blk[4 * 292];

/* A one-thread serial runtime. */
static inline realm_runtime *serial_rt(void) { return tu_runtime(1, REALM_EXECUTOR_SERIAL); }

#endif
