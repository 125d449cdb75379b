"""Lua's ``math.random``: the generator of the reference interpreter (``lmathlib.c``).

Lua 5.4 (5.4.0 to 5.4.8 alike) draws from xoshiro256** with its own seeding:
``math.randomseed(n)`` sets the state to ``{n, 0xff, 0, 0}`` (``n`` the 64-bit integer as
unsigned; a float seed must have an exact integer value) and discards 16 outputs. The two-argument
form ``math.randomseed(n1, n2)`` puts ``n2`` in the third word; a program that never calls
``randomseed`` gets ``n1 = time(NULL)`` and ``n2`` the address of its ``lua_State``, which no seed
search here covers.

What scripts print is a reduction of the 64-bit output (``kernels/reductions.py``):
``math.random(m, n)`` is ``lua_range:M:N`` (mask-and-reject, ``project`` in ``lmathlib.c``),
``math.random(m)`` is ``lua_range:1:M``, ``math.random()`` is ``u53_double`` (``(x >> 11) *
2**-53``, the default double of a 64-bit generator) and ``math.random(0)`` is the raw word as a
signed integer.

Lua 5.3 and 5.1 call the C library's generator; on Linux that is glibc's ``random()`` (``rand()``
is the same generator), so their entries are ``glibc_random`` with Lua's seeding and doubles:

* Lua 5.3 (``LUA_USE_POSIX``): ``math.randomseed(x)`` is ``srandom((unsigned int)x)`` followed by
  one ``random()`` thrown away; ``math.random()`` is ``random() * 2**-31`` (the default double of a
  31-bit generator), so ``math.random(m, n)`` is ``float_mul:(n - m + 1)`` plus ``m``;
* Lua 5.1: ``math.randomseed(x)`` is ``srand(x)``, nothing discarded; ``math.random()`` is
  ``(rand() % RAND_MAX) / RAND_MAX``, and ``math.random(m, n)`` is ``floor(r * (n - m + 1)) + m``,
  ``float_mul:(n - m + 1)`` of that double plus ``m``.

A 5.3 or 5.1 script that never calls ``randomseed`` draws from the C library's default state,
``srand(1)`` with nothing discarded: ``glibc_random`` seed 1 through the same doubles.

LuaJIT 2.1 (``lib_math.c``, ``lj_prng.c``) has its own generator, L'Ecuyer's combined
Tausworthe of period ``2**223`` on four 64-bit words, seeded by ``math.randomseed(d)`` from the
double ``d`` (each word the bits of ``d = d * pi + e``, conditioned, then 10 outputs discarded).
A draw uses the low 52 bits of an output: ``math.random()`` is them over ``2**52`` and
``math.random(m, n)`` is ``floor(d * (n - m + 1)) + m``, so the entry's raw word is those 52 bits
(all a script can see) and ``math.random(m)`` is its ``float_mul:m`` plus 1. A script that never
seeds starts from a fixed state, no seed of this entry.
"""

from __future__ import annotations

import math
import struct
from typing import TYPE_CHECKING

import numpy as np

from kernels.generators.lcg_friends import GlibcRandom
from kernels.generators.xoshiro import Xoshiro256StarStar
from kernels.prng import PRNG

if TYPE_CHECKING:
    from kernels.sieve.vector import LaneStreams

__all__ = ["Lua54Random", "Lua53Glibc", "Lua51Glibc", "LuaJitRandom", "GENERATORS",
           "LUA_SEED_DISCARDS", "C_RAND_MAX"]

_U64 = np.uint64

#: outputs ``setseed`` discards "to spread the seed"
LUA_SEED_DISCARDS = 16
#: ``setseed``'s second state word ("avoid a zero state")
_LUA_SEED_WORD1 = 0xFF


class Lua54Random(Xoshiro256StarStar):
    """Lua 5.4 ``math.random`` after ``math.randomseed(seed)``: xoshiro256** from
    ``{seed, 0xff, 0, 0}``, 16 outputs discarded (``setseed`` in ``lmathlib.c``)."""

    name = "lua54_random"
    prior = 5  # Lua 5.4 scripts: game mods, Neovim plugins, embedded scripting
    seeding = ("math.randomseed(seed) of Lua 5.4: s = {seed, 0xff, 0, 0}, then 16 outputs "
               "discarded")
    seed_space = ("0 <= seed < 2**64 (Lua's 64-bit integer as unsigned: randomseed(-1) is "
                  "seed 2**64 - 1)")
    native_below = "lua_range"
    vouched_by = "Lua 5.4.8 (lupa 2.8, lupa.lua54): math.randomseed(seed); math.random(0)"

    def __init__(self, seed: int) -> None:
        self.s = [self.check_seed(seed), _LUA_SEED_WORD1, 0, 0]
        for _ in range(LUA_SEED_DISCARDS):
            self.next_raw()

    @classmethod
    def _seed_words_np(cls, seeds: np.ndarray) -> tuple[np.ndarray, ...]:
        seeds = np.asarray(seeds, dtype=_U64)
        zeros = np.zeros_like(seeds)
        words = (seeds.copy(), np.full_like(seeds, _LUA_SEED_WORD1), zeros, zeros.copy())
        for _ in range(LUA_SEED_DISCARDS):
            words = cls._step_np(*words)
        return words


#: glibc's ``RAND_MAX`` (and POSIX's ``random()`` maximum): ``2**31 - 1``
C_RAND_MAX = 2147483647


class Lua53Glibc(GlibcRandom):
    """Lua 5.3 ``math.random`` on glibc: ``srandom(seed)``, one ``random()`` discarded."""

    name = "lua53_glibc"
    prior = 3  # Lua 5.3 scripts on Linux
    seeding = ("math.randomseed(seed) of Lua 5.3 on glibc: srandom((unsigned int)seed), then one "
               "random() discarded")
    seed_space = ("0 <= seed < 2**32 (randomseed's integer as unsigned int; 0 is replaced by 1, "
                  "so it equals seed 1)")
    native_below = "float_mul"
    vouched_by = ("Lua 5.3.6 (lupa 2.8, lupa.lua53) on glibc 2.36: math.randomseed(seed); "
                  "math.random() * 2**31")
    DISCARD = GlibcRandom.DISCARD + 1


class Lua51Glibc(GlibcRandom):
    """Lua 5.1 ``math.random`` on glibc: ``srand(seed)``; doubles ``(rand() % RAND_MAX) /
    RAND_MAX``."""

    name = "lua51_glibc"
    prior = 3  # Lua 5.1 scripts on Linux (the version most embedders froze on)
    seeding = "math.randomseed(seed) of Lua 5.1 on glibc: srand((int)seed), nothing discarded"
    seed_space = Lua53Glibc.seed_space
    native_below = "float_mul"
    vouched_by = ("Lua 5.1.5 (lupa 2.8, lupa.lua51) on glibc 2.36: math.randomseed(seed); "
                  "math.random() * 2147483647 (rand() % RAND_MAX)")

    def next_double(self) -> float:
        return (self.next_raw() % C_RAND_MAX) / float(C_RAND_MAX)

    @classmethod
    def vector_double(cls, streams: LaneStreams, lanes: np.ndarray | None = None) -> np.ndarray:
        words = streams.take(lanes) % _U64(C_RAND_MAX)
        return words.astype(np.float64) / float(C_RAND_MAX)


#: LuaJIT's four Tausworthe components: (k, q, s) of ``TW223_GEN`` in ``lj_prng.c``
_TW223 = ((63, 31, 18), (58, 19, 28), (55, 24, 7), (47, 21, 8))
_MASK64 = (1 << 64) - 1
_LOW52 = (1 << 52) - 1


class LuaJitRandom(PRNG):
    """LuaJIT 2.1 ``math.random`` after ``math.randomseed(seed)``: the low 52 bits of each
    Tausworthe output (``lj_prng_u64d``), seeded from the double ``seed``."""

    name = "luajit_random"
    family = "other"
    prior = 4  # LuaJIT: OpenResty/nginx, Neovim, LÖVE games
    seeding = ("math.randomseed(seed) of LuaJIT 2.1 (x86-64): u[i] = bits of d = d * pi + e, "
               "each raised to its component's lowest valid value, then 10 outputs discarded")
    state_bits = 223
    output_bits = 52
    seed_bits = 53
    seed_space = ("0 <= seed < 2**53 (randomseed's number is a double: these integers exactly; "
                  "negative and fractional seeds are not covered)")
    native_below = "float_mul"
    vouched_by = ("LuaJIT 2.1.1774896198 (lupa 2.8, lupa.luajit21, x64): math.randomseed(seed); "
                  "math.random() * 2**52")

    def __init__(self, seed: int) -> None:
        d = float(self.check_seed(seed))
        self.u = []
        for k, _, _ in _TW223:
            d = d * math.pi + math.e
            word = struct.unpack("<Q", struct.pack("<d", d))[0]
            least = 1 << (64 - k)
            self.u.append(word + least if word < least else word)
        for _ in range(10):
            self._step()

    def _step(self) -> int:
        out = 0
        for i, (k, q, s) in enumerate(_TW223):
            z = self.u[i]
            z = ((((z << q) & _MASK64) ^ z) >> (k - s)) ^ (((z & (_MASK64 << (64 - k))) << s) & _MASK64)
            out ^= z
            self.u[i] = z
        return out

    def next_raw(self) -> int:
        return self._step() & _LOW52

    def get_state(self) -> tuple[int, ...]:
        return tuple(self.u)

    def set_state(self, state: tuple[int, ...]) -> None:
        self.u = list(state)

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        d = np.asarray(seeds, dtype=_U64).astype(np.float64)
        words = []
        for k, _, _ in _TW223:
            d = d * math.pi + math.e
            word = d.view(_U64)
            least = _U64(1 << (64 - k))
            words.append(np.where(word < least, word + least, word))
        out = np.empty((len(d), n), dtype=_U64)
        for col in range(-10, n):
            acc = np.zeros(len(d), dtype=_U64)
            for i, (k, q, s) in enumerate(_TW223):
                z = words[i]
                high = z & _U64((_MASK64 << (64 - k)) & _MASK64)
                z = (((z << _U64(q)) ^ z) >> _U64(k - s)) ^ (high << _U64(s))
                acc ^= z
                words[i] = z
            if col >= 0:
                out[:, col] = acc & _U64(_LOW52)
        return out


GENERATORS = (Lua54Random, Lua53Glibc, Lua51Glibc, LuaJitRandom)
