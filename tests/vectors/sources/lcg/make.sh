#!/usr/bin/env bash
# LCG family vectors. $1: the tests/vectors folder.
# Needs: OpenJDK; gcc/g++ with glibc and libstdc++; for dotnet_random Mono
# (apt-get install mono-mcs mono-runtime); for msvc_rand Wine and MinGW-w64
# (apt-get install wine64 gcc-mingw-w64-x86-64). A missing optional runtime skips its
# generators (their committed files stay as they are).
set -euo pipefail
out="$1"; src="$(cd "$(dirname "$0")" && pwd)"
made_by="tests/vectors/sources/lcg/make.sh"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

java "$src/JavaVectors.java" "$out"

# write GENERATOR SEED STREAM SOURCE: one vector file from the values on stdin
write() {
  local dir="$out/$1"; mkdir -p "$dir"
  local file="$dir/seed-$2.${3//:/-}.csv"
  { echo "# generator: $1"; echo "# seed: $2"; echo "# stream: $3"; echo "# source: $4"
    echo "# made by: $made_by"; echo "value"; cat; } > "$file"
  local n; n=$(($(wc -l < "$file") - 6))
  [ "$n" -eq 1000 ] || { echo "$file: $n values" >&2; exit 1; }
}

dead=3735928495  # 0xdeadbeaf

# ---- glibc -------------------------------------------------------------------------------
gcc -O2 -o "$tmp/glibc_vectors" "$src/glibc_vectors.c" -lm
glibc="glibc $(ldd --version | head -1 | awk '{print $NF}') (gcc $(gcc -dumpfullversion))"
g="$tmp/glibc_vectors"
for seed in 0 1 $dead; do
  "$g" rand $seed 1000 | write glibc_random $seed raw "$glibc: srand($seed); rand(), 1000 calls"
done
for seed in 0 $dead; do
  "$g" rand_mod1000 $seed 1000 | write glibc_random $seed c_rand_mod:1000 "$glibc: srand($seed); rand() % 1000, 1000 calls"
  "$g" rand_r $seed 1000 | write glibc_rand_r $seed raw "$glibc: unsigned s = $seed; rand_r(&s), 1000 calls"
  "$g" rand_r_mod1000 $seed 1000 | write glibc_rand_r $seed c_rand_mod:1000 "$glibc: unsigned s = $seed; rand_r(&s) % 1000, 1000 calls"
  "$g" lrand48 $seed 1000 | write drand48 $seed raw "$glibc: srand48($seed); lrand48(), 1000 calls"
  "$g" lrand48_mod1000 $seed 1000 | write drand48 $seed c_rand_mod:1000 "$glibc: srand48($seed); lrand48() % 1000, 1000 calls"
  "$g" drand48_mul1000 $seed 1000 | write drand48 $seed float_mul:1000 "$glibc: srand48($seed); floor(drand48() * 1000), 1000 calls"
done
# The C standard's example rand(): glibc's random() in TYPE_0 mode runs the same recurrence
# mod 2**31 and returns the whole state, so the example's rand() is random() >> 16. glibc's
# srandom() turns seed 0 into 1, so seed 0 has no runtime file.
for seed in 1 42 $dead; do
  "$g" type0_high15 $seed 1000 | write ansi_c_rand $seed raw \
    "$glibc: initstate($seed, state, 8) (TYPE_0: next = next*1103515245 + 12345 mod 2**31); random() >> 16, 1000 calls"
done

# ---- libstdc++ ---------------------------------------------------------------------------
g++ -O2 -o "$tmp/libstdcxx_vectors" "$src/libstdcxx_vectors.cpp"
cxx="libstdc++ (g++ $(g++ -dumpfullversion))"
for engine in minstd_rand0 minstd_rand ranlux24_base ranlux48_base knuth_b; do
  for seed in 0 1 $dead; do
    "$tmp/libstdcxx_vectors" $engine $seed 1000 | write $engine $seed raw "$cxx: std::$engine e($seed); e(), 1000 calls"
  done
done

# ---- Mono: .NET System.Random -----------------------------------------------------------
if command -v mcs >/dev/null && command -v mono >/dev/null; then
  mcs -out:"$tmp/DotnetVectors.exe" "$src/DotnetVectors.cs" >/dev/null
  mono="Mono $(mono --version | head -1 | awk '{print $5}')"
  d() { mono "$tmp/DotnetVectors.exe" "$@"; }
  # new Random(unchecked((int) 0xDEADBEAF)) = new Random(-559038801), which uses |seed|
  for pair in 0:0 42:42 $dead:559038801; do
    arg=${pair%%:*}; seed=${pair##*:}
    d next $arg 1000 | write dotnet_random $seed raw "$mono: new System.Random(unchecked((int) ${arg}u)).Next(), 1000 calls"
  done
  for pair in 0:0 $dead:559038801; do
    arg=${pair%%:*}; seed=${pair##*:}
    d next1000 $arg 1000 | write dotnet_random $seed float_mul:1000 "$mono: new System.Random(unchecked((int) ${arg}u)).Next(1000), 1000 calls"
    d next10 $arg 1000 | write dotnet_random $seed float_mul:10 "$mono: new System.Random(unchecked((int) ${arg}u)).Next(10), 1000 calls"
  done
else
  echo "lcg: mcs/mono missing: dotnet_random vectors not remade" >&2
fi

# ---- Wine: msvcrt.dll rand() ---------------------------------------------------------------
wine=/usr/lib/wine/wine64; command -v wine64 >/dev/null && wine=wine64
if [ -x "$(command -v "$wine" || true)" ] && command -v x86_64-w64-mingw32-gcc >/dev/null; then
  x86_64-w64-mingw32-gcc -O2 -o "$tmp/msvcrt_vectors.exe" "$src/msvcrt_vectors.c"
  export WINEPREFIX="$tmp/wineprefix" WINEDEBUG=-all
  winever="$("$wine" --version)"
  w() { "$wine" "$tmp/msvcrt_vectors.exe" "$@" 2>/dev/null | tr -d '\r'; }
  for seed in 0 1 $dead; do
    w rand $seed 1000 | write msvc_rand $seed raw "msvcrt.dll of $winever (MinGW-w64 program): srand($seed); rand(), 1000 calls"
  done
  for seed in 0 $dead; do
    w rand_mod1000 $seed 1000 | write msvc_rand $seed c_rand_mod:1000 "msvcrt.dll of $winever (MinGW-w64 program): srand($seed); rand() % 1000, 1000 calls"
  done
else
  echo "lcg: wine64/mingw-w64 missing: msvc_rand vectors not remade" >&2
fi

# ---- no runtime here: the published definitions, written out in C ---------------------------
gcc -O2 -o "$tmp/published_lcgs" "$src/published_lcgs.c"
pub="no runtime available; published definition transcribed in published_lcgs.c (gcc $(gcc -dumpfullversion))"
p="$tmp/published_lcgs"
for seed in 0 $dead; do
  "$p" borland_rand $seed 1000 | write borland_rand $seed raw "$pub: Borland RTL rand() after srand($seed), 1000 calls"
  "$p" delphi_random $seed 1000 | write delphi_random $seed raw "$pub: Delphi RandSeed := $seed; RandSeed after each Random, 1000 calls"
  "$p" numerical_recipes $seed 1000 | write numerical_recipes $seed raw "$pub: Numerical Recipes ranqd1 from idum = $seed, 1000 steps"
  "$p" knuth_mmix $seed 1000 | write knuth_mmix $seed raw "$pub: MMIX LCG from x = $seed, high 32 bits, 1000 steps"
done
# RANDU's seed 0 is a fixed point; 1588444847 = 0xdeadbeaf mod 2**31
for seed in 1 1588444847; do
  "$p" randu $seed 1000 | write randu $seed raw "$pub: IBM SSP RANDU from IX = $seed, 1000 calls"
done
