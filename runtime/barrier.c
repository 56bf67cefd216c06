/* Two-level barrier (see barrier.h). */
#include "runtime/barrier.h"

#include <stdlib.h>

#include "core/error.h"

realm_status realm_barrier_init(realm_barrier *b, const realm_sched_layout *l) {
    b->n_groups = l->n_groups;
    b->groups = aligned_alloc(64, sizeof *b->groups * (size_t)l->n_groups);
    if (!b->groups) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    for (int g = 0; g < l->n_groups; g++) {
        atomic_init(&b->groups[g].arrived, 0);
        b->groups[g].size = l->groups[g].n_threads;
    }
    atomic_init(&b->groups_arrived, 0);
    realm_event_init(&b->release);
    return REALM_OK;
}

void realm_barrier_destroy(realm_barrier *b) {
    free(b->groups);
    b->groups = NULL;
}

void realm_barrier_wait(realm_barrier *b, int group, const realm_wait_policy *p) {
    /* Read before arriving: the release cannot advance until this thread
     * has arrived, so this is the value of the current episode. */
    const unsigned episode = realm_event_load(&b->release);
    realm_barrier_group *g = &b->groups[group];
    /* acq_rel: the counters' read-modify-write chains carry every earlier
     * arrival's writes to the last arriver, which publishes them with the
     * release. */
    if (atomic_fetch_add_explicit(&g->arrived, 1, memory_order_acq_rel) + 1 == g->size) {
        atomic_store_explicit(&g->arrived, 0, memory_order_relaxed);
        if (b->n_groups == 1 ||
            atomic_fetch_add_explicit(&b->groups_arrived, 1, memory_order_acq_rel) + 1 == b->n_groups) {
            atomic_store_explicit(&b->groups_arrived, 0, memory_order_relaxed);
            realm_event_signal(&b->release);
            return;
        }
    }
    realm_event_wait(&b->release, episode, p);
}
