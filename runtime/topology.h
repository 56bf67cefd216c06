/* Internal: the machine as realm plans for it, read from hwloc.
 *
 * realm_topo_load() loads this machine (once per process, then copied) or a
 * topology override (XML file, synthetic string). realm_topo_select() lists
 * the usable cores: cores with at least one PU in the cpuset, each with its
 * usable PUs, its NUMA node and its CPU kind rank. Node membership comes
 * from hwloc's node cpusets; nothing assumes consecutive numbering. */
#ifndef REALM_RUNTIME_TOPOLOGY_H
#define REALM_RUNTIME_TOPOLOGY_H

#include <hwloc.h>
#include <stdbool.h>

#include "realm/runtime.h"

/* Most PUs of one core realm uses (POWER has 8-way SMT). */
#define REALM_TOPO_MAX_PUS 8

typedef struct realm_topo_core {
    int core;  /* hwloc logical index of the core (of the PU when the topology has no cores) */
    int node;  /* dense NUMA node index, 0..n_nodes-1 */
    int kind;  /* CPU kind rank: higher is more performant; 0 when all equal or unknown */
    int n_pus; /* usable PUs, >= 1 */
    int pus[REALM_TOPO_MAX_PUS]; /* their OS indexes, in hwloc order */
} realm_topo_core;

typedef struct realm_topo {
    hwloc_topology_t hw;
    bool this_system;       /* false for an override: nothing is bound then */
    int n_nodes;            /* NUMA nodes of the whole topology, >= 1 */
    hwloc_obj_t *nodes;     /* [n_nodes], dense index -> hwloc object */
    int n_cores;            /* usable cores */
    realm_topo_core *cores; /* [n_cores], hwloc order */
} realm_topo;

/* Loads the topology into an empty *t; xml and synthetic are NULL or one of
 * them is set. Errors: REALM_ERR_IO (unreadable file), REALM_ERR_FORMAT
 * (file hwloc cannot parse), REALM_ERR_INVALID_ARG (bad synthetic string). */
realm_status realm_topo_load(realm_topo *t, const char *xml, const char *synthetic);

/* Fills t->cores from a cpuset text (see realm_runtime_params::cpuset);
 * NULL: the calling thread's binding on this machine, everything on an
 * override. REALM_ERR_INVALID_ARG for a malformed or empty cpuset. */
realm_status realm_topo_select(realm_topo *t, const char *cpuset);

/* Dense index of the NUMA node the calling thread runs on (0 on an override). */
int realm_topo_home_node(const realm_topo *t);

/* OS index of a dense node, or -1. */
int realm_topo_node_os_index(const realm_topo *t, int node);

/* Binds the calling thread to PU pu (OS index). Returns 0 or an errno. */
int realm_topo_bind_self(const realm_topo *t, int pu);

/* Fills the machine-wide counts of info (not usable_cores / default_threads). */
void realm_topo_counts(const realm_topo *t, realm_topology_info *info);

void realm_topo_free(realm_topo *t);

#endif
