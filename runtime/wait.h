/* Internal: spin-then-sleep waiting on a sequence number.
 *
 * A waiter spins (pause, or sched_yield when threads outnumber CPUs) for a
 * bounded time, then sleeps in the kernel on a futex; the signaller pays
 * for a wake-up system call only when someone sleeps. Bounded spinning keeps
 * dispatch fast between back-to-back ops without burning idle cores, and
 * yielding keeps oversubscribed threads from spinning while the thread they
 * wait for has no CPU (DESIGN.md: pure spinning cost ~80x there). */
#ifndef REALM_RUNTIME_WAIT_H
#define REALM_RUNTIME_WAIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct realm_wait_policy {
    int64_t spin_ns; /* spin budget before sleeping; 0: sleep at once */
    bool yield;      /* spin with sched_yield instead of a pause */
} realm_wait_policy;

/* A sequence number that waiters watch for a change; alone on its line. */
typedef struct realm_event {
    _Alignas(64) atomic_uint seq;
    atomic_int sleepers; /* waiters inside (or entering) the futex wait */
} realm_event;

void realm_event_init(realm_event *e);

/* The current sequence number (acquire). */
unsigned realm_event_load(realm_event *e);

/* Returns once the sequence number differs from old, with acquire
 * ordering: what the signaller wrote before signalling is visible. */
void realm_event_wait(realm_event *e, unsigned old, const realm_wait_policy *p);

/* Advances the sequence number (release) and wakes sleeping waiters. */
void realm_event_signal(realm_event *e);

#endif
