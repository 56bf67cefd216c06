#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang, ASan+UBSan) and runs each
# for a bounded time.
#
#   scripts/fuzz.sh [seconds] [target...]   default: 60 s each, every target
#
# Seeds: tests/fuzz/corpus/<target>/ (read only; new inputs go to
# build-fuzz/corpus/<target>/). Every seed, earlier crashes included, runs
# first, so a fixed crash kept in the corpus is a regression test. A crash,
# leak, timeout or sanitizer report writes its input to
# tests/fuzz/crashes/<target>-<kind>-<sha1> and fails the script.
# Environment: REALM_FUZZ_BUILD (build dir, default build-fuzz), CC (default clang).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

secs=${1:-60}
[ $# -gt 0 ] && shift
case "$secs" in
'' | *[!0-9]*) echo "fuzz.sh: seconds must be a number, not '$secs'" >&2; exit 2 ;;
esac
build=${REALM_FUZZ_BUILD:-build-fuzz}
export CC=${CC:-clang}

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz.sh: $CC not found (scripts/install-deps.sh --dev installs clang)" >&2
    exit 1
fi

all=(fuzz_graph)
[ -f include/realm/gguf.h ] && [ -f tests/fuzz/fuzz_gguf.c ] && all+=(fuzz_gguf)
[ -f include/realm/tokenizer.h ] && [ -f tests/fuzz/fuzz_tokenizer.c ] && all+=(fuzz_tokenizer)
targets=("$@")
[ "${#targets[@]}" -eq 0 ] && targets=("${all[@]}")

if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREALM_FUZZ=ON -DREALM_BUILD_TESTS=OFF >/dev/null ||
    ! cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >"$build/build.log" 2>&1; then
    tail -30 "$build/build.log" >&2 2>/dev/null
    echo "fuzz.sh: build failed (log: $build/build.log)" >&2
    exit 1
fi

# LeakSanitizer needs ptrace; some containers forbid it (see .ci/run).
leaks=1
probe=$(mktemp -d)
printf 'int main(void) { return 0; }\n' >"$probe/p.c"
if "$CC" -fsanitize=address "$probe/p.c" -o "$probe/p" 2>/dev/null && ! "$probe/p" >/dev/null 2>&1; then
    echo "fuzz.sh: LeakSanitizer does not work here (no ptrace?); fuzzing with -detect_leaks=0" >&2
    leaks=0
    export ASAN_OPTIONS=detect_leaks=0
fi
rm -rf "$probe"

mkdir -p tests/fuzz/crashes
failed=()
report=()
for t in "${targets[@]}"; do
    seeds=tests/fuzz/corpus/$t
    work=$build/corpus/$t
    mkdir -p "$seeds" "$work"
    log=$build/$t.log
    echo "=== $t: ${secs}s, seeds $seeds ($(find "$seeds" -type f | wc -l) files)"
    "$build/tests/fuzz/$t" "$work" "$seeds" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 \
        -max_len=4096 -detect_leaks="$leaks" -print_final_stats=1 \
        -artifact_prefix="tests/fuzz/crashes/$t-" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    units=$(find "$work" -type f | wc -l)
    report+=("$(printf '%-16s %-4s execs %-10s %-10s corpus %s' "$t" "$([ "$rc" = 0 ] && echo ok || echo FAIL)" \
        "${execs:-?}" "${cov:-}" "$units")")
    if [ "$rc" != 0 ]; then
        failed+=("$t")
        echo "fuzz.sh: $t failed (exit $rc); the end of $log:" >&2
        tail -40 "$log" >&2
    fi
done

echo "=== fuzz summary (${secs}s per target)"
printf '%s\n' "${report[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzz.sh: FAILED: ${failed[*]}; inputs in tests/fuzz/crashes/ (reproduce: $build/tests/fuzz/<target> <file>)" >&2
    exit 1
fi
