/* Internal: which core and PU each thread gets, and the scheduler groups.
 * A pure function of the usable cores, so it is tested on synthetic
 * machines without starting a thread.
 *
 * Rules (DESIGN.md "what users were bitten by"):
 *   - the default count is one thread per physical core, SMT siblings unused;
 *     on hybrid CPUs only the cores of the most performant kind;
 *   - more threads than cores take second PUs of cores (SMT) next, then
 *     share cores round-robin;
 *   - numa distribute spreads threads over nodes round-robin and makes one
 *     group per node; none takes cores in hwloc order, one group; isolate
 *     keeps to the home node, one group;
 *   - threads are numbered group by group, so each group is a contiguous
 *     range of thread indexes (what sched.h expects). */
#ifndef REALM_RUNTIME_PLACEMENT_H
#define REALM_RUNTIME_PLACEMENT_H

#include "realm/runtime.h"
#include "runtime/sched.h"
#include "runtime/topology.h"

typedef struct realm_thread_slot {
    int core; /* hwloc logical index */
    int pu;   /* OS index */
    int node; /* dense node index */
} realm_thread_slot;

typedef struct realm_placement {
    int n_threads;
    int n_groups;
    int default_threads;                        /* what n_threads = 0 gives */
    int n_cores_used, n_pus_used, n_nodes_used; /* distinct among the threads */
    realm_thread_slot *slots;                   /* [n_threads] */
    realm_sched_group *groups;                  /* [n_groups] */
    int *thread_group;                          /* [n_threads] */
} realm_placement;

/* Plans n_threads threads (0: the default count) on cores[0..n_cores) of a
 * machine with n_nodes nodes; home_node is the isolate policy's node.
 * Errors: REALM_ERR_INVALID_ARG when isolate finds no usable core on the
 * home node; REALM_ERR_OUT_OF_MEMORY. *out is freed on error. */
realm_status realm_place_threads(const realm_topo_core *cores, int n_cores, int n_nodes, int n_threads,
                                 realm_numa_policy numa, int home_node, realm_placement *out);

/* The scheduler's view of a placement (borrows its arrays). */
realm_sched_layout realm_placement_layout(const realm_placement *p);

void realm_placement_free(realm_placement *p);

#endif
