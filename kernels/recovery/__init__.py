"""State recovery: from observed draws to a generator's internal state, its seed where the
seeding can be inverted, and what comes next, with a p-value for "chance did this".

Two routes, by the algebra of the generator:

* GF(2)-linear generators (the MT19937 family, xorshift, xorwow, tinymt32, WELL512a, Tausworthe,
  the linear bit of the ``+`` scramblers, V8): the bits a reduction keeps exactly are linear
  equations in the state (:mod:`~kernels.recovery.linear_recovery`);
* generators that hide the low bits of their state: 48-bit LCGs (``java.util.Random``,
  ``lrand48``) and glibc ``random()`` (:mod:`~kernels.recovery.truncated`).

:func:`recover` picks the route; :func:`minimum_draws` says how many draws of a shape a
generator needs; :func:`recover_any` tries several generators and reductions and judges the best
with the union bound over everything it tried.
"""

from __future__ import annotations

import time
from typing import Iterable, Sequence

from kernels.recovery.linear import LINEAR_GENERATORS
from kernels.recovery.linear_recovery import linear_plan, recover_linear
from kernels.recovery.result import (DEFAULT_ALPHA, IDENTIFIED, REJECTED, TOO_SHORT, UNDETERMINED,
                                     Recovery, corrected_p_value)
from kernels.recovery.truncated import (TRUNCATED_GENERATORS, recover_truncated,
                                        truncated_minimum_draws)

__all__ = ["Recovery", "recover", "recover_any", "minimum_draws", "recoverable_generators",
           "recovery_needs", "LISTED_REDUCTIONS",
           "IDENTIFIED", "REJECTED", "TOO_SHORT", "UNDETERMINED", "DEFAULT_ALPHA",
           "corrected_p_value"]


def recoverable_generators() -> tuple[str, ...]:
    """Every generator some reduction lets us recover."""
    return (*LINEAR_GENERATORS, *TRUNCATED_GENERATORS)


def minimum_draws(generator: str, reduction: str) -> int | None:
    """Draws of ``reduction`` that recovering ``generator`` needs (to solve and to check), or
    ``None`` when it cannot be recovered from that shape. ``ValueError`` on an unknown name or
    a reduction that does not apply to the generator."""
    if generator in TRUNCATED_GENERATORS:
        return truncated_minimum_draws(generator, reduction)
    plan = linear_plan(generator, reduction)
    return None if plan is None else plan.minimum_draws


#: the shapes whose needs ``recovery_needs`` lists (what a catalog listing shows per generator)
LISTED_REDUCTIONS = ("raw", "signed32", "shr:1", "mod:1000", "c_rand_mod:1000",
                     "java_nextint:1000", "java_nextint:37", "masked:1024", "float_mul:1000", "res53",
                     "java_double", "u32_double", "u53_double", "v8_double", "native_double")


def recovery_needs(generator: str) -> dict[str, int]:
    """Draws state recovery of ``generator`` needs, per reduction of :data:`LISTED_REDUCTIONS`
    that it can be recovered from (empty for generators without a recovery)."""
    if generator not in recoverable_generators():
        return {}
    needs = {}
    for reduction in LISTED_REDUCTIONS:
        try:
            needed = minimum_draws(generator, reduction)
        except ValueError:  # the reduction does not apply to this generator
            continue
        if needed is not None:
            needs[reduction] = needed
    return needs


def recover(values: Sequence[int | float], generator: str, reduction: str, *, predict: int = 0,
            alpha: float = DEFAULT_ALPHA) -> Recovery:
    """Recover ``generator`` from ``values`` read through ``reduction`` (one hypothesis).
    ``ValueError`` when that pair has no recovery (see :func:`minimum_draws`)."""
    if generator in TRUNCATED_GENERATORS:
        return recover_truncated(values, generator, reduction, predict=predict, alpha=alpha)
    return recover_linear(values, generator, reduction, predict=predict, alpha=alpha)


def recover_any(values: Sequence[int | float], pairs: Iterable[tuple[str, str]], *,
                predict: int = 0, alpha: float = DEFAULT_ALPHA,
                deadline: float | None = None) -> tuple[Recovery | None, list[Recovery]]:
    """Try every ``(generator, reduction)`` pair that applies; return the identified recovery
    (its p-value times the number of attempts: the union bound over the whole search) or
    ``None``, and every attempt. Pairs with no recovery route are skipped, and so are the pairs
    not started by ``deadline`` (a ``time.monotonic()`` value)."""
    attempts: list[Recovery] = []
    for generator, reduction in pairs:
        if deadline is not None and time.monotonic() >= deadline:
            break
        try:
            if minimum_draws(generator, reduction) is None:
                continue
            attempts.append(recover(values, generator, reduction, predict=predict, alpha=alpha))
        except ValueError:
            continue
    best = None
    for attempt in attempts:
        if attempt.verdict == IDENTIFIED:
            judged = attempt.among(len(attempts), alpha)
            if best is None or judged.p_value < best.p_value:
                best = judged
    if best is not None and best.verdict != IDENTIFIED:
        best = None
    return best, attempts
