"""Properties of the legacy family (the original system's generators, ``kernels/generators/legacy.py``).

Known answers come from ``tests/vectors/legacy_*`` and the interface properties every generator
shares are in ``test_prng_contract.py``; here: stepping back before the seed state, the vectorised
path across MT's twist boundaries, and the reproduced quirks that the docstrings promise.
"""

from __future__ import annotations

import numpy as np
import pytest

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
from kernels.registry import all_generators

INVERTIBLE = [cls for cls in GENERATORS if cls.invertible]
by_name = pytest.mark.parametrize("cls", GENERATORS, ids=lambda cls: cls.name)


def test_family_is_the_legacy_module():
    assert set(GENERATORS) == {cls for cls in all_generators().values() if cls.family == "legacy"}


@by_name
def test_metadata(cls):
    assert cls.name.startswith("legacy_")
    assert cls.native_below == "mod"  # the original reduced every output with `% mod_value`
    assert cls.output_bits in (31, 32, 64)


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


def test_mt19937_raw_many_across_twists():
    seeds = [0, 5489, 3735928495, 4294967295]
    rows = LegacyMt19937.raw_many(np.array(seeds, dtype=np.uint64), 1300)
    assert rows.tolist() == [LegacyMt19937(seed).outputs(1300) for seed in seeds]


def test_mt19937_is_std_mt19937():
    # docs/generators.md: std::mt19937 default seed 5489, 10000th output 4123659995
    stream = LegacyMt19937(5489)
    stream.jump(9999)
    assert stream.next_raw() == 4123659995


def test_java_lcg_is_unscrambled_java_random():
    for seed in (0, 42, 3735928495, (1 << 48) - 1):
        assert LegacyJavaLcg(seed).outputs(20) == JavaRandom(seed ^ 0x5DEECE66D).outputs(20)


def test_minstd_zero_rule():
    assert LegacyMinstd(0).get_state() == LegacyMinstd(2147483647).get_state() == (1,)
    # docs/generators.md: minstd_rand default seed 1, 10000th output 399268537
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
