#!/usr/bin/env bash
# Bounded-integer reductions of real runtimes over generators of several families:
# numpy Generator.integers (lemire32), libstdc++ uniform_int_distribution (lemire32/lemire64),
# and the PCG reference's pcg32_boundedrand_r (pcg_bounded; needs PCG_C_BASIC pointing at a
# checkout of github.com/imneme/pcg-c-basic, which is not committed; skipped without it).
# $1: the tests/vectors folder.
set -euo pipefail
out="$1"; src="$(cd "$(dirname "$0")" && pwd)"; tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 "$src/numpy_integers.py" "$out"
g++ -O2 -std=c++17 -o "$tmp/std_uniform_int" "$src/std_uniform_int.cpp" && "$tmp/std_uniform_int" "$out"
if [ -n "${PCG_C_BASIC:-}" ]; then
  gcc -O2 -I"$PCG_C_BASIC" -o "$tmp/pcg32_bounded" "$src/pcg32_bounded.c" "$PCG_C_BASIC/pcg_basic.c"
  "$tmp/pcg32_bounded" "$out"
else
  echo "PCG_C_BASIC not set: keeping the committed pcg_bounded files" >&2
fi
