"""The sieve: search hypothesis spaces for the ones that explain observed draws, honestly.

A :class:`SearchSpace` is one generator with one reduction over a seed range, an offset range
and a skip space. The engine cuts each space into chunks with deterministic ids, asks a backend
for *candidates* (hypotheses whose first ``probe`` draws match), and confirms every candidate
with the scalar observation model (``kernels.observation.predict``) over the whole observed
sequence. A confirmed hypothesis matching at least the whole window is a survivor.

Statistics (see ``kernels/statistics.py``): the search reports, for its size, the probability
that one wrong hypothesis survives and the expected number of chance survivors; each survivor
gets a Bonferroni-corrected p-value for its matched length. "Identified" means the best
survivor's corrected p-value is below ``alpha``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Protocol

import numpy as np
import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kernels.observation import Hypothesis, SkipSchedule, iter_draws
from kernels.prng import PRNG
from kernels.reductions import Reduction, parse_reduction
from kernels.registry import get_generator
from kernels.statistics import log_binomial_tail, match_probability

__all__ = [
    "SkipSpace", "SearchSpace", "Chunk", "Survivor", "SpaceReport", "SearchResult",
    "SurvivorCapExceeded", "Backend", "ChunkOutcome", "observation_hash", "chunk_space", "search",
    "hypothesis_count", "per_draw_match_probability",
]

#: default number of seeds per chunk
DEFAULT_CHUNK = 1 << 16


class SurvivorCapExceeded(RuntimeError):
    """More candidates than the configured cap: the window is too short for this space."""


class SkipSpace(BaseModel):
    """Raw outputs discarded after each draw: one constant ``k`` in ``[low, high]`` for the
    whole sequence, or (``variable``) a choice in ``[low, high]`` before each observed draw."""

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
    """One generator and reduction over seeds ``[seed_start, seed_stop)``, offsets
    ``[offset_start, offset_stop)`` and a skip space."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    generator: str
    reduction: str
    seed_start: int = Field(ge=0)
    seed_stop: int = Field(ge=1)
    offset_start: int = Field(0, ge=0)
    offset_stop: int = Field(1, ge=1)
    skip: SkipSpace = SkipSpace()

    @model_validator(mode="after")
    def _consistent(self) -> "SearchSpace":
        cls = get_generator(self.generator)
        parse_reduction(self.reduction).check_generator(cls)
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
        return (f"{self.generator} {self.reduction} seeds {self.seed_start}:{self.seed_stop} "
                f"offsets {self.offset_start}:{self.offset_stop} skip {self.skip}")


def hypothesis_count(space: SearchSpace, window: int) -> int:
    """Distinct hypotheses the space holds for a window of ``window`` draws."""
    per_seed = len(space.offsets)
    if space.skip.variable:
        per_seed *= space.skip.choices ** max(window - 1, 0)
    else:
        per_seed *= space.skip.choices
    return space.seeds * per_seed


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


class SpaceReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    space: SearchSpace
    hypotheses: int
    q: float
    survival_probability: float
    expected_chance_survivors: float
    candidates: int
    survivors: int
    chunks: int


class SearchResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    window: int
    observed: int
    alpha: float
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
    name: str
    preferred_chunk: int

    def supports(self, generator: type[PRNG], reduction: Reduction) -> bool: ...

    def probe(self, generator: type[PRNG], reduction: Reduction, seeds: np.ndarray | range,
              offsets: range, skips: range, variable_skip: bool,
              observed: list[int]) -> tuple[list[tuple[int, int, tuple[int, ...]]], np.ndarray]: ...


def _probe_length(q: float, lanes: int, offsets: int, window: int, skip: SkipSpace) -> int:
    """Draws a backend matches before handing candidates to the scalar check: enough that a
    chunk yields about one chance candidate, never more than the window."""
    branching = skip.choices if skip.variable else 1
    per_draw = -math.log(q * branching) if q * branching < 1 else 0.0
    if per_draw <= 0:
        return window
    needed = math.log(max(lanes * offsets * (1 if skip.variable else skip.choices), 2)) / per_draw
    return max(1, min(window, math.ceil(needed) + 1, 64))


def _confirm(space: SearchSpace, seed: int, offset: int, chosen: tuple[int, ...],
             skip: int | None, observed: list[int], window: int) -> tuple[Hypothesis, int, int]:
    """Check a candidate with the scalar reference: the hypothesis, how many leading observed
    draws it matches, and how many it was compared with."""
    if space.skip.variable:
        schedule = SkipSchedule(skips=(space.skip.low,) * offset + chosen, then=space.skip.low)
        limit = window  # skips past the window are not part of the hypothesis
    else:
        schedule = SkipSchedule.constant(skip or 0)
        limit = len(observed)
    hypothesis = Hypothesis(generator=space.generator, seed=seed, reduction=space.reduction,
                            offset=offset, skip=schedule)
    matched = 0
    for value, expected in zip(iter_draws(hypothesis), observed[:limit]):
        if value != expected:
            break
        matched += 1
    return hypothesis, matched, limit


def _scalar_candidates(space: SearchSpace, seeds: Iterable[int], observed: list[int],
                       window: int) -> list[tuple[int, int, tuple[int, ...], int | None]]:
    """Slow path for lanes a backend could not finish: try every offset and skip per seed."""
    found = []
    skips = range(space.skip.low, space.skip.high + 1)
    for seed in seeds:
        for offset in space.offsets:
            if space.skip.variable:
                found.extend((int(seed), offset, chosen, None) for chosen in
                             _extend_variable(space, int(seed), offset, (), observed, window))
            else:
                for k in skips:
                    h = Hypothesis(generator=space.generator, seed=int(seed),
                                   reduction=space.reduction, offset=offset,
                                   skip=SkipSchedule.constant(k))
                    draws = iter_draws(h)
                    if all(next(draws) == observed[i] for i in range(window)):
                        found.append((int(seed), offset, (), k))
    return found


@dataclass
class _Tally:
    candidates: int = 0
    chunks: int = 0
    survivors: list[Survivor] = field(default_factory=list)


def search(spaces: list[SearchSpace], observed: list[int], *, window: int | None = None,
           alpha: float = 0.01, backend: Backend | None = None, chunk_size: int | None = None,
           max_candidates: int = 100_000, stop_when_certain: bool = True,
           certainty_log10: float = -12.0,
           progress: Callable[[int, int], None] | None = None,
           run_chunks: Callable[[list[Chunk], Callable[[Chunk], list]], Iterable[tuple[Chunk, list]]] | None = None,
           ) -> SearchResult:
    """Search ``spaces`` for hypotheses explaining ``observed``.

    ``window`` is how many leading draws a survivor must match (default: all of them, up to
    64); the rest of the observation extends the match and sharpens the p-value.
    ``run_chunks`` lets a scheduler (Dask) run the chunk function; by default chunks run here.
    ``chunk_size`` defaults to the backend's ``preferred_chunk`` (devices want millions of seeds
    per launch, numpy a matrix that fits the cache budget).
    The search stops early (``stop_when_certain``) once a survivor's corrected p-value is
    below ``10**certainty_log10``: the remaining spaces could not change the verdict.
    """
    from kernels.sieve.numpy_backend import NumpyBackend

    if not observed:
        raise ValueError("no observed draws")
    window = min(window or 64, len(observed))
    backend = backend or NumpyBackend()
    chunk_size = chunk_size or getattr(backend, "preferred_chunk", DEFAULT_CHUNK)
    fingerprint = observation_hash(observed, window)
    total = sum(hypothesis_count(space, window) for space in spaces)
    log_total = math.log(max(total, 1))
    reports: list[SpaceReport] = []
    survivors: list[Survivor] = []
    stopped_early = False
    best_partial: tuple[Hypothesis, int, int, float] | None = None
    done_seeds = 0
    all_seeds = sum(space.seeds for space in spaces)

    for space in spaces:
        generator = get_generator(space.generator)
        reduction = parse_reduction(space.reduction)
        q = per_draw_match_probability(generator, reduction)
        for value in observed[:window]:
            if value >= reduction.alphabet_for(generator):
                break
        else:
            value = None
        tally = _Tally()
        if value is None:
            probe = _probe_length(q, chunk_size, len(space.offsets), window, space.skip)
            chunks = list(chunk_space(space, fingerprint, chunk_size))

            def run_one(chunk: Chunk, _space=space, _generator=generator, _reduction=reduction,
                        _probe=probe) -> list:
                return _run_chunk(chunk, _space, _generator, _reduction, backend, observed,
                                  window, _probe)

            runner = run_chunks or (lambda cs, fn: ((c, fn(c)) for c in cs))
            seen: set[str] = set()
            for chunk, outcome in runner(chunks, run_one):
                if chunk.id in seen:  # a retried or duplicated chunk counts once
                    continue
                seen.add(chunk.id)
                confirmed = outcome.confirmed
                tally.chunks += 1
                tally.candidates += len(confirmed)
                if outcome.best_partial and (best_partial is None
                                             or outcome.best_partial[1] > best_partial[1]):
                    best_partial = (*outcome.best_partial, q)
                if tally.candidates > max_candidates:
                    raise SurvivorCapExceeded(
                        f"{space.describe()}: more than {max_candidates} candidates; the window of "
                        f"{window} draws is too short for a space this size")
                for hypothesis, matched, compared in confirmed:
                    log_p = min(0.0, log_total + log_binomial_tail(compared, matched, q))
                    tally.survivors.append(Survivor(
                        hypothesis=hypothesis, matched=matched, compared=compared,
                        p_value=math.exp(log_p), log10_p_value=log_p / math.log(10)))
                done_seeds += chunk.seed_stop - chunk.seed_start
                if progress:
                    progress(done_seeds, all_seeds)
        else:
            done_seeds += space.seeds  # a draw out of this reduction's range rules it all out
        count = hypothesis_count(space, window)
        log_survival = window * math.log(q) + (
            (window - 1) * math.log(space.skip.choices) if space.skip.variable else 0.0)
        survival = math.exp(log_survival)
        reports.append(SpaceReport(
            space=space, hypotheses=count, q=q, survival_probability=survival,
            expected_chance_survivors=count * survival, candidates=tally.candidates,
            survivors=len(tally.survivors), chunks=tally.chunks))
        survivors.extend(tally.survivors)
        if stop_when_certain and any(s.log10_p_value < certainty_log10 for s in tally.survivors):
            stopped_early = space is not spaces[-1]
            break

    survivors.sort(key=lambda s: (s.log10_p_value, s.hypothesis.generator, s.hypothesis.seed))
    near_miss = None
    if best_partial is not None:
        hypothesis, matched, compared, q_partial = best_partial
        log_p = min(0.0, log_total + log_binomial_tail(compared, matched, q_partial))
        near_miss = Survivor(hypothesis=hypothesis, matched=matched, compared=compared,
                             p_value=math.exp(log_p), log10_p_value=log_p / math.log(10))
    return SearchResult(
        window=window, observed=len(observed), alpha=alpha, hypotheses=total,
        expected_chance_survivors=sum(r.expected_chance_survivors for r in reports),
        reports=reports, survivors=survivors,
        identified=bool(survivors) and survivors[0].p_value < alpha,
        stopped_early=stopped_early, near_miss=near_miss)


@dataclass(frozen=True)
class ChunkOutcome:
    """What one chunk found: survivors (matched the window) and the best near miss."""

    confirmed: list[tuple[Hypothesis, int, int]]
    best_partial: tuple[Hypothesis, int, int] | None


def _run_chunk(chunk: Chunk, space: SearchSpace, generator: type[PRNG], reduction: Reduction,
               backend: Backend, observed: list[int], window: int, probe: int) -> ChunkOutcome:
    """Candidates of one chunk, checked by the scalar reference."""
    # a range, not an array: device backends need only its ends, numpy makes its own arrays
    seeds = range(chunk.seed_start, chunk.seed_stop)
    skips = range(space.skip.low, space.skip.high + 1)
    if backend.supports(generator, reduction):
        hits, overflowed = backend.probe(generator, reduction, seeds, space.offsets, skips,
                                         space.skip.variable, observed[:probe])
        candidates = [(seed, offset, chosen, None) if space.skip.variable else
                      (seed, offset, (), chosen[0]) for seed, offset, chosen in hits]
        slow = overflowed
    else:
        candidates, slow = [], seeds
    candidates += _scalar_candidates(space, (int(s) for s in slow), observed, probe)
    checked = []
    seen = set()
    for seed, offset, chosen, k in candidates:
        if space.skip.variable:
            # the backend matched the probe; the scalar check extends the choice to the window
            for extended in _extend_variable(space, seed, offset, chosen, observed, window):
                key = (seed, offset, extended)
                if key not in seen:
                    seen.add(key)
                    checked.append(_confirm(space, seed, offset, extended, None, observed, window))
        else:
            for k_try in ([k] if k is not None else list(skips)):
                key = (seed, offset, k_try)
                if key not in seen:
                    seen.add(key)
                    checked.append(_confirm(space, seed, offset, (), k_try, observed, window))
    confirmed = [c for c in checked if c[1] >= window]
    partial = [c for c in checked if c[1] < window]
    best_partial = max(partial, key=lambda c: c[1], default=None)
    return ChunkOutcome(confirmed, best_partial)


def _extend_variable(space: SearchSpace, seed: int, offset: int, chosen: tuple[int, ...],
                     observed: list[int], window: int) -> list[tuple[int, ...]]:
    """All per-draw skip choices that extend ``chosen`` to match the whole window."""
    skips = range(space.skip.low, space.skip.high + 1)
    results = []
    stack = [chosen]
    while stack:
        current = stack.pop()
        depth = len(current) + 1
        schedule = SkipSchedule(skips=(space.skip.low,) * offset + current, then=space.skip.low)
        h = Hypothesis(generator=space.generator, seed=seed, reduction=space.reduction,
                       offset=offset, skip=schedule)
        draws = iter_draws(h)
        if not all(next(draws) == observed[i] for i in range(depth)):
            continue
        if depth >= window:
            results.append(current[: window - 1])
        else:
            stack.extend(current + (k,) for k in skips)
    return results
