#!/usr/bin/env bash
# xorshift family vectors (kernels/generators/xorshift.py, xoshiro.py). $1: the tests/vectors folder.
#
# Who vouches for what:
#   OpenJDK 17          splitmix64 (SplittableRandom), xoshiro256plusplus (jdk.random), and the
#                       splitmix64 state words fed to every other xoshiro/xorshift128+ maker
#   randomgen (PyPI)    xoshiro256starstar, xoroshiro128plus (the authors' C as numpy bit
#                       generators; reduced streams through numpy's RandomState)
#   Node.js             v8_math_random (node --random-seed=S)
#   npm xorshift 1.2.0  xorshift128plus
#   NVIDIA cuRAND       xorwow (host generator of libcurand from PyPI's nvidia-curand; CPU only)
#   Marsaglia 2003      xorshift32, xorshift64, xorshift128: the paper's C code (marsaglia.c)
#   authors' C code     xoshiro256plus, xoroshiro128starstar, xorshift64star: NOT in this repo;
#                       set XORSHIFT_REF_DIR to a folder holding the unmodified xoshiro256plus.c
#                       and xoroshiro128starstar.c from https://prng.di.unimi.it/ and Vigna's
#                       xorshift64star.c (former xorshift.di.unimi.it page), all CC0. Without it
#                       those three keep their committed files.
#
# Needs: java (17+), node + npm, gcc, python3 with numpy, pip; the CUDA runtime headers and
# libcudart (CUDA_HOME, default /usr/local/cuda) for cuRAND. Installs into a temporary folder:
# pip nvidia-curand, npm xorshift; and `pip install randomgen` if it is missing (only needed to
# make vectors, not by the project or CI).
set -euo pipefail
out="$1"; src="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
words="$tmp/words.txt"

echo "-- OpenJDK: splitmix64, xoshiro256plusplus, splitmix64 state words" >&2
java --add-modules jdk.random --add-exports jdk.random/jdk.random=ALL-UNNAMED \
  "$src/XorshiftVectors.java" "$out" "$words"

echo "-- randomgen: xoshiro256starstar, xoroshiro128plus" >&2
python3 -c 'import randomgen' 2>/dev/null || pip install --quiet randomgen
python3 "$src/randomgen_vectors.py" "$out" "$words"

echo "-- Node.js: v8_math_random" >&2
for seed in 1 3735928495 42; do
  flag=$(( seed >= 2147483648 ? seed - 4294967296 : seed ))  # V8's --random-seed is an int
  for stream in raw float_mul:1000; do
    node --random-seed="$flag" "$src/v8_vectors.js" "$out" "$seed" "$stream"
  done
done

echo "-- npm xorshift: xorshift128plus" >&2
npm install --silent --no-audit --no-fund --prefix "$tmp/npm" xorshift@1.2.0 >/dev/null
node "$src/npm_xorshift128plus.js" "$out" "$words" "$tmp/npm/node_modules"

echo "-- cuRAND: xorwow" >&2
cuda="${CUDA_HOME:-/usr/local/cuda}"
pip install --quiet --no-deps --target "$tmp/curand" nvidia-curand==10.4.5.25
cu="$tmp/curand/nvidia/cu13"
cudalib="$(dirname "$(find "$cuda"/ -name 'libcudart.so*' -print -quit)")"
gcc -O2 -o "$tmp/curand_vectors" "$src/curand_vectors.c" -I"$cu/include" -I"$cuda/include" \
  -L"$cu/lib" -l:libcurand.so.10 -lm -Wl,-rpath,"$cu/lib" -Wl,-rpath,"$cudalib"
for seed in 0 3735928495 42; do "$tmp/curand_vectors" "$out" "$seed"; done

echo "-- Marsaglia 2003: xorshift32, xorshift64, xorshift128" >&2
gcc -O2 -o "$tmp/marsaglia" "$src/marsaglia.c"
"$tmp/marsaglia" "$out"

if [ -n "${XORSHIFT_REF_DIR:-}" ] && [ -f "$XORSHIFT_REF_DIR/xoshiro256plus.c" ]; then
  echo "-- authors' reference C: xoshiro256plus, xoroshiro128starstar, xorshift64star" >&2
  gcc -O2 -o "$tmp/vigna_reference" -I"$XORSHIFT_REF_DIR" -I"$src" "$src/vigna_reference.c"
  "$tmp/vigna_reference" "$out" "$words"
else
  echo "-- XORSHIFT_REF_DIR unset: keeping committed xoshiro256plus, xoroshiro128starstar," \
       "xorshift64star vectors (see the comment at the top of this script)" >&2
fi
