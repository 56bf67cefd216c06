#!/usr/bin/env bash
# valgrind memcheck on the realm tool's main paths, in a Debug build.
#
#   scripts/valgrind.sh            build build-valgrind (Debug) and check every path
#
# Each command runs under `valgrind --error-exitcode=1 --leak-check=full
# --errors-for-leak-kinds=definite,indirect`: any invalid access, use of
# uninitialised memory or leak fails the script. Paths: info (text and json),
# demo (small), quant/dequant round trip of a small file, bench matmul (tiny
# shape, one rep, pool and serial executors), and tokenize when the shared
# test model is there. Environment: REALM_VALGRIND_BUILD (default
# build-valgrind).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

build=${REALM_VALGRIND_BUILD:-build-valgrind}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind.sh: valgrind not found (scripts/install-deps.sh --dev installs it)" >&2
    exit 1
fi
if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DREALM_BUILD_TESTS=OFF >/dev/null ||
    ! cmake --build "$build" -j "$(nproc)" --target realm_tool >"$build/build.log" 2>&1; then
    tail -30 "$build/build.log" >&2 2>/dev/null
    echo "valgrind.sh: build failed" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
realm=$build/realm
failed=()
n=0

vg() { # vg <name> <realm args...>
    local name=$1 t0=$SECONDS
    shift
    n=$((n + 1))
    if valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect --log-file="$tmp/$name.vg" "$realm" "$@" >"$tmp/$name.out" 2>&1; then
        printf 'valgrind.sh: %-22s ok   %3ss\n' "$name" $((SECONDS - t0))
    else
        printf 'valgrind.sh: %-22s FAIL %3ss: realm %s\n' "$name" $((SECONDS - t0)) "$*"
        cat "$tmp/$name.vg" "$tmp/$name.out" >&2
        failed+=("$name")
    fi
}

# 4 rows of 256 floats for quant/dequant: 1.0, -1.5, 2.0, 0.3125 over and over.
for _ in $(seq 256); do printf '\000\000\200\077\000\000\300\277\000\000\000\100\000\000\240\076'; done >"$tmp/x.f32"

vg info info
vg info-json info --format json
vg demo demo --rows 32 --k 256 --batch 2 --repeat 1
vg quant quant --type q4_K --in "$tmp/x.f32" --out "$tmp/x.q4_K" --cols 256
vg dequant dequant --type q4_K --in "$tmp/x.q4_K" --out "$tmp/y.f32" --cols 256
vg quant-q8_0 quant --type q8_0 --in "$tmp/x.f32" --out "$tmp/x.q8_0" --cols 256
vg bench-matmul bench matmul --type q4_K --k 256 --n 64 --batch 1,8 --threads 1,2 --reps 1
vg bench-matmul-serial bench matmul --type q8_0 --k 256 --n 64 --batch 2 --threads 1 --reps 1 \
    --executor serial --backend naive
vg make-model make-model --preset stories --type f32 -o "$tmp/s.gguf"
vg quantize quantize "$tmp/s.gguf" "$tmp/s-q4km.gguf" q4_K_M
vg generate generate -m "$tmp/s-q4km.gguf" -p "Once upon" -n 4 --threads 2
vg generate-builtin generate -n 2 --temp 0 --threads 1 --executor serial
vg bench-model bench model -m "$tmp/s.gguf" -p 8 -n 2 --threads 1 --reps 1
model=../shared/models/tiny-q8_0.gguf
if [ -f "$model" ]; then
    vg tokenize tokenize --model "$model" --prompt "Hello world, once upon a time"
fi

if [ "${#failed[@]}" -ne 0 ]; then
    echo "valgrind.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "valgrind.sh: $n paths clean"
