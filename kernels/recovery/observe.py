"""What one draw tells about the raw words behind it: the bits a reduction keeps exactly.

``mod:N`` keeps the low ``v`` bits of the raw word when ``2**v`` divides ``N`` (``x mod N mod 2**v
= x mod 2**v``): three bits of every ``% 1000`` draw. ``float_mul:N`` (``floor(random() * N)``)
keeps the top bits that all doubles of its interval share, a varying number per draw. ``shr:K`` keeps the bits above ``K``, a
double built from words keeps the bits the construction copies, a power-of-two bounded integer
drawn by masking keeps its low bits. Everything else a draw says is not a bit of a
raw word, but it still has to come out right when the recovered state replays the draw; that is
what the statistics count on top of the solving bits.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache
from typing import Sequence

from kernels.generators._bits import MASK32
from kernels.prng import PRNG
from kernels.reductions import Reduction, WordReduction, parse_reduction, parse_word_reduction

__all__ = ["Shape", "shape_of", "parse_any_reduction", "AnyReduction", "double_construction"]

AnyReduction = Reduction | WordReduction


def parse_any_reduction(spec: str) -> AnyReduction:
    """A reduction spec of either table (``mod:1000``, ``res53``...); ``ValueError`` if neither."""
    try:
        return parse_reduction(spec)
    except ValueError as first:
        try:
            return parse_word_reduction(spec)
        except ValueError:
            raise first from None


@dataclass(frozen=True)
class Shape:
    """One reduction on one generator, seen as known bits of raw words."""

    reduction: AnyReduction
    generator: type[PRNG]
    #: raw outputs per draw
    words: int
    #: per raw word of a draw: ``(first bit kept, number of bits kept)``; the kept bits of word
    #: ``i`` are ``(value >> value_shift[i]) & mask``
    kept: tuple[tuple[int, int], ...]
    #: where each word's kept bits sit in the draw's integer form
    value_shift: tuple[int, ...]
    #: bits of information in one draw (``log2`` of the values it can take)
    draw_bits: float
    is_float: bool
    #: what the integer form of a draw is offset by (``php_range:A:B`` draws start at ``A``)
    offset: int = 0
    #: ``floor(u * N)`` of a double ``u = X / 2**double_bits``: ``N`` (0 for other shapes); the
    #: kept bits then describe ``X``, of which a draw fixes the top bits its interval shares
    scaled_bound: int = 0
    double_bits: int = 0
    #: a double that rounds ``X / 2**double_bits`` (libstdc++'s ``generate_canonical``): the
    #: kept bits describe ``X``, and a draw fixes the top bits of all ``X`` rounding to it
    rounded: bool = False

    @property
    def by_interval(self) -> bool:
        """Whether a draw fixes a varying number of top bits (those its interval shares)."""
        return bool(self.scaled_bound) or self.rounded

    @property
    def kept_bits(self) -> int:
        return sum(count for _, count in self.kept)

    def integer_form(self, value: int | float) -> int:
        """The draw as the integer the kept bits are read from; ``ValueError`` if this reduction
        cannot have produced ``value``."""
        if self.scaled_bound:
            if isinstance(value, float):
                if value != math.floor(value):
                    raise ValueError(f"{value!r} is not an integer")
                value = int(value)
            if not 0 <= value < self.scaled_bound:
                raise ValueError(f"{value} is outside the range of {self.reduction.spec}")
            return value
        if self.rounded:
            if not isinstance(value, float) or not 0.0 <= value < 1.0:
                raise ValueError(f"{value!r} is not a double in [0, 1)")
            return struct.unpack("<Q", struct.pack("<d", value))[0]  # the double itself
        if self.is_float:
            if not isinstance(value, float) or not 0.0 <= value < 1.0:
                raise ValueError(f"{value!r} is not a double in [0, 1)")
            scale = 1 << int(self.draw_bits)
            scaled = value * scale
            if scaled != math.floor(scaled):
                raise ValueError(f"{value!r} is not a multiple of 2**-{int(math.log2(scale))}")
            return int(scaled)
        if isinstance(value, float):
            if value != math.floor(value):
                raise ValueError(f"{value!r} is not an integer")
            value = int(value)
        if self.reduction.kind == "signed32":
            if not -(1 << 31) <= value < (1 << 31):
                raise ValueError(f"{value} is outside the signed 32-bit range")
            return value & MASK32
        value -= self.offset
        if not 0 <= value < (1 << math.ceil(self.draw_bits)) or (
                isinstance(self.reduction, Reduction) and value >= self.reduction.alphabet_for(
                    self.generator)):
            raise ValueError(f"{value + self.offset} is outside the range of {self.reduction.spec}")
        return value

    def known_bits(self, values: Sequence[int | float]) -> list[tuple[int, int, int]]:
        """``(raw output index, bit, value)`` for every bit the draws fix, draw ``i`` starting at
        raw output ``i * words``."""
        known = []
        if self.by_interval:
            for index, value in enumerate(values):
                for position, bit in self.scaled_prefix(self.integer_form(value)):
                    word, raw_bit = self.word_bit(position)
                    known.append((index * self.words + word, raw_bit, bit))
            known.sort(key=lambda item: item[0])  # by raw output, as equations are built
            return known
        for index, value in enumerate(values):
            number = self.integer_form(value)
            for word, ((first, count), shift) in enumerate(zip(self.kept, self.value_shift)):
                field = (number >> shift) & ((1 << count) - 1)
                for bit in range(count):
                    known.append((index * self.words + word, first + bit, (field >> bit) & 1))
        return known


    def scaled_prefix(self, value: int) -> list[tuple[int, int]]:
        """``(bit position in X, bit)`` for the top bits of ``X`` that every ``X`` giving this
        draw shares: ``floor(X / 2**B * N) = value``, or ``X / 2**B`` rounding to the double
        ``value``. The interval is widened by two units on each side: the runtime's arithmetic
        rounds, and may land differently right at a boundary."""
        width = self.double_bits
        if self.rounded:
            low, high = _rounding_interval(struct.unpack("<d", struct.pack("<Q", value))[0],
                                           width)
        else:
            bound = self.scaled_bound
            low = -(-(value << width) // bound)
            high = -(-((value + 1) << width) // bound) - 1
        low, high = max(0, low - 2), min((1 << width) - 1, high + 2)
        shared = width - (low ^ high).bit_length()
        return [(p, (low >> p) & 1) for p in range(width - 1, width - 1 - shared, -1)]

    def word_bit(self, position: int) -> tuple[int, int]:
        """Raw word (within a draw) and bit holding bit ``position`` of the integer form."""
        for word, ((first, count), shift) in enumerate(zip(self.kept, self.value_shift)):
            if shift <= position < shift + count:
                return word, first + position - shift
        raise ValueError(f"bit {position} is not among the kept bits")


def _rounding_interval(value: float, width: int) -> tuple[int, int]:
    """The ``X < 2**width`` whose ``X / 2**width`` rounds to ``value`` (to nearest), values that
    round to 1 included for the largest double below 1 (libstdc++ clamps them to it)."""
    scale = Fraction(1 << width)
    below, above = math.nextafter(value, 0.0), math.nextafter(value, 2.0)
    low = math.ceil((Fraction(below) + Fraction(value)) / 2 * scale) if value > 0 else 0
    high = math.floor((Fraction(value) + Fraction(above)) / 2 * scale)
    if above >= 1.0:
        high = (1 << width) - 1
    return low, high


def _canonical(generator: type[PRNG]) -> tuple[int, int] | None:
    """``(raw words, X width)`` when ``generator``'s double is libstdc++'s
    ``generate_canonical<double, 53>`` (``X`` = the words, first lowest, rounded to a double
    over ``2**width``, clamped below 1), checked against ``PRNG.next_double`` on one stream."""
    bits = generator.output_bits
    if bits not in (32, 64):
        return None
    words = 64 // bits
    below_one = math.nextafter(1.0, 0.0)
    one, two = generator(12345), generator(12345)
    for _ in range(64):
        x = sum(one.next_raw() << (bits * k) for k in range(words))
        value = min(float(x) / float(1 << 64), below_one)
        if value != two.next_double():
            return None
    return words, 64


def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1


@cache
def double_construction(generator: type[PRNG]) -> str | None:
    """The word reduction that builds ``generator``'s own double (``PRNG.next_double``) bit for
    bit, found by comparing the two on one stream; ``None`` if none does (libstdc++'s rounded
    ``generate_canonical``, cuRAND's doubles...)."""
    for kind in ("res53", "u32_double", "u53_double", "v8_double", "java_double"):
        # (each a fixed function of whole words: rounding constructions are _canonical's)
        construction = parse_word_reduction(kind)
        try:
            construction.check_generator(generator)
            one, two = generator(12345), generator(12345)
        except ValueError:
            continue
        if all(one.next_double() == construction.draw(two) for _ in range(64)):
            return kind
    return None


def shape_of(spec: str, generator: type[PRNG]) -> Shape | None:
    """The known bits of ``spec`` on ``generator``; ``None`` when a draw fixes no bit of a raw
    word exactly (odd moduli, rejection loops that hide which words were used). ``ValueError``
    if the spec does not parse or does not apply to the generator."""
    reduction = parse_any_reduction(spec)
    reduction.check_generator(generator)
    width = generator.output_bits
    if isinstance(reduction, WordReduction) and reduction.kind == "native_double":
        exact = double_construction(generator)
        if exact is not None:
            base = shape_of(exact, generator)
            return None if base is None else replace(base, reduction=reduction)
        canonical = _canonical(generator)
        if canonical is None:
            return None
        words, width = canonical
        bits = generator.output_bits
        return Shape(reduction, generator, words, tuple((0, bits) for _ in range(words)),
                     tuple(bits * k for k in range(words)), 53, True, double_bits=width,
                     rounded=True)
    if isinstance(reduction, WordReduction):
        kind = reduction.kind
        bits = reduction.value_bits(generator)
        if kind == "shr":
            shift = reduction.args[0]
            return Shape(reduction, generator, 1, ((shift, width - shift),), (0,), bits, False)
        if kind in ("signed32", "u32_double"):
            return Shape(reduction, generator, 1, ((0, 32),), (0,), bits, kind == "u32_double")
        if kind == "res53":  # a >> 5 above b >> 6
            return Shape(reduction, generator, 2, ((5, 27), (6, 26)), (26, 0), 53, True)
        if kind == "java_double":  # a >> 6 above b >> 5
            return Shape(reduction, generator, 2, ((6, 26), (5, 27)), (27, 0), 53, True)
        if kind == "u53_double":
            return Shape(reduction, generator, 1, ((11, 53),), (0,), 53, True)
        if kind == "v8_double":
            return Shape(reduction, generator, 1, ((0, 52),), (0,), 52, True)
        return None
    kind, args = reduction.kind, reduction.args
    if kind == "float_mul":
        construction = double_construction(generator)
        if construction is None:
            return None
        base = shape_of(construction, generator)
        if base is None:
            return None
        return Shape(reduction, generator, base.words, base.kept, base.value_shift,
                     math.log2(args[0]), False, scaled_bound=args[0],
                     double_bits=int(base.draw_bits))
    if kind == "raw":
        return Shape(reduction, generator, 1, ((0, width),), (0,), width, False)
    if kind in ("mod", "c_rand_mod"):
        low = min(_trailing_zeros(args[0]), width)
        if low == 0:
            return None
        return Shape(reduction, generator, 1, ((0, low),), (0,), math.log2(args[0]), False)
    power_of_two = reduction.alphabet is not None and reduction.alphabet & (reduction.alphabet - 1) == 0
    if not power_of_two or width != 32:
        return None
    assert reduction.alphabet is not None
    k = reduction.alphabet.bit_length() - 1
    # with a power-of-two bound these never reject: the value is a bit field of one word
    # (CPython's randbelow(2**k) draws k + 1 bits and rejects half of them: not here)
    if kind == "masked":
        return Shape(reduction, generator, 1, ((0, k),), (0,), k, False)
    if kind == "php_range":
        return Shape(reduction, generator, 1, ((0, k),), (0,), k, False, offset=args[0])
    return None
