"""java.util.Random from nextInt(N) at both ends of the bounds: small odd N (3..35), whose draws
show no state bit and too few bits for plain LLL, found by guessing the low state bits and
searching a BKZ-reduced lattice; dice (nextInt(6) + 1); and large N that redraw up to half their
words, replayed exhaustively through Java's rejection loop. Every recovery is made at exactly
the draws `minimum_draws` claims and must predict the next ten draws."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from kernels.generators._bits import affine_power
from kernels.recovery import IDENTIFIED, REJECTED, minimum_draws, recover
from kernels.recovery.by_shape import recover_by_shape
from kernels.recovery.lattice import low_guess_lcg_states
from kernels.recovery.observe import parse_any_reduction
from kernels.recovery.truncated import lcg_candidate_states
from kernels.registry import get_generator

PROGRAMS = Path(__file__).resolve().parent / "programs"
JAVA = get_generator("java_random")
MULTIPLIER, INCREMENT = int(getattr(JAVA, "MULTIPLIER")), int(getattr(JAVA, "INCREMENT"))
#: large bounds: (2**31 mod N) / 2**31 of the words are redrawn (1/2, 1/3, 1/4, 1/2**31)
LARGE = ((1 << 30) + 1, 0x55555555, 3 << 29, (1 << 31) - 1)


def _draws(state: int, spec: str, count: int) -> list[int]:
    stream = JAVA.from_state((state,))
    reduction = parse_any_reduction(spec)
    return [int(reduction.draw(stream)) for _ in range(count)]


def _redraws(state: int, bound: int, count: int) -> int:
    """How many words Java's nextInt(bound) rejected over ``count`` draws from ``state``."""
    accepted = ((1 << 31) // bound) * bound
    redrawn = 0
    for _ in range(count):
        while True:
            state = (state * MULTIPLIER + INCREMENT) % (1 << 48)
            if state >> 17 < accepted:
                break
            redrawn += 1
    return redrawn


def _recovered_at_the_claim(state: int, spec: str) -> None:
    needed = minimum_draws("java_random", spec)
    assert needed is not None
    draws = _draws(state, spec, needed + 10)
    result = recover(draws[:needed], "java_random", spec, predict=10)
    assert result.verdict == IDENTIFIED, (spec, result.message)
    assert list(result.predictions) == draws[needed:]
    assert result.p_value < 1e-9


@pytest.mark.parametrize("bound", [3, 5, 7, 9, 11, 13, 35])
def test_small_odd_bounds_at_the_claimed_draws(bound):
    states = random.Random(bound)
    for _ in range(1 if bound == 3 else 3):  # nextInt(3) searches ~700 lattice nodes a guess
        _recovered_at_the_claim(states.getrandbits(48), f"java_nextint:{bound}")


@pytest.mark.parametrize("bound", [4, 8])
def test_two_and_three_top_bits_at_the_claimed_draws(bound):
    states = random.Random(bound)
    for _ in range(2):
        _recovered_at_the_claim(states.getrandbits(48), f"java_nextint:{bound}")


@pytest.mark.parametrize("name, spec", [("java_random", "mod:7"),  # next(32) % 7
                                        ("drand48", "c_rand_mod:9")])  # lrand48() % 9
def test_small_odd_moduli_of_the_other_words(name, spec):
    needed = minimum_draws(name, spec)
    assert needed is not None
    stream = get_generator(name).from_state((random.Random(spec).getrandbits(48),))
    reduction = parse_any_reduction(spec)
    draws = [int(reduction.draw(stream)) for _ in range(needed + 10)]
    result = recover(draws[:needed], name, spec, predict=10)
    assert result.verdict == IDENTIFIED, result.message
    assert list(result.predictions) == draws[needed:]


def test_what_small_and_even_bounds_claim():
    needs = {n: minimum_draws("java_random", f"java_nextint:{n}") for n in range(3, 14)}
    # the 48 state bits and 40 of evidence at log2(N) bits a draw: 88 / log2(3) = 56 for N = 3
    assert needs[3] == 56 and needs[5] == 38 and needs[13] == 24
    # an even bound shows its low bits, which repeat what the low state bits say: nextInt(3 *
    # 2**29) shows 30.6 bits a draw but singles out a state only from 8 draws on, not 3
    assert minimum_draws("java_random", f"java_nextint:{3 << 29}") == 8
    assert minimum_draws("java_random", f"java_nextint:{(1 << 30) + 1}") == 3
    assert all(needs[n] is not None for n in range(3, 14))
    # nextInt(4) shows the top 2 state bits: 44 draws; nextInt(2) one bit, out of reach
    assert needs[4] == 44 and minimum_draws("java_random", "java_nextint:2") is None


def test_the_low_guess_search_also_takes_an_even_bound():
    # nextInt(12) = 4 * 3: the low 2 draw bits give the low 19 state bits by a sift, and the odd
    # part 3 is left to the lattice (the catalog enumerates even bounds instead; this is the
    # lattice's own check)
    bound, count = 12, 40
    state = random.Random(12).getrandbits(48)
    first = (state * MULTIPLIER + INCREMENT) % (1 << 48)
    draws = _draws(state, f"java_nextint:{bound}", count)
    steps = [affine_power(MULTIPLIER, INCREMENT, t, 1 << 48) for t in range(count)]
    lows = np.array([first & ((1 << 19) - 1), (first + 1) & ((1 << 19) - 1)], dtype=np.uint64)
    found = low_guess_lcg_states(draws, steps, bound, 17, 48, lows, 19)
    assert first in found
    with pytest.raises(ValueError):
        low_guess_lcg_states(draws, steps, bound, 17, 48, lows, 18)  # 2 is not 12's even part


def test_the_search_finds_small_bounds_below_the_claim():
    # the claim is set by the evidence; the lattice search itself needs fewer draws
    state = random.Random(7).getrandbits(48)
    first = (state * MULTIPLIER + INCREMENT) % (1 << 48)
    draws = _draws(state, "java_nextint:7", 26)
    assert first in lcg_candidate_states("java_random", "java_nextint:7", draws)


@pytest.mark.parametrize("bound", LARGE)
def test_large_bounds_recover_whatever_the_redraws(bound):
    spec = f"java_nextint:{bound}"
    needed = minimum_draws("java_random", spec)
    assert needed is not None and needed <= 8
    states = random.Random(bound)
    redrawn = 0
    for _ in range(3):
        state = states.getrandbits(48)
        redrawn += _redraws(state, bound, needed + 10)
        _recovered_at_the_claim(state, spec)
    if bound != (1 << 31) - 1:  # the tests must have met redraws among the draws
        assert redrawn > 0


def test_large_bounds_reject_other_draws_exhaustively():
    # the replay covers every state the first draw allows: a miss is a real "no"
    values = random.Random(1).choices(range((1 << 30) + 1), k=6)
    result = recover(values, "java_random", f"java_nextint:{(1 << 30) + 1}")
    assert result.verdict == REJECTED


@pytest.mark.parametrize("bound", [5, 11])
def test_random_small_draws_are_not_claimed(bound):
    spec = f"java_nextint:{bound}"
    needed = minimum_draws("java_random", spec)
    assert needed is not None
    rng = random.Random(bound * 7)
    for _ in range(3):
        values = [rng.randrange(bound) for _ in range(needed)]
        result = recover(values, "java_random", spec)
        assert result.verdict != IDENTIFIED


def test_random_dice_stay_no_generator():
    rng = random.Random(66)
    values = [rng.randint(1, 6) for _ in range(60)]
    best, attempts, _ = recover_by_shape(values)
    assert best is None
    assert any(a.reduction == "java_nextint:6+1" for a in attempts)
    assert all(a.verdict != IDENTIFIED for a in attempts)


def _java(tmp_path: Path, *args: str) -> list[int]:
    missing = [tool for tool in ("javac", "java") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"runtime not installed: {', '.join(missing)}")
    if not (tmp_path / "NewRandom.class").exists():
        subprocess.run(["javac", "-d", str(tmp_path), str(PROGRAMS / "NewRandom.java")],
                       check=True, timeout=120)
    done = subprocess.run(["java", "-cp", str(tmp_path), "NewRandom", *args],
                          capture_output=True, text=True, timeout=120, check=True)
    draws: list[int] = json.loads(done.stdout)["draws"]
    return draws


def test_openjdk_dice_by_shape(tmp_path):
    # new Random().nextInt(6) + 1: nothing told but the draws
    draws = _java(tmp_path, "60", "6", "1")
    assert min(draws) >= 1 and max(draws) <= 6
    best, _, _ = recover_by_shape(draws[:50], predict=10)
    assert best is not None and (best.generator, best.reduction) == ("java_random",
                                                                      "java_nextint:6+1")
    assert list(best.predictions) == draws[50:]


@pytest.mark.parametrize("bound", [5, (1 << 30) + 1])
def test_openjdk_small_and_large_bounds(tmp_path, bound):
    spec = f"java_nextint:{bound}"
    needed = minimum_draws("java_random", spec)
    assert needed is not None
    draws = _java(tmp_path, str(needed + 10), str(bound))
    result = recover(draws[:needed], "java_random", spec, predict=10)
    assert result.verdict == IDENTIFIED, result.message
    assert list(result.predictions) == draws[needed:]
