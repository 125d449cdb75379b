"""The sieve: search hypothesis spaces for the ones that explain observed draws, honestly.

A :class:`SearchSpace` is one generator over a seed range with *several reductions*, an offset
range and a skip space (offsets and skips count raw outputs, as ``kernels/observation.py``
defines them). Every reduction, offset and skip of a seed is evaluated from the same raw
outputs, so a seed's seeding -- the dominant cost of most generators -- is paid once per seed,
however many reductions the space holds.

The engine cuts each space into chunks with deterministic ids, asks a backend for *candidates*
(hypotheses whose first ``probe`` draws match), and confirms every candidate with the scalar
observation model (``kernels.observation.iter_draws``) over the whole observed sequence. A
confirmed hypothesis matching at least the whole window is a survivor.

Statistics (see ``kernels/statistics.py``): the search counts every hypothesis it tries --
every seed x reduction x offset x skip of every space -- and reports, per space and reduction,
the probability that one wrong hypothesis survives and the expected number of chance survivors;
each survivor gets a Bonferroni-corrected p-value for its matched length, corrected for the
whole search. "Identified" means the best survivor's corrected p-value is below ``alpha``.

The API the planner builds on:

* ``SearchSpace(generator=..., reductions=("mod:1000", "float_mul:1000"), seed_start=...,
  seed_stop=..., offset_start=0, offset_stop=8, skip=SkipSpace(low=0, high=1))``
* :func:`search` (spaces, observed, ...) -> :class:`SearchResult`, whose ``reports`` hold one
  :class:`SpaceReport` per (space, reduction) and whose ``survivors`` carry each hypothesis's
  reduction, offset and skip;
* :func:`hypothesis_count` (a space's size for a window), :func:`seconds_per_seed` (a measured
  cost per seed of a space on a backend, every reduction included), :func:`live_reductions`
  (the reductions the observed values admit).
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

import numpy as np
import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kernels.observation import Hypothesis, SkipSchedule, iter_draws
from kernels.prng import PRNG
from kernels.reductions import Reduction, parse_reduction
from kernels.registry import get_generator
from kernels.statistics import log_binomial_tail, match_probability

__all__ = [
    "SkipSpace", "SearchSpace", "Chunk", "Survivor", "SpaceReport", "SearchResult",
    "SurvivorCapExceeded", "Backend", "ChunkOutcome", "observation_hash", "chunk_space", "search",
    "hypothesis_count", "per_draw_match_probability", "live_reductions", "seconds_per_seed",
    "ProbeHit",
]

#: default number of seeds per chunk
DEFAULT_CHUNK = 1 << 16


class SurvivorCapExceeded(RuntimeError):
    """More candidates than the configured cap: the window is too short for this space."""


ProbeHit = tuple[int, int, int, tuple[int, ...]]
"""A backend's candidate: (seed, index into the reductions probed, offset, skips) where skips is
``(k,)`` for a constant skip, else the skip chosen before each observed draw of the probe after
the first."""


class SkipSpace(BaseModel):
    """Raw outputs discarded between observed draws: one constant ``k`` in ``[low, high]`` for
    the whole sequence, or (``variable``) a choice in ``[low, high]`` before each observed draw
    after the first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: int = Field(0, ge=0, le=1 << 16)
    high: int = Field(0, ge=0, le=1 << 16)
    variable: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> "SkipSpace":
        if self.high < self.low:
            raise ValueError(f"skip range {self.low}..{self.high} is empty")
        return self

    @property
    def choices(self) -> int:
        return self.high - self.low + 1

    @classmethod
    def parse(cls, spec: str) -> "SkipSpace":
        """``"2"`` (constant 2), ``"0:3"`` (a constant in 0..3), ``"var:0:3"`` (per draw)."""
        text = spec.strip()
        variable = text.startswith("var:")
        body = text[4:] if variable else text
        try:
            parts = [int(p) for p in body.split(":")]
        except ValueError:
            raise ValueError(f"skip {spec!r}: expected K, A:B or var:A:B") from None
        if len(parts) == 1:
            parts = parts * 2
        if len(parts) != 2:
            raise ValueError(f"skip {spec!r}: expected K, A:B or var:A:B")
        return cls(low=parts[0], high=parts[1], variable=variable)

    def __str__(self) -> str:
        body = str(self.low) if self.low == self.high else f"{self.low}:{self.high}"
        return f"var:{body}" if self.variable else body


class SearchSpace(BaseModel):
    """One generator over seeds ``[seed_start, seed_stop)`` with every reduction in
    ``reductions``, offsets ``[offset_start, offset_stop)`` (raw outputs discarded after seeding
    before the first observed draw) and a skip space (raw outputs between observed draws).

    ``reduction="mod:1000"`` is accepted for a space with that one reduction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    generator: str
    reductions: tuple[str, ...] = Field(min_length=1)
    seed_start: int = Field(ge=0)
    seed_stop: int = Field(ge=1)
    offset_start: int = Field(0, ge=0)
    offset_stop: int = Field(1, ge=1)
    skip: SkipSpace = SkipSpace(low=0, high=0)

    @model_validator(mode="before")
    @classmethod
    def _one_reduction(cls, data: Any) -> Any:
        if isinstance(data, dict) and "reduction" in data:
            if "reductions" in data:
                raise ValueError("give reduction or reductions, not both")
            data = {key: value for key, value in data.items() if key != "reduction"} | {
                "reductions": (data["reduction"],)}
        return data

    @field_validator("reductions")
    @classmethod
    def _canonical(cls, specs: tuple[str, ...]) -> tuple[str, ...]:
        canonical = tuple(parse_reduction(spec).spec for spec in specs)
        if len(set(canonical)) != len(canonical):
            raise ValueError(f"reductions {', '.join(specs)}: one is given twice")
        return canonical

    @model_validator(mode="after")
    def _consistent(self) -> "SearchSpace":
        cls = get_generator(self.generator)
        for spec in self.reductions:
            parse_reduction(spec).check_generator(cls)
        if self.seed_stop <= self.seed_start:
            raise ValueError(f"seed range {self.seed_start}:{self.seed_stop} is empty")
        if self.seed_stop > 1 << cls.seed_bits:
            raise ValueError(f"seed range ends past {self.generator}'s seed space ({cls.seed_space})")
        if self.offset_stop <= self.offset_start:
            raise ValueError(f"offset range {self.offset_start}:{self.offset_stop} is empty")
        return self

    @property
    def seeds(self) -> int:
        return self.seed_stop - self.seed_start

    @property
    def offsets(self) -> range:
        return range(self.offset_start, self.offset_stop)

    def describe(self) -> str:
        return (f"{self.generator} {','.join(self.reductions)} seeds {self.seed_start}:"
                f"{self.seed_stop} offsets {self.offset_start}:{self.offset_stop} skip {self.skip}")


def _per_reduction_count(space: SearchSpace, window: int) -> int:
    per_seed = len(space.offsets)
    if space.skip.variable:
        per_seed *= space.skip.choices ** max(window - 1, 0)
    else:
        per_seed *= space.skip.choices
    return space.seeds * per_seed


def hypothesis_count(space: SearchSpace, window: int) -> int:
    """Distinct hypotheses the space holds for a window of ``window`` draws, every reduction
    included."""
    return len(space.reductions) * _per_reduction_count(space, window)


def per_draw_match_probability(generator: type[PRNG], reduction: Reduction) -> float:
    """Upper bound on the chance that a wrong hypothesis's draw equals a given value."""
    alphabet = reduction.alphabet_for(generator)
    if reduction.kind in ("mod", "c_rand_mod"):
        return match_probability(alphabet, generator.output_bits)
    if reduction.kind in ("float_mul", "php_legacy_range"):
        bits = 31 if reduction.kind == "php_legacy_range" else min(generator.output_bits, 32)
        return match_probability(alphabet, bits)
    if reduction.kind == "digits" and generator.native_below in ("mod", "c_rand_mod", "float_mul"):
        return match_probability(10, min(generator.output_bits, 32)) ** reduction.args[0]
    return match_probability(alphabet)  # exactly uniform (rejection) reductions


def live_reductions(generator: type[PRNG], reductions: Sequence[str],
                    observed: list[int]) -> list[str]:
    """The reductions whose range holds every observed draw (the others are ruled out)."""
    return [spec for spec in reductions
            if max(observed) < parse_reduction(spec).alphabet_for(generator)]


def observation_hash(observed: list[int], window: int) -> str:
    return hashlib.sha256(orjson.dumps({"observed": observed, "window": window})).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """A slice of a space's seed range; its id is a pure function of what it searches."""

    space: SearchSpace
    seed_start: int
    seed_stop: int
    observation: str

    @property
    def id(self) -> str:
        key = orjson.dumps({"space": self.space.model_dump(mode="json"), "start": self.seed_start,
                            "stop": self.seed_stop, "observation": self.observation},
                           option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(key).hexdigest()[:32]


def chunk_space(space: SearchSpace, observation: str, size: int = DEFAULT_CHUNK) -> Iterator[Chunk]:
    for start in range(space.seed_start, space.seed_stop, size):
        yield Chunk(space, start, min(start + size, space.seed_stop), observation)


class Survivor(BaseModel):
    """A hypothesis that matched the whole window, with how far its match goes."""

    model_config = ConfigDict(frozen=True)

    hypothesis: Hypothesis
    matched: int
    compared: int
    p_value: float
    log10_p_value: float
    #: draws it does not explain (``matched`` counts every other compared draw) when the search
    #: tolerated errors, and where they are; a search without errors keeps leading matches
    errors: int = 0
    mismatches: tuple[int, ...] = ()
    #: the reading of the draws that met it: each observed draw is this hypothesis's draw plus
    #: ``start`` (a plan reads a range from 0 and from 1: ``build_plan``'s ``readings``)
    start: int = 0


class SpaceReport(BaseModel):
    """What the search of one reduction of one space tried and found."""

    model_config = ConfigDict(frozen=True)

    space: SearchSpace
    reduction: str
    hypotheses: int
    q: float
    survival_probability: float
    expected_chance_survivors: float
    candidates: int
    survivors: int
    chunks: int

    def describe(self) -> str:
        space = self.space
        return (f"{space.generator} {self.reduction} seeds {space.seed_start}:{space.seed_stop} "
                f"offsets {space.offset_start}:{space.offset_stop} skip {space.skip}")


class SearchResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    window: int
    observed: int
    alpha: float
    #: draws of the window a survivor may get wrong (``errors`` of ``search``)
    errors: int = 0
    hypotheses: int
    expected_chance_survivors: float
    reports: list[SpaceReport]
    survivors: list[Survivor]
    identified: bool
    stopped_early: bool = False
    #: the candidate that matched most leading draws without reaching the window
    near_miss: Survivor | None = None

    @property
    def best(self) -> Survivor | None:
        return self.survivors[0] if self.survivors else None


class Backend(Protocol):
    """Finds candidates; the engine confirms them with the scalar observation model."""

    name: str
    preferred_chunk: int

    def supports(self, generator: type[PRNG], reduction: Reduction) -> bool: ...

    def probe(self, generator: type[PRNG], reductions: Sequence[Reduction],
              seeds: np.ndarray | range, offsets: range, skips: range, variable_skip: bool,
              observed: list[int]) -> tuple[list[ProbeHit], np.ndarray]:
        """Candidates among ``seeds`` whose draws under some reduction, offset and skip match
        ``observed`` (a probe prefix), each seed seeded once for all of them; and the seeds the
        backend could not finish (the engine checks those with the scalar reference)."""
        ...


def _probe_length(q: float, lanes: int, per_seed: int, window: int, skip: SkipSpace) -> int:
    """Draws a backend matches before handing candidates to the scalar check: enough that a
    chunk yields about one chance candidate, never more than the window. ``q`` is the largest
    per-draw match probability of the reductions probed, ``per_seed`` the hypotheses per seed
    that start at the first observed draw (reductions x offsets x constant skips)."""
    branching = skip.choices if skip.variable else 1
    per_draw = -math.log(q * branching) if q * branching < 1 else 0.0
    if per_draw <= 0:
        return window
    needed = math.log(max(lanes * per_seed, 2)) / per_draw
    return max(1, min(window, math.ceil(needed) + 1, 64))


def _hypothesis(space: SearchSpace, reduction: str, seed: int, offset: int,
                chosen: tuple[int, ...], skip: int | None) -> Hypothesis:
    if space.skip.variable:
        schedule = SkipSchedule(skips=chosen, then=space.skip.low)
    else:
        schedule = SkipSchedule.constant(skip or 0)
    return Hypothesis(generator=space.generator, seed=seed, reduction=reduction, offset=offset,
                      skip=schedule)


def _leading_matches(hypothesis: Hypothesis, observed: list[int]) -> int:
    matched = 0
    for value, expected in zip(iter_draws(hypothesis), observed):
        if value != expected:
            break
        matched += 1
    return matched


def _confirm(space: SearchSpace, reduction: str, seed: int, offset: int, chosen: tuple[int, ...],
             skip: int | None, observed: list[int], window: int) -> tuple[Hypothesis, int, int]:
    """Check a candidate with the scalar reference: the hypothesis, how many leading observed
    draws it matches, and how many it was compared with."""
    # skips chosen per draw past the window are not part of the hypothesis
    limit = window if space.skip.variable else len(observed)
    hypothesis = _hypothesis(space, reduction, seed, offset, chosen, skip)
    return hypothesis, _leading_matches(hypothesis, observed[:limit]), limit


Candidate = tuple[str, int, int, tuple[int, ...], int | None]
"""(reduction, seed, offset, chosen variable skips, constant skip or None)"""


def _scalar_candidates(space: SearchSpace, reductions: Sequence[str], seeds: Iterable[int],
                       observed: list[int], window: int) -> list[Candidate]:
    """Slow path for seeds a backend could not finish: every reduction, offset and skip."""
    found: list[Candidate] = []
    skips = range(space.skip.low, space.skip.high + 1)
    for seed in seeds:
        for spec in reductions:
            for offset in space.offsets:
                if space.skip.variable:
                    found.extend((spec, int(seed), offset, chosen, None) for chosen in
                                 _extend_variable(space, spec, int(seed), offset, (), observed,
                                                  window))
                    continue
                for k in skips:
                    h = _hypothesis(space, spec, int(seed), offset, (), k)
                    if _leading_matches(h, observed[:window]) >= window:
                        found.append((spec, int(seed), offset, (), k))
    return found


@dataclass
class _Tally:
    candidates: int = 0
    survivors: list[Survivor] = field(default_factory=list)


def search(spaces: list[SearchSpace], observed: list[int], *, window: int | None = None,
           alpha: float = 0.01, backend: Backend | None = None, chunk_size: int | None = None,
           max_candidates: int = 100_000, stop_when_certain: bool = True,
           certainty_log10: float = -12.0,
           progress: Callable[[int, int], None] | None = None,
           run_chunks: Callable[[list[Chunk], Callable[[Chunk], Any]], Iterable[tuple[Chunk, Any]]] | None = None,
           errors: int = 0,
           ) -> SearchResult:
    """Search ``spaces`` for hypotheses explaining ``observed``.

    ``window`` is how many leading draws a survivor must match (default: all of them, up to
    64); the rest of the observation extends the match and sharpens the p-value.
    Each chunk of a space probes all of the space's reductions at once (one seeding per seed);
    the reports hold one entry per (space, reduction), and every p-value is corrected for the
    hypotheses of all spaces and reductions together.
    ``run_chunks`` lets a scheduler (Dask) run the chunk function; by default chunks run here.
    ``chunk_size`` defaults to the backend's ``preferred_chunk`` (devices want millions of seeds
    per launch, numpy a matrix that fits the cache budget).
    The search stops early (``stop_when_certain``) once a survivor's corrected p-value is
    below ``10**certainty_log10``: the remaining spaces could not change the verdict.
    ``progress(done, total)`` counts seeds (each seed once, whatever its reductions).

    ``errors`` (``--errors K``) tolerates up to K wrong draws in the window (transcription
    errors): a hypothesis survives when it matches at least ``window - K`` of the window's
    draws, and its chance of doing so by luck is the exact binomial tail. The backends still
    match exactly: the window is cut into K + 1 blocks, one of which holds no error whatever
    the K wrong draws are, and each block is searched exactly at the raw outputs where its
    first draw lies (see :func:`_block_offsets`); every candidate is then counted over the
    whole window with the scalar model, giving up at the (K + 1)-th wrong draw.
    """
    from kernels.sieve.numpy_backend import NumpyBackend

    if not observed:
        raise ValueError("no observed draws")
    window = min(window or 64, len(observed))
    if errors < 0 or errors >= window:
        raise ValueError(f"errors {errors}: tolerate 0 to {window - 1} wrong draws of a "
                         f"window of {window}")
    if errors and any(space.skip.variable for space in spaces):
        raise ValueError("tolerated errors need a constant skip (a wrong draw and a "
                         "per-draw skip choice cannot be told apart)")
    backend = backend or NumpyBackend()
    chunk_size = chunk_size or int(getattr(backend, "preferred_chunk", DEFAULT_CHUNK))
    fingerprint = observation_hash(observed, window)
    total = sum(hypothesis_count(space, window) for space in spaces)
    log_total = math.log(max(total, 1))
    reports: list[SpaceReport] = []
    survivors: list[Survivor] = []
    stopped_early = False
    best_partial: tuple[Hypothesis, int, int, float] | None = None
    done_seeds = 0
    all_seeds = sum(space.seeds for space in spaces)
    runner = run_chunks or (lambda cs, fn: ((c, fn(c)) for c in cs))

    for space in spaces:
        generator = get_generator(space.generator)
        q_of = {spec: per_draw_match_probability(generator, parse_reduction(spec))
                for spec in space.reductions}
        live = live_reductions(generator, space.reductions, observed[:window])
        tallies = {spec: _Tally() for spec in space.reductions}
        chunks_run = 0
        if live:
            per_seed = len(live) * len(space.offsets) * (
                1 if space.skip.variable else space.skip.choices)
            probe = _probe_length(max(q_of[spec] for spec in live), chunk_size, per_seed, window,
                                  space.skip)
            chunks = list(chunk_space(space, fingerprint, chunk_size))

            def run_one(chunk: Chunk, _space: SearchSpace = space, _live: list[str] = live,
                        _probe: int = probe) -> ChunkOutcome:
                if errors:
                    return _run_tolerant_chunk(chunk, _space, _live, backend, observed, window,
                                               errors, chunk_size)
                return _run_chunk(chunk, _space, _live, backend, observed, window, _probe)

            seen: set[str] = set()
            for chunk, outcome in runner(chunks, run_one):
                if chunk.id in seen:  # a retried or duplicated chunk counts once
                    continue
                seen.add(chunk.id)
                chunks_run += 1
                if outcome.best_partial and (best_partial is None
                                             or outcome.best_partial[1] > best_partial[1]):
                    hypothesis = outcome.best_partial[0]
                    best_partial = (*outcome.best_partial, q_of[hypothesis.reduction])
                for hypothesis, matched, compared, *wrong in outcome.confirmed:
                    tally = tallies[hypothesis.reduction]
                    tally.candidates += 1
                    log_p = min(0.0, log_total + log_binomial_tail(
                        compared, matched, q_of[hypothesis.reduction]))
                    mismatches = tuple(wrong[0]) if wrong else ()
                    tally.survivors.append(Survivor(
                        hypothesis=hypothesis, matched=matched, compared=compared,
                        p_value=math.exp(log_p), log10_p_value=log_p / math.log(10),
                        errors=len(mismatches), mismatches=mismatches))
                if sum(t.candidates for t in tallies.values()) > max_candidates:
                    raise SurvivorCapExceeded(
                        f"{space.describe()}: more than {max_candidates} candidates; the window of "
                        f"{window} draws is too short for a space this size")
                done_seeds += chunk.seed_stop - chunk.seed_start
                if progress:
                    progress(done_seeds, all_seeds)
        else:
            done_seeds += space.seeds  # a draw out of every reduction's range rules it all out
            if progress:
                progress(done_seeds, all_seeds)
        count = _per_reduction_count(space, window)
        for spec in space.reductions:
            q = q_of[spec]
            # at least window - errors of the window's draws right, by luck
            log_survival = log_binomial_tail(window, window - errors, q) + (
                (window - 1) * math.log(space.skip.choices) if space.skip.variable else 0.0)
            survival = math.exp(log_survival)
            tally = tallies[spec]
            reports.append(SpaceReport(
                space=space, reduction=spec, hypotheses=count, q=q,
                survival_probability=survival, expected_chance_survivors=count * survival,
                candidates=tally.candidates, survivors=len(tally.survivors), chunks=chunks_run))
            survivors.extend(tally.survivors)
        if stop_when_certain and any(s.log10_p_value < certainty_log10
                                     for t in tallies.values() for s in t.survivors):
            stopped_early = space is not spaces[-1]
            break

    survivors.sort(key=lambda s: (s.log10_p_value, s.hypothesis.generator, s.hypothesis.seed,
                                  s.hypothesis.reduction, s.hypothesis.offset))
    near_miss = None
    if best_partial is not None:
        hypothesis, matched, compared, q_partial = best_partial
        log_p = min(0.0, log_total + log_binomial_tail(compared, matched, q_partial))
        near_miss = Survivor(hypothesis=hypothesis, matched=matched, compared=compared,
                             p_value=math.exp(log_p), log10_p_value=log_p / math.log(10))
    return SearchResult(
        window=window, observed=len(observed), alpha=alpha, errors=errors, hypotheses=total,
        expected_chance_survivors=sum(r.expected_chance_survivors for r in reports),
        reports=reports, survivors=survivors,
        identified=bool(survivors) and survivors[0].p_value < alpha,
        stopped_early=stopped_early, near_miss=near_miss)


@dataclass(frozen=True)
class ChunkOutcome:
    """What one chunk found: survivors (matched the window: hypothesis, matched, compared, and
    with tolerated errors the positions of the wrong draws) and the best near miss."""

    confirmed: list[tuple[Any, ...]]
    best_partial: tuple[Hypothesis, int, int] | None


def window_blocks(window: int, errors: int) -> list[tuple[int, int]]:
    """The window cut into ``errors + 1`` blocks ``(first draw, length)``, the longest first:
    whichever ``errors`` draws are wrong, one block holds none of them."""
    count = errors + 1
    base, extra = divmod(window, count)
    blocks, start = [], 0
    for index in range(count):
        length = base + (1 if index < extra else 0)
        blocks.append((start, length))
        start += length
    return blocks


@functools.lru_cache(maxsize=256)
def _outputs_per_draw(generator_name: str, spec: str) -> tuple[int, int]:
    """Fewest and most raw outputs one draw of reduction ``spec`` took, over a sample of streams:
    exact for reductions that take a fixed number, the usual range for those that reject
    (sampled once per process: every chunk of a search asks)."""
    generator, reduction = get_generator(generator_name), parse_reduction(spec)
    if reduction.fixed_outputs:
        return reduction.fixed_outputs, reduction.fixed_outputs
    from kernels.sieve.vector import outputs_per_draw_bound

    low, high = 1 << 30, 0
    for seed in range(1, 9):
        stream = generator(generator.check_seed(seed))
        for _ in range(32):
            behind = generator.from_state(stream.get_state())
            reduction.draw(stream)
            target = stream.get_state()
            taken = 0
            while behind.get_state() != target and taken < 64:
                behind.next_raw()
                taken += 1
            if taken == 64:  # a half-word left buffered: no whole number of outputs says it
                return 1, 2 * outputs_per_draw_bound(reduction, generator)
            low, high = min(low, taken), max(high, taken)
    return low, high


def _block_offsets(space: SearchSpace, per_draw: tuple[int, int], first: int) -> range:
    """Raw-output offsets at which draw ``first`` of a hypothesis of ``space`` lies: each draw
    before it took ``per_draw`` outputs plus the skip; a rejecting reduction's draws drift, so
    a sixteenth more (and one) is allowed past the usual most."""
    low, high = per_draw
    start = space.offset_start + first * (low + space.skip.low)
    stop = space.offset_stop + first * (high + space.skip.high) + (first // 16 + 1 if first and
                                                                    low != high else 0)
    return range(start, stop)


def _tolerant_count(hypothesis: Hypothesis, observed: list[int], window: int,
                    errors: int) -> tuple[int, tuple[int, ...]] | None:
    """Matches of ``hypothesis`` over all of ``observed`` and the positions of the wrong draws,
    or ``None`` as soon as the window holds more than ``errors`` wrong draws."""
    wrong: list[int] = []
    matched = 0
    for index, (value, expected) in enumerate(zip(iter_draws(hypothesis), observed)):
        if value == expected:
            matched += 1
            continue
        wrong.append(index)
        if index < window and len(wrong) > errors:
            return None
    return matched, tuple(wrong)


def _run_tolerant_chunk(chunk: Chunk, space: SearchSpace, live: list[str], backend: Backend,
                        observed: list[int], window: int, errors: int,
                        lanes: int) -> ChunkOutcome:
    """Survivors of one chunk with up to ``errors`` wrong draws in the window: each block of
    :func:`window_blocks` searched exactly at its own offsets, each candidate counted over the
    window at every offset of the space."""
    generator = get_generator(space.generator)
    seen: set[tuple[str, int, int, int]] = set()
    confirmed: list[tuple[Any, ...]] = []
    for spec in live:
        reduction = parse_reduction(spec)
        per_draw = _outputs_per_draw(space.generator, spec)
        q = per_draw_match_probability(generator, reduction)
        for first, length in window_blocks(window, errors):
            offsets = _block_offsets(space, per_draw, first)
            block = space.model_copy(update={
                "reductions": (spec,), "offset_start": offsets.start,
                "offset_stop": offsets.stop, "seed_start": chunk.seed_start,
                "seed_stop": chunk.seed_stop})
            probe = _probe_length(q, lanes, len(offsets) * space.skip.choices, length,
                                  space.skip)
            found = _run_chunk(Chunk(block, chunk.seed_start, chunk.seed_stop, chunk.observation),
                               block, [spec], backend, observed[first:], length, probe)
            for candidate, _matched, _compared in found.confirmed:
                k = candidate.skip.after(0)
                for offset in space.offsets:
                    key = (spec, candidate.seed, offset, k)
                    if key in seen:
                        continue
                    seen.add(key)
                    hypothesis = _hypothesis(space, spec, candidate.seed, offset, (), k)
                    counted = _tolerant_count(hypothesis, observed, window, errors)
                    if counted is not None:
                        confirmed.append((hypothesis, counted[0], len(observed), counted[1]))
    return ChunkOutcome(confirmed, None)


def _run_chunk(chunk: Chunk, space: SearchSpace, live: list[str], backend: Backend,
               observed: list[int], window: int, probe: int) -> ChunkOutcome:
    """Candidates of one chunk over every live reduction, checked by the scalar reference."""
    generator = get_generator(space.generator)
    # a range, not an array: device backends need only its ends, numpy makes its own arrays
    seeds = range(chunk.seed_start, chunk.seed_stop)
    skips = range(space.skip.low, space.skip.high + 1)
    probed = [spec for spec in live if backend.supports(generator, parse_reduction(spec))]
    unsupported = [spec for spec in live if spec not in probed]
    candidates: list[Candidate] = []
    if probed:
        reductions = [parse_reduction(spec) for spec in probed]
        hits, overflowed = _probe_function(backend, generator, reductions, space.offsets)(
            generator, reductions, seeds, space.offsets, skips, space.skip.variable,
            observed[:probe])
        candidates = [(probed[index], seed, offset, chosen, None) if space.skip.variable else
                      (probed[index], seed, offset, (), chosen[0])
                      for seed, index, offset, chosen in hits]
        candidates += _scalar_candidates(space, probed, (int(s) for s in overflowed), observed,
                                         probe)
    if unsupported:
        candidates += _scalar_candidates(space, unsupported, seeds, observed, probe)
    checked = []
    seen: set[tuple[str, int, int, tuple[int, ...] | int | None]] = set()
    for spec, seed, offset, chosen, k in candidates:
        if space.skip.variable:
            # the backend matched the probe; the scalar check extends the choice to the window
            for extended in _extend_variable(space, spec, seed, offset, chosen, observed, window):
                if (spec, seed, offset, extended) not in seen:
                    seen.add((spec, seed, offset, extended))
                    checked.append(_confirm(space, spec, seed, offset, extended, None, observed,
                                            window))
        else:
            if (spec, seed, offset, k) not in seen:
                seen.add((spec, seed, offset, k))
                checked.append(_confirm(space, spec, seed, offset, (), k, observed, window))
    confirmed = [c for c in checked if c[1] >= window]
    partial = [c for c in checked if c[1] < window]
    best_partial = max(partial, key=lambda c: c[1], default=None)
    return ChunkOutcome(confirmed, best_partial)


def _probe_function(backend: Backend, generator: type[PRNG], reductions: Sequence[Reduction],
                    offsets: range) -> Callable[..., tuple[list[ProbeHit], np.ndarray]]:
    """The backend's ``probe``, or for thousands of offsets on a CPU backend
    :func:`~kernels.sieve.deep_probe.deep_probe` (each seed's stream made once, every offset
    read from it)."""
    from kernels.sieve.deep_probe import deep_probe, reads_streams

    if reads_streams(backend, generator, reductions, offsets):
        return functools.partial(deep_probe, backend)
    return backend.probe


def _extend_variable(space: SearchSpace, reduction: str, seed: int, offset: int,
                     chosen: tuple[int, ...], observed: list[int],
                     window: int) -> list[tuple[int, ...]]:
    """All per-draw skip choices that extend ``chosen`` to match the whole window."""
    skips = range(space.skip.low, space.skip.high + 1)
    results = []
    stack = [chosen]
    while stack:
        current = stack.pop()
        depth = len(current) + 1
        h = _hypothesis(space, reduction, seed, offset, current, None)
        if _leading_matches(h, observed[:depth]) < depth:
            continue
        if depth >= window:
            results.append(current[: window - 1])
        else:
            stack.extend(current + (k,) for k in skips)
    return results


def seconds_per_seed(space: SearchSpace, observed: list[int], backend: Backend, *,
                     largest_sample: int = 1 << 20, enough_seconds: float = 0.05,
                     probe_draws: int = 4) -> float:
    """Measured seconds per seed of ``space`` on ``backend``, all its reductions, offsets and
    skips together: timed probes of growing size from ``space.seed_start``, until one takes long
    enough to be meaningful (launch overheads otherwise dominate). Device compiles happen in an
    untimed warm-up; the seed range of ``space`` must hold at least 64 seeds past its start.
    A space whose reductions the observation rules out costs nothing."""
    generator = get_generator(space.generator)
    live = live_reductions(generator, space.reductions, observed)
    if not live:
        return 0.0
    reductions = [parse_reduction(spec) for spec in live]
    skips = range(space.skip.low, space.skip.high + 1)
    probe = observed[:probe_draws]
    start = space.seed_start
    stop = 1 << generator.seed_bits

    probe_function = _probe_function(backend, generator, reductions, space.offsets)

    def run(count: int) -> None:
        seeds = range(start, min(start + count, stop))
        probe_function(generator, reductions, seeds, space.offsets, skips, space.skip.variable,
                       probe)

    run(64)  # compiles device programs
    sample = 1 << 10
    while True:
        # the second of two runs: pocl compiles a work-group function per launch shape on first use
        for _ in range(2):
            began = time.perf_counter()
            run(sample)
            elapsed = time.perf_counter() - began
        measured = min(sample, stop - start)
        if elapsed >= enough_seconds or sample >= largest_sample or measured < sample:
            return max(elapsed, 1e-9) / max(measured, 1)
        sample *= 4
