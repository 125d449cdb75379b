"""What `watcher identify` reads a file of numbers as (kernels/identify.py): doubles, signed
words, small signed values, ranges from 0, 1 or higher, and the way back to the file's terms."""

from __future__ import annotations

import random

from kernels.identify import infer_number_shape


def test_doubles_have_no_seed_sieve():
    shape = infer_number_shape([0.5, 0.25, 0.125])
    assert shape.is_float and shape.sieve_values is None
    assert "doubles" in shape.describe()
    assert "outside [0, 1)" in infer_number_shape([0.5, 1.5]).describe()


def test_full_width_signed_ints_are_sieved_as_the_raw_words_they_are():
    rng = random.Random(1)
    words = [rng.getrandbits(32) for _ in range(20)]
    signed = [w - (1 << 32) if w >> 31 else w for w in words]
    shape = infer_number_shape(signed)
    assert shape.signed32 and shape.sieve_values == words
    assert [shape.from_sieve(w) for w in words] == signed


def test_small_signed_values_are_not_words():
    shape = infer_number_shape([-7, 9, 3, -2])
    assert not shape.signed32 and shape.sieve_values is None


def test_ranges_from_zero_one_and_round_tops():
    assert infer_number_shape([0, 5, 3, 2]).shift == 0
    dice = infer_number_shape([1, 6, 3, 2, 5])
    assert dice.shift == 1 and dice.sieve_values == [0, 5, 2, 1, 4]
    assert [dice.from_sieve(v) for v in dice.sieve_values] == [1, 6, 3, 2, 5]
    assert infer_number_shape([37, 100, 52, 9]).shift == 1  # a 100 and no 0: 1..100
    assert infer_number_shape([37, 99, 52, 9]).shift == 0  # nothing says it is not 0..99
    raw = infer_number_shape([1, 3_000_000_000, 2_000_000_000])
    assert raw.shift == 0  # raw-looking words: no range start is inferred
