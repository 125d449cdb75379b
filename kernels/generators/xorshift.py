"""Marsaglia's xorshift generators and their scrambled descendants, as real code seeds them.

Marsaglia's originals (``xorshift32``, ``xorshift64``, ``xorshift128``, ``xorwow``) and Vigna's
scrambled ``xorshift64*`` and ``xorshift128+``, plus the two runtimes built on them that can be
observed in the wild: V8's ``Math.random`` (xorshift128+ with V8's shifts, seeding, double
conversion and 64-entry cache) and cuRAND's default device generator (xorwow after
``curand_init(seed, 0, 0)``).

Every step of these generators is an invertible linear map over GF(2) (xorwow adds a Weyl
counter, which is invertible too), so every class here steps backwards, and ``jump(n)`` is
exact and cheap for any ``n`` through the characteristic polynomial of the step
(:class:`GF2Jump`). The xoshiro/xoroshiro family and splitmix64 live in
:mod:`kernels.generators.xoshiro`, which shares the GF(2) jump below; the bit helpers both use
live in :mod:`kernels.generators._bits`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from kernels.generators._bits import (
    MASK32,
    MASK64,
    splitmix64_words,
    splitmix64_words_np,
    unxorshift_left,
    unxorshift_right,
)
from kernels.prng import PRNG

if TYPE_CHECKING:  # only for annotations: kernels.sieve imports the generators
    from kernels.sieve.vector import LaneStreams

    # GF2Jump is mixed into PRNG subclasses and uses their interface.
    _GF2JumpBase = PRNG
else:
    _GF2JumpBase = object

__all__ = [
    "Xorshift32",
    "Xorshift64",
    "Xorshift64Star",
    "Xorshift128",
    "Xorshift128Plus",
    "V8MathRandom",
    "Xorwow",
    "GENERATORS",
    "GF2Jump",
    "berlekamp_massey_gf2",
    "gf2_xpow_mod",
]

_U64 = np.uint64


# ---- jump-ahead over GF(2) ----------------------------------------------------------------------
#
# Every generator here (bar splitmix64 and xorwow's Weyl counter) steps by a linear map T of its
# k-bit state over GF(2) with full period 2**k - 1, so T's characteristic polynomial p is
# primitive and is also the minimal polynomial of any nonzero bit of the state sequence
# (Berlekamp-Massey on 2k bits finds it). Then T**n = r(T) with r = x**n mod p, and r(T) s is the
# xor of the states T**i s for the set bits i of r: k steps instead of n. The authors' jump()
# functions are this with r precomputed for n = 2**64, 2**128...


def berlekamp_massey_gf2(bits: list[int]) -> int:
    """The characteristic polynomial (bit i = coefficient of x**i, monic) of the shortest linear
    recurrence over GF(2) that generates ``bits``."""
    conn, prev = 1, 1  # connection polynomials C(x), B(x), bit i = coefficient of x**i
    length, shift = 0, 1
    for pos, bit in enumerate(bits):
        discrepancy = bit
        for i in range(1, length + 1):
            discrepancy ^= ((conn >> i) & 1) & bits[pos - i]
        if not discrepancy:
            shift += 1
            continue
        updated = conn ^ (prev << shift)
        if 2 * length <= pos:
            prev, length, shift = conn, pos + 1 - length, 1
        else:
            shift += 1
        conn = updated
    # C(x) = 1 + c1 x + ... + cL x**L  ->  x**L C(1/x)
    return sum(1 << (length - i) for i in range(length + 1) if (conn >> i) & 1)


def _gf2_mulmod(a: int, b: int, poly: int) -> int:
    degree = poly.bit_length() - 1
    result = 0
    while b:
        if b & 1:
            result ^= a
        b >>= 1
        a <<= 1
        if (a >> degree) & 1:
            a ^= poly
    return result


def gf2_xpow_mod(n: int, poly: int) -> int:
    """``x**n mod poly`` over GF(2) (polynomials as ints, bit i = coefficient of x**i)."""
    result, base = 1, 2 if poly.bit_length() > 2 else 2 ^ poly
    while n:
        if n & 1:
            result = _gf2_mulmod(result, base, poly)
        base = _gf2_mulmod(base, base, poly)
        n >>= 1
    return result


class GF2Jump(_GF2JumpBase):
    """Mixin for full-period GF(2)-linear generators: ``jump(n)`` in ``linear_bits`` steps.

    The linear state is ``get_state()`` unless a class says otherwise; its characteristic
    polynomial is found once per class by Berlekamp-Massey on the lowest bit of the first state
    word of stream ``cls(1)``.
    """

    #: width of the GF(2)-linear part of the state (the polynomial's degree)
    linear_bits: int
    #: the characteristic polynomial, cached per class
    _charpoly: int

    def _linear_words(self) -> tuple[int, ...]:
        return tuple(self.get_state())

    def _set_linear_words(self, words: tuple[int, ...]) -> None:
        self.set_state(words)

    @classmethod
    def characteristic_polynomial(cls) -> int:
        poly = cls.__dict__.get("_charpoly")
        if poly is None:
            stream = cls(1)
            bits = []
            for _ in range(2 * cls.linear_bits):
                bits.append(stream._linear_words()[0] & 1)
                stream.next_raw()
            poly = berlekamp_massey_gf2(bits)
            if poly.bit_length() - 1 != cls.linear_bits:
                raise AssertionError(f"{cls.name}: recurrence of degree {poly.bit_length() - 1}")
            cls._charpoly = poly
        return poly

    def _jump_linear(self, n: int) -> None:
        poly = self.characteristic_polynomial()
        wanted = gf2_xpow_mod(n, poly)
        acc = [0] * len(self._linear_words())
        for i in range(self.linear_bits):
            if (wanted >> i) & 1:
                acc = [a ^ w for a, w in zip(acc, self._linear_words())]
            self.next_raw()
        self._set_linear_words(tuple(acc))

    def jump(self, n: int) -> None:
        if n <= self.linear_bits:
            for _ in range(n):
                self.next_raw()
        else:
            self._jump_linear(n)


def _nonzero_seed(cls: type[PRNG], seed: int,
                  why: str = "the all-zero state is a fixed point") -> int:
    seed = cast(Any, PRNG.check_seed).__func__(cls, seed)  # the base range check, then ours
    if seed == 0:
        raise ValueError(f"{cls.name}: seed 0 is not allowed: {why} ({cls.seed_space})")
    return seed


# ---- Marsaglia (2003) -------------------------------------------------------------------------


class Xorshift32(GF2Jump, PRNG):
    """Marsaglia's 32-bit xorshift, shifts (13, 17, 5), the state being the seed.

    Reproduces ``xor32()`` of Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8(14), 2003, with
    ``y = seed`` instead of the paper's fixed ``y = 2463534242``; the output is the new state.
    Seed 0 is the all-zero fixed point and is rejected. There is no runtime that ships this
    generator, so doubles use the interface's default construction.
    """

    name = "xorshift32"
    prior = 10  # xorshift32, hand-written in games and embedded code
    family = "xorshift"
    seeding = "y = seed (Marsaglia 2003 xor32 with its state set to the seed)"
    state_bits = linear_bits = 32
    output_bits = 32
    seed_bits = 32
    seed_space = "1 <= seed < 2**32 (0 is a fixed point; the paper's own start is y=2463534242)"
    invertible = True
    vouched_by = "Marsaglia 2003 reference C (xor32), compiled with gcc"

    @classmethod
    def check_seed(cls, seed: int) -> int:
        return _nonzero_seed(cls, seed)

    def __init__(self, seed: int) -> None:
        self.y = self.check_seed(seed)

    def next_raw(self) -> int:
        y = self.y
        y ^= (y << 13) & MASK32
        y ^= y >> 17
        y ^= (y << 5) & MASK32
        self.y = y
        return y

    def step_back(self) -> None:
        y = unxorshift_left(self.y, 5, MASK32)
        y = unxorshift_right(y, 17, 32)
        self.y = unxorshift_left(y, 13, MASK32)

    def get_state(self) -> tuple[int, ...]:
        return (self.y,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.y,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        y = np.asarray(seeds, dtype=np.uint64).astype(np.uint32)
        out = np.empty((len(y), n), dtype=np.uint32)
        s13, s17, s5 = np.uint32(13), np.uint32(17), np.uint32(5)
        for col in range(n):
            y = y ^ (y << s13)
            y = y ^ (y >> s17)
            y = y ^ (y << s5)
            out[:, col] = y
        return out


class Xorshift64(GF2Jump, PRNG):
    """Marsaglia's 64-bit xorshift, shifts (13, 7, 17), the state being the seed.

    Reproduces ``xor64()`` of Marsaglia 2003 with ``x = seed`` instead of the paper's
    ``x = 88172645463325252``; the output is the new state. Seed 0 is rejected (fixed point).
    """

    name = "xorshift64"
    prior = 5  # xorshift64, hand-written code
    family = "xorshift"
    seeding = "x = seed (Marsaglia 2003 xor64 with its state set to the seed)"
    state_bits = linear_bits = 64
    output_bits = 64
    seed_bits = 64
    seed_space = ("1 <= seed < 2**64 (0 is a fixed point; the paper's own start is "
                  "x=88172645463325252)")
    invertible = True
    vouched_by = "Marsaglia 2003 reference C (xor64), compiled with gcc"

    @classmethod
    def check_seed(cls, seed: int) -> int:
        return _nonzero_seed(cls, seed)

    def __init__(self, seed: int) -> None:
        self.x = self.check_seed(seed)

    def next_raw(self) -> int:
        x = self.x
        x ^= (x << 13) & MASK64
        x ^= x >> 7
        x ^= (x << 17) & MASK64
        self.x = x
        return x

    def step_back(self) -> None:
        x = unxorshift_left(self.x, 17, MASK64)
        x = unxorshift_right(x, 7, 64)
        self.x = unxorshift_left(x, 13, MASK64)

    def get_state(self) -> tuple[int, ...]:
        return (self.x,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.x,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        x = np.asarray(seeds, dtype=_U64).copy()
        out = np.empty((len(x), n), dtype=_U64)
        for col in range(n):
            x = x ^ (x << _U64(13))
            x = x ^ (x >> _U64(7))
            x = x ^ (x << _U64(17))
            out[:, col] = x
        return out


class Xorshift64Star(GF2Jump, PRNG):
    """Vigna's xorshift64*: shifts (12, 25, 27), output times 0x2545F4914F6CDD1D.

    Reproduces ``next()`` of Vigna's ``xorshift64star.c`` (S. Vigna, "An experimental
    exploration of Marsaglia's xorshift generators, scrambled", ACM TOMS 42(4), 2016), whose
    state "must be seeded with a nonzero value": ``x = seed``. Seed 0 is rejected.
    """

    name = "xorshift64star"
    prior = 5  # xorshift64*, hand-written code
    family = "xorshift"
    seeding = "x = seed (Vigna's xorshift64star.c: the state is the nonzero seed)"
    state_bits = linear_bits = 64
    output_bits = 64
    seed_bits = 64
    seed_space = "1 <= seed < 2**64 (0 is a fixed point)"
    invertible = True
    vouched_by = "Vigna's reference C (xorshift64star.c), compiled with gcc"

    MULTIPLIER = 0x2545F4914F6CDD1D

    @classmethod
    def check_seed(cls, seed: int) -> int:
        return _nonzero_seed(cls, seed)

    def __init__(self, seed: int) -> None:
        self.x = self.check_seed(seed)

    def next_raw(self) -> int:
        x = self.x
        x ^= x >> 12
        x ^= (x << 25) & MASK64
        x ^= x >> 27
        self.x = x
        return (x * self.MULTIPLIER) & MASK64

    def step_back(self) -> None:
        x = unxorshift_right(self.x, 27, 64)
        x = unxorshift_left(x, 25, MASK64)
        self.x = unxorshift_right(x, 12, 64)

    def get_state(self) -> tuple[int, ...]:
        return (self.x,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.x,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        x = np.asarray(seeds, dtype=_U64).copy()
        out = np.empty((len(x), n), dtype=_U64)
        mult = _U64(cls.MULTIPLIER)
        for col in range(n):
            x = x ^ (x >> _U64(12))
            x = x ^ (x << _U64(25))
            x = x ^ (x >> _U64(27))
            out[:, col] = x * mult
        return out


class Xorshift128(GF2Jump, PRNG):
    """Marsaglia's ``xor128`` (shifts 11, 8, 19) with the paper's default state, seed xor'ed in.

    Seeding convention (ours, documented because no runtime defines one): the paper's
    ``x=123456789, y=362436069, z=521288629, w=88675123`` with ``x ^= seed``. Seed 0 is therefore
    exactly the paper's (and every copy-pasted ``xor128()``'s) unseeded stream, and no seed can
    make the state all zero. The output is the new ``w``.
    """

    name = "xorshift128"
    prior = 8  # xorshift128, hand-written code
    family = "xorshift"
    seeding = ("Marsaglia 2003 xor128 default state (x=123456789, y=362436069, z=521288629, "
               "w=88675123) with x ^= seed; seed 0 = the paper's own stream")
    state_bits = linear_bits = 128
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (x = 123456789 ^ seed)"
    invertible = True
    vouched_by = "Marsaglia 2003 reference C (xor128), compiled with gcc"

    DEFAULT_STATE = (123456789, 362436069, 521288629, 88675123)

    def __init__(self, seed: int) -> None:
        seed = self.check_seed(seed)
        x, y, z, w = self.DEFAULT_STATE
        self.state = [x ^ seed, y, z, w]

    def next_raw(self) -> int:
        x, y, z, w = self.state
        t = x ^ ((x << 11) & MASK32)
        w_new = w ^ (w >> 19) ^ t ^ (t >> 8)
        self.state = [y, z, w, w_new]
        return w_new

    def step_back(self) -> None:
        y, z, w, w_new = self.state
        t = unxorshift_right(w_new ^ w ^ (w >> 19), 8, 32)
        x = unxorshift_left(t, 11, MASK32)
        self.state = [x, y, z, w]

    def get_state(self) -> tuple[int, ...]:
        return tuple(self.state)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.state = list(state)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=_U64).astype(np.uint32)
        count = len(seeds)
        x = seeds ^ np.uint32(cls.DEFAULT_STATE[0])
        y, z, w = (np.full(count, v, dtype=np.uint32) for v in cls.DEFAULT_STATE[1:])
        out = np.empty((count, n), dtype=np.uint32)
        for col in range(n):
            t = x ^ (x << np.uint32(11))
            x, y, z = y, z, w
            w = w ^ (w >> np.uint32(19)) ^ t ^ (t >> np.uint32(8))
            out[:, col] = w
        return out


class Xorwow(GF2Jump, PRNG):
    """Marsaglia's xorwow as cuRAND's default generator: ``curand_init(seed, 0, 0)`` then
    ``curand()``.

    The step is the one of Marsaglia 2003 (xorshift on five words, shifts 2, 1, 4, plus the Weyl
    sequence ``d += 362437``), and the output is ``v + d``. Seeding is cuRAND's device API with
    subsequence 0 and offset 0 (no skip-ahead): the 64-bit seed's halves are salted, multiplied,
    and added or xor'ed onto Marsaglia's default words (``curand_kernel.h``,
    ``_curand_init_scratch``). ``next_double`` is ``curand_uniform_double``: two words,
    ``(x ^ (y << 21)) * 2**-53 + 2**-54``, which lies in (0, 1].
    """

    name = "xorwow"
    prior = 8  # xorwow, cuRAND's default generator
    family = "xorshift"
    seeding = "cuRAND curand_init(seed, subsequence=0, offset=0) (curandStateXORWOW_t)"
    state_bits = 192
    linear_bits = 160  # the five xorshift words; d is a Weyl counter, jumped in closed form
    output_bits = 32
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (unsigned long long seed of curand_init)"
    invertible = True
    vouched_by = "NVIDIA cuRAND 10.4 host generator (CURAND_RNG_PSEUDO_XORWOW, legacy ordering)"

    WEYL = 362437
    _INV_2_53 = 1.1102230246251565e-16  # CURAND_2POW53_INV_DOUBLE

    @staticmethod
    def _init_words(seed: int) -> tuple[int, int, int, int, int, int]:
        s0 = (seed & MASK32) ^ 0xAAD26B49
        s1 = (seed >> 32) ^ 0xF7DCEFDD
        t0 = (1099087573 * s0) & MASK32
        t1 = (2591861531 * s1) & MASK32
        d = (6615241 + t1 + t0) & MASK32
        return ((123456789 + t0) & MASK32, 362436069 ^ t0, (521288629 + t1) & MASK32,
                88675123 ^ t1, (5783321 + t0) & MASK32, d)

    def __init__(self, seed: int) -> None:
        *self.v, self.d = self._init_words(self.check_seed(seed))

    def next_raw(self) -> int:
        v = self.v
        t = v[0] ^ (v[0] >> 2)
        last = (v[4] ^ ((v[4] << 4) & MASK32)) ^ (t ^ ((t << 1) & MASK32))
        self.v = [v[1], v[2], v[3], v[4], last]
        self.d = (self.d + self.WEYL) & MASK32
        return (last + self.d) & MASK32

    def step_back(self) -> None:
        v1, v2, v3, v4, last = self.v
        t = unxorshift_left(last ^ v4 ^ ((v4 << 4) & MASK32), 1, MASK32)
        self.v = [unxorshift_right(t, 2, 32), v1, v2, v3, v4]
        self.d = (self.d - self.WEYL) & MASK32

    def get_state(self) -> tuple[int, ...]:
        return (*self.v, self.d)

    def _linear_words(self) -> tuple[int, ...]:
        return tuple(self.v)

    def _set_linear_words(self, words: tuple[int, ...]) -> None:
        self.v = list(words)

    def jump(self, n: int) -> None:
        d = self.d
        super().jump(n)
        self.d = (d + n * self.WEYL) & MASK32

    def set_state(self, state: tuple[int, ...]) -> None:
        *self.v, self.d = state

    def next_double(self) -> float:
        x = self.next_raw()
        y = self.next_raw()
        return ((y << 21) ^ x) * self._INV_2_53 + self._INV_2_53 / 2.0

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        x = streams.take(lanes)
        y = streams.take(lanes)
        return ((y << np.uint64(21)) ^ x).astype(np.float64) * cls._INV_2_53 + cls._INV_2_53 / 2.0

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=_U64)
        u32 = np.uint32
        s0 = (seeds & _U64(MASK32)).astype(u32) ^ u32(0xAAD26B49)
        s1 = (seeds >> _U64(32)).astype(u32) ^ u32(0xF7DCEFDD)
        t0 = s0 * u32(1099087573)
        t1 = s1 * u32(2591861531)
        d = u32(6615241) + t1 + t0
        v0, v1, v2 = u32(123456789) + t0, u32(362436069) ^ t0, u32(521288629) + t1
        v3, v4 = u32(88675123) ^ t1, u32(5783321) + t0
        out = np.empty((len(seeds), n), dtype=u32)
        weyl = u32(cls.WEYL)
        for col in range(n):
            t = v0 ^ (v0 >> u32(2))
            v0, v1, v2, v3 = v1, v2, v3, v4
            v4 = (v4 ^ (v4 << u32(4))) ^ (t ^ (t << u32(1)))
            d = d + weyl
            out[:, col] = v4 + d
        return out


# ---- Vigna's xorshift128+ and V8 --------------------------------------------------------------


class Xorshift128Plus(GF2Jump, PRNG):
    """Vigna's xorshift128+ (shifts 23, 18, 5), state filled from splitmix64(seed).

    Reproduces ``next()`` of Vigna's current ``xorshift128plus.c`` (S. Vigna, "Further
    scramblings of Marsaglia's xorshift generators", J. Comput. Appl. Math. 315, 2017), which
    returns ``s[0] + s[1]`` of the state *before* the step; the first published version (shifts
    23, 17, 26, still in V8 and SpiderMonkey: see :class:`V8MathRandom`) returned the sum after
    it. Seeding as the reference code recommends: ``s[0], s[1]`` = the first two outputs of
    splitmix64 started at ``seed``.
    """

    name = "xorshift128plus"
    prior = 10  # xorshift128+, V8/SpiderMonkey Math.random before 2016 and libraries
    family = "xorshift"
    seeding = "s[0], s[1] = splitmix64(seed) outputs 1, 2 (Vigna's recommendation)"
    state_bits = linear_bits = 128
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (splitmix64 state)"
    invertible = True
    vouched_by = "Vigna's reference C (xorshift128plus.c, 23/18/5) and npm xorshift 1.2.0"

    def __init__(self, seed: int) -> None:
        self.s0, self.s1 = splitmix64_words(self.check_seed(seed), 2)

    def next_raw(self) -> int:
        a, b = self.s0, self.s1
        result = (a + b) & MASK64
        a ^= (a << 23) & MASK64
        self.s0, self.s1 = b, a ^ b ^ (a >> 18) ^ (b >> 5)
        return result

    def step_back(self) -> None:
        b, t = self.s0, self.s1
        a = unxorshift_right(t ^ b ^ (b >> 5), 18, 64)
        self.s0, self.s1 = unxorshift_left(a, 23, MASK64), b

    def get_state(self) -> tuple[int, ...]:
        return (self.s0, self.s1)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.s0, self.s1 = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        a, b = splitmix64_words_np(seeds, 2)
        out = np.empty((len(a), n), dtype=_U64)
        for col in range(n):
            out[:, col] = a + b
            a = a ^ (a << _U64(23))
            a, b = b, a ^ b ^ (a >> _U64(18)) ^ (b >> _U64(5))
        return out


def _murmur3_fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK64
    return h ^ (h >> 33)


def _murmur3_fmix64_np(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> _U64(33))


class V8MathRandom(PRNG):
    """V8's ``Math.random()`` as Node.js runs it with ``--random-seed=S``.

    V8 (``src/numbers/math-random.cc``) keeps xorshift128+ with the original shifts (23, 17, 26)
    per native context, seeded lazily from the flag: ``state0 = fmix64(seed)``,
    ``state1 = fmix64(~seed)`` where ``seed`` is the ``int`` flag sign-extended to 64 bits and
    ``fmix64`` is MurmurHash3's finaliser. Each refill steps the generator 64 times and stores
    ``ToDouble(state0)`` after each step in a 64-entry cache, which ``Math.random()`` then hands
    out last entry first, refilling when it is empty.

    Raw output: ``state0 >> 12``, the 52 mantissa bits that ``ToDouble`` keeps; ``Math.random()``
    is exactly ``raw / 2**52`` (``Math.random() * 2**52`` in JavaScript gives the raw value back),
    so raw outputs are fully observable, while the low 12 bits of ``state0`` never leave V8.

    State: ``(state0, state1, index)`` as V8 holds it: the generator after the last refill and
    the number of cache entries still to hand out (``0``: the next call refills). Stepping back
    walks the cache upwards and, past its top, steps xorshift128+ back 64 times to the previous
    refill; it is defined before the first refill too (the stream extends backwards), so
    ``step_back`` undoes exactly one ``next_raw`` everywhere. ``jump(n)`` spends the cache, jumps
    the generator over whole refills (GF(2) polynomial) and rebuilds the last cache.
    """

    name = "v8_math_random"
    prior = 30  # Math.random() in Node and Chrome (seeded only through --random-seed)
    family = "xorshift"
    seeding = ("node --random-seed=S (V8 math-random.cc: state0 = fmix64(S), state1 = "
               "fmix64(~S), S the int flag sign-extended)")
    state_bits = 128
    output_bits = 52
    seed_bits = 32
    seed_space = ("1 <= seed < 2**32, read as the 32-bit int flag (3735928495 = -559038801); "
                  "0 means 'no seed' to V8 and is rejected")
    invertible = True
    native_below = "float_mul"
    vouched_by = "Node.js 20 (V8 11.3) Math.random with --random-seed"

    CACHE_SIZE = 64
    _charpoly: int  # cached by characteristic_polynomial

    @classmethod
    def check_seed(cls, seed: int) -> int:
        return _nonzero_seed(cls, seed, "V8 reads --random-seed=0 as 'seed from the OS'")

    @staticmethod
    def _flag_to_u64(seed: int) -> int:
        return seed | 0xFFFFFFFF00000000 if seed & 0x80000000 else seed

    def __init__(self, seed: int) -> None:
        wide = self._flag_to_u64(self.check_seed(seed))
        self.s0 = _murmur3_fmix64(wide)
        self.s1 = _murmur3_fmix64(~wide & MASK64)
        self.index = 0
        self.cache: list[int] = []

    @staticmethod
    def _forward(s0: int, s1: int) -> tuple[int, int]:
        a, b = s0, s1
        a ^= (a << 23) & MASK64
        a ^= a >> 17
        return b, a ^ b ^ (b >> 26)

    @staticmethod
    def _backward(s0: int, s1: int) -> tuple[int, int]:
        b, t = s0, s1
        a = unxorshift_right(t ^ b ^ (b >> 26), 17, 64)
        return unxorshift_left(a, 23, MASK64), b

    def _refill(self) -> None:
        cache, s0, s1 = [], self.s0, self.s1
        for _ in range(self.CACHE_SIZE):
            s0, s1 = self._forward(s0, s1)
            cache.append(s0 >> 12)
        self.s0, self.s1, self.cache = s0, s1, cache

    def _rebuild_cache(self) -> None:
        # the cache of the refill that produced (s0, s1): its state0 values, walked backwards
        cache, s0, s1 = [0] * self.CACHE_SIZE, self.s0, self.s1
        for slot in range(self.CACHE_SIZE - 1, -1, -1):
            cache[slot] = s0 >> 12
            s0, s1 = self._backward(s0, s1)
        self.cache = cache

    def next_raw(self) -> int:
        if self.index == 0:
            self._refill()
            self.index = self.CACHE_SIZE
        self.index -= 1
        return self.cache[self.index]

    def step_back(self) -> None:
        self.index += 1
        if self.index == self.CACHE_SIZE:
            # every entry of this refill is unread again: the same as the previous refill
            # fully consumed
            s0, s1 = self.s0, self.s1
            for _ in range(self.CACHE_SIZE):
                s0, s1 = self._backward(s0, s1)
            self.s0, self.s1, self.index = s0, s1, 0
            self.cache = []
        elif len(self.cache) != self.CACHE_SIZE:
            self._rebuild_cache()

    def get_state(self) -> tuple[int, ...]:
        return (self.s0, self.s1, self.index)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.s0, self.s1, self.index = state
        self.cache = []
        if self.index:
            self._rebuild_cache()

    @classmethod
    def characteristic_polynomial(cls) -> int:
        """Of V8's xorshift128+ step (see :class:`GF2Jump`)."""
        poly = cls.__dict__.get("_charpoly")
        if poly is None:
            bits, s0, s1 = [], 1, 2
            for _ in range(2 * cls.state_bits):
                bits.append(s0 & 1)
                s0, s1 = cls._forward(s0, s1)
            cls._charpoly = poly = berlekamp_massey_gf2(bits)
        return poly

    def _advance_generator(self, steps: int) -> None:
        s0, s1 = self.s0, self.s1
        if steps <= self.state_bits:
            for _ in range(steps):
                s0, s1 = self._forward(s0, s1)
        else:
            wanted = gf2_xpow_mod(steps, self.characteristic_polynomial())
            acc0 = acc1 = 0
            for i in range(self.state_bits):
                if (wanted >> i) & 1:
                    acc0, acc1 = acc0 ^ s0, acc1 ^ s1
                s0, s1 = self._forward(s0, s1)
            s0, s1 = acc0, acc1
        self.s0, self.s1 = s0, s1

    def jump(self, n: int) -> None:
        if n <= self.index:
            self.index -= n
            return
        n -= self.index  # the rest of this cache; then whole refills, then part of one
        refills, left = divmod(n, self.CACHE_SIZE)
        if left:
            refills += 1
        self._advance_generator(refills * self.CACHE_SIZE)
        self.index = (self.CACHE_SIZE - left) % self.CACHE_SIZE
        self.cache = []
        if self.index:
            self._rebuild_cache()

    def next_double(self) -> float:
        # ToDouble: bits (state0 >> 12) | 0x3FF0... read as a double in [1, 2), minus 1
        return self.next_raw() / float(1 << 52)

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        return streams.take(lanes).astype(np.float64) / float(1 << 52)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        wide = np.asarray(seeds, dtype=_U64).copy()
        negative = (wide & _U64(0x80000000)) != 0
        wide[negative] |= _U64(0xFFFFFFFF00000000)
        s0, s1 = _murmur3_fmix64_np(wide), _murmur3_fmix64_np(~wide)
        blocks = -(-n // cls.CACHE_SIZE)
        states = np.empty((len(wide), blocks * cls.CACHE_SIZE), dtype=_U64)
        for col in range(blocks * cls.CACHE_SIZE):
            a = s0 ^ (s0 << _U64(23))
            a = a ^ (a >> _U64(17))
            s0, s1 = s1, a ^ s1 ^ (s1 >> _U64(26))
            states[:, col] = s0
        served = states.reshape(len(wide), blocks, cls.CACHE_SIZE)[:, :, ::-1]
        return (served.reshape(len(wide), -1)[:, :n] >> _U64(12)).copy()


GENERATORS = (Xorshift32, Xorshift64, Xorshift64Star, Xorshift128, Xorshift128Plus,
              V8MathRandom, Xorwow)
