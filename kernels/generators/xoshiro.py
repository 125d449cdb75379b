"""splitmix64 and Blackman & Vigna's xoshiro/xoroshiro generators (2018, "1.0" parameters).

Seeding convention for the xoshiro/xoroshiro family: the state words are the first outputs of
splitmix64 started at the seed, as the authors' reference code recommends ("If you have a
64-bit seed, we suggest to seed a splitmix64 generator and use its output to fill s") and as
Rust's ``rand_xoshiro`` ``seed_from_u64`` does. OpenJDK's ``Xoshiro256PlusPlus``, numpy-style
``randomgen`` bit generators and the authors' C code are fed exactly those words when the
known-answer vectors are made. splitmix64 itself is seeded with its state (``java.util.
SplittableRandom(seed)`` is the same generator).

All these state transitions are invertible linear maps (splitmix64: a Weyl sequence), so every
class steps backwards. ``jump(n)`` is exact for any ``n``: splitmix64 in closed form, the others
by ``x**n`` modulo the transition's characteristic polynomial (:class:`GF2Jump`), which for
``n = 2**64, 2**128...`` reproduces the authors' published jump polynomials.
"""

from __future__ import annotations

import numpy as np

from kernels.generators._bits import (
    GOLDEN_GAMMA,
    MASK64,
    rotl,
    rotl_np,
    rotr,
    splitmix64_next,
    splitmix64_words,
    splitmix64_words_np,
    unxorshift_left,
)
from kernels.generators.xorshift import GF2Jump
from kernels.prng import PRNG

__all__ = [
    "SplitMix64",
    "Xoroshiro128Plus",
    "Xoroshiro128StarStar",
    "Xoshiro256Plus",
    "Xoshiro256PlusPlus",
    "Xoshiro256StarStar",
    "GENERATORS",
]

_U64 = np.uint64


class SplitMix64(PRNG):
    """splitmix64 (Steele, Lea & Flood 2014; Vigna's ``splitmix64.c``): the state is the seed.

    Bit-identical to ``java.util.SplittableRandom(seed).nextLong()`` (golden gamma
    ``0x9E3779B97F4A7C15``, ``mix64`` = Stafford's variant 13), whose ``nextDouble()`` is also
    the default ``(x >> 11) * 2**-53``.
    """

    name = "splitmix64"
    prior = 8  # SplitMix64, Java's SplittableRandom and seeders
    family = "xorshift"
    seeding = "state = seed (Vigna's splitmix64.c; java.util.SplittableRandom(seed))"
    state_bits = 64
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (the state itself; Java's long seed as unsigned)"
    invertible = True
    vouched_by = "OpenJDK 17 (java.util.SplittableRandom)"

    def __init__(self, seed: int) -> None:
        self.state = self.check_seed(seed)

    def next_raw(self) -> int:
        self.state, out = splitmix64_next(self.state)
        return out

    def step_back(self) -> None:
        self.state = (self.state - GOLDEN_GAMMA) & MASK64

    def jump(self, n: int) -> None:
        self.state = (self.state + n * GOLDEN_GAMMA) & MASK64

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        return np.stack(splitmix64_words_np(seeds, n), axis=1) if n else np.empty(
            (len(seeds), 0), dtype=_U64)


# ---- xoroshiro128 -------------------------------------------------------------------------------


class _Xoroshiro128(GF2Jump, PRNG):
    """xoroshiro128 1.0 state transition (a, b, c = 24, 16, 37); subclasses scramble the output."""

    family = "xorshift"
    state_bits = linear_bits = 128
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (splitmix64 state)"
    invertible = True
    seeding = "s[0], s[1] = splitmix64(seed) outputs 1, 2 (the authors' recommendation)"

    def __init__(self, seed: int) -> None:
        self.s0, self.s1 = splitmix64_words(self.check_seed(seed), 2)

    @staticmethod
    def _scramble(s0: int, s1: int) -> int:
        raise NotImplementedError

    @staticmethod
    def _scramble_np(s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def next_raw(self) -> int:
        s0, s1 = self.s0, self.s1
        result = self._scramble(s0, s1)
        s1 ^= s0
        self.s0 = rotl(s0, 24, 64) ^ s1 ^ ((s1 << 16) & MASK64)
        self.s1 = rotl(s1, 37, 64)
        return result

    def step_back(self) -> None:
        mixed = rotr(self.s1, 37, 64)  # old s0 ^ old s1
        s0 = rotr(self.s0 ^ mixed ^ ((mixed << 16) & MASK64), 24, 64)
        self.s0, self.s1 = s0, mixed ^ s0

    def get_state(self) -> tuple[int, ...]:
        return (self.s0, self.s1)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.s0, self.s1 = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        s0, s1 = splitmix64_words_np(seeds, 2)
        out = np.empty((len(s0), n), dtype=_U64)
        for col in range(n):
            out[:, col] = cls._scramble_np(s0, s1)
            s1 = s1 ^ s0
            s0 = rotl_np(s0, 24) ^ s1 ^ (s1 << _U64(16))
            s1 = rotl_np(s1, 37)
        return out


class Xoroshiro128Plus(_Xoroshiro128):
    """xoroshiro128+ 1.0 (``xoroshiro128plus.c``): output ``s[0] + s[1]``."""

    name = "xoroshiro128plus"
    prior = 8  # xoroshiro128+, Erlang rand and libraries
    vouched_by = "randomgen 2.5 Xoroshiro128(plusplus=False) (authors' C), state set directly"

    @staticmethod
    def _scramble(s0: int, s1: int) -> int:
        return (s0 + s1) & MASK64

    @staticmethod
    def _scramble_np(s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
        return s0 + s1


class Xoroshiro128StarStar(_Xoroshiro128):
    """xoroshiro128** 1.0 (``xoroshiro128starstar.c``): output ``rotl(s[0] * 5, 7) * 9``."""

    name = "xoroshiro128starstar"
    prior = 5  # xoroshiro128**, libraries
    vouched_by = "the authors' reference C (xoroshiro128starstar.c), compiled with gcc"

    @staticmethod
    def _scramble(s0: int, s1: int) -> int:
        return (rotl((s0 * 5) & MASK64, 7, 64) * 9) & MASK64

    @staticmethod
    def _scramble_np(s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
        return rotl_np(s0 * _U64(5), 7) * _U64(9)


# ---- xoshiro256 ---------------------------------------------------------------------------------


class _Xoshiro256(GF2Jump, PRNG):
    """xoshiro256 1.0 state transition (shift 17, rotation 45); subclasses scramble the output."""

    family = "xorshift"
    state_bits = linear_bits = 256
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (splitmix64 state)"
    invertible = True
    seeding = "s[0..3] = splitmix64(seed) outputs 1..4 (the authors' recommendation)"

    def __init__(self, seed: int) -> None:
        self.s = splitmix64_words(self.check_seed(seed), 4)

    @classmethod
    def _seed_words_np(cls, seeds: np.ndarray) -> tuple[np.ndarray, ...]:
        """The state words ``__init__`` makes, for many seeds at once."""
        return tuple(splitmix64_words_np(seeds, 4))

    @staticmethod
    def _scramble(s: list[int]) -> int:
        raise NotImplementedError

    @staticmethod
    def _scramble_np(s0, s1, s2, s3) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def _step_np(s0: np.ndarray, s1: np.ndarray, s2: np.ndarray,
                 s3: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`next_raw`'s state transition on arrays of states."""
        t = s1 << _U64(17)
        s2 = s2 ^ s0
        s3 = s3 ^ s1
        s1 = s1 ^ s2
        s0 = s0 ^ s3
        s2 = s2 ^ t
        return s0, s1, s2, rotl_np(s3, 45)

    def next_raw(self) -> int:
        s0, s1, s2, s3 = self.s
        result = self._scramble(self.s)
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        self.s = [s0, s1, s2, rotl(s3, 45, 64)]
        return result

    def step_back(self) -> None:
        a, b, c, d = self.s
        s3_mixed = rotr(d, 45, 64)  # old s3 ^ old s1
        s0 = a ^ s3_mixed
        s1 = unxorshift_left(b ^ c, 17, MASK64)  # b ^ c = s1 ^ (s1 << 17)
        s2 = b ^ s1 ^ s0
        self.s = [s0, s1, s2, s3_mixed ^ s1]

    def get_state(self) -> tuple[int, ...]:
        return tuple(self.s)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.s = list(state)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        s0, s1, s2, s3 = cls._seed_words_np(seeds)
        out = np.empty((len(s0), n), dtype=_U64)
        for col in range(n):
            out[:, col] = cls._scramble_np(s0, s1, s2, s3)
            s0, s1, s2, s3 = cls._step_np(s0, s1, s2, s3)
        return out


class Xoshiro256Plus(_Xoshiro256):
    """xoshiro256+ 1.0 (``xoshiro256plus.c``): output ``s[0] + s[3]``."""

    name = "xoshiro256plus"
    prior = 5  # xoshiro256+, libraries
    vouched_by = "the authors' reference C (xoshiro256plus.c), compiled with gcc"

    @staticmethod
    def _scramble(s: list[int]) -> int:
        return (s[0] + s[3]) & MASK64

    @staticmethod
    def _scramble_np(s0, s1, s2, s3) -> np.ndarray:
        return s0 + s3


class Xoshiro256PlusPlus(_Xoshiro256):
    """xoshiro256++ 1.0 (``xoshiro256plusplus.c``): output ``rotl(s[0] + s[3], 23) + s[0]``.

    Identical to OpenJDK 17's ``jdk.random.Xoshiro256PlusPlus(s0, s1, s2, s3)``; its
    ``nextDouble()`` is the default ``(x >> 11) * 2**-53``.
    """

    name = "xoshiro256plusplus"
    prior = 5  # xoshiro256++, Rust rand's SmallRng on 64-bit
    vouched_by = "OpenJDK 17 (jdk.random.Xoshiro256PlusPlus), state from SplittableRandom"

    @staticmethod
    def _scramble(s: list[int]) -> int:
        return (rotl((s[0] + s[3]) & MASK64, 23, 64) + s[0]) & MASK64

    @staticmethod
    def _scramble_np(s0, s1, s2, s3) -> np.ndarray:
        return rotl_np(s0 + s3, 23) + s0


class Xoshiro256StarStar(_Xoshiro256):
    """xoshiro256** 1.0 (``xoshiro256starstar.c``): output ``rotl(s[1] * 5, 7) * 9``."""

    name = "xoshiro256starstar"
    prior = 10  # xoshiro256**, .NET 6+ unseeded Random and Julia's default
    vouched_by = "randomgen 2.5 Xoshiro256 (authors' C), state set directly"

    @staticmethod
    def _scramble(s: list[int]) -> int:
        return (rotl((s[1] * 5) & MASK64, 7, 64) * 9) & MASK64

    @staticmethod
    def _scramble_np(s0, s1, s2, s3) -> np.ndarray:
        return rotl_np(s1 * _U64(5), 7) * _U64(9)


GENERATORS = (SplitMix64, Xoroshiro128Plus, Xoroshiro128StarStar, Xoshiro256Plus,
              Xoshiro256PlusPlus, Xoshiro256StarStar)
