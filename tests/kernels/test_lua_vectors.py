"""Lua's math.random against the interpreters themselves: the committed known answers of Lua
5.4, 5.3, 5.1 and LuaJIT 2.1 (tests/vectors/**/lua*/) are remade by their scripts where the embedded
interpreters of the PyPI package lupa (a dev extra) are installed, and must come out byte for
byte the same; the doubles Lua 5.4's ``math.random()`` prints are ``u53_double`` of the raw
words."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kernels.observation import Hypothesis, predict
from kernels.reductions import parse_word_reduction
from kernels.registry import get_generator
from tests.kernels.vectors import VECTORS, read_vector_text

SCRIPTS = VECTORS / "sources" / "lua"
ENTRIES = ("lua54_random", "lua53_glibc", "lua51_glibc", "luajit_random")
COMMITTED = sorted(path for entry in ENTRIES for path in VECTORS.glob(f"**/{entry}/*.csv"))


def test_every_kind_of_lua_file_is_committed():
    folders = {path.parent.relative_to(VECTORS).as_posix() for path in COMMITTED}
    assert folders == {*ENTRIES, *(f"ranges/{entry}" for entry in ENTRIES),
                       "shapes/lua54_random"}
    assert len(COMMITTED) == 49


def test_the_scripts_remake_the_committed_files(tmp_path):
    for module in ("lua54", "lua53", "lua51", "luajit21"):
        pytest.importorskip(f"lupa.{module}", reason="lupa (the embedded Lua) not installed")
    subprocess.run(["bash", str(SCRIPTS / "make.sh"), str(tmp_path)], check=True, timeout=300)
    made = sorted(path for entry in ENTRIES for path in tmp_path.glob(f"**/{entry}/*.csv"))
    assert [p.relative_to(tmp_path) for p in made] == [p.relative_to(VECTORS) for p in COMMITTED]
    for fresh, committed in zip(made, COMMITTED):
        assert fresh.read_bytes() == committed.read_bytes(), committed


@pytest.mark.parametrize("module, entry", [("lua54", "lua54_random"), ("lua53", "lua53_glibc"),
                                           ("lua51", "lua51_glibc")])
def test_the_embedded_interpreter_is_the_release_the_files_name(module, entry):
    lua = pytest.importorskip(f"lupa.{module}", reason="lupa (the embedded Lua) not installed")
    import re

    release = re.search(rb"\$Lua(?:Version)?: Lua (5\.\d\.\d+)", Path(lua.__file__).read_bytes())
    assert release is not None
    header, _ = read_vector_text(VECTORS / entry / "seed-0.raw.csv")
    assert header["source"].startswith(f"Lua {release.group(1).decode()}")
    assert release.group(1).decode() in get_generator(entry).vouched_by


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


@pytest.mark.parametrize("module, entry", [("lua54", "lua54_random"), ("lua53", "lua53_glibc"),
                                           ("lua51", "lua51_glibc")])
def test_negative_and_float_seeds_are_the_seed_spaces_integers(module, entry):
    """``randomseed(-5)`` is the seed's two's complement (mod 2**64 in 5.4, 2**32 in 5.3 and
    5.1); a float seed is truncated in 5.3 and 5.1, and must be integral in 5.4."""
    lua = pytest.importorskip(f"lupa.{module}", reason="lupa (the embedded Lua) not installed")
    runtime = lua.LuaRuntime()
    first = runtime.eval("function(seed) math.randomseed(seed); local t = {}"
                         " for i = 1, 8 do t[i] = math.random(1000) end return t end")
    cls = get_generator(entry)
    reduction = "lua_range:1:1000" if entry == "lua54_random" else "float_mul:1000"

    def ours(seed: int) -> list[int]:
        draws = predict(Hypothesis(generator=entry, seed=seed, reduction=reduction), 8)
        return draws if entry == "lua54_random" else [d + 1 for d in draws]

    for seed in (-5, -(1 << 31), 1733356800):
        assert list(first(seed).values()) == ours(seed % (1 << cls.seed_bits)), seed
    if entry == "lua54_random":
        assert list(first(42.0).values()) == ours(42)
        with pytest.raises(Exception, match="no integer representation"):
            first(42.5)
    else:
        assert list(first(42.9).values()) == ours(42)
        assert list(first(-42.9).values()) == ours(-42 % (1 << 32))


def test_luajit_is_the_release_the_files_name():
    luajit = pytest.importorskip("lupa.luajit21", reason="lupa (the embedded LuaJIT) not installed")
    version = luajit.LuaRuntime().eval("jit.version")
    header, _ = read_vector_text(VECTORS / "luajit_random" / "seed-0.raw.csv")
    assert header["source"].startswith(f"{version} (x64):")
    assert version in get_generator("luajit_random").vouched_by


def test_luajit_seeds_from_the_double_it_is_given():
    """``math.randomseed`` takes a double: an integer seed and the same integer as a float seed
    give one stream, 2**53 + 1 rounds to 2**53, and the seed space ends below 2**53."""
    luajit = pytest.importorskip("lupa.luajit21", reason="lupa (the embedded LuaJIT) not installed")
    first = luajit.LuaRuntime().eval(
        "function(seed) math.randomseed(seed); local t = {}"
        " for i = 1, 8 do t[i] = math.random() * 2^52 end return t end")
    cls = get_generator("luajit_random")
    for seed in (7, 7.0, 1733356800):
        assert [int(v) for v in first(seed).values()] == cls(int(seed)).outputs(8)
    assert list(first(2**53 + 1).values()) == list(first(2**53).values())
    with pytest.raises(ValueError):
        cls(2**53)
