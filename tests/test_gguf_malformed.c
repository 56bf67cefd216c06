/* Malformed GGUF files, generated from one valid file made by the writer:
 * truncated anywhere, targeted field mutations (each with its exact status
 * and a message naming the defect), and random corruption. Every buffer is
 * allocated at its exact size, so under ASan (REALM_SANITIZE=ON) a read past
 * the end of the "file" is caught. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "realm/realm.h"
#include "util.h"

#define expect_ok(call) cr_assert_eq((call), REALM_OK, "%s: %s", #call, realm_last_error())

/* The valid file and where its interesting fields are. */
typedef struct base_file {
    uint8_t *buf;
    size_t size;
    size_t data_offset; /* end of the tensor infos, rounded up to the alignment */
    size_t data_end;    /* end of the last tensor's data (padding follows) */
} base_file;

static base_file base;

static void make_base(void) {
    realm_gguf_writer *w = NULL;
    expect_ok(realm_gguf_writer_create(&w));
    const char *const toks[3] = {"a", "bc", "def"};
    const float scores[3] = {0.5f, -1.0f, 2.0f};
    expect_ok(realm_gguf_writer_set_str(w, "general.architecture", "llama"));
    expect_ok(realm_gguf_writer_set_u32(w, "general.alignment", 32));
    expect_ok(realm_gguf_writer_set_str(w, "general.name", "malformed-corpus"));
    expect_ok(realm_gguf_writer_set_u32(w, "aa.key1", 1));
    expect_ok(realm_gguf_writer_set_u32(w, "aa.key2", 2));
    expect_ok(realm_gguf_writer_set_bool(w, "aa.flag", true));
    expect_ok(realm_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", toks, 3));
    expect_ok(realm_gguf_writer_set_arr(w, "tokenizer.ggml.scores", REALM_GGUF_FLOAT32, scores, 3));
    /* three tensors, names of equal length so one can be renamed to another */
    static float fa[16];
    static uint8_t qb[2 * 34], qc[144];
    const int64_t na[2] = {8, 2}, nb[2] = {32, 2}, nc[2] = {256, 1};
    expect_ok(realm_gguf_writer_add_tensor(w, "tensor.aa", REALM_TYPE_F32, 2, na, fa, sizeof(fa)));
    expect_ok(realm_gguf_writer_add_tensor(w, "tensor.bb", REALM_TYPE_Q8_0, 2, nb, qb, sizeof(qb)));
    expect_ok(realm_gguf_writer_add_tensor(w, "tensor.cc", REALM_TYPE_Q4_K, 2, nc, qc, sizeof(qc)));
    char path[256];
    int fd = tu_mkstemp(path, sizeof path, "realm_gguf_bad_");
    cr_assert(fd >= 0);
    close(fd);
    expect_ok(realm_gguf_writer_write(w, path));
    realm_gguf_writer_destroy(w);
    base.buf = tu_read_file(path, &base.size);
    unlink(path);
    cr_assert_not_null(base.buf);

    realm_gguf *g = NULL;
    expect_ok(realm_gguf_open_memory(base.buf, base.size, &g));
    base.data_offset = realm_gguf_data_offset(g);
    realm_gguf_tensor t;
    expect_ok(realm_gguf_tensor_info(g, 2, &t));
    base.data_end = base.data_offset + t.offset + t.bytes;
    cr_assert(base.data_end < base.size, "the last tensor is padded");
    realm_gguf_close(g);
}

static void free_base(void) { free(base.buf); }

TestSuite(gguf_malformed, .init = make_base, .fini = free_base);

/* Offset of the byte after a key or tensor name (where its type or n_dims
 * begins); the string must occur once, preceded by its length. */
static size_t after(const char *name) {
    size_t n = strlen(name);
    const uint8_t *p = memmem(base.buf, base.size, name, n);
    cr_assert_not_null(p, "'%s' in the file", name);
    cr_assert_null(memmem(p + 1, base.size - (size_t)(p + 1 - base.buf), name, n), "'%s' occurs once", name);
    uint64_t len;
    memcpy(&len, p - 8, 8);
    cr_assert_eq(len, n, "'%s' is a length-prefixed string", name);
    return (size_t)(p - base.buf) + n;
}

/* Opens a copy of the first n bytes of buf held in a buffer of exactly n bytes. */
static realm_status open_copy(const uint8_t *buf, size_t n, realm_gguf **g, uint8_t **copy) {
    *copy = malloc(n ? n : 1);
    cr_assert_not_null(*copy);
    memcpy(*copy, buf, n);
    return realm_gguf_open_memory(*copy, n, g);
}

/* Opening buf[0, n) fails with want and a message containing sub. */
static void expect_fail(const uint8_t *buf, size_t n, realm_status want, const char *sub, const char *what) {
    realm_gguf *g = (realm_gguf *)(void *)&g;
    uint8_t *copy;
    realm_status s = open_copy(buf, n, &g, &copy);
    cr_assert_eq(s, want, "%s: got %s, want %s (%s)", what, realm_status_str(s), realm_status_str(want),
                 realm_last_error());
    cr_assert_null(g, "%s: out is NULL on failure", what);
    if (sub)
        cr_assert(strstr(realm_last_error(), sub) != NULL, "%s: message '%s' lacks '%s'", what,
                  realm_last_error(), sub);
    free(copy);
}

static void put32(uint8_t *p, size_t at, uint32_t v) { memcpy(p + at, &v, 4); }
static void put64(uint8_t *p, size_t at, uint64_t v) { memcpy(p + at, &v, 8); }

/* A copy of the base file with a u32 or u64 patched at an offset, expected to fail. */
static void mut32(size_t at, uint32_t v, realm_status want, const char *sub, const char *what) {
    uint8_t *m = malloc(base.size);
    memcpy(m, base.buf, base.size);
    put32(m, at, v);
    expect_fail(m, base.size, want, sub, what);
    free(m);
}

static void mut64(size_t at, uint64_t v, realm_status want, const char *sub, const char *what) {
    uint8_t *m = malloc(base.size);
    memcpy(m, base.buf, base.size);
    put64(m, at, v);
    expect_fail(m, base.size, want, sub, what);
    free(m);
}

Test(gguf_malformed, base_file_is_valid) {
    realm_gguf *g = NULL;
    uint8_t *copy;
    expect_ok(open_copy(base.buf, base.size, &g, &copy));
    cr_assert_eq(realm_gguf_n_tensors(g), 3);
    cr_assert_eq(realm_gguf_n_kv(g), 8);
    realm_gguf_close(g);
    free(copy);
}

Test(gguf_malformed, truncated_anywhere) {
    char what[64];
    /* every prefix that cuts the header, the pairs or the tensor infos */
    for (size_t n = 0; n <= base.data_offset; n++) {
        snprintf(what, sizeof(what), "truncated at %zu", n);
        realm_gguf *g = NULL;
        uint8_t *copy;
        realm_status s = open_copy(base.buf, n, &g, &copy);
        cr_assert_eq(s, REALM_ERR_FORMAT, "%s: got %s (%s)", what, realm_status_str(s), realm_last_error());
        cr_assert_null(g);
        cr_assert(strstr(realm_last_error(), "gguf: ") != NULL, "%s: '%s'", what, realm_last_error());
        free(copy);
    }
    /* cuts in the data: the message names a tensor past the end of the file */
    for (size_t n = base.data_offset; n < base.data_end; n += 5)
        expect_fail(base.buf, n, REALM_ERR_FORMAT, "past end of file", "truncated in the data");
    expect_fail(base.buf, base.data_end - 1, REALM_ERR_FORMAT, "tensor 'tensor.cc'", "last byte missing");
    /* cuts in the trailing padding leave a valid file */
    for (size_t n = base.data_end; n <= base.size; n++) {
        realm_gguf *g = NULL;
        uint8_t *copy;
        expect_ok(open_copy(base.buf, n, &g, &copy));
        realm_gguf_close(g);
        free(copy);
    }
}

Test(gguf_malformed, header) {
    mut32(0, 0x47475546u /* "FUGG" */, REALM_ERR_FORMAT, "bad magic", "bad magic");
    mut32(4, 1, REALM_ERR_UNSUPPORTED, "version 1", "version 1");
    mut32(4, 4, REALM_ERR_FORMAT, "unknown version 4", "version 4");
    mut32(4, 0, REALM_ERR_FORMAT, "unknown version 0", "version 0");
    mut32(4, 0x03000000u, REALM_ERR_UNSUPPORTED, "big-endian", "big-endian version");
    mut64(16, UINT64_C(1) << 62, REALM_ERR_FORMAT, "n_kv 4611686018427387904 does not fit", "n_kv 2^62");
    mut64(16, UINT64_MAX, REALM_ERR_FORMAT, "n_kv", "n_kv 2^64-1");
    mut64(8, UINT64_C(1) << 62, REALM_ERR_FORMAT, "n_tensors 4611686018427387904 does not fit",
          "n_tensors 2^62");
    mut64(8, 100000, REALM_ERR_FORMAT, "n_tensors 100000", "n_tensors 1e5");
    /* counts off by one make the parser read one section as the other */
    mut64(16, 9, REALM_ERR_FORMAT, NULL, "n_kv + 1");
    mut64(16, 7, REALM_ERR_FORMAT, NULL, "n_kv - 1");
    mut64(8, 4, REALM_ERR_FORMAT, NULL, "n_tensors + 1");
    expect_fail(base.buf, 3, REALM_ERR_FORMAT, "too small", "3 bytes");
}

Test(gguf_malformed, key_value_pairs) {
    const size_t name_type = after("general.name"); /* type u32, then string length u64 */
    mut64(name_type + 4, UINT64_C(1) << 63, REALM_ERR_FORMAT, "string length 9223372036854775808",
          "string length 2^63");
    mut64(name_type + 4, base.size, REALM_ERR_FORMAT, "exceeds the", "string length = file size");
    /* the key's own length field */
    const size_t key1 = after("aa.key1");
    mut64(key1 - 7 - 8, UINT64_MAX, REALM_ERR_FORMAT, "key length", "key length 2^64-1");
    mut64(key1 - 7 - 8, 0, REALM_ERR_FORMAT, "empty key", "empty key");
    {
        uint8_t *m = malloc(base.size);
        memcpy(m, base.buf, base.size);
        m[key1 - 2] = 0;
        expect_fail(m, base.size, REALM_ERR_FORMAT, "NUL byte", "NUL in a key");
        free(m);
    }
    mut32(key1, 13, REALM_ERR_FORMAT, "unknown value type 13", "kv type 13");
    mut32(key1, 255, REALM_ERR_FORMAT, "unknown value type 255", "kv type 255");
    mut32(key1, UINT32_MAX, REALM_ERR_FORMAT, "'aa.key1'", "kv type 2^32-1 names the key");
    /* arrays: element type, then length */
    const size_t toks = after("tokenizer.ggml.tokens");
    mut32(toks + 4, REALM_GGUF_ARRAY, REALM_ERR_FORMAT, "nested arrays", "nested array");
    mut32(toks + 4, 13, REALM_ERR_FORMAT, "unknown array element type 13", "array element type 13");
    mut64(toks + 8, UINT64_C(1) << 62, REALM_ERR_FORMAT, "array of 4611686018427387904 strings",
          "string array length 2^62");
    mut64(toks + 8, 4, REALM_ERR_FORMAT, NULL, "string array length + 1");
    mut64(toks + 16, UINT64_C(1) << 63, REALM_ERR_FORMAT, "array string length", "array string length 2^63");
    const size_t scores = after("tokenizer.ggml.scores");
    mut64(scores + 8, UINT64_C(1) << 62, REALM_ERR_FORMAT, "array of 4611686018427387904 float32 elements",
          "f32 array length 2^62");
    mut64(scores + 8, UINT64_MAX / 4 + 1, REALM_ERR_FORMAT, "exceeds", "f32 array length whose bytes wrap");
    /* duplicate key: aa.key2 renamed aa.key1 */
    {
        uint8_t *m = malloc(base.size);
        memcpy(m, base.buf, base.size);
        m[after("aa.key2") - 1] = '1';
        expect_fail(m, base.size, REALM_ERR_FORMAT, "duplicate key 'aa.key1'", "duplicate key");
        free(m);
    }
}

Test(gguf_malformed, alignment) {
    const size_t align = after("general.alignment") + 4;
    mut32(align, 0, REALM_ERR_FORMAT, "general.alignment 0 is not a power of two", "alignment 0");
    mut32(align, 3, REALM_ERR_FORMAT, "general.alignment 3 is not a power of two", "alignment 3");
    mut32(align, 0x80000001u, REALM_ERR_FORMAT, "not a power of two", "alignment 2^31+1");
    mut32(align - 4, REALM_GGUF_FLOAT32, REALM_ERR_FORMAT, "general.alignment has type float32",
          "alignment of type float32");
    /* a larger alignment makes the existing offsets misaligned */
    mut32(align, 128, REALM_ERR_FORMAT, "not a multiple of the alignment 128", "alignment 128");
}

Test(gguf_malformed, tensor_infos) {
    /* tensor.bb: n_dims u32, ne[0] u64, ne[1] u64, type u32, offset u64 */
    const size_t b = after("tensor.bb");
    const size_t ne0 = b + 4, ne1 = b + 12, type = b + 20, off = b + 24;
    mut32(b, 0, REALM_ERR_FORMAT, "n_dims 0", "n_dims 0");
    mut32(b, 5, REALM_ERR_FORMAT, "n_dims 5", "n_dims 5");
    mut32(b, UINT32_MAX, REALM_ERR_FORMAT, "n_dims 4294967295", "n_dims 2^32-1");
    mut64(ne1, 0, REALM_ERR_FORMAT, "ne[1] = 0", "ne 0");
    mut64(ne0, UINT64_C(1) << 63, REALM_ERR_FORMAT, "ne[0] = 9223372036854775808", "ne 2^63");
    mut64(ne1, UINT64_C(1) << 62, REALM_ERR_FORMAT, "overflows", "ne product overflow");
    mut64(ne1, UINT64_C(1) << 40, REALM_ERR_FORMAT, "past end of file", "ne large but no overflow");
    mut64(ne0, 33, REALM_ERR_FORMAT, "ne[0] = 33 is not a multiple of the q8_0 block (32)",
          "ne[0] not a multiple");
    mut32(type, 30, REALM_ERR_UNSUPPORTED, "bf16 (GGUF id 30)", "bf16 tensor");
    mut32(type, 26, REALM_ERR_UNSUPPORTED, "'tensor.bb'): tensor type i32", "i32 tensor");
    mut32(type, 4, REALM_ERR_UNSUPPORTED, "GGUF id 4", "removed q4_2");
    mut32(type, 200, REALM_ERR_FORMAT, "unknown tensor type id 200", "type 200");
    mut32(type, UINT32_MAX, REALM_ERR_FORMAT, "unknown tensor type id 4294967295", "type 2^32-1");
    uint64_t off_b;
    memcpy(&off_b, base.buf + off, 8);
    mut64(off, off_b + 1, REALM_ERR_FORMAT, "offset 65 is not a multiple of the alignment 32", "misaligned");
    mut64(off, (uint64_t)base.size / 32 * 32 + 32, REALM_ERR_FORMAT, "'tensor.bb': data [",
          "offset past EOF");
    mut64(off, UINT64_MAX - 31, REALM_ERR_FORMAT, "past end of file", "offset near 2^64 (sum wraps)");
    mut64(off, 0, REALM_ERR_FORMAT, "overlap", "overlaps tensor.aa");
    mut64(off, 32, REALM_ERR_FORMAT, "tensors 'tensor.aa' [0, +64) and 'tensor.bb' [32, +68) overlap",
          "overlap names both");
    /* tensor.cc moved onto tensor.bb */
    mut64(after("tensor.cc") + 24, off_b, REALM_ERR_FORMAT, "overlap", "tensor.cc on tensor.bb");
    /* name length and content */
    mut64(b - 9 - 8, UINT64_C(1) << 63, REALM_ERR_FORMAT, "name length", "name length 2^63");
    mut64(b - 9 - 8, 0, REALM_ERR_FORMAT, "empty name", "empty tensor name");
    {
        uint8_t *m = malloc(base.size);
        memcpy(m, base.buf, base.size);
        m[b - 2] = m[b - 1] = 'a'; /* tensor.bb -> tensor.aa */
        expect_fail(m, base.size, REALM_ERR_FORMAT, "duplicate tensor name 'tensor.aa'",
                    "duplicate tensor name");
        free(m);
    }
}

/* Random corruption of the metadata: whatever happens, no crash, no read out
 * of bounds (ASan), a message on failure, and a successful open yields
 * tensors inside the buffer and readable values. */
Test(gguf_malformed, random_corruption) {
    tu_rng rng = {2024};
    uint8_t *m = malloc(base.size);
    int opened = 0;
    for (int it = 0; it < 4000; it++) {
        memcpy(m, base.buf, base.size);
        int flips = 1 + (int)(tu_next(&rng) % 4);
        for (int k = 0; k < flips; k++) {
            size_t at = (size_t)(tu_next(&rng) % base.data_offset);
            uint64_t r = tu_next(&rng);
            switch (r % 4) {
            case 0:
                m[at] = (uint8_t)(r >> 8);
                break;
            case 1:
                m[at] ^= (uint8_t)(1u << ((r >> 8) % 8));
                break;
            case 2:
                if (at + 8 <= base.size) put64(m, at, r >> 3);
                break;
            default:
                if (at + 4 <= base.size) put32(m, at, (uint32_t)(r >> 40) % 64);
                break;
            }
        }
        size_t n = tu_next(&rng) % 8 == 0 ? (size_t)(tu_next(&rng) % base.size) : base.size;
        realm_gguf *g = NULL;
        uint8_t *copy;
        realm_status s = open_copy(m, n, &g, &copy);
        if (s != REALM_OK) {
            cr_assert_null(g);
            cr_assert(s == REALM_ERR_FORMAT || s == REALM_ERR_UNSUPPORTED, "iteration %d: %s (%s)", it,
                      realm_status_str(s), realm_last_error());
            cr_assert(strncmp(realm_last_error(), "gguf: ", 6) == 0, "iteration %d: '%s'", it,
                      realm_last_error());
        } else {
            opened++;
            for (int64_t i = 0; i < realm_gguf_n_tensors(g); i++) {
                realm_gguf_tensor t;
                expect_ok(realm_gguf_tensor_info(g, i, &t));
                const uint8_t *d = t.data;
                cr_assert(d >= copy && d + t.bytes <= copy + n);
                volatile uint8_t sink = d[0] ^ d[t.bytes - 1];
                (void)sink;
            }
            for (int64_t i = 0; i < realm_gguf_n_kv(g); i++) {
                const char *key = realm_gguf_key(g, i);
                realm_gguf_vtype et;
                int64_t len;
                const void *data;
                const char *str;
                size_t sl;
                if (realm_gguf_get_arr(g, key, &et, &len, &data) == REALM_OK) {
                    for (int64_t j = 0; et == REALM_GGUF_STRING && j < len; j++) {
                        expect_ok(realm_gguf_get_arr_str(g, key, j, &str, &sl));
                        cr_assert((const uint8_t *)str >= copy && (const uint8_t *)str + sl <= copy + n);
                    }
                } else if (realm_gguf_get_str(g, key, &str, &sl) == REALM_OK) {
                    cr_assert((const uint8_t *)str >= copy && (const uint8_t *)str + sl <= copy + n);
                }
            }
            realm_gguf_close(g);
        }
        free(copy);
    }
    free(m);
    cr_assert(opened > 0 && opened < 4000, "some corruptions are harmless, most are not (%d opened)", opened);
}
