#!/usr/bin/env bash
# Static checks; CI requires zero findings.
#
#   scripts/lint.sh               cppcheck + clang-tidy (.clang-tidy) + shellcheck
#   scripts/lint.sh --no-tidy     skip clang-tidy (the slowest part)
#   scripts/lint.sh --analyzer    also run clang's static analyzer (clang-analyzer-*);
#                                 not part of CI: it cannot see that realm_error()
#                                 never returns REALM_OK, so it reports false NULL derefs.
#
# Both C checkers read the compile commands of a configure-only Debug tree in
# build-lint/ (Debug keeps assert() visible to them), so they see exactly the
# files, flags and defines of the real build: library, tool, benches, tests.
# Suppress a reviewed cppcheck finding inline: // cppcheck-suppress <id>
# and a clang-tidy one with // NOLINT(<check>), each with a reason.
set -euo pipefail
cd "$(dirname "$0")/.."

tidy=1
analyzer=0
for arg in "$@"; do
    case "$arg" in
    --no-tidy) tidy=0 ;;
    --analyzer) analyzer=1 ;;
    -h | --help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "lint.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "lint.sh: $1 not found (scripts/install-deps.sh --dev installs it)" >&2
    exit 2
}
pick() { # first of the given commands that exists
    for c in "$@"; do
        if command -v "$c" >/dev/null 2>&1; then echo "$c"; return 0; fi
    done
    need "$1"
}

jobs=$(nproc)
bld=build-lint
failed=()

if ! out=$(cmake -S . -B "$bld" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_EXPORT_COMPILE_COMMANDS=ON 2>&1); then
    echo "$out" >&2
    echo "lint.sh: cmake configure failed" >&2
    exit 2
fi
db=$bld/compile_commands.json

# ---- cppcheck ------------------------------------------------------------------
# warning + style + performance + portability, minus four that are noise here:
# variableScope (declare-at-use is a taste), unusedStructMember (GGUF block and
# params structs have fields some translation units never touch),
# invalidPointerCast (byte buffers and mmapped GGUF data are read as float *
# everywhere; malloc'd/mapped memory has no declared type, so this is legal) and
# clarifyCalculation (`qh & m ? a : b`, GGUF's own idiom, is plain C precedence).
# scripts/cppcheck/criterion.cfg teaches it Criterion's Test()/TestSuite().
need cppcheck
mkdir -p "$bld/cppcheck"
echo "lint.sh: cppcheck ($(cppcheck --version))"
if ! cppcheck --project="$db" --cppcheck-build-dir="$bld/cppcheck" -j "$jobs" --quiet \
    --std=c11 --enable=warning,style,performance,portability --inline-suppr \
    --library=scripts/cppcheck/criterion.cfg --suppress=missingIncludeSystem \
    --suppress=variableScope --suppress=unusedStructMember --suppress=invalidPointerCast \
    --suppress=clarifyCalculation \
    --error-exitcode=1 --template='{file}:{line}:{column}: {severity}: {message} [{id}]' 2>&1; then
    failed+=(cppcheck)
fi

# ---- clang-tidy ----------------------------------------------------------------
if [ "$tidy" = 1 ]; then
    ct=$(pick clang-tidy-14 clang-tidy)
    extra=()
    [ "$analyzer" = 1 ] && extra=(--checks='clang-analyzer-*,-clang-analyzer-security.insecureAPI.*')
    # CMake writes one "file": "<path>", line per entry.
    mapfile -t srcs < <(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$db")
    echo "lint.sh: $ct (${#srcs[@]} files)"
    # One process per file, $jobs at a time; xargs exits non-zero if any failed.
    # Diagnostics go to a log first so they print in one piece, without clang's
    # "N warnings generated" chatter.
    log=$bld/clang-tidy.log
    if printf '%s\n' "${srcs[@]}" |
        xargs -d '\n' -P "$jobs" -n 1 "$ct" -p "$bld" --quiet "${extra[@]}" >"$log" 2>&1; then
        tidy_ok=1
    else
        tidy_ok=0
    fi
    grep -Ev '^[0-9]+ (warning|error)s? generated\.$|^Error while processing ' "$log" || true
    [ "$tidy_ok" = 1 ] || failed+=(clang-tidy)
fi

# ---- shellcheck ----------------------------------------------------------------
need shellcheck
mapfile -t shells < <(git ls-files -- '*.sh' .ci/run)
echo "lint.sh: shellcheck (${#shells[@]} scripts)"
if [ "${#shells[@]}" -gt 0 ] && ! shellcheck "${shells[@]}"; then
    failed+=(shellcheck)
fi

if [ "${#failed[@]}" -ne 0 ]; then
    echo "lint.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "lint.sh: no findings"
