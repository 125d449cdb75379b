"""The bidirectional sieve: a state found at the window start walks back to its seed."""

from __future__ import annotations

import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.registry import all_generators
from kernels.sieve.backward import plausible_ranges, seed_is_state, walk_back
from kernels.sieve.engine import SearchSpace, search

NOW = 1_790_000_000


def test_seed_is_state_is_detected():
    registry = all_generators()
    assert seed_is_state(registry["xorshift32"])
    assert seed_is_state(registry["msvc_rand"])
    assert not seed_is_state(registry["mt19937"])
    assert not seed_is_state(registry["java_random"])  # scrambled seed, 48-bit state


@pytest.mark.parametrize("name, skip", [("xorshift32", 0), ("msvc_rand", 1), ("minstd_rand", 0)])
def test_state_search_then_walk_back_to_the_seed(name, skip):
    cls = all_generators()[name]
    seed, offset = NOW - 86_400 * 400, 3000
    truth = Hypothesis(generator=name, seed=seed, reduction="mod:1000", offset=offset,
                       skip=SkipSchedule.constant(skip))
    observed = predict(truth, 20)
    # the state at the first observed draw, found by a state search around it
    stream = cls(seed)
    stream.jump(offset)
    (state,) = stream.get_state()
    space = SearchSpace(generator=name, reduction="mod:1000", seed_start=max(1, state - 500),
                        seed_stop=state + 500, skip={"low": skip, "high": skip})
    result = search([space], observed, window=12)
    assert result.identified
    found = result.best.hypothesis
    assert (found.seed, found.offset) == (state, 0)

    origins = walk_back(found, max_outputs=4000, ranges=plausible_ranges(seed + 600))
    assert truth in [o.hypothesis for o in origins]
    for origin in origins:
        assert predict(origin.hypothesis, 20) == observed
        # 4000 states visited, (2 * 86400 + 65536) plausible values among 2**31 or 2**32
        assert 0.1 < origin.chance < 0.5


def test_walk_back_refuses_what_it_cannot_do():
    h = Hypothesis(generator="mt19937", seed=5, reduction="mod:1000")
    assert walk_back(h, max_outputs=10, ranges=[(0, 1 << 32)]) == []
