"""`watcher identify --predict 10` on what the real runtimes print, seeded as programs seed them
(from the operating system, a random 32-bit seed, a typed seed or the clock): the next ten draws
exactly, and the seed where it was a 32-bit one; random doubles are "no generator". The programs are those of
tests/kernels/recovery/programs/; a runtime that is not installed skips its case."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from machine.cli import main

PROGRAMS = Path(__file__).resolve().parent / "recovery" / "programs"


@pytest.fixture(autouse=True)
def _private_cost_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WATCHER_CACHE_DIR", str(tmp_path / "cache"))


def _need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"runtime not installed: {', '.join(missing)}")


def _made(*command: str) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def _identify(capsys, tmp_path: Path, draws: list, observed: int, *extra: str) -> dict:
    path = tmp_path / "draws.txt"
    path.write_text("".join(f"{v!r}\n" for v in draws[:observed]))
    code = main(["identify", "--draws", str(path), "--predict", "10", "--backend", "numpy",
                 "--budget", "240", "--json", *extra])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def _check(payload: dict, made: dict, observed: int, generator: str) -> None:
    assert payload["identified"], payload
    assert payload["next"] == made["draws"][observed:observed + 10]
    best = payload["state_tier"]["best"] if payload["identified_by"] == "state" else None
    if best is not None:
        assert best["generator"] == generator
    if made.get("seed") is not None:  # a 32-bit seed: named, at the first draw
        assert best is not None and (best["seed"], best["position"]) == (made["seed"], 0)


def test_cpython_random_floats(capsys, tmp_path):
    made = _made("python3", str(PROGRAMS / "cpython_random.py"), "700")
    payload = _identify(capsys, tmp_path, made["draws"], 690)
    _check(payload, made, 690, "cpython_random")
    assert all(isinstance(v, float) for v in payload["next"])


@pytest.mark.slow
def test_std_mt19937_from_random_device_mod_1000(capsys, tmp_path):
    _need("g++")
    subprocess.run(["g++", "-O1", "-o", str(tmp_path / "mt"), str(PROGRAMS / "std_mt19937.cpp")],
                   check=True, timeout=300)
    made = _made(str(tmp_path / "mt"), "7010")
    _check(_identify(capsys, tmp_path, made["draws"], 7000), made, 7000, "mt19937")


def test_java_new_random_next_int_1000_and_signed_next_int(capsys, tmp_path):
    _need("javac", "java")
    subprocess.run(["javac", "-d", str(tmp_path), str(PROGRAMS / "NewRandom.java")], check=True,
                   timeout=120)
    made = _made("java", "-cp", str(tmp_path), "NewRandom", "50", "1000")
    _check(_identify(capsys, tmp_path, made["draws"], 40), made, 40, "java_random")
    made = _made("java", "-cp", str(tmp_path), "NewRandom", "30", "0")
    assert min(made["draws"]) < 0  # printed signed
    _check(_identify(capsys, tmp_path, made["draws"], 20), made, 20, "java_random")


def test_node_math_random(capsys, tmp_path):
    _need("node")
    made = _made("node", str(PROGRAMS / "math_random.js"), "110")
    _check(_identify(capsys, tmp_path, made["draws"], 100), made, 100, "v8_math_random")


def test_php_mt_rand_after_a_random_32_bit_seed(capsys, tmp_path):
    _need("php")
    made = _made("php", str(PROGRAMS / "php_mt_rand.php"), "1300")
    _check(_identify(capsys, tmp_path, made["draws"], 1290), made, 1290, "php_mt_rand")


def test_glibc_rand_after_a_random_32_bit_seed(capsys, tmp_path):
    _need("cc")
    subprocess.run(["cc", "-O1", "-o", str(tmp_path / "rand"), str(PROGRAMS / "glibc_rand.c")],
                   check=True, timeout=120)
    made = _made(str(tmp_path / "rand"), "110")
    _check(_identify(capsys, tmp_path, made["draws"], 100), made, 100, "glibc_random")


@pytest.mark.parametrize("count", [20, 700])
def test_random_doubles_are_no_generator(capsys, tmp_path, count):
    # doubles from the operating system, made as CPython makes random(): 53 random bits
    words = struct.unpack(f"<{count}Q", os.urandom(8 * count))
    floats = [(w >> 11) / 2**53 for w in words]
    payload = _identify(capsys, tmp_path, floats, count, *NULL_DOUBLES)
    assert payload["verdict"] == "no generator explains this data"
    assert not payload["identified"] and payload["next"] is None
    assert payload["state_tier"]["attempts"]  # tried, and nothing fitted
    assert payload["best"] == [] and payload["hypotheses"] > 0  # the seed search ran too


def test_random_six_decimal_doubles_are_no_generator(capsys, tmp_path):
    words = struct.unpack("<30Q", os.urandom(8 * 30))
    printed = [float(f"{(w >> 11) / 2**53:.6f}") for w in words]
    payload = _identify(capsys, tmp_path, printed, 30, *NULL_DOUBLES)
    assert not payload["identified"] and payload["best"] == []


# the generators whose doubles people seed and print, searched on the compiled backend where a
# C compiler builds it; a short budget keeps these cases quick (the null ones run to it)
SEEDED_DOUBLES = ("--generators", "cpython_random,java_random,drand48,mt19937,glibc_random",
                  "--backend", "auto", "--budget", "60")
NULL_DOUBLES = (*SEEDED_DOUBLES, "--budget", "8")


def test_cpython_seeded_random_floats_are_found_by_their_seed(capsys, tmp_path, seed=42):
    made = _made("python3", "-c", "import json, random; random.seed(%d); "
                 "print(json.dumps({'seed': %d, 'draws': [random.random() for _ in range(20)]}))"
                 % (seed, seed))
    payload = _identify(capsys, tmp_path, made["draws"], 10, *SEEDED_DOUBLES)
    assert payload["identified_by"] == "seed" and payload["next"] == made["draws"][10:]
    found = payload["best"][0]["hypothesis"]
    assert (found["generator"], found["seed"]) == ("cpython_random", seed)


def test_java_seeded_next_double_is_found_by_its_seed(capsys, tmp_path):
    _need("javac", "java")
    subprocess.run(["javac", "-d", str(tmp_path), str(PROGRAMS / "SeededDoubles.java")],
                   check=True, timeout=120)
    made = _made("java", "-cp", str(tmp_path), "SeededDoubles", "31337", "18")
    payload = _identify(capsys, tmp_path, made["draws"], 8, *SEEDED_DOUBLES)
    assert payload["identified"] and payload["next"] == made["draws"][8:]
    if payload["identified_by"] == "seed":
        found = payload["best"][0]["hypothesis"]
        assert (found["generator"], found["seed"]) == ("java_random", 31337)


def test_drand48_seeded_by_the_clock_printed_with_six_decimals(capsys, tmp_path):
    _need("cc")
    subprocess.run(["cc", "-O1", "-o", str(tmp_path / "d48"),
                    str(PROGRAMS / "drand48_printf.c")], check=True, timeout=120)
    made = _made(str(tmp_path / "d48"), "3600", "30")
    payload = _identify(capsys, tmp_path, made["draws"], 20, *SEEDED_DOUBLES)
    assert payload["identified_by"] == "seed"
    found = payload["best"][0]["hypothesis"]
    assert (found["generator"], found["seed"]) == ("drand48", made["seed"])
    # predicted in full; printed as the program printed them, they are its next ten
    assert [f"{v:.6f}" for v in payload["next"]] == [f"{v:.6f}" for v in made["draws"][20:]]
