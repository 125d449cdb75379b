"""Calibration of the sieve on small spaces: planted sequences are found, random ones are not.

Planted: for every generator and each of its common reductions, a sequence made by
`watcher inject` with a random seed, offset and skip (raw outputs) inside the searched space is
identified by a search of all the generator's common reductions at once, and the best survivors
predict the next 10 draws exactly. Null: os.urandom sequences come out "no generator explains
this data" at least 99% of the time, and the number of chance survivors matches the expectation
the search reports, every reduction counted.
"""

from __future__ import annotations

import math
import os
import random

import pytest

from kernels.cli import read_truth
from kernels.draws import read_draws
from kernels.observation import Hypothesis, predict
from kernels.reductions import native_below, parse_reduction
from kernels.registry import all_generators
from kernels.sieve.engine import SearchSpace, SkipSpace, search
from machine.cli import main

SEEDS_SEARCHED = 4096
OFFSETS = 5
SKIPS = (0, 2)


def _common_reductions(cls) -> list[str]:
    specs = ["mod:1000", native_below(cls, 1000).spec, "float_mul:1000"]
    usable = []
    for spec in dict.fromkeys(specs):
        try:
            parse_reduction(spec).check_generator(cls)
        except ValueError:
            continue
        usable.append(spec)
    return usable or ["raw"]


def _cases():
    for name, cls in all_generators().items():
        for spec in _common_reductions(cls):
            yield pytest.param(name, spec, id=f"{name}-{spec}")


def _valid_base(cls, rng: random.Random) -> int:
    """A seed range start such that the whole searched range is inside the seed space."""
    top = (1 << cls.seed_bits) - SEEDS_SEARCHED - 1
    for _ in range(100):
        base = rng.randrange(1, max(top, 2))
        try:
            cls.check_seed(base)
            cls.check_seed(base + SEEDS_SEARCHED - 1)
            return base
        except ValueError:
            continue
    return 1


@pytest.mark.parametrize("name, spec", list(_cases()))
def test_planted_sequence_is_identified(tmp_path, capsys, name, spec):
    cls = all_generators()[name]
    rng = random.Random(f"{name}/{spec}")
    base = _valid_base(cls, rng)
    seed = base + rng.randrange(SEEDS_SEARCHED)
    offset = rng.randrange(OFFSETS)
    skip = rng.randint(*SKIPS)
    draws_file = tmp_path / "draws.json"
    assert main(["inject", "--generator", name, "--seed", str(seed), "-n", "24", "--reduce", spec,
                 "--offset", str(offset), "--skip", str(skip), "-o", str(draws_file)]) == 0
    capsys.readouterr()
    observed = read_draws(draws_file)
    planted, truth = read_truth(tmp_path / "draws.truth.json")

    space = SearchSpace(generator=name, reductions=tuple(_common_reductions(cls)),
                        seed_start=base, seed_stop=base + SEEDS_SEARCHED, offset_stop=OFFSETS,
                        skip=SkipSpace(low=SKIPS[0], high=SKIPS[1]))
    result = search([space], observed, window=12, alpha=0.01)

    assert result.identified, f"not identified; {result.reports}"
    best_log_p = result.survivors[0].log10_p_value
    best = [s.hypothesis for s in result.survivors if s.log10_p_value == best_log_p]
    assert planted in best or any(predict(h, 34) == predict(planted, 34) for h in best)
    for hypothesis in best:
        assert predict(hypothesis, 34)[24:] == truth["next"]


def test_variable_skips_are_found():
    h = Hypothesis.model_validate({"generator": "mt19937", "seed": 5000, "reduction": "mod:1000",
                                   "offset": 1, "skip": {"skips": [0, 2, 1, 0, 2, 2, 0, 1, 0],
                                                         "then": 0}})
    observed = predict(h, 9)
    space = SearchSpace(generator="mt19937", reduction="mod:1000", seed_start=4000, seed_stop=6000,
                        offset_stop=3, skip=SkipSpace(low=0, high=2, variable=True))
    result = search([space], observed, window=9)
    assert result.identified
    found = result.best.hypothesis
    assert (found.seed, found.offset) == (5000, 1)
    assert predict(found, 9) == observed


def _urandom_draws(count: int, alphabet: int) -> list[int]:
    return [int.from_bytes(os.urandom(4), "little") % alphabet for _ in range(count)]


def test_random_data_is_not_identified():
    """At least 99% of random sequences: "no generator explains this data"."""
    spaces = [
        SearchSpace(generator="java_random",
                    reductions=("java_nextint:1000", "mod:1000", "float_mul:1000"), seed_start=0,
                    seed_stop=20_000, offset_stop=4, skip=SkipSpace(low=0, high=1)),
        SearchSpace(generator="mt19937", reductions=("mod:1000", "float_mul:1000"), seed_start=0,
                    seed_stop=5_000, offset_stop=4),
    ]
    identified = sum(search(spaces, _urandom_draws(12, 1000), window=4).identified
                     for _ in range(100))
    assert identified <= 1


def test_chance_survivors_match_expectation():
    """With a window short enough that chance survivors occur, their count is as predicted,
    every reduction of the space counted (one seeding per seed, three reductions)."""
    space = SearchSpace(generator="java_random", reductions=("java_nextint:10", "mod:10",
                                                             "float_mul:10"),
                        seed_start=0, seed_stop=20_000, offset_stop=2)
    observed_total, expected_total = 0, 0.0
    for _ in range(10):
        result = search([space], _urandom_draws(3, 10), window=3, stop_when_certain=False)
        observed_total += len(result.survivors)
        expected_total += result.expected_chance_survivors
        assert not result.identified
    # expectation 10 * 3 * 40000 / 1000 = 1200 (mod:10 on 32-bit words: q a hair above 1/10);
    # Poisson-like spread (offsets and reductions overlap only mildly)
    assert expected_total == pytest.approx(1200.0, rel=1e-6)
    assert abs(observed_total - expected_total) < 5 * math.sqrt(expected_total)
