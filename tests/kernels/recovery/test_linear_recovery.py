"""GF(2)-linear state recovery: the models' linearity claims, recovery and prediction per
generator and reduction, the draws each needs, seeds walked back, and nulls that stay null."""

from __future__ import annotations

import numpy as np
import pytest

from kernels.recovery import (IDENTIFIED, REJECTED, TOO_SHORT, minimum_draws, recover,
                              recover_any)
from kernels.recovery.gf2 import pack_bits
from kernels.recovery.linear import LINEAR_GENERATORS, linear_model
from kernels.recovery.observe import parse_any_reduction
from kernels.registry import get_generator
from tests.kernels.recovery.test_word_reductions import VECTORS


def _draws(name: str, seed: int, spec: str, count: int, skip: int = 0) -> list[int | float]:
    stream = get_generator(name)(seed)
    stream.jump(skip)
    reduction = parse_any_reduction(spec)
    return [reduction.draw(stream) for _ in range(count)]


@pytest.mark.parametrize("name", LINEAR_GENERATORS)
def test_the_bits_a_model_calls_linear_are_affine_in_the_state(name):
    model = linear_model(name)
    assert model is not None
    rng = np.random.default_rng(len(name))
    positions = [0, 1, 2, 5, 9] if model.unknowns < 1000 else [0, 1, 300, 700, 1250, 1900]
    wanted = [(t, b) for t in positions for b in range(model.generator.output_bits)
              if (model.linear_bits >> b) & 1]
    alignment = model.alignments[len(model.alignments) // 3]
    rows = model.equations(wanted, alignment)
    for _ in range(2):
        state = rng.integers(0, 2, model.unknowns, dtype=np.uint8)
        stream = model.stream(state, alignment)
        outputs = [stream.next_raw() for _ in range(positions[-1] + 1)]
        packed = pack_bits(np.append(state, 1)[None, :])[0]
        parity = [bin(int(v)).count("1") & 1 for v in np.bitwise_xor.reduce(rows & packed, axis=1)]
        assert parity == [(outputs[t] >> b) & 1 for t, b in wanted]


# generator, reduction, draws given (at least the minimum), seed
SMALL_CASES = [
    ("xorshift32", "raw", 6), ("xorshift64", "mod:1024", 12), ("xorshift128", "raw", 8),
    ("xorshift128", "mod:1000", 80), ("xorshift128", "shr:8", 12), ("xorshift128", "u32_double", 8),
    ("xorshift64star", "raw", 140), ("xorwow", "raw", 240), ("xorwow", "signed32", 240),
    ("xorshift128plus", "raw", 200), ("xoroshiro128plus", "mod:1000", 200),
    ("xoshiro256plus", "u53_double", 0), ("xoshiro256plus", "raw", 300),
    ("tinymt32", "raw", 200), ("tinymt32", "u32_double", 200), ("well512a", "raw", 24),
    ("well512a", "masked:1024", 60), ("taus88", "raw", 8), ("lfsr113", "masked:256", 24),
    ("v8_math_random", "v8_double", 80), ("v8_math_random", "float_mul:1000", 40),
    ("xorshift128", "float_mul:6", 0), ("well512a", "float_mul:10", 0),
]


@pytest.mark.parametrize("name, spec, count", SMALL_CASES, ids=lambda v: str(v))
def test_recover_and_predict(name, spec, count):
    needed = minimum_draws(name, spec)
    if needed is None:  # the float of a '+' scrambler keeps no linear bit
        assert spec == "u53_double"
        return
    count = max(count, needed)
    seed = 1 + (hash((name, spec)) & 0xFFFF)
    draws = _draws(name, seed, spec, count + 10, skip=seed % 97)
    result = recover(draws[:count], name, spec, predict=10)
    assert result.verdict == IDENTIFIED, result.message
    assert list(result.predictions) == draws[count:]
    assert result.p_value < 1e-6
    resumed = get_generator(name).from_state(result.state)
    assert [parse_any_reduction(spec).draw(resumed) for _ in range(count)] == draws[:count]


@pytest.mark.parametrize("name, spec", [("xorshift128", "mod:1000"), ("well512a", "raw"),
                                        ("tinymt32", "raw"), ("xorwow", "raw"),
                                        ("lfsr113", "mod:2")])
def test_the_minimum_draws_suffice(name, spec):
    needed = minimum_draws(name, spec)
    assert needed is not None
    for seed in (3, 4):
        draws = _draws(name, seed, spec, needed + 5, skip=seed)
        result = recover(draws[:needed], name, spec, predict=5)
        assert result.verdict == IDENTIFIED, result.message
        assert list(result.predictions) == draws[needed:]


@pytest.mark.parametrize("count", [1, 2, 5])
def test_too_short_says_how_many_are_needed(count):
    needed = minimum_draws("mt19937", "mod:1000")
    result = recover(list(range(count)), "mt19937", "mod:1000")
    assert result.verdict == TOO_SHORT
    assert f"needs at least {needed}" in result.message


def test_mt19937_raw_with_seed_and_position():
    draws = _draws("mt19937", 3141592653, "raw", 710, skip=1234)
    result = recover(draws[:700], "mt19937", "raw", predict=10)
    assert result.verdict == IDENTIFIED
    assert (result.seed, result.position) == (3141592653, 1234)
    assert list(result.predictions) == draws[700:]


@pytest.mark.parametrize("name", ["mt19937_64", "php_mt_rand_legacy"])
def test_other_twists_with_seed(name):
    needed = minimum_draws(name, "raw")
    draws = _draws(name, 271828, "raw", needed + 5, skip=77)
    result = recover(draws[:needed], name, "raw", predict=5)
    assert result.verdict == IDENTIFIED and list(result.predictions) == draws[needed:]
    assert (result.seed, result.position) == (271828, 77)


def _vector(generator: str, stream: str, seed: int) -> list[int | float]:
    for name, vseed, vstream, values, _ in VECTORS:
        if (name, vseed, vstream) == (generator, seed, stream):
            return values
    raise LookupError((generator, stream, seed))


def test_php_mt_rand_from_its_own_mt_rand_output_at_the_claimed_minimum():
    values = _vector("php_mt_rand", "shr:1", 3735928495)
    needed = minimum_draws("php_mt_rand", "shr:1")
    assert needed is not None and needed + 10 <= len(values)
    result = recover(values[:needed], "php_mt_rand", "shr:1", predict=10)
    assert result.verdict == IDENTIFIED, result.message
    assert (result.seed, result.position) == (3735928495, 0)
    assert list(result.predictions) == values[needed:needed + 10]


def test_numpy_random_sample_with_seed():
    values = _vector("numpy_random_state", "res53", 3735928495)
    result = recover(values[300:950], "numpy_random_state", "res53", predict=10)
    assert result.verdict == IDENTIFIED, result.message
    # two raw words per random_sample(): 300 draws in, 600 outputs were consumed
    assert (result.seed, result.position) == (3735928495, 600)
    assert list(result.predictions) == values[950:960]


def test_random_ints_and_floats_are_not_explained():
    rng = np.random.default_rng(2026)
    ints = rng.integers(0, 1000, 400).tolist()
    result = recover(ints, "xorshift128", "mod:1000")
    assert result.verdict == REJECTED
    floats = rng.random(700).tolist()
    best, attempts = recover_any(floats, [("cpython_random", "res53"), ("tinymt32", "u32_double"),
                                          ("v8_math_random", "v8_double")])
    assert best is None
    assert {a.verdict for a in attempts} == {REJECTED}
    words = rng.integers(0, 2**32, 700).tolist()
    assert recover(words, "mt19937", "raw").verdict == REJECTED


def test_draws_that_are_not_of_the_shape_are_rejected_with_the_reason():
    result = recover([0.5] * 700, "cpython_random", "raw")
    assert result.verdict == REJECTED and "not raw draws" in result.message
    result = recover([1.0 / 3.0] * 700, "cpython_random", "res53")
    assert result.verdict == REJECTED and "multiple of 2**-53" in result.message


def test_cpython_random_seed_through_init_by_array():
    # CPython's own random() values for random.seed(3735928495), from the 101st on
    values = _vector("cpython_random", "res53", 3735928495)
    result = recover(values[100:750], "cpython_random", "res53", predict=10)
    assert result.verdict == IDENTIFIED, result.message
    assert (result.seed, result.position) == (3735928495, 200)
    assert list(result.predictions) == values[750:760]
    # numpy's random_sample() is the same stream under init_genrand: said, not claimed
    numpy_values = _vector("numpy_random_state", "res53", 0)
    other = recover(numpy_values[:700], "cpython_random", "res53")
    assert other.seed is None and other.extra["init_genrand_seed"] == 0


def test_two_word_seed_through_init_by_array():
    seed = (0xDEADBEEF << 32) | 12345
    draws = _draws("cpython_random", seed, "raw", 700, skip=3)
    result = recover(draws, "cpython_random", "raw")
    assert (result.seed, result.position) == (seed, 3)


def test_a_stream_seeded_by_another_member_of_the_family_is_named():
    seed = (1 << 33) + 7  # CPython's random.seed: init_by_array over two words
    draws = _draws("cpython_random", seed, "raw", 700)
    result = recover(draws, "mt19937", "raw")
    assert result.verdict == IDENTIFIED and result.seed is None
    assert (result.extra["init_by_array_seed"], result.extra["init_by_array_position"]) == (seed, 0)
