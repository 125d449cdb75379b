"""Other generators: WELL, Marsaglia's KISS and CMWC, L'Ecuyer's Tausworthe generators, Python 2's
Wichmann-Hill, Lemire's lehmer64 and Wang Yi's wyrand.

No mainstream runtime ships most of these, so each class states the reference implementation and
the integer seeding convention it reproduces; ``tests/vectors/sources/other/make.sh`` says where
each known-answer file comes from.
"""

from __future__ import annotations

from typing import ClassVar, TYPE_CHECKING

import numpy as np

from kernels.generators._bits import (
    GOLDEN_GAMMA,
    MASK32,
    MASK64,
    MASK128,
    mulhi64,
    splitmix64_mix,
    splitmix64_mix_np,
)
from kernels.prng import PRNG, Raw32Double

if TYPE_CHECKING:  # only for annotations: kernels.sieve imports the generators
    from kernels.sieve.vector import LaneStreams

__all__ = [
    "Well512a",
    "Kiss99",
    "Cmwc4096",
    "Taus88",
    "Lfsr113",
    "WichmannHill",
    "Lehmer64",
    "WyRand",
    "GENERATORS",
]


# ---- shared helpers ------------------------------------------------------------------------------


def _glibc_rand(seed: int, count: int) -> list[int]:
    """The first ``count`` values of glibc ``srand(seed); rand()`` (TYPE_3 additive feedback)."""
    seed = seed or 1  # srandom_r maps 0 to 1
    r = [seed]
    # srandom_r's ``int32_t word = seed``: seeds >= 2**31 start negative, and its Schrage step
    # (C division truncates toward zero) then differs from the product mod 2**31 - 1
    word = seed - (1 << 32) if seed >= 1 << 31 else seed
    hi = -(-word // 127773) if word < 0 else word // 127773
    word = 16807 * (word - hi * 127773) - 2836 * hi
    r.append(word + 2147483647 if word < 0 else word)
    for _ in range(2, 31):
        r.append((16807 * r[-1]) % 2147483647)
    r.extend(r[0:3])
    for i in range(34, 344 + count):
        r.append((r[i - 31] + r[i - 3]) & MASK32)
    return [v >> 1 for v in r[344:344 + count]]


def _glibc_rand_many(seeds: np.ndarray, count: int) -> np.ndarray:
    """:func:`_glibc_rand` for many seeds at once: shape ``(len(seeds), count)``, uint32."""
    seeds = np.asarray(seeds, dtype=np.uint64)
    seeds = np.where(seeds == 0, np.uint64(1), seeds)
    word = seeds.astype(np.int64)
    word = np.where(word >= 1 << 31, word - (1 << 32), word)
    hi = np.where(word < 0, -(-word // 127773), word // 127773)
    word = 16807 * (word - hi * 127773) - 2836 * hi
    word = np.where(word < 0, word + 2147483647, word)
    r = [seeds.astype(np.uint32), word.astype(np.uint32)]
    for _ in range(2, 31):
        word = (word * 16807) % 2147483647
        r.append(word.astype(np.uint32))
    r.extend(r[0:3])
    # only a window of the last 31 words is needed: keep memory per seed small
    out = np.empty((len(seeds), count), dtype=np.uint32)
    for i in range(34, 344 + count):
        r.append(r[-31] + r[-3])
        del r[0]
        if i >= 344:
            out[:, i - 344] = r[-1] >> 1
    return out


# ---- WELL512a ------------------------------------------------------------------------------------


class Well512a(Raw32Double):
    """WELL512a (Panneton, L'Ecuyer, Matsumoto 2006), as the authors' ``WELL512a.c``.

    The reference takes 16 seed words (``InitWELLRNG512a(init)``); they are filled the common C
    way, ``srand(seed); init[i] = rand()`` with glibc's ``rand()``, as Wren's
    ``Random.new(seed)`` fills its WELL512 state. The raw output is the 32-bit state word that
    ``WELLRNG512a()`` returns scaled by 2**-32; that scaled double is :meth:`next_double`.
    """

    name = "well512a"
    prior = 3  # WELL512a, game code
    family = "other"
    seeding = ("srand(seed); init[i] = rand() for i < 16 (glibc rand); InitWELLRNG512a(init) "
               "(reference WELL512a.c)")
    state_bits = 512
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (srand's unsigned int; glibc treats 0 as 1)"
    invertible = False
    native_below = "float_mul"
    vouched_by = "reference WELL512a.c (Panneton, L'Ecuyer, Matsumoto) with glibc srand/rand"

    def __init__(self, seed: int) -> None:
        self.words = _glibc_rand(self.check_seed(seed), 16)
        self.index = 0

    def next_raw(self) -> int:
        s, i = self.words, self.index
        v0, vm1, vm2, z0 = s[i], s[(i + 13) & 15], s[(i + 9) & 15], s[(i + 15) & 15]
        z1 = (v0 ^ (v0 << 16) ^ vm1 ^ (vm1 << 15)) & MASK32
        z2 = vm2 ^ (vm2 >> 11)
        new1 = z1 ^ z2
        s[i] = new1
        new0 = (z0 ^ (z0 << 2) ^ z1 ^ (z1 << 18) ^ (z2 << 28) ^ new1
                ^ ((new1 << 5) & 0xDA442D24)) & MASK32
        self.index = i = (i + 15) & 15
        s[i] = new0
        return new0

    def get_state(self) -> tuple[int, ...]:
        return (self.index, *self.words)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.index, *words = state
        self.words = list(words)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        if np.any(seeds > np.uint64(MASK32)):
            raise ValueError(f"{cls.name}: seeds must be below 2**32")
        s = _glibc_rand_many(seeds, 16)
        out = np.empty((len(s), n), dtype=np.uint32)
        i = 0
        for col in range(n):
            v0, vm1, vm2, z0 = s[:, i], s[:, (i + 13) & 15], s[:, (i + 9) & 15], s[:, (i + 15) & 15]
            z1 = v0 ^ (v0 << 16) ^ vm1 ^ (vm1 << 15)
            z2 = vm2 ^ (vm2 >> 11)
            new1 = z1 ^ z2
            new0 = z0 ^ (z0 << 2) ^ z1 ^ (z1 << 18) ^ (z2 << 28) ^ new1 ^ ((new1 << 5) & np.uint32(0xDA442D24))
            s[:, i] = new1
            i = (i + 15) & 15
            s[:, i] = new0
            out[:, col] = new0
        return out


# ---- Marsaglia ------------------------------------------------------------------------------------


class Kiss99(PRNG):
    """Marsaglia's KISS of 20 January 1999 (sci.stat.math), ``KISS = ((MWC ^ CONG) + SHR3)``.

    State ``(z, w, jsr, jcong)``; ``z, w, jsr`` keep the post's static initial values and the
    integer seed is ``jcong``, so ``seed = 380116160`` is the post's own default stream. The
    double is the post's ``UNI = KISS * 2.328306e-10`` (not exactly 2**-32).
    """

    name = "kiss99"
    prior = 2  # Marsaglia KISS, hand-written code
    family = "other"
    seeding = ("Marsaglia 1999 KISS: z=362436069, w=521288629, jsr=123456789 (his static "
               "initial values), jcong=seed")
    state_bits = 128
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32, the CONG component's initial value (380116160: his default)"
    invertible = False
    native_below = "mod"  # the post's own idiom: 1 + KISS % n
    vouched_by = "Marsaglia's posted C code (sci.stat.math, 1999-01-20) and its check values"

    Z0, W0, JSR0 = 362436069, 521288629, 123456789
    #: Marsaglia's UNI multiplier
    UNI = 2.328306e-10

    def __init__(self, seed: int) -> None:
        self.z, self.w, self.jsr = self.Z0, self.W0, self.JSR0
        self.jcong = self.check_seed(seed)

    def next_raw(self) -> int:
        self.z = z = 36969 * (self.z & 0xFFFF) + (self.z >> 16)
        self.w = w = 18000 * (self.w & 0xFFFF) + (self.w >> 16)
        self.jcong = jcong = (69069 * self.jcong + 1234567) & MASK32
        jsr = self.jsr
        jsr ^= (jsr << 17) & MASK32
        jsr ^= jsr >> 13
        jsr ^= (jsr << 5) & MASK32
        self.jsr = jsr
        return ((((z << 16) + w) & MASK32 ^ jcong) + jsr) & MASK32

    def get_state(self) -> tuple[int, ...]:
        return (self.z, self.w, self.jsr, self.jcong)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.z, self.w, self.jsr, self.jcong = state

    def next_double(self) -> float:
        return self.next_raw() * self.UNI

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        return streams.take(lanes).astype(np.float64) * cls.UNI

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        jcong = np.asarray(seeds, dtype=np.uint64)
        if np.any(jcong > np.uint64(MASK32)):
            raise ValueError(f"{cls.name}: seeds must be below 2**32")
        jcong = jcong.astype(np.uint32)
        count = len(jcong)
        z = np.full(count, cls.Z0, dtype=np.uint32)
        w = np.full(count, cls.W0, dtype=np.uint32)
        jsr = np.full(count, cls.JSR0, dtype=np.uint32)
        out = np.empty((count, n), dtype=np.uint32)
        for col in range(n):
            z = np.uint32(36969) * (z & np.uint32(0xFFFF)) + (z >> 16)
            w = np.uint32(18000) * (w & np.uint32(0xFFFF)) + (w >> 16)
            jcong = jcong * np.uint32(69069) + np.uint32(1234567)
            jsr ^= jsr << 17
            jsr ^= jsr >> 13
            jsr ^= jsr << 5
            out[:, col] = (((z << 16) + w) ^ jcong) + jsr
        return out


class Cmwc4096(Raw32Double):
    """Marsaglia's complementary multiply-with-carry CMWC4096 (posted 2003): a = 18782,
    r = 4096, base 2**32 - 1, initial carry c = 362436, index starting at 4095.

    ``Q[]`` is filled the way his 2009 SUPER KISS code fills its CMWC table, ``Q[i] = CNG + XS``
    with ``CNG: xcng = 69069 * xcng + 123`` and ``XS: xs ^= xs << 13, xs ^= xs >> 17,
    xs ^= xs << 5`` (``xs = 521288629``); the integer seed is ``xcng`` (his default: 1236789).
    The double is the common ``CMWC4096() / 4294967296.0``.
    """

    name = "cmwc4096"
    prior = 2  # Marsaglia CMWC4096, hand-written code
    family = "other"
    seeding = ("Q[i] = CNG + XS for i < 4096 (Marsaglia's SUPER KISS table fill), xcng=seed, "
               "xs=521288629; c=362436, i=4095")
    state_bits = 4096 * 32 + 32
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32, the initial xcng of the table fill (1236789: his default)"
    invertible = False
    native_below = "mod"
    vouched_by = "Marsaglia's posted CMWC4096 and SUPER KISS C code (transcribed; no check value)"

    A = 18782
    R = 0xFFFFFFFE
    C0 = 362436
    XS0 = 521288629

    def __init__(self, seed: int) -> None:
        xcng, xs = self.check_seed(seed), self.XS0
        table = []
        for _ in range(4096):
            xcng = (69069 * xcng + 123) & MASK32
            xs ^= (xs << 13) & MASK32
            xs ^= xs >> 17
            xs ^= (xs << 5) & MASK32
            table.append((xcng + xs) & MASK32)
        self.q = table
        self.c = self.C0
        self.i = 4095

    def next_raw(self) -> int:
        self.i = i = (self.i + 1) & 4095
        t = self.A * self.q[i] + self.c
        c = t >> 32
        x = (t + c) & MASK32
        if x < c:  # the carry out of t mod (2**32 - 1)
            x += 1
            c += 1
        self.c = c
        self.q[i] = value = (self.R - x) & MASK32
        return value

    def get_state(self) -> tuple[int, ...]:
        return (self.i, self.c, *self.q)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.i, self.c, *q = state
        self.q = list(q)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        xcng = np.asarray(seeds, dtype=np.uint64)
        if np.any(xcng > np.uint64(MASK32)):
            raise ValueError(f"{cls.name}: seeds must be below 2**32")
        xcng = xcng.astype(np.uint32)
        count = len(xcng)
        # only the first min(n, 4096) table words are read before the table wraps
        width = min(n, 4096)
        q = np.empty((count, width), dtype=np.uint32)
        xs = np.full(count, cls.XS0, dtype=np.uint32)
        for k in range(width):
            xcng = xcng * np.uint32(69069) + np.uint32(123)
            xs ^= xs << 13
            xs ^= xs >> 17
            xs ^= xs << 5
            q[:, k] = xcng + xs
        c = np.full(count, cls.C0, dtype=np.uint64)
        out = np.empty((count, n), dtype=np.uint32)
        m32 = np.uint64(MASK32)
        for col in range(n):
            i = col & 4095
            t = np.uint64(cls.A) * q[:, i].astype(np.uint64) + c
            c = t >> np.uint64(32)
            x = (t + c) & m32
            wrap = x < c
            x = x + wrap
            c = c + wrap
            q[:, i] = (np.uint64(cls.R) - x) & m32
            out[:, col] = q[:, i]
        return out


# ---- L'Ecuyer's combined Tausworthe generators (GSL seeding) -----------------------------------


def _taus_step(word: int, k: int, q: int, s: int) -> int:
    mask = (MASK32 << (32 - k)) & MASK32
    return (((word & mask) << s) & MASK32) ^ ((((word << q) & MASK32) ^ word) >> (k - s))


def _taus_unstep(word: int, k: int, q: int, s: int) -> int:
    """The state word that :func:`_taus_step` maps to ``word``, with its low ``32 - k`` bits made
    consistent with the component's bit recurrence (as every word after one step is)."""
    prev = (word >> s) & (((1 << (k - s)) - 1) << (32 - k))
    for bit in range(32 - s, 32):
        prev |= (((word >> (bit - k + s)) ^ (prev >> (bit - q))) & 1) << bit
    for bit in range(32 - k):
        prev |= (((prev >> (bit + k)) ^ (prev >> (bit + k - q))) & 1) << bit
    return prev


class _CombinedTausworthe(Raw32Double):
    """Shared code of GSL's ``taus2`` and ``taus113``: LCG-chained seeding with L'Ecuyer's
    minimum-value fix, a few warm-up steps, then the xor of the components. The double is
    ``gsl_rng_uniform``: ``get() / 4294967296.0``."""

    #: (k, q, s) of each component, L'Ecuyer's notation
    COMPONENTS: ClassVar[tuple[tuple[int, int, int], ...]]
    #: component j's seed must be at least MINIMA[j] (its top k bits not all zero)
    MINIMA: ClassVar[tuple[int, ...]]
    WARMUP: ClassVar[int]

    family = "other"
    output_bits = 32
    seed_bits = 32
    invertible = True
    native_below = "float_mul"

    def __init__(self, seed: int) -> None:
        word = self.check_seed(seed) or 1  # GSL: "default seed is 1"
        words = []
        for minimum in self.MINIMA:
            word = (69069 * word) & MASK32
            if word < minimum:
                word += minimum
            words.append(word)
        self.words = words
        for _ in range(self.WARMUP):
            self.next_raw()

    def next_raw(self) -> int:
        out = 0
        for j, (k, q, s) in enumerate(self.COMPONENTS):
            self.words[j] = word = _taus_step(self.words[j], k, q, s)
            out ^= word
        return out

    def step_back(self) -> None:
        self.words = [_taus_unstep(w, k, q, s) for w, (k, q, s) in zip(self.words, self.COMPONENTS)]

    def get_state(self) -> tuple[int, ...]:
        return tuple(self.words)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.words = list(state)

    @classmethod
    def _step_many(cls, words: list[np.ndarray]) -> np.ndarray:
        out = np.zeros(len(words[0]), dtype=np.uint32)
        for j, (k, q, s) in enumerate(cls.COMPONENTS):
            w = words[j]
            mask = np.uint32((MASK32 << (32 - k)) & MASK32)
            words[j] = w = ((w & mask) << s) ^ (((w << q) ^ w) >> (k - s))
            out ^= w
        return out

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        word = np.asarray(seeds, dtype=np.uint64)
        if np.any(word > np.uint64(MASK32)):
            raise ValueError(f"{cls.name}: seeds must be below 2**32")
        word = np.where(word == 0, np.uint64(1), word).astype(np.uint32)
        words = []
        for minimum in cls.MINIMA:
            word = word * np.uint32(69069)
            word = np.where(word < minimum, word + np.uint32(minimum), word)
            words.append(word)
        for _ in range(cls.WARMUP):
            cls._step_many(words)
        out = np.empty((len(word), n), dtype=np.uint32)
        for col in range(n):
            out[:, col] = cls._step_many(words)
        return out


class Taus88(_CombinedTausworthe):
    """L'Ecuyer's 1996 three-component Tausworthe generator (taus88), seeded as GSL's
    ``gsl_rng_taus2``: ``s1 = 69069 * seed``, ``s2 = 69069 * s1``, ``s3 = 69069 * s2`` (mod
    2**32), each raised by 2, 8, 16 if below (L'Ecuyer's s1 > 1, s2 > 7, s3 > 15), then six
    warm-up steps; seed 0 is GSL's default seed 1."""

    name = "taus88"
    prior = 2  # L'Ecuyer Taus88, simulation libraries
    seeding = "gsl_rng_set(gsl_rng_taus2, seed): 69069 LCG chain, s1>1, s2>7, s3>15, 6 warm-ups"
    state_bits = 96
    seed_space = "0 <= seed < 2**32 (GSL: seed 0 means seed 1)"
    vouched_by = "GNU GSL rng/taus.c (gsl_rng_taus2) and its published check value"

    COMPONENTS = ((31, 13, 12), (29, 2, 4), (28, 3, 17))
    MINIMA = (2, 8, 16)
    WARMUP = 6


class Lfsr113(_CombinedTausworthe):
    """L'Ecuyer's 1999 four-component LFSR113, seeded as GSL's ``gsl_rng_taus113``: the 69069
    LCG chain from the seed with z1 > 1, z2 > 7, z3 > 15, z4 > 127 enforced, then ten warm-up
    steps; seed 0 is GSL's default seed 1."""

    name = "lfsr113"
    prior = 2  # L'Ecuyer LFSR113, simulation libraries
    seeding = "gsl_rng_set(gsl_rng_taus113, seed): 69069 LCG chain, z1>1, z2>7, z3>15, z4>127, 10 warm-ups"
    state_bits = 128
    seed_space = "0 <= seed < 2**32 (GSL: seed 0 means seed 1)"
    vouched_by = "GNU GSL rng/taus113.c (gsl_rng_taus113) and its published check value"

    COMPONENTS = ((31, 6, 18), (29, 2, 2), (28, 13, 7), (25, 3, 13))
    MINIMA = (2, 8, 16, 128)
    WARMUP = 10


# ---- Wichmann-Hill (Python 2) --------------------------------------------------------------------


class WichmannHill(PRNG):
    """Python 2's ``random.WichmannHill(a)`` for an integer ``a`` (AS 183 with Python's seeding:
    ``x = a % 30268 + 1``, then ``y`` and ``z`` from the quotients).

    The raw output packs the three component states after a step, ``x << 30 | y << 15 | z``
    (each below 2**15): everything the runtime derives comes from them, and
    :meth:`next_double` is Python 2's ``random()`` = ``(x/30269. + y/30307. + z/30323.) % 1.0``.
    Python 2's ``randrange(n)``/``randint``/``choice`` are ``int(random() * n)``: ``float_mul``.
    """

    name = "wichmann_hill"
    prior = 5  # Wichmann-Hill, Python 2.2's random and old Fortran/Excel
    family = "other"
    seeding = "Python 2.7 random.WichmannHill(seed) with an integer seed"
    state_bits = 45
    output_bits = 45
    seed_bits = 44
    seed_space = ("0 <= seed < 2**44; all distinct (Python 2 reduces seeds modulo "
                  "30268*30306*30322 > 2**44)")
    invertible = True
    native_below = "float_mul"
    vouched_by = "CPython 2.7.18 (random.WichmannHill)"

    MODULI = (30269, 30307, 30323)
    MULTIPLIERS = (171, 172, 170)
    INVERSES = tuple(pow(a, -1, m) for a, m in zip(MULTIPLIERS, MODULI))

    def __init__(self, seed: int) -> None:
        a = self.check_seed(seed)
        a, x = divmod(a, 30268)
        a, y = divmod(a, 30306)
        a, z = divmod(a, 30322)
        self.state = [x + 1, y + 1, z + 1]

    def next_raw(self) -> int:
        x, y, z = (v * a % m for v, a, m in zip(self.state, self.MULTIPLIERS, self.MODULI))
        self.state = [x, y, z]
        return x << 30 | y << 15 | z

    def step_back(self) -> None:
        self.state = [v * inv % m for v, inv, m in zip(self.state, self.INVERSES, self.MODULI)]

    def jump(self, n: int) -> None:
        # Python 2's own jumpahead(n) does the same
        self.state = [v * pow(a, n, m) % m for v, a, m in zip(self.state, self.MULTIPLIERS, self.MODULI)]

    def get_state(self) -> tuple[int, ...]:
        return tuple(self.state)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.state = list(state)

    @staticmethod
    def double_from_raw(raw: int) -> float:
        x, y, z = raw >> 30, (raw >> 15) & 0x7FFF, raw & 0x7FFF
        return (x / 30269.0 + y / 30307.0 + z / 30323.0) % 1.0

    def next_double(self) -> float:
        return self.double_from_raw(self.next_raw())

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        raw = streams.take(lanes)
        x = (raw >> np.uint64(30)).astype(np.float64)
        y = ((raw >> np.uint64(15)) & np.uint64(0x7FFF)).astype(np.float64)
        z = (raw & np.uint64(0x7FFF)).astype(np.float64)
        return (x / 30269.0 + y / 30307.0 + z / 30323.0) % 1.0

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        a = np.asarray(seeds, dtype=np.uint64)
        if np.any(a >= np.uint64(1 << cls.seed_bits)):
            raise ValueError(f"{cls.name}: seeds must be below 2**{cls.seed_bits}")
        comps = []
        for m in (30268, 30306, 30322):
            comps.append(a % np.uint64(m) + np.uint64(1))
            a = a // np.uint64(m)
        out = np.empty((len(a), n), dtype=np.uint64)
        for col in range(n):
            comps = [(v * np.uint64(mult)) % np.uint64(m)
                     for v, mult, m in zip(comps, cls.MULTIPLIERS, cls.MODULI)]
            out[:, col] = (comps[0] << np.uint64(30)) | (comps[1] << np.uint64(15)) | comps[2]
        return out


# ---- 64-bit multiplicative / mixing generators -------------------------------------------------

class Lehmer64(PRNG):
    """Lemire's lehmer64: 128-bit multiplicative LCG, multiplier 0xda942042e4dd58b5, output the
    high 64 bits after the multiply; seeded as ``lehmer64_seed(seed)`` in Lemire's testingRNG
    (``state = splitmix64_stateless(seed, 0) << 64 | splitmix64_stateless(seed, 1)``, i.e. the
    splitmix64 outputs of ``seed + gamma`` and ``seed + 2*gamma``)."""

    name = "lehmer64"
    prior = 2  # Lemire's lehmer64, benchmarks and hand-written code
    family = "other"
    seeding = "lehmer64_seed(seed) of Lemire's testingRNG: two splitmix64 words of the seed"
    state_bits = 128
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64"
    invertible = True
    native_below = "mod"
    vouched_by = "Lemire's testingRNG lehmer64.h (gcc), cross-checked with randomgen LCG128Mix"

    MULTIPLIER = 0xDA942042E4DD58B5
    INVERSE = pow(MULTIPLIER, -1, 1 << 128)

    @staticmethod
    def seed_state(seed: int) -> int:
        high = splitmix64_mix((seed + GOLDEN_GAMMA) & MASK64)
        low = splitmix64_mix((seed + 2 * GOLDEN_GAMMA) & MASK64)
        return high << 64 | low

    def __init__(self, seed: int) -> None:
        self.state = self.seed_state(self.check_seed(seed))

    def next_raw(self) -> int:
        self.state = (self.state * self.MULTIPLIER) & MASK128
        return self.state >> 64

    def step_back(self) -> None:
        self.state = (self.state * self.INVERSE) & MASK128

    def jump(self, n: int) -> None:
        self.state = (self.state * pow(self.MULTIPLIER, n, 1 << 128)) & MASK128

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        gamma = np.uint64(GOLDEN_GAMMA)
        high = splitmix64_mix_np(seeds + gamma)
        low = splitmix64_mix_np(seeds + gamma + gamma)
        mult = np.full(len(seeds), cls.MULTIPLIER, dtype=np.uint64)
        out = np.empty((len(seeds), n), dtype=np.uint64)
        for col in range(n):
            high = mulhi64(low, mult) + high * mult
            low = low * mult
            out[:, col] = high
        return out


class WyRand(PRNG):
    """Wang Yi's wyrand as in wyhash.h before its October 2023 constants change:
    ``seed += 0xa0761d6478bd642f; return _wymix(seed, seed ^ 0xe7037ed1a0b428db)`` with
    ``_wymix`` the xor of the two halves of the 128-bit product. The state is the seed itself.
    The double is the header's ``wy2u01``: ``(r >> 12) * 2**-52``."""

    name = "wyrand"
    prior = 3  # wyrand, Go/Zig/hash-table code
    family = "other"
    seeding = "uint64_t seed = seed; wyrand(&seed) (wyhash.h, 2020-2023 constants)"
    state_bits = 64
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (the state itself)"
    invertible = True
    native_below = "mod"
    vouched_by = "wyhash.h (Wang Yi) compiled with gcc; Lemire's testingRNG wyrand.h agrees"

    INCREMENT = 0xA0761D6478BD642F
    XOR = 0xE7037ED1A0B428DB

    def __init__(self, seed: int) -> None:
        self.state = self.check_seed(seed)

    def next_raw(self) -> int:
        self.state = s = (self.state + self.INCREMENT) & MASK64
        product = s * (s ^ self.XOR)
        return (product >> 64) ^ (product & MASK64)

    def step_back(self) -> None:
        self.state = (self.state - self.INCREMENT) & MASK64

    def jump(self, n: int) -> None:
        self.state = (self.state + n * self.INCREMENT) & MASK64

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    def next_double(self) -> float:
        # wy2u01(r): (r >> 12) * (1.0 / (1ull << 52))
        return (self.next_raw() >> 12) * (1.0 / (1 << 52))

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        return (streams.take(lanes) >> np.uint64(12)).astype(np.float64) * (1.0 / (1 << 52))

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        state = np.asarray(seeds, dtype=np.uint64).copy()
        inc, xor = np.uint64(cls.INCREMENT), np.uint64(cls.XOR)
        out = np.empty((len(state), n), dtype=np.uint64)
        for col in range(n):
            state = state + inc
            mixed = state ^ xor
            out[:, col] = mulhi64(state, mixed) ^ (state * mixed)
        return out


GENERATORS = (Well512a, Kiss99, Cmwc4096, Taus88, Lfsr113, WichmannHill, Lehmer64, WyRand)
