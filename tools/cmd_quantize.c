/* `realm quantize IN OUT TYPE`: requantize a GGUF model's matrices from
 * f32/f16 (metadata and vectors copied as they are). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "diag.h"
#include "model_maker.h"
#include "realm/realm.h"

#define CMD "quantize"

/* "blk.12.attn_v.weight" -> role "attn_v", layer 12; others layer -1. */
static void tensor_role(const char *name, char *role, size_t cap, int *layer) {
    *layer = -1;
    const char *r = name;
    if (strncmp(name, "blk.", 4) == 0) {
        *layer = atoi(name + 4);
        const char *dot = strchr(name + 4, '.');
        r = dot ? dot + 1 : name;
    }
    size_t n = strcspn(r, ".");
    if (n >= cap) n = cap - 1;
    memcpy(role, r, n);
    role[n] = 0;
}

static realm_status quantize_file(const char *in, const char *out, const tool_type_mix *mix, bool *reported) {
    realm_gguf *g = NULL;
    realm_gguf_writer *w = NULL;
    void **bufs = NULL;
    int64_t nb = 0;
    realm_status st = realm_gguf_open(in, &g);
    if (st == REALM_OK) st = realm_gguf_writer_create(&w);
    for (int64_t i = 0; st == REALM_OK && i < realm_gguf_n_kv(g); i++)
        if (strcmp(realm_gguf_key(g, i), "general.file_type") != 0) st = realm_gguf_writer_copy_kv(w, g, i);
    const int64_t nt = st == REALM_OK ? realm_gguf_n_tensors(g) : 0;
    int64_t n_layer = 0;
    if (st == REALM_OK && realm_gguf_find_key(g, "llama.block_count") >= 0)
        st = realm_gguf_get_i64(g, "llama.block_count", &n_layer);
    if (st == REALM_OK && !(bufs = calloc((size_t)nt + 1, sizeof *bufs))) st = REALM_ERR_OUT_OF_MEMORY;
    for (int64_t i = 0; st == REALM_OK && i < nt; i++) {
        realm_gguf_tensor t;
        if ((st = realm_gguf_tensor_info(g, i, &t)) != REALM_OK) break;
        char role[64];
        int layer;
        tensor_role(t.name, role, sizeof role, &layer);
        realm_type to = t.n_dims == 2 ? tool_type_mix_pick(mix, role, layer, (int)n_layer) : t.type;
        if (t.n_dims == 2) to = tool_type_fallback(to, t.ne[0]);
        if (to == t.type) {
            st = realm_gguf_writer_add_tensor(w, t.name, t.type, t.n_dims, t.ne, t.data, t.bytes);
            continue;
        }
        if (t.type != REALM_TYPE_F32 && t.type != REALM_TYPE_F16) {
            tool_error(CMD, "tensor '%s' is %s: only f32 and f16 matrices are quantized", t.name,
                       realm_type_name(t.type));
            *reported = true;
            st = REALM_ERR_UNSUPPORTED;
            break;
        }
        const int64_t cols = t.ne[0], rows = t.ne[1];
        const size_t ib = realm_row_bytes(t.type, cols), ob = realm_row_bytes(to, cols);
        unsigned char *o = malloc(ob * (size_t)rows);
        float *row = malloc(sizeof(float) * (size_t)cols);
        if (!o || !row) {
            free(o);
            free(row);
            st = REALM_ERR_OUT_OF_MEMORY;
            break;
        }
        bufs[nb++] = o;
        for (int64_t r = 0; r < rows && st == REALM_OK; r++) {
            st = realm_dequantize_row(t.type, (const unsigned char *)t.data + (size_t)r * ib, row, cols);
            if (st == REALM_OK) st = realm_quantize_row(to, row, o + (size_t)r * ob, cols);
        }
        free(row);
        if (st == REALM_OK)
            st = realm_gguf_writer_add_tensor(w, t.name, to, t.n_dims, t.ne, o, ob * (size_t)rows);
        fprintf(stderr, "\rrealm quantize: %lld/%lld tensors", (long long)i + 1, (long long)nt);
    }
    fprintf(stderr, "\n");
    if (st == REALM_OK) st = realm_gguf_writer_write(w, out);
    for (int64_t i = 0; i < nb; i++)
        free(bufs[i]);
    free(bufs);
    realm_gguf_writer_destroy(w);
    realm_gguf_close(g);
    return st;
}

int tool_cmd_quantize(int argc, char **argv) {
    tool_cli cli = {CMD,
                    "Quantize the matrices of a GGUF model (f32 or f16) to TYPE: any of the 12 types, f16,\n"
                    "or the q4_K_M / q5_K_M mixes. Vectors and metadata are copied.\n\n"
                    "usage: realm quantize IN.gguf OUT.gguf TYPE",
                    NULL, 0};
    const char *pos[3];
    int n_pos, code;
    if (!tool_args_parse_pos(&cli, argc, argv, &code, pos, 3, &n_pos)) return code;
    if (n_pos != 3) {
        tool_error(CMD, "expected IN.gguf OUT.gguf TYPE (see 'realm quantize --help')");
        return TOOL_EXIT_USAGE;
    }
    tool_type_mix mix;
    if (!tool_type_mix_parse(pos[2], &mix)) {
        tool_error(CMD, "unknown type '%s'", pos[2]);
        return TOOL_EXIT_USAGE;
    }
    bool reported = false;
    realm_status st = quantize_file(pos[0], pos[1], &mix, &reported);
    if (st != REALM_OK) {
        if (!reported) tool_error_status(CMD, st, pos[0]);
        return TOOL_EXIT_FAILURE;
    }
    return TOOL_EXIT_OK;
}
