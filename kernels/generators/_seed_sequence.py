"""numpy's ``SeedSequence`` for integer seeds, bit for bit, scalar and vectorised over seeds.

``numpy.random.<BitGenerator>(seed)`` with an integer ``seed`` builds ``SeedSequence(seed)`` and
asks it for ``generate_state(n, dtype)``. This module reproduces numpy's
``numpy/random/bit_generator.pyx`` (the entropy-pool hash of Melissa O'Neill's ``seed_seq``
design, pool size 4):

* the integer seed becomes little-endian 32-bit entropy words (``0`` -> ``[0]``);
* ``mix_entropy`` hashes those words into a 4-word pool (``hashmix``/``mix``);
* ``generate_state`` hashes the pool cyclically into output words; ``uint64`` output pairs
  consecutive 32-bit words as (low, high).

No spawn key, no extra entropy: exactly ``SeedSequence(seed)``.

The vectorised path (:func:`generate_state_many`) takes ``uint64`` seeds: each is two entropy
words ``(seed & 0xffffffff, seed >> 32)``. For ``seed < 2**32`` numpy uses one word and hashes a
zero for the missing pool word, which is the same thing, so the two paths agree everywhere.
"""

from __future__ import annotations

import numpy as np

from kernels.generators._bits import MASK32

__all__ = ["entropy_words", "pool", "generate_state", "generate_state_many", "POOL_SIZE"]

POOL_SIZE = 4
_INIT_A = 0x43B0D7E5
_MULT_A = 0x931E8875
_INIT_B = 0x8B51F9DD
_MULT_B = 0x58F38DED
_MIX_MULT_L = 0xCA01F9DD
_MIX_MULT_R = 0x4973F715
_XSHIFT = 16


def entropy_words(seed: int) -> list[int]:
    """numpy's ``_int_to_uint32_array``: little-endian 32-bit words, ``[0]`` for zero."""
    if isinstance(seed, bool) or int(seed) < 0:
        raise ValueError("SeedSequence entropy must be a non-negative integer")
    seed = int(seed)
    if seed == 0:
        return [0]
    words = []
    while seed:
        words.append(seed & MASK32)
        seed >>= 32
    return words


def _mix(x: int, y: int) -> int:
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & MASK32
    return result ^ (result >> _XSHIFT)


def pool(seed: int) -> list[int]:
    """The 4-word entropy pool of ``SeedSequence(seed)`` (numpy's ``mix_entropy``)."""
    entropy = entropy_words(seed)
    hash_const = _INIT_A

    def hashmix(value: int) -> int:
        nonlocal hash_const
        value ^= hash_const
        hash_const = (hash_const * _MULT_A) & MASK32
        value = (value * hash_const) & MASK32
        return value ^ (value >> _XSHIFT)

    mixer = [hashmix(entropy[i] if i < len(entropy) else 0) for i in range(POOL_SIZE)]
    # Every pool word mixes into every other one, so late entropy words reach early pool words.
    for src in range(POOL_SIZE):
        for dst in range(POOL_SIZE):
            if src != dst:
                mixer[dst] = _mix(mixer[dst], hashmix(mixer[src]))
    for src in range(POOL_SIZE, len(entropy)):
        for dst in range(POOL_SIZE):
            mixer[dst] = _mix(mixer[dst], hashmix(entropy[src]))
    return mixer


def generate_state(seed: int, n_words: int, bits: int = 32) -> list[int]:
    """``SeedSequence(seed).generate_state(n_words, uint32 or uint64)`` as Python ints."""
    if bits not in (32, 64):
        raise ValueError("bits must be 32 or 64")
    mixer = pool(seed)
    count = n_words * (bits // 32)
    hash_const = _INIT_B
    words = []
    for i in range(count):
        value = mixer[i % POOL_SIZE] ^ hash_const
        hash_const = (hash_const * _MULT_B) & MASK32
        value = (value * hash_const) & MASK32
        words.append(value ^ (value >> _XSHIFT))
    if bits == 32:
        return words
    return [words[2 * i] | (words[2 * i + 1] << 32) for i in range(n_words)]


def _hash_constants(init: int, mult: int, count: int) -> list[np.uint32]:
    # The hash constants do not depend on the data: precompute the sequence each hash consumes.
    out, const = [], init
    for _ in range(count):
        out.append(np.uint32(const))
        const = (const * mult) & MASK32
    return out


_CONST_A = _hash_constants(_INIT_A, _MULT_A, POOL_SIZE * POOL_SIZE + 1)
_CONST_A_AFTER = _CONST_A[1:]  # hashmix multiplies by the constant *after* xoring the current one
_SHIFT = np.uint32(_XSHIFT)
_L, _R = np.uint32(_MIX_MULT_L), np.uint32(_MIX_MULT_R)


def _pool_many(seeds: np.ndarray) -> list[np.ndarray]:
    seeds = np.asarray(seeds, dtype=np.uint64)
    entropy = [
        (seeds & np.uint64(MASK32)).astype(np.uint32),
        (seeds >> np.uint64(32)).astype(np.uint32),
    ]
    zero = np.zeros(len(seeds), dtype=np.uint32)
    step = 0

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal step
        value = (value ^ _CONST_A[step]) * _CONST_A_AFTER[step]
        step += 1
        return value ^ (value >> _SHIFT)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result: np.ndarray = _L * x - _R * y
        return result ^ (result >> _SHIFT)

    mixer = [hashmix(entropy[i] if i < len(entropy) else zero) for i in range(POOL_SIZE)]
    for src in range(POOL_SIZE):
        for dst in range(POOL_SIZE):
            if src != dst:
                mixer[dst] = mix(mixer[dst], hashmix(mixer[src]))
    return mixer


def generate_state_many(seeds: np.ndarray, n_words: int, bits: int = 32) -> np.ndarray:
    """:func:`generate_state` for every seed (``0 <= seed < 2**64``), shape ``(len, n_words)``.

    dtype ``uint32`` or ``uint64`` by ``bits``.
    """
    if bits not in (32, 64):
        raise ValueError("bits must be 32 or 64")
    mixer = _pool_many(seeds)
    count = n_words * (bits // 32)
    consts = _hash_constants(_INIT_B, _MULT_B, count + 1)
    words = np.empty((len(mixer[0]), count), dtype=np.uint32)
    for i in range(count):
        value = (mixer[i % POOL_SIZE] ^ consts[i]) * consts[i + 1]
        words[:, i] = value ^ (value >> _SHIFT)
    if bits == 32:
        return words
    low = words[:, 0::2].astype(np.uint64)
    high = words[:, 1::2].astype(np.uint64)
    return low | (high << np.uint64(32))
