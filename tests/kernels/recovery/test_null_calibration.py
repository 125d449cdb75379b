"""Nulls stay null: random data at exactly the draws a recovery asks for (where a wrong state
is most likely to slip through) is never identified, and the reported p-values are honest."""

from __future__ import annotations

import numpy as np
import pytest

from kernels.recovery import IDENTIFIED, minimum_draws, recover
from kernels.recovery.by_shape import recover_by_shape

# (generator, reduction, random value maker)
CASES = [
    ("xorshift32", "raw", lambda rng, n: rng.integers(0, 2**32, n).tolist()),
    ("xorshift128", "mod:1000", lambda rng, n: rng.integers(0, 1000, n).tolist()),
    ("taus88", "u32_double", lambda rng, n: (rng.integers(0, 2**32, n) / 2**32).tolist()),
    ("well512a", "masked:1024", lambda rng, n: rng.integers(0, 1024, n).tolist()),
    ("xorwow", "raw", lambda rng, n: rng.integers(0, 2**32, n).tolist()),
    ("v8_math_random", "v8_double", lambda rng, n: (rng.integers(0, 2**52, n) / 2**52).tolist()),
    ("java_random", "signed32", lambda rng, n: rng.integers(-2**31, 2**31, n).tolist()),
    ("java_random", "java_nextint:1000", lambda rng, n: rng.integers(0, 1000, n).tolist()),
    ("drand48", "raw", lambda rng, n: rng.integers(0, 2**31, n).tolist()),
]


@pytest.mark.parametrize("name, spec, make", CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_random_data_at_the_minimum_is_never_identified(name, spec, make):
    needed = minimum_draws(name, spec)
    assert needed is not None
    rng = np.random.default_rng(abs(hash((name, spec))) % 2**32)
    for _ in range(5):
        result = recover(make(rng, needed), name, spec)
        assert result.verdict != IDENTIFIED
        assert result.p_value >= 0.01 or result.state is None


def test_the_shape_search_over_random_ints_and_doubles():
    rng = np.random.default_rng(5)
    for values in (rng.integers(0, 1000, 60).tolist(), rng.integers(0, 2**31, 120).tolist(),
                   (rng.integers(0, 2**53, 50) / 2**53).tolist()):
        best, attempts, _ = recover_by_shape(values)
        assert best is None and attempts
        assert all(a.verdict != IDENTIFIED for a in attempts)
