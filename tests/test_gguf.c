/* GGUF writer -> reader round trips, getter conversions and errors, the
 * on-disk layout llama.cpp expects, and the shared reference models. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "realm/realm.h"
#include "util.h"

/* status is s and realm_last_error() mentions sub. */
#define expect_status(got, want, sub)                                                                        \
    do {                                                                                                     \
        const realm_status got_ = (got);                                                                     \
        cr_assert_eq(got_, (want), "%s: got %s, want %s (%s)", #got, realm_status_str(got_),                 \
                     realm_status_str(want), realm_last_error());                                            \
        cr_assert(strstr(realm_last_error(), (sub)) != NULL, "%s: message '%s' lacks '%s'", #got,            \
                  realm_last_error(), (sub));                                                                \
    } while (0)

#define expect_ok(call) cr_assert_eq((call), REALM_OK, "%s: %s", #call, realm_last_error())

/* A fresh temporary file name (the file exists, empty). */
static void tmp_path(char *buf, size_t size) {
    int fd = tu_mkstemp(buf, size, "realm_gguf_");
    cr_assert(fd >= 0, "mkstemp failed");
    close(fd);
}

/* Writes w to a temporary file and opens it (mapped); the file is unlinked
 * right away, the mapping keeps it alive. */
static realm_gguf *write_and_open(const realm_gguf_writer *w) {
    char path[64];
    tmp_path(path, sizeof(path));
    expect_ok(realm_gguf_writer_write(w, path));
    realm_gguf *g = NULL;
    expect_ok(realm_gguf_open(path, &g));
    unlink(path);
    return g;
}

static bool str_eq(const char *s, size_t len, const char *want) {
    return len == strlen(want) && memcmp(s, want, len) == 0;
}

Test(gguf, scalars_round_trip_with_every_type) {
    realm_gguf_writer *w = NULL;
    expect_ok(realm_gguf_writer_create(&w));
    const uint8_t u8 = 200;
    const int8_t i8 = -100;
    const uint16_t u16 = 60000;
    const int16_t i16 = -30000;
    const int64_t i64 = INT64_C(-1234567890123);
    const double f64 = 3.0e100;
    const bool b = true;
    expect_ok(realm_gguf_writer_set_scalar(w, "t.u8", REALM_GGUF_UINT8, &u8));
    expect_ok(realm_gguf_writer_set_scalar(w, "t.i8", REALM_GGUF_INT8, &i8));
    expect_ok(realm_gguf_writer_set_scalar(w, "t.u16", REALM_GGUF_UINT16, &u16));
    expect_ok(realm_gguf_writer_set_scalar(w, "t.i16", REALM_GGUF_INT16, &i16));
    expect_ok(realm_gguf_writer_set_u32(w, "t.u32", 4000000000u));
    expect_ok(realm_gguf_writer_set_i32(w, "t.i32", -2000000000));
    expect_ok(realm_gguf_writer_set_f32(w, "t.f32", 1.5e-5f));
    expect_ok(realm_gguf_writer_set_scalar(w, "t.bool", REALM_GGUF_BOOL, &b));
    expect_ok(realm_gguf_writer_set_bool(w, "t.false", false));
    expect_ok(realm_gguf_writer_set_str(w, "t.str", "h\xc3\xa9llo w\xc3\xb6rld"));
    expect_ok(realm_gguf_writer_set_str(w, "t.empty", ""));
    expect_ok(realm_gguf_writer_set_u64(w, "t.u64", UINT64_MAX));
    expect_ok(realm_gguf_writer_set_scalar(w, "t.i64", REALM_GGUF_INT64, &i64));
    expect_ok(realm_gguf_writer_set_scalar(w, "t.f64", REALM_GGUF_FLOAT64, &f64));
    expect_ok(realm_gguf_writer_set_u32(w, "t.small_u64", 7)); /* replaced below by a u64 */
    expect_ok(realm_gguf_writer_set_u64(w, "t.small_u64", 7));
    realm_gguf *g = write_and_open(w);
    realm_gguf_writer_destroy(w);

    cr_assert_eq(realm_gguf_version(g), 3);
    cr_assert_eq(realm_gguf_alignment(g), 32);
    cr_assert_eq(realm_gguf_n_kv(g), 15);
    cr_assert_eq(realm_gguf_n_tensors(g), 0);
    static const struct {
        const char *key;
        realm_gguf_vtype type;
    } want[] = {
        {"t.u8", REALM_GGUF_UINT8},    {"t.i8", REALM_GGUF_INT8},      {"t.u16", REALM_GGUF_UINT16},
        {"t.i16", REALM_GGUF_INT16},   {"t.u32", REALM_GGUF_UINT32},   {"t.i32", REALM_GGUF_INT32},
        {"t.f32", REALM_GGUF_FLOAT32}, {"t.bool", REALM_GGUF_BOOL},    {"t.false", REALM_GGUF_BOOL},
        {"t.str", REALM_GGUF_STRING},  {"t.empty", REALM_GGUF_STRING}, {"t.u64", REALM_GGUF_UINT64},
        {"t.i64", REALM_GGUF_INT64},   {"t.f64", REALM_GGUF_FLOAT64},  {"t.small_u64", REALM_GGUF_UINT64},
    };
    for (int64_t i = 0; i < 15; i++) {
        cr_assert_str_eq(realm_gguf_key(g, i), want[i].key, "insertion order is kept");
        cr_assert_eq(realm_gguf_kv_type(g, i), want[i].type, "%s", want[i].key);
        cr_assert_eq(realm_gguf_find_key(g, want[i].key), i);
    }
    cr_assert_null(realm_gguf_key(g, 15));
    cr_assert_null(realm_gguf_key(g, -1));
    cr_assert_eq(realm_gguf_kv_type(g, 99), REALM_GGUF_NONE);
    cr_assert_eq(realm_gguf_find_key(g, "t.nope"), -1);
    cr_assert_eq(realm_gguf_find_key(g, NULL), -1);

    uint32_t u32;
    uint64_t u64;
    int64_t s64;
    float f;
    bool bv;
    const char *s;
    size_t len;
    /* integer getters take any integer type whose value fits */
    expect_ok(realm_gguf_get_u32(g, "t.u8", &u32));
    cr_assert_eq(u32, 200);
    expect_ok(realm_gguf_get_u32(g, "t.u16", &u32));
    cr_assert_eq(u32, 60000);
    expect_ok(realm_gguf_get_u32(g, "t.u32", &u32));
    cr_assert_eq(u32, 4000000000u);
    expect_ok(realm_gguf_get_u32(g, "t.small_u64", &u32));
    cr_assert_eq(u32, 7);
    expect_ok(realm_gguf_get_i64(g, "t.i8", &s64));
    cr_assert_eq(s64, -100);
    expect_ok(realm_gguf_get_i64(g, "t.i16", &s64));
    cr_assert_eq(s64, -30000);
    expect_ok(realm_gguf_get_i64(g, "t.i32", &s64));
    cr_assert_eq(s64, -2000000000);
    expect_ok(realm_gguf_get_i64(g, "t.i64", &s64));
    cr_assert_eq(s64, i64);
    expect_ok(realm_gguf_get_i64(g, "t.u32", &s64));
    cr_assert_eq(s64, 4000000000);
    expect_ok(realm_gguf_get_u64(g, "t.u64", &u64));
    cr_assert_eq(u64, UINT64_MAX);
    u32 = 12345;
    expect_status(realm_gguf_get_u32(g, "t.i8", &u32), REALM_ERR_FORMAT, "-100 does not fit uint32");
    cr_assert_eq(u32, 12345, "output untouched on failure");
    expect_status(realm_gguf_get_u32(g, "t.u64", &u32), REALM_ERR_FORMAT, "does not fit uint32");
    expect_status(realm_gguf_get_i64(g, "t.u64", &s64), REALM_ERR_FORMAT, "does not fit int64");
    expect_status(realm_gguf_get_u64(g, "t.i64", &u64), REALM_ERR_FORMAT, "does not fit uint64");
    expect_status(realm_gguf_get_u32(g, "t.f32", &u32), REALM_ERR_FORMAT,
                  "has type float32, expected an integer");
    expect_status(realm_gguf_get_i64(g, "t.bool", &s64), REALM_ERR_FORMAT, "type bool");
    expect_status(realm_gguf_get_u32(g, "t.str", &u32), REALM_ERR_FORMAT, "type string");
    /* floats */
    expect_ok(realm_gguf_get_f32(g, "t.f32", &f));
    cr_assert_eq(f, 1.5e-5f);
    expect_ok(realm_gguf_get_f32(g, "t.f64", &f));
    cr_assert(isinf(f), "3e100 rounds to inf in float");
    expect_status(realm_gguf_get_f32(g, "t.u32", &f), REALM_ERR_FORMAT, "expected float32 or float64");
    /* bools */
    expect_ok(realm_gguf_get_bool(g, "t.bool", &bv));
    cr_assert(bv);
    expect_ok(realm_gguf_get_bool(g, "t.false", &bv));
    cr_assert(!bv);
    expect_status(realm_gguf_get_bool(g, "t.u8", &bv), REALM_ERR_FORMAT, "expected bool");
    /* strings */
    expect_ok(realm_gguf_get_str(g, "t.str", &s, &len));
    cr_assert(str_eq(s, len, "h\xc3\xa9llo w\xc3\xb6rld"));
    expect_ok(realm_gguf_get_str(g, "t.empty", &s, &len));
    cr_assert_eq(len, 0);
    expect_status(realm_gguf_get_str(g, "t.u8", &s, &len), REALM_ERR_FORMAT, "expected string");
    /* missing keys and bad arguments */
    expect_status(realm_gguf_get_u32(g, "llama.block_count", &u32), REALM_ERR_FORMAT,
                  "key 'llama.block_count' missing");
    expect_status(realm_gguf_get_str(g, "nope", &s, &len), REALM_ERR_FORMAT, "missing");
    expect_status(realm_gguf_get_u32(NULL, "t.u8", &u32), REALM_ERR_INVALID_ARG, "NULL file");
    expect_status(realm_gguf_get_u32(g, NULL, &u32), REALM_ERR_INVALID_ARG, "NULL key");
    expect_status(realm_gguf_get_f32(g, "t.f32", NULL), REALM_ERR_INVALID_ARG, "NULL output");
    expect_status(realm_gguf_get_str(g, "t.str", &s, NULL), REALM_ERR_INVALID_ARG, "NULL len");
    realm_gguf_close(g);
    realm_gguf_close(NULL);
}

Test(gguf, arrays_round_trip) {
    realm_gguf_writer *w = NULL;
    expect_ok(realm_gguf_writer_create(&w));
    const float scores[5] = {-1.0f, 0.0f, 0.5f, 1e30f, -2.25f};
    const int32_t types[5] = {1, 2, 3, -6, 7};
    const uint8_t bytes[3] = {0, 255, 7};
    const int64_t big[2] = {INT64_MIN, INT64_MAX};
    const double dbl[2] = {1.0 / 3.0, -0.0};
    const bool flags[3] = {true, false, true};
    const char *const toks[6] = {"<unk>", "<s>", "</s>", "", "\xe2\x96\x81the", "a longer token with spaces"};
    expect_ok(realm_gguf_writer_set_arr(w, "a.f32", REALM_GGUF_FLOAT32, scores, 5));
    expect_ok(realm_gguf_writer_set_arr(w, "a.i32", REALM_GGUF_INT32, types, 5));
    expect_ok(realm_gguf_writer_set_arr(w, "a.u8", REALM_GGUF_UINT8, bytes, 3));
    expect_ok(realm_gguf_writer_set_arr(w, "a.i64", REALM_GGUF_INT64, big, 2));
    expect_ok(realm_gguf_writer_set_arr(w, "a.f64", REALM_GGUF_FLOAT64, dbl, 2));
    expect_ok(realm_gguf_writer_set_arr(w, "a.bool", REALM_GGUF_BOOL, flags, 3));
    expect_ok(realm_gguf_writer_set_arr(w, "a.empty", REALM_GGUF_UINT16, NULL, 0));
    expect_ok(realm_gguf_writer_set_arr_str(w, "a.str", toks, 6));
    expect_ok(realm_gguf_writer_set_arr_str(w, "a.str_empty", NULL, 0));
    /* a big string array, as a vocabulary */
    enum { NV = 5000 };
    char(*vocab)[16] = malloc(NV * sizeof(*vocab));
    const char **vp = malloc(NV * sizeof(*vp));
    for (int i = 0; i < NV; i++) {
        snprintf(vocab[i], sizeof(vocab[i]), "tok%d", i * 7);
        vp[i] = vocab[i];
    }
    expect_ok(realm_gguf_writer_set_arr_str(w, "a.vocab", vp, NV));
    realm_gguf *g = write_and_open(w);
    realm_gguf_writer_destroy(w);

    realm_gguf_vtype et;
    int64_t n;
    const void *data;
    expect_ok(realm_gguf_get_arr(g, "a.f32", &et, &n, &data));
    cr_assert_eq(et, REALM_GGUF_FLOAT32);
    cr_assert_eq(n, 5);
    float fs[5];
    memcpy(fs, data, sizeof(fs)); /* elements may be unaligned */
    cr_assert_arr_eq(fs, scores, sizeof(fs));
    expect_ok(realm_gguf_get_arr(g, "a.i32", &et, &n, &data));
    cr_assert(et == REALM_GGUF_INT32 && n == 5 && memcmp(data, types, sizeof(types)) == 0);
    expect_ok(realm_gguf_get_arr(g, "a.u8", &et, &n, &data));
    cr_assert(et == REALM_GGUF_UINT8 && n == 3 && memcmp(data, bytes, 3) == 0);
    expect_ok(realm_gguf_get_arr(g, "a.i64", &et, &n, &data));
    cr_assert(et == REALM_GGUF_INT64 && n == 2 && memcmp(data, big, sizeof(big)) == 0);
    expect_ok(realm_gguf_get_arr(g, "a.f64", &et, &n, &data));
    cr_assert(et == REALM_GGUF_FLOAT64 && n == 2 && memcmp(data, dbl, sizeof(dbl)) == 0);
    expect_ok(realm_gguf_get_arr(g, "a.bool", &et, &n, &data));
    const uint8_t want_flags[3] = {1, 0, 1};
    cr_assert(et == REALM_GGUF_BOOL && n == 3 && memcmp(data, want_flags, 3) == 0);
    expect_ok(realm_gguf_get_arr(g, "a.empty", &et, &n, NULL));
    cr_assert(et == REALM_GGUF_UINT16 && n == 0);
    expect_ok(realm_gguf_get_arr(g, "a.str", &et, &n, &data));
    cr_assert(et == REALM_GGUF_STRING && n == 6 && data == NULL);
    const char *s;
    size_t len;
    for (int64_t i = 5; i >= 0; i--) {
        expect_ok(realm_gguf_get_arr_str(g, "a.str", i, &s, &len));
        cr_assert(str_eq(s, len, toks[i]), "string %lld", (long long)i);
    }
    expect_ok(realm_gguf_get_arr(g, "a.str_empty", &et, &n, &data));
    cr_assert(et == REALM_GGUF_STRING && n == 0);
    expect_ok(realm_gguf_get_arr(g, "a.vocab", &et, &n, NULL));
    cr_assert_eq(n, NV);
    for (int i = NV - 1; i >= 0; i -= 13) {
        expect_ok(realm_gguf_get_arr_str(g, "a.vocab", i, &s, &len));
        cr_assert(str_eq(s, len, vocab[i]));
    }
    expect_status(realm_gguf_get_arr_str(g, "a.str", 6, &s, &len), REALM_ERR_INVALID_ARG, "out of range");
    expect_status(realm_gguf_get_arr_str(g, "a.str", -1, &s, &len), REALM_ERR_INVALID_ARG, "out of range");
    expect_status(realm_gguf_get_arr_str(g, "a.str_empty", 0, &s, &len), REALM_ERR_INVALID_ARG,
                  "out of range");
    expect_status(realm_gguf_get_arr_str(g, "a.f32", 0, &s, &len), REALM_ERR_FORMAT,
                  "array of float32, expected an array of strings");
    expect_status(realm_gguf_get_arr(g, "a.nope", &et, &n, &data), REALM_ERR_FORMAT, "missing");
    expect_status(realm_gguf_get_arr(g, "a.str", &et, NULL, &data), REALM_ERR_INVALID_ARG, "NULL n");
    expect_status(realm_gguf_get_u32(g, "a.u8", NULL), REALM_ERR_INVALID_ARG, "NULL");
    uint32_t u32;
    expect_status(realm_gguf_get_u32(g, "a.u8", &u32), REALM_ERR_FORMAT, "type array");
    realm_gguf_close(g);
    free(vocab);
    free(vp);
}

/* Tensor shapes chosen to be awkward: 1-D, odd row counts, 3-D and 4-D, several block types. */
typedef struct tcase {
    const char *name;
    realm_type type;
    int n_dims;
    int64_t ne[4];
} tcase;

static const tcase tensors[] = {
    {"token_embd.weight", REALM_TYPE_Q4_K, 2, {256, 7, 1, 1}},
    {"odd.f32", REALM_TYPE_F32, 1, {7, 1, 1, 1}},
    {"blk.0.attn_q.weight", REALM_TYPE_Q8_0, 2, {96, 3, 1, 1}},
    {"three.d.f16", REALM_TYPE_F16, 3, {3, 5, 2, 1}},
    {"four.d.q6_k", REALM_TYPE_Q6_K, 4, {512, 1, 3, 2}},
    {"q4_0.single", REALM_TYPE_Q4_0, 2, {32, 1, 1, 1}},
    {"q5_1", REALM_TYPE_Q5_1, 2, {64, 9, 1, 1}},
    {"q2_k", REALM_TYPE_Q2_K, 2, {256, 2, 1, 1}},
    {"q8_1", REALM_TYPE_Q8_1, 1, {32, 1, 1, 1}},
    {"q8_k", REALM_TYPE_Q8_K, 2, {256, 3, 1, 1}},
};
enum { N_TENSORS = sizeof(tensors) / sizeof(tensors[0]) };

static size_t tcase_bytes(const tcase *t) {
    size_t b = realm_row_bytes(t->type, t->ne[0]);
    for (int d = 1; d < t->n_dims; d++)
        b *= (size_t)t->ne[d];
    return b;
}

/* A writer with all of tensors[], filled with random bytes (kept in data[]). */
static realm_gguf_writer *writer_with_tensors(uint8_t *data[N_TENSORS], uint32_t alignment) {
    realm_gguf_writer *w = NULL;
    expect_ok(realm_gguf_writer_create(&w));
    expect_ok(realm_gguf_writer_set_str(w, "general.architecture", "llama"));
    if (alignment) expect_ok(realm_gguf_writer_set_u32(w, "general.alignment", alignment));
    tu_rng rng = {42};
    for (int i = 0; i < N_TENSORS; i++) {
        size_t b = tcase_bytes(&tensors[i]);
        data[i] = malloc(b);
        for (size_t k = 0; k < b; k++)
            data[i][k] = (uint8_t)tu_next(&rng);
        expect_ok(realm_gguf_writer_add_tensor(w, tensors[i].name, tensors[i].type, tensors[i].n_dims,
                                               tensors[i].ne, data[i], b));
    }
    return w;
}

/* Checks every tensor of g against tensors[] and data[], and the layout
 * llama.cpp's reader insists on: offsets in order, each the padded end of
 * the previous, the data section right after the padded tensor infos. */
static void check_tensors(const realm_gguf *g, uint8_t *const data[N_TENSORS], size_t align) {
    cr_assert_eq(realm_gguf_alignment(g), align);
    cr_assert_eq(realm_gguf_n_tensors(g), N_TENSORS);
    cr_assert_eq(realm_gguf_data_offset(g) % align, 0);
    uint64_t expect_off = 0;
    for (int i = 0; i < N_TENSORS; i++) {
        realm_gguf_tensor t;
        expect_ok(realm_gguf_tensor_info(g, i, &t));
        cr_assert_str_eq(t.name, tensors[i].name);
        cr_assert_eq(realm_gguf_find_tensor(g, tensors[i].name), i);
        cr_assert_eq(t.type, tensors[i].type);
        cr_assert_eq(t.n_dims, tensors[i].n_dims);
        for (int d = 0; d < 4; d++)
            cr_assert_eq(t.ne[d], tensors[i].ne[d], "%s ne[%d]", t.name, d);
        cr_assert_eq(t.bytes, tcase_bytes(&tensors[i]));
        cr_assert_eq(t.offset, expect_off, "%s offset", t.name);
        cr_assert_eq(t.offset % align, 0);
        cr_assert(memcmp(t.data, data[i], t.bytes) == 0, "%s data", t.name);
        expect_off = (t.offset + t.bytes + align - 1) / align * align;
    }
    cr_assert_eq(realm_gguf_size(g), realm_gguf_data_offset(g) + expect_off,
                 "file ends after the padded last tensor");
    cr_assert_eq(realm_gguf_find_tensor(g, "missing.weight"), -1);
    realm_gguf_tensor t;
    expect_status(realm_gguf_tensor_info(g, N_TENSORS, &t), REALM_ERR_INVALID_ARG, "out of range");
    expect_status(realm_gguf_tensor_info(g, -1, &t), REALM_ERR_INVALID_ARG, "out of range");
    expect_status(realm_gguf_tensor_info(g, 0, NULL), REALM_ERR_INVALID_ARG, "NULL");
}

Test(gguf, tensors_round_trip_with_default_and_custom_alignment) {
    static const uint32_t aligns[] = {0, 1, 8, 64, 4096};
    for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++) {
        uint8_t *data[N_TENSORS];
        realm_gguf_writer *w = writer_with_tensors(data, aligns[a]);
        realm_gguf *g = write_and_open(w);
        check_tensors(g, data, aligns[a] ? aligns[a] : 32);
        uint32_t got = 0;
        if (aligns[a]) {
            expect_ok(realm_gguf_get_u32(g, "general.alignment", &got));
            cr_assert_eq(got, aligns[a]);
        }
        realm_gguf_close(g);
        realm_gguf_writer_destroy(w);
        for (int i = 0; i < N_TENSORS; i++)
            free(data[i]);
    }
}

Test(gguf, header_layout_and_open_memory_and_version_2) {
    uint8_t *data[N_TENSORS];
    realm_gguf_writer *w = writer_with_tensors(data, 0);
    char path[64];
    tmp_path(path, sizeof(path));
    expect_ok(realm_gguf_writer_write(w, path));
    expect_ok(realm_gguf_writer_write(w, path)); /* writing twice gives the same file */
    size_t size = 0;
    uint8_t *buf = tu_read_file(path, &size);
    unlink(path);
    cr_assert_not_null(buf);
    cr_assert(memcmp(buf, "GGUF", 4) == 0);
    uint32_t version;
    uint64_t n_tensors, n_kv;
    memcpy(&version, buf + 4, 4);
    memcpy(&n_tensors, buf + 8, 8);
    memcpy(&n_kv, buf + 16, 8);
    cr_assert_eq(version, 3);
    cr_assert_eq(n_tensors, N_TENSORS);
    cr_assert_eq(n_kv, 1);
    realm_gguf *g = NULL;
    expect_ok(realm_gguf_open_memory(buf, size, &g));
    check_tensors(g, data, 32);
    realm_gguf_tensor t;
    expect_ok(realm_gguf_tensor_info(g, 0, &t));
    cr_assert_eq((const uint8_t *)t.data, buf + realm_gguf_data_offset(g), "data used in place");
    realm_gguf_close(g);
    /* v2 has the same layout */
    buf[4] = 2;
    expect_ok(realm_gguf_open_memory(buf, size, &g));
    cr_assert_eq(realm_gguf_version(g), 2);
    check_tensors(g, data, 32);
    realm_gguf_close(g);
    free(buf);
    realm_gguf_writer_destroy(w);
    for (int i = 0; i < N_TENSORS; i++)
        free(data[i]);
}

Test(gguf, empty_file_round_trips) {
    realm_gguf_writer *w = NULL;
    expect_ok(realm_gguf_writer_create(&w));
    realm_gguf *g = write_and_open(w);
    cr_assert_eq(realm_gguf_n_kv(g), 0);
    cr_assert_eq(realm_gguf_n_tensors(g), 0);
    cr_assert_eq(realm_gguf_find_key(g, "general.architecture"), -1);
    cr_assert_eq(realm_gguf_find_tensor(g, "x"), -1);
    realm_gguf_close(g);
    realm_gguf_writer_destroy(w);
}

Test(gguf, writer_rejects_bad_arguments) {
    realm_gguf_writer *w = NULL;
    expect_status(realm_gguf_writer_create(NULL), REALM_ERR_INVALID_ARG, "NULL out");
    expect_ok(realm_gguf_writer_create(&w));
    const uint32_t v = 1;
    expect_status(realm_gguf_writer_set_u32(NULL, "k", 1), REALM_ERR_INVALID_ARG, "NULL writer");
    expect_status(realm_gguf_writer_set_u32(w, NULL, 1), REALM_ERR_INVALID_ARG, "NULL key");
    expect_status(realm_gguf_writer_set_u32(w, "", 1), REALM_ERR_INVALID_ARG, "empty key");
    expect_status(realm_gguf_writer_set_str(w, "k", NULL), REALM_ERR_INVALID_ARG, "NULL value");
    expect_status(realm_gguf_writer_set_scalar(w, "k", REALM_GGUF_STRING, &v), REALM_ERR_INVALID_ARG,
                  "not a numeric");
    expect_status(realm_gguf_writer_set_scalar(w, "k", REALM_GGUF_ARRAY, &v), REALM_ERR_INVALID_ARG,
                  "not a numeric");
    expect_status(realm_gguf_writer_set_scalar(w, "k", (realm_gguf_vtype)13, &v), REALM_ERR_INVALID_ARG,
                  "not a numeric");
    expect_status(realm_gguf_writer_set_scalar(w, "k", REALM_GGUF_NONE, &v), REALM_ERR_INVALID_ARG,
                  "not a numeric");
    expect_status(realm_gguf_writer_set_arr(w, "k", REALM_GGUF_STRING, &v, 1), REALM_ERR_INVALID_ARG,
                  "realm_gguf_writer_set_arr_str");
    expect_status(realm_gguf_writer_set_arr(w, "k", REALM_GGUF_UINT32, &v, -1), REALM_ERR_INVALID_ARG,
                  "negative");
    expect_status(realm_gguf_writer_set_arr(w, "k", REALM_GGUF_UINT32, NULL, 1), REALM_ERR_INVALID_ARG,
                  "NULL");
    expect_status(realm_gguf_writer_set_arr(w, "k", REALM_GGUF_UINT64, &v, INT64_MAX), REALM_ERR_OVERFLOW,
                  "overflow");
    const char *strs[2] = {"a", NULL};
    expect_status(realm_gguf_writer_set_arr_str(w, "k", strs, 2), REALM_ERR_INVALID_ARG, "string 1 is NULL");
    expect_status(realm_gguf_writer_set_u32(w, "general.alignment", 0), REALM_ERR_INVALID_ARG,
                  "power of two");
    expect_status(realm_gguf_writer_set_u32(w, "general.alignment", 48), REALM_ERR_INVALID_ARG,
                  "power of two");
    expect_status(realm_gguf_writer_set_u64(w, "general.alignment", 64), REALM_ERR_INVALID_ARG, "uint32");
    expect_status(realm_gguf_writer_set_str(w, "general.alignment", "64"), REALM_ERR_INVALID_ARG, "uint32");

    float f[64] = {0};
    const int64_t ne[2] = {32, 2}, ne0[2] = {32, 0}, ne_odd[1] = {33},
                  ne_big[4] = {256, INT64_C(1) << 40, 1 << 20, 1 << 20};
    uint8_t q8[2 * 34];
    expect_status(realm_gguf_writer_add_tensor(NULL, "t", REALM_TYPE_F32, 2, ne, f, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "NULL writer");
    expect_status(realm_gguf_writer_add_tensor(w, NULL, REALM_TYPE_F32, 2, ne, f, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "NULL name");
    expect_status(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, NULL, f, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "NULL ne");
    expect_status(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, ne, NULL, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "NULL data");
    expect_status(realm_gguf_writer_add_tensor(w, "", REALM_TYPE_F32, 2, ne, f, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "1..63 bytes");
    expect_status(
        realm_gguf_writer_add_tensor(w, "a_name_that_is_much_too_long_for_llama_cpp_which_allows_63_bytes",
                                     REALM_TYPE_F32, 2, ne, f, sizeof(f)),
        REALM_ERR_INVALID_ARG, "1..63 bytes");
    expect_status(realm_gguf_writer_add_tensor(w, "t", (realm_type)4, 2, ne, f, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "invalid type");
    expect_status(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 0, ne, f, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "n_dims 0");
    expect_status(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 5, ne, f, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "n_dims 5");
    expect_status(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, ne0, f, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "ne[1] = 0");
    expect_status(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_Q8_0, 1, ne_odd, q8, 34), REALM_ERR_SHAPE,
                  "not a multiple of the q8_0 block");
    expect_status(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_Q8_0, 2, ne, q8, 34), REALM_ERR_SHAPE,
                  "34 bytes given");
    expect_status(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_Q4_K, 4, ne_big, q8, 34),
                  REALM_ERR_OVERFLOW, "overflows");
    expect_ok(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_Q8_0, 2, ne, q8, sizeof(q8)));
    expect_status(realm_gguf_writer_add_tensor(w, "t", REALM_TYPE_F32, 2, ne, f, sizeof(f)),
                  REALM_ERR_INVALID_ARG, "duplicate tensor name 't'");
    expect_status(realm_gguf_writer_write(w, NULL), REALM_ERR_INVALID_ARG, "NULL path");
    expect_status(realm_gguf_writer_write(NULL, "/tmp/x.gguf"), REALM_ERR_INVALID_ARG, "NULL writer");
    expect_status(realm_gguf_writer_write(w, "/nonexistent-dir/x.gguf"), REALM_ERR_IO, "cannot create");
    realm_gguf_writer_destroy(w);
    realm_gguf_writer_destroy(NULL);
}

Test(gguf, open_rejects_bad_paths_and_arguments) {
    static int dummy;
    realm_gguf *g = (realm_gguf *)(void *)&dummy;
    expect_status(realm_gguf_open("/nonexistent-dir/x.gguf", &g), REALM_ERR_IO, "cannot open");
    cr_assert_null(g, "out is NULL on failure");
    expect_status(realm_gguf_open("/tmp", &g), REALM_ERR_IO, "not a regular file");
    expect_status(realm_gguf_open(NULL, &g), REALM_ERR_INVALID_ARG, "NULL path");
    expect_status(realm_gguf_open("/tmp/x", NULL), REALM_ERR_INVALID_ARG, "NULL out");
    expect_status(realm_gguf_open_memory(NULL, 10, &g), REALM_ERR_INVALID_ARG, "NULL data");
    char path[64];
    tmp_path(path, sizeof(path)); /* an empty file */
    expect_status(realm_gguf_open(path, &g), REALM_ERR_FORMAT, "too small");
    cr_assert(strstr(realm_last_error(), path) != NULL, "the message names the file");
    unlink(path);
    cr_assert_eq(realm_gguf_version(NULL), 0);
    cr_assert_eq(realm_gguf_alignment(NULL), 0);
    cr_assert_eq(realm_gguf_n_kv(NULL), 0);
    cr_assert_eq(realm_gguf_n_tensors(NULL), 0);
    cr_assert_null(realm_gguf_key(NULL, 0));
    cr_assert_eq(realm_gguf_find_tensor(NULL, "x"), -1);
    cr_assert_str_eq(realm_gguf_vtype_name(REALM_GGUF_ARRAY), "array");
    cr_assert_str_eq(realm_gguf_vtype_name(REALM_GGUF_NONE), "invalid");
}

/* ---- the shared reference models ------------------------------------------- */

typedef struct model_case {
    const char *file;
    int64_t n_vocab, n_embd, n_layer;
    realm_type attn_q_type;
} model_case;

static const model_case models[] = {
    {"models/stories260K-f32.gguf", 512, 64, 5, REALM_TYPE_F32},
    {"models/tiny-q2_K.gguf", 32000, 256, 2, REALM_TYPE_Q2_K},
    {"models/tiny-q4_0.gguf", 32000, 256, 2, REALM_TYPE_Q4_0},
    {"models/tiny-q4_K_M.gguf", 32000, 256, 2, REALM_TYPE_Q4_K},
    {"models/tiny-q6_K.gguf", 32000, 256, 2, REALM_TYPE_Q6_K},
    {"models/tiny-q8_0.gguf", 32000, 256, 2, REALM_TYPE_Q8_0},
};

static void expect_kv_type(const realm_gguf *g, const char *key, realm_gguf_vtype type,
                           realm_gguf_vtype elem) {
    int64_t i = realm_gguf_find_key(g, key);
    cr_assert(i >= 0, "key %s present", key);
    cr_assert_eq(realm_gguf_kv_type(g, i), type, "%s type %s", key,
                 realm_gguf_vtype_name(realm_gguf_kv_type(g, i)));
    if (type == REALM_GGUF_ARRAY) {
        realm_gguf_vtype et;
        int64_t n;
        expect_ok(realm_gguf_get_arr(g, key, &et, &n, NULL));
        cr_assert_eq(et, elem, "%s element type", key);
    }
}

static void check_model(const realm_gguf *g, const model_case *m) {
    cr_assert(realm_gguf_version(g) == 2 || realm_gguf_version(g) == 3);
    cr_assert_eq(realm_gguf_alignment(g), 32);
    const int64_t nt = realm_gguf_n_tensors(g);
    cr_assert_eq(nt, 3 + 9 * m->n_layer, "%s: %lld tensors", m->file, (long long)nt);

    const char *s;
    size_t len;
    expect_ok(realm_gguf_get_str(g, "general.architecture", &s, &len));
    cr_assert(str_eq(s, len, "llama"));
    expect_ok(realm_gguf_get_str(g, "tokenizer.ggml.model", &s, &len));
    cr_assert(str_eq(s, len, "llama"));
    realm_gguf_vtype et;
    int64_t n;
    expect_ok(realm_gguf_get_arr(g, "tokenizer.ggml.tokens", &et, &n, NULL));
    cr_assert_eq(et, REALM_GGUF_STRING);
    cr_assert_eq(n, m->n_vocab, "%s: %lld tokens", m->file, (long long)n);
    for (int64_t i = 0; i < n; i++) { /* every token readable, O(1) each */
        expect_ok(realm_gguf_get_arr_str(g, "tokenizer.ggml.tokens", i, &s, &len));
        cr_assert(len < 256);
    }
    expect_ok(realm_gguf_get_arr_str(g, "tokenizer.ggml.tokens", 1, &s, &len));
    cr_assert(str_eq(s, len, "<s>"), "token 1 is BOS");
    expect_ok(realm_gguf_get_arr_str(g, "tokenizer.ggml.tokens", 2, &s, &len));
    cr_assert(str_eq(s, len, "</s>"), "token 2 is EOS");

    expect_kv_type(g, "general.architecture", REALM_GGUF_STRING, REALM_GGUF_NONE);
    expect_kv_type(g, "tokenizer.ggml.tokens", REALM_GGUF_ARRAY, REALM_GGUF_STRING);
    expect_kv_type(g, "tokenizer.ggml.scores", REALM_GGUF_ARRAY, REALM_GGUF_FLOAT32);
    expect_kv_type(g, "tokenizer.ggml.token_type", REALM_GGUF_ARRAY, REALM_GGUF_INT32);
    expect_kv_type(g, "tokenizer.ggml.bos_token_id", REALM_GGUF_UINT32, REALM_GGUF_NONE);
    expect_kv_type(g, "tokenizer.ggml.add_bos_token", REALM_GGUF_BOOL, REALM_GGUF_NONE);
    expect_kv_type(g, "llama.block_count", REALM_GGUF_UINT32, REALM_GGUF_NONE);
    expect_kv_type(g, "llama.attention.layer_norm_rms_epsilon", REALM_GGUF_FLOAT32, REALM_GGUF_NONE);
    expect_kv_type(g, "llama.rope.freq_base", REALM_GGUF_FLOAT32, REALM_GGUF_NONE);
    expect_ok(realm_gguf_get_arr(g, "tokenizer.ggml.scores", &et, &n, NULL));
    cr_assert_eq(n, m->n_vocab);
    uint32_t u32;
    expect_ok(realm_gguf_get_u32(g, "llama.block_count", &u32));
    cr_assert_eq(u32, m->n_layer);
    expect_ok(realm_gguf_get_u32(g, "llama.embedding_length", &u32));
    cr_assert_eq(u32, m->n_embd);
    expect_ok(realm_gguf_get_u32(g, "tokenizer.ggml.bos_token_id", &u32));
    cr_assert_eq(u32, 1);
    float eps;
    expect_ok(realm_gguf_get_f32(g, "llama.attention.layer_norm_rms_epsilon", &eps));
    cr_assert(eps > 0 && eps < 1e-3f);
    bool add_bos;
    expect_ok(realm_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &add_bos));

    const size_t size = realm_gguf_size(g), data_off = realm_gguf_data_offset(g);
    for (int64_t i = 0; i < nt; i++) {
        realm_gguf_tensor t;
        expect_ok(realm_gguf_tensor_info(g, i, &t));
        cr_assert(data_off + t.offset + t.bytes <= size, "%s inside the file", t.name);
        cr_assert_eq(t.offset % 32, 0);
        cr_assert(t.n_dims >= 1 && t.n_dims <= 2, "%s n_dims %d", t.name, t.n_dims);
        cr_assert_eq(realm_gguf_find_tensor(g, t.name), i);
    }
    static const char *const names[] = {"token_embd.weight",     "output_norm.weight",
                                        "blk.0.attn_q.weight",   "blk.0.attn_k.weight",
                                        "blk.0.ffn_down.weight", "blk.1.ffn_gate.weight"};
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        cr_assert(realm_gguf_find_tensor(g, names[k]) >= 0, "%s: tensor %s", m->file, names[k]);
    realm_gguf_tensor t;
    expect_ok(realm_gguf_tensor_info(g, realm_gguf_find_tensor(g, "token_embd.weight"), &t));
    cr_assert(t.n_dims == 2 && t.ne[0] == m->n_embd && t.ne[1] == m->n_vocab);
    expect_ok(realm_gguf_tensor_info(g, realm_gguf_find_tensor(g, "blk.0.attn_q.weight"), &t));
    cr_assert_eq(t.type, m->attn_q_type, "%s: attn_q is %s", m->file, realm_type_name(t.type));
    cr_assert(t.ne[0] == m->n_embd && t.ne[1] == m->n_embd);
    expect_ok(realm_gguf_tensor_info(g, realm_gguf_find_tensor(g, "output_norm.weight"), &t));
    cr_assert(t.type == REALM_TYPE_F32 && t.n_dims == 1 && t.ne[0] == m->n_embd);
}

Test(gguf, shared_reference_models) {
    if (!tu_shared_available()) cr_skip("../shared (reference models) is absent; set REALM_SHARED_DIR");
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
        char path[1024];
        cr_assert_not_null(tu_shared_path(models[i].file, path, sizeof(path)));
        realm_gguf *g = NULL;
        expect_ok(realm_gguf_open(path, &g));
        check_model(g, &models[i]);
        realm_gguf_close(g);
    }
}

Test(gguf, shared_model_from_memory_matches_mapping) {
    if (!tu_shared_available()) cr_skip("../shared (reference models) is absent; set REALM_SHARED_DIR");
    char path[1024];
    cr_assert_not_null(tu_shared_path(models[0].file, path, sizeof(path)));
    size_t size = 0;
    uint8_t *buf = tu_read_file(path, &size);
    cr_assert_not_null(buf);
    realm_gguf *gm = NULL, *gf = NULL;
    expect_ok(realm_gguf_open_memory(buf, size, &gm));
    expect_ok(realm_gguf_open(path, &gf));
    check_model(gm, &models[0]);
    cr_assert_eq(realm_gguf_n_tensors(gm), realm_gguf_n_tensors(gf));
    for (int64_t i = 0; i < realm_gguf_n_tensors(gm); i++) {
        realm_gguf_tensor a, b;
        expect_ok(realm_gguf_tensor_info(gm, i, &a));
        expect_ok(realm_gguf_tensor_info(gf, i, &b));
        cr_assert_str_eq(a.name, b.name);
        cr_assert(a.bytes == b.bytes && memcmp(a.data, b.data, a.bytes) == 0);
    }
    realm_gguf_close(gf);
    realm_gguf_close(gm);
    free(buf);
}

/* Every pair of a reference model copied into a writer comes back byte for byte. */
Test(gguf, copy_kv_from_a_model) {
    if (!tu_shared_available()) cr_skip("../shared (reference models) is absent; set REALM_SHARED_DIR");
    char path[1024];
    cr_assert_not_null(tu_shared_path("models/tiny-q4_0.gguf", path, sizeof(path)));
    realm_gguf *src = NULL;
    expect_ok(realm_gguf_open(path, &src));
    realm_gguf_writer *w = NULL;
    expect_ok(realm_gguf_writer_create(&w));
    for (int64_t i = 0; i < realm_gguf_n_kv(src); i++)
        expect_ok(realm_gguf_writer_copy_kv(w, src, i));
    expect_ok(realm_gguf_writer_set_str(w, "general.name", "copied")); /* override one */
    expect_status(realm_gguf_writer_copy_kv(w, src, realm_gguf_n_kv(src)), REALM_ERR_INVALID_ARG,
                  "out of range");
    expect_status(realm_gguf_writer_copy_kv(w, NULL, 0), REALM_ERR_INVALID_ARG, "NULL file");
    realm_gguf *g = write_and_open(w);
    realm_gguf_writer_destroy(w);
    cr_assert_eq(realm_gguf_n_kv(g), realm_gguf_n_kv(src));
    for (int64_t i = 0; i < realm_gguf_n_kv(src); i++) {
        const char *key = realm_gguf_key(src, i);
        cr_assert_str_eq(realm_gguf_key(g, i), key, "order kept");
        cr_assert_eq(realm_gguf_kv_type(g, i), realm_gguf_kv_type(src, i));
    }
    const char *a, *b;
    size_t la, lb;
    expect_ok(realm_gguf_get_str(g, "general.name", &a, &la));
    cr_assert(str_eq(a, la, "copied"));
    for (int64_t i = 0; i < 32000; i += 97) {
        expect_ok(realm_gguf_get_arr_str(src, "tokenizer.ggml.tokens", i, &a, &la));
        expect_ok(realm_gguf_get_arr_str(g, "tokenizer.ggml.tokens", i, &b, &lb));
        cr_assert(la == lb && memcmp(a, b, la) == 0);
    }
    realm_gguf_vtype ea, eb;
    int64_t na, nb;
    const void *da, *db;
    expect_ok(realm_gguf_get_arr(src, "tokenizer.ggml.scores", &ea, &na, &da));
    expect_ok(realm_gguf_get_arr(g, "tokenizer.ggml.scores", &eb, &nb, &db));
    cr_assert(ea == eb && na == nb && memcmp(da, db, (size_t)na * 4) == 0);
    realm_gguf_close(g);
    realm_gguf_close(src);
}
