/* hwloc topology: loading (this machine or an override), usable cores with
 * their PUs, NUMA nodes and CPU kinds, the cpuset text, thread binding. */
#include "runtime/topology.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* This machine's topology, loaded once and copied into each runtime.
 * Loading takes milliseconds (and tens of them when hwloc has to set up its
 * components because no topology is alive), copying takes microseconds, and
 * the machine does not change under a running process. Read-only after the
 * pthread_once, so sharing it is safe. */
static hwloc_topology_t machine;
static int machine_errno;
static pthread_once_t machine_once = PTHREAD_ONCE_INIT;

static void load_machine(void) {
    if (hwloc_topology_init(&machine) != 0) {
        machine_errno = errno ? errno : ENOMEM;
        machine = NULL;
        return;
    }
    if (hwloc_topology_load(machine) != 0) {
        machine_errno = errno ? errno : EIO;
        hwloc_topology_destroy(machine);
        machine = NULL;
    }
}

static realm_status load_override(realm_topo *t, const char *xml, const char *synthetic) {
    if (hwloc_topology_init(&t->hw) != 0) {
        t->hw = NULL;
        return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: hwloc_topology_init failed");
    }
    if (xml) {
        /* Opened here first so that a missing file is an I/O error with the
         * system's reason, apart from a file hwloc cannot parse. */
        FILE *f = fopen(xml, "rb");
        if (!f)
            return realm_error(REALM_ERR_IO, "realm_runtime_create: cannot read topology file '%s': %s", xml,
                               strerror(errno));
        fclose(f);
        if (hwloc_topology_set_xml(t->hw, xml) != 0 || hwloc_topology_load(t->hw) != 0)
            return realm_error(REALM_ERR_FORMAT, "realm_runtime_create: '%s' is not an hwloc XML topology",
                               xml);
    } else {
        if (hwloc_topology_set_synthetic(t->hw, synthetic) != 0 || hwloc_topology_load(t->hw) != 0)
            return realm_error(REALM_ERR_INVALID_ARG,
                               "realm_runtime_create: '%s' is not an hwloc synthetic topology "
                               "(e.g. \"pack:2 numa:2 core:8 pu:2\")",
                               synthetic);
    }
    return REALM_OK;
}

static realm_status list_nodes(realm_topo *t) {
    const int n = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_NUMANODE);
    t->n_nodes = n > 0 ? n : 1;
    t->nodes = calloc((size_t)t->n_nodes, sizeof(hwloc_obj_t));
    if (!t->nodes) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    for (int i = 0; i < n; i++)
        t->nodes[i] = hwloc_get_obj_by_type(t->hw, HWLOC_OBJ_NUMANODE, (unsigned)i);
    return REALM_OK;
}

realm_status realm_topo_load(realm_topo *t, const char *xml, const char *synthetic) {
    memset(t, 0, sizeof *t);
    realm_status s;
    if (xml || synthetic) {
        s = load_override(t, xml, synthetic);
    } else {
        pthread_once(&machine_once, load_machine);
        if (!machine)
            return realm_error(REALM_ERR_UNSUPPORTED,
                               "realm_runtime_create: hwloc cannot load this machine's topology: %s",
                               strerror(machine_errno));
        s = hwloc_topology_dup(&t->hw, machine) == 0
                ? REALM_OK
                : realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: cannot copy the topology");
        if (s != REALM_OK) t->hw = NULL;
    }
    if (s != REALM_OK) return s;
    t->this_system = hwloc_topology_is_thissystem(t->hw) != 0;
    return list_nodes(t);
}

/* "0x..." is an hwloc bitmap string; anything else must be a list of
 * numbers and ranges, checked here because hwloc's list parser stops
 * quietly at the first character it does not know. */
static realm_status parse_cpuset(const char *text, hwloc_bitmap_t set) {
    if (strncmp(text, "0x", 2) == 0) {
        if (hwloc_bitmap_sscanf(set, text) != 0)
            return realm_error(REALM_ERR_INVALID_ARG,
                               "realm_runtime_create: cpuset '%s' is not an hwloc bitmap", text);
        return REALM_OK;
    }
    bool digit = false;
    for (const char *p = text; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            digit = true;
        } else if (*p != ',' && *p != '-' && *p != ' ') {
            digit = false;
            break;
        }
    }
    if (!digit || hwloc_bitmap_list_sscanf(set, text) != 0)
        return realm_error(
            REALM_ERR_INVALID_ARG,
            "realm_runtime_create: cpuset '%s' is not a CPU list like \"0-3,8\" or a bitmap like "
            "\"0xff\"",
            text);
    return REALM_OK;
}

/* The CPUs threads may use: the cpuset text, else the creating thread's
 * binding (what taskset or numactl gave the program), intersected with the
 * CPUs of the topology. */
static realm_status usable_cpus(const realm_topo *t, const char *text, hwloc_bitmap_t set) {
    hwloc_const_bitmap_t all = hwloc_topology_get_allowed_cpuset(t->hw);
    if (text) {
        realm_status s = parse_cpuset(text, set);
        if (s != REALM_OK) return s;
    } else if (!t->this_system || hwloc_get_cpubind(t->hw, set, HWLOC_CPUBIND_THREAD) != 0) {
        hwloc_bitmap_copy(set, all);
    }
    hwloc_bitmap_and(set, set, all);
    if (hwloc_bitmap_iszero(set)) {
        char have[256];
        hwloc_bitmap_list_snprintf(have, sizeof have, all);
        return realm_error(REALM_ERR_INVALID_ARG,
                           "realm_runtime_create: cpuset '%s' contains no CPU of the topology (CPUs %s)",
                           text ? text : "(binding of the calling thread)", have);
    }
    return REALM_OK;
}

static int node_of_pu(const realm_topo *t, int pu) {
    for (int i = 0; i < t->n_nodes; i++)
        if (t->nodes[i] && hwloc_bitmap_isset(t->nodes[i]->cpuset, (unsigned)pu)) return i;
    return 0;
}

/* Kind indexes are ranks only when hwloc knows every kind's efficiency. */
static bool kinds_ranked(hwloc_topology_t hw) {
    const int n = hwloc_cpukinds_get_nr(hw, 0);
    if (n < 2) return false;
    for (int k = 0; k < n; k++) {
        int eff = -1;
        if (hwloc_cpukinds_get_info(hw, (unsigned)k, NULL, &eff, NULL, NULL, 0) != 0 || eff < 0) return false;
    }
    return true;
}

/* Fills *c from one core object; false when none of its PUs is usable. */
static bool describe_core(const realm_topo *t, hwloc_obj_t obj, hwloc_const_bitmap_t usable, bool ranked,
                          realm_topo_core *c) {
    memset(c, 0, sizeof *c);
    c->core = (int)obj->logical_index;
    hwloc_obj_t pu = NULL;
    while ((pu = hwloc_get_next_obj_inside_cpuset_by_type(t->hw, obj->cpuset, HWLOC_OBJ_PU, pu)) != NULL)
        if (hwloc_bitmap_isset(usable, pu->os_index) && c->n_pus < REALM_TOPO_MAX_PUS)
            c->pus[c->n_pus++] = (int)pu->os_index;
    if (c->n_pus == 0) return false;
    c->node = node_of_pu(t, c->pus[0]);
    if (ranked) {
        const int k = hwloc_cpukinds_get_by_cpuset(t->hw, obj->cpuset, 0);
        c->kind = k > 0 ? k : 0;
    }
    return true;
}

realm_status realm_topo_select(realm_topo *t, const char *cpuset) {
    hwloc_bitmap_t usable = hwloc_bitmap_alloc();
    if (!usable) return realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    realm_status s = usable_cpus(t, cpuset, usable);
    /* Some platforms expose no cores: then every PU counts as one. */
    const hwloc_obj_type_t type =
        hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    const int n = hwloc_get_nbobjs_by_type(t->hw, type);
    if (s == REALM_OK) {
        t->cores = calloc(n > 0 ? (size_t)n : 1, sizeof *t->cores);
        if (!t->cores) s = realm_error(REALM_ERR_OUT_OF_MEMORY, "realm_runtime_create: out of memory");
    }
    if (s == REALM_OK) {
        const bool ranked = kinds_ranked(t->hw);
        t->n_cores = 0;
        for (int i = 0; i < n; i++) {
            hwloc_obj_t obj = hwloc_get_obj_by_type(t->hw, type, (unsigned)i);
            if (describe_core(t, obj, usable, ranked, &t->cores[t->n_cores])) t->n_cores++;
        }
    }
    hwloc_bitmap_free(usable);
    return s;
}

int realm_topo_home_node(const realm_topo *t) {
    if (!t->this_system) return 0;
    hwloc_bitmap_t where = hwloc_bitmap_alloc();
    int node = 0;
    if (where && hwloc_get_last_cpu_location(t->hw, where, HWLOC_CPUBIND_THREAD) == 0) {
        const int pu = hwloc_bitmap_first(where);
        if (pu >= 0) node = node_of_pu(t, pu);
    }
    hwloc_bitmap_free(where);
    return node;
}

int realm_topo_node_os_index(const realm_topo *t, int node) {
    if (node < 0 || node >= t->n_nodes || !t->nodes[node]) return -1;
    return (int)t->nodes[node]->os_index;
}

int realm_topo_bind_self(const realm_topo *t, int pu) {
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set) return ENOMEM;
    hwloc_bitmap_only(set, (unsigned)pu);
    const int rc = hwloc_set_cpubind(t->hw, set, HWLOC_CPUBIND_THREAD);
    const int err = rc == 0 ? 0 : (errno ? errno : EINVAL);
    hwloc_bitmap_free(set);
    return err;
}

void realm_topo_counts(const realm_topo *t, realm_topology_info *info) {
    const int cores = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_CORE);
    const int pus = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_PU);
    info->packages = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_PACKAGE);
    info->nodes = t->n_nodes;
    info->cores = cores > 0 ? cores : pus;
    info->pus = pus;
    const int kinds = hwloc_cpukinds_get_nr(t->hw, 0);
    info->cpu_kinds = kinds > 0 ? kinds : 1;
    info->this_system = t->this_system;
}

void realm_topo_free(realm_topo *t) {
    if (t->hw) hwloc_topology_destroy(t->hw);
    free(t->nodes);
    free(t->cores);
    memset(t, 0, sizeof *t);
}
