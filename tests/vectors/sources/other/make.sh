#!/usr/bin/env bash
# "other" family vectors (well512a, kiss99, cmwc4096, taus88, lfsr113, wichmann_hill, lehmer64,
# wyrand). $1: the tests/vectors folder.
#
# No mainstream runtime ships most of these generators, so most files come from the authors'
# published reference code, compiled here with gcc (glibc supplies rand() for well512a):
#
#   generator      vouched for by
#   well512a       WELL512a.c of Panneton, L'Ecuyer and Matsumoto + glibc srand()/rand()
#   kiss99         Marsaglia's own C code, cut from his 1999-01-20 sci.stat.math post; his test
#                  main must print seven 0s first (his published check values)
#   cmwc4096       Marsaglia's posted CMWC4096 and SUPRKISS32 table fill, transcribed in
#                  cmwc4096_vectors.c (no compilable reference file and no check value exist)
#   taus88         GNU GSL rng/taus.c (gsl_rng_taus2); GSL's check value x_10000 = 2733957125
#   lfsr113        GNU GSL rng/taus113.c (gsl_rng_taus113); GSL's check value 1925420673
#   wichmann_hill  CPython 2.7 itself (random.WichmannHill)
#   lehmer64       Lemire's testingRNG lehmer64.h + splitmix64.h, cross-checked with randomgen's
#                  LCG128Mix (pip install randomgen; used here only, for making vectors)
#   wyrand         wyhash.h of Wang Yi, cross-checked with Lemire's testingRNG wyrand.h
#
# The reference sources are third-party files and are NOT committed. Put them in a folder named
# by $OTHER_REF (default /tmp/other-ref); they were taken from these public repositories (the
# commits the committed vectors were made with):
#   WELL512a.c, WELL512a.h        github juanlucasrey/AD-HOC @37ec1ee51de9,
#                                 brng/test/third_party/umontreal/ (the umontreal release)
#   marsaglia_19990120_2208.html  github cmcqueen/simplerandom @b59e7b7cf338,
#                                 references/sci_stat_math_19990120_2208_marsaglia.html
#   gsl/taus.c, gsl/taus113.c     github ampl/gsl (a GSL mirror) @cf180cd7fbd0, rng/
#   lehmer64.h, splitmix64.h      github lemire/testingRNG @2794294a9846, source/
#   lemire_wyrand.h               github lemire/testingRNG @2794294a9846, source/wyrand.h
#   wyhash.h                      github wangyi-fudan/wyhash @a5995b98ebfa (2022-08-16, the last
#                                 version with wyrand constants 0xa0761d64.../0xe7037ed1...)
# CPython 2.7 is taken from $PYTHON2 (default: python2.7, or pyenv's 2.7 if present).
set -euo pipefail
out="$1"; src="$(cd "$(dirname "$0")" && pwd)"
ref="${OTHER_REF:-/tmp/other-ref}"
for f in WELL512a.c WELL512a.h marsaglia_19990120_2208.html gsl/taus.c gsl/taus113.c \
         lehmer64.h splitmix64.h lemire_wyrand.h wyhash.h; do
  [ -f "$ref/$f" ] || { echo "other/make.sh: missing $ref/$f (see the list at the top)" >&2; exit 1; }
done
py2="${PYTHON2:-}"
if [ -z "$py2" ]; then
  for c in python2.7 "$HOME/.pyenv/versions/2.7.18/bin/python"; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import random; random.WichmannHill' 2>/dev/null; then
      py2="$c"; break
    fi
  done
fi
[ -n "$py2" ] || { echo "other/make.sh: needs CPython 2.7 (set PYTHON2)" >&2; exit 1; }

build="$(mktemp -d)"; trap 'rm -rf "$build"' EXIT
cc="gcc -O2 -std=gnu11 -Wall -I$src -I$ref -I$build"
gccv="gcc $(gcc -dumpfullversion)"
glibcv="glibc $(ldd --version | head -1 | awk '{print $NF}')"
seeds=(0 3735928495)
for g in well512a kiss99 cmwc4096 taus88 lfsr113 wichmann_hill lehmer64 wyrand; do rm -rf "${out:?}/$g"; done

# well512a
$cc -o "$build/well512a" "$src/well512a_vectors.c" "$ref/WELL512a.c" -lm
"$build/well512a" "$out" "reference WELL512a.c (umontreal) + $glibcv rand(), $gccv" "${seeds[@]}" 42

# kiss99: his test main first
python3 "$src/extract_marsaglia.py" "$ref/marsaglia_19990120_2208.html" "$build/marsaglia1999.h"
$cc -Wno-unused-variable -Wno-parentheses -Wno-return-type -o "$build/kiss99" "$src/kiss99_vectors.c" -lm
[ "$("$build/kiss99" --check | tr -d '\n')" = "0000000" ] || { echo "kiss99: Marsaglia's test main failed" >&2; exit 1; }
note="Marsaglia's C code of 1999-01-20 (sci.stat.math), UL = 32 bits, $gccv; his test main printed seven 0s"
for s in "${seeds[@]}" 380116160; do "$build/kiss99" "$out" "$note" "$s" raw; done
for s in "${seeds[@]}"; do for st in mod:1000 float_mul:1000; do "$build/kiss99" "$out" "$note" "$s" "$st"; done; done

# cmwc4096
$cc -o "$build/cmwc4096" "$src/cmwc4096_vectors.c" -lm
note="Marsaglia's posted CMWC4096 (2003) and SUPRKISS32 table fill (2009), transcribed for LP64, $gccv"
for s in "${seeds[@]}" 1236789; do "$build/cmwc4096" "$out" "$note" "$s" raw; done
for s in "${seeds[@]}"; do for st in mod:1000 float_mul:1000; do "$build/cmwc4096" "$out" "$note" "$s" "$st"; done; done

# taus88, lfsr113 (GSL)
$cc -I"$src/gsl_shim" -o "$build/gsl_taus" "$src/gsl_taus_vectors.c" "$ref/gsl/taus.c" "$ref/gsl/taus113.c" -lm
"$build/gsl_taus" "$out" "GNU GSL rng/taus.c, rng/taus113.c, $gccv (GSL's check values reproduced)" "${seeds[@]}" 1

# wichmann_hill
"$py2" "$src/wichmann_hill_vectors.py" "$out" "${seeds[@]}" 42

# lehmer64, cross-checked with randomgen
$cc -o "$build/lehmer64" "$src/lehmer64_vectors.c"
"$build/lehmer64" "$out" "Lemire's testingRNG lehmer64.h, $gccv (randomgen LCG128Mix agrees)" "${seeds[@]}" 42 > "$build/lehmer64.states"
python3 "$src/lehmer64_randomgen_check.py" "$out" < "$build/lehmer64.states"

# wyrand
$cc -o "$build/wyrand" "$src/wyrand_vectors.c" -lm
"$build/wyrand" "$out" "wyhash.h (Wang Yi, 2022-08), $gccv (Lemire's testingRNG wyrand.h agrees)" "${seeds[@]}" 42
