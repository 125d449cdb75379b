"""The original system's 11 generator families, kept for compatibility only.

The original system (github.com/mmercalde/prng_cluster_public, ``prng_registry.py``) defines each
family by a Python "CPU reference" ``<name>_cpu(seed, n, skip=0, **params)``; its synthetic draw
injector (``synthetic_draw_injector.py``) and its test-data scripts made draws as
``cpu_reference(seed, n)[position] % mod_value`` (``mod:1000`` here). Each class below reproduces
one CPU reference with its default parameters, bit for bit, *including* the places where it
differs from the real-world generator it is named after (seeding without scrambling or
warm-up, a modulus of ``2**31 - 1`` where a mask was meant, a multiply applied to the state
instead of the output...), so that data made by the original can be analysed. The real
generators live in the other family modules.

Raw output ``i`` (0-based) is element ``i`` of ``<name>_cpu(seed, n)``; seeds are masked the way
the reference masks them, and ``seed_bits`` is the width that reaches the state (wider seeds
alias).
"""

from __future__ import annotations

import numpy as np

from kernels.generators._bits import (
    MASK32,
    MASK48,
    MASK64,
    lcg_jump,
    rotl,
    rotl_np,
    unxorshift_left,
    unxorshift_right,
)
from kernels.prng import PRNG

__all__ = [
    "LegacyJavaLcg",
    "LegacyLcg32",
    "LegacyMinstd",
    "LegacyMt19937",
    "LegacyPcg32",
    "LegacyPhilox4x32",
    "LegacySfc64",
    "LegacyXorshift32",
    "LegacyXorshift64",
    "LegacyXorshift128",
    "LegacyXoshiro256pp",
    "GENERATORS",
]

_U64 = np.uint64

_SOURCE = "mmercalde/prng_cluster_public prng_registry.py CPU reference"


class _Legacy(PRNG):
    family = "legacy"
    legacy = True
    # the original reduced every output with `% mod_value` (injector, sieve kernels, test data)
    native_below = "mod"


class LegacyXorshift32(_Legacy):
    """``xorshift32_cpu``: Marsaglia's xorshift32 (13, 17, 5); the seed is the state.

    Seed 0 is accepted and, as in the original, yields zeros forever.
    """

    name = "legacy_xorshift32"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = "xorshift32_cpu(seed): state = seed & 0xFFFFFFFF, output = state after each step"
    state_bits = 32
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (0 is a fixed point: all outputs 0)"
    invertible = True
    vouched_by = f"{_SOURCE} xorshift32_cpu"

    def __init__(self, seed: int) -> None:
        self.state = self.check_seed(seed)

    def next_raw(self) -> int:
        x = self.state
        x ^= (x << 13) & MASK32
        x ^= x >> 17
        x ^= (x << 5) & MASK32
        self.state = x
        return x

    def step_back(self) -> None:
        x = unxorshift_left(self.state, 5, MASK32)
        x = unxorshift_right(x, 17, 32)
        self.state = unxorshift_left(x, 13, MASK32)

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        x = np.asarray(seeds, dtype=np.uint64).astype(np.uint32)
        out = np.empty((len(x), n), dtype=np.uint32)
        for col in range(n):
            x ^= x << np.uint32(13)
            x ^= x >> np.uint32(17)
            x ^= x << np.uint32(5)
            out[:, col] = x
        return out


class LegacyJavaLcg(_Legacy):
    """``java_lcg_cpu``: java.util.Random's LCG *without* its seed scramble.

    The state is ``seed mod 2**48`` itself, so ``legacy_java_lcg(s)`` equals
    ``new java.util.Random(s ^ 0x5DEECE66D).nextInt()`` (as unsigned), not ``new Random(s)``.
    """

    name = "legacy_java_lcg"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = "java_lcg_cpu(seed): state = seed & (2**48 - 1), no ^ 0x5DEECE66D scramble"
    state_bits = 48
    output_bits = 32
    seed_bits = 48
    seed_space = "0 <= seed < 2**48 (the reference masks wider seeds to 48 bits)"
    invertible = True
    vouched_by = f"{_SOURCE} java_lcg_cpu"

    MULTIPLIER = 25214903917
    INCREMENT = 11
    INVERSE = pow(MULTIPLIER, -1, 1 << 48)

    def __init__(self, seed: int) -> None:
        self.state = self.check_seed(seed)

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

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        state = np.asarray(seeds, dtype=np.uint64) & _U64(MASK48)
        out = np.empty((len(state), n), dtype=np.uint32)
        a, c, mask = _U64(cls.MULTIPLIER), _U64(cls.INCREMENT), _U64(MASK48)
        for col in range(n):
            state = (state * a + c) & mask  # wraps mod 2**64, then masked: exact mod 2**48
            out[:, col] = (state >> _U64(16)).astype(np.uint32)
        return out


class LegacyMinstd(_Legacy):
    """``minstd_cpu``: Park-Miller with multiplier 48271 mod ``2**31 - 1``.

    State ``seed % (2**31 - 1)``, replaced by 1 when that is 0; the output is the new state.
    This is exactly C++ ``std::minstd_rand(seed)`` for 32-bit seeds (same zero rule).
    """

    name = "legacy_minstd"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = "minstd_cpu(seed): state = seed % (2**31 - 1), or 1 if that is 0"
    state_bits = 31
    output_bits = 31
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (reduced mod 2**31 - 1; 0 and 2**31 - 1 both give state 1)"
    invertible = True
    vouched_by = f"{_SOURCE} minstd_cpu"

    MULTIPLIER = 48271
    MODULUS = 2147483647
    INVERSE = pow(MULTIPLIER, -1, MODULUS)

    def __init__(self, seed: int) -> None:
        self.state = self.check_seed(seed) % self.MODULUS or 1

    def next_raw(self) -> int:
        self.state = self.state * self.MULTIPLIER % self.MODULUS
        return self.state

    def step_back(self) -> None:
        self.state = self.state * self.INVERSE % self.MODULUS

    def jump(self, n: int) -> None:
        self.state = self.state * pow(self.MULTIPLIER, n, self.MODULUS) % self.MODULUS

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        m = _U64(cls.MODULUS)
        state = np.asarray(seeds, dtype=np.uint64) % m
        state[state == 0] = 1
        out = np.empty((len(state), n), dtype=np.uint32)
        a = _U64(cls.MULTIPLIER)
        for col in range(n):
            state = state * a % m  # < 2**47: no wrap
            out[:, col] = state
        return out


class LegacyXorshift128(_Legacy):
    """``xorshift128_cpu``: Marsaglia's xor128 with ``x = seed`` and his default ``y, z, w``.

    Marsaglia's own default is ``x = 123456789``, so seed 123456789 gives his published stream.
    """

    name = "legacy_xorshift128"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = ("xorshift128_cpu(seed): x = seed & 0xFFFFFFFF, y = 362436069, z = 521288629, "
               "w = 88675123; output w")
    state_bits = 128
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (only x is seeded)"
    invertible = True
    vouched_by = f"{_SOURCE} xorshift128_cpu"

    Y, Z, W = 362436069, 521288629, 88675123

    def __init__(self, seed: int) -> None:
        self.x, self.y, self.z, self.w = self.check_seed(seed), self.Y, self.Z, self.W

    def next_raw(self) -> int:
        t = (self.x ^ (self.x << 11)) & MASK32
        self.x, self.y, self.z = self.y, self.z, self.w
        self.w = self.w ^ (self.w >> 19) ^ t ^ (t >> 8)
        return self.w

    def step_back(self) -> None:
        # w_new ^ w_old ^ (w_old >> 19) = t ^ (t >> 8), t = x_old ^ (x_old << 11)
        w_old = self.z
        t = unxorshift_right(self.w ^ w_old ^ (w_old >> 19), 8, 32)
        x_old = unxorshift_left(t, 11, MASK32)
        self.x, self.y, self.z, self.w = x_old, self.x, self.y, w_old

    def get_state(self) -> tuple[int, ...]:
        return (self.x, self.y, self.z, self.w)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.x, self.y, self.z, self.w = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        x = np.asarray(seeds, dtype=np.uint64).astype(np.uint32)
        y = np.full_like(x, cls.Y)
        z = np.full_like(x, cls.Z)
        w = np.full_like(x, cls.W)
        out = np.empty((len(x), n), dtype=np.uint32)
        for col in range(n):
            t = x ^ (x << np.uint32(11))
            x, y, z = y, z, w
            w = w ^ (w >> np.uint32(19)) ^ t ^ (t >> np.uint32(8))
            out[:, col] = w
        return out


class LegacyXorshift64(_Legacy):
    """``xorshift64_cpu``: xorshift64* whose multiply is applied to the *state*; low 32 bits out.

    Real xorshift64* keeps the xorshift state and multiplies only the output; here
    ``state = xorshift(state) * 0x2545F4914F6CDD1D`` and the output is ``state & 0xFFFFFFFF``.
    The step is still a bijection, but the stream is not xorshift64* (nor GF(2)-linear).
    Seed 0 yields zeros forever.
    """

    name = "legacy_xorshift64"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = "xorshift64_cpu(seed): state = seed & (2**64 - 1)"
    state_bits = 64
    output_bits = 32
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (0 is a fixed point: all outputs 0)"
    invertible = True
    vouched_by = f"{_SOURCE} xorshift64_cpu"

    MULTIPLIER = 0x2545F4914F6CDD1D
    INVERSE = pow(MULTIPLIER, -1, 1 << 64)

    def __init__(self, seed: int) -> None:
        self.state = self.check_seed(seed)

    def next_raw(self) -> int:
        s = self.state
        s ^= s >> 12
        s ^= (s << 25) & MASK64
        s ^= s >> 27
        self.state = (s * self.MULTIPLIER) & MASK64
        return self.state & MASK32

    def step_back(self) -> None:
        s = (self.state * self.INVERSE) & MASK64
        s = unxorshift_right(s, 27, 64)
        s = unxorshift_left(s, 25, MASK64)
        self.state = unxorshift_right(s, 12, 64)

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        s = np.asarray(seeds, dtype=np.uint64).copy()
        out = np.empty((len(s), n), dtype=np.uint32)
        mult = _U64(cls.MULTIPLIER)
        for col in range(n):
            s ^= s >> _U64(12)
            s ^= s << _U64(25)
            s ^= s >> _U64(27)
            s *= mult
            out[:, col] = (s & _U64(MASK32)).astype(np.uint32)
        return out


class LegacyPcg32(_Legacy):
    """``pcg32_cpu``: PCG-XSH-RR on a 64-bit LCG whose state *is* the seed.

    Increment 1442695040888963407 (pcg-cpp's default stream, ``initseq`` 721347520444481703
    in pcg_basic terms), no ``pcg32_srandom`` bumps; the first output is the permutation of the
    seed itself.
    """

    name = "legacy_pcg32"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = ("pcg32_cpu(seed): state = seed & (2**64 - 1), increment 1442695040888963407; "
               "output from the pre-step state")
    state_bits = 64
    output_bits = 32
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (the original's GPU sieve only tried 32-bit seeds)"
    invertible = True
    vouched_by = f"{_SOURCE} pcg32_cpu"

    MULTIPLIER = 6364136223846793005
    INCREMENT = 1442695040888963407
    INVERSE = pow(MULTIPLIER, -1, 1 << 64)

    def __init__(self, seed: int) -> None:
        self.state = self.check_seed(seed)

    def next_raw(self) -> int:
        old = self.state
        self.state = (old * self.MULTIPLIER + self.INCREMENT) & MASK64
        xorshifted = (((old >> 18) ^ old) >> 27) & MASK32
        rot = old >> 59
        return ((xorshifted >> rot) | (xorshifted << (-rot & 31))) & MASK32

    def step_back(self) -> None:
        self.state = ((self.state - self.INCREMENT) * self.INVERSE) & MASK64

    def jump(self, n: int) -> None:
        self.state = lcg_jump(self.state, self.MULTIPLIER, self.INCREMENT, n, 1 << 64)

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        state = np.asarray(seeds, dtype=np.uint64).copy()
        out = np.empty((len(state), n), dtype=np.uint32)
        a, c = _U64(cls.MULTIPLIER), _U64(cls.INCREMENT)
        for col in range(n):
            old = state
            state = old * a + c
            xorshifted = (((old >> _U64(18)) ^ old) >> _U64(27)).astype(np.uint32)
            rot = (old >> _U64(59)).astype(np.uint32)
            out[:, col] = (xorshifted >> rot) | (xorshifted << ((np.uint32(32) - rot) & np.uint32(31)))
        return out


class LegacyLcg32(_Legacy):
    """``lcg32_cpu``: ``state = (1103515245 * state + 12345) % 0x7FFFFFFF``; output the state.

    The ANSI C / glibc ``TYPE_0`` constants, but reduced *modulo* ``2**31 - 1`` (the mask value
    used as a modulus) instead of masked to 31 bits, so it matches no C library. The state
    starts as the raw 32-bit seed (it may exceed the modulus until the first step). The map
    has a fixed point: the seed(s) congruent to ``FIXED_POINT`` give a constant stream.
    """

    name = "legacy_lcg32"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = "lcg32_cpu(seed): state = seed & 0xFFFFFFFF, then state = (a*state + c) % 0x7FFFFFFF"
    state_bits = 32
    output_bits = 31
    seed_bits = 32
    seed_space = "0 <= seed < 2**32 (seeds equal mod 2**31 - 1 give the same outputs)"
    invertible = True
    vouched_by = f"{_SOURCE} lcg32_cpu"

    MULTIPLIER = 1103515245
    INCREMENT = 12345
    MODULUS = 0x7FFFFFFF
    INVERSE = pow(MULTIPLIER, -1, MODULUS)
    #: x with (a x + c) % m == x
    FIXED_POINT = INCREMENT * pow(1 - MULTIPLIER, -1, MODULUS) % MODULUS

    def __init__(self, seed: int) -> None:
        self.state = self.check_seed(seed)

    def next_raw(self) -> int:
        self.state = (self.MULTIPLIER * self.state + self.INCREMENT) % self.MODULUS
        return self.state

    def step_back(self) -> None:
        # lands on the residue of the seed, not the seed itself: same outputs from there on
        self.state = (self.state - self.INCREMENT) * self.INVERSE % self.MODULUS

    def jump(self, n: int) -> None:
        if n:  # the seeded state may exceed the modulus until the first step
            self.state = lcg_jump(self.state, self.MULTIPLIER, self.INCREMENT, n, self.MODULUS)

    def get_state(self) -> tuple[int, ...]:
        return (self.state,)

    def set_state(self, state: tuple[int, ...]) -> None:
        (self.state,) = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        state = np.asarray(seeds, dtype=np.uint64) & _U64(MASK32)
        out = np.empty((len(state), n), dtype=np.uint32)
        a, c, m = _U64(cls.MULTIPLIER), _U64(cls.INCREMENT), _U64(cls.MODULUS)
        for col in range(n):
            state = (a * state + c) % m  # a * (2**32 - 1) + c < 2**63: no wrap
            out[:, col] = state
        return out


class LegacyXoshiro256pp(_Legacy):
    """``xoshiro256pp_cpu``: Vigna's xoshiro256++ seeded ``(seed, 3 fixed constants)``.

    The algorithm is the reference one; the seeding is not (no splitmix64): ``s0 = seed``,
    ``s1, s2, s3`` = golden-ratio, sqrt(2) and sqrt(3) fraction constants.
    """

    name = "legacy_xoshiro256pp"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = ("xoshiro256pp_cpu(seed): s = (seed, 0x9E3779B97F4A7C15, 0x6A09E667F3BCC908, "
               "0xBB67AE8584CAA73B)")
    state_bits = 256
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (only s0 is seeded)"
    invertible = True
    vouched_by = f"{_SOURCE} xoshiro256pp_cpu"

    S1, S2, S3 = 0x9E3779B97F4A7C15, 0x6A09E667F3BCC908, 0xBB67AE8584CAA73B

    def __init__(self, seed: int) -> None:
        self.s = [self.check_seed(seed), self.S1, self.S2, self.S3]

    def next_raw(self) -> int:
        s0, s1, s2, s3 = self.s
        result = (rotl((s0 + s3) & MASK64, 23, 64) + s0) & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        self.s = [s0, s1, s2, rotl(s3, 45, 64)]
        return result

    def step_back(self) -> None:
        n0, n1, n2, n3 = self.s
        a = rotl(n3, 64 - 45, 64)  # old s3 ^ old s1
        s0 = n0 ^ a
        s1 = unxorshift_left(n1 ^ n2, 17, MASK64)  # n1 ^ n2 = s1 ^ (s1 << 17)
        s2 = n2 ^ s0 ^ ((s1 << 17) & MASK64)
        self.s = [s0, s1, s2, a ^ s1]

    def get_state(self) -> tuple[int, ...]:
        return tuple(self.s)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.s = list(state)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        s0 = np.asarray(seeds, dtype=np.uint64).copy()
        s1 = np.full_like(s0, cls.S1)
        s2 = np.full_like(s0, cls.S2)
        s3 = np.full_like(s0, cls.S3)
        out = np.empty((len(s0), n), dtype=np.uint64)
        for col in range(n):
            out[:, col] = rotl_np(s0 + s3, 23) + s0
            t = s1 << _U64(17)
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = rotl_np(s3, 45)
        return out


class LegacyPhilox4x32(_Legacy):
    """``philox4x32_cpu``: Random123 Philox4x32-10, output ``i`` = word 0 of block ``(i, 0, 0, 0)``.

    Key ``(seed & 0xFFFFFFFF, seed >> 32)``; the other three output words are discarded. The
    reference does not mask the counter: from ``i = 2**32`` on, the first round's high product
    uses all bits of ``i`` (reproduced here; the GPU kernel wrapped at 2**32 instead).
    """

    name = "legacy_philox4x32"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = "philox4x32_cpu(seed): key = (seed & 0xFFFFFFFF, seed >> 32), counter i = (i, 0, 0, 0)"
    state_bits = 96
    output_bits = 32
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (the 64-bit key)"
    invertible = True
    vouched_by = f"{_SOURCE} philox4x32_cpu"

    M0, M1 = 0xD2511F53, 0xCD9E8D57
    W0, W1 = 0x9E3779B9, 0xBB67AE85

    def __init__(self, seed: int) -> None:
        self.key = self.check_seed(seed)
        self.counter = 0

    def _block(self, counter: int) -> int:
        c0, c1, c2, c3 = counter, 0, 0, 0
        k0, k1 = self.key & MASK32, self.key >> 32
        for _ in range(10):
            p0, p1 = c0 * self.M0, c2 * self.M1
            c0, c1, c2, c3 = ((p1 >> 32) & MASK32) ^ c1 ^ k0, p1 & MASK32, ((p0 >> 32) & MASK32) ^ c3 ^ k1, p0 & MASK32
            k0, k1 = (k0 + self.W0) & MASK32, (k1 + self.W1) & MASK32
        return c0

    def next_raw(self) -> int:
        value = self._block(self.counter)
        self.counter += 1
        return value

    def step_back(self) -> None:
        if self.counter == 0:
            raise ValueError(f"{self.name}: no output before the first one")
        self.counter -= 1

    def jump(self, n: int) -> None:
        self.counter += n

    def get_state(self) -> tuple[int, ...]:
        return (self.counter, self.key)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.counter, self.key = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        shape = (len(seeds), n)
        m32 = _U64(MASK32)
        k0 = np.broadcast_to((seeds & m32)[:, None], shape)
        k1 = np.broadcast_to((seeds >> _U64(32))[:, None], shape)
        c0 = np.broadcast_to(np.arange(n, dtype=np.uint64)[None, :], shape)
        c1 = c2 = c3 = np.zeros(shape, dtype=np.uint64)
        for _ in range(10):
            p0, p1 = c0 * _U64(cls.M0), c2 * _U64(cls.M1)  # 32 x 32 bits: no wrap
            c0, c1, c2, c3 = (p1 >> _U64(32)) ^ c1 ^ k0, p1 & m32, (p0 >> _U64(32)) ^ c3 ^ k1, p0 & m32
            k0, k1 = (k0 + _U64(cls.W0)) & m32, (k1 + _U64(cls.W1)) & m32
        return c0.astype(np.uint32)


class LegacySfc64(_Legacy):
    """``sfc64_cpu``: Doty-Humphrey's SFC64 step seeded ``(seed, 2 constants, counter 1)``.

    The step is the real SFC64 (as in PractRand and numpy); the seeding is not: no
    ``a = b = c = seed`` and no 12 discarded rounds, so the first outputs are weakly mixed.
    """

    name = "legacy_sfc64"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = "sfc64_cpu(seed): a = seed, b = 0x9E3779B97F4A7C15, c = 0x6A09E667F3BCC908, counter = 1"
    state_bits = 256
    output_bits = 64
    seed_bits = 64
    seed_space = "0 <= seed < 2**64 (only a is seeded)"
    invertible = True
    vouched_by = f"{_SOURCE} sfc64_cpu"

    B, C = 0x9E3779B97F4A7C15, 0x6A09E667F3BCC908
    INVERSE_9 = pow(9, -1, 1 << 64)

    def __init__(self, seed: int) -> None:
        self.a, self.b, self.c, self.counter = self.check_seed(seed), self.B, self.C, 1

    def next_raw(self) -> int:
        tmp = (self.a + self.b + self.counter) & MASK64
        self.counter = (self.counter + 1) & MASK64
        self.a = self.b ^ (self.b >> 11)
        self.b = (self.c * 9) & MASK64
        self.c = (rotl(self.c, 24, 64) + tmp) & MASK64
        return tmp

    def step_back(self) -> None:
        counter = (self.counter - 1) & MASK64
        c = (self.b * self.INVERSE_9) & MASK64  # b' = c + (c << 3)
        b = unxorshift_right(self.a, 11, 64)
        tmp = (self.c - rotl(c, 24, 64)) & MASK64
        self.a, self.b, self.c, self.counter = (tmp - b - counter) & MASK64, b, c, counter

    def get_state(self) -> tuple[int, ...]:
        return (self.a, self.b, self.c, self.counter)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.a, self.b, self.c, self.counter = state

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        a = np.asarray(seeds, dtype=np.uint64).copy()
        b = np.full_like(a, cls.B)
        c = np.full_like(a, cls.C)
        out = np.empty((len(a), n), dtype=np.uint64)
        for col in range(n):
            tmp = a + b + _U64(col + 1)
            a = b ^ (b >> _U64(11))
            b = c + (c << _U64(3))
            c = rotl_np(c, 24) + tmp
            out[:, col] = tmp
        return out


class LegacyMt19937(_Legacy):
    """``mt19937_cpu_simple`` (and ``mt19937_cpu``): MT19937 with ``init_genrand(seed)``.

    Identical to C++ ``std::mt19937(seed)``; kept separate because the original registered it
    as its own family. Its twist adds instead of or-ing the masked halves (same result).
    """

    name = "legacy_mt19937"
    prior = 0.5  # the original system's compatibility family, kept for old ledgers
    seeding = "mt19937_cpu_simple(seed): init_genrand(seed & 0xFFFFFFFF)"
    state_bits = 19937
    output_bits = 32
    seed_bits = 32
    seed_space = "0 <= seed < 2**32"
    invertible = False
    vouched_by = f"{_SOURCE} mt19937_cpu_simple"

    N, M = 624, 397
    MATRIX_A = 0x9908B0DF

    def __init__(self, seed: int) -> None:
        mt = [self.check_seed(seed)]
        for i in range(1, self.N):
            mt.append((1812433253 * (mt[-1] ^ (mt[-1] >> 30)) + i) & MASK32)
        self.mt = mt
        self.index = self.N

    def _twist(self) -> None:
        mt, n, m = self.mt, self.N, self.M
        for i in range(n):
            y = (mt[i] & 0x80000000) | (mt[(i + 1) % n] & 0x7FFFFFFF)
            mt[i] = mt[(i + m) % n] ^ (y >> 1) ^ (self.MATRIX_A if y & 1 else 0)
        self.index = 0

    def next_raw(self) -> int:
        if self.index >= self.N:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        return y ^ (y >> 18)

    def get_state(self) -> tuple[int, ...]:
        return (*self.mt, self.index)

    def set_state(self, state: tuple[int, ...]) -> None:
        *mt, self.index = state
        self.mt = list(mt)

    @classmethod
    def _twist_np(cls, mt: np.ndarray) -> None:
        """In-place twist of rows of 624 words, in the reference's order of updates."""
        n, m = cls.N, cls.M
        upper, lower, matrix = _U64(0x80000000), _U64(0x7FFFFFFF), _U64(cls.MATRIX_A)

        def update(lo: int, hi: int) -> None:
            # words lo..hi-1 read mt[i + 1] (not yet updated) and mt[(i + m) % n], which is
            # already updated for i >= n - m: hence the blocks of at most n - m words
            y = (mt[:, lo:hi] & upper) | (mt[:, lo + 1:hi + 1] & lower)
            src = np.arange(lo, hi) + m
            src[src >= n] -= n
            mt[:, lo:hi] = mt[:, src] ^ (y >> _U64(1)) ^ ((y & _U64(1)) * matrix)

        for lo in range(0, n - 1, n - m):
            update(lo, min(lo + n - m, n - 1))
        y = (mt[:, n - 1] & upper) | (mt[:, 0] & lower)
        mt[:, n - 1] = mt[:, m - 1] ^ (y >> _U64(1)) ^ ((y & _U64(1)) * matrix)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.uint64)
        mt = np.empty((len(seeds), cls.N), dtype=np.uint64)
        mt[:, 0] = seeds & _U64(MASK32)
        for i in range(1, cls.N):
            prev = mt[:, i - 1]
            mt[:, i] = (_U64(1812433253) * (prev ^ (prev >> _U64(30))) + _U64(i)) & _U64(MASK32)
        out = np.empty((len(seeds), n), dtype=np.uint32)
        for start in range(0, n, cls.N):
            cls._twist_np(mt)
            count = min(cls.N, n - start)
            y = mt[:, :count].copy()
            y ^= y >> _U64(11)
            y ^= (y << _U64(7)) & _U64(0x9D2C5680)
            y ^= (y << _U64(15)) & _U64(0xEFC60000)
            y ^= y >> _U64(18)
            out[:, start:start + count] = y
        return out


GENERATORS = (
    LegacyJavaLcg,
    LegacyLcg32,
    LegacyMinstd,
    LegacyMt19937,
    LegacyPcg32,
    LegacyPhilox4x32,
    LegacySfc64,
    LegacyXorshift32,
    LegacyXorshift64,
    LegacyXorshift128,
    LegacyXoshiro256pp,
)
