/* A SwiGLU feed-forward block built with the public graph API:
 *
 *   h   = rms_norm(x) * norm_w          (tokens, dim)
 *   g   = W_gate h, u = W_up h          (tokens, hidden), q4_K weights
 *   s   = silu(g) * u                   (tokens, hidden)
 *   out = x + W_down s                  (tokens, dim)
 *
 * Weights are random, quantized with realm_quantize_row(); the token count
 * is bound at run time. Prints the plan's arena and a checksum of the output.
 *
 *   example_ffn [tokens] [threads]
 */
#include <stdio.h>
#include <stdlib.h>

#include "realm/realm.h"

enum { DIM = 512, HIDDEN = 1536, MAX_TOKENS = 32 };

/* Deterministic uniform values in [-scale, scale). */
static void fill(float *x, int64_t n, float scale, uint64_t *state) {
    for (int64_t i = 0; i < n; i++) {
        *state = *state * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = scale * ((float)(*state >> 40) / (float)(1 << 24) * 2.0f - 1.0f);
    }
}

/* rows x cols random floats quantized to q4_K, or NULL. */
static void *random_q4k(int64_t rows, int64_t cols, uint64_t *state) {
    const size_t rb = realm_row_bytes(REALM_TYPE_Q4_K, cols);
    float *row = malloc(sizeof(float) * (size_t)cols);
    unsigned char *w = malloc(rb * (size_t)rows);
    if (!row || !w) {
        free(row);
        free(w);
        return NULL;
    }
    for (int64_t r = 0; r < rows; r++) {
        fill(row, cols, 0.05f, state);
        realm_quantize_row(REALM_TYPE_Q4_K, row, w + (size_t)r * rb, cols);
    }
    free(row);
    return w;
}

static int check(realm_status s, const char *what) {
    if (s != REALM_OK)
        fprintf(stderr, "example_ffn: %s: %s (%s)\n", what, realm_status_str(s), realm_last_error());
    return s != REALM_OK;
}

int main(int argc, char **argv) {
    const int64_t tokens = argc > 1 ? atoll(argv[1]) : 7;
    const int threads = argc > 2 ? atoi(argv[2]) : 0;
    uint64_t state = 42;
    float norm_w[DIM];
    fill(norm_w, DIM, 1.0f, &state);
    void *w_gate = random_q4k(HIDDEN, DIM, &state), *w_up = random_q4k(HIDDEN, DIM, &state);
    void *w_down = random_q4k(DIM, HIDDEN, &state);
    float *x = malloc(sizeof(float) * MAX_TOKENS * DIM);
    if (!w_gate || !w_up || !w_down || !x || tokens < 1 || tokens > MAX_TOKENS) {
        fprintf(stderr, "example_ffn: out of memory or tokens not in 1..%d\n", MAX_TOKENS);
        return 1;
    }
    fill(x, tokens * DIM, 1.0f, &state);

    realm_graph *g = NULL;
    if (check(realm_graph_create(&g), "graph")) return 1;
    realm_status st;
    const int64_t x_dims[2] = {REALM_DIM_DYNAMIC, DIM}, nw_dims[1] = {DIM};
    const int64_t up_dims[2] = {HIDDEN, DIM}, down_dims[2] = {DIM, HIDDEN};
    realm_tensor *in = realm_input(g, "x", 2, x_dims, MAX_TOKENS, &st);
    realm_tensor *nw = realm_weight(g, "ffn_norm", REALM_TYPE_F32, 1, nw_dims, norm_w, &st);
    realm_tensor *wg = realm_weight(g, "ffn_gate", REALM_TYPE_Q4_K, 2, up_dims, w_gate, &st);
    realm_tensor *wu = realm_weight(g, "ffn_up", REALM_TYPE_Q4_K, 2, up_dims, w_up, &st);
    realm_tensor *wd = realm_weight(g, "ffn_down", REALM_TYPE_Q4_K, 2, down_dims, w_down, &st);
    realm_tensor *h = realm_op_rms_norm(g, in, nw, 1e-5f, &st);
    realm_tensor *gate = realm_op_matmul(g, wg, h, &st);
    realm_tensor *up = realm_op_matmul(g, wu, h, &st);
    realm_tensor *s = realm_op_swiglu(g, gate, up, &st);
    realm_tensor *down = realm_op_matmul(g, wd, s, &st);
    realm_tensor *out = realm_op_add(g, in, down, &st);
    if (check(st, "build") || check(realm_graph_output(g, out), "output")) return 1;

    realm_runtime_params rp = realm_runtime_params_default();
    rp.n_threads = threads;
    realm_runtime *rt = NULL;
    realm_plan *plan = NULL;
    if (check(realm_runtime_create(&rp, &rt), "runtime") ||
        check(realm_graph_compile(g, rt, NULL, &plan), "compile"))
        return 1;
    realm_plan_info info;
    realm_plan_get_info(plan, &info);
    printf("ffn: dim %d hidden %d tokens %lld, %d nodes, %s\n", DIM, HIDDEN, (long long)tokens, info.n_nodes,
           realm_runtime_description(rt));
    printf("arena %zu bytes (lower bound %zu) for up to %lld tokens\n", info.arena_bytes,
           info.arena_lower_bound, (long long)info.max_tokens);

    realm_binding b = {.name = "x", .data = x, .shape = {.n_dims = 2, .dims = {tokens, DIM}}};
    const float *y = NULL;
    realm_shape ys;
    if (check(realm_plan_run(plan, &b, 1), "run") || check(realm_plan_output(plan, out, &y, &ys), "output"))
        return 1;
    double sum = 0, abs_sum = 0;
    for (int64_t i = 0; i < ys.dims[0] * ys.dims[1]; i++) {
        sum += y[i];
        abs_sum += y[i] < 0 ? -y[i] : y[i];
    }
    printf("output [%lld, %lld]: sum %.6f, sum|y| %.6f\n", (long long)ys.dims[0], (long long)ys.dims[1], sum,
           abs_sum);

    realm_plan_destroy(plan);
    realm_runtime_destroy(rt);
    realm_graph_destroy(g);
    free(w_gate);
    free(w_up);
    free(w_down);
    free(x);
    return 0;
}
