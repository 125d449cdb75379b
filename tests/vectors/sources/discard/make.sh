#!/usr/bin/env bash
# "Discard before each draw" vectors: programs that throw K raw outputs away (or a whole double,
# two outputs) before every draw, run by the real runtimes. In the observation model these are
# offset = skip = the outputs discarded; the header says so (`offset:` and `skip:`).
# $1: the tests/vectors folder. Needs OpenJDK, gcc/g++ (glibc, libstdc++), CPython, PHP, Ruby.
set -euo pipefail
out="$1"; src="$(cd "$(dirname "$0")" && pwd)"
made_by="tests/vectors/sources/discard/make.sh"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
n=1000

# write GENERATOR SEED STREAM OUTPUTS_DISCARDED WHAT SOURCE: one vector file from stdin
write() {
  local dir="$out/$1"; mkdir -p "$dir"
  local file="$dir/seed-$2.${3//:/-}.discard-$5.csv"
  { echo "# generator: $1"; echo "# seed: $2"; echo "# stream: $3"; echo "# offset: $4"
    echo "# skip: $4"; echo "# source: $6"; echo "# made by: $made_by"; echo "value"; cat; } > "$file"
  local count; count=$(($(wc -l < "$file") - 8))
  [ "$count" -eq "$n" ] || { echo "$file: $count values" >&2; exit 1; }
}

gcc -O2 -o "$tmp/discard_glibc" "$src/discard_glibc.c"
g++ -O2 -std=c++17 -o "$tmp/discard_std" "$src/discard_std.cpp"
java_version="OpenJDK $(java -version 2>&1 | head -1 | awk -F'"' '{print $2}')"
glibc="glibc $(ldd --version | head -1 | awk '{print $NF}')"
libstdcxx="libstdc++ (g++ $(g++ -dumpfullversion))"
python="CPython $(python3 -c 'import platform; print(platform.python_version())')"
php_version="PHP $(php -r 'echo PHP_VERSION;')"
ruby_version="Ruby $(ruby -e 'print RUBY_VERSION')"

for seed in 42 3735928495; do
  for k in 1 2; do
    java "$src/Discard.java" ints $seed $k $n | write java_random $seed java_nextint:1000 $k $k-outputs \
      "$java_version: new Random($seed); before each nextInt(1000), $k x nextInt()"
    "$tmp/discard_glibc" $seed $k $n | write glibc_random $seed c_rand_mod:1000 $k $k-outputs \
      "$glibc: srand($seed); before each rand() % 1000, $k x rand()"
    "$tmp/discard_std" mod $seed $k $n | write mt19937 $seed mod:1000 $k $k-outputs \
      "$libstdcxx: std::mt19937 gen($seed); before each gen() % 1000, gen.discard($k)"
    "$tmp/discard_std" uniform $seed $k $n | write mt19937 $seed lemire32:1000 $k $k-outputs \
      "$libstdcxx: std::mt19937 gen($seed); before each uniform_int_distribution<unsigned>(0, 999)(gen), gen.discard($k)"
    python3 "$src/discard_cpython.py" words $seed $k $n | write cpython_random $seed python_randbelow:1000 $k $k-outputs \
      "$python: random.seed($seed); before each randrange(1000), $k x getrandbits(32)"
    php "$src/discard.php" $seed $k $n | write php_mt_rand $seed php_range:0:999 $k $k-outputs \
      "$php_version: mt_srand($seed); before each mt_rand(0, 999), $k x mt_rand()"
    ruby "$src/discard.rb" $seed $k $n | write ruby_random $seed masked:1000 $k $k-outputs \
      "$ruby_version: Random.new($seed); before each rand(1000), $k x bytes(4)"
  done
  java "$src/Discard.java" double $seed 0 $n | write java_random $seed java_nextint:1000 2 double \
    "$java_version: new Random($seed); before each nextInt(1000), one nextDouble() (two outputs)"
  python3 "$src/discard_cpython.py" double $seed 0 $n | write cpython_random $seed python_randbelow:1000 2 double \
    "$python: random.seed($seed); before each randrange(1000), one random() (two outputs)"
done
