"""Recovery from sequences the runtimes make now, seeded the way programs really seed them (from
the operating system), each from a small program in tests/kernels/recovery/programs/. A runtime
that is not installed skips its test with the reason."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from kernels.recovery import IDENTIFIED, recover

PROGRAMS = Path(__file__).resolve().parent / "programs"


def _need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"runtime not installed: {', '.join(missing)}")


def _run(*command: str, cwd: Path | None = None) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, check=True)
    return json.loads(done.stdout)


def _check(made: dict, generator: str, reduction: str, observed: int) -> None:
    draws = made["draws"]
    result = recover(draws[:observed], generator, reduction, predict=10)
    assert result.verdict == IDENTIFIED, result.message
    assert list(result.predictions) == draws[observed:observed + 10]
    if made.get("seed") is not None:
        assert result.seed == made["seed"] and result.position == 0


def test_cpython_random_from_os_seed():
    made = _run("python3", str(PROGRAMS / "cpython_random.py"), "700")
    _check(made, "cpython_random", "res53", 690)


@pytest.mark.slow
def test_php_mt_rand_after_a_random_32_bit_seed():
    _need("php")
    made = _run("php", str(PROGRAMS / "php_mt_rand.php"), "1300")
    _check(made, "php_mt_rand", "shr:1", 1290)


def test_java_new_random(tmp_path):
    _need("javac", "java")
    subprocess.run(["javac", "-d", str(tmp_path), str(PROGRAMS / "NewRandom.java")], check=True,
                   timeout=120)
    made = _run("java", "-cp", str(tmp_path), "NewRandom", "50", "1000")
    _check(made, "java_random", "java_nextint:1000", 40)
    made = _run("java", "-cp", str(tmp_path), "NewRandom", "15", "0")
    _check(made, "java_random", "signed32", 5)


def test_glibc_rand(tmp_path):
    _need("cc")
    subprocess.run(["cc", "-O1", "-o", str(tmp_path / "rand"), str(PROGRAMS / "glibc_rand.c")],
                   check=True, timeout=120)
    made = _run(str(tmp_path / "rand"), "110")
    _check(made, "glibc_random", "raw", 100)


def test_node_math_random():
    _need("node")
    made = _run("node", str(PROGRAMS / "math_random.js"), "110")
    # 100 draws cross a cache refill: the cache position, and so the predictions, are fixed
    result = recover(made["draws"][:100], "v8_math_random", "v8_double", predict=10)
    assert result.verdict == IDENTIFIED, result.message
    assert list(result.predictions) == made["draws"][100:]
    # 20 draws from a fresh process do not: the generator is still identified, and the
    # predictions that assume the first draw opened a cache are the right ones
    short = recover(made["draws"][:20], "v8_math_random", "v8_double", predict=10)
    assert short.verdict == IDENTIFIED, short.message
    assert short.extra["predictions_if_first_draw_opens_a_cache"] == made["draws"][20:30]


@pytest.mark.slow
def test_std_mt19937_from_random_device_mod_1000(tmp_path):
    _need("g++")
    subprocess.run(["g++", "-O1", "-o", str(tmp_path / "mt"), str(PROGRAMS / "std_mt19937.cpp")],
                   check=True, timeout=120)
    made = _run(str(tmp_path / "mt"), "7410")
    _check(made, "mt19937", "mod:1000", 7400)


def test_node_dice():
    _need("node")
    # a fixed V8 seed: from some OS seeds the dice leave open where a cache refill falls, and
    # only the draws every candidate alignment agrees on are predicted (fewer than ten)
    made = _run("node", "--random-seed=20261204", str(PROGRAMS / "math_random.js"), "260", "6")
    _check(made, "v8_math_random", "float_mul:6", 250)


def test_std_uniform_real_distribution_from_random_device(tmp_path):
    _need("g++")
    subprocess.run(["g++", "-O1", "-o", str(tmp_path / "canonical"),
                    str(PROGRAMS / "std_canonical.cpp")], check=True, timeout=120)
    made = _run(str(tmp_path / "canonical"), "650")
    _check(made, "mt19937", "native_double", 640)
