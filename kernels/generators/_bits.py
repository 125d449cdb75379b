"""Word-level helpers shared by the generator modules: masks, rotations, inverse xorshifts,
the splitmix64 mix, 64-bit multiply halves and LCG jump-ahead.

Each idea is written once here and imported by every module that needs it, so a generator's
reference code reads as its published source does (``rotl(x, 23, 64)``, ``x & MASK32``) and a
fix lands everywhere at once. Integer helpers work on Python ints; the ``_np`` twins on numpy
``uint32``/``uint64`` arrays, whose arithmetic wraps on its own, so they need no masks.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "MASK32",
    "MASK48",
    "MASK64",
    "MASK128",
    "GOLDEN_GAMMA",
    "rotl",
    "rotr",
    "rotl_np",
    "unxorshift_left",
    "unxorshift_right",
    "splitmix64_mix",
    "splitmix64_mix_np",
    "splitmix64_next",
    "splitmix64_words",
    "splitmix64_words_np",
    "mulhi64",
    "affine_power",
    "lcg_jump",
]

MASK32 = 0xFFFFFFFF
MASK48 = (1 << 48) - 1
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1
#: 2**64 / golden ratio, odd: splitmix64's Weyl increment (and Java's SplittableRandom's)
GOLDEN_GAMMA = 0x9E3779B97F4A7C15

_U64 = np.uint64


# ---- rotations ---------------------------------------------------------------------------------


def rotl(x: int, k: int, width: int) -> int:
    """Rotate the ``width``-bit word ``x`` left by ``0 < k < width``."""
    return ((x << k) | (x >> (width - k))) & ((1 << width) - 1)


def rotr(x: int, k: int, width: int) -> int:
    """Rotate the ``width``-bit word ``x`` right by ``0 < k < width``."""
    return ((x >> k) | (x << (width - k))) & ((1 << width) - 1)


def rotl_np(x: np.ndarray, k: int) -> np.ndarray:
    """:func:`rotl` on a ``uint32`` or ``uint64`` array, the width taken from its dtype."""
    kind = x.dtype.type
    return (x << kind(k)) | (x >> kind(8 * x.dtype.itemsize - k))


# ---- inverse xorshifts -------------------------------------------------------------------------


def unxorshift_left(y: int, k: int, mask: int) -> int:
    """Invert ``y = x ^ (x << k)`` (within ``mask``).

    ``(I + L)^-1 = (I + L)(I + L^2)(I + L^4)...`` over GF(2), and ``L^(2^j)`` vanishes once the
    shift reaches the word width, so a handful of doubling steps suffice.
    """
    width = mask.bit_length()
    x, shift = y, k
    while shift < width:
        x ^= (x << shift) & mask
        shift <<= 1
    return x


def unxorshift_right(y: int, k: int, width: int) -> int:
    """Invert ``y = x ^ (x >> k)`` for ``width``-bit words (same doubling argument)."""
    x, shift = y, k
    while shift < width:
        x ^= x >> shift
        shift <<= 1
    return x


# ---- splitmix64 --------------------------------------------------------------------------------


def splitmix64_mix(z: int) -> int:
    """splitmix64's output function (Stafford's mix13) on one 64-bit word."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def splitmix64_mix_np(z: np.ndarray) -> np.ndarray:
    """:func:`splitmix64_mix` on a ``uint64`` array."""
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


def splitmix64_next(state: int) -> tuple[int, int]:
    """One splitmix64 step (Steele, Lea & Flood; Vigna's ``splitmix64.c``): ``(state, output)``."""
    state = (state + GOLDEN_GAMMA) & MASK64
    return state, splitmix64_mix(state)


def splitmix64_words(seed: int, count: int) -> list[int]:
    """The first ``count`` splitmix64 outputs from state ``seed``: Vigna's recommended way to
    fill the state of his generators from a 64-bit seed."""
    words, state = [], seed & MASK64
    for _ in range(count):
        state, word = splitmix64_next(state)
        words.append(word)
    return words


def splitmix64_words_np(seeds: np.ndarray, count: int) -> list[np.ndarray]:
    """:func:`splitmix64_words` for an array of seeds: ``count`` arrays of words."""
    state = np.asarray(seeds, dtype=_U64).copy()
    words = []
    for _ in range(count):
        state = state + _U64(GOLDEN_GAMMA)
        words.append(splitmix64_mix_np(state))
    return words


# ---- wide multiplication -----------------------------------------------------------------------


def mulhi64(a: np.ndarray, b: np.ndarray | np.uint64) -> np.ndarray:
    """High 64 bits of the 128-bit products ``a * b`` (``uint64`` array times array or scalar),
    via 32-bit limbs.

    The low half is numpy's own wrapping ``a * b``.
    """
    m32, s32 = _U64(MASK32), _U64(32)
    a0, a1 = a & m32, a >> s32
    b0, b1 = b & m32, b >> s32
    p01, p10 = a0 * b1, a1 * b0
    mid = ((a0 * b0) >> s32) + (p01 & m32) + (p10 & m32)  # < 3 * 2**32: no overflow
    return a1 * b1 + (p01 >> s32) + (p10 >> s32) + (mid >> s32)


# ---- LCG jump-ahead ----------------------------------------------------------------------------


def affine_power(a: int, c: int, n: int, modulus: int) -> tuple[int, int]:
    """``(A, C)`` with ``x -> A*x + C`` equal to ``n`` steps of ``x -> a*x + c`` mod ``modulus``.

    Square-and-multiply on the affine maps themselves, so no division by ``a - 1`` is needed
    (that quotient does not exist mod ``2**k``); any modulus works (``2**k``, ``2**31 - 1``...).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    mult, incr = 1, 0
    mask = modulus - 1
    if modulus & mask == 0:  # 2**k: masking reduces too, in about half the time of %
        while n:
            if n & 1:
                mult, incr = (mult * a) & mask, (incr * a + c) & mask
            a, c = (a * a) & mask, (c * (a + 1)) & mask
            n >>= 1
        return mult, incr
    while n:
        if n & 1:
            mult, incr = (mult * a) % modulus, (incr * a + c) % modulus
        a, c = (a * a) % modulus, (c * (a + 1)) % modulus
        n >>= 1
    return mult, incr


def lcg_jump(state: int, a: int, c: int, n: int, modulus: int) -> int:
    """The state ``n`` steps of ``x -> a*x + c`` (mod ``modulus``) after ``state``."""
    mult, incr = affine_power(a, c, n, modulus)
    return (state * mult + incr) % modulus
