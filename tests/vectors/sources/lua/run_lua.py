"""Run a Lua script with the interpreter that the PyPI package lupa embeds (the reference
interpreter's C sources, compiled in), for machines without a ``lua5.4`` binary.

Usage: python3 run_lua.py MODULE SCRIPT [ARG...], MODULE one of lupa's (lua54, lua53, lua51,
luajit21); the
script sees ``arg`` as ``lua5.4`` gives it, and ``arg[2]`` defaults to the embedded release
(``Lua 5.4.8``), read from the module's ``$LuaVersion`` (5.1: ``$Lua``) string since
``_VERSION`` names only ``Lua 5.4`` (LuaJIT says its own, ``jit.version``).
"""

import importlib
import re
import sys
from pathlib import Path

module_name, script, *args = sys.argv[1:]
module = importlib.import_module(f"lupa.{module_name}")
found = re.search(rb"\$Lua(?:Version)?: (Lua [0-9.]+)", Path(module.__file__).read_bytes())
if found and len(args) == 1 and not module_name.startswith("luajit"):
    args.append(found.group(1).decode())
runtime = module.LuaRuntime()
runtime.globals().arg = runtime.table_from({0: script, **{i + 1: a for i, a in enumerate(args)}})
runtime.execute(Path(script).read_text())
