#!/usr/bin/env bash
# Remake every known-answer file from the real runtimes. Needs: OpenJDK (javac/java), gcc with
# glibc and libstdc++, CPython with numpy, Node.js; PHP and Ruby from Debian packages
# (apt-get install php-cli ruby); Lua 5.4 (lua5.4, or pip install lupa: its embedded interpreter).
# CI does not run this; it reads the committed files.
# Usage: tests/vectors/make_vectors.sh [FAMILY...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
families=("$@")
if [ ${#families[@]} -eq 0 ]; then
  for dir in "$here"/sources/*/; do families+=("$(basename "$dir")"); done
fi
for family in "${families[@]}"; do
  echo "== $family" >&2
  bash "$here/sources/$family/make.sh" "$here"
done
