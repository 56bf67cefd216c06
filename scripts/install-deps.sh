#!/usr/bin/env bash
# Installs the Debian packages realm needs, and only those that are missing.
#
#   scripts/install-deps.sh          build + test: compiler, CMake, hwloc, Criterion, OpenBLAS
#   scripts/install-deps.sh --dev    also the checkers used by .ci/run: clang-format, clang-tidy,
#                                    cppcheck, shellcheck, doxygen, clang (+ its OpenMP headers,
#                                    libFuzzer and sanitizer runtimes), valgrind
#
# Idempotent and quiet: when everything is present it only runs dpkg-query
# (no apt-get update, no root needed). Uses sudo only when not root.
set -euo pipefail

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; }

dev=0
for arg in "$@"; do
    case "$arg" in
    --dev) dev=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-deps.sh: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
    esac
done

# Build and test. make is CMake's default generator; libc6-dev is only a
# recommendation of gcc, so name it.
pkgs=(gcc libc6-dev make cmake pkg-config libhwloc-dev libcriterion-dev libopenblas-dev)
if [ "$dev" = 1 ]; then
    # libomp-dev: clang's omp.h, which clang-tidy needs to parse -fopenmp code.
    # libclang-rt-14-dev: libFuzzer and the sanitizer runtimes for clang 14
    # (scripts/fuzz.sh); valgrind: scripts/valgrind.sh.
    pkgs+=(git clang-format clang-tidy cppcheck shellcheck doxygen clang libomp-dev libclang-rt-14-dev valgrind)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps.sh: not a Debian-based system; install the equivalents of: ${pkgs[*]}" >&2
    exit 0
fi

# One dpkg-query for all: unknown packages print nothing on stdout.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${pkgs[@]}" 2>/dev/null | awk '/ ok installed$/ {print $1}' || true)
missing=()
for p in "${pkgs[@]}"; do
    grep -qx -- "$p" <<<"$installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "install-deps.sh: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps.sh: not root and no sudo; please install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
