"""Properties of the Mersenne Twister family (MT19937 under each runtime's seeding, MT19937-64,
TinyMT32).

The known-answer files (``tests/vectors/``) pin the streams and ``test_prng_contract.py`` the
interface properties every generator shares; these tests pin the published known answers,
stepping back (untwisting) across block boundaries and past the seed, and the vectorised paths'
seed checks. CPython and numpy are runtimes as well as test dependencies, so their generators are
also checked against them on arbitrary seeds.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.generators.mersenne_twister import (
    GENERATORS,
    MT19937,
    MT19937_64,
    CPythonRandom,
    NumpyRandomState,
    PhpMtRand,
    PhpMtRandLegacy,
    RubyRandom,
    TinyMT32,
)

SETTINGS = settings(max_examples=20, deadline=None)

by_class = pytest.mark.parametrize("cls", GENERATORS, ids=lambda c: c.name)


def seeds_for(cls) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=(1 << cls.seed_bits) - 1)


# ---- pinned known answers ----------------------------------------------------------------------


def test_std_mt19937_default_seed_10000th_output():
    # C++11 [rand.predef]: the 10000th consecutive invocation of a default-constructed mt19937
    stream = MT19937(5489)
    stream.jump(9999)
    assert stream.next_raw() == 4123659995


def test_std_mt19937_seed_0_first_outputs():
    assert MT19937(0).outputs(3) == [2357136044, 2546248239, 3071714933]


def test_std_mt19937_64_default_seed_10000th_output():
    # C++11 [rand.predef]: the 10000th consecutive invocation of a default-constructed mt19937_64
    stream = MT19937_64(5489)
    stream.jump(9999)
    assert stream.next_raw() == 9981545732273789042


def test_cpython_seed_42_getrandbits():
    assert CPythonRandom(42).outputs(3) == [2746317213, 478163327, 107420369]


def test_tinymt32_reference_check_output():
    # MersenneTwister-Lab/TinyMT tinymt/check32.out.txt: default parameters, seed 1
    assert TinyMT32(1).outputs(10) == [2545341989, 981918433, 3715302833, 2387538352, 3591001365,
                                       3820442102, 2114400566, 2196103051, 2783359912, 764534509]


def test_php_legacy_twist_differs_only_where_the_bug_bites():
    # PHP 8.2: mt_srand(0, MT_RAND_PHP) gives 1927864384 first, then the correct MT words
    assert PhpMtRandLegacy(0).outputs(3) == [1927864384, 2546248239, 3071714933]


def test_ruby_leading_zero_guard_aliases_seeds():
    # Ruby 3.x drops a top word equal to 1: Random.new(2**32 + 5) is Random.new(5)
    assert RubyRandom((1 << 32) + 5).outputs(50) == RubyRandom(5).outputs(50)
    assert RubyRandom((1 << 33) + 5).outputs(50) == CPythonRandom((1 << 33) + 5).outputs(50)


@pytest.mark.parametrize("cls", (NumpyRandomState, PhpMtRand, RubyRandom), ids=lambda c: c.name)
def test_init_genrand_runtimes_share_std_mt19937_words(cls):
    for seed in (0, 1, 5489, 0xFFFFFFFF):
        assert cls(seed).outputs(700) == MT19937(seed).outputs(700)


# ---- the runtimes that are also test dependencies ----------------------------------------------


@SETTINGS
@given(seed=seeds_for(CPythonRandom))
def test_cpython_random_matches_cpython(seed):
    runtime = random.Random(seed)
    assert CPythonRandom(seed).outputs(20) == [runtime.getrandbits(32) for _ in range(20)]


@SETTINGS
@given(seed=seeds_for(NumpyRandomState))
def test_numpy_random_state_matches_numpy(seed):
    words = np.random.RandomState(seed).randint(2**32, size=20, dtype=np.uint32)
    assert NumpyRandomState(seed).outputs(20) == words.tolist()


# ---- stepping back -----------------------------------------------------------------------------


@by_class
def test_step_back_across_many_blocks(cls):
    reference = cls(3735928495).outputs(2100)
    stream = cls(3735928495)
    stream.jump(2000)
    for _ in range(1999):
        stream.step_back()
    assert stream.outputs(100) == reference[1:101]


@by_class
@SETTINGS
@given(data=st.data())
def test_stepping_back_past_the_seed_and_forward_again_resumes_the_stream(cls, data):
    seed = data.draw(seeds_for(cls), label="seed")
    steps = data.draw(st.integers(1, 1400), label="steps")
    stream = cls(seed)
    for _ in range(steps):
        stream.step_back()
    stream.jump(steps)
    assert stream.outputs(700) == cls(seed).outputs(700)


@by_class
@SETTINGS
@given(data=st.data())
def test_next_raw_after_step_back_restores_the_state(cls, data):
    seed = data.draw(seeds_for(cls), label="seed")
    stream = cls(seed)
    stream.jump(data.draw(st.integers(1, 1300), label="forward"))
    before = stream.get_state()
    value = stream.outputs(1)
    stream.step_back()
    assert stream.outputs(1) == value
    stream.step_back()
    stream.step_back()
    stream.jump(1)
    assert stream.get_state() == before


# ---- the vectorised paths check their seeds -----------------------------------------------------


@pytest.mark.parametrize("cls", [cls for cls in GENERATORS if cls.seed_bits < 64], ids=lambda c: c.name)
def test_raw_many_rejects_seeds_outside_the_seed_space(cls):
    with pytest.raises(ValueError):
        cls.raw_many(np.array([0, 1 << cls.seed_bits], dtype=np.uint64), 3)


def test_mt19937_doubles_are_generate_canonical():
    # two words, low first, summed in double arithmetic, as libstdc++'s generate_canonical does
    words = MT19937(7).outputs(2)
    assert MT19937(7).next_double() == (words[0] + words[1] * 4294967296.0) / 2.0**64
