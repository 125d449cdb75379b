"""Lua 5.4's math.random against the interpreter itself: the committed known answers
(tests/vectors/*/lua54_random/) are remade by their script where the embedded interpreter of the
PyPI package lupa (a dev extra) is installed, and must come out byte for byte the same; the
doubles ``math.random()`` prints are ``u53_double`` of the raw words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kernels.reductions import parse_word_reduction
from kernels.registry import get_generator
from tests.kernels.vectors import VECTORS, read_vector_text

SCRIPTS = VECTORS / "sources" / "lua"
COMMITTED = sorted(VECTORS.glob("**/lua54_random/*.csv"))


def test_every_kind_of_lua_file_is_committed():
    folders = {path.parent.relative_to(VECTORS).as_posix() for path in COMMITTED}
    assert folders == {"lua54_random", "ranges/lua54_random", "shapes/lua54_random"}
    assert len(COMMITTED) >= 15


def test_the_script_remakes_the_committed_files(tmp_path):
    pytest.importorskip("lupa.lua54", reason="lupa (the embedded Lua 5.4) not installed")
    subprocess.run([sys.executable, str(SCRIPTS / "run_lua.py"), "lua54",
                    str(SCRIPTS / "vectors54.lua"), str(tmp_path), "Lua 5.4.8"],
                   check=True, timeout=300)
    made = sorted(tmp_path.glob("**/lua54_random/*.csv"))
    assert [p.relative_to(tmp_path) for p in made] == [p.relative_to(VECTORS) for p in COMMITTED]
    for fresh, committed in zip(made, COMMITTED):
        assert fresh.read_bytes() == committed.read_bytes(), committed


def test_the_embedded_interpreter_is_the_release_the_files_name():
    lua54 = pytest.importorskip("lupa.lua54", reason="lupa (the embedded Lua 5.4) not installed")
    import re

    release = re.search(rb"\$LuaVersion: Lua (5\.4\.\d+)", Path(lua54.__file__).read_bytes())
    assert release is not None
    header, _ = read_vector_text(VECTORS / "lua54_random" / "seed-0.raw.csv")
    assert header["source"].startswith(f"Lua {release.group(1).decode()}:")


@pytest.mark.parametrize("path", sorted(VECTORS.glob("shapes/lua54_random/*.csv")),
                         ids=lambda p: p.name)
def test_math_random_doubles_are_u53_double(path):
    seed = None  # read here: read_vector_text reads integers only
    values: list[float] = []
    for line in path.read_text().splitlines():
        if line.startswith("# seed:"):
            seed = int(line.split(":")[1])
        elif line and not line.startswith("#") and line != "value":
            values.append(float(line))
    assert seed is not None and len(values) == 1000
    reduction = parse_word_reduction("u53_double")
    stream = get_generator("lua54_random")(seed)
    assert [reduction.draw(stream) for _ in values] == values
