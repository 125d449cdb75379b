"""Which generators and reductions a sequence of draws can come from, by its shape, and the
recovery of all of them at once (what ``watcher recover`` runs, and what an identify plan calls
as its state tier).

Doubles in [0, 1) try each runtime's double construction, negative integers the signed 32-bit
word, integers below ``2**31``/``2**32`` (``2**64``) the raw words, smaller ranges the bounded
reductions with the range rounded up to a power of ten or of two.
"""

from __future__ import annotations

import math
import time
from typing import Callable, Sequence

from kernels.recovery import Recovery, minimum_draws, recover_any
from kernels.recovery.result import DEFAULT_ALPHA

__all__ = ["default_hypotheses", "recover_by_shape"]

#: hypotheses for doubles: (generator, reduction) per runtime double construction
_FLOAT_HYPOTHESES = [("cpython_random", "res53"), ("java_random", "java_double"),
                     ("v8_math_random", "v8_double"), ("tinymt32", "u32_double"),
                     ("well512a", "u32_double"), ("taus88", "u32_double"), ("lfsr113", "u32_double")]
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
    if high < 1 << 31:
        pairs += [("glibc_random", "raw"), ("php_mt_rand", "shr:1"), ("drand48", "raw")]
    if high < 1 << 32:
        pairs += [(g, "raw") for g in _WORD_GENERATORS]
    if high >= 1 << 32:
        pairs += [(g, "raw") for g in ("mt19937_64", "xorshift64", "xorshift128plus",
                                        "xoroshiro128plus", "xoshiro256plus", "xorshift64star")]
    if high + 1 < 1 << 20:
        bounds = {high + 1, 10 ** math.ceil(math.log10(high + 1)), 1 << (high).bit_length()}
        for bound in sorted(b for b in bounds if b >= 2):
            pairs += [("mt19937", f"mod:{bound}"), ("java_random", f"java_nextint:{bound}"),
                      ("drand48", f"c_rand_mod:{bound}"), ("xorshift128", f"mod:{bound}"),
                      ("mt19937_64", f"mod:{bound}"), ("xorshift128plus", f"mod:{bound}")]
    return pairs


def _applicable(pairs: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    found = []
    for generator, reduction in pairs:
        try:
            needed = minimum_draws(generator, reduction)
        except ValueError:
            continue
        if needed is not None:
            found.append((generator, reduction, needed))
    return found


def recover_by_shape(values: Sequence[int | float], *, generator: str | None = None,
                     reduction: str | None = None, predict: int = 0,
                     alpha: float = DEFAULT_ALPHA, seconds: float | None = None,
                     announce: Callable[[int, int], None] | None = None
                     ) -> tuple[Recovery | None, list[Recovery], list[tuple[str, str, int]]]:
    """Recover from every hypothesis the draws' shape allows (narrowed to ``generator`` and/or
    ``reduction`` when given): ``(identified or None, attempts, (generator, reduction, draws
    needed) of the hypotheses the draws are too short for)``. The p-value of the identified one
    is corrected for every attempt. ``seconds`` bounds the time: hypotheses not started by then
    are skipped (and so do not count as tried). ``ValueError`` when no hypothesis fits at all."""
    if generator and reduction:
        pairs = [(generator, reduction)]
    else:
        pairs = [(g, r) for g, r in default_hypotheses(values)
                 if (not generator or g == generator) and (not reduction or r == reduction)]
    candidates = _applicable(pairs)
    if not candidates:
        raise ValueError("no recoverable generator and reduction fit these draws"
                         + (f" ({generator or ''} {reduction or ''})".rstrip()
                            if generator or reduction else ""))
    ready = [(g, r) for g, r, needed in candidates if len(values) >= needed]
    too_short = [(g, r, n) for g, r, n in candidates if len(values) < n]
    if announce is not None:
        announce(len(ready), len(candidates))
    deadline = None if seconds is None else time.monotonic() + seconds
    best, attempts = recover_any(values, ready, predict=predict, alpha=alpha, deadline=deadline)
    return best, attempts, too_short
