/* Makes the Criterion test binaries usable under ThreadSanitizer. Include
 * it in exactly one file per test binary.
 *
 * ThreadSanitizer (-DREALM_TSAN=ON): a report must fail the test, and the
 * runner cannot start at all without the two functions below.
 *
 * Criterion's BoxFort puts its shared arena at a random address between
 * 0x2000'0000'0000 and 0x7f00'0000'0000: it asks mincore() whether the pages
 * there are free and maps them with MAP_FIXED. Under TSan nearly all of that
 * range is shadow or reserved memory: TSan refuses fixed mappings there and
 * the runner aborts with "Could not initialize inheritable arena"
 * (Snaipe/Criterion#274). These two functions, defined only in TSan builds,
 * take precedence over TSan's and libc's for Criterion's calls:
 *   - mincore() reports such reserved pages as free, so BoxFort goes on to
 *     map them;
 *   - mmap64() moves a fixed shared mapping aimed at reserved memory into
 *     TSan's application range 0x5500'0000'0000..0x5680'0000'0000 (empty
 *     in a TSan process; MAP_FIXED_NOREPLACE keeps it from clobbering
 *     anything), an address BoxFort accepts.
 * Everything else goes to the real functions (TSan's interceptor for
 * mmap64, so TSan still sees every mapping). x86-64 Linux only. */
#ifndef REALM_TEST_RUNTIME_SANITIZER_H
#define REALM_TEST_RUNTIME_SANITIZER_H

#if defined(__SANITIZE_THREAD__)
/* A data race must fail the test, not only print: Criterion counts a test
 * passing when its assertions do, whatever TSan wrote to stderr. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "halt_on_error=1"; }
#endif

#if defined(__SANITIZE_THREAD__) && defined(__x86_64__)
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define TSAN_APP_LO 0x550000000000ull
#define TSAN_APP_HI 0x568000000000ull

/* An address BoxFort may draw that TSan keeps for itself. */
static bool tsan_reserved(const void *addr) {
    const uintptr_t a = (uintptr_t)addr;
    return a >= 0x200000000000ull && a < 0x7f0000000000ull && (a < TSAN_APP_LO || a >= TSAN_APP_HI);
}

int mincore(void *addr, size_t length, unsigned char *vec);
int mincore(void *addr, size_t length, unsigned char *vec) {
    if (tsan_reserved(addr)) {
        errno = ENOMEM;
        return -1;
    }
    return (int)syscall(SYS_mincore, addr, length, vec);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
    typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
    static mmap_fn real;
    static uintptr_t next_arena = TSAN_APP_LO + (1ull << 40);
    if (!real) real = (mmap_fn)dlsym(RTLD_NEXT, "mmap64");
    if ((flags & MAP_FIXED) && (flags & MAP_SHARED) && tsan_reserved(addr)) {
        addr = (void *)next_arena;
        next_arena += 1ull << 32; /* room for the arena to grow in place */
        flags = (flags & ~MAP_FIXED) | MAP_FIXED_NOREPLACE;
    }
    return real(addr, len, prot, flags, fd, off);
}
#endif

#endif
