/* libFuzzer target: the GGUF reader on arbitrary bytes.
 *
 * realm_gguf_open_memory() on the input; when it accepts the file, every
 * getter on every key (right and wrong types), every element of every
 * array, every tensor's info and every byte of its data, a dequantized
 * first row, and a tokenizer built from the file's tokenizer.ggml.* keys
 * (tokenize + detokenize a fixed text). Errors are fine; crashes, reads
 * outside the buffer (ASan), UB, leaks, a failing call without a message,
 * or tensor data outside the buffer are not. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realm/gguf.h"
#include "realm/quant.h"
#include "realm/tokenizer.h"

static void check(bool ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "fuzz_gguf: %s\n", what);
        abort();
    }
}

static void check_message(realm_status st) {
    check(st == REALM_OK || realm_last_error()[0] != '\0', "an error without a message");
}

static size_t vtype_size(realm_gguf_vtype t) {
    switch (t) {
    case REALM_GGUF_UINT8:
    case REALM_GGUF_INT8:
    case REALM_GGUF_BOOL:
        return 1;
    case REALM_GGUF_UINT16:
    case REALM_GGUF_INT16:
        return 2;
    case REALM_GGUF_UINT32:
    case REALM_GGUF_INT32:
    case REALM_GGUF_FLOAT32:
        return 4;
    case REALM_GGUF_UINT64:
    case REALM_GGUF_INT64:
    case REALM_GGUF_FLOAT64:
        return 8;
    default:
        return 0;
    }
}

static volatile uint8_t sink;

static void touch(const void *p, size_t n) {
    const uint8_t *b = p;
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= b[i];
    sink ^= x;
}

static void walk_kv(const realm_gguf *g, int64_t i) {
    const char *key = realm_gguf_key(g, i);
    check(key != NULL, "NULL key in range");
    check(realm_gguf_find_key(g, key) >= 0, "a key that find_key cannot find");
    const realm_gguf_vtype t = realm_gguf_kv_type(g, i);
    check(t >= 0 && t < REALM_GGUF_VTYPE_COUNT, "bad kv type");
    check(realm_gguf_vtype_name(t) != NULL, "NULL type name");
    uint32_t u32;
    uint64_t u64;
    int64_t i64;
    float f32;
    bool b;
    const char *s;
    size_t len;
    check_message(realm_gguf_get_u32(g, key, &u32));
    check_message(realm_gguf_get_u64(g, key, &u64));
    check_message(realm_gguf_get_i64(g, key, &i64));
    check_message(realm_gguf_get_f32(g, key, &f32));
    check_message(realm_gguf_get_bool(g, key, &b));
    realm_status st = realm_gguf_get_str(g, key, &s, &len);
    check_message(st);
    if (st == REALM_OK) touch(s, len);
    realm_gguf_vtype et;
    int64_t n;
    const void *data;
    st = realm_gguf_get_arr(g, key, &et, &n, &data);
    check_message(st);
    if (st != REALM_OK) return;
    check(n >= 0 && et != REALM_GGUF_ARRAY, "bad array");
    if (et == REALM_GGUF_STRING) {
        for (int64_t k = 0; k < n && k < 4096; k++) {
            st = realm_gguf_get_arr_str(g, key, k, &s, &len);
            check(st == REALM_OK, "an array string in range that cannot be read");
            touch(s, len);
        }
        check(realm_gguf_get_arr_str(g, key, n, &s, &len) != REALM_OK, "array string past the end");
    } else if (n > 0) {
        check(data != NULL, "NULL array data");
        touch(data, (size_t)n * vtype_size(et));
    }
}

static void walk_tensor(const realm_gguf *g, int64_t i, const uint8_t *buf, size_t size) {
    realm_gguf_tensor t;
    const realm_status st = realm_gguf_tensor_info(g, i, &t);
    check(st == REALM_OK, "tensor_info in range failed");
    check(t.name != NULL && realm_gguf_find_tensor(g, t.name) >= 0, "a tensor that find_tensor cannot find");
    check(t.n_dims >= 1 && t.n_dims <= 4 && realm_type_is_valid(t.type), "bad tensor dims or type");
    const uint8_t *d = t.data;
    check(t.bytes == 0 || (d >= buf && t.bytes <= size && (size_t)(d - buf) <= size - t.bytes),
          "tensor data outside the buffer");
    touch(d, t.bytes);
    /* The first row, dequantized, when small enough. */
    if (t.ne[0] > 0 && t.ne[0] <= 65536 && t.bytes >= realm_row_bytes(t.type, t.ne[0]) &&
        realm_row_bytes(t.type, t.ne[0]) > 0) {
        float *row = malloc(sizeof(float) * (size_t)t.ne[0]);
        check(row != NULL, "out of memory");
        check_message(realm_dequantize_row(t.type, t.data, row, t.ne[0]));
        free(row);
    }
}

static void walk_tokenizer(const realm_gguf *g) {
    realm_tokenizer *tok = NULL;
    realm_status st = realm_tokenizer_from_gguf(g, &tok);
    check_message(st);
    if (st != REALM_OK) return;
    static const char text[] = "Hello world, \xc3\xa9t\xc3\xa9 \xff<s>  x";
    int32_t ids[256];
    int64_t n = 0;
    st = realm_tokenize(tok, text, sizeof text - 1, realm_tokenizer_bos(tok) >= 0, ids, 256, &n);
    check_message(st);
    if (st == REALM_OK) {
        char out[4096];
        size_t len = 0;
        check_message(realm_detokenize(tok, ids, n, out, sizeof out, &len));
    }
    realm_tokenizer_destroy(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    realm_gguf *g = NULL;
    const realm_status st = realm_gguf_open_memory(data, size, &g);
    check_message(st);
    if (st != REALM_OK) {
        check(g == NULL, "a failed open returned a file");
        return 0;
    }
    check(realm_gguf_size(g) == size, "size differs from the buffer");
    check(realm_gguf_version(g) == 2 || realm_gguf_version(g) == 3, "bad version");
    const int64_t n_kv = realm_gguf_n_kv(g), n_t = realm_gguf_n_tensors(g);
    check(n_kv >= 0 && n_t >= 0, "negative counts");
    /* Without tensors the data section may be absent, padding included. */
    check(n_t == 0 || realm_gguf_data_offset(g) <= size, "data offset past the end");
    for (int64_t i = 0; i < n_kv; i++)
        walk_kv(g, i);
    check(realm_gguf_key(g, n_kv) == NULL && realm_gguf_kv_type(g, -1) == REALM_GGUF_NONE,
          "index out of range");
    for (int64_t i = 0; i < n_t; i++)
        walk_tensor(g, i, data, size);
    realm_gguf_tensor t;
    check(realm_gguf_tensor_info(g, n_t, &t) != REALM_OK, "tensor past the end");
    walk_tokenizer(g);
    realm_gguf_close(g);
    return 0;
}
