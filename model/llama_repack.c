/* Repacking a loaded llama model's matmul weights to the layout this CPU's
 * decode kernels prefer (realm/repack.h). The file stays GGUF; the copies
 * are the model's and go with it. token_embd stays in place even when tied
 * to the output: get_rows reads its rows. */
#include <stdlib.h>

#include "core/error.h"
#include "model/llama_impl.h"

static realm_status repack_one(model_weight *w, int64_t rows, int64_t k) {
    if (!w->present || w->packed) return REALM_OK;
    const realm_layout l = realm_layout_preferred(w->type);
    if (l == REALM_LAYOUT_GGUF) return REALM_OK;
    void *p = aligned_alloc(64, (w->bytes + 63) & ~(size_t)63);
    if (!p) return realm_error(REALM_ERR_OUT_OF_MEMORY, "model: %zu bytes to repack a weight", w->bytes);
    const realm_status st = realm_repack(w->type, l, w->data, p, rows, k);
    if (st != REALM_OK) {
        free(p);
        return st;
    }
    w->packed = p;
    w->data = p;
    w->layout = l;
    return REALM_OK;
}

realm_status llama_repack_weights(realm_model *m) {
    const realm_model_hparams *h = &m->hp;
    const int64_t E = h->n_embd, kv = E / h->n_head * h->n_head_kv, F = h->n_ff;
    realm_status st = repack_one(&m->output, h->n_vocab, E);
    for (int64_t l = 0; st == REALM_OK && l < h->n_layer; l++) {
        model_layer *L = &m->layers[l];
        if ((st = repack_one(&L->wq, E, E)) || (st = repack_one(&L->wk, kv, E)) ||
            (st = repack_one(&L->wv, kv, E)) || (st = repack_one(&L->wo, E, E)) ||
            (st = repack_one(&L->w_gate, F, E)) || (st = repack_one(&L->w_up, F, E)))
            break;
        st = repack_one(&L->w_down, E, F);
    }
    return st;
}

void llama_free_packed(realm_model *m) {
    free(m->output.packed);
    for (int64_t l = 0; m->layers && l < m->hp.n_layer; l++) {
        model_layer *L = &m->layers[l];
        model_weight *ws[] = {&L->wq, &L->wk, &L->wv, &L->wo, &L->w_gate, &L->w_up, &L->w_down};
        for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
            free(ws[i]->packed);
    }
}
