#!/usr/bin/env bash
# Mersenne Twister family vectors. $1: the tests/vectors folder.
# Runtimes: g++/libstdc++ (mt19937, mt19937_64), CPython (cpython_random), numpy
# (numpy_random_state), PHP and Ruby from Debian packages (apt-get install php-cli ruby; PHP 8.2
# gives php_mt_rand and, in MT_RAND_PHP mode, php_mt_rand_legacy; Ruby 3.1 gives ruby_random).
#
# tinymt32 has no runtime here: its vectors come from the published reference implementation,
# tinymt/tinymt32.c and tinymt32.h of https://github.com/MersenneTwister-Lab/TinyMT (BSD; not
# committed here), compiled with our driver tinymt32_vectors.c, which first checks the reference's
# own published check32.out.txt values. Point TINYMT_SRC at that tinymt/ folder (for example
# `git clone https://github.com/MersenneTwister-Lab/TinyMT && TINYMT_SRC=TinyMT/tinymt`); the
# committed files were made from revision fabd141. Without TINYMT_SRC the tinymt32 files are kept.
set -euo pipefail
out="$1"; src="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

g++ -std=c++17 -O2 "$src/std_vectors.cpp" -o "$work/std_vectors"
"$work/std_vectors" "$out"
python3 "$src/cpython_vectors.py" "$out"
python3 "$src/numpy_vectors.py" "$out"
php "$src/php_vectors.php" "$out"
ruby "$src/ruby_vectors.rb" "$out"

if [ -n "${TINYMT_SRC:-}" ]; then
  rev="${TINYMT_REV:-$(git -C "$TINYMT_SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
  cc -std=c99 -O2 -I"$TINYMT_SRC" "$src/tinymt32_vectors.c" "$TINYMT_SRC/tinymt32.c" -lm -o "$work/tinymt32_vectors"
  "$work/tinymt32_vectors" "$out" "$rev"
else
  echo "mersenne_twister: TINYMT_SRC not set; keeping the committed tinymt32 vectors" >&2
fi
