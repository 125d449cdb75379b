"""The vectorised observation model (numpy backend) agrees with the scalar definition."""

from __future__ import annotations

import numpy as np
import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.reductions import REDUCTION_KINDS, DegenerateStream, example_spec, parse_reduction
from kernels.registry import all_generators
from kernels.sieve.numpy_backend import NumpyBackend
from kernels.sieve.vector import LaneStreams, draw_lanes
from tests.kernels.test_observation import valid_seed

#: one spec of every reduction kind, and the special cases of two (a power-of-two bound takes
#: java_nextint's shortcut; a range that does not start at 0)
REDUCTIONS = [example_spec(kind, 1000) for kind in REDUCTION_KINDS] + ["java_nextint:1024",
                                                                        "php_range:1:6"]


def _cases():
    backend = NumpyBackend()
    for name, cls in all_generators().items():
        for spec in REDUCTIONS:
            reduction = parse_reduction(spec)
            try:
                reduction.check_generator(cls)
            except ValueError:
                continue
            if backend.supports(cls, reduction):
                yield pytest.param(name, spec, id=f"{name}-{spec}")


@pytest.mark.parametrize("name, spec", list(_cases()))
def test_lanes_equal_predict(name, spec):
    cls = all_generators()[name]
    seeds = sorted({valid_seed(name, s) for s in (0, 1, 7, 12345, 3735928495, 2**31 + 3)})
    skip = 2
    draws = 12
    raw = cls.raw_many(np.array(seeds, dtype=np.uint64), 12 * draws * (skip + 6) + 64)
    streams = LaneStreams(cls, raw)
    columns = []
    for _ in range(draws):
        columns.append(draw_lanes(parse_reduction(spec), streams))
        streams.skip(skip)
    got = np.stack(columns, axis=1)
    for row, seed in enumerate(seeds):
        if streams.overflow[row]:
            # only a degenerate stream (one word forever, rejected forever) may run off its row
            assert len(set(raw[row].tolist())) == 1, f"seed {seed} overflowed"
            with pytest.raises(DegenerateStream):
                predict(Hypothesis(generator=name, seed=seed, reduction=spec), draws)
            continue
        h = Hypothesis(generator=name, seed=seed, reduction=spec, skip=SkipSchedule.constant(skip))
        assert got[row].tolist() == predict(h, draws), f"seed {seed}"


def test_overflowing_lanes_are_flagged():
    cls = all_generators()["java_random"]
    raw = cls.raw_many(np.array([1, 2], dtype=np.uint64), 3)
    streams = LaneStreams(cls, raw)
    for _ in range(5):
        draw_lanes(parse_reduction("mod:10"), streams)
    assert streams.overflow.all()
