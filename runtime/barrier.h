/* Internal: the pool's barrier, two levels deep.
 *
 * Threads arrive at their group's counter (one per NUMA node, each on its
 * own cache line); the last of a group arrives at the root counter; the
 * last group releases everyone by advancing one event. Arrivals then
 * contend only within a node, which is what kept barriers from dominating
 * at high thread counts in other engines. Reusable at once: the releasing
 * thread resets the counters before the release. */
#ifndef REALM_RUNTIME_BARRIER_H
#define REALM_RUNTIME_BARRIER_H

#include "realm/types.h"
#include "runtime/sched.h"
#include "runtime/wait.h"

typedef struct realm_barrier_group {
    _Alignas(64) atomic_int arrived;
    int size;
} realm_barrier_group;

typedef struct realm_barrier {
    int n_groups;
    realm_barrier_group *groups; /* [n_groups], 64-byte aligned */
    _Alignas(64) atomic_int groups_arrived;
    realm_event release;
} realm_barrier;

/* One group per scheduler group of the layout. REALM_ERR_OUT_OF_MEMORY. */
realm_status realm_barrier_init(realm_barrier *b, const realm_sched_layout *l);
void realm_barrier_destroy(realm_barrier *b);

/* Every thread of the layout calls it with its group; returns once all
 * have arrived. What each wrote before is visible to all after. */
void realm_barrier_wait(realm_barrier *b, int group, const realm_wait_policy *p);

#endif
