#!/usr/bin/env bash
# The test command of the README and of .ci/run (one place, so they never drift):
# install missing dependencies, configure and build a Release tree in ./build,
# run the whole CTest suite (Criterion tests + install test).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j "$(nproc)" && ctest --test-dir build --output-on-failure -j2
