#!/usr/bin/env bash
# Vectors of the word reductions (kernels/reductions.py: shr, signed32, res53, java_double,
# v8_double, native_double), printed by the runtimes themselves. $1: the tests/vectors folder; files go to
# $1/shapes/<generator>/ (beside, not among, the per-generator folders: their draws may be
# doubles). Runtimes: PHP 8.2, OpenJDK 17, CPython with numpy, Node.js, g++/libstdc++.
set -euo pipefail
out="$1/shapes"; src="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
php "$src/shapes.php" "$out"
javac -d "$work" "$src/ShapesJava.java"
java -cp "$work" ShapesJava "$out"
python3 "$src/shapes.py" "$out"
for engine in mt19937 mt19937_64 minstd_rand0 minstd_rand knuth_b ranlux24_base ranlux48_base; do
  mkdir -p "$out/$engine"
done
g++ -std=c++17 -O2 "$src/canonical.cpp" -o "$work/canonical"
"$work/canonical" "$out"
for seed in 1 3735928495; do
  flag=$(( seed >= 2147483648 ? seed - 4294967296 : seed ))
  node --random-seed="$flag" "$src/shapes_v8.js" "$out" "$seed"
done
