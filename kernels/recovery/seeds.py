"""From a recovered state back to the seed, where the seeding is invertible.

MT19937's ``init_genrand`` fills word ``i`` with ``F * (w ^ (w >> (W - 2))) + i`` of word
``i - 1``: each word gives the previous one back, and the index ``i`` itself shows where the
seeded block sits. Untwisting the recovered block backwards yields every earlier untempered word
(the catalog's ``_untwist``); the seeded block is the run of words that obey the seeding
recurrence, its word 0 is the seed, and its distance from the first draw is the position.
"""

from __future__ import annotations

import numpy as np

from kernels.generators._bits import MASK32, MASK64
from kernels.prng import PRNG
from kernels.registry import get_generator

__all__ = ["INIT_GENRAND_GENERATORS", "INIT_BY_ARRAY_GENERATORS", "init_genrand_seed",
           "init_by_array_seed", "v8_seed", "glibc_seed", "DEFAULT_MAX_POSITION"]

#: MT19937 members seeded by ``init_genrand`` for every seed in their catalog seed space
#: (ruby_random: for one-word seeds, which is what ``Random.new`` without a seed never uses,
#: but ``Random.new(n)`` with ``n < 2**32`` does)
INIT_GENRAND_GENERATORS = ("mt19937", "mt19937_64", "numpy_random_state", "php_mt_rand",
                           "php_mt_rand_legacy", "ruby_random")

#: MT19937 members seeded by ``init_by_array`` over the 32-bit words of the seed (CPython for
#: every seed, Ruby for seeds of two words)
INIT_BY_ARRAY_GENERATORS = ("cpython_random", "ruby_random")

#: how far back from the first draw the walk looks for the seeded block, in raw outputs
DEFAULT_MAX_POSITION = 100_000


def _earlier_words(generator: type[PRNG], state: tuple[int, ...],
                   max_position: int) -> tuple[np.ndarray, int]:
    """The untempered words from ``max_position`` (and two blocks) before the first draw up to
    the end of the recovered block, and the index of the first draw's word among them."""
    n = int(getattr(generator, "N"))
    untwist = getattr(generator, "_untwist")
    if len(state) != n + 1 or state[-1] != 0:
        raise ValueError("expected an MT state at index 0")
    blocks = max_position // n + 2
    chain = [list(state[:n])]
    for _ in range(blocks):
        chain.insert(0, untwist(chain[0]))
    return np.array([w for block in chain for w in block], dtype=np.uint64), blocks * n


def init_genrand_seed(generator: type[PRNG], state: tuple[int, ...],
                      max_position: int = DEFAULT_MAX_POSITION) -> tuple[int, int] | None:
    """``(seed, position)`` such that ``generator(seed)`` after ``position`` raw outputs is at
    ``state`` (an index-0 MT state: the first draw is ``temper(state[0])``); ``None`` when no
    ``init_genrand`` seed lies within ``max_position`` outputs."""
    n, width = int(getattr(generator, "N")), int(getattr(generator, "W"))
    multiplier = int(getattr(generator, "F"))
    mask = (1 << width) - 1
    words, start = _earlier_words(generator, state, max_position)
    shift = np.uint64(width - 2)
    follows = words[:-1] ^ (words[:-1] >> shift)
    increments = (words[1:] - np.uint64(multiplier) * follows).astype(np.uint64)  # mod 2**64
    if width == 32:
        increments = increments & np.uint64(mask)
    # inside a seeded block starting at q, increments[a] = a + 1 - q: a + 1 - increments is q
    anchor = np.arange(1, len(increments) + 1, dtype=np.uint64) - increments
    steady = (anchor[1:-2] == anchor[2:-1]) & (anchor[2:-1] == anchor[3:]) & (anchor[1:-2] == anchor[:-3])
    inverse = pow(multiplier, -1, 1 << width)
    for a in np.flatnonzero(steady):
        q = int(anchor[a + 1])
        if not 0 <= q <= start - n:
            continue
        mixed = ((int(words[q + 1]) - 1) * inverse) & mask
        seed = mixed ^ (mixed >> (width - 2))
        if seed >> int(generator.seed_bits):
            continue
        seeded = getattr(generator, "_init_genrand")(seed)
        if seeded[1:] != [int(w) for w in words[q + 1:q + n]]:
            continue
        return seed, start - (q + n)
    return None


def init_by_array_seed(generator: type[PRNG], state: tuple[int, ...],
                       max_position: int = DEFAULT_MAX_POSITION) -> tuple[int, int] | None:
    """``(seed, position)`` for ``init_by_array`` seedings with keys of one or two words
    (``random.seed(n)``, ``0 <= n < 2**64``), or ``None``.

    ``init_by_array`` mixes the key into ``init_genrand(19650218)`` in one pass and then mixes
    each word with its predecessor in a second; both passes undo word by word. Undoing the second
    from a candidate seeded block gives the first pass's words ``P``, and then every word ``i``
    of the first pass shows the key word it added: ``P[i] - (G[i] ^ f(P[i-1]))`` is ``key[0]``
    for every ``i`` (one word) or ``key[0]``, ``key[1] + 1`` alternately (two words).
    """
    n = int(getattr(generator, "N"))
    if int(getattr(generator, "W")) != 32:
        return None
    words, start = _earlier_words(generator, state, max_position)
    base = np.array(getattr(generator, "_init_genrand")(19650218), dtype=np.uint64)
    mask = np.uint64(0xFFFFFFFF)
    thirty = np.uint64(30)

    def mixed(word: np.ndarray) -> np.ndarray:
        return word ^ (word >> thirty)

    # candidate seeded blocks start at q = 0 .. start - n; test four words of each at once
    q = np.arange(0, start - n + 1)
    if not q.size:
        return None

    def first_pass(i: int) -> np.ndarray:
        # undo the second pass at word i (i >= 3: its predecessor is final)
        final, before = words[q + i], words[q + i - 1]
        return ((final + np.uint64(i)) & mask) ^ ((mixed(before) * np.uint64(1566083941)) & mask)

    def added(i: int) -> np.ndarray:
        return (first_pass(i) - (base[i] ^ ((mixed(first_pass(i - 1)) * np.uint64(1664525)) & mask))) & mask

    a10, a11, a12, a13 = added(10), added(11), added(12), added(13)
    one_word = (a10 == a11) & (a11 == a12) & (a12 == a13)
    two_words = (a10 == a12) & (a11 == a13) & ~one_word
    for index in np.flatnonzero(one_word | two_words):
        first = int(q[index])
        if one_word[index]:
            seed = int(a11[index])  # i odd: j = 0, adds key[0]
        else:
            low, high = int(a11[index]), (int(a10[index]) - 1) & MASK32
            seed = low | (high << 32)
        # the seeding that matches init_by_array for this seed: the generator's own where it
        # uses init_by_array, else CPython's (the other members share the stream, not the seed)
        seeding = generator if generator.name in INIT_BY_ARRAY_GENERATORS else get_generator(
            "cpython_random")
        if seed >> int(seeding.seed_bits):
            continue
        expected = seeding(seed).get_state()
        if list(expected[1:n]) != [int(w) for w in words[first + 1:first + n]]:
            continue
        return seed, start - (first + n)
    return None


_FMIX_MULTIPLIERS = (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)


def _unfmix64(h: int) -> int:
    """Inverse of MurmurHash3's 64-bit finaliser (xorshift by 33, multiply, twice, xorshift)."""
    h ^= h >> 33
    h = (h * pow(_FMIX_MULTIPLIERS[1], -1, 1 << 64)) & MASK64
    h ^= h >> 33
    h = (h * pow(_FMIX_MULTIPLIERS[0], -1, 1 << 64)) & MASK64
    return h ^ (h >> 33)


def v8_seed(generator: type[PRNG], state: tuple[int, ...],
            max_position: int = DEFAULT_MAX_POSITION) -> int | None:
    """The ``--random-seed`` of a ``v8_math_random`` stream through ``state``: V8 seeds
    ``state0 = fmix64(S)``, which inverts, so each step back along xorshift128+ (one step per
    output, whatever the cache order) is tested for a state that a 32-bit seed makes. ``None``
    when none lies within ``max_position`` outputs (plus one cache) before ``state``."""
    s0, s1 = state[0], state[1]
    backward = getattr(generator, "_backward")
    for _ in range(max_position + 2 * int(getattr(generator, "CACHE_SIZE"))):
        wide = _unfmix64(s0)
        if not wide >> 31 or wide >> 31 == (1 << 33) - 1:  # a sign-extended 32-bit int
            seed = wide & MASK32
            if seed and generator(seed).get_state()[:2] == (s0, s1):
                return seed
        s0, s1 = backward(s0, s1)
    return None


def glibc_seed(generator: type[PRNG], state: tuple[int, ...],
               max_position: int = DEFAULT_MAX_POSITION) -> tuple[int, int] | None:
    """``(seed, position)`` of glibc ``srand(seed)`` whose stream, ``position`` outputs after
    seeding, is at ``state``; ``None`` when no seeding lies within ``max_position`` outputs.

    glibc's recurrence steps back exactly (``step_back``): past the 310 outputs ``srandom``
    discards, the window at seeding holds ``r[3..30], r[0..2]``, in which every ``r[i + 1]`` is
    ``16807 r[i] mod 2**31 - 1`` (Schrage's method on a signed word, as glibc computes it) and
    ``r[0]`` is the seed. A window that follows the recurrence is confirmed by seeding anew."""
    stream = generator.from_state(state)
    for _ in range(int(getattr(generator, "DISCARD"))):
        stream.step_back()
    initial_table = getattr(generator, "_initial_table")
    for position in range(max_position + 1):
        if position:
            stream.step_back()
        window = stream.get_state()
        seed = window[28]  # r[0]
        # r[3] -> r[4] by the seeding recurrence: a cheap test before the whole table
        if initial_table(seed)[3:5] != [window[0], window[1]]:
            continue
        candidate = generator(seed)
        candidate.jump(position)
        if candidate.get_state() == tuple(state):
            return seed, position
    return None
