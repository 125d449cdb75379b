"""The loop in miniature: how a :class:`~machine.loop_policy.LoopPolicy` would have done on a
stream of timed draws, with real sieve searches. Selfplay's episodes and Chapter 13's shadow
predictions both run it.

Walking the stream one draw at a time, as the daemon does:

- while a hypothesis is identified, it predicts the draw (one exact value); a hit keeps it,
  and more than ``tolerated_errors`` misses in a row drop it: a regime change, searched again
  at once on the draws since the first of those misses. Before any search, the dropped
  hypothesis is checked on the window (free): a transcription error, not a reseed, and the
  generator goes on where it was;
- while nothing is identified there is no prediction (a miss), and every ``min_new_draws``
  draws a *sentinel* searches the last :data:`SEARCH_WINDOW` draws: the generators of
  :data:`SENTINEL_GENERATORS` seeded with the Unix time (seconds) within ``clock_span_s``
  before the window's first timestamp, newest seconds first, stopping at
  ``sentinel_budget_s`` of wall-clock time, at offsets covering a generator that started up to
  a cadence and a window before;
- a search identifies only below ``alpha`` (the sieve's Bonferroni-corrected p-value).

:func:`simulate` resumes from a :class:`Resume` (JSON-able), so shadow predictions continue
draw by draw across daemon runs without searching the past again.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Sequence

from kernels.observation import Hypothesis, iter_draws
from kernels.sieve.engine import SearchSpace, search
from machine.loop_policy import LoopPolicy

__all__ = [
    "SENTINEL_GENERATORS",
    "SEARCH_WINDOW",
    "Stream",
    "Resume",
    "Outcome",
    "Simulation",
    "simulate",
    "reduction_for",
    "stream_of",
    "unix_seconds",
]

#: What a server seeding with the clock runs: glibc's ``srand(time(NULL))``, Java's ``new
#: Random(seed)``, C++'s ``std::mt19937(time(nullptr))``.
SENTINEL_GENERATORS: tuple[str, ...] = ("glibc_random", "java_random", "mt19937")
#: Draws a search looks at: enough for a time seed among a few million hypotheses.
SEARCH_WINDOW = 6
#: Seconds of clock seeds per search slice (the budget is checked between slices).
_SLICE_S = 8192


@dataclass(frozen=True)
class Stream:
    """Timed draws (Unix seconds) and their reduction (``mod:N``)."""

    values: tuple[int, ...]
    times: tuple[int, ...]
    reduction: str


@dataclass(frozen=True)
class Resume:
    """Where a simulation stands after a draw: the identified hypothesis (as a JSON object)
    and the history index of its first draw, the misses in a row, the index of the last
    search, and the first draw of the current regime."""

    hypothesis: dict[str, Any] | None = None
    anchor: int = 0
    misses: int = 0
    last_search: int = -1
    regime_start: int = 0
    dropped: dict[str, Any] | None = None
    dropped_anchor: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> "Resume":
        return cls(**data) if data else cls()


@dataclass(frozen=True)
class Outcome:
    """One draw: the predicted value (``None``: none) and whether it hit."""

    index: int
    predicted: int | None
    hit: bool


@dataclass
class Simulation:
    """What happened: one outcome per simulated draw, the identifications (history index and
    hypothesis), the searches, their hypotheses and seconds, and where to resume."""

    outcomes: list[Outcome] = field(default_factory=list)
    identifications: list[tuple[int, Hypothesis]] = field(default_factory=list)
    searches: int = 0
    hypotheses: int = 0
    search_s: float = 0.0
    resume: Resume = field(default_factory=Resume)


def unix_seconds(ts: str | None) -> int | None:
    """A draw's timestamp (ISO 8601, ``Z`` or an offset) as Unix seconds; ``None`` if absent
    or unreadable."""
    if ts is None:
        return None
    try:
        moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def stream_of(values: Sequence[int], times: Sequence[int | None], *,
              every_s: int = 60, before: int = 1_764_000_000) -> Stream:
    """A stream of ``values``: draws without a time (or out of order) are put ``every_s``
    seconds after the previous one (the first untimed ones before the first known time, or
    before ``before``)."""
    first = next((t for t in times if t is not None), before)
    filled: list[int] = []
    for moment in times:
        previous = filled[-1] if filled else first - every_s * (len(times) + 1)
        filled.append(moment if moment is not None and moment > previous else previous + every_s)
    return Stream(tuple(values), tuple(filled), reduction_for(values))


def reduction_for(values: Sequence[int]) -> str:
    """``mod:N`` for the smallest power of ten above every value (at least 10)."""
    modulus = 10
    while values and max(values) >= modulus:
        modulus *= 10
    return f"mod:{modulus}"


class _Predictor:
    """The identified hypothesis's draws by history index (``anchor`` is its first)."""

    def __init__(self, hypothesis: Hypothesis, anchor: int) -> None:
        self.draws = iter_draws(hypothesis)
        self.next_index = anchor

    def at(self, index: int) -> int:
        value = next(self.draws)
        self.next_index += 1
        while self.next_index <= index:
            value = next(self.draws)
            self.next_index += 1
        return value


def _search(stream: Stream, first: int, last: int, offsets: int, policy: LoopPolicy,
            generators: Sequence[str], alpha: float, sim: Simulation) -> Hypothesis | None:
    """A sentinel over draws ``first..last`` (inclusive): time seeds before ``times[first]``."""
    observed = list(stream.values[first:last + 1])
    newest = stream.times[first]
    oldest = max(newest - policy.clock_span_s, 0)
    deadline = time.monotonic() + policy.sentinel_budget_s
    started = time.monotonic()
    sim.searches += 1
    found: Hypothesis | None = None
    stop = newest + 1
    while stop > oldest and found is None and time.monotonic() < deadline:
        start = max(stop - _SLICE_S, oldest)
        spaces = [SearchSpace(generator=name, reductions=(stream.reduction,), seed_start=start,
                              seed_stop=stop, offset_start=0, offset_stop=offsets)
                  for name in generators]
        result = search(spaces, observed, alpha=alpha)
        sim.hypotheses += result.hypotheses
        if result.identified and result.best is not None:
            found = result.best.hypothesis
        stop = start
    sim.search_s += time.monotonic() - started
    return found


def simulate(policy: LoopPolicy, stream: Stream, start: int, stop: int, *, alpha: float,
             resume: Resume | None = None,
             generators: Sequence[str] = SENTINEL_GENERATORS) -> Simulation:
    """Walk draws ``start..stop-1`` of ``stream`` under ``policy`` (see the module docstring)."""
    state = resume or Resume(regime_start=start, last_search=start - 1)
    sim = Simulation()
    hypothesis = Hypothesis.model_validate(state.hypothesis) if state.hypothesis else None
    predictor = _Predictor(hypothesis, state.anchor) if hypothesis is not None else None
    for index in range(start, stop):
        value = stream.values[index]
        predicted = predictor.at(index) if predictor is not None else None
        hit = predicted == value
        sim.outcomes.append(Outcome(index, predicted, hit))
        if hypothesis is not None:
            if hit:
                state = replace(state, misses=0)
                continue
            state = replace(state, misses=state.misses + 1)
            if state.misses <= policy.tolerated_errors:
                continue
            # a regime change: search the draws since the first miss at once
            state = replace(state, hypothesis=None, regime_start=index - state.misses + 1,
                            misses=0, last_search=index - policy.min_new_draws,
                            dropped=state.hypothesis, dropped_anchor=state.anchor)
            hypothesis = predictor = None
        since = index - state.regime_start + 1
        if since < SEARCH_WINDOW or index - state.last_search < policy.min_new_draws:
            continue
        first = index - SEARCH_WINDOW + 1
        if state.dropped is not None:
            again = _Predictor(Hypothesis.model_validate(state.dropped), state.dropped_anchor)
            if [again.at(i) for i in range(first, index + 1)] == list(
                    stream.values[first:index + 1]):
                hypothesis, predictor = Hypothesis.model_validate(state.dropped), again
                state = replace(state, hypothesis=state.dropped, anchor=state.dropped_anchor,
                                misses=0, dropped=None, last_search=index)
                continue
        offsets = min(since - SEARCH_WINDOW, policy.min_new_draws + SEARCH_WINDOW) + 1
        found = _search(stream, first, index, offsets, policy, generators, alpha, sim)
        state = replace(state, last_search=index)
        if found is not None:
            hypothesis = found
            predictor = _Predictor(found, first)
            predictor.at(index)  # the window's own draws are not predictions
            sim.identifications.append((first, found))
            state = replace(state, hypothesis=found.model_dump(mode="json"), anchor=first,
                            misses=0, dropped=None)
    sim.resume = state
    return sim
