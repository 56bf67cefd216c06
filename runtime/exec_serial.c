/* The serial executor: the calling thread runs every step, nothing else
 * runs. The reference for "same bits with any executor". */
#include "runtime/runtime_impl.h"

static realm_status serial_start(realm_runtime *rt) {
    rt->exec_state = NULL;
    return REALM_OK;
}

static void serial_stop(realm_runtime *rt) { (void)rt; }

static void serial_run(realm_runtime *rt, const realm_region *r) {
    (void)rt;
    for (int s = 0; s < r->n_steps; s++)
        realm_region_run_step(r, s, 0);
}

const realm_exec_ops realm_exec_serial = {.start = serial_start, .stop = serial_stop, .run = serial_run};
