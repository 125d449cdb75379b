"""Mersenne Twister family: MT19937 / MT19937-64 under the seeding conventions of real runtimes,
and TinyMT32.

Every MT19937 entry shares the same recurrence and tempering; they differ in how the 624-word
state is seeded (``init_genrand`` or ``init_by_array``), in PHP's pre-7.1 twist bug, and in how
the runtime builds a double. Those differences are what the entries exist to tell apart.

The state is the 624 (312 for the 64-bit variant) words plus a read index. As in the reference
code, seeding leaves the index at ``N`` so the first output twists; an index of 0 therefore means
"this block has just been twisted". Stepping backwards across a block boundary untwists the whole
block: the twist is a bijection on the 19937 significant state bits, and the only bits it does not
hand back directly (the low bits of word 0) are recovered from the previous block's last step.
"""

from __future__ import annotations

import math
from typing import ClassVar, TYPE_CHECKING

import numpy as np

from kernels.generators._bits import MASK32, MASK64
from kernels.prng import PRNG

if TYPE_CHECKING:  # only for annotations: kernels.sieve imports the generators
    from kernels.sieve.vector import LaneStreams

__all__ = [
    "MT19937",
    "MT19937_64",
    "CPythonRandom",
    "NumpyRandomState",
    "PhpMtRand",
    "PhpMtRandLegacy",
    "RubyRandom",
    "TinyMT32",
    "GENERATORS",
]

_TWO_POW_64 = float(1 << 64)
#: the largest double below 1.0: libstdc++'s generate_canonical clamps to it
_BELOW_ONE = math.nextafter(1.0, 0.0)
#: mt_getrandmax()
_PHP_MT_RAND_MAX = float((1 << 31) - 1)


class _MersenneTwister(PRNG):
    """MT19937-shaped generator: parameters as class variables, seeding left to subclasses.

    Subclasses implement :meth:`_seed_state` (scalar) and :meth:`_seed_many` (numpy, shape
    ``(N, len(seeds))``); everything else (twist, temper, untwist, vectorised generation) is here.
    """

    family = "mersenne_twister"
    state_bits = 19937
    invertible = True

    # word size, degree, middle word, separation point (low bits taken from the next word), matrix
    W: ClassVar[int] = 32
    N: ClassVar[int] = 624
    M: ClassVar[int] = 397
    R: ClassVar[int] = 31
    A: ClassVar[int] = 0x9908B0DF
    # tempering
    U: ClassVar[int] = 11
    D: ClassVar[int] = 0xFFFFFFFF
    S: ClassVar[int] = 7
    B: ClassVar[int] = 0x9D2C5680
    T: ClassVar[int] = 15
    C: ClassVar[int] = 0xEFC60000
    L: ClassVar[int] = 18
    #: init_genrand multiplier
    F: ClassVar[int] = 1812433253
    #: PHP 5.2.1..7.0 decides the matrix term by the low bit of the *current* word, not of the
    #: mixed word (php_mt_rand's ``twist_php``); PHP 7.1+ keeps it as MT_RAND_PHP mode
    LEGACY_PHP_TWIST: ClassVar[bool] = False

    def __init__(self, seed: int) -> None:
        self.mt = self._seed_state(self.check_seed(seed))
        self.index = self.N

    # ---- seeding conventions ---------------------------------------------------------------

    @classmethod
    def _seed_state(cls, seed: int) -> list[int]:
        raise NotImplementedError

    @classmethod
    def _seed_many(cls, seeds: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @classmethod
    def _init_genrand(cls, seed: int) -> list[int]:
        mask = (1 << cls.W) - 1
        shift = cls.W - 2
        mt = [seed & mask]
        for i in range(1, cls.N):
            prev = mt[-1]
            mt.append((cls.F * (prev ^ (prev >> shift)) + i) & mask)
        return mt

    @classmethod
    def _init_genrand_many(cls, seeds: np.ndarray) -> np.ndarray:
        # uint64 arithmetic wraps mod 2**64; for W=32 the product of two 32-bit values fits, and
        # masking keeps the low word, which is all init_genrand keeps
        mt = np.empty((cls.N, len(seeds)), dtype=np.uint64)
        mask = np.uint64((1 << cls.W) - 1)
        f, shift = np.uint64(cls.F), np.uint64(cls.W - 2)
        mt[0] = np.asarray(seeds, dtype=np.uint64) & mask
        for i in range(1, cls.N):
            prev = mt[i - 1]
            mt[i] = (f * (prev ^ (prev >> shift)) + np.uint64(i)) & mask
        return mt

    @classmethod
    def _init_by_array(cls, key: list[int]) -> list[int]:
        """Matsumoto and Nishimura's ``init_by_array`` (mt19937ar.c), 32-bit only."""
        n = cls.N
        mt = cls._init_genrand(19650218)
        i, j = 1, 0
        for _ in range(max(n, len(key))):
            prev = mt[i - 1]
            mt[i] = ((mt[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + j) & MASK32
            i += 1
            j += 1
            if i >= n:
                mt[0] = mt[n - 1]
                i = 1
            if j >= len(key):
                j = 0
        for _ in range(n - 1):
            prev = mt[i - 1]
            mt[i] = ((mt[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - i) & MASK32
            i += 1
            if i >= n:
                mt[0] = mt[n - 1]
                i = 1
        mt[0] = 0x80000000
        return mt

    @classmethod
    def _init_by_array_many(cls, low: np.ndarray, high: np.ndarray, two_words: np.ndarray) -> np.ndarray:
        """``init_by_array`` for one- or two-word keys, vectorised: key ``[low]`` where
        ``two_words`` is false, ``[low, high]`` where it is true. Shape ``(N, len(low))``."""
        n = cls.N
        count = len(low)
        base = np.array(cls._init_genrand(19650218), dtype=np.uint64)
        mt = np.repeat(base[:, None], count, axis=1)
        mask = np.uint64(MASK32)
        low = low.astype(np.uint64)
        high = high.astype(np.uint64)
        thirty = np.uint64(30)
        # with keys of at most two words the first loop runs exactly N times and j = step % len
        i = 1
        for step in range(n):
            prev = mt[i - 1]
            if step & 1:
                word = np.where(two_words, high + np.uint64(1), low)
            else:
                word = low
            mt[i] = ((mt[i] ^ ((prev ^ (prev >> thirty)) * np.uint64(1664525))) + word) & mask
            i += 1
            if i >= n:
                mt[0] = mt[n - 1]
                i = 1
        for _ in range(n - 1):
            prev = mt[i - 1]
            mt[i] = ((mt[i] ^ ((prev ^ (prev >> thirty)) * np.uint64(1566083941))) - np.uint64(i)) & mask
            i += 1
            if i >= n:
                mt[0] = mt[n - 1]
                i = 1
        mt[0] = np.uint64(0x80000000)
        return mt

    # ---- the recurrence --------------------------------------------------------------------

    @classmethod
    def _masks(cls) -> tuple[int, int]:
        lower = (1 << cls.R) - 1
        return ((1 << cls.W) - 1) ^ lower, lower

    @classmethod
    def _twist(cls, mt: list[int]) -> None:
        n, m, a = cls.N, cls.M, cls.A
        upper, lower = cls._masks()
        legacy = cls.LEGACY_PHP_TWIST
        # in place and in order, like the reference: the last word mixes with the *new* word 0
        # and words from n-m on read already-twisted words
        for i in range(n):
            cur = mt[i]
            y = (cur & upper) | (mt[(i + 1) % n] & lower)
            odd = (cur if legacy else y) & 1
            mt[i] = mt[(i + m) % n] ^ (y >> 1) ^ (a if odd else 0)

    @classmethod
    def _twist_many(cls, mt: np.ndarray) -> None:
        """:meth:`_twist` on every column of ``mt`` (shape ``(N, seeds)``), in blocks whose
        sources are all either untouched or already twisted, so each block is one numpy step."""
        n, m = cls.N, cls.M
        upper, lower = (np.array(v, dtype=mt.dtype) for v in cls._masks())
        a, one = np.array(cls.A, dtype=mt.dtype), np.array(1, dtype=mt.dtype)
        legacy = cls.LEGACY_PHP_TWIST

        def block(lo: int, hi: int, src: int, nxt: np.ndarray) -> None:
            cur = mt[lo:hi]
            y = (cur & upper) | (nxt & lower)
            odd = (cur if legacy else y) & one
            mt[lo:hi] = mt[src:src + hi - lo] ^ (y >> one) ^ (odd * a)

        block(0, n - m, m, mt[1:n - m + 1])
        lo = n - m
        while lo < n - 1:
            hi = min(lo + (n - m), n - 1)
            block(lo, hi, lo + m - n, mt[lo + 1:hi + 1])
            lo = hi
        block(n - 1, n, m - 1, mt[0:1])

    @classmethod
    def _low_bits_of_word0(cls, block: list[int]) -> int:
        """The bits of ``block[0]`` below the separation point that the twist producing ``block``
        gave it, read back from that twist's last step: ``block[n-1] = block[m-1] ^ twist(prev
        word, block[0])``. Under PHP's bug bit 0 is not among them (it keys the matrix instead)."""
        n, m, a, w = cls.N, cls.M, cls.A, cls.W
        _, lower = cls._masks()
        tmp = block[n - 1] ^ block[m - 1]
        applied = tmp >> (w - 1)
        if applied:
            tmp ^= a
        y = (tmp << 1) & ((1 << w) - 1)
        if cls.LEGACY_PHP_TWIST:
            return y & lower & ~1
        return (y | applied) & lower

    @classmethod
    def _untwist(cls, new: list[int]) -> list[int]:
        """The block that :meth:`_twist` turned into ``new``.

        Walking backwards, step ``i`` of the twist gives ``new[i] ^ source = (y >> 1) ^ matrix``;
        the matrix has its top bit set and ``y >> 1`` has not, so the top bit says whether the
        matrix was applied, which fixes ``y`` entirely (or, under PHP's bug, the current word's
        low bit and the rest of ``y``). ``y`` holds the upper bits of word ``i`` and the lower
        bits of word ``i + 1``.

        A seeded block is not the output of a twist: the low bits of its word 0 are free, yet
        step ``n - m`` reads them. Replacing them by the value the last step implies first finds the
        one block whose twist agrees with ``new`` on every bit that matters for what follows.
        """
        n, m, a, w = cls.N, cls.M, cls.A, cls.W
        upper, lower = cls._masks()
        legacy = cls.LEGACY_PHP_TWIST
        keep = ~lower if not legacy else ~lower | 1
        new = [(new[0] & keep) | cls._low_bits_of_word0(new), *new[1:]]
        old = [0] * n
        for i in range(n - 1, -1, -1):
            source = old[i + m] if i < n - m else new[i + m - n]
            tmp = new[i] ^ source
            applied = tmp >> (w - 1)
            if applied:
                tmp ^= a
            y = (tmp << 1) & ((1 << w) - 1)
            if legacy:
                old[i] |= (y & upper) | applied
            else:
                y |= applied
                old[i] |= y & upper
            if i < n - 1:
                old[i + 1] |= y & lower  # under PHP's bug y's bit 0 is lost; step i+1 gave it
        # the low bits of word 0 never feed the twist; the previous block's last step made them
        old[0] |= cls._low_bits_of_word0(old)
        return old

    @classmethod
    def _temper(cls, y: int) -> int:
        y ^= (y >> cls.U) & cls.D
        y ^= (y << cls.S) & cls.B
        y ^= (y << cls.T) & cls.C
        return y ^ (y >> cls.L)

    @classmethod
    def _temper_many(cls, y: np.ndarray) -> np.ndarray:
        dt = y.dtype.type
        y = y ^ ((y >> dt(cls.U)) & dt(cls.D))
        y = y ^ ((y << dt(cls.S)) & dt(cls.B))
        y = y ^ ((y << dt(cls.T)) & dt(cls.C))
        return y ^ (y >> dt(cls.L))

    # ---- PRNG interface --------------------------------------------------------------------

    def next_raw(self) -> int:
        if self.index >= self.N:
            self._twist(self.mt)
            self.index = 0
        y = self.mt[self.index]
        self.index += 1
        return self._temper(y)

    def step_back(self) -> None:
        if self.index == 0:
            self.mt = self._untwist(self.mt)
            self.index = self.N
        self.index -= 1

    def get_state(self) -> tuple[int, ...]:
        return (*self.mt, self.index)

    def set_state(self, state: tuple[int, ...]) -> None:
        if len(state) != self.N + 1 or not 0 <= state[-1] <= self.N:
            raise ValueError(f"{self.name}: expected {self.N} words and an index 0..{self.N}")
        self.mt = [int(v) for v in state[:-1]]
        self.index = int(state[-1])

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        if cls.seed_bits < 64 and len(seeds) and int(seeds.max()) >> cls.seed_bits:
            raise ValueError(f"{cls.name}: a seed is outside its seed space ({cls.seed_space})")
        dtype = np.uint64 if cls.W == 64 else np.uint32
        mt = cls._seed_many(seeds).astype(dtype)
        out = np.empty((len(seeds), n), dtype=dtype)
        done = 0
        while done < n:
            cls._twist_many(mt)
            take = min(cls.N, n - done)
            out[:, done:done + take] = cls._temper_many(mt[:take]).T
            done += take
        return out


class _InitGenrand(_MersenneTwister):
    """Seeded with ``init_genrand(seed)`` (the reference's single-integer seeding)."""

    @classmethod
    def _seed_state(cls, seed: int) -> list[int]:
        return cls._init_genrand(seed)

    @classmethod
    def _seed_many(cls, seeds: np.ndarray) -> np.ndarray:
        return cls._init_genrand_many(seeds)


class MT19937(_InitGenrand):
    """C++11 ``std::mt19937(seed)`` (libstdc++): ``init_genrand(seed mod 2**32)``.

    Doubles are ``std::generate_canonical<double, 53>``, which is what
    ``std::uniform_real_distribution<double>`` uses: two outputs, ``(a + b * 2**32) / 2**64``
    rounded once, clamped below 1.
    """

    name = "mt19937"
    prior = 70  # std::mt19937, the usual C++ <random> engine
    seeding = "std::mt19937(seed): init_genrand(seed)"
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (std::mt19937 reduces a wider seed mod 2**32; default 5489)"
    # libstdc++'s uniform_int_distribution<int>(0, n - 1): Lemire's multiply-and-reject on the
    # 32-bit word (tests/vectors/ranges/mt19937); `gen() % n` is searched beside it
    native_below = "lemire32"
    vouched_by = "g++ 12 / libstdc++ (std::mt19937)"

    def next_double(self) -> float:
        low = float(self.next_raw())
        value = (low + float(self.next_raw()) * 4294967296.0) / _TWO_POW_64
        return value if value < 1.0 else _BELOW_ONE

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        low = streams.take(lanes).astype(np.float64)
        value = (low + streams.take(lanes).astype(np.float64) * 4294967296.0) / _TWO_POW_64
        return np.where(value < 1.0, value, _BELOW_ONE)


class MT19937_64(_InitGenrand):
    """C++11 ``std::mt19937_64(seed)`` (libstdc++): MT19937-64 with its ``init_genrand64``.

    Doubles are ``std::generate_canonical<double, 53>``: one output, ``double(x) / 2**64``
    (rounded to nearest), clamped below 1.
    """

    name = "mt19937_64"
    prior = 25  # std::mt19937_64
    seeding = "std::mt19937_64(seed): init_genrand64(seed)"
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (default 5489)"
    native_below = "lemire64"  # libstdc++'s uniform_int_distribution: Lemire's, 128-bit product
    vouched_by = "g++ 12 / libstdc++ (std::mt19937_64)"

    W, N, M, R = 64, 312, 156, 31
    A = 0xB5026F5AA96619E9
    U, D = 29, 0x5555555555555555
    S, B = 17, 0x71D67FFFEDA60000
    T, C = 37, 0xFFF7EEE000000000
    L = 43
    F = 6364136223846793005

    def next_double(self) -> float:
        value = float(self.next_raw()) / _TWO_POW_64
        return value if value < 1.0 else _BELOW_ONE

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        value = streams.take(lanes).astype(np.float64) / _TWO_POW_64
        return np.where(value < 1.0, value, _BELOW_ONE)


class NumpyRandomState(_InitGenrand):
    """``numpy.random.RandomState(seed)`` for an integer seed: legacy seeding is
    ``init_genrand(seed)`` (numpy rejects seeds of 2**32 and more), doubles ``genrand_res53``."""

    name = "numpy_random_state"
    prior = 40  # numpy.random.seed / RandomState, common in data code
    seeding = "numpy.random.RandomState(seed): init_genrand(seed)"
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (RandomState raises ValueError outside)"
    native_below = "masked"
    vouched_by = "numpy (numpy.random.RandomState)"


class _PhpMtDouble(_InitGenrand):
    """PHP has no MT-based double before 8.3; its programs (and the ``mt_rand`` manual's own
    example) divide, ``mt_rand() / mt_getrandmax()`` = ``(raw >> 1) / (2**31 - 1)``, which is
    :meth:`next_double` (``tests/vectors/shapes``; 1.0 itself can come out, as in PHP)."""

    def next_double(self) -> float:
        return (self.next_raw() >> 1) / _PHP_MT_RAND_MAX

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        return (streams.take(lanes) >> np.uint64(1)).astype(np.float64) / _PHP_MT_RAND_MAX


class PhpMtRand(_PhpMtDouble):
    """PHP 7.1+ ``mt_srand(seed)`` / ``mt_rand``: correct MT19937, ``init_genrand(seed mod 2**32)``.

    The raw output is the full tempered word (``mt_rand(0, 4294967295)``); ``mt_rand()`` without
    arguments returns it shifted right by one; the double is ``mt_rand() / mt_getrandmax()``.
    """

    name = "php_mt_rand"
    prior = 50  # PHP 7.1+ mt_rand()/rand()
    seeding = "mt_srand(seed) (PHP >= 7.1, MT_RAND_MT19937): init_genrand(seed)"
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (mt_srand keeps the low 32 bits of its int argument)"
    native_below = "php_range"
    vouched_by = "PHP 8.2 (mt_srand/mt_rand, Random\\Engine\\Mt19937)"


class PhpMtRandLegacy(_PhpMtDouble):
    """PHP 5.2.1 to 7.0 ``mt_srand(seed)`` / ``mt_rand``: MT19937 with PHP's twist bug (the matrix
    term keyed on the current word's low bit), kept in PHP 7.1+ as ``mt_srand(seed, MT_RAND_PHP)``.

    The raw output is the full tempered word; ``mt_rand()`` returns it shifted right by one and
    ``mt_rand(min, max)`` scales that with ``RAND_RANGE_BADSCALING``.
    """

    name = "php_mt_rand_legacy"
    prior = 15  # PHP 5.2.1..7.0 mt_rand(), still met on old servers
    seeding = "mt_srand(seed) (PHP 5.2.1..7.0; PHP >= 7.1 with MT_RAND_PHP): init_genrand(seed)"
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (mt_srand keeps the low 32 bits of its int argument)"
    native_below = "php_legacy_range"
    vouched_by = "PHP 8.2 in MT_RAND_PHP mode (mt_srand(seed, MT_RAND_PHP), Random\\Engine\\Mt19937)"
    LEGACY_PHP_TWIST = True


class CPythonRandom(_MersenneTwister):
    """CPython ``random.seed(n)`` for an integer ``n``: ``init_by_array`` over the 32-bit words of
    ``abs(n)``, least significant first (one zero word for 0). Raw output ``getrandbits(32)``;
    doubles ``genrand_res53``; ``randrange`` is ``_randbelow_with_getrandbits``."""

    name = "cpython_random"
    prior = 90  # Python's random module
    seeding = "random.seed(n) / random.Random(n): init_by_array(32-bit words of abs(n))"
    output_bits = 32
    seed_bits = 64
    seed_space = ("0 <= seed < 2**64 (CPython takes any int: abs(n) split into 32-bit words; "
                  "wider seeds are outside this entry)")
    native_below = "python_randbelow"
    vouched_by = "CPython 3.11 (random module)"

    @classmethod
    def _seed_state(cls, seed: int) -> list[int]:
        key = []
        while True:
            key.append(seed & MASK32)
            seed >>= 32
            if not seed:
                return cls._init_by_array(key)

    @classmethod
    def _seed_many(cls, seeds: np.ndarray) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        high = seeds >> np.uint64(32)
        return cls._init_by_array_many(seeds & np.uint64(MASK32), high, high != 0)


class RubyRandom(_MersenneTwister):
    """Ruby 3.x ``Random.new(n)`` for an integer ``n``: the 32-bit words of ``abs(n)``, least
    significant first; a top word equal to 1 is dropped (Ruby's "leading-zero guard", so
    ``Random.new(2**32 + k)`` equals ``Random.new(k)``); one word left means ``init_genrand``,
    more mean ``init_by_array``. Raw output ``rand(2**32)``; ``rand(n)`` masks and rejects;
    ``rand`` is ``genrand_res53``."""

    name = "ruby_random"
    prior = 20  # Ruby's Random and Kernel#rand
    seeding = "Random.new(n) (Ruby 3.x): init_genrand(n) for one word, else init_by_array(words)"
    output_bits = 32
    seed_bits = 64
    seed_space = ("0 <= seed < 2**64 (Ruby takes any Integer; seeds 2**32 + k alias k; "
                  "wider seeds are outside this entry)")
    native_below = "masked"
    vouched_by = "Ruby 3.1 (Random)"

    @classmethod
    def _seed_state(cls, seed: int) -> list[int]:
        key = []
        while True:
            key.append(seed & MASK32)
            seed >>= 32
            if not seed:
                break
        if len(key) > 1 and key[-1] == 1:
            key.pop()
        return cls._init_genrand(key[0]) if len(key) == 1 else cls._init_by_array(key)

    @classmethod
    def _seed_many(cls, seeds: np.ndarray) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        low, high = seeds & np.uint64(MASK32), seeds >> np.uint64(32)
        two_words = high > 1
        mt = cls._init_genrand_many(low)
        if two_words.any():
            mt[:, two_words] = cls._init_by_array_many(low[two_words], high[two_words],
                                                       np.ones(int(two_words.sum()), dtype=bool))
        return mt


class TinyMT32(PRNG):
    """TinyMT32 (Saito and Matsumoto) with the reference's default parameters
    (mat1=0x8f7011ee, mat2=0xfc78ff1f, tmat=0x3793fdff), seeded by ``tinymt32_init(seed)``.

    Raw output ``tinymt32_generate_uint32``; doubles ``tinymt32_generate_32double`` (one output
    times 2**-32), the reference's double.
    """

    name = "tinymt32"
    prior = 3  # TinyMT, some embedded and game code
    family = "mersenne_twister"
    seeding = "tinymt32_init(seed) with mat1=0x8f7011ee, mat2=0xfc78ff1f, tmat=0x3793fdff"
    state_bits = 127
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (uint32_t seed)"
    invertible = True
    native_below = "mod"
    vouched_by = "TinyMT reference implementation (MersenneTwister-Lab/TinyMT, tinymt32.c)"

    MAT1, MAT2, TMAT = 0x8F7011EE, 0xFC78FF1F, 0x3793FDFF
    MASK = 0x7FFFFFFF
    SH0, SH1, SH8 = 1, 10, 8
    MIN_LOOP, PRE_LOOP = 8, 8

    def __init__(self, seed: int) -> None:
        s = [self.check_seed(seed), self.MAT1, self.MAT2, self.TMAT]
        for i in range(1, self.MIN_LOOP):
            prev = s[(i - 1) & 3]
            s[i & 3] ^= (i + 1812433253 * (prev ^ (prev >> 30))) & MASK32
        if s[0] & self.MASK == 0 and s[1] == s[2] == s[3] == 0:
            s = [ord("T"), ord("I"), ord("N"), ord("Y")]  # period certification
        self.s = s
        for _ in range(self.PRE_LOOP):
            self._next_state()

    def _next_state(self) -> None:
        s0, s1, s2, s3 = self.s
        x = (s0 & self.MASK) ^ s1 ^ s2
        x ^= (x << self.SH0) & MASK32
        y = s3 ^ (s3 >> self.SH0) ^ x
        a, b = (self.MAT1, self.MAT2) if y & 1 else (0, 0)
        self.s = [s1, s2 ^ a, x ^ ((y << self.SH1) & MASK32) ^ b, y]

    @classmethod
    def _previous(cls, s: list[int]) -> tuple[list[int], int]:
        """Invert :meth:`_next_state` except for the top bit of word 0, which the step masks off.
        Returns that state (top bit of word 0 clear) and the recovered value of ``x`` before
        its ``x ^= x << 1``, whose top bit is the top bit of ``s0 ^ s1 ^ s2``."""
        n0, n1, n2, y = s
        a, b = (cls.MAT1, cls.MAT2) if y & 1 else (0, 0)
        s1, s2 = n0, n1 ^ a
        x = n2 ^ b ^ ((y << cls.SH1) & MASK32)
        x0 = x
        for shift in (1, 2, 4, 8, 16):  # undo x ^= x << 1
            x0 ^= (x0 << shift) & MASK32
        z = y ^ x  # = s3 ^ (s3 >> 1)
        s3 = z
        for shift in (1, 2, 4, 8, 16):
            s3 ^= s3 >> shift
        return [(x0 ^ s1 ^ s2) & cls.MASK, s1, s2, s3], x0

    def _temper(self) -> int:
        s0, _, s2, t0 = self.s
        t1 = (s0 + (s2 >> self.SH8)) & MASK32
        t0 ^= t1
        if t1 & 1:
            t0 ^= self.TMAT
        return t0

    def next_raw(self) -> int:
        self._next_state()
        return self._temper()

    def step_back(self) -> None:
        previous, _ = self._previous(self.s)
        # word 0 of the previous state was word 1 of the one before it; that state's x gives
        # its top bit back
        earlier_s2 = previous[1] ^ (self.MAT1 if previous[3] & 1 else 0)
        _, x0 = self._previous(previous)
        previous[0] |= (x0 ^ earlier_s2) & ~self.MASK & MASK32
        self.s = previous

    def get_state(self) -> tuple[int, ...]:
        return tuple(self.s)

    def set_state(self, state: tuple[int, ...]) -> None:
        if len(state) != 4:
            raise ValueError("tinymt32: expected 4 words")
        self.s = [int(v) & MASK32 for v in state]

    def next_double(self) -> float:
        return self.next_raw() * (1.0 / 4294967296.0)

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        return streams.take(lanes).astype(np.float64) * (1.0 / 4294967296.0)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        if len(seeds) and int(seeds.max()) >> 32:
            raise ValueError(f"{cls.name}: a seed is outside its seed space ({cls.seed_space})")
        u = np.uint32
        mat1, mat2, tmat, mask = u(cls.MAT1), u(cls.MAT2), u(cls.TMAT), u(cls.MASK)
        one, sh1, sh8, thirty = u(1), u(cls.SH1), u(cls.SH8), u(30)
        k = len(seeds)
        s = [seeds.astype(u), np.full(k, mat1), np.full(k, mat2), np.full(k, tmat)]
        for i in range(1, cls.MIN_LOOP):
            prev = s[(i - 1) & 3]
            s[i & 3] = s[i & 3] ^ (u(i) + u(1812433253) * (prev ^ (prev >> thirty)))
        dead = ((s[0] & mask) == 0) & (s[1] == 0) & (s[2] == 0) & (s[3] == 0)
        if dead.any():
            for word, letter in zip(s, "TINY"):
                word[dead] = ord(letter)

        def step(s0, s1, s2, s3):
            x = (s0 & mask) ^ s1 ^ s2
            x ^= x << one
            y = s3 ^ (s3 >> one) ^ x
            odd = u(0) - (y & one)  # all ones where y is odd
            return s1, s2 ^ (odd & mat1), x ^ (y << sh1) ^ (odd & mat2), y

        for _ in range(cls.PRE_LOOP):
            s = list(step(*s))
        out = np.empty((k, n), dtype=u)
        for col in range(n):
            s = list(step(*s))
            t1 = s[0] + (s[2] >> sh8)
            out[:, col] = s[3] ^ t1 ^ ((u(0) - (t1 & one)) & tmat)
        return out


GENERATORS = (
    MT19937,
    MT19937_64,
    CPythonRandom,
    NumpyRandomState,
    PhpMtRand,
    PhpMtRandLegacy,
    RubyRandom,
    TinyMT32,
)
