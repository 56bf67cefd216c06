/* `realm bench graph`, run as a separate process: JSON lines with the
 * fields and values asked for, CSV and table forms, per_node_us consistent
 * with the run time, and one-line errors for bad options. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

#ifndef REALM_TOOL_PATH
#define REALM_TOOL_PATH "realm"
#endif

typedef struct run_result {
    int status; /* exit code, or -1 when the tool did not exit normally */
    char *out, *err;
} run_result;

/* Runs `realm args...` (NULL-terminated) with stdout/stderr in temp files. */
static run_result run_tool(const char *const *args) {
    char *argv[32];
    const char *env = getenv("REALM_TOOL");
    int n = 0;
    argv[n++] = (char *)(env && *env ? env : REALM_TOOL_PATH);
    for (; args[n - 1] && n < 31; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    char out_path[256], err_path[256];
    const int fo = tu_mkstemp(out_path, sizeof out_path, "realm-bg-out-");
    const int fe = tu_mkstemp(err_path, sizeof err_path, "realm-bg-err-");
    cr_assert(fo >= 0 && fe >= 0, "mkstemp failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fo, 1);
    posix_spawn_file_actions_adddup2(&fa, fe, 2);
    pid_t pid;
    const int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fo);
    close(fe);
    cr_assert_eq(rc, 0, "cannot start %s: %s", argv[0], strerror(rc));
    int ws = 0;
    cr_assert_eq(waitpid(pid, &ws, 0), pid);
    run_result r = {.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1};
    size_t lo = 0, le = 0;
    r.out = tu_read_file(out_path, &lo);
    r.err = tu_read_file(err_path, &le);
    unlink(out_path);
    unlink(err_path);
    cr_assert(r.out && r.err, "cannot read the captured output");
    r.out = realloc(r.out, lo + 1);
    r.err = realloc(r.err, le + 1);
    r.out[lo] = '\0';
    r.err[le] = '\0';
    return r;
}

#define RUN(...) run_tool((const char *const[]){__VA_ARGS__, NULL})

static void free_result(run_result *r) {
    free(r->out);
    free(r->err);
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The number after "key": in a JSON line; fails the test when absent. */
static double json_num(const char *line, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    cr_assert_not_null(p, "no %s in %s", key, line);
    char *end;
    const double v = strtod(p + strlen(pat), &end);
    cr_assert_neq(end, p + strlen(pat), "%s is not a number in %s", key, line);
    return v;
}

Test(tool_bench_graph, json_lines) {
    run_result r =
        RUN("bench", "graph", "--nodes", "12", "--threads", "1,2", "--reps", "50", "--format", "json");
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert_eq(count_lines(r.out), 2, "expected 2 lines:\n%s", r.out);
    const char *line = r.out;
    for (int i = 0; i < 2; i++) {
        const char *nl = strchr(line, '\n');
        char buf[512];
        const size_t len = (size_t)(nl - line);
        cr_assert_lt(len, sizeof buf);
        memcpy(buf, line, len);
        buf[len] = 0;
        cr_assert(buf[0] == '{' && buf[len - 1] == '}', "not an object: %s", buf);
        cr_assert_not_null(strstr(buf, "\"bench\":\"graph\""), "%s", buf);
        cr_assert_eq(json_num(buf, "nodes"), 12.0);
        cr_assert_eq(json_num(buf, "threads"), (double)(i + 1));
        cr_assert_eq(json_num(buf, "reps"), 50.0);
        const double per = json_num(buf, "per_node_us"), med = json_num(buf, "median_run_us");
        cr_assert_gt(per, 0.0, "%s", buf);
        cr_assert_float_eq(per * 12.0, med, 1e-3 + 1e-3 * med, "per_node_us x nodes != median: %s", buf);
        cr_assert_leq(json_num(buf, "p10_run_us"), med);
        cr_assert_geq(json_num(buf, "p90_run_us"), med);
        cr_assert_not_null(strstr(buf, "\"profiled\":false"), "%s", buf);
        line = nl + 1;
    }
    free_result(&r);
}

Test(tool_bench_graph, csv_and_table) {
    run_result r = RUN("bench", "graph", "--nodes", "5", "--reps", "20", "--format", "csv");
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert_eq(count_lines(r.out), 2, "%s", r.out);
    cr_assert_eq(strncmp(r.out, "bench,nodes,threads,executor,per_node_us,", 41), 0, "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\ngraph,5,1,pool,"), "%s", r.out);
    free_result(&r);
    r = RUN("bench", "graph", "--nodes", "3", "--reps", "10", "--executor", "serial");
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert_eq(count_lines(r.out), 2, "%s", r.out);
    cr_assert_not_null(strstr(r.out, "per_node_us"));
    cr_assert_not_null(strstr(r.out, "serial"));
    free_result(&r);
}

Test(tool_bench_graph, help_and_listing) {
    run_result r = RUN("bench", "graph", "--help");
    cr_assert_eq(r.status, 0);
    cr_assert_not_null(strstr(r.out, "--nodes"));
    cr_assert_not_null(strstr(r.out, "--threads"));
    free_result(&r);
    r = RUN("bench", "--help");
    cr_assert_eq(r.status, 0);
    cr_assert_not_null(strstr(r.out, "graph"));
    free_result(&r);
}

Test(tool_bench_graph, bad_options) {
    const char *const bad[][6] = {
        {"bench", "graph", "--nodes", "0", NULL},  {"bench", "graph", "--threads", "1,x", NULL},
        {"bench", "graph", "--threads", "", NULL}, {"bench", "graph", "--threads", "-1", NULL},
        {"bench", "graph", "--reps", "0", NULL},   {"bench", "graph", "--format", "xml", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run_result r = run_tool(bad[i]);
        cr_assert_eq(r.status, 2, "case %zu: exit %d", i, r.status);
        cr_assert_eq(r.out[0], '\0', "case %zu: stdout %s", i, r.out);
        cr_assert_eq(count_lines(r.err), 1, "case %zu: stderr %s", i, r.err);
        cr_assert_not_null(strstr(r.err, "error"), "case %zu: %s", i, r.err);
        free_result(&r);
    }
    /* a runtime the machine refuses: the serial executor with 2 threads */
    run_result r = RUN("bench", "graph", "--threads", "2", "--executor", "serial", "--reps", "5");
    cr_assert_eq(r.status, 1, "exit %d", r.status);
    cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
    free_result(&r);
}

Test(tool_bench_graph, trace) {
    char path[256];
    const int fd = tu_mkstemp(path, sizeof path, "realm-bg-trace-");
    cr_assert_geq(fd, 0);
    close(fd);
    run_result r = RUN("bench", "graph", "--nodes", "4", "--threads", "2", "--reps", "20", "--format", "json",
                       "--trace", path);
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.out, "\"profiled\":true"), "%s", r.out);
    cr_assert_not_null(strstr(r.err, "profile: 4 nodes, 2 threads, 20 runs"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "total"), "%s", r.err);
    size_t len = 0;
    char *raw = tu_read_file(path, &len);
    unlink(path);
    cr_assert_not_null(raw);
    char *text = realloc(raw, len + 1);
    cr_assert_not_null(text);
    text[len] = '\0';
    cr_assert_eq(strncmp(text, "{\"traceEvents\":[", 16), 0, "%.40s", text);
    int x_events = 0;
    for (const char *p = text; (p = strstr(p, "\"ph\":\"X\"")) != NULL; p++)
        x_events++;
    cr_assert_geq(x_events, 4, "one X event per node at least, got %d", x_events);
    cr_assert_not_null(strstr(text, "\"thread_name\""));
    free(text);
    free_result(&r);

    r = RUN("bench", "graph", "--threads", "1,2", "--trace", "/tmp/never");
    cr_assert_eq(r.status, 2, "exit %d", r.status);
    cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
    free_result(&r);
    r = RUN("bench", "graph", "--reps", "5", "--trace", "/nonexistent-dir/t.json");
    cr_assert_eq(r.status, 1, "exit %d", r.status);
    cr_assert_not_null(strstr(r.err, "nonexistent-dir"), "%s", r.err);
    free_result(&r);
}
