"""PCG: O'Neill's permuted congruential generators, as the PCG reference and numpy seed them.

Every PCG is an LCG underneath (``state = state * MULT + inc`` modulo ``2**64`` or ``2**128``)
with an output permutation on top, so all of them step backwards (multiply by the inverse of
``MULT``) and jump ahead in closed form (square-and-multiply on the affine map).

* ``pcg32``: the reference ``pcg32_srandom_r(&rng, seed, 54)`` / ``pcg32_random_r`` (XSH-RR);
* ``pcg64``: ``numpy.random.PCG64(seed)`` (XSL-RR 128/64), seeded through ``SeedSequence``;
* ``pcg64_dxsm``: ``numpy.random.PCG64DXSM(seed)`` (cheap multiplier, DXSM output).
"""

from __future__ import annotations

import numpy as np

from kernels.generators import _seed_sequence
from kernels.generators._bits import MASK32, MASK64, MASK128, lcg_jump, mulhi64
from kernels.prng import PRNG

__all__ = ["PCG32", "PCG64", "PCG64DXSM", "GENERATORS"]

_U = np.uint64


def _mul128(hi: np.ndarray, lo: np.ndarray, mult: int) -> tuple[np.ndarray, np.ndarray]:
    m_hi, m_lo = _U(mult >> 64), _U(mult & MASK64)
    return mulhi64(lo, m_lo) + lo * m_hi + hi * m_lo, lo * m_lo


def _add128(hi: np.ndarray, lo: np.ndarray, add_hi: np.ndarray, add_lo: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    low = lo + add_lo
    carry = (low < lo).astype(np.uint64)
    return hi + add_hi + carry, low


def _rotr64(x: np.ndarray, rot: np.ndarray) -> np.ndarray:
    return (x >> rot) | (x << ((_U(64) - rot) & _U(63)))


class PCG32(PRNG):
    """PCG reference ``pcg32`` (pcg-c-basic): ``pcg32_srandom_r(&rng, seed, 54)``, XSH-RR output.

    The stream selector ``initseq`` is fixed at 54, the value of the reference ``pcg32-demo``
    (``pcg32_srandom_r(&rng, 42u, 54u)``); the seed is ``initstate``. The raw output is
    ``pcg32_random_r`` (computed from the state *before* the LCG step).
    """

    name = "pcg32"
    prior = 8  # pcg32, the PCG reference and Rust rand_pcg
    family = "pcg_counter"
    seeding = "pcg32_srandom_r(&rng, seed, 54) (PCG reference pcg_basic.c; initseq 54 as in pcg32-demo)"
    state_bits = 64
    output_bits = 32
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (initstate of pcg32_srandom_r; initseq fixed at 54)"
    invertible = True
    # The reference's pcg32_boundedrand_r (reject r < 2**32 % bound, then r % bound) is not one of
    # our reductions; "mod" is the plain idiom.
    native_below = "mod"
    vouched_by = "PCG reference C (pcg-c-basic pcg_basic.c, pcg32-demo); cross-checked with randomgen PCG32"

    MULTIPLIER = 6364136223846793005
    INITSEQ = 54
    INVERSE = pow(MULTIPLIER, -1, 1 << 64)

    def __init__(self, seed: int) -> None:
        seed = self.check_seed(seed)
        self.inc = ((self.INITSEQ << 1) | 1) & MASK64
        self.state = 0
        self._step()
        self.state = (self.state + seed) & MASK64
        self._step()

    def _step(self) -> None:
        self.state = (self.state * self.MULTIPLIER + self.inc) & MASK64

    def next_raw(self) -> int:
        old = self.state
        self._step()
        xorshifted = (((old >> 18) ^ old) >> 27) & MASK32
        rot = old >> 59
        return ((xorshifted >> rot) | (xorshifted << ((-rot) & 31))) & MASK32

    def step_back(self) -> None:
        self.state = ((self.state - self.inc) * self.INVERSE) & MASK64

    def jump(self, n: int) -> None:
        self.state = lcg_jump(self.state, self.MULTIPLIER, self.inc, n, 1 << 64)

    def get_state(self) -> tuple[int, ...]:
        return (self.state, self.inc)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.state, self.inc = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        mult, inc = _U(cls.MULTIPLIER), _U((cls.INITSEQ << 1) | 1)
        state = (np.zeros_like(seeds) * mult + inc + seeds) * mult + inc
        out = np.empty((len(seeds), n), dtype=np.uint32)
        for col in range(n):
            old = state
            state = old * mult + inc
            xorshifted = (((old >> _U(18)) ^ old) >> _U(27)).astype(np.uint32)
            rot = (old >> _U(59)).astype(np.uint32)
            out[:, col] = (xorshifted >> rot) | (xorshifted << ((np.uint32(32) - rot) & np.uint32(31)))
        return out


class _NumpyPCG128(PRNG):
    """Shared parts of numpy's 128-bit PCGs: SeedSequence seeding, LCG inverse and jump."""

    family = "pcg_counter"
    state_bits = 128
    output_bits = 64
    seed_bits = 64
    invertible = True
    # numpy Generator.integers(n): Lemire's method on the words' 32-bit halves, low half first
    # (tests/vectors/ranges/pcg64)
    native_below = "lemire32"
    vouched_by = f"numpy {np.__version__}"

    #: LCG multiplier of the state update
    MULTIPLIER: int
    #: its inverse modulo 2**128 (set per subclass)
    INVERSE: int
    #: numpy seeds both PCG64 and PCG64DXSM with pcg64_set_seed, i.e. pcg_setseq_128_srandom_r
    #: with the *default* 128-bit multiplier, whatever multiplier the stream then uses
    SEED_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.INVERSE = pow(cls.MULTIPLIER, -1, 1 << 128)

    def __init__(self, seed: int) -> None:
        seed = self.check_seed(seed)
        # SeedSequence(seed).generate_state(4, uint64) = [s_hi, s_lo, i_hi, i_lo] (pcg64_set_seed)
        s_hi, s_lo, i_hi, i_lo = _seed_sequence.generate_state(seed, 4, 64)
        # pcg_setseq_128_srandom_r: state = 0; inc = initseq << 1 | 1; step; state += initstate; step
        self.inc = ((((i_hi << 64) | i_lo) << 1) | 1) & MASK128
        self.state = (self.inc + ((s_hi << 64) | s_lo)) & MASK128
        self.state = (self.state * self.SEED_MULTIPLIER + self.inc) & MASK128

    def _step(self) -> None:
        self.state = (self.state * self.MULTIPLIER + self.inc) & MASK128

    def step_back(self) -> None:
        self.state = ((self.state - self.inc) * self.INVERSE) & MASK128

    def jump(self, n: int) -> None:
        self.state = lcg_jump(self.state, self.MULTIPLIER, self.inc, n, 1 << 128)

    def get_state(self) -> tuple[int, ...]:
        return (self.state, self.inc)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.state, self.inc = state

    @classmethod
    def _seed_many(cls, seeds: np.ndarray) -> tuple[np.ndarray, ...]:
        words = _seed_sequence.generate_state_many(seeds, 4, 64)
        s_hi, s_lo, i_hi, i_lo = (words[:, i] for i in range(4))
        inc_hi = (i_hi << _U(1)) | (i_lo >> _U(63))
        inc_lo = (i_lo << _U(1)) | _U(1)
        hi, lo = _add128(inc_hi, inc_lo, s_hi, s_lo)  # state = 0 * MULT + inc, then + initstate
        return (*cls._step_many(hi, lo, inc_hi, inc_lo, cls.SEED_MULTIPLIER), inc_hi, inc_lo)

    @classmethod
    def _step_many(cls, hi, lo, inc_hi, inc_lo, mult: int | None = None):
        hi, lo = _mul128(hi, lo, cls.MULTIPLIER if mult is None else mult)
        return _add128(hi, lo, inc_hi, inc_lo)


class PCG64(_NumpyPCG128):
    """``numpy.random.PCG64(seed)``: 128-bit LCG, XSL-RR output of the *stepped* state.

    Seeded through ``SeedSequence(seed).generate_state(4, uint64)`` = ``[s_hi, s_lo, i_hi, i_lo]``
    and ``pcg64_srandom(initstate=s_hi:s_lo, initseq=i_hi:i_lo)`` as numpy's ``pcg64_set_seed``
    does. Raw output: ``random_raw()``.
    """

    name = "pcg64"
    prior = 20  # PCG64, numpy.random.default_rng
    seeding = "numpy.random.PCG64(seed) (SeedSequence(seed).generate_state(4, uint64) -> pcg64_srandom)"
    seed_space = "0 <= seed < 2**64 (numpy SeedSequence(seed); numpy itself takes any int >= 0)"

    MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645

    def next_raw(self) -> int:
        self._step()
        state = self.state
        rot = state >> 122
        x = ((state >> 64) ^ state) & MASK64
        return ((x >> rot) | (x << ((-rot) & 63))) & MASK64

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        hi, lo, inc_hi, inc_lo = cls._seed_many(seeds)
        out = np.empty((len(hi), n), dtype=np.uint64)
        for col in range(n):
            hi, lo = cls._step_many(hi, lo, inc_hi, inc_lo)
            out[:, col] = _rotr64(hi ^ lo, hi >> _U(58))
        return out


class PCG64DXSM(_NumpyPCG128):
    """``numpy.random.PCG64DXSM(seed)``: 128-bit LCG with the 64-bit "cheap multiplier", DXSM
    output of the state *before* the step.

    Seeded exactly like ``PCG64``: numpy's ``PCG64DXSM`` calls the same ``pcg64_set_seed``
    (``pcg_setseq_128_srandom_r``, default multiplier), not ``pcg_cm_srandom_r``.
    """

    name = "pcg64_dxsm"
    prior = 5  # PCG64DXSM, numpy's recommended upgrade
    seeding = ("numpy.random.PCG64DXSM(seed) (SeedSequence(seed).generate_state(4, uint64) -> "
               "pcg_setseq_128_srandom_r, as for PCG64)")
    seed_space = "0 <= seed < 2**64 (numpy SeedSequence(seed); numpy itself takes any int >= 0)"

    CHEAP_MULTIPLIER = 0xDA942042E4DD58B5
    MULTIPLIER = CHEAP_MULTIPLIER

    def next_raw(self) -> int:
        hi = self.state >> 64
        lo = (self.state & MASK64) | 1
        self._step()
        hi ^= hi >> 32
        hi = (hi * self.CHEAP_MULTIPLIER) & MASK64
        hi ^= hi >> 48
        return (hi * lo) & MASK64

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        hi, lo, inc_hi, inc_lo = cls._seed_many(seeds)
        out = np.empty((len(hi), n), dtype=np.uint64)
        mult = _U(cls.CHEAP_MULTIPLIER)
        for col in range(n):
            x = hi ^ (hi >> _U(32))
            x = x * mult
            x = x ^ (x >> _U(48))
            out[:, col] = x * (lo | _U(1))
            hi, lo = cls._step_many(hi, lo, inc_hi, inc_lo)
        return out


GENERATORS = (PCG32, PCG64, PCG64DXSM)
