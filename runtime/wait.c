/* Spin-then-sleep waiting (see wait.h). Linux futexes: the runtime already
 * depends on Linux for hwloc binding and /proc in its tests. */
#include "runtime/wait.h"

#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield" ::: "memory");
#endif
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The futex word is the 32-bit sequence number itself. */
static void futex_wait(atomic_uint *word, unsigned old) {
    syscall(SYS_futex, (void *)word, FUTEX_WAIT_PRIVATE, old, NULL, NULL, 0);
}

static void futex_wake_all(atomic_uint *word) {
    syscall(SYS_futex, (void *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void realm_event_init(realm_event *e) {
    atomic_init(&e->seq, 0);
    atomic_init(&e->sleepers, 0);
}

unsigned realm_event_load(realm_event *e) { return atomic_load_explicit(&e->seq, memory_order_acquire); }

static bool changed(realm_event *e, unsigned old) {
    return atomic_load_explicit(&e->seq, memory_order_acquire) != old;
}

/* Spins until the value changes or the budget is spent; the clock is read
 * every 64 pauses (a pause is tens of cycles) or every yield. */
static bool spin(realm_event *e, unsigned old, const realm_wait_policy *p) {
    if (p->spin_ns <= 0) return false;
    const int64_t deadline = now_ns() + p->spin_ns;
    for (unsigned i = 1;; i++) {
        if (p->yield)
            sched_yield();
        else
            cpu_relax();
        if (changed(e, old)) return true;
        if (i % 64 == 0 && !p->yield) {
            /* now and then give the CPU away: the caller's thread is not
             * pinned and may share this CPU with a spinning pinned worker,
             * which would otherwise hold it until the next scheduler tick */
            sched_yield();
            if (changed(e, old)) return true;
        }
        if ((p->yield || i % 64 == 0) && now_ns() > deadline) return false;
    }
}

void realm_event_wait(realm_event *e, unsigned old, const realm_wait_policy *p) {
    if (changed(e, old) || spin(e, old, p)) return;
    /* Sleep. The sleepers increment and the sequence check here, and the
     * sequence increment and sleepers check in realm_event_signal(), are
     * sequentially consistent: either the signaller sees a sleeper and
     * wakes it, or this thread sees the new value (and the futex itself
     * refuses to sleep when the word no longer holds old). */
    while (!changed(e, old)) {
        atomic_fetch_add(&e->sleepers, 1);
        if (atomic_load(&e->seq) == old) futex_wait(&e->seq, old);
        atomic_fetch_sub(&e->sleepers, 1);
    }
}

void realm_event_signal(realm_event *e) {
    atomic_fetch_add(&e->seq, 1);
    if (atomic_load(&e->sleepers) > 0) futex_wake_all(&e->seq);
}
