/* Profiling of plans (REALM_GRAPH_PROFILE): per-node counts, FLOPs against
 * their formulas, times, balance, the table, and the Chrome trace parsed
 * back with a small JSON reader; 1 and 2 threads; errors without the flag. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "realm/realm.h"
#include "test_runtime_sanitizer.h"
#include "util.h"

enum { DIM = 256, HID = 512, MAX_T = 8, T = 4, N_NODES = 5 };

/* x -> rms_norm -> matmul up (q4_K) -> silu -> matmul down (q8_0) -> + x */
typedef struct net {
    float norm_w[DIM];
    void *wu, *wd;
    realm_graph *g;
    realm_tensor *x, *out;
    float xdata[T * DIM];
} net;

static void *quant_weight(tu_rng *r, realm_type type, int64_t rows, int64_t cols) {
    const size_t rb = realm_row_bytes(type, cols);
    float *f = malloc(sizeof(float) * (size_t)(rows * cols));
    unsigned char *w = malloc(rb * (size_t)rows);
    cr_assert(f && w);
    tu_fill(r, f, rows * cols, 0.05f);
    for (int64_t i = 0; i < rows; i++)
        cr_assert_eq(realm_quantize_row(type, f + i * cols, w + i * rb, cols), REALM_OK);
    free(f);
    return w;
}

static void net_init(net *n) {
    tu_rng r = {5};
    tu_fill(&r, n->norm_w, DIM, 1.0f);
    tu_fill(&r, n->xdata, T * DIM, 1.0f);
    n->wu = quant_weight(&r, REALM_TYPE_Q4_K, HID, DIM);
    n->wd = quant_weight(&r, REALM_TYPE_Q8_0, DIM, HID);
    realm_status st;
    cr_assert_eq(realm_graph_create(&n->g), REALM_OK);
    const int64_t xd[2] = {REALM_DIM_DYNAMIC, DIM}, nd[1] = {DIM}, ud[2] = {HID, DIM}, dd[2] = {DIM, HID};
    n->x = realm_input(n->g, "x", 2, xd, MAX_T, &st);
    realm_tensor *nw = realm_weight(n->g, "norm", REALM_TYPE_F32, 1, nd, n->norm_w, &st);
    realm_tensor *wu = realm_weight(n->g, "up", REALM_TYPE_Q4_K, 2, ud, n->wu, &st);
    realm_tensor *wd = realm_weight(n->g, "down", REALM_TYPE_Q8_0, 2, dd, n->wd, &st);
    realm_tensor *h = realm_op_rms_norm(n->g, n->x, nw, 1e-5f, &st);
    realm_tensor *u = realm_op_matmul(n->g, wu, h, &st);
    realm_tensor *s = realm_op_silu(n->g, u, &st);
    realm_tensor *d = realm_op_matmul(n->g, wd, s, &st);
    n->out = realm_op_add(n->g, d, n->x, &st);
    cr_assert_not_null(n->out, "%s", realm_last_error());
    cr_assert_eq(realm_tensor_set_name(n->g, h, "h \"norm\"\\"), REALM_OK); /* escapes in the trace */
    cr_assert_eq(realm_tensor_set_name(n->g, u, "up_out"), REALM_OK);
    cr_assert_eq(realm_tensor_set_name(n->g, n->out, "out"), REALM_OK);
    cr_assert_eq(realm_graph_output(n->g, n->out), REALM_OK);
}

static void net_free(net *n) {
    realm_graph_destroy(n->g);
    free(n->wu);
    free(n->wd);
}

static realm_runtime *make_rt(int threads) {
    realm_runtime_params p = realm_runtime_params_default();
    p.n_threads = threads;
    p.executor = threads == 1 ? REALM_EXECUTOR_SERIAL : REALM_EXECUTOR_POOL;
    realm_runtime *rt = NULL;
    cr_assert_eq(realm_runtime_create(&p, &rt), REALM_OK, "%s", realm_last_error());
    return rt;
}

static realm_plan *compile(const net *n, realm_runtime *rt, uint32_t flags) {
    realm_graph_options o = realm_graph_options_default();
    o.flags = flags;
    realm_plan *plan = NULL;
    cr_assert_eq(realm_graph_compile(n->g, rt, &o, &plan), REALM_OK, "%s", realm_last_error());
    return plan;
}

static void run(realm_plan *plan, const net *n, float *y) {
    realm_binding b = {.tensor = n->x, .data = n->xdata, .shape = {.n_dims = 2, .dims = {T, DIM}}};
    cr_assert_eq(realm_plan_run(plan, &b, 1), REALM_OK, "%s", realm_last_error());
    const float *out = NULL;
    cr_assert_eq(realm_plan_output(plan, n->out, &out, NULL), REALM_OK);
    memcpy(y, out, sizeof(float) * T * DIM);
}

/* ---- a small JSON reader for the trace ------------------------------------- */

typedef struct jp {
    const char *s;
    size_t i, n;
    bool ok;
} jp;

typedef struct jev {
    char ph[8];
    bool has_ts, has_dur, has_tid, has_pid, has_name;
    double ts, dur, tid;
    int node;
} jev;

static void ws(jp *p) {
    while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]))
        p->i++;
}

static bool eat(jp *p, char c) {
    ws(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

/* A string with its escapes checked; up to cap-1 bytes of it (unescaped) in out. */
static bool jstring(jp *p, char *out, size_t cap) {
    size_t o = 0;
    if (!eat(p, '"')) return p->ok = false;
    while (p->i < p->n) {
        char c = p->s[p->i++];
        if (c == '"') {
            if (out) out[o] = 0;
            return true;
        }
        if ((unsigned char)c < 0x20) return p->ok = false;
        if (c == '\\') {
            if (p->i >= p->n) return p->ok = false;
            c = p->s[p->i++];
            if (c == 'u') {
                for (int k = 0; k < 4; k++)
                    if (p->i >= p->n || !strchr("0123456789abcdefABCDEF", p->s[p->i++]) || !p->s[p->i - 1])
                        return p->ok = false;
                c = '?';
            } else if (!strchr("\"\\/bfnrt", c)) {
                return p->ok = false;
            }
        }
        if (out && o + 1 < cap) out[o++] = c;
    }
    return p->ok = false;
}

static bool jnumber(jp *p, double *v) {
    ws(p);
    char *end;
    const double x = strtod(p->s + p->i, &end);
    if (end == p->s + p->i) return p->ok = false;
    p->i = (size_t)(end - p->s);
    if (v) *v = x;
    return true;
}

static bool jvalue(jp *p, int depth);

static bool jobject_rest(jp *p, int depth) { /* after '{' */
    if (eat(p, '}')) return true;
    do {
        if (!jstring(p, NULL, 0) || !eat(p, ':') || !jvalue(p, depth + 1)) return p->ok = false;
    } while (eat(p, ','));
    return eat(p, '}') || (p->ok = false);
}

static bool jvalue(jp *p, int depth) {
    if (depth > 32) return p->ok = false;
    ws(p);
    if (p->i >= p->n) return p->ok = false;
    const char c = p->s[p->i];
    if (c == '{') {
        p->i++;
        return jobject_rest(p, depth);
    }
    if (c == '[') {
        p->i++;
        if (eat(p, ']')) return true;
        do {
            if (!jvalue(p, depth + 1)) return false;
        } while (eat(p, ','));
        return eat(p, ']') || (p->ok = false);
    }
    if (c == '"') return jstring(p, NULL, 0);
    for (const char *const *w = (const char *const[]){"true", "false", "null", NULL}; *w; w++)
        if (strncmp(p->s + p->i, *w, strlen(*w)) == 0) {
            p->i += strlen(*w);
            return true;
        }
    return jnumber(p, NULL);
}

/* One element of traceEvents, with the fields the test checks. */
static bool jevent(jp *p, jev *e) {
    memset(e, 0, sizeof *e);
    e->node = -1;
    if (!eat(p, '{')) return p->ok = false;
    if (eat(p, '}')) return true;
    do {
        char key[32];
        if (!jstring(p, key, sizeof key) || !eat(p, ':')) return p->ok = false;
        if (strcmp(key, "ph") == 0) {
            if (!jstring(p, e->ph, sizeof e->ph)) return false;
        } else if (strcmp(key, "ts") == 0) {
            e->has_ts = jnumber(p, &e->ts);
        } else if (strcmp(key, "dur") == 0) {
            e->has_dur = jnumber(p, &e->dur);
        } else if (strcmp(key, "tid") == 0) {
            e->has_tid = jnumber(p, &e->tid);
        } else if (strcmp(key, "pid") == 0) {
            e->has_pid = jnumber(p, NULL);
        } else if (strcmp(key, "name") == 0) {
            e->has_name = jstring(p, NULL, 0);
        } else if (strcmp(key, "args") == 0) {
            if (!eat(p, '{')) return p->ok = false;
            if (eat(p, '}')) continue;
            do {
                char ak[32];
                if (!jstring(p, ak, sizeof ak) || !eat(p, ':')) return p->ok = false;
                double v;
                if (strcmp(ak, "node") == 0) {
                    if (!jnumber(p, &v)) return false;
                    e->node = (int)v;
                } else if (!jvalue(p, 2)) {
                    return false;
                }
            } while (eat(p, ','));
            if (!eat(p, '}')) return p->ok = false;
        } else if (!jvalue(p, 2)) {
            return false;
        }
        if (!p->ok) return false;
    } while (eat(p, ','));
    return eat(p, '}') || (p->ok = false);
}

enum { MAX_EV = 256 };

/* Parses {"traceEvents":[...], ...}; the whole text must be one JSON value. */
static int parse_trace(const char *text, size_t len, jev *ev) {
    jp p = {.s = text, .n = len, .ok = true};
    int n = 0;
    cr_assert(eat(&p, '{'), "trace does not start with an object");
    bool seen = false;
    do {
        char key[32];
        cr_assert(jstring(&p, key, sizeof key) && eat(&p, ':'), "bad key at %zu", p.i);
        if (strcmp(key, "traceEvents") == 0) {
            seen = true;
            cr_assert(eat(&p, '['));
            if (!eat(&p, ']')) {
                do {
                    cr_assert_lt(n, MAX_EV);
                    cr_assert(jevent(&p, &ev[n]), "bad event %d near byte %zu", n, p.i);
                    n++;
                } while (eat(&p, ','));
                cr_assert(eat(&p, ']'), "traceEvents not closed at %zu", p.i);
            }
        } else {
            cr_assert(jvalue(&p, 1), "bad value of %s", key);
        }
    } while (eat(&p, ','));
    cr_assert(eat(&p, '}'), "trace object not closed at %zu", p.i);
    ws(&p);
    cr_assert_eq(p.i, p.n, "trailing bytes after the trace");
    cr_assert(p.ok);
    cr_assert(seen, "no traceEvents");
    return n;
}

Test(graph_profile, json_reader_rejects_bad_text) {
    const char *bad[] = {"{\"a\":[1,2}", "{\"a\":\"x\\q\"}", "{\"a\":1", "[1,]", "{\"a\" 1}", "\"\x01\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jp p = {.s = bad[i], .n = strlen(bad[i]), .ok = true};
        const bool ok = jvalue(&p, 0) && p.ok;
        cr_assert(!ok, "accepted %s", bad[i]);
    }
    const char *good = "{\"a\":[1,-2.5e3,\"x\\\"\\u00e9\",{\"b\":null},true,false]}";
    jp p = {.s = good, .n = strlen(good), .ok = true};
    cr_assert(jvalue(&p, 0) && p.ok && p.i == p.n);
}

/* ---- tests ------------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len) {
    char *text = tu_read_file(path, len);
    cr_assert_not_null(text, "cannot read %s", path);
    return text;
}

static void check_profile(int threads) {
    net n;
    net_init(&n);
    realm_runtime *rt = make_rt(threads);
    realm_plan *plain = compile(&n, rt, 0), *plan = compile(&n, rt, REALM_GRAPH_PROFILE);
    static float y0[T * DIM], y1[T * DIM];
    run(plain, &n, y0);
    for (int r = 0; r < 3; r++)
        run(plan, &n, y1);
    cr_assert(memcmp(y0, y1, sizeof y0) == 0, "profiling changed the result");

    int count = 0;
    cr_assert_eq(realm_plan_profile_count(plan, &count), REALM_OK, "%s", realm_last_error());
    cr_assert_eq(count, N_NODES);
    const int64_t flops[N_NODES] = {3 * T * DIM, 2 * (int64_t)HID * DIM * T, (int64_t)T * HID,
                                    2 * (int64_t)DIM * HID * T, (int64_t)T * DIM};
    const char *ops[N_NODES] = {"rms_norm", "matmul", "unary", "matmul", "add"};
    const int64_t bytes_up = (int64_t)realm_row_bytes(REALM_TYPE_Q4_K, DIM) * HID + 4 * (T * DIM + T * HID);
    double total_s = 0;
    for (int i = 0; i < count; i++) {
        realm_node_profile np;
        cr_assert_eq(realm_plan_profile_get(plan, i, &np), REALM_OK, "%s", realm_last_error());
        cr_assert_eq(np.runs, 3);
        cr_assert_eq(np.flops, 3 * flops[i], "node %d (%s): flops %lld, expected 3 x %lld", i, np.op,
                     (long long)np.flops, (long long)flops[i]);
        cr_assert_str_eq(np.op, ops[i], "node %d", i);
        cr_assert_gt(np.seconds, 0.0, "node %d", i);
        cr_assert_gt(np.bytes, 0);
        cr_assert_geq(np.balance, 1.0 - 1e-9, "node %d balance %g", i, np.balance);
        cr_assert_leq(np.balance, (double)threads + 1e-9, "node %d balance %g", i, np.balance);
        cr_assert_eq(np.threads, threads);
        cr_assert_geq(np.threads_busy, 1);
        cr_assert_leq(np.busy_seconds, np.seconds * threads * 1.0001 + 1e-6, "node %d busy > threads x wall",
                      i);
        cr_assert(np.gflops > 0.0 && np.gbps > 0.0);
        total_s += np.seconds;
        if (i == 1) {
            cr_assert_str_eq(np.name, "up_out");
            cr_assert_eq(np.rows, T);
            cr_assert_eq(np.bytes, 3 * bytes_up);
            /* the activation quantization step runs on every thread */
            cr_assert_eq(np.threads_busy, threads);
        }
        if (i == 4) cr_assert_str_eq(np.name, "out");
        if (i == 2) cr_assert_str_eq(np.name, "");
    }
    cr_assert_gt(total_s, 0.0);

    /* the table */
    char *buf = NULL;
    size_t blen = 0;
    FILE *mf = open_memstream(&buf, &blen);
    cr_assert_not_null(mf);
    cr_assert_eq(realm_plan_print_profile(plan, mf), REALM_OK, "%s", realm_last_error());
    fclose(mf);
    cr_assert_not_null(strstr(buf, "rms_norm"));
    cr_assert_not_null(strstr(buf, "up_out"));
    cr_assert_not_null(strstr(buf, "total"));
    free(buf);

    /* the trace of the last run */
    char path[256];
    const int fd = tu_mkstemp(path, sizeof path, "realm-trace-");
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(realm_plan_write_trace(plan, path), REALM_OK, "%s", realm_last_error());
    size_t len = 0;
    char *text = read_all(path, &len);
    unlink(path);
    static jev ev[MAX_EV];
    const int n_ev = parse_trace(text, len, ev);
    free(text);
    int per[N_NODES][8] = {{0}}, names = 0;
    for (int e = 0; e < n_ev; e++) {
        cr_assert(ev[e].has_tid && ev[e].has_pid && ev[e].has_name && ev[e].ph[0], "event %d lacks fields",
                  e);
        cr_assert(ev[e].tid >= 0 && ev[e].tid < threads, "event %d: tid %g", e, ev[e].tid);
        if (strcmp(ev[e].ph, "M") == 0) {
            names++;
            continue;
        }
        cr_assert_str_eq(ev[e].ph, "X", "event %d", e);
        cr_assert(ev[e].has_ts && ev[e].has_dur, "event %d has no ts/dur", e);
        cr_assert(ev[e].ts >= 0 && ev[e].dur >= 0);
        cr_assert(ev[e].node >= 0 && ev[e].node < N_NODES, "event %d: node %d", e, ev[e].node);
        per[ev[e].node][(int)ev[e].tid]++;
    }
    cr_assert_geq(names, threads, "thread_name events");
    for (int i = 0; i < N_NODES; i++) {
        realm_node_profile np;
        cr_assert_eq(realm_plan_profile_get(plan, i, &np), REALM_OK);
        int tracks = 0;
        for (int t = 0; t < threads; t++) {
            cr_assert_leq(per[i][t], 1, "node %d thread %d: %d events", i, t, per[i][t]);
            tracks += per[i][t];
        }
        cr_assert_geq(tracks, 1, "node %d has no event", i);
        if (i == 1 || i == 3) cr_assert_eq(tracks, threads, "matmul node %d: %d tracks", i, tracks);
    }

    /* reset */
    cr_assert_eq(realm_plan_profile_reset(plan), REALM_OK);
    realm_node_profile np;
    cr_assert_eq(realm_plan_profile_get(plan, 1, &np), REALM_OK);
    cr_assert(np.runs == 0 && np.flops == 0 && np.seconds == 0.0);
    run(plan, &n, y1);
    cr_assert_eq(realm_plan_profile_get(plan, 1, &np), REALM_OK);
    cr_assert(np.runs == 1 && np.flops == flops[1]);

    realm_plan_destroy(plain);
    realm_plan_destroy(plan);
    realm_runtime_destroy(rt);
    net_free(&n);
}

Test(graph_profile, one_thread) { check_profile(1); }

Test(graph_profile, two_threads) { check_profile(2); }

Test(graph_profile, errors) {
    net n;
    net_init(&n);
    realm_runtime *rt = make_rt(1);
    realm_plan *plain = compile(&n, rt, 0);
    int count = -1;
    realm_node_profile np;
    cr_assert_eq(realm_plan_profile_count(plain, &count), REALM_ERR_STATE);
    cr_assert_not_null(strstr(realm_last_error(), "REALM_GRAPH_PROFILE"), "%s", realm_last_error());
    cr_assert_eq(realm_plan_profile_get(plain, 0, &np), REALM_ERR_STATE);
    cr_assert_eq(realm_plan_profile_reset(plain), REALM_ERR_STATE);
    cr_assert_eq(realm_plan_print_profile(plain, stderr), REALM_ERR_STATE);
    cr_assert_eq(realm_plan_write_trace(plain, "/tmp/realm-never-written.json"), REALM_ERR_STATE);
    cr_assert_eq(access("/tmp/realm-never-written.json", F_OK), -1);
    cr_assert_eq(realm_plan_profile_count(NULL, &count), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_profile_get(NULL, 0, &np), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_profile_reset(NULL), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_print_profile(NULL, stderr), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_write_trace(NULL, "x"), REALM_ERR_INVALID_ARG);

    realm_plan *plan = compile(&n, rt, REALM_GRAPH_PROFILE);
    cr_assert_eq(realm_plan_profile_count(plan, NULL), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_profile_get(plan, 0, NULL), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_profile_get(plan, -1, &np), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_profile_get(plan, N_NODES, &np), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_print_profile(plan, NULL), REALM_ERR_INVALID_ARG);
    cr_assert_eq(realm_plan_write_trace(plan, NULL), REALM_ERR_INVALID_ARG);
    /* no run yet: nothing to trace; sums are zero */
    cr_assert_eq(realm_plan_write_trace(plan, "/tmp/realm-never-written.json"), REALM_ERR_STATE);
    cr_assert_eq(realm_plan_profile_get(plan, 0, &np), REALM_OK);
    cr_assert(np.runs == 0 && np.flops == 0 && np.balance == 1.0);
    /* a failed run (missing binding) is not summed */
    cr_assert_neq(realm_plan_run(plan, NULL, 0), REALM_OK);
    cr_assert_eq(realm_plan_profile_get(plan, 0, &np), REALM_OK);
    cr_assert_eq(np.runs, 0);
    float y[T * DIM];
    run(plan, &n, y);
    cr_assert_eq(realm_plan_write_trace(plan, "/nonexistent-dir/trace.json"), REALM_ERR_IO);

    /* unknown flags */
    realm_graph_options o = realm_graph_options_default();
    o.flags = REALM_GRAPH_PROFILE | (1u << 5);
    realm_plan *bad = (realm_plan *)1;
    cr_assert_eq(realm_graph_compile(n.g, rt, &o, &bad), REALM_ERR_INVALID_ARG);
    cr_assert_null(bad);

    realm_plan_destroy(plain);
    realm_plan_destroy(plan);
    realm_runtime_destroy(rt);
    net_free(&n);
}

/* Attention through a KV cache: FLOPs follow the cache position (4 *
 * head_dim per head, query and visible key); get_rows counts the rows it
 * looks up, not the whole table. */
Test(graph_profile, attention_and_get_rows) {
    enum { NH = 4, NKV = 2, HD = 16, V = 32, COLS = NH * HD, MAXT = 8 };
    realm_graph *g = NULL;
    realm_status st;
    cr_assert_eq(realm_graph_create(&g), REALM_OK);
    realm_kv_cache *kv = NULL;
    cr_assert_eq(realm_kv_cache_create(1, 16, NKV, HD, &kv), REALM_OK, "%s", realm_last_error());
    const int64_t qd[3] = {REALM_DIM_DYNAMIC, NH, HD}, kd[3] = {REALM_DIM_DYNAMIC, NKV, HD},
                  td[2] = {V, COLS};
    realm_tensor *q = realm_input(g, "q", 3, qd, MAXT, &st), *k = realm_input(g, "k", 3, kd, MAXT, &st),
                 *v = realm_input(g, "v", 3, kd, MAXT, &st);
    realm_tensor *att = realm_op_attention(g, q, k, v, kv, 0, 0.25f, &st);
    cr_assert_not_null(att, "%s", realm_last_error());
    static float table[V * COLS];
    tu_rng r = {17};
    tu_fill(&r, table, V * COLS, 1.0f);
    realm_tensor *ids = realm_input_ids(g, "ids", MAXT, &st);
    realm_tensor *tw = realm_weight(g, "table", REALM_TYPE_F32, 2, td, table, &st);
    realm_tensor *emb = realm_op_get_rows(g, tw, ids, &st);
    cr_assert_not_null(emb, "%s", realm_last_error());
    cr_assert_eq(realm_graph_output(g, att), REALM_OK);
    cr_assert_eq(realm_graph_output(g, emb), REALM_OK);
    realm_runtime *rt = make_rt(2);
    realm_plan *plan = NULL;
    realm_graph_options o = realm_graph_options_default();
    o.flags = REALM_GRAPH_PROFILE;
    cr_assert_eq(realm_graph_compile(g, rt, &o, &plan), REALM_OK, "%s", realm_last_error());
    static float qv[MAXT * NH * HD], kvv[MAXT * NKV * HD];
    tu_fill(&r, qv, MAXT * NH * HD, 1.0f);
    tu_fill(&r, kvv, MAXT * NKV * HD, 1.0f);
    const int32_t idv[MAXT] = {3, 1, 4, 1, 5, 9, 2, 6};
    const int64_t runs_t[2] = {3, 2};
    for (int i = 0; i < 2; i++) {
        const int64_t T = runs_t[i];
        realm_binding b[4] = {
            {.tensor = q, .data = qv, .shape = {3, {T, NH, HD}}},
            {.tensor = k, .data = kvv, .shape = {3, {T, NKV, HD}}},
            {.tensor = v, .data = kvv, .shape = {3, {T, NKV, HD}}},
            {.tensor = ids, .data = (const float *)(const void *)idv, .shape = {1, {T}}},
        };
        cr_assert_eq(realm_plan_run(plan, b, 4), REALM_OK, "%s", realm_last_error());
    }
    int count = 0;
    cr_assert_eq(realm_plan_profile_count(plan, &count), REALM_OK);
    bool saw_att = false, saw_rows = false;
    for (int i = 0; i < count; i++) {
        realm_node_profile np;
        cr_assert_eq(realm_plan_profile_get(plan, i, &np), REALM_OK);
        cr_assert_eq(np.runs, 2);
        if (strcmp(np.op, "attention") == 0) {
            saw_att = true;
            /* run 1: 3 tokens at position 0 see 1+2+3 keys; run 2: 2 tokens at 3 see 4+5 */
            cr_assert_eq(np.flops, 4 * HD * NH * (6 + 9), "attention flops %lld", (long long)np.flops);
            cr_assert_gt(np.bytes, 2 * (3 + 5) * NKV * HD * 4);
        } else if (strcmp(np.op, "get_rows") == 0) {
            saw_rows = true;
            cr_assert_eq(np.flops, 0);
            cr_assert_eq(np.bytes, (3 + 2) * (2 * COLS * 4 + 4), "get_rows bytes %lld", (long long)np.bytes);
        }
        cr_assert_geq(np.balance, 1.0 - 1e-9);
    }
    cr_assert(saw_att && saw_rows, "attention %d, get_rows %d", saw_att, saw_rows);
    realm_plan_destroy(plan);
    realm_runtime_destroy(rt);
    realm_graph_destroy(g);
    realm_kv_cache_destroy(kv);
}
