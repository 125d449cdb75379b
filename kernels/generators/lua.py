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
"""

from __future__ import annotations

import numpy as np

from kernels.generators.xoshiro import Xoshiro256StarStar

__all__ = ["Lua54Random", "GENERATORS", "LUA_SEED_DISCARDS"]

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


GENERATORS = (Lua54Random,)
