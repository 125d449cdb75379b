"""`watcher identify --predict 10` on what Lua scripts print: ``math.random(6)`` dice and
``math.random(100)`` after ``math.randomseed(42)`` or ``math.randomseed(os.time())``, and
LuaJIT's doubles and dice after ``math.randomseed()`` (an entropy seed: found by the state). The
draws are the committed ones of tests/vectors/ranges/lua*/ (printed by Lua 5.4.8, by Lua 5.3.6
and 5.1.5 on glibc, and by LuaJIT 2.1), and, where the PyPI package lupa is installed, fresh ones
from the embedded interpreters, seeded with the clock or the entropy of this very run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from machine.cli import main
from tests.kernels.vectors import VECTORS, read_vector_text

RANGES = VECTORS / "ranges" / "lua54_random"


@pytest.fixture(autouse=True)
def _private_cost_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WATCHER_CACHE_DIR", str(tmp_path / "cache"))


def _committed(seed: int, sides: int, entry: str = "lua54_random") -> list[int]:
    stream = f"lua_range-0-{sides - 1}" if entry == "lua54_random" else f"float_mul-{sides}"
    header, values = read_vector_text(RANGES.parent / entry / f"seed-{seed}.{stream}+1.csv")
    assert header["generator"] == entry and int(header["seed"]) == seed
    assert f"math.random({sides})" in header["source"]
    return values


def _identify(capsys, tmp_path: Path, draws: list[int], *extra: str) -> dict:
    path = tmp_path / "draws.txt"
    path.write_text("".join(f"{v}\n" for v in draws))
    code = main(["identify", "--draws", str(path), "--predict", "10", "--json", *extra])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    return payload


def _found(payload: dict, seed: int, sides: int, entry: str = "lua54_random") -> None:
    assert payload["identified"] and payload["identified_by"] == "seed", payload
    best = payload["best"][0]["hypothesis"]
    reduction = f"lua_range:0:{sides - 1}" if entry == "lua54_random" else f"float_mul:{sides}"
    assert (best["generator"], best["seed"], best["reduction"]) == (entry, seed, reduction)
    assert payload["sieve_reads"] == {"shift": 1}


def test_twenty_dice_after_randomseed_42(capsys, tmp_path):
    """``math.randomseed(42); for i = 1, 20 do print(math.random(6)) end``. These 52 bits
    identify the seed on the whole catalog too, but at a corrected p within a factor of a few
    of alpha, which every change to the plan's size moves; here among the Lua 5.4 hypotheses,
    where the verdict is sure and the first chunk of small seeds holds the answer."""
    values = _committed(42, 6)
    payload = _identify(capsys, tmp_path, values[:20], "--generators", "lua54_random",
                        "--backend", "numpy", "--budget", "20")
    _found(payload, 42, 6)
    assert payload["next"] == values[20:30]


@pytest.mark.parametrize("sides", [6, 100])
def test_dice_and_percentages_seeded_from_the_clock(capsys, tmp_path, sides):
    """``math.randomseed(os.time())`` run at 2024-12-05T00:00:00Z, searched around that time
    (40 draws: enough for a verdict that ends the search, not only one within alpha)."""
    values = _committed(1733356800, sides)
    payload = _identify(capsys, tmp_path, values[:40], "--generators", "lua54_random",
                        "--around", "2024-12-05T00:00:30Z", "--backend", "numpy",
                        "--budget", "60")
    _found(payload, 1733356800, sides)
    assert payload["next"] == values[40:50]


def test_a_script_seeded_from_the_clock_just_now(capsys, tmp_path):
    """The real interpreter, seeded with ``os.time()`` now: found by searching back from now."""
    lua54 = pytest.importorskip("lupa.lua54", reason="lupa (the embedded Lua 5.4) not installed")
    runtime = lua54.LuaRuntime()
    seed, printed = runtime.execute(
        "local seed = math.randomseed(os.time()); local t = {}"
        " for i = 1, 50 do t[i] = math.random(6) end return seed, table.concat(t, ' ')")
    values = [int(v) for v in printed.split()]
    payload = _identify(capsys, tmp_path, values[:40], "--generators", "lua54_random",
                        "--backend", "numpy", "--budget", "60")
    _found(payload, seed, 6)
    assert payload["next"] == values[40:50]


@pytest.mark.parametrize("entry", ["lua53_glibc", "lua51_glibc", "luajit_random"])
@pytest.mark.parametrize("sides", [6, 100])
def test_lua_5_3_5_1_and_luajit_dice_seeded_from_the_clock(capsys, tmp_path, entry, sides):
    """Lua 5.3's and 5.1's ``math.random(N)`` (glibc's generator scaled to a double) and
    LuaJIT's (its Tausworthe generator's 52 low bits as a double) after
    ``math.randomseed(os.time())`` at 2024-12-05T00:00:00Z."""
    values = _committed(1733356800, sides, entry)
    payload = _identify(capsys, tmp_path, values[:40], "--generators", entry, "--around",
                        "2024-12-05T00:00:30Z", "--backend", "numpy", "--budget", "60")
    _found(payload, 1733356800, sides, entry)
    assert payload["next"] == values[40:50]


def _luajit_from_the_operating_system(chunk: str) -> list:
    """What a LuaJIT script prints after ``math.randomseed()`` with no argument: seeded from
    the operating system's entropy, so only its state can be found."""
    luajit = pytest.importorskip("lupa.luajit21", reason="lupa (the embedded LuaJIT) not installed")
    return list(luajit.LuaRuntime().execute("math.randomseed(); local t = {} " + chunk
                                            + " return t").values())


def test_luajit_doubles_from_an_entropy_seed_are_recovered_by_their_state(capsys, tmp_path):
    values = _luajit_from_the_operating_system("for i = 1, 40 do t[i] = math.random() end")
    path = tmp_path / "draws.txt"
    path.write_text("".join(f"{v!r}\n" for v in values[:30]))
    code = main(["identify", "--draws", str(path), "--predict", "10", "--json",
                 "--backend", "numpy", "--budget", "60"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["identified"] and payload["identified_by"] == "state", payload
    assert payload["state_tier"]["best"]["generator"] == "luajit_random"
    assert payload["next"] == values[30:40]


def test_luajit_dice_from_an_entropy_seed_are_recovered_by_their_state(capsys, tmp_path):
    values = [int(v) for v in _luajit_from_the_operating_system(
        "for i = 1, 340 do t[i] = math.random(6) end")]
    payload = _identify(capsys, tmp_path, values[:330], "--backend", "numpy", "--budget", "60")
    assert payload["identified"] and payload["identified_by"] == "state", payload
    best = payload["state_tier"]["best"]
    assert (best["generator"], best["reduction"]) == ("luajit_random", "float_mul:6+1")
    assert payload["next"] == values[330:340]
