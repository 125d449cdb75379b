"""State recovery for generators that hide the low bits of their state: 48-bit LCGs whose
outputs are the top bits (``java.util.Random``, ``lrand48``) and glibc's additive lagged
Fibonacci ``random()``.

48-bit LCG modulo ``2**48``: the low ``L`` bits of every state depend only on the low ``L``
bits of the first one. A draw ``(s >> 17) mod N`` with ``2**v`` dividing ``N`` fixes bits
``17..17+v-1`` of its state, so the low ``17 + v`` bits of the first state are found among
``2**(17+v)`` candidates by their agreement with the first draws' low bits (vectorised); the
first draw's value then leaves ``2**31 / N`` candidates for the remaining bits, which the second
and later draws sift. Whole 32-bit outputs (Java's ``nextInt()``) leave 16 hidden bits,
``nextDouble()`` 22. An odd ``N`` fixes no state bit: the state comes from a lattice over the
draws' quotients and hidden bits (:func:`~kernels.recovery.lattice.bounded_lcg_states`), from
``N = 13`` on; below, the hidden low bits are guessed and each guess searched in a BKZ-reduced
lattice (:func:`~kernels.recovery.lattice.low_guess_lcg_states`), from ``N = 3`` on.
``nextInt(2**k)`` shows the top ``k`` bits, a lattice problem too. ``nextInt(N)`` for ``N`` above
``2**21`` redraws often (up to half its words near ``2**30``), so which steps made which draw is
unknown; but then the first draw leaves only ``2**31 / N`` words, ``2**17`` states each, few
enough to replay all of them through Java's own rejection loop: exhaustive, redraws included.

glibc ``random()`` TYPE_3: ``r[i] = r[i-3] + r[i-31] mod 2**32`` and ``rand() = r[i] >> 1``. The
dropped low bits follow the same recurrence over GF(2), and each output shows the carry out of
them: ``(o[i] - o[i-3] - o[i-31]) mod 2**31`` is ``b[i-3] AND b[i-31]``. A carry of 1 gives two
linear equations in the 31 initial low bits; the solutions left are sifted by the carries of 0.

Statistics: a wrong state of the ``2**48`` (LCG) or a wrong low-bit assignment of the ``2**31``
(glibc) matches each draw with probability ``2**-bits``; the union bound over the whole space
gives ``p = space * 2**-(bits of all draws)``.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Sequence

import numba
import numpy as np

from kernels.generators._bits import MASK32, MASK48, affine_power
from kernels.prng import PRNG
from kernels.recovery.gf2 import pack_bits, solve
from kernels.recovery.lattice import (bounded_lcg_states, low_guess_lcg_states,
                                      low_guess_top_states, truncated_lcg_states)
from kernels.recovery.observe import Shape, parse_any_reduction
from kernels.recovery.result import (DEFAULT_ALPHA, IDENTIFIED, REJECTED, TOO_SHORT, UNDETERMINED,
                                     Recovery, corrected_p_value)
from kernels.recovery.seeds import glibc_seed
from kernels.reductions import Reduction, WordReduction
from kernels.registry import get_generator

__all__ = ["TRUNCATED_GENERATORS", "recover_truncated", "truncated_minimum_draws",
           "lcg_candidate_states"]

#: the most candidates a recovery enumerates before it declines (about a minute of numpy)
_MAX_CANDIDATES = 1 << 31
#: the most surviving states replayed one by one through the catalog stream
_MAX_REPLAYED = 4096
#: later first draws tried when nextInt's redraws may hide among the selecting draws
_REDRAW_RETRIES = 8
#: the fewest top bits per draw the LLL route takes (nextInt(8): 17 of 20 states from 30 draws,
#: nextInt(16): 20 of 20 from 22); 2 and 3 bits guess the low bits instead (20 of 20)
_MIN_LATTICE_BITS = 4
#: an even bound's quotients above this many are left to the low-guess lattice first (N < 128)
_MAX_SIFTED_HIGHS = 1 << 24
#: the most first states a nextInt(N) recovery replays through the rejection loop (N > 2**21)
_MAX_FIRST_DRAW_STATES = 1 << 27

TRUNCATED_GENERATORS = ("java_random", "drand48", "glibc_random")
#: raw rand() outputs a glibc recovery asks for (see truncated_minimum_draws)
GLIBC_DRAWS = 100


def _affine_steps(multiplier: int, increment: int, count: int) -> list[tuple[int, int]]:
    """``(A_t, C_t)`` with ``s_t = A_t * s_0 + C_t mod 2**48`` for ``t = 0..count-1``."""
    return [affine_power(multiplier, increment, t, 1 << 48) for t in range(count)]


def _lcg_view(name: str, spec: str) -> tuple[str, int, int] | None:
    """How a draw reads the LCG state: ``("top", shift, N)`` for ``(s >> shift) mod N`` (N = 0:
    the whole ``s >> shift``), ``("high", k, 0)`` for the top ``k`` state bits alone (Java's
    ``nextInt(2**k)``), ``("java_double", 0, 0)`` for ``nextDouble()``; ``None`` if
    unsupported."""
    reduction = parse_any_reduction(spec)
    kind = reduction.kind
    if name == "java_random":
        if kind in ("raw", "signed32") or (isinstance(reduction, WordReduction) and kind == "u32_double"):
            return ("top", 16, 0)
        if kind == "java_nextint":
            bound = reduction.args[0]
            if bound & (bound - 1) == 0:
                # nextInt(2**k) keeps the top k bits of the state: a lattice problem, which the
                # small LLL here solves reliably from k = 3 on
                k = bound.bit_length() - 1
                if k >= _MIN_LATTICE_BITS:
                    return ("high", k, 0)
                # nextInt(4), nextInt(8): the low bits guessed, as for small odd bounds;
                # nextInt(2) stays out of reach (its box search ran minutes a state, 56 draws)
                return ("high_guess", k, 0) if k >= 2 else None
            if ((1 << 31) // bound) << 17 <= _MAX_FIRST_DRAW_STATES:
                # a large bound: few words per draw value, and redraws too frequent to ignore
                return ("rejecting", 17, bound)
            return _bounded_view(bound, 17)
        if kind == "mod":  # next(32) % N on the unsigned word
            return _bounded_view(reduction.args[0], 16)
        if kind in ("java_double", "native_double"):  # nextDouble() is Java's own double
            return ("java_double", 0, 0)
        return None
    if name == "drand48":
        if kind == "raw":
            return ("top", 17, 0)
        if kind in ("mod", "c_rand_mod"):
            return _bounded_view(reduction.args[0], 17)
        if kind == "native_double":  # drand48() = s / 2**48: the whole state
            return ("top", 0, 0)
    return None


def _bounded_view(bound: int, shift: int) -> tuple[str, int, int] | None:
    """How ``(s >> shift) mod bound`` is attacked: an even bound shows low state bits, so the
    rest is enumerated (``"top"``); an odd one shows none, so the state comes from a lattice:
    a search of the low bits' guesses in a BKZ-reduced lattice (``"low_guess"``) from 3 on,
    LLL over the quotients and hidden bits (``"bounded"``) where that needs fewer draws (from
    37 on; below 13 the LLL misses the answer, which stands out by only about sqrt(bound))."""
    if bound % 2 == 0:
        return ("top", shift, bound)
    if bound < 3:
        return None
    if _bounded_lattice_draws(bound) <= _low_guess_draws(bound):
        return ("bounded", shift, bound)
    return ("low_guess", shift, bound)


def _draw_bits(spec: str, generator: type[PRNG]) -> float:
    reduction = parse_any_reduction(spec)
    if isinstance(reduction, WordReduction):
        return float(_double_scale(reduction, generator) or reduction.value_bits(generator))
    return math.log2(reduction.alphabet_for(generator))


def _double_scale(reduction: WordReduction, generator: type[PRNG]) -> int | None:
    """``k`` when draws of ``reduction`` are multiples of ``2**-k`` (doubles), else ``None``."""
    if reduction.kind == "native_double":
        return 48 if generator.name == "drand48" else 53
    return {"java_double": 53, "u32_double": 32}.get(reduction.kind)


def truncated_minimum_draws(name: str, spec: str) -> int | None:
    """Draws a truncated-state recovery of ``name`` from ``spec`` needs (solving and checking:
    the state's bits plus 40 bits of evidence, in whole draws)."""
    generator = get_generator(name)
    if name == "glibc_random":
        # the evidence needs 34 draws (992 state bits and 40 more, 31 bits a draw), but the
        # carries that pin the dropped low bits come slower: over 20 seeds each, 3 recoveries of
        # 20 succeed from 70 draws, 16 from 90, all 20 from 100 (benchmarks/state_bench.py)
        return GLIBC_DRAWS if parse_any_reduction(spec).kind == "raw" else None
    view = _lcg_view(name, spec)
    if view is None:
        return None
    evidence = math.ceil((_space_bits(view) + 40) / _draw_bits(spec, generator))
    kind, shift, bound = view
    if kind in ("top", "rejecting") and bound & (bound - 1):
        evidence = max(evidence, _pinning_draws(bound, shift))
    if view[0] == "high":
        return max(evidence, _lattice_draws(view[1]))
    if view[0] == "bounded":
        return max(evidence, _bounded_lattice_draws(view[2]))
    if view[0] == "low_guess":
        return max(evidence, _low_guess_draws(view[2]))
    if view[0] == "high_guess":
        return max(evidence, _low_guess_draws(1 << view[1]))
    return evidence


def _lattice_draws(shown: int) -> int:
    """Draws the lattice is built from when each shows the top ``shown`` of 48 state bits: the
    short vector stands out once they carry ``48 * n / (n - 1)`` bits, plus a few for LLL."""
    return math.ceil(48 / (shown + 1)) + 5


def _bounded_lattice_draws(bound: int) -> int:
    """Draws the lattice for an odd ``bound`` is built from: they must carry more than the 48
    state bits, at less than ``log2(bound)`` each for LLL, plus a few (nextInt(13): 27,
    nextInt(37): 18, nextInt(1001): 11; each recovered 20 of 20 random states from these)."""
    return math.ceil(48 / (math.log2(bound) - 1.5)) + 5


def _pinning_draws(bound: int, shift: int) -> int:
    """Draws ``(s >> shift) mod bound`` that single out one state when ``2**v`` divides a
    bound that is no power of two: the draws' low ``v`` bits only repeat what the low ``shift +
    v`` state bits say, so past those a draw adds just ``log2`` of the odd part (nextInt(3 *
    2**20): 1.6 bits, not 21.6). 10 bits over the state's 48 leave a second fitting state a
    chance of about 2**-10."""
    even = (bound & -bound).bit_length() - 1
    odd_bits = math.log2(bound >> even)
    draws = 1
    while draws * odd_bits + min(draws * even, shift + even) < 48 + 10:
        draws += 1
    return draws


def _low_guess_draws(bound: int) -> int:
    """Draws the low-guess lattice for a small odd ``bound`` is built from: the 48 state bits
    in draws of ``log2(bound)`` bits, plus 8 (each of nextInt(3) from 39, nextInt(5) from 29,
    nextInt(11) from 22 found 20 of 20 random states; the 40 bits of evidence ask for more
    draws anyway: 56, 38, 26)."""
    return math.ceil(48 / math.log2(bound)) + 8


def _space_bits(view: tuple[str, int, int]) -> int:
    """State bits the draws of ``view`` depend on: all 48, but for a power-of-two modulus only
    the bits up to the top one it shows (an LCG's low bits ignore its high bits)."""
    kind, shift, bound = view
    if kind == "top" and bound and bound & (bound - 1) == 0:
        return shift + bound.bit_length() - 1
    return 48


def _as_ints(values: Sequence[int | float], spec: str, generator: type[PRNG]) -> list[int]:
    reduction = parse_any_reduction(spec)
    scaled = _double_scale(reduction, generator) if isinstance(reduction, WordReduction) else None
    if scaled is not None:
        scale = 1 << scaled
        out = []
        for v in values:
            if not isinstance(v, float) or not 0 <= v < 1 or v * scale != math.floor(v * scale):
                raise ValueError(f"{v!r} is not a {reduction.kind} value")
            out.append(int(v * scale))
        return out
    ints = []
    for v in values:
        if isinstance(v, float):
            if v != math.floor(v):
                raise ValueError(f"{v!r} is not an integer")
            v = int(v)
        if reduction.kind == "signed32":
            if not -(1 << 31) <= v < 1 << 31:
                raise ValueError(f"{v} is outside the signed 32-bit range")
            v &= MASK32
        elif isinstance(reduction, Reduction) and not 0 <= v < reduction.alphabet_for(generator):
            raise ValueError(f"{v} is outside the range of {spec}")
        ints.append(int(v))
    return ints


def _sift(candidates: np.ndarray, steps: list[tuple[int, int]], draws: Sequence[int],
          shift: int, bound: int, low_bits: int | None) -> np.ndarray:
    """Keep the first states (``uint64``, only their low ``low_bits`` meaningful when given)
    whose draws ``t = 0..`` agree with ``draws``; with ``low_bits`` only the draw bits those
    state bits fix are compared."""
    mask = np.uint64(MASK48 if low_bits is None else (1 << low_bits) - 1)
    for (a, c), want in zip(steps, draws):
        if not candidates.size:
            break
        state = (candidates * np.uint64(a) + np.uint64(c)) & mask
        top = state >> np.uint64(shift)
        if low_bits is not None:
            seen = low_bits - shift
            keep = (top & np.uint64((1 << seen) - 1)) == np.uint64(want & ((1 << seen) - 1))
        elif bound:
            keep = top % np.uint64(bound) == np.uint64(want)
        else:
            keep = top == np.uint64(want)
        candidates = candidates[keep]
    return candidates


def _lcg_first_states(view: tuple[str, int, int], draws: Sequence[int],
                      multiplier: int, increment: int) -> np.ndarray | None:
    """Every state ``s_1`` (the state the first draw is read from) consistent with the draws
    (``None`` when the enumeration would exceed the budget)."""
    kind, shift, bound = view
    steps = _affine_steps(multiplier, increment, len(draws) * (2 if kind == "java_double" else 1))
    if kind == "high":
        count = min(len(draws), _lattice_draws(shift))
        return np.array(truncated_lcg_states(list(draws[:count]), steps[:count], 48, shift),
                        dtype=np.uint64)
    if kind == "bounded":
        count = min(len(draws), _bounded_lattice_draws(bound))
        return np.array(bounded_lcg_states(list(draws[:count]), steps[:count], bound, shift, 48),
                        dtype=np.uint64)
    if kind in ("low_guess", "high_guess"):
        # the pruned search misses a true state about once in fifty: when the draws run past
        # one window, a miss is searched again in the last window and stepped back to the first
        # draw (a small bound all but never redraws: (2**31 mod N) / 2**31 < 2**-28)
        count = min(len(draws), _low_guess_draws(bound if kind == "low_guess" else 1 << shift))
        inverse = pow(multiplier, -1, 1 << 48)
        for start in sorted({0, len(draws) - count}):
            window = list(draws[start:start + count])
            found = (low_guess_lcg_states(window, steps[:count], bound, shift, 48,
                                          np.arange(1 << shift, dtype=np.uint64), shift,
                                          limit=_MAX_REPLAYED + 1) if kind == "low_guess"
                     else low_guess_top_states(window, steps[:count], shift, 48, 17,
                                               limit=_MAX_REPLAYED + 1))
            if found:
                back, behind = affine_power(inverse, (-increment * inverse) & MASK48, start, 1 << 48)
                return np.array([(back * state + behind) & MASK48 for state in found],
                                dtype=np.uint64)
        return np.array([], dtype=np.uint64)
    if kind == "rejecting":
        # nextInt(N) = u mod N for the first word u below (2**31 // N) * N: u = draw + j N
        words = (1 << 31) // bound
        wanted = np.array(draws[1:1 + 4], dtype=np.int64)
        return _replay_rejecting(draws[0], bound, words, multiplier, increment, wanted,
                                 _MAX_REPLAYED + 1)
    if kind == "java_double":
        # nextDouble: (s_1 >> 22) << 27 | (s_2 >> 21)
        high = np.uint64(draws[0] >> 27)
        lows = np.arange(1 << 22, dtype=np.uint64)
        states = (high << np.uint64(22)) | lows
        a, c = steps[1]
        second = ((states * np.uint64(a) + np.uint64(c)) & np.uint64(MASK48)) >> np.uint64(21)
        states = states[second == np.uint64(draws[0] & ((1 << 27) - 1))]
        for index in range(1, len(draws)):
            a1, c1 = steps[2 * index]
            a2, c2 = steps[2 * index + 1]
            first = ((states * np.uint64(a1) + np.uint64(c1)) & np.uint64(MASK48)) >> np.uint64(22)
            second = ((states * np.uint64(a2) + np.uint64(c2)) & np.uint64(MASK48)) >> np.uint64(21)
            want = draws[index]
            states = states[(first == np.uint64(want >> 27))
                            & (second == np.uint64(want & ((1 << 27) - 1)))]
        return states
    if bound == 0:  # whole s >> shift: the hidden low bits only
        states = (np.uint64(draws[0]) << np.uint64(shift)) | np.arange(1 << shift, dtype=np.uint64)
        return _sift(states, steps[1:], draws[1:], shift, 0, None)
    low = (bound & -bound).bit_length() - 1  # 2**low divides the bound
    width = 48 - shift  # bits of s >> shift
    highs = math.ceil((1 << width) / bound)
    # an odd bound shows no state bit and takes the lattice route ("bounded"): here 2**low
    # divides the bound, low >= 1
    if highs > _MAX_CANDIDATES:
        return None
    # the low shift+low bits from the low bits of the first draws (a few dozen bits
    # suffice; fewer draws also mean fewer chances that a rejected nextInt draw breaks the
    # alignment), one state bit at a time: bit j of every state depends on bits 0..j of the
    # first only, so each added bit doubles the candidates and the draws halve them again
    sifting = [d % (1 << low) for d in draws[:max(12, math.ceil(48 / low))]]
    lows = _sift(np.arange(1 << (shift + 1), dtype=np.uint64), steps, sifting, shift, 0,
                 shift + 1)
    for bits in range(shift + 2, shift + low + 1):
        lows = np.concatenate([lows, lows | np.uint64(1 << (bits - 1))])
        lows = _sift(lows, steps, sifting, shift, 0, bits)
    if bound == 1 << low:
        # a power-of-two modulus shows bits shift..shift+low-1 only, and they depend on no
        # higher bit: the top of the state stays unknown for good, and need not be known
        return np.unique(lows)
    if highs > _MAX_SIFTED_HIGHS:
        # a small odd part (nextInt(6): 3): the sifted low bits are the guesses of the
        # low-guess lattice, which leaves the odd part's quotients to a BKZ-reduced search in
        # milliseconds; the exhaustive sift below (seconds) still runs when its pruning misses
        count = min(len(draws), math.ceil((48 - shift - low) / math.log2(bound >> low)) + 8)
        found = low_guess_lcg_states(list(draws[:count]), steps[:count], bound, shift, 48,
                                     np.unique(lows), shift + low, limit=_MAX_REPLAYED + 1)
        if found:
            return np.array(found, dtype=np.uint64)
    lows = np.unique(lows & np.uint64((1 << shift) - 1))
    multipliers = np.array([a for a, _ in steps[1:]], dtype=np.uint64)
    increments = np.array([c for _, c in steps[1:]], dtype=np.uint64)
    # enough draws to leave about one state, no more: nextInt redraws on a rejection, which
    # the exact replay of every draw (in _judge) follows but this sift would not
    sifted = math.ceil((48 + 20) / math.log2(bound)) + 1
    wanted = np.array(draws[1:1 + sifted], dtype=np.uint64)
    return _sift_highs(np.asarray(lows, dtype=np.uint64), draws[0], bound, highs, width, shift,
                       multipliers, increments, wanted, _MAX_REPLAYED + 1)


@numba.njit(cache=True)
def _replay_rejecting(first: int, bound: int, words: int, multiplier: int, increment: int,
                      wanted: np.ndarray, limit: int) -> np.ndarray:
    """States ``((first + j bound) << 17) | low`` (``j < words``, every ``low``) whose next
    ``nextInt(bound)`` calls, rejection loop and all, return ``wanted`` (at most ``limit``)."""
    mask = np.uint64((1 << 48) - 1)
    a = np.uint64(multiplier)
    c = np.uint64(increment)
    b = np.uint64(bound)
    accepted = np.uint64(words * bound)  # next(31) words at or above this are redrawn
    out = np.empty(limit, dtype=np.uint64)
    count = 0
    for j in range(words):
        high = np.uint64(first + j * bound) << np.uint64(17)
        for low in range(1 << 17):
            state = high | np.uint64(low)
            start = state
            ok = True
            for i in range(wanted.shape[0]):
                word = accepted
                while word >= accepted:
                    state = (a * state + c) & mask
                    word = state >> np.uint64(17)
                if np.int64(word % b) != wanted[i]:
                    ok = False
                    break
            if ok:
                out[count] = start
                count += 1
                if count == limit:
                    return out[:count]
    return out[:count]


@numba.njit(cache=True)
def _sift_highs(lows: np.ndarray, first: int, bound: int, highs: int, width: int, shift: int,
                multipliers: np.ndarray, increments: np.ndarray, wanted: np.ndarray,
                limit: int) -> np.ndarray:
    """States ``((first + bound * k) << shift) | low`` for every ``low`` and ``k < highs``
    whose next draws ``(s_i >> shift) mod bound`` are ``wanted`` (at most ``limit`` of them);
    compiled, since the candidates run to hundreds of millions (nextInt(6): 2**31 / 6)."""
    mask = np.uint64((1 << 48) - 1)
    top = np.uint64(1) << np.uint64(width)
    out = np.empty(limit, dtype=np.uint64)
    count = 0
    n = wanted.shape[0]
    b = np.uint64(bound)
    sh = np.uint64(shift)
    for low in lows:
        for k in range(highs):
            value = np.uint64(first) + b * np.uint64(k)
            if value >= top:
                break
            state = (value << sh) | low
            ok = True
            for i in range(n):
                stepped = (multipliers[i] * state + increments[i]) & mask
                if (stepped >> sh) % b != wanted[i]:
                    ok = False
                    break
            if ok:
                out[count] = state
                count += 1
                if count == limit:
                    return out[:count]
    return out[:count]


def lcg_candidate_states(generator: str, reduction: str, draws: Sequence[int]) -> list[int]:
    """The states at the first draw that the search for ``java_random``/``drand48`` from
    ``reduction`` offers for ``draws`` (any number of them: what a recovery would search before
    replaying, without its minimum or its checks; for measuring where the search itself fails).
    ``ValueError`` when the pair has no truncated-state route."""
    cls = get_generator(generator)
    view = _lcg_view(generator, reduction)
    if view is None:
        raise ValueError(f"no truncated-state recovery of {generator} from {reduction} draws")
    states = _lcg_first_states(view, _as_ints(draws, reduction, cls),
                               int(getattr(cls, "MULTIPLIER")), int(getattr(cls, "INCREMENT")))
    return [] if states is None else [int(s) for s in states]


def recover_truncated(values: Sequence[int | float], generator: str, reduction: str, *,
                      predict: int = 0, alpha: float = DEFAULT_ALPHA) -> Recovery:
    """Recover ``java_random``/``drand48`` (48-bit LCG) or ``glibc_random`` from ``values``.

    ``ValueError`` if this generator and reduction have no truncated-state recovery. Draws are
    consecutive calls. A ``java_nextint`` draw that its rejection loop redrew (probability
    ``(2**31 mod N) / 2**31`` per draw: 0.02% for N = 1000) among the few draws that select the
    candidate states makes the recovery fail rather than answer wrongly; later ones are replayed
    exactly, rejection included.
    """
    started = time.perf_counter()
    cls = get_generator(generator)
    minimum = truncated_minimum_draws(generator, reduction)
    if minimum is None:
        raise ValueError(f"no truncated-state recovery of {generator} from {reduction} draws")
    base = Recovery(generator=generator, reduction=reduction, verdict=REJECTED, message="",
                    minimum_draws=minimum)
    if len(values) < minimum:
        return replace(base, verdict=TOO_SHORT, seconds=time.perf_counter() - started, message=(
            f"{len(values)} draws; recovering {generator} from {reduction} draws needs at least "
            f"{minimum}"))
    try:
        draws = _as_ints(values, reduction, cls)
    except ValueError as error:
        return replace(base, message=f"not {reduction} draws: {error}",
                       seconds=time.perf_counter() - started)
    if generator == "glibc_random":
        return _recover_glibc(base, cls, draws, reduction, predict, alpha, started)
    view = _lcg_view(generator, reduction)
    assert view is not None
    multiplier, increment = int(getattr(cls, "MULTIPLIER")), int(getattr(cls, "INCREMENT"))
    space_bits = _space_bits(view)
    method = {"high": "lattice reduction over the top bits",
              "bounded": "lattice reduction over the draws' quotients and hidden bits",
              "low_guess": "guessed low bits, each searched in a BKZ-reduced lattice",
              "high_guess": "guessed low bits, each searched in a BKZ-reduced lattice",
              "rejecting": "exhaustive replay of the states the first draw allows, redraws "
                           "included"}.get(view[0], "exhaustive search of the states the draws "
                                                    "allow")
    # nextInt redraws a rejected word, which shifts every later state by one step: a redraw
    # among the draws that select the candidates loses the recovery, so it is tried again from
    # each of the next few draws (each start one more hypothesis in the p-value)
    starts = 1 + (min(_REDRAW_RETRIES, len(values) - minimum)
                  if parse_any_reduction(reduction).kind == "java_nextint"
                  and view[0] != "rejecting" else 0)
    result = base
    for skipped in range(max(1, starts)):
        states = _lcg_first_states(view, draws[skipped:], multiplier, increment)
        if states is None:
            return replace(base, verdict=UNDETERMINED, seconds=time.perf_counter() - started,
                           message=f"{reduction} hides too much of the state for an "
                                   f"exhaustive search")
        if len(states) > _MAX_REPLAYED:
            return replace(base, verdict=UNDETERMINED, seconds=time.perf_counter() - started,
                           trials=1 << space_bits,
                           message=f"{len(states)} states fit the draws; give more draws")
        result = _judge(base, cls, [int(s) for s in states], values[skipped:], reduction,
                        predict, alpha, space_bits=space_bits, started=started,
                        state_of=lambda s1: _lcg_back(s1, multiplier, increment), method=method)
        if result.verdict != REJECTED:
            if skipped:
                p_value = min(1.0, result.p_value * (skipped + 1))
                result = replace(result, p_value=p_value, verdict=result.verdict
                                 if p_value < alpha else UNDETERMINED,
                                 message=result.message + f" (from draw {skipped} on: a redraw "
                                 f"before it; the state is the one at draw {skipped})",
                                 extra={**result.extra, "first_draw_used": skipped})
            return result
    parsed = parse_any_reduction(reduction)
    if result.verdict == REJECTED and parsed.kind == "java_nextint" and view[0] != "rejecting":
        # nextInt(N) redraws a word with probability (2**31 mod N) / 2**31; a redraw among the
        # draws that select the state loses it, so a failure says nothing against Java when that
        # is likely (bounds above 2**21, where it is, are replayed exhaustively instead)
        bound = int(parsed.args[0])
        redraw = ((1 << 31) % bound) / (1 << 31)
        selecting = min(len(values), _bounded_lattice_draws(bound) if view[0] == "bounded"
                        else minimum)
        hit = 1.0 - (1.0 - redraw) ** selecting
        if hit > 0.01:
            return replace(result, verdict=UNDETERMINED, message=(
                f"no state found, but nextInt({bound}) redraws {redraw:.1%} of its words, so a "
                f"redraw among the {selecting} draws the state is solved from "
                f"(chance {hit:.0%} at each of {max(1, starts)} starts) may have hidden it"))
    if result.verdict == REJECTED and view[0] in ("high", "bounded", "low_guess", "high_guess"):
        # a lattice search is not exhaustive: say so rather than "no state reproduces the draws"
        result = replace(result, message=(
            f"no state found by {method}, which can miss a true state (at the claimed draws "
            f"fewer than 1 time in 20)"))
    return result


def _lcg_back(first: int, multiplier: int, increment: int) -> tuple[int, ...]:
    """The catalog state before the step that produced ``first``."""
    inverse = pow(multiplier, -1, 1 << 48)
    return (((first - increment) * inverse) & MASK48,)


def _judge(base: Recovery, cls: type[PRNG], candidates: list[int], values: Sequence[int | float],
           reduction: str, predict: int, alpha: float, space_bits: int, started: float,
           state_of: object, method: str) -> Recovery:
    assert callable(state_of)
    parsed = parse_any_reduction(reduction)
    bits = _draw_bits(reduction, cls) * len(values)
    p_value = corrected_p_value(bits, 1 << space_bits)
    matching = []
    for first in candidates:
        state = state_of(first)
        stream = cls.from_state(state)
        if all(parsed.draw(stream) == v for v in values):
            matching.append((state, stream))
    if not matching:
        return replace(base, seconds=time.perf_counter() - started, trials=1 << space_bits,
                       message="no state of this generator reproduces the draws")
    runs = [tuple(parsed.draw(stream) for _ in range(predict)) for _, stream in matching]
    agreed = 0
    while agreed < predict and all(run[agreed] == runs[0][agreed] for run in runs):
        agreed += 1
    predictions = runs[0][:agreed]
    state = matching[0][0]
    identified = p_value < alpha
    several = (f"; {len(matching)} states reproduce the draws: {agreed} of {predict} "
               f"predictions agree (more draws single one out)") if len(matching) > 1 else ""
    message = (f"state recovered ({method}); {bits:.0f} bits of draws against a "
               f"{space_bits}-bit state space{several}") if identified else (
               f"a state fits, but chance could explain it (p = {p_value:.3g} >= {alpha})")
    extra: dict[str, object] = {}
    if space_bits < 48:
        extra["unknown_state_bits"] = (f"bits {space_bits}..47 of the state: these draws never "
                                       f"depend on them (the state shows them as 0)")
    if cls.name == "java_random":
        # new Random(seed) stores seed ^ MULTIPLIER: this seed starts exactly at the first draw
        # (the real seed and position stay unknown: every 48-bit state is some seed's start)
        extra["equivalent_seed"] = state[0] ^ int(getattr(cls, "MULTIPLIER"))
    extra["fitting_states"] = len(matching)
    origin = None
    if cls.name == "glibc_random" and identified and len(matching) == 1:
        origin = glibc_seed(cls, state)  # srand(seed) and the outputs since
    equivalent = extra.get("equivalent_seed")
    if isinstance(equivalent, int) and equivalent < 1 << 32 and identified and len(matching) == 1:
        # new Random(seed) of a 32-bit seed, observed from its first draw: a state from
        # nanoTime's 48 bits lands below 2**32 by chance once in 2**16
        origin = (equivalent, 0)
    return replace(base, verdict=IDENTIFIED if identified else UNDETERMINED, message=message,
                   seed=origin[0] if origin else None, position=origin[1] if origin else None,
                   state=state if len(matching) == 1 else None, solving_draws=len(values),
                   checked_draws=len(values),
                   bits_checked=bits, trials=1 << space_bits, p_value=p_value,
                   predictions=predictions, seconds=time.perf_counter() - started, extra=extra)


def _recover_glibc(base: Recovery, cls: type[PRNG], draws: list[int], reduction: str,
                   predict: int, alpha: float, started: float) -> Recovery:
    degree, separation = int(getattr(cls, "DEGREE")), int(getattr(cls, "SEPARATION"))
    n = len(draws)
    top = (1 << 31) - 1
    carries = []
    for i in range(degree, n):
        carry = (draws[i] - draws[i - separation] - draws[i - degree]) & top
        if carry > 1:
            return replace(base, seconds=time.perf_counter() - started, trials=1 << degree,
                           message=f"draw {i} breaks glibc's recurrence: not glibc random()")
        carries.append(carry)
    # low bits b[i] as GF(2) combinations of b[0..30]
    combos = [1 << i for i in range(degree)]
    for i in range(degree, n):
        combos.append(combos[i - degree] ^ combos[i - separation])
    def parity(x: int) -> int:
        return bin(x).count("1") & 1

    # a carry of 1: both low bits are 1; a carry of 0 with one of them known to be 1: the other
    # is 0. Solve, learn which bits the solutions all share, add what the zeros then say, repeat
    equations = {combos[j]: 1 for i, carry in zip(range(degree, n), carries) if carry
                 for j in (i - degree, i - separation)}
    if not equations:
        return replace(base, verdict=UNDETERMINED, seconds=time.perf_counter() - started,
                       message="no carry seen yet; give more draws")
    weights = 1 << np.arange(degree, dtype=np.int64)
    while True:
        rows = np.array([[(e >> k) & 1 for k in range(degree)] + [r]
                         for e, r in equations.items()], dtype=np.uint8)
        solution = solve(pack_bits(rows), degree, max_null=degree)
        if solution is None:
            return replace(base, seconds=time.perf_counter() - started, trials=1 << degree,
                           message="the carries contradict each other")
        particular = int(np.dot(solution.particular.astype(np.int64), weights))
        basis = [int(np.dot(z.astype(np.int64), weights)) for z in solution.null_basis]

        def known_one(combo: int) -> bool:
            return all(not parity(combo & z) for z in basis) and bool(parity(combo & particular))

        learnt = {}
        for i, carry in zip(range(degree, n), carries):
            if carry:
                continue
            first, second = combos[i - degree], combos[i - separation]
            if known_one(first) and second not in equations:
                learnt[second] = 0
            elif known_one(second) and first not in equations:
                learnt[first] = 0
        if not learnt:
            break
        equations.update(learnt)
    if len(basis) > 20:
        return replace(base, verdict=UNDETERMINED, seconds=time.perf_counter() - started,
                       trials=1 << degree,
                       message="too few carries to fix the dropped low bits; give more draws")
    candidates: list[int] = []
    for mask in range(1 << len(basis)):
        low = particular
        for k, z in enumerate(basis):
            if (mask >> k) & 1:
                low ^= z
        candidates.append(low)

    survivors = []
    for low in candidates:
        bits = [parity(c & low) for c in combos]
        if all(carry == (bits[i - degree] & bits[i - separation])
               for i, carry in zip(range(degree, n), carries)):
            survivors.append(bits)
    # the state at the first draw: r[-31..-1] would be needed; take the last 31 words and step
    # back, which the catalog's glibc stream does exactly
    states = []
    for bits in survivors:
        ring = tuple(((draws[i] << 1) | bits[i]) for i in range(n - degree, n))
        stream = cls.from_state(ring)
        for _ in range(n):
            stream.step_back()
        states.append(stream.get_state())
    # the space: 31 whole words (the first 31 draws fix their top bits, the low bits are the
    # unknowns), so a wrong state matches with probability 2**(31*32 - bits of the draws)
    return _judge(base, cls, list(range(len(states))), [*draws], reduction, predict, alpha,
                  space_bits=degree * 32, started=started, state_of=lambda k: states[k],
                  method="carries of the dropped low bits solved over GF(2)")
