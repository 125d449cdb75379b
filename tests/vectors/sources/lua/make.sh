#!/usr/bin/env bash
# Lua's math.random, printed by the reference interpreter: lua5.4 where installed, else the one
# the PyPI package lupa embeds (pip install lupa; its lua54 module is Lua 5.4.8 in lupa 2.8).
# $1: the tests/vectors folder (vectors54.lua says which files go where).
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)"
if command -v lua5.4 >/dev/null; then
  lua5.4 "$src/vectors54.lua" "$1" "$(lua5.4 -v | grep -o 'Lua 5\.[0-9.]*')"
else
  python3 "$src/run_lua.py" lua54 "$src/vectors54.lua" "$1"
fi
