"""Properties of the legacy family (the original system's generators, ``kernels/generators/legacy.py``).

Known answers come from ``tests/vectors/legacy_*``; here: state round trips, jump against stepping,
step_back against next_raw, seed validation, the vectorised path across MT's twist boundary, and
the reproduced quirks that the docstrings promise.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.generators.lcg import JavaRandom
from kernels.generators.legacy import (
    GENERATORS,
    LegacyJavaLcg,
    LegacyLcg32,
    LegacyMinstd,
    LegacyMt19937,
    LegacyPhilox4x32,
    LegacyXorshift32,
    LegacyXorshift64,
    LegacyXorshift128,
)
from kernels.prng import NotInvertible

FAST = [cls for cls in GENERATORS if cls is not LegacyMt19937]
INVERTIBLE = [cls for cls in GENERATORS if cls.invertible]
by_name = pytest.mark.parametrize("cls", GENERATORS, ids=lambda cls: cls.name)


def seeds_for(cls) -> st.SearchStrategy[int]:
    return st.integers(0, (1 << cls.seed_bits) - 1)


def examples(cls, fast: int = 25) -> settings:
    return settings(max_examples=fast if cls is not LegacyMt19937 else 4, deadline=None)


@by_name
def test_metadata(cls):
    assert cls.legacy and cls.family == "legacy" and cls.name.startswith("legacy_")
    assert cls.native_below == "mod"
    assert cls.output_bits in (31, 32, 64)


@by_name
def test_state_round_trip(cls):
    @examples(cls)
    @given(seed=seeds_for(cls), before=st.integers(0, 700), after=st.integers(1, 40))
    def check(seed, before, after):
        stream = cls(seed)
        stream.jump(before)
        state = stream.get_state()
        expected = stream.outputs(after)
        stream.set_state(state)
        assert stream.outputs(after) == expected
        other = cls(0)
        other.set_state(state)
        assert other.outputs(after) == expected

    check()


@by_name
def test_jump_equals_stepping(cls):
    @examples(cls)
    @given(seed=seeds_for(cls), n=st.integers(0, 1500))
    def check(seed, n):
        jumped, stepped = cls(seed), cls(seed)
        jumped.jump(n)
        for _ in range(n):
            stepped.next_raw()
        assert jumped.outputs(5) == stepped.outputs(5)
        if n:
            assert jumped.get_state() == stepped.get_state()

    check()


@pytest.mark.parametrize("cls", INVERTIBLE, ids=lambda cls: cls.name)
def test_step_back_undoes_next_raw(cls):
    @settings(max_examples=30, deadline=None)
    @given(seed=seeds_for(cls), steps=st.integers(0, 300), back=st.integers(1, 300))
    def check(seed, steps, back):
        back = min(back, steps + 1)
        stream = cls(seed)
        stream.jump(steps + 1)
        reference = cls(seed)
        reference.jump(steps + 1 - back)
        expected = reference.outputs(back + 3)
        for _ in range(back):
            stream.step_back()
        assert stream.outputs(back + 3) == expected

    check()


@pytest.mark.parametrize("cls", INVERTIBLE, ids=lambda cls: cls.name)
def test_step_back_before_the_seed_state(cls):
    """Stepping back from the seeded state reaches a predecessor (except counter-based Philox)."""
    stream = cls(3735928495)
    first = stream.outputs(3)
    if cls is LegacyPhilox4x32:
        with pytest.raises(ValueError):
            cls(3735928495).step_back()
        return
    stream = cls(3735928495)
    stream.step_back()
    stream.next_raw()
    assert stream.outputs(3) == first


def test_mt19937_cannot_step_back():
    with pytest.raises(NotInvertible):
        LegacyMt19937(5489).step_back()


@by_name
def test_check_seed_rejects_out_of_range(cls):
    for bad in (-1, 1 << cls.seed_bits, 1 << 70):
        with pytest.raises(ValueError):
            cls(bad)
    for bad in (1.5, "7", True, None):
        with pytest.raises(ValueError):
            cls(bad)
    cls((1 << cls.seed_bits) - 1)


@pytest.mark.parametrize("cls", FAST, ids=lambda cls: cls.name)
def test_raw_many_agrees_on_random_seeds(cls):
    @settings(max_examples=10, deadline=None)
    @given(seeds=st.lists(seeds_for(cls), min_size=1, max_size=6), n=st.integers(0, 60))
    def check(seeds, n):
        rows = cls.raw_many(np.array(seeds, dtype=np.uint64), n)
        assert rows.dtype == (np.uint64 if cls.output_bits > 32 else np.uint32)
        assert rows.tolist() == [cls(seed).outputs(n) for seed in seeds]

    check()


def test_mt19937_raw_many_across_twists():
    seeds = [0, 5489, 3735928495, 4294967295]
    rows = LegacyMt19937.raw_many(np.array(seeds, dtype=np.uint64), 1300)
    assert rows.tolist() == [LegacyMt19937(seed).outputs(1300) for seed in seeds]


def test_mt19937_is_std_mt19937():
    # GENERATORS.md: std::mt19937 default seed 5489, 10000th output 4123659995
    stream = LegacyMt19937(5489)
    stream.jump(9999)
    assert stream.next_raw() == 4123659995


def test_java_lcg_is_unscrambled_java_random():
    for seed in (0, 42, 3735928495, (1 << 48) - 1):
        assert LegacyJavaLcg(seed).outputs(20) == JavaRandom(seed ^ 0x5DEECE66D).outputs(20)


def test_minstd_zero_rule():
    assert LegacyMinstd(0).get_state() == LegacyMinstd(2147483647).get_state() == (1,)
    # GENERATORS.md: minstd_rand default seed 1, 10000th output 399268537
    stream = LegacyMinstd(1)
    stream.jump(9999)
    assert stream.next_raw() == 399268537


def test_lcg32_quirks():
    fixed = LegacyLcg32.FIXED_POINT
    assert LegacyLcg32(fixed).outputs(5) == [fixed] * 5
    # seeds congruent mod 2**31 - 1 alias; outputs stay below 2**31 - 1
    assert LegacyLcg32(5).outputs(10) == LegacyLcg32(5 + 0x7FFFFFFF).outputs(10)
    assert max(LegacyLcg32(3735928495).outputs(1000)) < 0x7FFFFFFF


def test_zero_seed_fixed_points():
    assert LegacyXorshift32(0).outputs(10) == [0] * 10
    assert LegacyXorshift64(0).outputs(10) == [0] * 10


def test_xorshift128_marsaglia_default():
    # Marsaglia (2003), xor128 with x = 123456789: first output 3701687786
    assert LegacyXorshift128(123456789).next_raw() == 3701687786


def test_philox_unmasked_counter():
    stream = LegacyPhilox4x32(7)
    stream.jump(1 << 32)
    wrapped = LegacyPhilox4x32(7)
    assert stream.next_raw() != wrapped.next_raw()
