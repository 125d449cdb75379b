"""The sieve's statistics against exact enumeration and simulation."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from kernels.statistics import (SearchStatistics, binomial_tail, corrected_p_value,
                                expected_chance_survivors, match_probability, minimum_window)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40), st.integers(0, 41), st.floats(0.0001, 0.9999))
def test_tail_equals_direct_sum(n, k, q):
    direct = sum(math.comb(n, j) * q**j * (1 - q) ** (n - j) for j in range(k, n + 1))
    assert binomial_tail(n, k, q) == pytest.approx(direct, rel=1e-9, abs=1e-300)


def test_deep_tail_does_not_underflow_to_garbage():
    # 30 of 30 matches at q = 1/1000: exactly 1e-90
    assert binomial_tail(30, 30, 1e-3) == pytest.approx(1e-90, rel=1e-9)
    # far past double range the tail is 0.0, but its log stays finite and exact
    from kernels.statistics import log_binomial_tail
    assert log_binomial_tail(200, 200, 1e-3) == pytest.approx(200 * math.log(1e-3))


def test_corrected_p_value_caps_and_scales():
    assert corrected_p_value(10**12, 10, 2, 1e-3) == 1.0
    assert corrected_p_value(1000, 5, 5, 0.1) == pytest.approx(1000 * 1e-5)


def test_match_probability():
    assert match_probability(1000) == 1 / 1000
    assert match_probability(1000, 32) == pytest.approx(4294968 / 2**32)
    assert match_probability(1000, 15) == pytest.approx(33 / 32768)
    assert match_probability(1024, 32) == 1 / 1024


def test_minimum_window():
    # 2**32 seeds at N=1000 and alpha=0.01: need 1000**w > 2**32 / 0.01 = 4.3e11  ->  w = 4
    assert minimum_window(2**32, 1e-3, 0.01) == 4
    assert minimum_window(2**32 * 100, 1e-3, 0.01) == 5
    assert minimum_window(1, 0.5, 0.5) == 1


def test_expected_survivors_match_simulation():
    """Random hypotheses against random data survive at the predicted rate."""
    rng = random.Random(7)
    window, threshold, alphabet, trials = 8, 2, 10, 20000
    data = [rng.randrange(alphabet) for _ in range(window)]
    survivors = sum(
        sum(rng.randrange(alphabet) == d for d in data) >= threshold for _ in range(trials))
    stats = SearchStatistics(hypotheses=trials, window=window, threshold=threshold, q=1 / alphabet)
    expected = stats.expected_chance_survivors
    assert expected == pytest.approx(expected_chance_survivors(trials, window, threshold, 0.1))
    sigma = math.sqrt(trials * stats.survival_probability * (1 - stats.survival_probability))
    assert abs(survivors - expected) < 5 * sigma
