#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

    python3 tests/fuzz/make_seeds.py

Seeds are small and deterministic: a few graph programs in fuzz_graph's
byte language, a few tiny valid GGUF files (v2 and v3, every metadata value
type, tensors of several types, a vocab), and some tokenizer texts. The
fuzzer mutates them; the files are committed, so this script only needs to
run when a target's input format changes.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


# ---- fuzz_graph ---------------------------------------------------------------
# Opcodes (op % 24): 0 input, 2 weight, 4 output, 5 name, 6.. ops in this order:
OPS = ["matmul", "matmul_f32", "add", "mul", "swiglu", "scale", "unary", "rms_norm", "layer_norm",
       "softmax", "rope", "input_ids", "kv_cache", "get_rows", "reshape", "last_row", "rope_kv", "attention"]
SIZES = {"dyn": 0, 1: 1, 2: 2, 3: 3, 4: 4, 8: 6, 16: 7, 32: 8, 64: 10, 256: 11}
TYPES = ["f32", "f16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q8_1", "q2_K", "q3_K", "q4_K", "q5_K",
         "q6_K", "q8_K"]
BLOCK = {"f32": 1, "f16": 1}


def inp(dims, max_t, name=0):
    b = [0, len(dims)] + [SIZES[d] for d in dims] + [SIZES[1]] * (5 - len(dims))
    return b + [max_t, name]


MULT = [1, 2, 4, 8, 16, 32, 64, 256]


def weight(ty, rows, cols_blocks, seed):
    """A weight [rows][block * cols_blocks] of type ty with data (values from bytes)."""
    block = BLOCK.get(ty, 256 if ty.endswith("_K") else 32)
    b = [2, TYPES.index(ty), 2, rows - 1, MULT.index(cols_blocks), 1]
    n = rows * block * cols_blocks
    b += [(seed * 37 + i * 11) % 256 for i in range(n)]
    return b + [1]


def op(name, *args):
    return [6 + OPS.index(name)] + list(args)


def run(tokens, row_elems, backend=0, pool=1):
    """Compile and two runs; row_elems: per input, elements per token (or fixed count)."""
    b = [0xFF, backend, pool]
    for _ in range(2):
        b += [tokens]
        for n in row_elems:
            b += [(i * 7) % 256 for i in range(n * tokens)] + [1]
    return b


def graph_seeds():
    # FFN-like: x [T, 256], q4_K and q8_0 weights, silu, add, softmax.
    p = inp(["dyn", 256], 4)
    p += weight("q4_K", 4, 1, 1)           # t1: [4, 256]
    p += op("matmul", 1, 0)                # t2 = W x: [T, 4]
    p += op("unary", 2, 0, 0)              # t3 = silu(t2)
    p += op("softmax", 3, 0, 0x20)         # t4
    p += [4, 4]                            # output t4
    p += op("rms_norm", 0, 5, 0)           # t5 = rms_norm(x) (weight NULL)
    p += [4, 5]
    write("fuzz_graph", "ffn_q4k", p + run(3, [256]))
    # Attention pieces: x [T, 2, 8] rope, matmul_f32 transposed, layer norm.
    p = inp(["dyn", 2, 8], 5)
    p += op("rope", 0, 0, 16, 0, 1)         # t1 = rope(x)
    p += inp(["dyn", 16], 5, 1)            # t2: i1 [T, 16]
    p += op("matmul_f32", 2, 2, 1)         # t3 = i1 i1^T: [T, T]
    p += op("softmax", 3, 0, 0x28)         # t4 causal
    p += [4, 4, 4, 1]
    p += op("layer_norm", 2, 5, 5, 0)      # t5
    p += [4, 5]
    write("fuzz_graph", "attention", p + run(4, [16, 16], backend=1, pool=0))
    # Every quantized type as a matmul weight against x [T, 256].
    p = inp(["dyn", 256], 2)
    for i, ty in enumerate(TYPES[2:]):
        blocks = 1 if ty.endswith("_K") else 8
        p += weight(ty, 2, blocks, i)
        n = 2 + 2 * i                      # tensors so far: x, then (w, y) pairs
        p += op("matmul", n - 1, 0)
        p += [4, n]
    write("fuzz_graph", "all_types", p + run(2, [256]))
    # Elementwise chain on a fixed shape.
    p = inp([4, 8], 0)
    p += op("scale", 0, 0, 1) + op("add", 0, 1) + op("mul", 2, 1) + op("swiglu", 3, 2)
    p += op("unary", 4, 0, 1) + op("unary", 5, 0, 2) + op("unary", 6, 0, 3)
    p += [5, 0, 7, 4, 7]
    write("fuzz_graph", "elementwise", p + run(1, [32], pool=0))
    write("fuzz_graph", "empty", [])
    # LLM pieces: ids -> get_rows (q8_0 tables) -> reshape to heads -> rope_kv ->
    # GQA attention through a KV cache (1 layer, 11 positions, 1 kv head of 32).
    p = op("input_ids", 0, 4)                    # t0: ids [T]
    p += weight("q8_0", 8, 2, 3)                 # t1: [8, 64]
    p += op("get_rows", 1, 0)                    # t2: [T, 64]
    p += weight("q8_0", 8, 1, 4)                 # t3: [8, 32]
    p += op("get_rows", 3, 0)                    # t4: [T, 32]
    p += op("kv_cache", 1, 131)
    p += op("reshape", 2, 3, SIZES["dyn"], SIZES[2], SIZES[32], SIZES[1], SIZES[1])  # t5: [T, 2, 32]
    p += op("reshape", 4, 3, SIZES["dyn"], SIZES[1], SIZES[32], SIZES[1], SIZES[1])  # t6: [T, 1, 32]
    p += op("rope_kv", 5, 0, 0)                  # t7
    p += op("attention", 7, 6, 6, 0, 6)          # t8: [T, 64]
    p += [4, 8]
    p += op("last_row", 8)                       # t9
    p += [4, 9]
    ids = [2, 5, 9]
    write("fuzz_graph", "llm_attention", p + [0xFF, 2, 1] + ([3] + ids + [1]) * 2)


# ---- GGUF -----------------------------------------------------------------------
GGUF_TYPES = {"u8": 0, "i8": 1, "u16": 2, "i16": 3, "u32": 4, "i32": 5, "f32": 6, "bool": 7, "str": 8,
              "arr": 9, "u64": 10, "i64": 11, "f64": 12}
FMT = {"u8": "<B", "i8": "<b", "u16": "<H", "i16": "<h", "u32": "<I", "i32": "<i", "f32": "<f",
       "bool": "<B", "u64": "<Q", "i64": "<q", "f64": "<d"}
TYPE_ID = {"f32": 0, "f16": 1, "q4_0": 2, "q8_0": 8, "q4_K": 12, "q6_K": 14}
TYPE_SIZE = {"f32": (1, 4), "f16": (1, 2), "q4_0": (32, 18), "q8_0": (32, 34), "q4_K": (256, 144),
             "q6_K": (256, 210)}


def gstr(s, version):
    b = s.encode()
    return (struct.pack("<Q", len(b)) if version >= 2 else struct.pack("<I", len(b))) + b


def gval(t, v, version):
    if t == "str":
        return gstr(v, version)
    if t == "arr":
        et, items = v
        out = struct.pack("<I", GGUF_TYPES[et]) + struct.pack("<Q", len(items))
        return out + b"".join(gval(et, x, version) for x in items)
    return struct.pack(FMT[t], v)


def gguf(kvs, tensors, version=3, alignment=32):
    out = b"GGUF" + struct.pack("<I", version) + struct.pack("<QQ", len(tensors), len(kvs))
    for k, t, v in kvs:
        out += gstr(k, version) + struct.pack("<I", GGUF_TYPES[t]) + gval(t, v, version)
    off, datas = 0, []
    for name, ty, ne in tensors:
        out += gstr(name, version) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", n) for n in ne)
        out += struct.pack("<I", TYPE_ID[ty]) + struct.pack("<Q", off)
        be, bb = TYPE_SIZE[ty]
        n = 1
        for x in ne:
            n *= x
        size = n // be * bb
        datas.append((off, bytes((i * 13 + len(name)) % 251 for i in range(size))))
        off += (size + alignment - 1) // alignment * alignment
    out += b"\0" * ((-len(out)) % alignment)
    data = bytearray(off)
    for o, d in datas:
        data[o:o + len(d)] = d
    # Keep f16/f32 data finite: small bytes only (already < 251; fine for fuzzing).
    return out + bytes(data)


def gguf_seeds():
    vocab = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % i for i in range(256)] + \
        ["\u2581", "\u2581h", "\u2581he", "ll", "llo", "\u2581hello", "\u2581w", "or", "ld", "\u2581world",
         "e", "h", "l", "o", "w", "r", "d", "\u2581the", "ing", "\u2581a"]
    scores = [0.0] * 3 + [0.0] * 256 + [-float(i) for i in range(len(vocab) - 259)]
    ttypes = [2, 3, 3] + [6] * 256 + [1] * (len(vocab) - 259)
    tok_kvs = [("tokenizer.ggml.model", "str", "llama"),
               ("tokenizer.ggml.tokens", "arr", ("str", vocab)),
               ("tokenizer.ggml.scores", "arr", ("f32", scores)),
               ("tokenizer.ggml.token_type", "arr", ("i32", ttypes)),
               ("tokenizer.ggml.bos_token_id", "u32", 1),
               ("tokenizer.ggml.eos_token_id", "u32", 2),
               ("tokenizer.ggml.unknown_token_id", "u32", 0),
               ("tokenizer.ggml.add_bos_token", "bool", 1)]
    all_kvs = [("general.architecture", "str", "llama"), ("general.name", "str", "seed"),
               ("general.alignment", "u32", 32),
               ("k.u8", "u8", 7), ("k.i8", "i8", -7), ("k.u16", "u16", 700), ("k.i16", "i16", -700),
               ("k.u32", "u32", 70000), ("k.i32", "i32", -70000), ("k.f32", "f32", 1.5),
               ("k.bool", "bool", 1), ("k.u64", "u64", 1 << 40), ("k.i64", "i64", -(1 << 40)),
               ("k.f64", "f64", 2.25), ("k.arr_u32", "arr", ("u32", [1, 2, 3])),
               ("k.arr_str", "arr", ("str", ["a", "bc", ""])), ("k.arr_arr", "arr", ("arr", [("u8", [1, 2])]))]
    tensors = [("token_embd.weight", "q8_0", [64, 4]), ("output_norm.weight", "f32", [64]),
               ("blk.0.ffn_up.weight", "q4_K", [256, 2]), ("blk.0.attn_q.weight", "f16", [8, 8]),
               ("blk.0.ffn_down.weight", "q6_K", [256, 1]), ("blk.0.x.weight", "q4_0", [32, 1, 1, 2])]
    write("fuzz_gguf", "v3_all_kv_types", gguf(all_kvs, tensors))
    write("fuzz_gguf", "v2_small", gguf(all_kvs[:3], tensors[:2], version=2))
    write("fuzz_gguf", "v3_align64", gguf([("general.alignment", "u32", 64)], tensors[1:3], alignment=64))
    write("fuzz_gguf", "empty_v3", gguf([], []))
    write("fuzz_gguf", "vocab", gguf(all_kvs[:1] + tok_kvs, tensors[1:2]))


def tokenizer_seeds():
    texts = ["hello world", "Hello, World!", "", " ", "  leading spaces", "the thing",
             "unicode: \u00e9\u00e8 \u4e2d\u6587 \U0001F600", "<s>hello</s>", "a\nb\tc\r\n",
             "\u2581hello\u2581world", "x" * 200]
    for i, t in enumerate(texts):
        write("fuzz_tokenizer", "text%02d" % i, b"\x00" + t.encode())
    write("fuzz_tokenizer", "invalid_utf8", b"\x01\xff\xfe\xc3(\xe2\x82 ok \xf0\x90\x80")
    write("fuzz_tokenizer", "with_bos", b"\x03hello world")


if __name__ == "__main__":
    graph_seeds()
    gguf_seeds()
    tokenizer_seeds()
