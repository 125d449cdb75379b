"""java.util.Random (and lrand48) from draws with any bound, odd ones included: nextInt(37) and
nextInt(1001) show no state bit directly, so the state comes from a lattice over the draws'
quotients and hidden bits; nextInt(6) shows one low bit a draw, which fixes the low state bits,
and leaves its odd part 3 to the low-guess lattice (small bounds: test_small_and_large_bounds)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from kernels.recovery import IDENTIFIED, UNDETERMINED, minimum_draws, recover, recovery_needs
from kernels.recovery.by_shape import recover_by_shape
from kernels.recovery.observe import parse_any_reduction
from kernels.registry import get_generator

PROGRAMS = Path(__file__).resolve().parent / "programs"
BOUNDS = (6, 37, 1001)


def _draws_from_state(name: str, state: int, spec: str, count: int) -> list[int]:
    stream = get_generator(name).from_state((state,))
    reduction = parse_any_reduction(spec)
    return [int(reduction.draw(stream)) for _ in range(count)]


def _check_recovers(name: str, spec: str, draws: list[int]) -> None:
    needed = minimum_draws(name, spec)
    assert needed is not None and needed + 10 <= len(draws)
    result = recover(draws[:needed], name, spec, predict=10)
    assert result.verdict == IDENTIFIED, result.message
    assert list(result.predictions) == draws[needed:needed + 10]
    assert result.p_value < 1e-9


@pytest.mark.parametrize("bound", BOUNDS)
def test_java_nextint_from_a_random_48_bit_state(bound):
    spec = f"java_nextint:{bound}"
    for trial in range(2):
        state = random.Random(bound * 100 + trial).getrandbits(48)  # new Random()'s 48 bits
        _check_recovers("java_random", spec, _draws_from_state("java_random", state, spec, 60))


@pytest.mark.parametrize("name, spec", [("drand48", "c_rand_mod:999"),
                                        ("java_random", "mod:37")])  # next(32) % 37
def test_other_odd_moduli(name, spec):
    state = random.Random(5).getrandbits(48)
    _check_recovers(name, spec, _draws_from_state(name, state, spec, 40))


@pytest.mark.parametrize("bound", BOUNDS)
def test_random_ints_in_the_range_are_not_claimed(bound):
    spec = f"java_nextint:{bound}"
    needed = minimum_draws("java_random", spec)
    assert needed is not None
    chance = random.Random(bound)
    values = [chance.randrange(bound) for _ in range(needed + 10)]
    assert recover(values, "java_random", spec).verdict != IDENTIFIED
    best, attempts, _ = recover_by_shape(values, generator="java_random", reduction=spec)
    assert best is None and attempts


def test_what_the_bounds_need():
    # every odd bound from 3 on is offered (below 13 by guessing the low bits), and a smaller
    # bound needs more draws; nextInt(2) shows too little
    assert minimum_draws("java_random", "java_nextint:2") is None
    needs = {n: minimum_draws("java_random", f"java_nextint:{n}")
             for n in (3, 5, 7, 9, 11, 13, 37, 1001, 99999)}
    assert all(isinstance(v, int) and 0 < v <= 60 for v in needs.values())
    ordered = [needs[n] for n in sorted(needs)]
    assert all(more > fewer for more, fewer in zip(ordered, ordered[1:]))
    # what `watcher prng list` shows: an odd bound next to the even one
    listed = recovery_needs("java_random")
    assert listed["java_nextint:37"] == needs[37]
    assert listed["java_nextint:1000"] != needs[37]


def test_identify_by_shape_finds_an_odd_bound():
    spec = "java_nextint:37"
    state = random.Random(37).getrandbits(48)
    draws = _draws_from_state("java_random", state, spec, 40)
    best, _, _ = recover_by_shape(draws[:30], generator="java_random", predict=10)
    assert best is not None and best.reduction == spec, best
    assert list(best.predictions) == draws[30:40]


def test_openjdk_new_random(tmp_path):
    missing = [tool for tool in ("javac", "java") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"runtime not installed: {', '.join(missing)}")
    subprocess.run(["javac", "-d", str(tmp_path), str(PROGRAMS / "NewRandom.java")], check=True,
                   timeout=120)
    for bound in BOUNDS:
        done = subprocess.run(["java", "-cp", str(tmp_path), "NewRandom", "50", str(bound)],
                              capture_output=True, text=True, timeout=120, check=True)
        _check_recovers("java_random", f"java_nextint:{bound}", json.loads(done.stdout)["draws"])


def test_frequent_redraws_are_not_taken_for_another_generator():
    # nextInt(0x55555555) redraws a third of its words; every state its first draw allows is
    # replayed through the rejection loop, so Java's own draws are found whatever the redraws
    spec = f"java_nextint:{0x55555555}"
    for trial in range(4):
        state = random.Random(trial).getrandbits(48)
        draws = _draws_from_state("java_random", state, spec, 30)
        result = recover(draws[:20], "java_random", spec, predict=10)
        assert result.verdict == IDENTIFIED, result.message
        assert list(result.predictions) == draws[20:30]
