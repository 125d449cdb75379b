#!/usr/bin/env bash
# Legacy family vectors: the original system's own code is the ground truth. $1: the tests/vectors
# folder.
#
# The original system is https://github.com/mmercalde/prng_cluster_public. Its code is not
# committed here; get a copy and point LEGACY_CHECKOUT at it, e.g.
#     git clone https://github.com/mmercalde/prng_cluster_public /tmp/prng_cluster_public
#     LEGACY_CHECKOUT=/tmp/prng_cluster_public bash tests/vectors/make_vectors.sh legacy
# LEGACY_CHECKOUT may be a work tree or a bare git directory (a mirror); either way the two
# files below are read at the pinned commit LEGACY_COMMIT with `git show`, copied into a
# temporary directory and imported from there by legacy_vectors.py:
#     prng_registry.py            the CPU references (KERNEL_REGISTRY[...]['cpu_reference'])
#     synthetic_draw_injector.py  the Chapter 13 injector (raw output % mod_value)
# Needs only CPython 3.11 with numpy (prng_registry.py imports numpy; torch is imported lazily
# and never here).
set -euo pipefail
out="$1"; src="$(cd "$(dirname "$0")" && pwd)"
checkout="${LEGACY_CHECKOUT:?set LEGACY_CHECKOUT to a clone of mmercalde/prng_cluster_public}"
commit="${LEGACY_COMMIT:-39405171760501bce4c8802b2696df4c18a56561}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
for file in prng_registry.py synthetic_draw_injector.py; do
  git -C "$checkout" show "$commit:$file" > "$work/$file"
done
python3 "$src/legacy_vectors.py" "$work" "$commit" "$out"
