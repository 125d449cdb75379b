"""Which generators and reductions a sequence of draws can come from, by its shape, and the
recovery of all of them at once (what ``watcher recover`` runs, and what an identify plan calls
as its state tier).

Doubles in [0, 1) try each runtime's double construction, negative integers the signed 32-bit
word, integers that look like raw words of 31/32 bits (or wider) the raw words, smaller ranges
the bounded reductions with the range rounded up to a power of ten or of two.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Callable, Collection, Sequence

from kernels.recovery import IDENTIFIED, Recovery, minimum_draws, recover_any
from kernels.recovery.result import DEFAULT_ALPHA
from kernels.sieve.plan import infer_shape, raw_width_plausible

__all__ = ["default_hypotheses", "from_one_hypotheses", "recover_by_shape"]

#: hypotheses for doubles: (generator, reduction) per runtime double construction
_FLOAT_HYPOTHESES = [("cpython_random", "res53"), ("mt19937", "native_double"),
                     ("mt19937_64", "native_double"), ("java_random", "java_double"),
                     ("drand48", "native_double"),
                     ("v8_math_random", "v8_double"), ("tinymt32", "u32_double"),
                     ("well512a", "u32_double"), ("taus88", "u32_double"), ("lfsr113", "u32_double"),
                     ("luajit_random", "native_double")]
#: raw-word hypotheses for 32-bit outputs (the MT19937 family once: the members share the core)
_WORD_GENERATORS = ["mt19937", "java_random", "xorshift32", "xorshift128", "xorwow", "tinymt32",
                    "well512a", "taus88", "lfsr113"]


def default_hypotheses(values: Sequence[int | float]) -> list[tuple[str, str]]:
    """The (generator, reduction) pairs the shape of ``values`` allows."""
    if any(isinstance(v, float) and v != math.floor(v) for v in values):
        if all(0.0 <= v < 1.0 for v in values):
            return list(_FLOAT_HYPOTHESES)
        return []
    ints = [int(v) for v in values]
    low, high = min(ints), max(ints)
    if low < 0:
        return [(g, "signed32") for g in _WORD_GENERATORS] if low >= -(1 << 31) and high < 1 << 31 else []
    pairs: list[tuple[str, str]] = []
    count = len(ints)
    if raw_width_plausible(high, count, 31):
        pairs += [("glibc_random", "raw"), ("php_mt_rand", "shr:1"), ("drand48", "raw")]
    if raw_width_plausible(high, count, 32):
        pairs += [(g, "raw") for g in _WORD_GENERATORS]
    if 1 << 32 <= high < 1 << 64:
        pairs += [(g, "raw") for g in ("mt19937_64", "xorshift64", "xorshift128plus",
                                        "xoroshiro128plus", "xoshiro256plus", "xorshift64star")]
    return pairs + _bounded(ints)


def _bounded(ints: list[int]) -> list[tuple[str, str]]:
    """Bounded-integer hypotheses for draws ``ints`` (from 0): the bounds the seed sieve's shape
    infers (the power of ten above the largest draw unless the draws never come near it, else
    the largest + 1 and the bounds just above it that the draws leave likely; both when the
    draws cannot tell), and the power of two above the largest
    (``nextInt(2**k)``, masks)."""
    high = max(ints)
    if not 1 <= high < (1 << 20) - 1:
        return []
    pairs = []
    shape = infer_shape(ints)
    bounds = {b for b in (shape.alphabet, *shape.other_bounds, 1 << high.bit_length()) if b}
    for bound in sorted(b for b in bounds if b >= 2):
        pairs += [("mt19937", f"mod:{bound}"), ("java_random", f"java_nextint:{bound}"),
                  ("drand48", f"c_rand_mod:{bound}"), ("xorshift128", f"mod:{bound}"),
                  ("mt19937_64", f"mod:{bound}"), ("xorshift128plus", f"mod:{bound}"),
                  ("v8_math_random", f"float_mul:{bound}"),
                  ("cpython_random", f"float_mul:{bound}"), ("luajit_random", f"float_mul:{bound}")]
    return pairs


def from_one_hypotheses(values: Sequence[int | float], start: int = 1) -> list[tuple[str, str]]:
    """Bounded hypotheses for draws that start at 1 (dice, ``nextInt(6) + 1``, ``rand() % 6 +
    1``), or at ``start`` (``randint(100, 120)``): tried on the draws minus ``start``."""
    if any(isinstance(v, float) and v != math.floor(v) for v in values) or start < 1:
        return []
    ints = [int(v) for v in values]
    return _bounded([v - start for v in ints]) if min(ints) >= start else []


def _applicable(pairs: list[tuple[str, str]], keep_all: bool = False
                ) -> list[tuple[str, str, int | None]]:
    """``(generator, reduction, draws needed)`` of the pairs with a recovery route (with
    ``keep_all``, every pair, ``None`` where there is none)."""
    found: list[tuple[str, str, int | None]] = []
    for generator, reduction in pairs:
        try:
            needed = minimum_draws(generator, reduction)
        except ValueError:
            needed = None
        if needed is not None or keep_all:
            found.append((generator, reduction, needed))
    return found


def recover_by_shape(values: Sequence[int | float], *, generator: str | None = None,
                     reduction: str | None = None, only: Collection[str] | None = None,
                     start: int = 1, predict: int = 0,
                     alpha: float = DEFAULT_ALPHA, seconds: float | None = None,
                     announce: Callable[[int, int], None] | None = None
                     ) -> tuple[Recovery | None, list[Recovery], list[tuple[str, str, int]]]:
    """Recover from every hypothesis the draws' shape allows (narrowed to ``generator`` and/or
    ``reduction`` when given, to the generators in ``only``), draws from ``start`` (1) up also
    as ``reduction + start``: ``(identified or
    None, attempts, (generator, reduction, draws needed) of the hypotheses the draws are too
    short for)``. The p-value of the identified one
    is corrected for every attempt. ``seconds`` bounds the time: hypotheses not started by then
    are skipped (and so do not count as tried). ``ValueError`` when no hypothesis fits at all."""
    offset = 0
    if reduction and "+" in reduction:  # "java_nextint:6+1": nextInt(6) + 1
        reduction, _, added = reduction.partition("+")
        if not added.isdigit():
            raise ValueError(f"reduction offset must be a non-negative integer: +{added}")
        offset = int(added)
    if generator and reduction:
        pairs = [(generator, reduction, offset)]
    else:
        pairs = [(g, r, 0) for g, r in default_hypotheses(values)]
        pairs += [(g, r, start) for g, r in from_one_hypotheses(values, start)]
        pairs = [(g, r, o) for g, r, o in pairs
                 if (not generator or g == generator) and (not reduction or r == reduction)
                 and (only is None or g in only)]
    candidates = [(g, r, o, needed) for (g, r, needed), (_, _, o) in
                  zip(_applicable([(g, r) for g, r, _ in pairs], keep_all=True), pairs)
                  if needed is not None]
    if not candidates:
        raise ValueError("no recoverable generator and reduction fit these draws"
                         + (f" ({generator or ''} {reduction or ''})".rstrip()
                            if generator or reduction else ""))
    ready = [(g, r, o) for g, r, o, needed in candidates if len(values) >= needed]
    if announce is not None:
        announce(len(ready), len(candidates))
    deadline = None if seconds is None else time.monotonic() + seconds
    attempts: list[Recovery] = []
    for shift in sorted({o for _, _, o in ready}):
        shifted = values if shift == 0 else [v - shift for v in values]
        chosen = [(g, r) for g, r, o in ready if o == shift]
        _, tried = recover_any(shifted, chosen, predict=predict, alpha=alpha, deadline=deadline)
        attempts += [_shift_back(a, shift) for a in tried]
    best = None
    for attempt in attempts:
        if attempt.verdict == IDENTIFIED:
            judged = attempt.among(len(attempts), alpha)
            if judged.verdict == IDENTIFIED and (best is None or judged.p_value < best.p_value):
                best = judged
    return best, attempts, [(g, label, n) for (g, label), n in
                            ((_label(g, r, o), n) for g, r, o, n in candidates
                             if len(values) < n)]


def _label(generator: str, reduction: str, offset: int) -> tuple[str, str]:
    return generator, reduction if offset == 0 else f"{reduction}+{offset}"


def _shift_back(attempt: Recovery, offset: int) -> Recovery:
    """An attempt on the draws minus ``offset``, told in the draws' own terms."""
    if offset == 0:
        return attempt
    return replace(attempt, reduction=f"{attempt.reduction}+{offset}",
                   predictions=tuple(v + offset for v in attempt.predictions))
