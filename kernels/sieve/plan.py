"""The search plan of `watcher identify`: the likeliest hypotheses per second first, within a
hard wall-clock budget, resumable.

What the draws look like (:func:`infer_shape`) decides the reductions: raw words when the values
look like a generator's raw output (15, 24, 31, 32, 48, 52, 64 bits...), else the runtime's own
"integer below N", ``mod:N``, ``float_mul:N`` with N inferred from the largest draw, and
``digits:K`` when the draws have K digits.

Each reduction is an item of its own, with a share of the generator's prior
(``REDUCTION_WEIGHTS``: the runtime's own function before ``% N`` before ``floor(u * N)``;
``DIGITS_SHARE`` for ``digits:K``) and its own measured cost.

Seed tiers, per generator (``TIER_WEIGHTS`` gives each its share of the generator's prior):

``small``    seeds 0 .. 2**16: test seeds, loop counters, ``srand(1)``
``typed``    2**16 .. 10**7: numbers typed by hand (``random.seed(424242)``, ``srand(100000)``)
``unix_s``   Unix seconds, newest first from the reference time (the first draw's timestamp,
             ``--around``, or now) back 30 years: ``srand(time(NULL))``
``unix_ms``  Unix milliseconds, newest first, a week back (generators with seeds of 41+ bits:
             ``new Random(System.currentTimeMillis())``)
``full32``   the rest of the 32-bit seeds (``random_device``, ``/dev/urandom``); for generators
             whose state is their seed (xorshift32, the 32-bit LCGs) this is every state at the
             first observed draw, so it also holds sequences observed long after seeding
``deep``     the small seeds again, observed after up to 1,000 raw outputs (a test program
             that prints outputs from the ninth hundred of ``std::mt19937``'s default seed);
             generators whose state is their seed have no such tier (``full32`` holds it)
``deeper``   the same from 1,001 to 10,000 raw outputs; on CPU backends the MT19937 family's
             (and numpy's) read each seed's stream once for all their offsets
             (``kernels/sieve/deep_probe.py``)

Within a tier the probability of a seed falls off with its distance from the tier's likeliest
seed (``1/(distance + scale)``: small seeds before large ones, recent times before old ones);
``full32`` is uniform. The schedule is greedy: always the chunk with the most prior probability
per second of measured cost (costs are measured on the chosen backend by the first chunks of
each generator and reduction, and cached between runs; a first chunk, which pays the device
compiles, is valued with the other tiers it unlocks). The first chunks are real search, so
measuring costs nothing extra. Everything, device compiles included, counts against the
budget: a chunk still running at the deadline is abandoned. A stopped search leaves a state
file that ``--continue`` resumes.

:func:`build_plan` and :func:`run_plan` are the API for every caller: `watcher identify`, and
the learning loop's first step, which needs no command line to search the same plan.

The statistics stay honest whatever was covered: every survivor's p-value is corrected for the
size of the whole plan (every tier of every generator), covered or not, so a search resumed
any number of times keeps the same correction.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from kernels.observation import Hypothesis, predict
from kernels.prng import PRNG
from kernels.reductions import native_below, parse_reduction
from kernels.registry import all_generators, get_generator
from kernels.sieve.backward import seed_is_state
from kernels.sieve.engine import (Backend, SearchResult, SearchSpace, SkipSpace, SpaceReport,
                                  Survivor, SurvivorCapExceeded, hypothesis_count,
                                  observation_hash, per_draw_match_probability, search)
from kernels.sieve.kernel_source import has_device_port
from kernels.statistics import log_binomial_tail, minimum_window

__all__ = [
    "DrawShape", "infer_shape", "infer_alphabet", "default_reductions", "PlanItem", "Plan",
    "build_plan", "PlanRun", "run_plan", "Coverage", "CostCache", "equivalent_generators",
    "TIERS", "TIER_WEIGHTS", "NotEnoughDraws", "state_path_for", "raw_width_plausible",
]

SMALL_TOP = 1 << 16
TYPED_TOP = 10**7
THIRTY_YEARS = 30 * 365 * 86400 + 7 * 86400  # leap days included
MS_SPAN = 7 * 86_400_000

TIERS = ("small", "typed", "unix_s", "unix_ms", "full32", "deep", "deeper")
#: each tier's share of a generator's prior (renormalised over the tiers that apply). Small
#: integers (test seeds and typed numbers) and the clock are how programs seed; a third of the
#: small-integer share goes past 2**16 (``ln(10**7) / ln(2**16)`` of a log-uniform choice).
#: Seeds from an entropy source (``full32``) are common in careful code, where nothing but the
#: full space helps.
#: A small seed is often observed deep into its stream (``deep``, ``deeper``): test programs
#: print the n-th output (the C++ standard's check is the 10,000th output of a default
#: ``std::mt19937``), challenge files burn outputs before the printed ones, programs shuffle or
#: draw other values first. We put a little over a quarter of the small-integer seeds'
#: probability there (0.11 of 0.385), log-uniform in depth from 8 to 10,000 outputs:
#: ``ln(125) / ln(1250)``, two thirds, below 1,000, at a tenth of the cost, so that part is
#: searched first.
TIER_WEIGHTS = {"small": 0.275, "typed": 0.125, "unix_s": 0.30, "unix_ms": 0.10, "full32": 0.15,
                "deep": 0.075, "deeper": 0.035}
#: the last offset of the ``deep`` and ``deeper`` tiers: small seeds observed after up to this
#: many raw outputs (a test file that prints outputs from the ninth hundred of
#: ``std::mt19937``'s default seed)
DEEP_OFFSETS = {"deep": 1_000, "deeper": 10_000}
#: ``full32`` share for generators with seeds wider than 32 bits: a 32-bit entropy seed is then
#: only one of several ways to seed them from entropy
WIDE_SEED_FULL32 = 0.05
#: extra ``full32`` share for generators whose state is their seed: there it also covers
#: sequences observed long after seeding (any position), which no other tier reaches
LATE_OBSERVATION = 0.25
#: density scale (in seeds) of ``1/(distance + scale)`` per tier: ten seconds, ten milliseconds
#: in ten thousand; one for integers (the deep tiers' seeds are the small tier's)
DENSITY_SCALE = {"small": 1.0, "typed": 1.0, "unix_s": 10.0, "unix_ms": 10_000.0, "deep": 1.0,
                 "deeper": 1.0}
#: seconds after the reference time still searched: clocks disagree, and a draw's timestamp may
#: be written a little before the program seeds
FORWARD_SLACK_S = 120
#: with ``--around`` the time is only approximate: search a day on both sides of it
AROUND_SPAN_S = 86_400
#: share of the p-value correction's weight that follows the plan's priors (the rest is spread
#: evenly over every hypothesis: a seed the priors find unlikely is at most 10 times harder to
#: single out than with the plain correction over the whole plan)
PRIOR_WEIGHTED_ALPHA = 0.9
#: a survivor ends the search once its p-value, corrected for the whole plan (what is left
#: included), is this many powers of ten below alpha: a chance match as good in what is left has
#: less than alpha / 10**4 odds, so nothing left could change the verdict
CERTAINTY_BELOW_ALPHA_LOG10 = -4.0
#: one chunk's target duration: short enough to stop near the deadline, long enough to hide
#: launch overheads
CHUNK_SECONDS = 1.0
#: how long past the deadline a running chunk may finish before it is abandoned
ABANDON_GRACE_SECONDS = 0.5
#: what every chunk costs beyond its seeds (a search call, device launches, the scalar checks)
CHUNK_OVERHEAD_SECONDS = 0.01
#: cost guess for a generator measured neither now nor before (seconds per seed per reduction)
DEFAULT_SECONDS_PER_SEED = 2e-7
#: the time a first chunk of a generator may spend compiling device programs, when neither an
#: earlier run nor another generator of this run measured it (numpy compiles nothing)
DEFAULT_FIRST_CHUNK_SECONDS = {"numpy": 0.1, "device": 3.0}


class NotEnoughDraws(ValueError):
    """Too few draws for any search of this size to single out a hypothesis."""


# ---- what the draws look like -------------------------------------------------------------------


def _catalog_widths() -> tuple[int, ...]:
    return tuple(sorted({cls.output_bits for cls in all_generators().values()}))


@dataclass(frozen=True)
class DrawShape:
    """What the observed draws can be: raw words of some widths, bounded integers below
    ``alphabet`` (``None`` when no bounded reduction reaches the values), K-digit numbers."""

    count: int
    largest: int
    alphabet: int | None
    digits: int | None
    raw_widths: tuple[int, ...]
    #: further bounds searched beside ``alphabet``, likeliest first: the largest draw + 1 when
    #: the draws are too few to tell it from the power of ten above, and the bounds just above
    #: the largest draw that the draws have not yet ruled out (see :func:`infer_shape`)
    other_bounds: tuple[int, ...] = ()

    def bound_weight(self, alphabet: int) -> float:
        """How likely the draws are to come from integers below ``alphabet`` against the
        likeliest bound: ((largest + 1) / alphabet) ** count, the chance that ``count`` draws
        below ``alphabet`` all stay at or under the largest one seen (1 for the largest + 1)."""
        if alphabet <= self.largest:
            return 0.0
        return ((self.largest + 1) / alphabet) ** self.count

    def reductions(self, generator: type[PRNG]) -> list[str]:
        """The reductions to search for ``generator``, likeliest first (raw first when the
        values look raw)."""
        specs: list[str] = []
        bits = generator.output_bits
        if bits in self.raw_widths:
            specs.append("raw")
        if bits == 32 and 31 in self.raw_widths:
            # the 32-bit word shifted right by one: PHP mt_rand(), Java next(31)
            specs.append(f"java_nextint:{1 << 31}")
        if self.alphabet is not None:
            specs.extend(default_reductions(generator, self.alphabet))
            if self.digits is not None and self.digits >= 2:
                specs.append(f"digits:{self.digits}")
        for bound in self.other_bounds:
            specs.extend(default_reductions(generator, bound))
        usable = []
        for spec in dict.fromkeys(specs):
            reduction = parse_reduction(spec)
            try:
                reduction.check_generator(generator)
            except ValueError:
                continue
            if (reduction.kind in ("mod", "c_rand_mod") and "raw" in usable
                    and reduction.args[0] >= 1 << bits):
                continue  # the raw word itself: "raw" already holds these hypotheses
            usable.append(spec)
        return usable

    def describe(self) -> str:
        parts = []
        if self.raw_widths:
            parts.append("raw words of " + "/".join(map(str, self.raw_widths)) + " bits")
        if self.alphabet is not None:
            parts.append(f"integers below "
                         + " or ".join(f"{b:,}" for b in (self.alphabet, *self.other_bounds)))
        if self.digits is not None and self.digits >= 2:
            parts.append(f"{self.digits}-digit numbers made digit by digit")
        return "; ".join(parts) or "nothing a catalog reduction makes"


def raw_width_plausible(largest: int, count: int, width: int) -> bool:
    """Raw ``width``-bit words: every value below ``2**width``, and the largest not so far below
    it that ``count`` uniform words would almost never stay that small (2**-20; 2**-8 for one or
    two draws)."""
    if largest >= 1 << width:
        return False
    shortfall = min(8, max(1, math.ceil(20 / max(count, 1))))
    return largest >= 1 << max(width - shortfall, 0)


def infer_shape(draws: list[int]) -> DrawShape:
    if not draws:
        raise ValueError("no observed draws")
    largest = max(draws)
    widths = [w for w in _catalog_widths() if raw_width_plausible(largest, len(draws), w)]
    if 32 in _catalog_widths() and raw_width_plausible(largest, len(draws), 31):
        widths.append(31)  # 32-bit words shifted right by one
    alphabet: int | None = infer_alphabet(draws)
    if alphabet is not None and alphabet > 1 << 32:
        alphabet = None
    digits = len(str(largest)) if alphabet is not None and largest >= 10 else None
    other: list[int] = []
    if alphabet is not None and not widths and 1 <= largest < alphabet - 1:
        # draws below the power of ten that never come near it: the bound is the largest + 1
        # (nextInt(6), randint(0, 9) read from 1 - 1), not 10 or 100, or a little above it:
        # 30 draws of nextInt(37) stay below 36 44% of the time
        stays_below = ((largest + 1) / alphabet) ** len(draws)
        near = [largest + 1 + k for k in range(MAX_BOUNDS_ABOVE_LARGEST + 1)
                if largest + 1 + k < alphabet
                and ((largest + 1) / (largest + 1 + k)) ** len(draws) >= BOUND_ABOVE_LARGEST_MISS]
        if stays_below < EXACT_BOUND_MISS:
            alphabet, digits = near[0], None
            other = near[1:]
        elif stays_below < BOTH_BOUNDS_MISS:
            other = near
    return DrawShape(count=len(draws), largest=largest, alphabet=alphabet, digits=digits,
                     raw_widths=tuple(sorted(set(widths))), other_bounds=tuple(other))


#: the power of ten above the largest draw gives way to the largest draw + 1 when draws below
#: that power would stay so low less often than this; below ``BOTH_BOUNDS_MISS`` both are searched
EXACT_BOUND_MISS = 1e-3
BOTH_BOUNDS_MISS = 0.01
#: a bound above the largest draw + 1 is searched too while draws below it would stay at or
#: under the largest this often (its likelihood against the largest + 1), at most this many
BOUND_ABOVE_LARGEST_MISS = 0.05
MAX_BOUNDS_ABOVE_LARGEST = 4


def infer_alphabet(draws: list[int]) -> int:
    """Draws up to 9 -> 10 values, up to 99 -> 100, up to 999 -> 1000, and so on."""
    alphabet = 10
    while max(draws) >= alphabet:
        alphabet *= 10
    return alphabet


def default_reductions(generator: type[PRNG], alphabet: int) -> list[str]:
    """The runtime's own bounded integer, plain modulo, and floor(u * N), where they apply.
    ``mod:N`` is left out where the runtime's own is ``c_rand_mod:N``: the same draws."""
    native = native_below(generator, alphabet).spec
    candidates = [native, f"mod:{alphabet}", f"float_mul:{alphabet}"]
    if native.startswith("c_rand_mod:"):
        candidates.remove(f"mod:{alphabet}")
    specs = []
    for spec in candidates:
        try:
            parse_reduction(spec).check_generator(generator)
        except ValueError:
            continue
        if spec not in specs:
            specs.append(spec)
    return specs


# ---- seed sets -----------------------------------------------------------------------------------

Ranges = list[tuple[int, int]]


def _normalise(ranges: Iterable[tuple[int, int]]) -> Ranges:
    merged: Ranges = []
    for low, high in sorted(r for r in ranges if r[0] < r[1]):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _subtract(ranges: Ranges, remove: Ranges) -> Ranges:
    out: Ranges = []
    remove = _normalise(remove)
    for low, high in _normalise(ranges):
        cursor = low
        for r_low, r_high in remove:
            if r_high <= cursor or r_low >= high:
                continue
            if r_low > cursor:
                out.append((cursor, r_low))
            cursor = max(cursor, r_high)
        if cursor < high:
            out.append((cursor, high))
    return out


def _size(ranges: Ranges) -> int:
    return sum(high - low for low, high in ranges)


def _trim_refused(generator: type[PRNG], ranges: Ranges) -> Ranges:
    """Drop the few seeds at range ends that the generator refuses (0 for xorshift...)."""
    out = []
    for low, high in ranges:
        while low < high:
            try:
                generator.check_seed(low)
                break
            except ValueError:
                low += 1
        while high > low:
            try:
                generator.check_seed(high - 1)
                break
            except ValueError:
                high -= 1
        if low < high:
            out.append((low, high))
    return out


# ---- the plan ------------------------------------------------------------------------------------


@dataclass
class PlanItem:
    """One generator's seed tier with one reduction group: ranges searched outward from
    ``origin`` (the likeliest seed)."""

    generator: str
    tier: str
    reductions: tuple[str, ...]
    ranges: Ranges
    origin: int
    #: density ``1/(|seed - origin| + scale)``; ``None``: uniform
    scale: float | None
    #: this item's share of the plan's prior probability
    prior: float
    offsets: range
    skip: SkipSpace
    #: the reading of the draws it searches: the observed draws minus ``start``
    start: int = 0
    #: the reduction group's label (its reduction)
    group: str = ""
    hypotheses: int = 0

    @property
    def key(self) -> str:
        return (f"{self.generator}/{self.tier}" + (f"/{self.group}" if self.group else "")
                + (f"/{self.start:+d}" if self.start else ""))

    @property
    def cost_key(self) -> str:
        """Items with the same cost per seed: generator, reductions, offsets and skips."""
        return "|".join([self.generator, ",".join(self.reductions),
                         f"{self.offsets.start}:{self.offsets.stop}", str(self.skip)])

    @property
    def seeds(self) -> int:
        return _size(self.ranges)

    def _integral(self, low: int, high: int) -> float:
        if self.scale is None:
            return float(high - low)
        o, s = self.origin, self.scale
        if high <= o:
            return math.log((o - low + s) / (o - high + s))
        if low >= o:
            return math.log((high - o + s) / (low - o + s))
        return self._integral(low, o) + self._integral(o, high)

    def mass(self, ranges: Ranges) -> float:
        """Prior probability of the seeds in ``ranges`` (a subset of the item's)."""
        total = sum(self._integral(a, b) for a, b in self.ranges)
        if total <= 0:
            return 0.0
        return self.prior * sum(self._integral(a, b) for a, b in ranges) / total

    def spaces(self, ranges: Ranges) -> list[SearchSpace]:
        """One space per seed range, every reduction read from the same seeding of a seed."""
        return [SearchSpace(generator=self.generator, reductions=self.reductions, seed_start=low,
                            seed_stop=high, offset_start=self.offsets.start,
                            offset_stop=self.offsets.stop, skip=self.skip)
                for low, high in ranges]


@dataclass
class Plan:
    """Every item the plan could search, and what it needs to be resumed."""

    items: list[PlanItem]
    shape: DrawShape
    reference_s: int
    reference_source: str
    window: int
    #: generators left out because no reduction of the shape applies to them
    inapplicable: list[str]
    parameters: dict[str, Any]
    #: wrong draws a survivor may have in the window (``--errors``)
    errors: int = 0

    @property
    def hypotheses(self) -> int:
        return sum(item.hypotheses for item in self.items)

    def log_correction(self, item: PlanItem) -> float:
        """``log(1 / w)``, the correction of a p-value met in ``item``: a weighted Bonferroni
        correction whose weights ``w`` over the plan's hypotheses sum to 1, so the chance that
        any chance hypothesis is identified stays below alpha. ``PRIOR_WEIGHTED_ALPHA`` of the
        weight follows the items' priors (each item's share spread over its hypotheses: a small
        seed, likely and among few, is singled out from fewer draws), the rest is even."""
        total_prior, total_hypotheses = self._totals
        by_prior = (item.prior / total_prior / max(item.hypotheses, 1)) if total_prior > 0 else 0.0
        weight = (PRIOR_WEIGHTED_ALPHA * by_prior
                  + (1 - PRIOR_WEIGHTED_ALPHA) / max(total_hypotheses, 1))
        return -math.log(weight)

    @functools.cached_property
    def _totals(self) -> tuple[float, int]:
        """The items' prior and hypotheses, summed once (the items do not change)."""
        return sum(i.prior for i in self.items), self.hypotheses


def _tier_ranges(generator: type[PRNG], reference_s: int, forward_s: int) -> dict[str, tuple[Ranges, int]]:
    """Seed ranges and origin of each tier that applies to ``generator``."""
    top = 1 << generator.seed_bits
    tiers: dict[str, tuple[Ranges, int]] = {}
    tiers["small"] = ([(0, min(SMALL_TOP, top))], 0)
    if top > SMALL_TOP:
        tiers["typed"] = ([(SMALL_TOP, min(TYPED_TOP, top))], 0)
    low_s = max(reference_s - THIRTY_YEARS, TYPED_TOP)
    high_s = min(reference_s + forward_s + 1, top)
    if low_s < high_s:
        tiers["unix_s"] = ([(low_s, high_s)], min(reference_s, high_s - 1))
    reference_ms = reference_s * 1000
    forward_ms = forward_s * 1000
    if top > reference_ms + forward_ms:
        tiers["unix_ms"] = ([(reference_ms - MS_SPAN, reference_ms + forward_ms + 1)], reference_ms)
    full_top = min(top, 1 << 32)
    taken = [r for name in ("small", "typed", "unix_s") for r in tiers.get(name, ([], 0))[0]]
    rest = _subtract([(0, full_top)], taken)
    if rest:
        tiers["full32"] = (rest, 0)
    if not seed_is_state(generator):  # there full32 holds every state, at any depth
        for name in DEEP_OFFSETS:
            tiers[name] = ([(0, min(SMALL_TOP, top))], 0)
    return tiers


#: share of a generator's prior for ``digits:K`` (a draw made of K calls) when the draws could
#: also be one bounded integer each: the rarer idiom
DIGITS_SHARE = 0.15
#: how a program that wants "an integer below N" usually gets it: the runtime's own function
#: (``nextInt(n)``, ``randint``, ``mt_rand(a, b)``) far more often than ``% N`` or
#: ``floor(random() * N)``
REDUCTION_WEIGHTS = {"native": 0.55, "mod": 0.25, "float_mul": 0.20}


def _reduction_groups(generator: type[PRNG], specs: list[str], shape: DrawShape
                      ) -> dict[str, tuple[tuple[str, ...], float]]:
    """Each reduction as its own item with its share of the generator's prior: one seeding
    serves several reductions only partly on the device ports (the draws dominate for cheap
    seedings), so the schedule weighs each reduction's probability against its own measured
    cost. A bound above the largest draw + 1 weighs as likely as the draws leave it
    (:meth:`DrawShape.bound_weight`). Returns group label -> (reductions, share)."""
    weights: dict[str, float] = {}
    for spec in specs:
        reduction = parse_reduction(spec)
        if reduction.kind == "digits":
            continue
        if reduction.alphabet is not None and reduction.alphabet >= 1 << 31:
            weights[spec] = 1.0  # a raw word, or the word shifted right: equally likely
        elif reduction.alphabet is not None and spec == native_below(generator,
                                                                     reduction.alphabet).spec:
            weights[spec] = REDUCTION_WEIGHTS["native"]
        else:
            weights[spec] = REDUCTION_WEIGHTS.get(
                "mod" if reduction.kind in ("mod", "c_rand_mod") else reduction.kind, 1.0)
        if reduction.alphabet is not None and reduction.alphabet in shape.other_bounds:
            weights[spec] *= shape.bound_weight(reduction.alphabet)
    digits = [s for s in specs if s.startswith("digits:")]
    main_share = 1.0 - DIGITS_SHARE if digits and weights else 1.0
    total = sum(weights.values())
    groups: dict[str, tuple[tuple[str, ...], float]] = {
        spec: ((spec,), main_share * weight / total) for spec, weight in weights.items()}
    for spec in digits:
        groups[spec] = ((spec,), (1.0 - main_share) / len(digits) if weights else 1.0 / len(digits))
    return groups


def _tier_weights(generator: type[PRNG], tiers: Iterable[str]) -> dict[str, float]:
    weights = {}
    for tier in tiers:
        weight = TIER_WEIGHTS[tier]
        if tier == "full32":
            weight = TIER_WEIGHTS[tier] if generator.seed_bits <= 32 else WIDE_SEED_FULL32
            if seed_is_state(generator):
                weight += LATE_OBSERVATION
        weights[tier] = weight
    total = sum(weights.values())
    return {tier: weight / total for tier, weight in weights.items()}


def build_plan(observed: list[int], *, reference_s: int, reference_source: str = "now",
               forward_s: int = FORWARD_SLACK_S, generators: list[str] | None = None,
               include_legacy: bool = False, reductions: list[str] | None = None,
               offsets: range = range(0, 8), skip: SkipSpace = SkipSpace(low=0, high=1),
               window: int | None = None, alpha: float = 0.01, errors: int = 0,
               readings: Sequence[tuple[int, float]] = ((0, 1.0),)) -> Plan:
    """Every (generator, tier) item for ``observed``, with its prior mass and hypothesis count.

    Nothing runs here: :func:`run_plan` orders and searches the items. ``reductions`` overrides
    the inferred ones (for every generator they apply to). ``readings`` are the ways to read
    the draws, ``(start, share of the prior)``: the draws minus ``start`` (a range from 1 that
    may as well be from 0 is searched both ways). Raises :class:`NotEnoughDraws` when
    ``observed`` is too short for a search of the plan's size to identify anything.
    """
    readings = [(start, share) for start, share in readings
                if all(v >= start for v in observed)] or [(0, 1.0)]
    window = min(window or 64, len(observed))
    registry = all_generators()
    names = generators or [n for n, c in registry.items() if include_legacy or not c.legacy]
    prior_total = sum(registry[n].prior for n in names) * sum(share for _, share in readings)
    shape = infer_shape([v - readings[0][0] for v in observed])
    items: list[PlanItem] = []
    applicable: set[str] = set()
    for start, share in readings:
        read = infer_shape([v - start for v in observed])
        for name in names:
            added = _plan_items(name, read, reductions, reference_s, forward_s, offsets, skip,
                                window, prior=registry[name].prior * share / prior_total,
                                start=start)
            items.extend(added)
            if added:
                applicable.add(name)
    inapplicable = [name for name in names if name not in applicable]
    if not items:
        raise ValueError(f"no generator has a reduction that makes these draws "
                         f"(largest {shape.largest:,}: {shape.describe()})")
    plan = Plan(items=items, shape=shape, reference_s=reference_s,
                reference_source=reference_source, window=window, inapplicable=inapplicable,
                parameters={"reference_s": reference_s, "reference_source": reference_source,
                            "forward_s": forward_s, "generators": names,
                            "reductions": reductions, "offsets": [offsets.start, offsets.stop],
                            "skip": str(skip), "window": window, "errors": errors,
                            "readings": [list(r) for r in readings]},
                errors=errors)
    _check_enough_draws(plan, observed, alpha)
    return plan


def _plan_items(name: str, shape: DrawShape, reductions: list[str] | None, reference_s: int,
                forward_s: int, offsets: range, skip: SkipSpace, window: int, *, prior: float,
                start: int) -> list[PlanItem]:
    """One generator's items for one reading of the draws (``shape``): a tier x reduction
    group each, sharing ``prior``."""
    items: list[PlanItem] = []
    generator = get_generator(name)
    if reductions is not None:
        specs = []
        for spec in reductions:
            try:
                parse_reduction(spec).check_generator(generator)
            except ValueError:
                continue
            specs.append(parse_reduction(spec).spec)
    else:
        specs = shape.reductions(generator)
    specs = [s for s in specs if shape.largest < parse_reduction(s).alphabet_for(generator)]
    if not specs:
        return []
    tiers = _tier_ranges(generator, reference_s, forward_s)
    weights = _tier_weights(generator, tiers)
    late = seed_is_state(generator)
    groups = _reduction_groups(generator, specs, shape)
    for tier, (ranges, origin) in tiers.items():
        ranges = _trim_refused(generator, ranges)
        if not ranges:
            continue
        # every state is a full32 seed there: other offsets add nothing but time
        tier_offsets = range(0, 1) if tier == "full32" and late else offsets
        if tier in DEEP_OFFSETS:  # the small seeds again, past the small tier's offsets
            first = max(offsets.stop, DEEP_OFFSETS["deep"] + 1 if tier == "deeper" else 0)
            if first > DEEP_OFFSETS[tier]:
                continue
            tier_offsets = range(first, DEEP_OFFSETS[tier] + 1)
        for group, (group_specs, share) in groups.items():
            item = PlanItem(generator=name, tier=tier, reductions=group_specs, ranges=ranges,
                            origin=origin, scale=DENSITY_SCALE.get(tier),
                            prior=prior * weights[tier] * share,
                            offsets=tier_offsets, skip=skip, start=start, group=group)
            item.hypotheses = sum(hypothesis_count(space, window)
                                  for space in item.spaces(ranges))
            items.append(item)
    return items


def _check_enough_draws(plan: Plan, observed: list[int], alpha: float) -> None:
    """The fewest draws that could make a survivor significant in a search of the plan's size,
    for the plan's most permissive reduction (largest ``q``)."""
    def q_of(item: PlanItem, spec: str) -> float:
        return per_draw_match_probability(get_generator(item.generator), parse_reduction(spec))

    q = min(max(q_of(item, spec) for item in plan.items for spec in item.reductions), 0.5)
    # the item whose hypotheses the weighted correction favours most, at its sharpest reduction
    needed = min(minimum_window(math.ceil(math.exp(plan.log_correction(item))),
                                min(q_of(item, spec) for spec in item.reductions), alpha,
                                plan.errors)
                 for item in plan.items)
    if len(observed) < needed:
        typical = minimum_window(plan.hypotheses, q, alpha, plan.errors)
        raise NotEnoughDraws(
            f"{len(observed)} draw{'s' if len(observed) != 1 else ''} cannot single out one of "
            f"the {plan.hypotheses:.3g} hypotheses this search holds: at least {needed} draws are "
            f"needed ({typical} for every reduction it tries; more make the verdict surer)")


# ---- costs ---------------------------------------------------------------------------------------


class CostCache:
    """Measured seconds per seed (and first-chunk overheads: device compiles) per backend and
    generator, kept between runs in a JSON file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict[str, float]] = {}
        if path is not None and path.exists():
            try:
                self.entries = json.loads(path.read_text())
            except (OSError, ValueError):
                self.entries = {}

    @staticmethod
    def default_path() -> Path:
        root = os.environ.get("WATCHER_CACHE_DIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "prng-watcher")
        return Path(root) / "seed-costs.json"

    @staticmethod
    def key(backend: Backend, item: PlanItem) -> str:
        device = getattr(backend, "description", backend.name)
        return "|".join([backend.name, device, item.cost_key])

    def get(self, key: str) -> dict[str, float] | None:
        return self.entries.get(key)

    def put(self, key: str, seconds_per_seed: float, first_chunk_extra: float | None) -> None:
        entry = self.entries.setdefault(key, {})
        entry["seconds_per_seed"] = seconds_per_seed
        if first_chunk_extra is not None:
            entry["first_chunk_extra"] = first_chunk_extra

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
            tmp.replace(self.path)
        except OSError:
            pass  # a cache that cannot be written only costs the next run a measurement


# ---- running the plan ----------------------------------------------------------------------------


@dataclass
class _ItemCursor:
    """What of an item is left, split at its origin: below it (searched downwards) and above
    it (upwards)."""

    item: PlanItem
    below: Ranges
    above: Ranges
    covered: Ranges = field(default_factory=list)

    @classmethod
    def start(cls, item: PlanItem, covered: Ranges) -> "_ItemCursor":
        left = _subtract(item.ranges, covered)
        below = [(a, min(b, item.origin)) for a, b in left if a < item.origin]
        above = [(max(a, item.origin), b) for a, b in left if b > item.origin]
        return cls(item, sorted(below, reverse=True), above,
                   _subtract(item.ranges, _subtract(item.ranges, covered)))

    @property
    def done(self) -> bool:
        return not self.below and not self.above

    def _nearest(self) -> str | None:
        if not self.below and not self.above:
            return None
        if not self.above:
            return "below"
        if not self.below:
            return "above"
        below_gap = self.item.origin - self.below[0][1]
        above_gap = self.above[0][0] - self.item.origin
        return "below" if below_gap < above_gap else "above"

    def peek(self, seeds: int) -> Ranges:
        """The next ``seeds`` seeds (fewer at the end), nearest the origin first: from the
        nearer side, then from the other one if that side runs out."""
        side = self._nearest()
        if side is None:
            return []
        taken: Ranges = []
        want = seeds
        for current in (side, "above" if side == "below" else "below"):
            for low, high in (self.below if current == "below" else self.above):
                if not want:
                    break
                take = min(want, high - low)
                taken.append((high - take, high) if current == "below" else (low, low + take))
                want -= take
        return _normalise(taken)

    def consume(self, ranges: Ranges) -> None:
        self.below = sorted(_subtract(self.below, ranges), reverse=True)
        self.above = _subtract(self.above, ranges)
        self.covered = _normalise(self.covered + ranges)


@dataclass
class Coverage:
    """How much of one item was searched."""

    generator: str
    tier: str
    reductions: tuple[str, ...]
    seeds: int
    covered_seeds: int
    prior: float
    covered_prior: float


@dataclass
class PlanRun:
    """What :func:`run_plan` found and covered."""

    plan: Plan
    survivors: list[Survivor]
    near_miss: Survivor | None
    reports: list[SpaceReport]
    covered: dict[str, Ranges]
    coverage: list[Coverage]
    elapsed: float
    stopped_by_budget: bool
    stopped_early: bool
    complete: bool
    alpha: float
    errors: list[str]
    #: the chunk still running at the deadline (a device compile, mostly), left unfinished on
    #: its worker thread; a command-line caller should exit without waiting for it
    abandoned: str | None = None

    @property
    def identified(self) -> bool:
        return bool(self.survivors) and self.survivors[0].p_value < self.alpha

    @property
    def hypotheses_searched(self) -> int:
        return sum(r.hypotheses for r in self.reports)

    @property
    def expected_chance_survivors(self) -> float:
        return sum(r.expected_chance_survivors for r in self.reports)

    @property
    def covered_prior(self) -> float:
        """The probability, by the catalog's priors, that the covered part held the answer
        (given that the answer is somewhere in the plan)."""
        total = sum(c.prior for c in self.coverage)
        return sum(c.covered_prior for c in self.coverage) / total if total else 0.0


@dataclass
class _GeneratorCost:
    """Seconds per seed of one generator (all its reductions) on the backend, and what its first
    chunk costs beyond that (device compiles). Until a second chunk has run, the rate is a
    cached or default guess for ordering, and the first chunk's time per seed (compiles
    included: pessimistic) bounds what the next chunk may cost."""

    per_seed: float
    first_extra: float | None
    measured: bool = False
    chunks: int = 0
    first_chunk: tuple[int, float] | None = None
    #: the largest chunk run so far: chunks grow at most eightfold, so that a rate measured on
    #: a small chunk cannot send one far past the deadline
    largest: int = 0

    @classmethod
    def known(cls, entry: dict[str, float] | None, reductions: float) -> "_GeneratorCost":
        if entry:
            return cls(entry["seconds_per_seed"], entry.get("first_chunk_extra"),
                       measured="first_chunk_extra" in entry)
        return cls(DEFAULT_SECONDS_PER_SEED * reductions, None)

    def pessimistic_rate(self) -> float:
        if self.chunks == 1 and self.first_chunk is not None:
            seeds, elapsed = self.first_chunk
            return max(self.per_seed, elapsed / max(seeds, 1))
        return self.per_seed

    def seconds(self, seeds: int, first_extra_guess: float) -> float:
        """Seconds a chunk of ``seeds`` may take (for the deadline); ``first_extra_guess``
        stands in for an unknown first-chunk overhead."""
        extra = 0.0
        if self.chunks == 0:
            extra = self.first_extra if self.first_extra is not None else first_extra_guess
        return CHUNK_OVERHEAD_SECONDS + seeds * self.pessimistic_rate() + extra

    def expected_seconds(self, seeds: int, first_extra_guess: float) -> float:
        """Seconds a chunk is expected to take (for the order)."""
        extra = 0.0
        if self.chunks == 0:
            extra = self.first_extra if self.first_extra is not None else first_extra_guess
        return CHUNK_OVERHEAD_SECONDS + seeds * self.per_seed + extra

    def record(self, seeds: int, elapsed: float, minimum: int) -> None:
        """Learn from a chunk's time; chunks under ``minimum`` seeds (range ends) are mostly
        launch overhead and say nothing about the rate."""
        self.chunks += 1
        self.largest = max(self.largest, seeds)
        if self.chunks == 1:
            if seeds < minimum:
                # a sliver at a range end: it paid the compiles and says nothing of the rate
                if self.first_extra is None:
                    self.first_extra = elapsed
                return
            self.first_chunk = (seeds, elapsed)
            return
        if seeds < minimum:
            return
        rate = elapsed / seeds + 1e-12  # overheads included: pessimistic for small chunks
        self.per_seed = rate if not self.measured else 0.5 * self.per_seed + 0.5 * rate
        if self.first_chunk is not None and self.first_extra is None:
            first_seeds, first_elapsed = self.first_chunk
            self.first_extra = max(0.0, first_elapsed - first_seeds * rate)
        self.measured = True


def _min_chunk(backend: Backend, item: PlanItem) -> int:
    """The fewest seeds worth a chunk. pocl builds a second work-group function for launches
    of 2**16+ items: device-ported generators launch that size from the start, so the first
    chunk compiles the one the rest use; numpy (and generators without a port) have no such
    constraint, and a small first chunk bounds what an unmeasured slow generator costs. A tier
    of thousands of offsets per seed (deep) starts small everywhere: 2**16 of its seeds can take
    minutes on a CPU device."""
    if (backend.name != "numpy" and has_device_port(get_generator(item.generator))
            and len(item.offsets) <= DEEP_OFFSETS["deep"] // 8):
        return 1 << 16
    return 1 << 8


def _bundle_ratio(chunks: list[tuple[float, float]], overhead: float) -> float:
    """Best probability per second of chunks (mass, seconds) sharing one ``overhead``: the
    likeliest per second first, as long as each raises the ratio."""
    mass, seconds = 0.0, overhead
    for chunk_mass, chunk_seconds in sorted(chunks, key=lambda c: -c[0] / max(c[1], 1e-12)):
        if mass and (mass + chunk_mass) / (seconds + chunk_seconds) <= mass / seconds:
            break
        mass, seconds = mass + chunk_mass, seconds + chunk_seconds
    return mass / max(seconds, 1e-9)


def _power_of_two_at_most(value: float) -> int:
    return 1 << max(0, int(math.floor(math.log2(max(value, 1.0)))))


def run_plan(plan: Plan, observed: list[int], backend: Backend, *, deadline: float,
             alpha: float = 0.01, covered: dict[str, Ranges] | None = None,
             cost_cache: CostCache | None = None, max_candidates: int = 100_000,
             previous: list[Survivor] | None = None,
             progress: Callable[[float, float, str], None] | None = None,
             clock: Callable[[], float] = time.monotonic,
             search_function: Callable[..., SearchResult] = search) -> PlanRun:
    """Search ``plan`` greedily by prior probability per second until it is done, a survivor is
    beyond doubt, or ``clock()`` reaches ``deadline``.

    ``covered`` (item key -> seed ranges) is what earlier runs searched (``--continue``);
    ``previous`` their survivors. ``progress(covered_prior, elapsed, what)`` is called after
    every chunk. ``search_function`` is the engine's :func:`search` (replaceable to study the
    schedule alone).
    """
    began = clock()
    certainty_log10 = math.log10(alpha) + CERTAINTY_BELOW_ALPHA_LOG10
    covered = {k: _normalise(v) for k, v in (covered or {}).items()}
    cursors = [_ItemCursor.start(item, covered.get(item.key, [])) for item in plan.items]
    cache = cost_cache or CostCache(None)
    engine_chunk = getattr(backend, "preferred_chunk", 1 << 16)
    minimums = {cursor.item.cost_key: _min_chunk(backend, cursor.item) for cursor in cursors}
    # deep tiers' cost keys -> the key of the same generator and reductions at the plan's
    # offsets: offsets are launch arguments, so the device programs are the same
    plan_offsets = "{}:{}".format(*plan.parameters["offsets"])
    same_program = {c.item.cost_key: "|".join([c.item.generator, ",".join(c.item.reductions),
                                               plan_offsets, str(c.item.skip)])
                    for c in cursors if c.item.tier in DEEP_OFFSETS}
    costs: dict[str, _GeneratorCost] = {}
    for cursor in cursors:
        if cursor.item.cost_key not in costs:
            # the default guess is per reduction at the usual few offsets: a tier of thousands
            # of offsets (deep) costs that many times more per seed
            costs[cursor.item.cost_key] = _GeneratorCost.known(
                cache.get(CostCache.key(backend, cursor.item)),
                len(cursor.item.reductions) * max(1.0, len(cursor.item.offsets) / 8))
    survivors: dict[tuple[str, int, str, int, str, int], Survivor] = {}
    for survivor in previous or []:
        h = survivor.hypothesis
        survivors[(h.generator, h.seed, h.reduction, h.offset, str(h.skip),
                   survivor.start)] = survivor
    reports: list[SpaceReport] = []
    near_miss: Survivor | None = None
    errors: list[str] = []
    stopped_by_budget = stopped_early = False
    abandoned: str | None = None
    worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="plan-chunk")

    default_extra = DEFAULT_FIRST_CHUNK_SECONDS["numpy" if backend.name == "numpy" else "device"]
    while True:
        remaining = deadline - clock()
        best = None
        # compiles cost about the same for every generator of one run (pocl's disk cache is warm
        # or cold for all): the first chunks measured stand in for the others
        # (an earlier run's figure may have been a cold compile: this run's own measurements
        # take over once there are a few)
        extras = sorted(c.first_extra for c in costs.values()
                        if c.first_extra is not None and c.chunks)
        guess = extras[len(extras) // 2] if extras else default_extra
        trust_run = len(extras) >= 3

        candidates = []
        for cursor in cursors:
            if cursor.done:
                continue
            cost = costs[cursor.item.cost_key]
            minimum = minimums[cursor.item.cost_key]
            if cost.chunks == 0:
                seeds = minimum
            else:
                seeds = _power_of_two_at_most(CHUNK_SECONDS / cost.pessimistic_rate())
                seeds = max(minimum, min(seeds, 1 << 24, 8 * cost.largest))
            # never start what cannot finish before the deadline
            while seeds > minimum and cost.seconds(seeds, guess) > 0.8 * remaining:
                seeds //= 2
            if cost.seconds(seeds, guess) > 0.8 * remaining:
                continue
            ranges = cursor.peek(seeds)
            if ranges:
                candidates.append((cursor, ranges, cursor.item.mass(ranges)))
        # a first chunk pays the compiles for every tier of its generator and reduction: it is
        # worth what the next chunk of each of those tiers is worth, for that one overhead
        bundles: dict[str, list[tuple[float, float]]] = {}
        for cursor, ranges, mass in candidates:
            cost = costs[cursor.item.cost_key]
            if cost.chunks == 0:
                bundles.setdefault(cursor.item.cost_key, []).append(
                    (mass, cost.expected_seconds(_size(ranges), 0.0)))
        bundle_ratio: dict[str, float] = {}
        for key, chunks in bundles.items():
            cost = costs[key]
            extra = guess
            if cost.first_extra is not None:
                extra = min(cost.first_extra, guess) if trust_run else cost.first_extra
            shallow = costs.get(same_program.get(key, ""))
            if shallow is not None and shallow.chunks:
                extra = 0.0  # a deep tier runs the programs its generator's shallow items built
            bundle_ratio[key] = _bundle_ratio(chunks, extra)
        for cursor, ranges, mass in candidates:
            cost = costs[cursor.item.cost_key]
            if cost.chunks == 0:
                ratio = bundle_ratio[cursor.item.cost_key]
            else:
                ratio = mass / max(cost.expected_seconds(_size(ranges), guess), 1e-9)
            if best is None or (ratio, mass) > (best[0], best[3]):
                best = (ratio, cursor, ranges, mass)
        if best is None:
            stopped_by_budget = any(not c.done for c in cursors)
            break
        _, cursor, ranges, _ = best
        item = cursor.item
        started = clock()
        # the chunk runs on a worker thread so that the deadline holds even when a device
        # compile takes far longer than any estimate (a cold pocl build of an MT19937 port can
        # take a minute on a busy machine): past the deadline the chunk is abandoned, uncounted
        read = observed if not item.start else [v - item.start for v in observed]
        future = worker.submit(search_function, item.spaces(ranges), read,
                               window=plan.window, alpha=alpha, backend=backend,
                               chunk_size=engine_chunk, max_candidates=max_candidates,
                               stop_when_certain=False, errors=plan.errors)
        try:
            result = future.result(timeout=max(deadline - clock(), 0.0) + ABANDON_GRACE_SECONDS)
        except concurrent.futures.TimeoutError:
            abandoned = f"{item.key} seeds {ranges[0][0]}.. ({_size(ranges):,} seeds)"
            stopped_by_budget = True
            break
        except SurvivorCapExceeded as error:
            errors.append(str(error))
            cursor.consume(ranges)  # searched, but too many chance candidates to say anything
            covered[item.key] = cursor.covered
            continue
        costs[item.cost_key].record(_size(ranges), clock() - started, minimums[item.cost_key])
        cursor.consume(ranges)
        covered[item.key] = cursor.covered
        reports.extend(result.reports)
        for found in result.survivors:
            q = per_draw_match_probability(get_generator(found.hypothesis.generator),
                                           parse_reduction(found.hypothesis.reduction))
            log_p = min(0.0, plan.log_correction(item)
                        + log_binomial_tail(found.compared, found.matched, q))
            h = found.hypothesis
            survivors[(h.generator, h.seed, h.reduction, h.offset, str(h.skip),
                       item.start)] = Survivor(
                hypothesis=h, matched=found.matched, compared=found.compared,
                p_value=math.exp(log_p), log10_p_value=log_p / math.log(10),
                errors=found.errors, mismatches=found.mismatches, start=item.start)
        if result.near_miss is not None and (near_miss is None
                                             or result.near_miss.matched > near_miss.matched):
            miss = result.near_miss
            q = per_draw_match_probability(get_generator(miss.hypothesis.generator),
                                           parse_reduction(miss.hypothesis.reduction))
            log_p = min(0.0, plan.log_correction(item)
                        + log_binomial_tail(miss.compared, miss.matched, q))
            near_miss = miss.model_copy(update={"p_value": math.exp(log_p),
                                                "log10_p_value": log_p / math.log(10),
                                                "start": item.start})
        if progress is not None:
            progress(_covered_prior(cursors), clock() - began, f"{item.key} {_size(ranges):,} seeds")
        if any(s.log10_p_value < certainty_log10 for s in survivors.values()):
            stopped_early = any(not c.done for c in cursors)
            break

    worker.shutdown(wait=abandoned is None, cancel_futures=True)
    for cursor in cursors:
        cost = costs[cursor.item.cost_key]
        if cost.measured:
            cache.put(CostCache.key(backend, cursor.item), cost.per_seed, cost.first_extra)
    cache.save()
    ordered = sorted(survivors.values(),
                     key=lambda s: (s.log10_p_value, -get_generator(s.hypothesis.generator).prior,
                                    s.hypothesis.generator, s.hypothesis.seed))
    coverage = [Coverage(generator=c.item.generator, tier=c.item.tier,
                         reductions=c.item.reductions, seeds=c.item.seeds,
                         covered_seeds=_size(c.covered), prior=c.item.prior,
                         covered_prior=c.item.mass(c.covered)) for c in cursors]
    return PlanRun(plan=plan, survivors=ordered, near_miss=near_miss, reports=reports,
                   covered=covered, coverage=coverage, elapsed=clock() - began,
                   stopped_by_budget=stopped_by_budget and not stopped_early,
                   stopped_early=stopped_early, complete=all(c.done for c in cursors),
                   alpha=alpha, errors=errors, abandoned=abandoned)


def _covered_prior(cursors: list[_ItemCursor]) -> float:
    total = sum(c.item.prior for c in cursors)
    return sum(c.item.mass(c.covered) for c in cursors) / total if total else 0.0


# ---- equivalent entries --------------------------------------------------------------------------


def equivalent_generators(found: Hypothesis, observed: list[int], extra: int = 32,
                          nearby_offsets: int = 0) -> list[str]:
    """Other catalog generators that, with the same seed, reduction, offset and skip, give the
    same draws (the observed ones and ``extra`` more): e.g. PHP 7.1+ ``mt_rand`` and
    ``std::mt19937`` for ``% 1000``. Their names belong beside the one the search met first.
    With ``nearby_offsets`` K, offsets up to K away count too, named "NAME at offset N" (the
    top bits of ``std::mt19937``'s double are its second word: PHP's double one word later)."""
    expected = predict(found, len(observed) + extra)
    names = []
    offsets = [found.offset] + [found.offset + step for k in range(1, nearby_offsets + 1)
                                for step in (-k, k) if found.offset + step >= 0]
    for name, cls in all_generators().items():
        if name == found.generator:
            continue
        for offset in offsets:
            try:
                twin = found.model_copy(update={"generator": name, "offset": offset})
                twin = Hypothesis.model_validate(twin.model_dump())
                if predict(twin, len(observed) + extra) == expected:
                    names.append(name if offset == found.offset else f"{name} at offset {offset}")
                    break
            except (ValueError, ArithmeticError):
                continue
    return names


# ---- resumable state -----------------------------------------------------------------------------


def state_path_for(draws_path: Path) -> Path:
    """``draws.json`` -> ``draws.identify-state.json``, beside the draws."""
    return draws_path.with_name(f"{draws_path.stem}.identify-state.json")


def plan_fingerprint(observed: list[int], parameters: dict[str, Any]) -> str:
    """What a state file belongs to: the draws and the plan's parameters."""
    key = json.dumps({"observed": observation_hash(observed, len(observed)),
                      "parameters": parameters}, sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:32]
