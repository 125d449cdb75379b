"""What `watcher identify` reads a file of numbers as (kernels/identify.py): doubles, signed
words, small signed values, ranges from 0, 1 or higher, and the way back to the file's terms."""

from __future__ import annotations

import math
import random

import pytest

from kernels.identify import (OTHER_START_SHARE, double_scale, infer_number_shape,
                              printed_decimals)


def test_doubles_too_coarse_or_outside_0_1_have_no_seed_sieve():
    shape = infer_number_shape([0.5, 0.25, 0.125])  # three decimals: too few bits
    assert shape.is_float and shape.sieve_values is None and shape.double_scale is None
    assert "doubles" in shape.describe()
    outside = infer_number_shape([0.5, 1.5])
    assert "outside [0, 1)" in outside.describe() and outside.sieve_values is None


def test_doubles_are_read_at_the_bits_their_digits_hold():
    rng = random.Random(5)
    exact = [rng.random() for _ in range(10)]
    shape = infer_number_shape(exact)  # printed in full (repr): the double itself
    assert shape.double_scale == 1 << 32 and shape.double_decimals is None
    assert shape.sieve_values == [math.floor(v * 2**32) for v in exact]
    assert shape.print_double(exact[0]) == repr(exact[0])
    six = [float(f"{v:.6f}") for v in exact]  # printf("%f"): six decimals
    shape = infer_number_shape(six)
    # a multiple of 1/N between the printed and the true double: N * 10**-6 / 2 <= 1/1000
    assert shape.double_scale == 1024 and shape.double_decimals == 6
    assert shape.print_double(0.5) == "0.500000"
    assert double_scale([float(f"{v:.14g}") for v in exact]) == 1 << 32  # Lua, PHP echo
    assert double_scale([float(f"{v:.4f}") for v in exact]) == 16
    # C++'s cout: six significant digits, seven decimals below 0.1; a dropped trailing zero
    cout = [0.357225, 0.584544, 0.0422204, 0.70525, 0.0988905, 0.19013]
    assert printed_decimals(cout) == 6 and double_scale(cout) == 1024


def test_full_width_signed_ints_are_sieved_as_the_raw_words_they_are():
    rng = random.Random(1)
    words = [rng.getrandbits(32) for _ in range(20)]
    signed = [w - (1 << 32) if w >> 31 else w for w in words]
    shape = infer_number_shape(signed)
    assert shape.signed32 and shape.sieve_values == words
    assert [shape.from_sieve(w) for w in words] == signed


def test_small_signed_values_are_not_words():
    shape = infer_number_shape([-7, 9, 3, -2])
    # a range below 0 (from -10, or from -7), not signed 32-bit words
    assert not shape.signed32 and shape.sieve_values == [3, 19, 13, 8]


def test_ranges_from_zero_one_and_round_tops():
    assert infer_number_shape([0, 5, 3, 2]).shift == 0
    dice = infer_number_shape([1, 6, 3, 2, 5])
    assert dice.shift == 1 and dice.sieve_values == [0, 5, 2, 1, 4]
    assert [dice.from_sieve(v) for v in dice.sieve_values] == [1, 6, 3, 2, 5]
    assert infer_number_shape([37, 100, 52, 9]).shift == 1  # a 100 and no 0: 1..100
    assert infer_number_shape([37, 99, 52, 9]).shift == 0  # nothing says it is not 0..99
    raw = infer_number_shape([1, 3_000_000_000, 2_000_000_000])
    assert raw.shift == 0  # raw-looking words: no range start is inferred
    assert raw.other_start is None and raw.readings() == [(0, 1.0)]


def test_a_start_of_0_or_1_that_the_draws_do_not_show_is_read_both_ways():
    # no 0 and no 100: rand() % 100 or mt_rand(1, 100)
    either = infer_number_shape([37, 99, 52, 9])
    assert (either.shift, either.other_start) == (0, 1)
    # from 0 weighs as likely as four draws of 0..99 are to miss 0
    from_zero, from_one = (1.0 - OTHER_START_SHARE) * 0.99 ** 4, OTHER_START_SHARE
    assert [start for start, _ in either.readings()] == [0, 1]
    assert [share for _, share in either.readings()] == pytest.approx(
        [from_zero / (from_zero + from_one), from_one / (from_zero + from_one)])
    # a 1 and no 0: from 1 first, from 0 too (relative to the draws minus 1)
    low_one = infer_number_shape([1, 50, 7, 33])
    assert (low_one.shift, low_one.other_start) == (1, 0)
    assert low_one.readings()[1][0] == -1
    # ten dice from 1 to 6 read from 0 would have missed 0 one time in five: both readings
    dice = infer_number_shape([1 + i % 6 for i in range(10)])
    unseen = OTHER_START_SHARE * (6 / 7) ** 10
    assert dice.readings()[1][1] == pytest.approx(unseen / (1 - OTHER_START_SHARE + unseen))
    # twenty, one time in 22: too little of the prior to double every correction for
    assert infer_number_shape([1 + i % 6 for i in range(20)]).readings() == [(0, 1.0)]
    # a 0 rules out a start of 1; a 100 and a 1 say 1..100; a higher start is its own
    assert infer_number_shape([0, 5, 3]).other_start is None
    assert infer_number_shape([1, 100, 52]).other_start is None
    rng = random.Random(3)
    assert infer_number_shape([rng.randint(100, 120) for _ in range(300)]).other_start is None


def test_a_range_below_zero_is_read_from_a_round_start_and_from_its_minimum():
    # uniform_int_distribution(-50, 50): twenty draws seldom show -50
    shape = infer_number_shape([-48, 3, 49, -20])
    assert (shape.shift, shape.other_start) == (-50, -48)
    assert shape.sieve_values == [2, 53, 99, 30]
    assert [start for start, _ in shape.readings()] == [0, 2]
    assert [shape.from_sieve(v) for v in shape.sieve_values] == [-48, 3, 49, -20]
    assert "from -50" in shape.describe()
    # randint(-10, 10) with its -10 drawn: one reading
    assert infer_number_shape([-10, 10, 3]).readings() == [(0, 1.0)]
    # values beyond 32 bits stay unread
    assert infer_number_shape([-(1 << 40), 5]).sieve_values is None
