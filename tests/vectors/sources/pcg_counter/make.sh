#!/usr/bin/env bash
# PCG and counter-based family vectors. $1: the tests/vectors folder.
#
# numpy is the runtime for pcg64, pcg64_dxsm, philox4x64_10 and sfc64 (raw, Generator.random()
# and RandomState(<bit generator>).randint streams).
#
# pcg32, philox4x32_10, sfc32 and jsf32 have no runtime here; their vectors come from the
# published reference code, compiled with the small drivers beside this script. That code is
# NOT committed; point these variables at checkouts of it (each was read from GitHub):
#   PCG_C_BASIC  https://github.com/imneme/pcg-c-basic         (pcg_basic.c, pcg_basic.h)
#   RANDOM123    https://github.com/DEShawResearch/random123   (include/Random123/philox.h)
#   PRACTRAND    PractRand 0.94, e.g. https://github.com/MartyMacGyver/PractRand (include/, src/)
# randomgen (`pip install randomgen`, needed only to make vectors, not by the project; it wraps the
# reference C of PCG32, Philox and JSF) must agree
# with the compiled references for pcg32, philox4x32_10 and jsf32; where a reference checkout is
# missing, randomgen alone provides those vectors (said in the files' source lines) and sfc32 is
# left as committed.
set -euo pipefail
out="$1"; src="$(cd "$(dirname "$0")" && pwd)"
bins="$(mktemp -d)"; trap 'rm -rf "$bins"' EXIT

if [ -n "${PCG_C_BASIC:-}" ]; then
  gcc -O2 -I "$PCG_C_BASIC" -o "$bins/pcg32_driver" "$src/pcg32_driver.c" "$PCG_C_BASIC/pcg_basic.c"
else echo "warning: PCG_C_BASIC not set" >&2; fi
if [ -n "${RANDOM123:-}" ]; then
  gcc -O2 -I "$RANDOM123/include" -o "$bins/philox_driver" "$src/philox_driver.c"
else echo "warning: RANDOM123 not set" >&2; fi
if [ -n "${PRACTRAND:-}" ]; then
  # The whole library is linked because sfc.cpp/jsf.cpp also define the polymorphic wrappers.
  g++ -O1 -I "$PRACTRAND/include" -o "$bins/practrand_driver" "$src/practrand_driver.cpp" \
    "$PRACTRAND"/src/*.cpp "$PRACTRAND"/src/RNGs/*.cpp "$PRACTRAND"/src/RNGs/other/*.cpp -lpthread
else echo "warning: PRACTRAND not set" >&2; fi

python3 "$src/make_vectors.py" "$out" "$bins"
