"""LCG and friends: linear congruential generators as real runtimes seed and use them."""

from __future__ import annotations

import numpy as np

from kernels.prng import PRNG, TWO_POW_53

__all__ = ["JavaRandom", "GENERATORS"]

_MASK48 = (1 << 48) - 1


class JavaRandom(PRNG):
    """``java.util.Random``: 48-bit LCG, seed scrambled with 0x5DEECE66D; raw output ``next(32)``."""

    name = "java_random"
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
        self.state = (self.check_seed(seed) ^ self.MULTIPLIER) & _MASK48

    def next_raw(self) -> int:
        self.state = (self.state * self.MULTIPLIER + self.INCREMENT) & _MASK48
        return self.state >> 16

    def step_back(self) -> None:
        self.state = ((self.state - self.INCREMENT) * self.INVERSE) & _MASK48

    def jump(self, n: int) -> None:
        # x_n = a^n x + c (a^n - 1)/(a - 1), computed without division by square-and-multiply
        mult, incr = 1, 0
        a, c = self.MULTIPLIER, self.INCREMENT
        while n:
            if n & 1:
                mult, incr = (mult * a) & _MASK48, (incr * a + c) & _MASK48
            a, c = (a * a) & _MASK48, (c * (a + 1)) & _MASK48
            n >>= 1
        self.state = (self.state * mult + incr) & _MASK48

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
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        state = (np.asarray(seeds, dtype=np.uint64) ^ np.uint64(cls.MULTIPLIER)) & np.uint64(_MASK48)
        out = np.empty((len(state), n), dtype=np.uint32)
        mult, incr, mask = np.uint64(cls.MULTIPLIER), np.uint64(cls.INCREMENT), np.uint64(_MASK48)
        for col in range(n):
            state = (state * mult + incr) & mask  # wraps mod 2**64, then masked: exact mod 2**48
            out[:, col] = (state >> np.uint64(16)).astype(np.uint32)
        return out


GENERATORS = (JavaRandom,)
