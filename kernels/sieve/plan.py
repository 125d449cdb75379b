"""The default search plan of `watcher identify`: the seeds people actually use, within a budget.

Tiers, per generator and reduction, cheapest first:

``small``      seeds 0 .. 2**16 (hand-picked seeds, loop counters, test seeds)
``around``     milliseconds within a day of a time the user names (``--around``)
``unix``       Unix time in seconds over the last 30 years
``full32``     the whole 32-bit seed space, which for generators with at most 32 bits of state
               whose state is their seed (xorshift32, the 32-bit LCGs, minstd...) is also every
               state at the window start: a sequence observed long after seeding
``full32`` replaces ``small`` and ``unix`` where it is scheduled (no hypothesis is counted twice).

Every space gets a cost estimate from a short measured run on the chosen backend; spaces that do
not fit the budget are reported as not searched, so the verdict says what it covered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


from kernels.prng import PRNG
from kernels.reductions import native_below, parse_reduction
from kernels.registry import all_generators
from kernels.sieve.engine import Backend, SearchSpace, SkipSpace

__all__ = ["PlannedSpace", "Plan", "default_plan", "infer_alphabet", "default_reductions"]

SMALL_SEEDS = 1 << 16
THIRTY_YEARS = 30 * 365 * 86400 + 7 * 86400  # leap days included
DAY_MS = 86_400_000


@dataclass(frozen=True)
class PlannedSpace:
    space: SearchSpace
    tier: str
    estimated_seconds: float


@dataclass(frozen=True)
class Plan:
    scheduled: list[PlannedSpace]
    skipped: list[PlannedSpace]

    @property
    def estimated_seconds(self) -> float:
        return sum(p.estimated_seconds for p in self.scheduled)


def infer_alphabet(draws: list[int]) -> int:
    """Draws up to 9 -> 10 values, up to 99 -> 100, up to 999 -> 1000, and so on."""
    alphabet = 10
    while max(draws) >= alphabet:
        alphabet *= 10
    return alphabet


def default_reductions(generator: type[PRNG], alphabet: int) -> list[str]:
    """The runtime's own bounded integer, plain modulo, and floor(u * N), where they apply."""
    specs = []
    for spec in (native_below(generator, alphabet).spec, f"mod:{alphabet}", f"float_mul:{alphabet}"):
        try:
            parse_reduction(spec).check_generator(generator)
        except ValueError:
            continue
        if spec not in specs:
            specs.append(spec)
    return specs


def _seed_ranges(generator: type[PRNG], now_unix: int, around_ms: int | None,
                 full: bool) -> list[tuple[str, int, int]]:
    top = 1 << generator.seed_bits
    ranges = []
    if full and generator.seed_bits >= 32:
        ranges.append(("full32", 0, 1 << 32))
    else:
        ranges.append(("small", 0, min(SMALL_SEEDS, top)))
        start = max(now_unix - THIRTY_YEARS, SMALL_SEEDS)
        if start < min(now_unix, top):
            ranges.append(("unix", start, min(now_unix + 1, top)))
    if around_ms is not None and around_ms + DAY_MS < top:
        low = max(around_ms - DAY_MS, 1 << 32 if full else SMALL_SEEDS)
        ranges.append(("around", low, around_ms + DAY_MS))
    return [(tier, a, b) for tier, a, b in ranges if a < b]


def _usable_seed_range(generator: type[PRNG], start: int, stop: int) -> tuple[int, int]:
    """Trim the few seeds at the range ends that a generator refuses (e.g. 0 for xorshift)."""
    while start < stop:
        try:
            generator.check_seed(start)
            break
        except ValueError:
            start += 1
    return start, stop


def _measure(backend: Backend, space: SearchSpace, observed: list[int],
             largest_sample: int = 1 << 20, enough_seconds: float = 0.05) -> float:
    """Seconds per seed of ``space`` on ``backend``: timed probes of growing size, until one
    takes long enough to be meaningful (launch overheads otherwise dominate)."""
    from kernels.registry import get_generator

    generator = get_generator(space.generator)
    reduction = parse_reduction(space.reduction)
    skips = range(space.skip.low, space.skip.high + 1)
    probe = observed[:4]
    start = space.seed_start
    backend.probe(generator, reduction, range(start, start + 64), space.offsets, skips, False,
                  probe)  # compiles device programs
    sample = 1 << 10
    while True:
        seeds = range(start, start + sample)
        # the second of two runs: pocl compiles a work-group function per launch shape on first use
        for _ in range(2):
            began = time.perf_counter()
            backend.probe(generator, reduction, seeds, space.offsets, skips, False, probe)
            elapsed = time.perf_counter() - began
        if elapsed >= enough_seconds or sample >= largest_sample:
            return max(elapsed, 1e-9) / sample
        sample *= 4


def default_plan(observed: list[int], backend: Backend, *, now_unix: int,
                 around_ms: int | None = None, budget_seconds: float = 180.0,
                 offsets: int = 8, skips: SkipSpace = SkipSpace(low=0, high=1),
                 generators: list[str] | None = None, include_legacy: bool = False,
                 alphabet: int | None = None) -> Plan:
    """Spaces to search for ``observed``, cheapest first, within ``budget_seconds``."""
    began = time.perf_counter()
    alphabet = alphabet or infer_alphabet(observed)
    registry = all_generators()
    names = generators or [n for n, c in registry.items() if include_legacy or not c.legacy]
    candidates: list[PlannedSpace] = []
    for name in names:
        generator = registry[name]
        reductions = default_reductions(generator, alphabet)
        if not reductions:
            continue
        # one measurement per generator (its own bounded integer): seeding dominates the cost
        low, _ = _usable_seed_range(generator, 0, 1 << 16)
        template = SearchSpace(generator=name, reduction=reductions[0], seed_start=low,
                               seed_stop=low + 1, offset_stop=offsets, skip=skips)
        per_seed = _measure(backend, template, observed)
        full = generator.seed_bits >= 32 and per_seed * (1 << 32) * len(reductions) <= budget_seconds / 3
        for spec in reductions:
            for tier, start, stop in _seed_ranges(generator, now_unix, around_ms, full):
                start, stop = _usable_seed_range(generator, start, stop)
                if start >= stop:
                    continue
                space = SearchSpace(generator=name, reduction=spec, seed_start=start,
                                    seed_stop=stop, offset_stop=offsets, skip=skips)
                candidates.append(PlannedSpace(space, tier, per_seed * (stop - start)))
    budget_seconds -= time.perf_counter() - began  # planning is part of the budget
    order = {"small": 0, "around": 1, "unix": 2, "full32": 3}
    candidates.sort(key=lambda p: (order[p.tier], p.estimated_seconds))
    scheduled, skipped, spent = [], [], 0.0
    for planned in candidates:
        if spent + planned.estimated_seconds <= budget_seconds:
            scheduled.append(planned)
            spent += planned.estimated_seconds
        else:
            skipped.append(planned)
    return Plan(scheduled, skipped)
