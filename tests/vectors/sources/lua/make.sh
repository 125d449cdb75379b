#!/usr/bin/env bash
# Lua's math.random, printed by the interpreters: lua5.4, lua5.3, lua5.1 and luajit where
# installed, else the ones the PyPI package lupa embeds (pip install lupa; lupa 2.8 holds Lua
# 5.4.8, 5.3.6 and 5.1.5, whose math.random on Linux calls glibc's random()/rand(), and LuaJIT 2.1).
# $1: the tests/vectors folder (vectors54.lua, vectors_libc.lua and vectors_luajit.lua say which
# files go where).
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)"
run() {  # run VERSION SCRIPT: VERSION is 5.4, 5.3 or 5.1
  if command -v "lua$1" >/dev/null; then
    "lua$1" "$src/$2" "$out" "$("lua$1" -v 2>&1 | grep -o 'Lua 5\.[0-9.]*' | head -1)"
  else
    python3 "$src/run_lua.py" "lua${1/./}" "$src/$2" "$out"
  fi
}
out="$1"
run 5.4 vectors54.lua
run 5.3 vectors_libc.lua
run 5.1 vectors_libc.lua
if command -v luajit >/dev/null; then
  luajit "$src/vectors_luajit.lua" "$out"
else
  python3 "$src/run_lua.py" luajit21 "$src/vectors_luajit.lua" "$out"
fi
