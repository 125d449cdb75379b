"""Counter-based and small-chaotic generators: Philox, SFC and JSF.

* ``philox4x32_10``: Random123's Philox4x32-10 block function; key = the 64-bit seed, counter
  from 0, the four 32-bit words of each block in order (cuRAND's ``curand_init(seed, 0, 0)``
  layout);
* ``philox4x64_10``: ``numpy.random.Philox(seed)`` (key from ``SeedSequence``);
* ``sfc32``: Chris Doty-Humphrey's SFC32 as PractRand 0.94 seeds it (``sfc32::seed(Uint64)``);
* ``sfc64``: ``numpy.random.SFC64(seed)`` (state from ``SeedSequence``);
* ``jsf32``: Bob Jenkins' small fast generator, ``raninit(seed)``.

Philox is a keyed bijection of a counter, so it jumps and steps back by moving the counter.
SFC and JSF are invertible state maps (every step is a bijection), so they step back exactly;
they have no closed-form jump and keep the default.
"""

from __future__ import annotations

import numpy as np

from kernels.generators import _seed_sequence
from kernels.generators._bits import MASK32, MASK64, mulhi64, rotl, rotl_np, unxorshift_right
from kernels.prng import PRNG

__all__ = ["Philox4x32", "Philox4x64", "SFC32", "SFC64", "JSF32", "GENERATORS"]

_U = np.uint64
_U32 = np.uint32


# ---- Philox ------------------------------------------------------------------------------------

_PHILOX_M4x32 = (0xD2511F53, 0xCD9E8D57)
_PHILOX_W32 = (0x9E3779B9, 0xBB67AE85)
_PHILOX_M4x64 = (0xD2E7470EE14C6C93, 0xCA5A826395121157)
_PHILOX_W64 = (0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B)
_ROUNDS = 10


def philox4x32_10(counter: int, key: int) -> list[int]:
    """Random123 ``philox4x32_R(10, ctr, key)``; ``counter`` and ``key`` as little-endian ints."""
    c = [(counter >> (32 * i)) & MASK32 for i in range(4)]
    k0, k1 = key & MASK32, (key >> 32) & MASK32
    for rnd in range(_ROUNDS):
        if rnd:
            k0, k1 = (k0 + _PHILOX_W32[0]) & MASK32, (k1 + _PHILOX_W32[1]) & MASK32
        p0, p1 = _PHILOX_M4x32[0] * c[0], _PHILOX_M4x32[1] * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k0, p1 & MASK32, (p0 >> 32) ^ c[3] ^ k1, p0 & MASK32]
    return c


def philox4x64_10(counter: int, key: int) -> list[int]:
    """Random123 ``philox4x64_R(10, ctr, key)``; ``counter`` and ``key`` as little-endian ints."""
    c = [(counter >> (64 * i)) & MASK64 for i in range(4)]
    k0, k1 = key & MASK64, (key >> 64) & MASK64
    for rnd in range(_ROUNDS):
        if rnd:
            k0, k1 = (k0 + _PHILOX_W64[0]) & MASK64, (k1 + _PHILOX_W64[1]) & MASK64
        p0, p1 = _PHILOX_M4x64[0] * c[0], _PHILOX_M4x64[1] * c[2]
        c = [(p1 >> 64) ^ c[1] ^ k0, p1 & MASK64, (p0 >> 64) ^ c[3] ^ k1, p0 & MASK64]
    return c


def _philox4x32_10_many(c: list[np.ndarray], k0: np.ndarray, k1: np.ndarray) -> list[np.ndarray]:
    m0, m1 = _U(_PHILOX_M4x32[0]), _U(_PHILOX_M4x32[1])
    w0, w1 = _U32(_PHILOX_W32[0]), _U32(_PHILOX_W32[1])
    for rnd in range(_ROUNDS):
        if rnd:
            k0, k1 = k0 + w0, k1 + w1
        p0, p1 = m0 * c[0].astype(np.uint64), m1 * c[2].astype(np.uint64)
        hi0, lo0 = (p0 >> _U(32)).astype(np.uint32), p0.astype(np.uint32)
        hi1, lo1 = (p1 >> _U(32)).astype(np.uint32), p1.astype(np.uint32)
        c = [hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0]
    return c


def _philox4x64_10_many(c: list[np.ndarray], k0: np.ndarray, k1: np.ndarray) -> list[np.ndarray]:
    m0, m1 = _U(_PHILOX_M4x64[0]), _U(_PHILOX_M4x64[1])
    w0, w1 = _U(_PHILOX_W64[0]), _U(_PHILOX_W64[1])
    for rnd in range(_ROUNDS):
        if rnd:
            k0, k1 = k0 + w0, k1 + w1
        hi0, lo0 = mulhi64(c[0], m0), c[0] * m0
        hi1, lo1 = mulhi64(c[2], m1), c[2] * m1
        c = [hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0]
    return c


class Philox4x32(PRNG):
    """Random123 Philox4x32-10 with key = seed, counter from 0, words of each block in order.

    The 64-bit seed is the two-word key ``(seed & 0xffffffff, seed >> 32)``: for seeds below
    2**32 the first key word is the seed and the second is 0. Block ``i`` is
    ``philox4x32_R(10, ctr=i, key)`` with the 128-bit counter ``i`` as four little-endian
    32-bit words; the raw outputs are ``x[0], x[1], x[2], x[3]`` of block 0, then block 1...
    This is also cuRAND's ``curand_init(seed, 0, 0, &philox_state)`` / ``curand()`` layout.
    (Random123's C++ ``r123::Engine`` differs: it pre-increments and returns words in reverse.)
    """

    name = "philox4x32_10"
    prior = 5  # Philox4x32-10, cuRAND/TensorFlow/JAX
    family = "pcg_counter"
    seeding = "Random123 philox4x32_R(10, ctr, key={seed & 0xffffffff, seed >> 32}), ctr = 0, 1, 2, ..."
    state_bits = 128 + 64
    output_bits = 32
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (the 2x32-bit key: low word, high word)"
    invertible = True
    native_below = "mod"
    vouched_by = ("Random123 philox.h (kat_vectors: ctr 0, key 0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8) "
                  "compiled with gcc; cross-checked with randomgen Philox(number=4, width=32)")

    _PERIOD = 4 << 128  # outputs before the 128-bit counter wraps

    def __init__(self, seed: int) -> None:
        self.key = self.check_seed(seed)
        self.counter = 0
        self.index = 0  # next word of block ``counter`` to return
        self._block: list[int] | None = None

    def next_raw(self) -> int:
        if self._block is None:
            self._block = philox4x32_10(self.counter, self.key)
        value = self._block[self.index]
        self.index += 1
        if self.index == 4:
            self.counter = (self.counter + 1) & ((1 << 128) - 1)
            self.index = 0
            self._block = None
        return value

    def _seek(self, position: int) -> None:
        counter, self.index = divmod(position % self._PERIOD, 4)
        if counter != self.counter:
            self.counter, self._block = counter, None

    def step_back(self) -> None:
        self._seek(self.counter * 4 + self.index - 1)

    def jump(self, n: int) -> None:
        self._seek(self.counter * 4 + self.index + n)

    def get_state(self) -> tuple[int, ...]:
        return (self.counter, self.key, self.index)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.counter, self.key, self.index = state
        self._block = None

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        k0 = (seeds & _U(MASK32)).astype(np.uint32)
        k1 = (seeds >> _U(32)).astype(np.uint32)
        out = np.empty((len(seeds), n), dtype=np.uint32)
        zeros = np.zeros(len(seeds), dtype=np.uint32)
        for block in range((n + 3) // 4):
            # n is far below 2**34 outputs: the counter fits its first word
            words = _philox4x32_10_many([zeros + _U32(block), zeros, zeros, zeros], k0, k1)
            for i, word in enumerate(words[: n - 4 * block]):
                out[:, 4 * block + i] = word
        return out


class Philox4x64(PRNG):
    """``numpy.random.Philox(seed)``: Philox4x64-10, key from ``SeedSequence``, counter from 0.

    numpy sets ``key = SeedSequence(seed).generate_state(2, uint64)``, ``counter = 0`` and an
    empty 4-word buffer; each refill *first* increments the 256-bit counter, so the first block
    is ``philox4x64_R(10, ctr=1, key)``. Raw outputs: ``random_raw()``, block words in order.
    """

    name = "philox4x64_10"
    prior = 2  # Philox4x64-10, numpy's Philox bit generator
    family = "pcg_counter"
    seeding = "numpy.random.Philox(seed) (key = SeedSequence(seed).generate_state(2, uint64), counter 0)"
    state_bits = 256 + 128
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (numpy SeedSequence(seed); numpy itself takes any int >= 0)"
    invertible = True
    # numpy Generator.integers(n): Lemire's method on the words' 32-bit halves, low half first
    # (tests/vectors/ranges/pcg64)
    native_below = "lemire32"
    vouched_by = f"numpy {np.__version__}"

    _BUFFER = 4
    _PERIOD = 4 << 256

    def __init__(self, seed: int) -> None:
        k0, k1 = _seed_sequence.generate_state(self.check_seed(seed), 2, 64)
        self.key = k0 | (k1 << 64)
        self.counter = 0
        self.buffer_pos = self._BUFFER  # numpy's names: position in the block of ``counter``
        self._block: list[int] | None = None

    def next_raw(self) -> int:
        if self.buffer_pos >= self._BUFFER:
            self.counter = (self.counter + 1) & ((1 << 256) - 1)
            self.buffer_pos = 0
            self._block = None
        if self._block is None:
            self._block = philox4x64_10(self.counter, self.key)
        value = self._block[self.buffer_pos]
        self.buffer_pos += 1
        return value

    def _seek(self, position: int) -> None:
        # position = 4 * counter + buffer_pos with buffer_pos in 1..4, numpy's own normal form
        counter = (position - 1) % self._PERIOD // 4
        self.buffer_pos = position - 4 * counter if position > 0 else (position - 1) % 4 + 1
        if counter != self.counter:
            self.counter, self._block = counter, None

    def step_back(self) -> None:
        self._seek((self.counter * 4 + self.buffer_pos - 1) % self._PERIOD)

    def jump(self, n: int) -> None:
        self._seek((self.counter * 4 + self.buffer_pos + n) % self._PERIOD)

    def get_state(self) -> tuple[int, ...]:
        return (self.counter, self.key, self.buffer_pos)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.counter, self.key, self.buffer_pos = state
        self._block = None

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        keys = _seed_sequence.generate_state_many(seeds, 2, 64)
        k0, k1 = keys[:, 0], keys[:, 1]
        out = np.empty((len(k0), n), dtype=np.uint64)
        zeros = np.zeros(len(k0), dtype=np.uint64)
        for block in range((n + 3) // 4):
            words = _philox4x64_10_many([zeros + _U(block + 1), zeros, zeros, zeros], k0, k1)
            for i, word in enumerate(words[: n - 4 * block]):
                out[:, 4 * block + i] = word
        return out


# ---- SFC ---------------------------------------------------------------------------------------


class _SFC(PRNG):
    """Chris Doty-Humphrey's Small Fast Chaotic generator, state ``(a, b, c, counter)``."""

    family = "pcg_counter"
    invertible = True
    BITS: int
    BARREL_SHIFT: int
    RSHIFT: int
    LSHIFT: int
    _MASK: int  # set per subclass from BITS
    _INV_B: int
    a: int
    b: int
    c: int
    counter: int

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._MASK = (1 << cls.BITS) - 1
        # b = c + (c << LSHIFT) is c * (1 + 2**LSHIFT): odd, hence invertible
        cls._INV_B = pow(1 + (1 << cls.LSHIFT), -1, 1 << cls.BITS)

    def next_raw(self) -> int:
        mask = self._MASK
        a, b, c, counter = self.a, self.b, self.c, self.counter
        tmp = (a + b + counter) & mask
        self.counter = (counter + 1) & mask
        self.a = b ^ (b >> self.RSHIFT)
        self.b = (c + (c << self.LSHIFT)) & mask
        self.c = (rotl(c, self.BARREL_SHIFT, self.BITS) + tmp) & mask
        return tmp

    def step_back(self) -> None:
        mask = self._MASK
        counter = (self.counter - 1) & mask
        b = unxorshift_right(self.a, self.RSHIFT, self.BITS)
        c = (self.b * self._INV_B) & mask
        tmp = (self.c - rotl(c, self.BARREL_SHIFT, self.BITS)) & mask
        self.a, self.b, self.c, self.counter = (tmp - b - counter) & mask, b, c, counter

    def get_state(self) -> tuple[int, ...]:
        return (self.a, self.b, self.c, self.counter)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.a, self.b, self.c, self.counter = state

    @classmethod
    def _run_many(cls, a, b, c, counter, warmup: int, n: int, dtype) -> np.ndarray:
        rs, ls = dtype(cls.RSHIFT), dtype(cls.LSHIFT)
        out = np.empty((len(a), n), dtype=dtype)
        one = dtype(1)
        for col in range(-warmup, n):
            tmp = a + b + counter
            counter = counter + one
            a = b ^ (b >> rs)
            b = c + (c << ls)
            c = rotl_np(c, cls.BARREL_SHIFT) + tmp
            if col >= 0:
                out[:, col] = tmp
        return out


class SFC32(_SFC):
    """SFC32 as PractRand 0.94 seeds it: ``sfc32::seed(Uint64 s)``.

    ``a = 0, b = (uint32)s, c = (uint32)(s >> 32), counter = 1``, then 12 discarded outputs;
    shifts {21, 9, 3} (the current PractRand constants; versions before 0.93 used {25, 8, 3}).
    """

    name = "sfc32"
    prior = 5  # sfc32, JavaScript libraries and game code
    seeding = "PractRand sfc32::seed(Uint64 s): a=0, b=s low, c=s high, counter=1, 12 warm-up rounds"
    state_bits = 128
    output_bits = 32
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (PractRand's Uint64 seed: low word into b, high word into c)"
    native_below = "mod"
    vouched_by = "PractRand 0.94 (sfc.cpp, Raw::sfc32) compiled with g++"

    BITS, BARREL_SHIFT, RSHIFT, LSHIFT = 32, 21, 9, 3
    WARMUP = 12

    def __init__(self, seed: int) -> None:
        seed = self.check_seed(seed)
        self.a, self.b, self.c, self.counter = 0, seed & MASK32, seed >> 32, 1
        for _ in range(self.WARMUP):
            self.next_raw()

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        b = (seeds & _U(MASK32)).astype(np.uint32)
        c = (seeds >> _U(32)).astype(np.uint32)
        a = np.zeros_like(b)
        return cls._run_many(a, b, c, a + _U32(1), cls.WARMUP, n, np.uint32)


class SFC64(_SFC):
    """``numpy.random.SFC64(seed)``: ``a, b, c = SeedSequence(seed).generate_state(3, uint64)``,
    ``counter = 1``, then 12 discarded outputs (numpy's ``sfc64_set_seed``); shifts {24, 11, 3}.
    """

    name = "sfc64"
    prior = 5  # SFC64, numpy's SFC64 bit generator
    seeding = ("numpy.random.SFC64(seed) (a, b, c = SeedSequence(seed).generate_state(3, uint64), "
               "counter 1, 12 warm-up rounds)")
    state_bits = 256
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (numpy SeedSequence(seed); numpy itself takes any int >= 0)"
    # numpy Generator.integers(n): Lemire's method on the words' 32-bit halves, low half first
    # (tests/vectors/ranges/pcg64)
    native_below = "lemire32"
    vouched_by = f"numpy {np.__version__}"

    BITS, BARREL_SHIFT, RSHIFT, LSHIFT = 64, 24, 11, 3
    WARMUP = 12

    def __init__(self, seed: int) -> None:
        self.a, self.b, self.c = _seed_sequence.generate_state(self.check_seed(seed), 3, 64)
        self.counter = 1
        for _ in range(self.WARMUP):
            self.next_raw()

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        words = _seed_sequence.generate_state_many(seeds, 3, 64)
        a, b, c = words[:, 0], words[:, 1], words[:, 2]
        return cls._run_many(a, b, c, np.ones_like(a), cls.WARMUP, n, np.uint64)


# ---- JSF ---------------------------------------------------------------------------------------


class JSF32(PRNG):
    """Bob Jenkins' small fast generator (32-bit), ``raninit(&x, seed)`` / ``ranval(&x)``.

    ``a = 0xf1ea5eed, b = c = d = seed``, 20 discarded outputs (the reference; PractRand's
    ``jsf32::seed(Uint64)`` is the same for seeds below 2**32).
    """

    name = "jsf32"
    prior = 3  # Jenkins small fast 32, game code
    family = "pcg_counter"
    seeding = "Jenkins raninit(seed): a=0xf1ea5eed, b=c=d=seed, 20 warm-up rounds"
    state_bits = 128
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (raninit takes a u4 seed)"
    invertible = True
    native_below = "mod"
    vouched_by = ("PractRand 0.94 (jsf.cpp, Raw::jsf32::seed, documented to match Jenkins' raninit "
                  "for 32-bit seeds) compiled with g++; cross-checked with randomgen JSF(size=32)")

    WARMUP = 20

    def __init__(self, seed: int) -> None:
        seed = self.check_seed(seed)
        self.a, self.b, self.c, self.d = 0xF1EA5EED, seed, seed, seed
        for _ in range(self.WARMUP):
            self.next_raw()

    def next_raw(self) -> int:
        a, b, c, d = self.a, self.b, self.c, self.d
        e = (a - rotl(b, 27, 32)) & MASK32
        self.a = b ^ rotl(c, 17, 32)
        self.b = (c + d) & MASK32
        self.c = (d + e) & MASK32
        self.d = (e + self.a) & MASK32
        return self.d

    def step_back(self) -> None:
        e = (self.d - self.a) & MASK32
        d = (self.c - e) & MASK32
        c = (self.b - d) & MASK32
        b = self.a ^ rotl(c, 17, 32)
        self.a, self.b, self.c, self.d = (e + rotl(b, 27, 32)) & MASK32, b, c, d

    def get_state(self) -> tuple[int, ...]:
        return (self.a, self.b, self.c, self.d)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.a, self.b, self.c, self.d = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        b = np.asarray(seeds, dtype=np.uint64).astype(np.uint32)
        a = np.full_like(b, 0xF1EA5EED)
        c, d = b.copy(), b.copy()
        out = np.empty((len(b), n), dtype=np.uint32)

        for col in range(-cls.WARMUP, n):
            e = a - rotl_np(b, 27)
            a = b ^ rotl_np(c, 17)
            b = c + d
            c = d + e
            d = e + a
            if col >= 0:
                out[:, col] = d
        return out


GENERATORS = (Philox4x32, Philox4x64, SFC32, SFC64, JSF32)
