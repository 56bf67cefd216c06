#!/usr/bin/env bash
# Install test (CTest "install"): install the build tree to a scratch prefix,
# run the installed tool, then build and run tests/install/consumer.c against it three ways:
# find_package(realm) with realm::realm and realm::realm_static, and pkg-config.
#
#   run.sh <build dir> <scratch dir> [extra C/linker flags, e.g. sanitizers]
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 <build dir> <scratch dir> [extra flags]" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
work=$2
flags=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
cmake=${CMAKE_COMMAND:-cmake}
cc=${CC:-cc}

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix=$work/prefix

echo "== cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log"
for f in include/realm/realm.h bin/realm; do
    [ -e "$prefix/$f" ] || { echo "missing after install: $f" >&2; exit 1; }
done
"$prefix/bin/realm" --version

echo "== find_package(realm) consumers"
"$cmake" -S "$here" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >"$work/configure.log" 2>&1 ||
    { cat "$work/configure.log" >&2; exit 1; }
"$cmake" --build "$work/consumer" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
"$work/consumer/consumer_shared"
"$work/consumer/consumer_static"

echo "== pkg-config consumer"
libdir=$(find "$prefix" -name realm.pc -path '*/pkgconfig/*' -printf '%h\n' | head -n 1)
[ -n "$libdir" ] || { echo "realm.pc not installed" >&2; exit 1; }
export PKG_CONFIG_PATH="$libdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
pc=$(pkg-config --cflags --libs realm)
echo "pkg-config --cflags --libs realm: $pc"
# shellcheck disable=SC2086 # $pc and $flags are word lists
"$cc" $flags "$here/consumer.c" $pc -o "$work/consumer_pkgconfig"
LD_LIBRARY_PATH="$(pkg-config --variable=libdir realm)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$work/consumer_pkgconfig"
echo "== install test passed"
