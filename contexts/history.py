"""Tier 2 of a prompt: what the ledger remembers about a unit, retrieved from the projections.

Three kinds of facts, read from ``projections`` (never from a second store):

- the last outcomes of this unit (across runs, newest first): outcome, the verdicts recorded
  (guardrail and LLM) and what the machine acted on (``StepsView`` + ``VerdictsView``);
- metric trends: the schema's metrics over this unit's last completed attempts, oldest to
  newest (``StepsView``);
- open escalations: runs waiting for a human (``RunsView``), with their reason.

:class:`History` also carries the event range it was read from (last ``seq`` and that
record's chain ``hash``, which commits to every event before it), for the bundle's
provenance. Build it with :func:`history_from_views` (views a caller already maintains) or
:func:`history_from_records` (one pass over ledger records).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from projections import Projection, RunsView, StepsView, VerdictsView, build_views

__all__ = [
    "OutcomeItem",
    "Trend",
    "EscalationItem",
    "History",
    "history_from_views",
    "history_from_records",
    "EMPTY_HISTORY",
]


@dataclass(frozen=True)
class OutcomeItem:
    """One earlier attempt of the unit and what became of it."""

    run_id: str | None
    unit: str
    attempt: int
    outcome: str
    verdicts: tuple[str, ...]

    def line(self) -> str:
        """One prompt line, e.g. ``run r1 attempt 2: completed; guardrail proceed, llm ...``."""
        verdicts = "; ".join(self.verdicts) if self.verdicts else "no verdict recorded"
        return f"run {self.run_id} attempt {self.attempt}: {self.outcome}; {verdicts}"


@dataclass(frozen=True)
class Trend:
    """One metric over the unit's last completed attempts, oldest to newest."""

    metric: str
    values: tuple[Any, ...]

    def line(self) -> str:
        """One prompt line, e.g. ``survivors: 5 -> 3 -> 3``."""
        return f"{self.metric}: " + " -> ".join(_fmt(v) for v in self.values)


@dataclass(frozen=True)
class EscalationItem:
    """A run waiting for a human."""

    run_id: str
    reason: str

    def line(self) -> str:
        """One prompt line."""
        return f"run {self.run_id} escalated: {self.reason}"


@dataclass(frozen=True)
class History:
    """Tier-2 facts for one unit, and the ledger position they were read at."""

    outcomes: tuple[OutcomeItem, ...] = ()
    trends: tuple[Trend, ...] = ()
    escalations: tuple[EscalationItem, ...] = ()
    last_seq: int = -1
    last_hash: str | None = None

    @property
    def empty(self) -> bool:
        """Whether there is nothing to tell."""
        return not (self.outcomes or self.trends or self.escalations)


#: No history (a fresh ledger, or a caller that has none).
EMPTY_HISTORY = History()


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def history_from_views(
    views: Mapping[str, Projection],
    *,
    unit: str,
    metrics: Sequence[str] = (),
    exclude: tuple[str | None, str, int] | None = None,
    outcomes: int = 6,
    trend_points: int = 6,
    last_hash: str | None = None,
) -> History:
    """Tier-2 facts for ``unit`` from built projections (``steps``, ``verdicts``, ``runs``).

    ``exclude`` is the ``(run_id, unit, attempt)`` being judged now (it is tier 1, not
    history). ``metrics`` are the metric names whose trends matter (the subject's schema).
    """
    steps_view, verdicts_view, runs_view = views["steps"], views["verdicts"], views["runs"]
    assert isinstance(steps_view, StepsView) and isinstance(verdicts_view, VerdictsView)
    assert isinstance(runs_view, RunsView)
    steps = list(steps_view.items)
    verdicts = list(verdicts_view.items)
    runs = dict(runs_view.items)

    by_attempt: dict[tuple[Any, str, int], list[str]] = {}
    for v in verdicts:
        key = (v["run_id"], str(v["unit"]), int(v["attempt"]))
        text = f"{v['source']} {v['decision']}"
        if v["effective"] != v["decision"]:
            text += f" (acted on {v['effective']})"
        by_attempt.setdefault(key, []).append(text)

    mine = [
        s for s in steps
        if str(s["unit"]) == unit and (s["run_id"], str(s["unit"]), s["attempt"]) != exclude
    ]
    recent = []
    for s in reversed(mine[-outcomes:]):
        key = (s["run_id"], str(s["unit"]), int(s["attempt"]))
        outcome = s["outcome"] or "unfinished"
        if s["outcome"] == "failed" and s.get("reason"):
            outcome = f"failed ({str(s['reason'])[:80]})"
        recent.append(OutcomeItem(s["run_id"], unit, int(s["attempt"]), outcome,
                                  tuple(by_attempt.get(key, ()))))

    completed = [s for s in mine if s["outcome"] == "completed"][-trend_points:]
    trends = []
    for name in metrics:
        values = tuple(s["metrics"][name] for s in completed if name in s["metrics"])
        if len(values) >= 2:
            trends.append(Trend(name, values))

    escalations = tuple(
        EscalationItem(run_id, str(run.get("outcome") or "no reason recorded")[:160])
        for run_id, run in sorted(runs.items())
        if run.get("status") == "escalated"
    )
    last_seq = max((int(getattr(v, "last_seq", -1)) for v in views.values()), default=-1)
    return History(tuple(recent), tuple(trends), escalations, last_seq, last_hash)


def history_from_records(
    records: Iterable[Any],
    *,
    unit: str,
    metrics: Sequence[str] = (),
    exclude: tuple[str | None, str, int] | None = None,
    outcomes: int = 6,
    trend_points: int = 6,
) -> History:
    """Tier-2 facts for ``unit`` from ledger records (``ledger.Record``), in one pass.

    The last record's ``hash`` is kept as the provenance of the whole range read.
    """
    last: list[Any] = []

    def remember(items: Iterable[Any]) -> Iterable[Any]:
        for record in items:
            if not last:
                last.append(record)
            else:
                last[0] = record
            yield record

    views = build_views(remember(records))
    last_hash = getattr(last[0], "hash", None) if last else None
    return history_from_views(
        views, unit=unit, metrics=metrics, exclude=exclude, outcomes=outcomes,
        trend_points=trend_points, last_hash=last_hash,
    )
