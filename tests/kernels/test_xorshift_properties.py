"""Properties of the xorshift family (kernels/generators/xorshift.py, xoshiro.py, and Lua 5.4's
xoshiro256** in lua.py).

Runtime known answers live in tests/vectors/ (test_vectors.py) and the interface properties every
generator shares in test_prng_contract.py; here: stepping back past the seed, the GF(2) jump
polynomials against the authors' constants, the seeds each generator refuses, and reference
outputs published next to other implementations of the same algorithms.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.generators import lua, xorshift, xoshiro
from kernels.generators.xorshift import V8MathRandom, Xorshift128, Xorshift128Plus, Xorwow
from kernels.generators.xoshiro import SplitMix64, Xoroshiro128StarStar, Xoshiro256Plus
from kernels.registry import all_generators

FAMILY = xorshift.GENERATORS + xoshiro.GENERATORS + tuple(
    cls for cls in lua.GENERATORS if cls.family == "xorshift")
IDS = [cls.name for cls in FAMILY]
FAST = settings(max_examples=60, deadline=None)


def _rejects_zero(cls) -> bool:
    try:
        cls.check_seed(0)
    except ValueError:
        return True
    return False


def seeds_of(cls):
    return st.integers(min_value=1 if _rejects_zero(cls) else 0,
                       max_value=(1 << cls.seed_bits) - 1)


def test_family_metadata():
    assert set(FAMILY) == {cls for cls in all_generators().values() if cls.family == "xorshift"}
    for cls in FAMILY:
        assert cls.invertible  # every step is an invertible GF(2)-linear map
        assert cls.output_bits in (32, 52, 64)


@pytest.mark.parametrize("cls", FAMILY, ids=IDS)
@FAST
@given(data=st.data(), back=st.integers(min_value=1, max_value=140))
def test_step_back_past_the_seed_state_is_consistent(cls, data, back):
    # stepping back from the seeded state walks the (extended) stream backwards
    stream = cls(data.draw(seeds_of(cls)))
    start = stream.get_state()
    for _ in range(back):
        stream.step_back()
    before = stream.outputs(back)
    assert stream.get_state() == start
    fresh = cls.__new__(cls)
    fresh.set_state(start)
    for _ in range(back):
        fresh.step_back()
    assert fresh.outputs(back) == before


@pytest.mark.parametrize("cls", FAMILY, ids=IDS)
@settings(max_examples=10, deadline=None)
@given(data=st.data(), n=st.integers(min_value=0, max_value=1 << 100))
def test_huge_jump_then_step_back_to_the_same_place(cls, data, n):
    stream = cls(data.draw(seeds_of(cls)))
    stream.jump(n)
    ahead = stream.outputs(5)
    for _ in range(5):
        stream.step_back()
    assert stream.outputs(5) == ahead


@pytest.mark.parametrize("cls, power, words", [
    # the authors' jump() and long_jump() constants: x**power modulo the characteristic polynomial
    (xoshiro.Xoshiro256Plus, 128, [0x180EC6D33CFD0ABA, 0xD5A61266F0C9392C,
                                   0xA9582618E03FC9AA, 0x39ABDC4529B1661C]),
    (xoshiro.Xoshiro256StarStar, 192, [0x76E15D3EFEFDCBBF, 0xC5004E441C522FB3,
                                       0x77710069854EE241, 0x39109BB02ACBE635]),
    (xoshiro.Xoroshiro128Plus, 64, [0xDF900294D8F554A5, 0x170865DF4B3201FC]),
    (xoshiro.Xoroshiro128StarStar, 96, [0xD2A98B26625EEE7B, 0xDDDF9B1090AA7AC1]),
], ids=["xoshiro256_jump", "xoshiro256_long_jump", "xoroshiro128_jump", "xoroshiro128_long_jump"])
def test_jump_polynomial_matches_the_published_constants(cls, power, words):
    published = sum(word << (64 * i) for i, word in enumerate(words))
    assert xorshift.gf2_xpow_mod(1 << power, cls.characteristic_polynomial()) == published


@FAST
@given(seed=st.integers(min_value=0, max_value=(1 << 64) - 1), n=st.integers(0, 1 << 70))
def test_splitmix64_closed_form_jump_matches_step_back(seed, n):
    stream = SplitMix64(seed)
    stream.jump(n)
    stream.jump(-n)  # the Weyl sequence runs backwards too
    assert stream.get_state() == (seed,)


@pytest.mark.parametrize("cls", FAMILY, ids=IDS)
def test_zero_seed_only_where_it_is_not_a_fixed_point(cls):
    if cls in (xorshift.Xorshift32, xorshift.Xorshift64, xorshift.Xorshift64Star, V8MathRandom):
        with pytest.raises(ValueError):
            cls(0)
    else:
        cls(0)


# ---- reference outputs published with other implementations ------------------------------------


def test_xoshiro256plus_reference_outputs():
    # rand_xoshiro's `reference` test: the C reference code from state {1, 2, 3, 4}
    stream = Xoshiro256Plus(0)
    stream.set_state((1, 2, 3, 4))
    assert stream.outputs(10) == [
        5, 211106232532999, 211106635186183, 9223759065350669058, 9250833439874351877,
        13862484359527728515, 2346507365006083650, 1168864526675804870, 34095955243042024,
        3466914240207415127]


def test_xoroshiro128starstar_reference_outputs():
    stream = Xoroshiro128StarStar(0)
    stream.set_state((1, 2))
    assert stream.outputs(10) == [
        5760, 97769243520, 9706862127477703552, 9223447511460779954, 8358291023205304566,
        15695619998649302768, 8517900938696309774, 16586480348202605369, 6959129367028440372,
        16822147227405758281]


def test_xorshift128_matches_rand_xorshift_published_values():
    # rand_xorshift test_xorshift_true_values: seed bytes 16..1 = x, y, z, w little-endian
    stream = Xorshift128(0)
    stream.set_state((0x0D0E0F10, 0x090A0B0C, 0x05060708, 0x01020304))
    assert stream.outputs(9) == [2081028795, 620940381, 269070770, 16943764, 854422573, 29242889,
                                 1550291885, 1227154591, 271695242]


def test_xorshift128plus_matches_npm_reference_json():
    # npm xorshift's reference.json ("1-2"), produced by Vigna's C code from s = {1, 2}
    stream = Xorshift128Plus(0)
    stream.set_state((1, 2))
    assert stream.outputs(6) == [0x3, 0x800025, 0x2040083, 0x4000020C2460, 0xC00002108D21,
                                 0x100120190F76B]


def test_xorshift128_seed_zero_is_marsaglias_default_stream():
    assert Xorshift128(0).get_state() == (123456789, 362436069, 521288629, 88675123)


def test_splitmix64_first_output_of_zero():
    assert SplitMix64(0).next_raw() == 0xE220A8397B1DCDAF


def test_xorwow_first_outputs_of_curand_init_zero():
    assert Xorwow(0).outputs(3) == [3179217846, 1883133293, 2220552389]


@FAST
@given(seed=seeds_of(Xorwow))
def test_xorwow_double_is_curand_uniform_double(seed):
    a, b = Xorwow(seed), Xorwow(seed)
    x, y = b.next_raw(), b.next_raw()
    u = a.next_double()
    assert 0.0 < u <= 1.0
    assert u == (x ^ (y << 21)) * 2.0**-53 + 2.0**-54


def test_v8_seeds_are_the_int_flag():
    # --random-seed=3735928495 and --random-seed=-559038801 are the same 32-bit int
    # (node --random-seed=-559038801: Math.random() * 2**52, first two calls)
    assert V8MathRandom(3735928495).outputs(2) == [642450129986211, 4296593293269259]
    assert V8MathRandom(1).outputs(2) == [662952668680055, 1234589595471429]


@FAST
@given(seed=seeds_of(V8MathRandom), skip=st.integers(0, 130))
def test_v8_cache_is_served_last_first(seed, skip):
    stream = V8MathRandom(seed)
    stream.jump(skip)
    s0, s1, index = stream.get_state()
    refill = V8MathRandom(seed)
    refill.set_state((s0, s1, 0))
    # the next refill computes 64 fresh states; they come out in reverse
    block = refill.outputs(64)
    forward, a, b = [], s0, s1
    for _ in range(64):
        a, b = V8MathRandom._forward(a, b)
        forward.append(a >> 12)
    assert block == forward[::-1]
    u = V8MathRandom(seed)
    assert u.next_double() == V8MathRandom(seed).next_raw() / 2.0**52
