/* Thread placement on cores and NUMA nodes (see placement.h). */
#include "runtime/placement.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static bool eligible(const realm_topo_core *c, realm_numa_policy numa, int home_node) {
    return numa != REALM_NUMA_ISOLATE || c->node == home_node;
}

/* Candidate cores (indexes into cores[]) in the order they are preferred:
 * isolate keeps the home node's; cores of higher kind rank come first,
 * hwloc order within a rank. Returns the count; *top is how many have the
 * best rank. */
static int candidates(const realm_topo_core *cores, int n_cores, realm_numa_policy numa, int home_node,
                      int *idx, int *top) {
    int best = INT_MIN, worst = INT_MAX;
    for (int i = 0; i < n_cores; i++) {
        if (!eligible(&cores[i], numa, home_node)) continue;
        if (cores[i].kind > best) best = cores[i].kind;
        if (cores[i].kind < worst) worst = cores[i].kind;
    }
    int m = 0;
    *top = 0;
    for (int rank = best; rank >= worst; rank--) /* ranks: a few small integers */
        for (int i = 0; i < n_cores; i++)
            if (eligible(&cores[i], numa, home_node) && cores[i].kind == rank) {
                idx[m++] = i;
                if (rank == best) (*top)++;
            }
    return m;
}

/* Reorders idx[0..m) so nodes take turns: first core of each node, then
 * the second of each, ... */
static void interleave_nodes(const realm_topo_core *cores, int *idx, int m, int n_nodes, int *tmp) {
    int out = 0;
    for (int round = 0; out < m; round++)
        for (int node = 0; node < n_nodes; node++) {
            int seen = 0;
            for (int j = 0; j < m; j++)
                if (cores[idx[j]].node == node && seen++ == round) {
                    tmp[out++] = idx[j];
                    break;
                }
        }
    memcpy(idx, tmp, sizeof *idx * (size_t)m);
}

/* Numbers the threads group by group (stable within a group) and fills the
 * group table. Groups are nodes with distribute, else one group. */
static void form_groups(realm_placement *p, const realm_thread_slot *planned, int n_nodes, bool by_node) {
    const int n_keys = by_node ? n_nodes : 1;
    int t = 0;
    p->n_groups = 0;
    for (int key = 0; key < n_keys; key++) {
        realm_sched_group g = {.thread0 = t, .n_threads = 0, .node = by_node ? key : planned[0].node};
        for (int i = 0; i < p->n_threads; i++) {
            if (by_node && planned[i].node != key) continue;
            if (!by_node && planned[i].node != g.node) g.node = -1;
            p->thread_group[t] = p->n_groups;
            p->slots[t++] = planned[i];
            g.n_threads++;
        }
        if (g.n_threads > 0) p->groups[p->n_groups++] = g;
    }
}

/* Distinct cores, PUs and nodes among the threads (at most 1024 threads:
 * quadratic is fine, once per runtime). */
static void count_used(realm_placement *p) {
    for (int i = 0; i < p->n_threads; i++) {
        bool core = true, pu = true, node = true;
        for (int j = 0; j < i; j++) {
            core = core && p->slots[j].core != p->slots[i].core;
            pu = pu && p->slots[j].pu != p->slots[i].pu;
            node = node && p->slots[j].node != p->slots[i].node;
        }
        p->n_cores_used += core;
        p->n_pus_used += pu;
        p->n_nodes_used += node;
    }
}

realm_status realm_place_threads(const realm_topo_core *cores, int n_cores, int n_nodes, int n_threads,
                                 realm_numa_policy numa, int home_node, realm_placement *out) {
    memset(out, 0, sizeof *out);
    if (n_nodes < 1) n_nodes = 1;
    int *idx = malloc(sizeof *idx * (size_t)(2 * n_cores + 1));
    if (!idx) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    int top;
    int m = candidates(cores, n_cores, numa, home_node, idx, &top);
    if (m == 0) {
        free(idx);
        return realm_error(
            REALM_ERR_INVALID_ARG,
            "realm_runtime_create: numa isolate: the calling thread's node has no usable core");
    }
    out->default_threads = top;
    if (n_threads == 0) { /* the default: performance cores only */
        n_threads = top;
        m = top;
    }
    if (numa == REALM_NUMA_DISTRIBUTE) interleave_nodes(cores, idx, m, n_nodes, idx + n_cores);

    out->n_threads = n_threads;
    out->slots = malloc(sizeof *out->slots * (size_t)n_threads);
    out->thread_group = malloc(sizeof *out->thread_group * (size_t)n_threads);
    out->groups = malloc(sizeof *out->groups * (size_t)n_nodes);
    realm_thread_slot *planned = malloc(sizeof *planned * (size_t)n_threads);
    if (!out->slots || !out->thread_group || !out->groups || !planned) {
        free(idx);
        free(planned);
        realm_placement_free(out);
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    }
    /* Pass 0 puts one thread on each core, pass 1 on each core's second PU
     * (SMT), and so on; past the last PU, passes share PUs again. */
    for (int t = 0; t < n_threads; t++) {
        const realm_topo_core *c = &cores[idx[t % m]];
        const int pass = t / m;
        planned[t] = (realm_thread_slot){.core = c->core, .pu = c->pus[pass % c->n_pus], .node = c->node};
    }
    form_groups(out, planned, n_nodes, numa == REALM_NUMA_DISTRIBUTE);
    count_used(out);
    free(planned);
    free(idx);
    return REALM_OK;
}

realm_sched_layout realm_placement_layout(const realm_placement *p) {
    return (realm_sched_layout){
        .n_threads = p->n_threads,
        .n_groups = p->n_groups,
        .groups = p->groups,
        .thread_group = p->thread_group,
    };
}

void realm_placement_free(realm_placement *p) {
    free(p->slots);
    free(p->groups);
    free(p->thread_group);
    memset(p, 0, sizeof *p);
}
