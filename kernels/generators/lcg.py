"""LCG and friends: linear congruential generators as real runtimes seed and use them.

Every generator here is an affine map ``x -> a*x + c (mod m)`` on its state, read out by some
runtime-specific output function. All of them are invertible (the multipliers are odd for
``m = 2**k`` and nonzero for prime ``m``), so :meth:`PRNG.step_back` uses the modular inverse
and :meth:`PRNG.jump` the closed form ``x_n = a**n x + c (a**n - 1)/(a - 1)``.

The non-LCG "friends" of the catalog row (glibc's additive feedback, .NET's subtractive
generator, the ranlux subtract-with-carry bases, ``knuth_b``) live in ``lcg_friends``.
"""

from __future__ import annotations

import math
from typing import ClassVar, TYPE_CHECKING

import numpy as np

from kernels.generators._bits import MASK32, MASK48, lcg_jump
from kernels.prng import PRNG, TWO_POW_53, Raw32Double

if TYPE_CHECKING:  # only for annotations: kernels.sieve imports the generators
    from kernels.sieve.vector import LaneStreams

__all__ = [
    "JavaRandom",
    "AnsiCRand",
    "MsvcRand",
    "BorlandRand",
    "GlibcRandR",
    "Drand48",
    "DelphiRandom",
    "Randu",
    "NumericalRecipes",
    "KnuthMMIX",
    "MinstdRand0",
    "MinstdRand",
    "mulmod_mersenne31",
    "CanonicalDouble",
    "GENERATORS",
]

_TWO_POW_48 = float(1 << 48)
_BELOW_ONE = math.nextafter(1.0, 0.0)


def mulmod_mersenne31(x: np.ndarray, a: int) -> np.ndarray:
    """``x * a mod 2**31 - 1`` on ``uint64`` arrays with ``x < 2**31`` and ``a < 2**32``.

    ``2**31 = 1 (mod 2**31 - 1)``, so the product folds as ``low31 + high``: one shift, one mask
    and one conditional subtraction instead of numpy's slow 64-bit ``%``.
    """
    modulus = np.uint64((1 << 31) - 1)
    p = x * np.uint64(a)  # < 2**63
    p = (p & modulus) + (p >> np.uint64(31))  # < 2**32 + 2**31
    p = (p & modulus) + (p >> np.uint64(31))  # <= 2**31 - 1 + 2
    return np.where(p >= modulus, p - modulus, p)


class CanonicalDouble(PRNG):
    """A libstdc++ engine whose range ``R = max() - min() + 1`` is not a full word: its double
    is ``std::generate_canonical<double, 53>`` (what ``std::uniform_real_distribution<double>``
    draws), ``k = max(1, (53 + log2 R - 1) / log2 R)`` calls (truncated: 2 for the minstd
    engines and ``ranlux48_base``, 3 for ``ranlux24_base``), ``sum (r_i - min()) R**i / R**k``
    with each partial product and sum rounded to a double as g++ does, clamped below 1
    (``tests/vectors/shapes``)."""

    @classmethod
    def canonical_terms(cls) -> tuple[int, int, int]:
        """``(min(), R, k)`` of the engine's ``generate_canonical<double, 53>``."""
        top = cls.raw_max if cls.raw_max is not None else (1 << cls.output_bits) - 1
        span = top - cls.raw_min + 1
        log2_span = math.log2(span)
        return cls.raw_min, span, max(1, int((53 + log2_span - 1) // log2_span))

    def next_double(self) -> float:
        low, span, calls = self.canonical_terms()
        total, scale = 0.0, 1.0
        for _ in range(calls):
            total += float(self.next_raw() - low) * scale
            scale *= span
        value = total / scale
        return value if value < 1.0 else _BELOW_ONE

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        low, span, calls = cls.canonical_terms()
        total: np.ndarray | float = 0.0
        scale = 1.0
        for _ in range(calls):
            total = total + (streams.take(lanes) - np.uint64(low)).astype(np.float64) * scale
            scale *= span
        value = np.asarray(total) / scale
        return np.where(value < 1.0, value, _BELOW_ONE)


class JavaRandom(PRNG):
    """``java.util.Random``: 48-bit LCG, seed scrambled with 0x5DEECE66D; raw output ``next(32)``."""

    name = "java_random"
    prior = 100  # java.util.Random: Java's and Android's default generator
    family = "lcg"
    seeding = "new java.util.Random(seed): state = (seed ^ 0x5DEECE66D) mod 2**48"
    state_bits = 48
    output_bits = 32
    seed_bits = 48
    seed_space = "0 <= seed < 2**48 (higher bits of a long seed are discarded by the scramble)"
    invertible = True
    native_below = "java_nextint"
    vouched_by = "OpenJDK (java.util.Random)"

    MULTIPLIER = 0x5DEECE66D
    INCREMENT = 0xB
    #: MULTIPLIER**-1 mod 2**48, for stepping backwards
    INVERSE = pow(MULTIPLIER, -1, 1 << 48)

    def __init__(self, seed: int) -> None:
        self.state = (self.check_seed(seed) ^ self.MULTIPLIER) & MASK48

    def next_raw(self) -> int:
        self.state = (self.state * self.MULTIPLIER + self.INCREMENT) & MASK48
        return self.state >> 16

    def step_back(self) -> None:
        self.state = ((self.state - self.INCREMENT) * self.INVERSE) & MASK48

    def jump(self, n: int) -> None:
        self.state = lcg_jump(self.state, self.MULTIPLIER, self.INCREMENT, n, 1 << 48)

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    def next_double(self) -> float:
        # nextDouble(): ((long) next(26) << 27) + next(27), times 2**-53
        high = self.next_raw() >> 6
        low = self.next_raw() >> 5
        return ((high << 27) + low) / TWO_POW_53

    @classmethod
    def vector_double(cls, streams: "LaneStreams", lanes: "np.ndarray | None" = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once (the numpy sieve's ``float_mul``)."""
        high = streams.take(lanes) >> np.uint64(6)
        low = streams.take(lanes) >> np.uint64(5)
        return ((high << np.uint64(27)) + low).astype(np.float64) / TWO_POW_53

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        state = (np.asarray(seeds, dtype=np.uint64) ^ np.uint64(cls.MULTIPLIER)) & np.uint64(MASK48)
        out = np.empty((len(state), n), dtype=np.uint32)
        mult, incr, mask = np.uint64(cls.MULTIPLIER), np.uint64(cls.INCREMENT), np.uint64(MASK48)
        for col in range(n):
            state = (state * mult + incr) & mask  # wraps mod 2**64, then masked: exact mod 2**48
            out[:, col] = (state >> np.uint64(16)).astype(np.uint32)
        return out


# ---- LCGs modulo a power of two ----------------------------------------------------------------


class _PowerOfTwoLCG(PRNG):
    """``x -> MULTIPLIER*x + INCREMENT mod 2**state_bits``, one step per raw output.

    Subclasses set the constants, :meth:`_seed_state` (the runtime's seeding) and the output
    function twice: :meth:`_output` on Python ints, :meth:`_output_np` on ``uint64`` arrays.
    ``state_bits`` is at most 64: numpy's ``uint64`` products wrap mod 2**64 and masking then
    reduces them exactly mod ``2**state_bits``.
    """

    family = "lcg"
    invertible = True

    MULTIPLIER: ClassVar[int]
    INCREMENT: ClassVar[int]

    def __init__(self, seed: int) -> None:
        self.state = self._seed_state(self.check_seed(seed))

    # ---- what subclasses define ----

    @classmethod
    def _seed_state(cls, seed: int) -> int:
        return seed & cls._mask()

    @classmethod
    def _seed_state_np(cls, seeds: np.ndarray) -> np.ndarray:
        return seeds & np.uint64(cls._mask())

    @staticmethod
    def _output(state: int) -> int:
        raise NotImplementedError

    @staticmethod
    def _output_np(state: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # ---- the LCG machinery ----

    @classmethod
    def _mask(cls) -> int:
        return (1 << cls.state_bits) - 1

    def next_raw(self) -> int:
        self.state = (self.state * self.MULTIPLIER + self.INCREMENT) & self._mask()
        return self._output(self.state)

    def step_back(self) -> None:
        inverse = pow(self.MULTIPLIER, -1, 1 << self.state_bits)
        self.state = ((self.state - self.INCREMENT) * inverse) & self._mask()

    def jump(self, n: int) -> None:
        self.state = lcg_jump(self.state, self.MULTIPLIER, self.INCREMENT, n, 1 << self.state_bits)

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        state = cls._seed_state_np(np.asarray(seeds, dtype=np.uint64))
        dtype = np.uint64 if cls.output_bits > 32 else np.uint32
        out = np.empty((len(state), n), dtype=dtype)
        mult, incr, mask = np.uint64(cls.MULTIPLIER), np.uint64(cls.INCREMENT), np.uint64(cls._mask())
        for col in range(n):
            state = (state * mult + incr) & mask
            out[:, col] = cls._output_np(state).astype(dtype)
        return out


class _Rand15(_PowerOfTwoLCG):
    """The classic C ``rand()`` shape: 32-bit state, ``rand()`` = bits 16..30 (``RAND_MAX`` 32767).

    ``srand(seed)`` stores the seed as the state; the next ``rand()`` steps first.
    """

    state_bits = 32
    output_bits = 15
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (srand(unsigned int seed): the seed is the state)"
    native_below = "c_rand_mod"

    @staticmethod
    def _output(state: int) -> int:
        return (state >> 16) & 0x7FFF

    @staticmethod
    def _output_np(state: np.ndarray) -> np.ndarray:
        return (state >> np.uint64(16)) & np.uint64(0x7FFF)


class AnsiCRand(_Rand15):
    """The C standard's example ``rand()``: ``next = next*1103515245 + 12345``,
    ``rand() = (next/65536) % 32768`` (ISO C 7.22.2.2; also POSIX, old BSD and many embedded libcs).

    The standard declares ``next`` as ``unsigned long``; only bits 16..30 are ever read and they do
    not depend on bits 32 and up, so a 32-bit state reproduces it for every width of ``long``.
    """

    name = "ansi_c_rand"
    prior = 10  # the C standard's sample rand(), copied into embedded and hobby code
    seeding = "srand(seed): next = seed"
    vouched_by = ("glibc 2.36 random() in TYPE_0 mode (initstate with an 8-byte state), which runs "
                  "this recurrence mod 2**31: its bits 16..30 are the example's rand()")

    MULTIPLIER = 1103515245
    INCREMENT = 12345


class MsvcRand(_Rand15):
    """Microsoft C runtime ``rand()`` (msvcrt.dll / UCRT): ``holdrand*214013 + 2531011``,
    ``rand() = (holdrand >> 16) & 0x7fff``; ``srand(seed)`` sets ``holdrand = seed``."""

    name = "msvc_rand"
    prior = 60  # rand() of the Microsoft C runtime: C and C++ on Windows
    seeding = "srand(seed): holdrand = seed (rand() without srand() is srand(1))"
    vouched_by = ("msvcrt.dll rand() as reimplemented by Wine 8.0 (a MinGW-w64 program run under "
                  "Wine); the published first outputs after srand(1): 41, 18467, 6334, 26500, 19169")

    MULTIPLIER = 214013
    INCREMENT = 2531011


class BorlandRand(_Rand15):
    """Borland C/C++ (Turbo C, BC++, C++Builder) ``rand()``: ``Seed = 22695477*Seed + 1``
    (0x015A4E35), ``rand() = (Seed >> 16) & 0x7fff``; ``srand(seed)`` sets ``Seed = seed``."""

    name = "borland_rand"
    prior = 5  # Borland C/C++ rand(), old DOS/Windows programs
    seeding = "srand(seed): Seed = seed (rand() without srand() is srand(1))"
    vouched_by = ("published algorithm only (Borland RTL rand.c: MULTIPLIER 0x015a4e35, "
                  "INCREMENT 1); no Borland runtime runs here")

    MULTIPLIER = 22695477
    INCREMENT = 1


class GlibcRandR(_PowerOfTwoLCG):
    """glibc ``rand_r(&seed)``: three steps of ``next*1103515245 + 12345`` per call, keeping
    11 + 10 + 10 bits (bits 16..26, 16..25, 16..25 of the three states) of a 31-bit result.

    The state is the ``unsigned int`` the caller passes; ``rand_r`` writes the third state back.
    One raw output is three LCG steps, so :meth:`step_back` and :meth:`jump` move by three.
    """

    name = "glibc_rand_r"
    prior = 10  # glibc rand_r(), for thread-safe C code
    seeding = "unsigned int seed = seed; rand_r(&seed)"
    state_bits = 32
    output_bits = 31
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (the unsigned int rand_r() advances)"
    native_below = "c_rand_mod"
    vouched_by = "glibc 2.36 rand_r()"

    MULTIPLIER = 1103515245
    INCREMENT = 12345

    def next_raw(self) -> int:
        a, c, mask = self.MULTIPLIER, self.INCREMENT, self._mask()
        s1 = (self.state * a + c) & mask
        s2 = (s1 * a + c) & mask
        s3 = (s2 * a + c) & mask
        self.state = s3
        return (((s1 >> 16) & 0x7FF) << 20) ^ (((s2 >> 16) & 0x3FF) << 10) ^ ((s3 >> 16) & 0x3FF)

    def step_back(self) -> None:
        for _ in range(3):
            super().step_back()

    def jump(self, n: int) -> None:
        super().jump(3 * n)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        state = np.asarray(seeds, dtype=np.uint64) & np.uint64(cls._mask())
        out = np.empty((len(state), n), dtype=np.uint32)
        a, c, mask = np.uint64(cls.MULTIPLIER), np.uint64(cls.INCREMENT), np.uint64(cls._mask())
        sixteen = np.uint64(16)
        for col in range(n):
            s1 = (state * a + c) & mask
            s2 = (s1 * a + c) & mask
            state = (s2 * a + c) & mask
            word = (((s1 >> sixteen) & np.uint64(0x7FF)) << np.uint64(20)) \
                ^ (((s2 >> sixteen) & np.uint64(0x3FF)) << np.uint64(10)) \
                ^ ((state >> sixteen) & np.uint64(0x3FF))
            out[:, col] = word.astype(np.uint32)
        return out


class Drand48(_PowerOfTwoLCG):
    """The SVID/POSIX ``*rand48`` family on glibc: 48-bit LCG ``x*0x5DEECE66D + 0xB``.

    ``srand48(seed)`` sets ``x = (seed mod 2**32) << 16 | 0x330E`` (glibc keeps only the low 32 bits
    of the ``long``). Raw output: ``lrand48()`` = ``x >> 17`` (31 bits), so ``c_rand_mod:N`` is
    ``lrand48() % N``. :meth:`next_double` is ``drand48()`` = ``x / 2**48`` (glibc fills the 52-bit
    mantissa with the 48 state bits, exactly this quotient), so ``float_mul:N`` is
    ``floor(drand48() * N)``. ``mrand48()`` (``x >> 16`` as a signed 32-bit int) needs bit 16,
    which the 31-bit raw output does not carry: it is not expressible as a stream here.
    """

    name = "drand48"
    prior = 15  # POSIX drand48()/lrand48(), older Unix C code
    seeding = "srand48(seed): x = (seed & 0xffffffff) << 16 | 0x330E"
    state_bits = 48
    output_bits = 31
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (glibc's srand48 discards the higher bits of the long)"
    native_below = "float_mul"
    vouched_by = "glibc 2.36 srand48(), lrand48(), drand48()"

    MULTIPLIER = 0x5DEECE66D
    INCREMENT = 0xB

    @classmethod
    def _seed_state(cls, seed: int) -> int:
        return ((seed & MASK32) << 16) | 0x330E

    @classmethod
    def _seed_state_np(cls, seeds: np.ndarray) -> np.ndarray:
        return ((seeds & np.uint64(MASK32)) << np.uint64(16)) | np.uint64(0x330E)

    @staticmethod
    def _output(state: int) -> int:
        return state >> 17

    @staticmethod
    def _output_np(state: np.ndarray) -> np.ndarray:
        return state >> np.uint64(17)

    def next_double(self) -> float:
        self.next_raw()
        return self.state / _TWO_POW_48


class DelphiRandom(Raw32Double, _PowerOfTwoLCG):
    """Delphi (and Turbo Pascal 7 for ``Random``'s state) ``System.Random``:
    ``RandSeed := RandSeed * $08088405 + 1`` mod 2**32.

    Raw output: the new ``RandSeed`` as an unsigned 32-bit word. ``Random(N)`` is
    ``(UInt64(RandSeed) * N) shr 32`` and the float ``Random`` is ``RandSeed / 2**32``; with
    :meth:`next_double` = ``raw / 2**32`` (exact in a double), ``float_mul:N`` equals ``Random(N)``
    exactly for ``N <= 2**21`` (the product ``raw * N`` then fits the 53-bit mantissa).
    """

    name = "delphi_random"
    prior = 10  # Delphi/Free Pascal Random
    seeding = "RandSeed := seed (RandSeed is a 32-bit Integer; its bit pattern is the state)"
    state_bits = 32
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (RandSeed's bits; Randomize would set it from the clock)"
    native_below = "float_mul"
    vouched_by = ("published algorithm only (Delphi System.pas _RandInt/_RandExt: IMUL 08088405H, "
                  "INC; result = high dword of RandSeed*Range); the DelphiBasics example: "
                  "1 + Random(100) from RandSeed 0 gives 1, 4, 87, 21, 28; no Delphi runtime runs here")

    MULTIPLIER = 134775813
    INCREMENT = 1

    @staticmethod
    def _output(state: int) -> int:
        return state

    @staticmethod
    def _output_np(state: np.ndarray) -> np.ndarray:
        return state


class Randu(_PowerOfTwoLCG):
    """IBM System/360 SSP ``RANDU``: ``IY = IX * 65539`` mod 2**31 (the sign fix-up of the Fortran
    is exactly the reduction mod 2**31). Raw output: the new state, 31 bits.

    IBM asked for an odd seed; any nonzero seed is accepted (even seeds run in a sub-lattice
    with a shorter period). Seed 0 is rejected: it stays 0 forever.
    """

    name = "randu"
    prior = 1  # IBM RANDU, historical
    seeding = "IX = seed; CALL RANDU(IX, IY, YFL); IX = IY"
    state_bits = 31
    output_bits = 31
    seed_bits = 31
    seed_space = "1 <= seed < 2**31 (IBM: any odd integer; 0 is a fixed point)"
    vouched_by = ("published algorithm only (IBM SSP RANDU); first states from seed 1 as in "
                  "OEIS A096555 / Knuth TAOCP 3.3.4: 65539, 393225, 1769499, ...")

    MULTIPLIER = 65539
    INCREMENT = 0

    @classmethod
    def check_seed(cls, seed: int) -> int:
        seed = super().check_seed(seed)
        if seed == 0:
            raise ValueError(f"{cls.name}: seed 0 is a fixed point of RANDU ({cls.seed_space})")
        return seed

    @staticmethod
    def _output(state: int) -> int:
        return state

    @staticmethod
    def _output_np(state: np.ndarray) -> np.ndarray:
        return state


class NumericalRecipes(_PowerOfTwoLCG):
    """Numerical Recipes in C's quick-and-dirty generator (``ranqd1``):
    ``idum = 1664525L*idum + 1013904223L`` with 32-bit ``unsigned long``. Raw output: ``idum``."""

    name = "numerical_recipes"
    prior = 5  # the Numerical Recipes quick LCG, copied into scientific code
    seeding = "idum = seed"
    state_bits = 32
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32"
    vouched_by = ("published algorithm only (Numerical Recipes in C, 2nd ed., section 7.1, "
                  "ranqd1); no runtime ships it")

    MULTIPLIER = 1664525
    INCREMENT = 1013904223

    @staticmethod
    def _output(state: int) -> int:
        return state

    @staticmethod
    def _output_np(state: np.ndarray) -> np.ndarray:
        return state


class KnuthMMIX(_PowerOfTwoLCG):
    """Knuth's MMIX LCG: ``x*6364136223846793005 + 1442695040888963407`` mod 2**64, seeded with
    ``x = seed``. Raw output: the high 32 bits of the new state."""

    name = "knuth_mmix"
    prior = 3  # Knuth's MMIX LCG, in hand-written code
    seeding = "x = seed"
    state_bits = 64
    output_bits = 32
    seed_bits = 64
    seed_space = "0 <= seed < 2**64"
    vouched_by = "published constants only (Knuth, MMIXware); no runtime ships it"

    MULTIPLIER = 6364136223846793005
    INCREMENT = 1442695040888963407

    @staticmethod
    def _output(state: int) -> int:
        return state >> 32

    @staticmethod
    def _output_np(state: np.ndarray) -> np.ndarray:
        return state >> np.uint64(32)


# ---- Lehmer generators modulo a prime ----------------------------------------------------------


class _Minstd(CanonicalDouble):
    """``std::linear_congruential_engine<uint_fast32_t, A, 0, 2**31 - 1>`` (libstdc++).

    ``seed(s)`` sets ``x = s mod m``, and ``x = 1`` when that is 0 (the standard's rule for
    ``c == 0``). Raw output: the new state, in ``[1, 2**31 - 2]``.
    """

    family = "lcg"
    state_bits = 31
    output_bits = 31
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (reduced mod 2**31 - 1; 0 and 2**31 - 1 give the state 1)"
    invertible = True
    vouched_by = "g++ 12 libstdc++ <random>"

    MODULUS = (1 << 31) - 1
    MULTIPLIER: ClassVar[int]
    # uniform_int_distribution over min() = 1 .. max() = 2**31 - 2: the division downscaling
    native_below = "cpp_downscale"
    raw_min, raw_max = 1, (1 << 31) - 2

    def __init__(self, seed: int) -> None:
        self.state = self.check_seed(seed) % self.MODULUS or 1

    def next_raw(self) -> int:
        self.state = self.state * self.MULTIPLIER % self.MODULUS
        return self.state

    def step_back(self) -> None:
        self.state = self.state * pow(self.MULTIPLIER, -1, self.MODULUS) % self.MODULUS

    def jump(self, n: int) -> None:
        if n < 0:
            raise ValueError("n must be >= 0")
        self.state = self.state * pow(self.MULTIPLIER, n, self.MODULUS) % self.MODULUS

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        modulus = np.uint64(cls.MODULUS)
        state = np.asarray(seeds, dtype=np.uint64) % modulus
        state[state == 0] = 1
        out = np.empty((len(state), n), dtype=np.uint32)
        for col in range(n):
            state = mulmod_mersenne31(state, cls.MULTIPLIER)
            out[:, col] = state.astype(np.uint32)
        return out


class MinstdRand0(_Minstd):
    """``std::minstd_rand0``: Park and Miller's 1988 minimal standard, ``16807 x mod 2**31 - 1``."""

    name = "minstd_rand0"
    prior = 20  # std::minstd_rand0, libstdc++'s std::default_random_engine
    seeding = "std::minstd_rand0(seed) (default constructor: seed 1)"
    MULTIPLIER = 16807


class MinstdRand(_Minstd):
    """``std::minstd_rand``: Park, Miller and Stockmeyer's 1993 revision, ``48271 x mod 2**31 - 1``."""

    name = "minstd_rand"
    prior = 10  # std::minstd_rand
    seeding = "std::minstd_rand(seed) (default constructor: seed 1)"
    MULTIPLIER = 48271


GENERATORS = (
    JavaRandom,
    AnsiCRand,
    MsvcRand,
    BorlandRand,
    GlibcRandR,
    Drand48,
    DelphiRandom,
    Randu,
    NumericalRecipes,
    KnuthMMIX,
    MinstdRand0,
    MinstdRand,
)
