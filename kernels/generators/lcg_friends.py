"""The LCG family's "friends": lagged generators seeded by an LCG, as real runtimes run them.

* ``glibc_random``: glibc ``srand``/``rand`` (= ``srandom``/``random``), the TYPE_3 additive
  lagged Fibonacci generator ``r[i] = r[i-3] + r[i-31] mod 2**32`` seeded by MINSTD;
* ``dotnet_random``: .NET ``System.Random(int seed)``, Knuth's subtractive generator as Numerical
  Recipes wrote it (with Microsoft's lag of 21 instead of 24);
* ``ranlux24_base`` / ``ranlux48_base``: libstdc++ subtract-with-carry engines seeded by
  ``linear_congruential_engine<..., 40014, 0, 2147483563>``;
* ``knuth_b``: libstdc++ ``shuffle_order_engine<minstd_rand0, 256>``.
"""

from __future__ import annotations

from typing import ClassVar, TYPE_CHECKING

import numpy as np

from kernels.generators._bits import MASK32
from kernels.generators.lcg import CanonicalDouble, mulmod_mersenne31
from kernels.prng import PRNG

if TYPE_CHECKING:  # only for annotations: kernels.sieve imports the generators
    from kernels.sieve.vector import LaneStreams

__all__ = ["GlibcRandom", "DotnetRandom", "Ranlux24Base", "Ranlux48Base", "KnuthB", "GENERATORS"]


# ---- glibc random() ------------------------------------------------------------------------------


class GlibcRandom(PRNG):
    """glibc ``srand(seed)``/``rand()`` (aliases of ``srandom``/``random``), TYPE_3 state.

    ``srandom(seed)``: ``r[0] = seed`` (0 becomes 1), ``r[i] = 16807 r[i-1] mod 2**31 - 1`` for
    ``i < 31``, computed as glibc does with Schrage's method on a *signed* 32-bit word (so seeds
    >= 2**31 start from a negative ``r[0]`` and follow glibc's arithmetic, not the textbook
    recurrence); then ``r[i] = r[i-31] + r[i-3]`` mod 2**32 and 310 outputs are discarded.
    Raw output: ``rand()`` = ``r[i] >> 1`` (31 bits).

    The state is the 31 most recent ``r`` words, oldest first. The recurrence can be solved for
    its oldest term (``r[i-31] = r[i] - r[i-3]``), so the generator steps backwards exactly; it
    is linear over Z/2**32, so long jumps are polynomial powers.
    """

    name = "glibc_random"
    prior = 100  # rand()/random() of glibc: C and C++ on Linux
    family = "lcg"
    seeding = "srand(seed) / srandom(seed) (rand() without srand() is srand(1))"
    state_bits = 31 * 32
    output_bits = 31
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (srand(unsigned int); 0 is replaced by 1, so it equals seed 1)"
    invertible = True
    native_below = "c_rand_mod"
    vouched_by = "glibc 2.36 srand()/rand()"

    DEGREE = 31
    SEPARATION = 3
    DISCARD = 310

    def __init__(self, seed: int) -> None:
        seed = self.check_seed(seed)
        table = self._initial_table(seed)
        # glibc's front pointer starts at r[3] and its rear pointer at r[0]: read from r[3] on,
        # the ring is in generation order (oldest first)
        self._ring = table[self.SEPARATION:] + table[:self.SEPARATION]
        self._oldest = 0
        for _ in range(self.DISCARD):
            self.next_raw()

    @staticmethod
    def _initial_table(seed: int) -> list[int]:
        word = seed or 1
        word = word - (1 << 32) if word >= 1 << 31 else word  # int32_t word = seed
        table = [word & MASK32]
        for _ in range(30):
            hi = abs(word) // 127773 * (1 if word >= 0 else -1)  # C division truncates
            lo = word - hi * 127773
            word = 16807 * lo - 2836 * hi
            if word < 0:
                word += 2147483647
            table.append(word & MASK32)
        return table

    def next_raw(self) -> int:
        ring, i = self._ring, self._oldest
        value = (ring[i] + ring[(i + self.DEGREE - self.SEPARATION) % self.DEGREE]) & MASK32
        ring[i] = value
        self._oldest = (i + 1) % self.DEGREE
        return value >> 1

    def step_back(self) -> None:
        ring = self._ring
        i = self._oldest = (self._oldest - 1) % self.DEGREE
        ring[i] = (ring[i] - ring[(i + self.DEGREE - self.SEPARATION) % self.DEGREE]) & MASK32

    #: below this many steps, stepping one by one is cheaper than the polynomial jump
    JUMP_THRESHOLD = 512

    def jump(self, n: int) -> None:
        """Advance ``n`` outputs; long jumps use ``x**n mod (x**31 - x**28 - 1)`` over Z/2**32.

        With ``s`` the sequence from the oldest word of the window and
        ``x**n = sum c_i x**i`` modulo the characteristic polynomial, ``s[n + j] =
        sum c_i s[i + j]`` for every ``j``: the new window is 31 such sums over ``s[0..60]``.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        if n < self.JUMP_THRESHOLD:
            super().jump(n)
            return
        degree, sep = self.DEGREE, self.SEPARATION
        seq = list(self.get_state())
        for k in range(degree, 2 * degree - 1):
            seq.append((seq[k - degree] + seq[k - sep]) & MASK32)

        def mulmod(p: list[int], q: list[int]) -> list[int]:
            prod = [0] * (2 * degree - 1)
            for i, a in enumerate(p):
                if a:
                    for j, b in enumerate(q):
                        prod[i + j] += a * b
            for d in range(2 * degree - 2, degree - 1, -1):  # x**31 = x**28 + 1
                c = prod[d]
                if c:
                    prod[d - sep] += c
                    prod[d - degree] += c
            return [c & MASK32 for c in prod[:degree]]

        result = [1] + [0] * (degree - 1)
        power = [0, 1] + [0] * (degree - 2)
        while n:
            if n & 1:
                result = mulmod(result, power)
            power = mulmod(power, power)
            n >>= 1
        self._ring = [sum(c * seq[i + j] for i, c in enumerate(result)) & MASK32
                      for j in range(degree)]
        self._oldest = 0

    def get_state(self) -> tuple[int, ...]:
        i = self._oldest
        return tuple(self._ring[i:] + self._ring[:i])

    def set_state(self, state: tuple[int, ...]) -> None:
        if len(state) != self.DEGREE:
            raise ValueError(f"{self.name}: state must hold {self.DEGREE} words")
        self._ring = [int(word) & MASK32 for word in state]
        self._oldest = 0

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        word = np.where(seeds == 0, np.uint64(1), seeds).astype(np.int64)
        word = np.where(word >= 1 << 31, word - (1 << 32), word)
        # rows are words, columns are seeds: every step touches contiguous rows
        table = np.empty((cls.DEGREE, len(seeds)), dtype=np.uint32)
        table[0] = word.astype(np.uint32)  # int64 -> uint32 keeps the low 32 bits
        for row in range(1, cls.DEGREE):
            hi = np.sign(word) * (np.abs(word) // 127773)
            lo = word - hi * 127773
            word = 16807 * lo - 2836 * hi
            word = np.where(word < 0, word + 2147483647, word)
            table[row] = word.astype(np.uint32)
        # the ring in generation order: r[3..30], r[0..2]; uint32 sums wrap mod 2**32
        ring = np.concatenate([table[cls.SEPARATION:], table[:cls.SEPARATION]])
        out = np.empty((len(seeds), n), dtype=np.uint32)
        lag = cls.DEGREE - cls.SEPARATION
        for step in range(cls.DISCARD + n):
            i = step % cls.DEGREE
            ring[i] += ring[(i + lag) % cls.DEGREE]
            if step >= cls.DISCARD:
                out[:, step - cls.DISCARD] = ring[i] >> np.uint32(1)
        return out


# ---- .NET System.Random ---------------------------------------------------------------------------


def _int32(x: int) -> int:
    return ((x + (1 << 31)) & MASK32) - (1 << 31)


class DotnetRandom(PRNG):
    """.NET ``System.Random(int Seed)``: the .NET Framework algorithm, kept by .NET Core/5+ as
    ``Net5CompatSeedImpl`` for every seeded ``Random`` (Mono runs the same reference source).

    55-word subtractive generator, indices ``inext``/``inextp`` starting at 0 and 21 (Knuth's
    lag is 24; Microsoft's transcription of Numerical Recipes uses 21). All arithmetic is C#'s
    unchecked ``int``, reproduced here, including the overflow that large seeds cause in the
    seeding loops. Raw output: ``InternalSample()`` = ``Next()``, in ``[0, 2**31 - 2]``.
    :meth:`next_double` is ``Sample()`` = ``InternalSample() * (1.0 / int.MaxValue)``, so
    ``float_mul:N`` is ``Next(N)`` (``(int)(Sample() * N)``) and ``NextDouble() * N``.

    Seeds: ``Random(s)`` uses ``|s|`` (``int.MinValue`` acts as ``int.MaxValue``), so the
    non-negative ints cover every stream; ``new Random(unchecked((int) u))`` for an unsigned
    ``u >= 2**31`` is seed ``2**32 - u``.
    """

    name = "dotnet_random"
    prior = 40  # .NET System.Random(seed)
    family = "lcg"
    seeding = "new System.Random(seed) (seed >= 0; a negative int seed s acts as |s|)"
    state_bits = 55 * 31
    output_bits = 31
    seed_bits = 31
    seed_space = "0 <= seed < 2**31 (Random(int); negative seeds alias |seed|)"
    native_below = "float_mul"
    vouched_by = ("Mono 6.8 System.Random (Microsoft reference source); new Random(0).Next() = "
                  "1559595546, 1755192844, 1649316166 as in .NET")

    MBIG = 2147483647
    MSEED = 161803398

    def __init__(self, seed: int) -> None:
        seed = self.check_seed(seed)
        table = [0] * 56
        mj = self.MSEED - seed
        table[55] = mj
        mk = 1
        for i in range(1, 55):
            ii = 21 * i % 55
            table[ii] = mk
            mk = _int32(mj - mk)
            if mk < 0:
                mk += self.MBIG
            mj = table[ii]
        for _ in range(4):
            for i in range(1, 56):
                value = _int32(table[i] - table[1 + (i + 30) % 55])
                table[i] = value + self.MBIG if value < 0 else value
        self._table = table
        self._inext = 0
        self._inextp = 21

    def _internal_sample(self) -> int:
        inext = self._inext + 1 if self._inext < 55 else 1
        inextp = self._inextp + 1 if self._inextp < 55 else 1
        value = _int32(self._table[inext] - self._table[inextp])
        if value == self.MBIG:
            value -= 1
        if value < 0:
            value += self.MBIG
        self._table[inext] = value
        self._inext, self._inextp = inext, inextp
        return value

    def next_raw(self) -> int:
        # -1 would need the table to hold -1 and int.MaxValue at once (an overflow corner of the
        # seeding); its low 31 bits stand for it so that raw outputs stay unsigned
        return self._internal_sample() & 0x7FFFFFFF

    def next_double(self) -> float:
        raw = self.next_raw()
        sample = -1 if raw == 0x7FFFFFFF else raw  # InternalSample() never returns MBIG itself
        return sample * (1.0 / self.MBIG)

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        raw = streams.take(lanes).astype(np.float64)
        return np.where(raw == 0x7FFFFFFF, -1.0, raw) * (1.0 / cls.MBIG)

    def get_state(self) -> tuple[int, ...]:
        return (self._inext, self._inextp, *self._table[1:])

    def set_state(self, state: tuple[int, ...]) -> None:
        if len(state) != 57:
            raise ValueError(f"{self.name}: state must hold inext, inextp and 55 words")
        self._inext, self._inextp = int(state[0]), int(state[1])
        self._table = [0, *(int(v) for v in state[2:])]

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        if np.any(seeds >= np.uint64(1 << cls.seed_bits)):
            raise ValueError(f"{cls.name}: seeds outside {cls.seed_space}")
        # int32 columns: numpy's int32 arithmetic wraps like C#'s unchecked int
        table = np.zeros((56, len(seeds)), dtype=np.int32)  # rows: words, columns: seeds
        mbig = np.int32(cls.MBIG)
        mj = (np.int64(cls.MSEED) - seeds.astype(np.int64)).astype(np.int32)
        table[55] = mj
        mk = np.ones(len(seeds), dtype=np.int32)
        with np.errstate(over="ignore"):
            for i in range(1, 55):
                ii = 21 * i % 55
                table[ii] = mk
                mk = mj - mk
                mk = np.where(mk < 0, mk + mbig, mk)
                mj = table[ii].copy()
            for _ in range(4):
                for i in range(1, 56):
                    value = table[i] - table[1 + (i + 30) % 55]
                    table[i] = np.where(value < 0, value + mbig, value)
            out = np.empty((len(seeds), n), dtype=np.uint32)
            inext, inextp = 0, 21
            for col in range(n):
                inext = inext + 1 if inext < 55 else 1
                inextp = inextp + 1 if inextp < 55 else 1
                value = table[inext] - table[inextp]
                value = np.where(value == mbig, value - np.int32(1), value)
                value = np.where(value < 0, value + mbig, value)
                table[inext] = value
                out[:, col] = value.astype(np.uint32) & np.uint32(0x7FFFFFFF)
        return out


# ---- libstdc++ subtract-with-carry --------------------------------------------------------------


class _SubtractWithCarry(CanonicalDouble):
    """libstdc++ ``subtract_with_carry_engine<UIntType, w, s, r>`` seeded with an integer.

    ``seed(value)``: ``linear_congruential_engine<result_type, 40014, 0, 2147483563>`` started
    at ``value`` (0 means ``default_seed`` = 19780503; a multiple of the modulus starts at 1)
    fills each of the ``r`` words with ``ceil(w/32)`` of its outputs, low word first, mod 2**w;
    the carry starts as ``x[r-1] == 0``. Each step ``x_i = x_{i-s} - x_{i-r} - carry`` mod 2**w.

    Not invertible: from the state alone the previous carry is ambiguous whenever
    ``x_{i-s} > x_i``. No cheap jump-ahead either (the equivalent LCG has a modulus of
    ``w * r`` bits).
    """

    family = "lcg"
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (seed(result_type); 0 selects default_seed 19780503)"
    vouched_by = "g++ 12 libstdc++ <random>"
    # uniform_int_distribution over 0 .. 2**w - 1 (w = 24, 48): the division downscaling
    native_below = "cpp_downscale"

    WORD_BITS: ClassVar[int]
    SHORT_LAG: ClassVar[int]
    LONG_LAG: ClassVar[int]
    DEFAULT_SEED = 19780503
    LCG_MULTIPLIER = 40014
    LCG_MODULUS = 2147483563

    def __init__(self, seed: int) -> None:
        seed = self.check_seed(seed)
        lcg = (seed or self.DEFAULT_SEED) % self.LCG_MODULUS or 1
        words_per_value = (self.WORD_BITS + 31) // 32
        mask = (1 << self.WORD_BITS) - 1
        x = []
        for _ in range(self.LONG_LAG):
            total = 0
            for j in range(words_per_value):
                lcg = lcg * self.LCG_MULTIPLIER % self.LCG_MODULUS
                total += lcg << (32 * j)
            x.append(total & mask)
        self._x = x
        self._carry = 1 if x[-1] == 0 else 0
        self._p = 0

    def next_raw(self) -> int:
        x, p = self._x, self._p
        short = x[p - self.SHORT_LAG]  # negative index wraps around the ring like libstdc++
        if short >= x[p] + self._carry:
            value = short - x[p] - self._carry
            self._carry = 0
        else:
            value = (1 << self.WORD_BITS) - x[p] - self._carry + short
            self._carry = 1
        x[p] = value
        self._p = p + 1 if p + 1 < self.LONG_LAG else 0
        return value

    def get_state(self) -> tuple[int, ...]:
        p = self._p
        return (*self._x[p:], *self._x[:p], self._carry)

    def set_state(self, state: tuple[int, ...]) -> None:
        if len(state) != self.LONG_LAG + 1:
            raise ValueError(f"{self.name}: state must hold {self.LONG_LAG} words and the carry")
        self._x = [int(v) for v in state[:-1]]
        self._carry = int(state[-1])
        self._p = 0

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        modulus = np.uint64(cls.LCG_MODULUS)
        lcg = np.where(seeds == 0, np.uint64(cls.DEFAULT_SEED), seeds) % modulus
        lcg[lcg == 0] = 1
        words_per_value = (cls.WORD_BITS + 31) // 32
        mask = np.uint64((1 << cls.WORD_BITS) - 1)
        x = np.empty((cls.LONG_LAG, len(seeds)), dtype=np.uint64)  # rows: words
        for i in range(cls.LONG_LAG):
            total = np.zeros(len(seeds), dtype=np.uint64)
            for j in range(words_per_value):
                lcg = lcg * np.uint64(cls.LCG_MULTIPLIER) % modulus  # < 2**47: no wrap
                total += lcg << np.uint64(32 * j)
            x[i] = total & mask
        carry = (x[-1] == 0).astype(np.uint64)
        dtype = np.uint64 if cls.output_bits > 32 else np.uint32
        out = np.empty((len(seeds), n), dtype=dtype)
        for col in range(n):
            p = col % cls.LONG_LAG
            short = x[(p - cls.SHORT_LAG) % cls.LONG_LAG]
            borrow = short < x[p] + carry
            # uint64 wraps; reducing mod 2**w (which divides 2**64) is then exact
            value = (short - x[p] - carry) & mask
            x[p] = value
            carry = borrow.astype(np.uint64)
            out[:, col] = value.astype(dtype)
        return out


class Ranlux24Base(_SubtractWithCarry):
    """``std::ranlux24_base``: ``subtract_with_carry_engine<uint_fast32_t, 24, 10, 24>``."""

    name = "ranlux24_base"
    prior = 3  # std::ranlux24_base, rarely chosen
    seeding = "std::ranlux24_base(seed)"
    state_bits = 24 * 24 + 1
    output_bits = 24
    WORD_BITS = 24
    SHORT_LAG = 10
    LONG_LAG = 24


class Ranlux48Base(_SubtractWithCarry):
    """``std::ranlux48_base``: ``subtract_with_carry_engine<uint_fast64_t, 48, 5, 12>`` (each
    word seeded from two LCG outputs, low 32 bits first)."""

    name = "ranlux48_base"
    prior = 2  # std::ranlux48_base, rarely chosen
    seeding = "std::ranlux48_base(seed)"
    state_bits = 12 * 48 + 1
    output_bits = 48
    WORD_BITS = 48
    SHORT_LAG = 5
    LONG_LAG = 12


# ---- libstdc++ knuth_b -----------------------------------------------------------------------------


class KnuthB(CanonicalDouble):
    """``std::knuth_b``: ``shuffle_order_engine<minstd_rand0, 256>`` (Bays-Durham shuffle).

    Construction seeds ``minstd_rand0`` (``seed mod 2**31 - 1``, 0 becomes 1), fills the table
    with its first 256 outputs and ``y`` with the 257th. Each step: ``j = 256 (y - 1) /
    (2**31 - 2)`` (libstdc++ evaluates it in ``long double``; the quotient is never within
    ``2**-38`` of an integer, so exact integer division agrees), output ``y = v[j]``, refill
    ``v[j]``. Raw output: ``y``, in ``[1, 2**31 - 2]``.

    Not invertible from the state (the previous ``y`` is no longer stored anywhere).
    """

    name = "knuth_b"
    prior = 3  # std::knuth_b, rarely chosen
    family = "lcg"
    seeding = "std::knuth_b(seed) (default constructor: seed 1)"
    state_bits = 257 * 31 + 31
    output_bits = 31
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (minstd_rand0's seed: reduced mod 2**31 - 1, 0 becomes 1)"
    vouched_by = "g++ 12 libstdc++ <random>"

    TABLE_SIZE = 256
    MULTIPLIER = 16807
    MODULUS = (1 << 31) - 1
    # uniform_int_distribution over min() = 1 .. max() = 2**31 - 2: the division downscaling
    native_below = "cpp_downscale"
    raw_min, raw_max = 1, (1 << 31) - 2
    #: max() - min() + 1 of minstd_rand0
    RANGE = MODULUS - 1

    def __init__(self, seed: int) -> None:
        self._b = self.check_seed(seed) % self.MODULUS or 1
        self._v = [self._base() for _ in range(self.TABLE_SIZE)]
        self._y = self._base()

    def _base(self) -> int:
        self._b = self._b * self.MULTIPLIER % self.MODULUS
        return self._b

    def next_raw(self) -> int:
        j = self.TABLE_SIZE * (self._y - 1) // self.RANGE
        self._y = self._v[j]
        self._v[j] = self._base()
        return self._y

    def get_state(self) -> tuple[int, ...]:
        return (self._b, self._y, *self._v)

    def set_state(self, state: tuple[int, ...]) -> None:
        if len(state) != self.TABLE_SIZE + 2:
            raise ValueError(f"{self.name}: state must hold the base state, y and the table")
        self._b, self._y = int(state[0]), int(state[1])
        self._v = [int(v) for v in state[2:]]

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        b = np.asarray(seeds, dtype=np.uint64) % np.uint64(cls.MODULUS)
        b[b == 0] = 1
        table = np.empty((cls.TABLE_SIZE, len(b)), dtype=np.uint32)  # rows: slots
        for slot in range(cls.TABLE_SIZE):
            b = mulmod_mersenne31(b, cls.MULTIPLIER)
            table[slot] = b
        b = mulmod_mersenne31(b, cls.MULTIPLIER)
        y = b.astype(np.uint32)
        rows = np.arange(len(b))
        out = np.empty((len(b), n), dtype=np.uint32)
        for col in range(n):
            j = (np.uint64(cls.TABLE_SIZE) * (y.astype(np.uint64) - np.uint64(1))) // np.uint64(cls.RANGE)
            y = table[j, rows]
            b = mulmod_mersenne31(b, cls.MULTIPLIER)
            table[j, rows] = b
            out[:, col] = y
        return out


GENERATORS = (GlibcRandom, DotnetRandom, Ranlux24Base, Ranlux48Base, KnuthB)
