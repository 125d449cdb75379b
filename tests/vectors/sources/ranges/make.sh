#!/usr/bin/env bash
# Range calls that do not start at 0, printed by the runtimes themselves: each is a bounded
# reduction of kernels/reductions.py plus the range's start ("# add: K" in the header).
# CPython randint(1, 10) and randint(1, 6), numpy RandomState.randint(1, 7), PHP mt_rand(1, 100)
# and mt_rand(1, 6), Java nextInt(6) + 1, C rand() % 6 + 1 (glibc), Node.js
# Math.floor(Math.random() * 6) + 1, Ruby Random#rand(1..6) and rand(1..10), libstdc++
# std::uniform_int_distribution<int>(1, 6) over std::mt19937, mt19937_64, minstd_rand0,
# minstd_rand, knuth_b, ranlux24_base and ranlux48_base.
# $1: the tests/vectors folder; files go to $1/ranges/<generator>/ (beside the per-generator
# folders, which hold draws from 0).
set -euo pipefail
out="$1/ranges"; src="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
python3 "$src/ranges.py" "$out"
php "$src/ranges.php" "$out"
ruby "$src/ranges.rb" "$out"
javac -d "$work" "$src/Ranges.java"
java -cp "$work" Ranges "$out"
gcc -O2 -o "$work/rand_mod" "$src/rand_mod.c"
"$work/rand_mod" "$out"
g++ -O2 -o "$work/uniform_int" "$src/uniform_int.cpp"
"$work/uniform_int" "$out"
for seed in 1234 3735928495; do
  flag=$(( seed >= 2147483648 ? seed - 4294967296 : seed ))
  node --random-seed="$flag" "$src/ranges_v8.js" "$out" "$seed"
done
