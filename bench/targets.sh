#!/usr/bin/env bash
# The fast-kernel targets of the project, measured in one run on this
# machine: batch-1 GEMV against read bandwidth (interleaved), batch-512 GEMM
# per type at 1 and 2 threads, f32 GEMM against OpenBLAS, machine peaks.
# usage: bench/targets.sh [realm binary] > results.csv   (progress on stderr)
set -euo pipefail
realm=${1:-./build/realm}
types="q4_0 q4_1 q5_0 q5_1 q8_0 q8_1 q2_K q3_K q4_K q5_K q6_K q8_K"
"$realm" bench peak --threads 1,2 --format csv
"$realm" bench bandwidth --threads 1,2 --format csv | tail -n +2
first=1
for t in $types; do
  out=$("$realm" bench matmul --type "$t" --k 8192 --n 16384 --batch 1 --threads 1,2 --reps 7 --bandwidth --format csv)
  if [ $first = 1 ]; then echo "$out"; first=0; else echo "$out" | tail -n +2; fi
done
for t in $types f32; do
  "$realm" bench matmul --type "$t" --k 4096 --n 4096 --batch 512 --threads 1,2 --reps 5 --format csv | tail -n +2
done
"$realm" bench sgemm-ref --batch 512 --n 4096 --k 4096 --threads 1 --json || true
"$realm" bench sgemm-ref --batch 512 --n 4096 --k 4096 --threads 2 --json || true
