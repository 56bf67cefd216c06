/* realm_plan_write_trace(): the last profiled run as Chrome trace JSON
 * (chrome://tracing, Perfetto): one complete ("X") event per node per thread
 * that worked in it, on that thread's track, times in microseconds from the
 * start of the run, plus thread_name metadata. */
#include <stdio.h>

#include "core/error.h"
#include "graph/graph_impl.h"
#include "graph/profile.h"

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

static double us_since(int64_t t, int64_t start) { return (double)(t - start) * 1e-3; }

realm_status realm_plan_write_trace(const realm_plan *plan, const char *path) {
    static const char fn[] = "realm_plan_write_trace";
    realm_status st = graph_profile_check(plan, fn);
    if (st != REALM_OK) return st;
    if (!path) return realm_error(REALM_ERR_INVALID_ARG, "%s: NULL path", fn);
    const graph_profile *prof = plan->prof;
    if (!prof->last_ok) return realm_error(REALM_ERR_STATE, "%s: no successful profiled run to trace", fn);
    FILE *f = fopen(path, "w");
    if (!f) return realm_error(REALM_ERR_IO, "%s: cannot open '%s' for writing", fn, path);
    fprintf(f, "{\"traceEvents\":[\n");
    fprintf(
        f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"realm plan\"}}");
    for (int j = 0; j < prof->n_threads; j++)
        fprintf(f,
                ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"thread "
                "%d\"}}",
                j, j);
    for (int i = 0; i < prof->n_nodes; i++) {
        const realm_tensor *t = plan->nodes[i];
        const char *op = graph_op_name(t->op);
        const graph_prof_node *n = &prof->nodes[i];
        for (int j = 0; j < prof->n_threads; j++) {
            const graph_prof_slot *s = &prof->slots[(size_t)i * (size_t)prof->n_threads + (size_t)j];
            if (!s->t0) continue;
            fprintf(f, ",\n{\"name\":");
            json_string(f, t->name[0] ? t->name : op);
            fprintf(f, ",\"cat\":");
            json_string(f, op);
            fprintf(
                f,
                ",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"node\":%d,\"op\":",
                j, us_since(s->t0, prof->run_start), us_since(s->t1, s->t0), i);
            json_string(f, op);
            fprintf(f, ",\"busy_us\":%.3f,\"rows\":%lld,\"flops\":%lld,\"bytes\":%lld,\"node_us\":%.3f}}",
                    (double)s->busy * 1e-3, (long long)n->rows, (long long)n->flops, (long long)n->bytes,
                    us_since(n->end, n->start));
        }
    }
    fprintf(f, "\n],\"displayTimeUnit\":\"ns\"}\n");
    const bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) return realm_error(REALM_ERR_IO, "%s: write error on '%s'", fn, path);
    return REALM_OK;
}
