#!/usr/bin/env bash
# LCG family vectors. $1: the tests/vectors folder.
set -euo pipefail
out="$1"; src="$(cd "$(dirname "$0")" && pwd)"
java "$src/JavaVectors.java" "$out"
