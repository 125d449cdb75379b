"""Range calls that do not start at 0 (tests/vectors/ranges/, printed by CPython, numpy, PHP,
Ruby, OpenJDK, glibc, libstdc++ and Node.js): each is a bounded reduction plus the range's
start, and `watcher identify` reads draws from 1 as that (not as an alphabet of 10 or 100)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kernels.identify import infer_number_shape
from kernels.observation import Hypothesis, predict
from kernels.sieve.plan import infer_shape
from machine.cli import main

from tests.kernels.vectors import read_vector_text

RANGES = Path(__file__).resolve().parents[1] / "vectors" / "ranges"


def read_range_vectors() -> list[tuple[str, int, str, int, list[int], Path]]:
    """Every file of tests/vectors/ranges: (generator, seed, stream, add, values, path)."""
    found = []
    for path in sorted(RANGES.glob("*/*.csv")):
        header, values = read_vector_text(path)
        assert {"generator", "seed", "stream", "add", "source", "made by"} <= header.keys(), path
        found.append((header["generator"], int(header["seed"]), header["stream"],
                      int(header["add"]), values, path))
    return found


VECTORS = read_range_vectors()


def test_every_runtime_range_call_has_vectors():
    calls = {(generator, stream.split(":")[0]) for generator, _, stream, _, _, _ in VECTORS}
    assert calls == {("cpython_random", "python_randbelow"), ("numpy_random_state", "masked"),
                     ("php_mt_rand", "php_range"), ("ruby_random", "masked"),
                     ("java_random", "java_nextint"), ("glibc_random", "c_rand_mod"),
                     ("v8_math_random", "float_mul"), ("lua54_random", "lua_range"),
                     ("lua53_glibc", "float_mul"), ("lua51_glibc", "float_mul"),
                     ("luajit_random", "float_mul"),
                     ("mt19937", "lemire32"), ("mt19937_64", "lemire64"),
                     ("pcg64", "lemire32"), ("minstd_rand0", "cpp_downscale"),
                     ("minstd_rand", "cpp_downscale"), ("knuth_b", "cpp_downscale"),
                     ("ranlux24_base", "cpp_downscale"), ("ranlux48_base", "cpp_downscale")}


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v[5].parent.name}/{v[5].name}")
def test_runtime_range_calls_are_a_reduction_plus_the_start(vector):
    generator, seed, stream, add, values, _ = vector
    draws = predict(Hypothesis(generator=generator, seed=seed, reduction=stream), len(values))
    assert [d + add for d in draws] == values


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v[5].parent.name}/{v[5].name}")
def test_the_shape_is_the_range_and_its_reduction(vector):
    generator, _, stream, add, values, _ = vector
    # enough draws for the range's ends to show (1 or 100 of 1..100 in 200 draws: 1.7% missed)
    shape = infer_number_shape(values)
    assert shape.shift == add == 1
    sieve_shape = infer_shape(shape.sieve_values)
    from kernels.registry import get_generator

    assert stream in sieve_shape.reductions(get_generator(generator))
    assert sieve_shape.alphabet == max(values)  # 6, 10 or 100: not rounded up to 10 or 100


def test_a_range_from_a_higher_start_is_read_once_the_start_has_shown():
    import random

    rng = random.Random(3)
    many = [rng.randint(100, 120) for _ in range(300)]
    assert infer_number_shape(many).shift == min(many) == 100
    few = [rng.randint(100, 999) for _ in range(5)]
    assert infer_number_shape(few).shift == 0  # five draws say nothing of where the range starts


@pytest.mark.parametrize("generator, stream, seed", [
    ("cpython_random", "python_randbelow-10", 1234),  # randint(1, 10)
    ("java_random", "java_nextint-6", 1234),          # nextInt(6) + 1
    ("glibc_random", "c_rand_mod-6", 1234),           # rand() % 6 + 1
    ("php_mt_rand", "php_range-0-5", 1234),           # mt_rand(1, 6)
    ("mt19937", "lemire32-6", 1234),                  # std::uniform_int_distribution(1, 6)
    ("minstd_rand0", "cpp_downscale-6", 1234),        # ... over std::default_random_engine
])
def test_identify_finds_the_seed_of_a_range_from_one(capsys, tmp_path, monkeypatch, generator,
                                                      stream, seed):
    monkeypatch.setenv("WATCHER_CACHE_DIR", str(tmp_path / "cache"))
    values = next(v for g, s, st, _, v, p in VECTORS
                  if g == generator and s == seed and p.name.endswith(f".{stream}+1.csv"))
    path = tmp_path / "draws.txt"
    path.write_text("".join(f"{v}\n" for v in values[:40]))
    code = main(["identify", "--draws", str(path), "--generators", generator, "--predict", "10",
                 "--backend", "numpy", "--budget", "120", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["identified"], payload
    assert payload["next"] == values[40:50]
    if payload["identified_by"] == "seed":
        found = Hypothesis.model_validate(payload["best"][0]["hypothesis"])
        assert found.seed == seed and payload["sieve_reads"] == {"shift": 1}
    else:  # the state tier (java_random, glibc_random): the seed walked back to
        best = payload["state_tier"]["best"]
        assert best["reduction"].endswith("+1") and best["seed"] == seed
