"""Read models folded from the ledger: requests, runs, steps, verdicts, draws, candidates,
incidents.

Each projection remembers the last ``seq`` it applied (``eventsourcing``'s tracking record), so
it can be built incrementally while following a ledger, and rebuilt from seq 0 to the same
value. Projections only read: they never decide and never write.
"""

from __future__ import annotations

from typing import Any, Iterable

from machine.events import (
    Approved,
    CandidateEmitted,
    DispatchCompleted,
    DispatchFailed,
    DispatchPlanned,
    DispatchStarted,
    DrawIngested,
    DrawIngestedV1,
    Escalated,
    EventModel,
    Fact,
    Halted,
    LedgerRepaired,
    LLMUnavailable,
    PolicyRolledBack,
    PredictionIssued,
    PredictionScored,
    ProposalAccepted,
    ProposalRejected,
    RequestReceived,
    RequestRejected,
    RequestValidated,
    Resumed,
    SelfplayCompleted,
    SelfplayFailed,
    SelfplayStarted,
    StepCompleted,
    StepFailed,
    StepStarted,
    VerdictRecorded,
)
from machine.requests import validated_status
from machine.state import OpenPrediction, Outcome
from machine.steps import SCREEN, SELFPLAY, step_for

__all__ = [
    "Projection",
    "RequestsView",
    "RunsView",
    "StepsView",
    "VerdictsView",
    "DrawsView",
    "CandidatesView",
    "IncidentsView",
    "PredictionsView",
    "ALL_VIEWS",
    "build_views",
]


class Projection:
    """Base of every read model: ``apply`` records in seq order, ``snapshot`` to compare."""

    name = "projection"

    def __init__(self) -> None:
        self.last_seq = -1

    def apply(self, record: Any) -> None:
        """Apply one ledger record: records at or below ``last_seq`` are skipped (already
        applied), a gap is an error (a read model built from part of a ledger is wrong)."""
        seq = getattr(record, "seq", -1)
        if seq != -1 and seq <= self.last_seq:
            return
        if seq != -1 and seq != self.last_seq + 1:
            raise ValueError(f"{self.name}: record seq {seq} after {self.last_seq}: a gap")
        fact = record if isinstance(record, Fact) else Fact.of(record)
        self.on(fact.event, fact)
        self.last_seq = fact.meta.seq if fact.meta.seq != -1 else self.last_seq

    def apply_all(self, records: Iterable[Any]) -> "Projection":
        for record in records:
            self.apply(record)
        return self

    def on(self, event: EventModel, fact: Fact) -> None:
        """Handle one event (subclasses override; unknown kinds are ignored on purpose:
        a read model only cares about some events, the fold checks them all)."""

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able value (two builds from the same records are equal)."""
        raise NotImplementedError

    @classmethod
    def rebuild(cls, records: Iterable[Any]) -> "Projection":
        """A fresh projection built from seq 0."""
        view = cls()
        view.apply_all(records)
        return view


class RequestsView(Projection):
    """Every request: where it came from and what became of it."""

    name = "requests"

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, dict[str, Any]] = {}

    def on(self, e: EventModel, fact: Fact) -> None:
        if isinstance(e, RequestReceived):
            self.items[e.request_id] = {
                "request_id": e.request_id, "name": e.name, "received": fact.meta.ts,
                "seq": fact.meta.seq, "status": "received", "kind": (e.payload or {}).get("kind"),
                "reason": None,
            }
        elif isinstance(e, RequestValidated):
            item = self.items[e.request_id]
            item["kind"] = e.request.get("kind")
            item["status"] = validated_status(str(item["kind"]))
        elif isinstance(e, RequestRejected):
            self.items[e.request_id].update(status="rejected", reason=e.reason)
        elif isinstance(e, DispatchPlanned):
            self.items[e.request_id]["status"] = "planned"
        elif isinstance(e, DispatchStarted):
            self.items[e.request_id]["status"] = "running"
        elif isinstance(e, DispatchCompleted):
            self.items[e.request_id]["status"] = "completed"
        elif isinstance(e, DispatchFailed):
            self.items[e.request_id]["status"] = "failed"
        elif isinstance(e, (Halted, Resumed, Approved, PolicyRolledBack)) and (
                e.request_id in self.items):
            self.items[e.request_id]["status"] = "applied"
        elif isinstance(e, (ProposalAccepted, ProposalRejected)) and (
                e.approval_id in self.items):
            self.items[e.approval_id]["status"] = "applied"

    def snapshot(self) -> dict[str, Any]:
        return {"last_seq": self.last_seq, "items": self.items}


class RunsView(Projection):
    """Every run: kind, plan, progress, outcome, start and end times."""

    name = "runs"

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, dict[str, Any]] = {}

    def on(self, e: EventModel, fact: Fact) -> None:
        if isinstance(e, DispatchStarted):
            self.items[e.run_id] = {
                "run_id": e.run_id, "request_id": e.request_id, "kind": e.plan.kind,
                "units": [u.unit for u in e.plan.units], "started": fact.meta.ts, "ended": None,
                "status": "active", "current": SCREEN, "attempts": 0, "outcome": None,
            }
            return
        run = self.items.get(fact.meta.run_id or "")
        if run is None:
            return
        if isinstance(e, StepStarted):
            run.update(current=step_for(e.step).unit, attempts=run["attempts"] + 1)
        elif isinstance(e, SelfplayStarted):
            run.update(current=SELFPLAY, attempts=run["attempts"] + 1)
        elif isinstance(e, Escalated):
            run.update(status="escalated", outcome=e.reason)
        elif isinstance(e, Approved):
            run["status"] = "active"
        elif isinstance(e, DispatchCompleted):
            run.update(status="completed", ended=fact.meta.ts, outcome=e.summary)
        elif isinstance(e, DispatchFailed):
            run.update(status="failed", ended=fact.meta.ts, outcome=e.reason)

    def snapshot(self) -> dict[str, Any]:
        return {"last_seq": self.last_seq, "items": self.items}


class StepsView(Projection):
    """Every unit attempt: started, outcome, metrics, gates."""

    name = "steps"

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, Any]] = []

    def _find(self, run_id: str | None, unit: str, attempt: int) -> dict[str, Any] | None:
        for item in reversed(self.items):
            if (item["run_id"], item["unit"], item["attempt"]) == (run_id, unit, attempt):
                found: dict[str, Any] = item
                return found
        return None

    def on(self, e: EventModel, fact: Fact) -> None:
        run_id = fact.meta.run_id
        if isinstance(e, (StepStarted, SelfplayStarted)):
            unit = SELFPLAY if isinstance(e, SelfplayStarted) else step_for(e.step).unit
            self.items.append({
                "run_id": run_id, "unit": unit, "attempt": e.attempt, "started": fact.meta.ts,
                "adjustments": dict(e.adjustments), "outcome": None, "metrics": {}, "gates": [],
                "reason": None,
            })
        elif isinstance(e, (StepCompleted, SelfplayCompleted)):
            unit = SELFPLAY if isinstance(e, SelfplayCompleted) else step_for(e.step).unit
            item = self._find(run_id, unit, e.attempt)
            if item is not None:
                item.update(outcome="completed", metrics=dict(e.metrics),
                            gates=[g.model_dump() for g in e.gates])
        elif isinstance(e, (StepFailed, SelfplayFailed)):
            unit = SELFPLAY if isinstance(e, SelfplayFailed) else step_for(e.step).unit
            item = self._find(run_id, unit, e.attempt)
            if item is not None:
                item.update(outcome="failed", reason=e.reason)

    def snapshot(self) -> dict[str, Any]:
        return {"last_seq": self.last_seq, "items": self.items}


class VerdictsView(Projection):
    """Every verdict, guardrail and LLM, with what the machine acted on."""

    name = "verdicts"

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, Any]] = []

    def on(self, e: EventModel, fact: Fact) -> None:
        if isinstance(e, VerdictRecorded):
            self.items.append({
                "seq": fact.meta.seq, "run_id": fact.meta.run_id, "unit": e.unit,
                "attempt": e.attempt, "source": e.source, "decision": e.decision,
                "effective": e.effective, "clamped": e.clamped, "reasons": list(e.reasons),
            })

    def snapshot(self) -> dict[str, Any]:
        return {"last_seq": self.last_seq, "items": self.items}


class DrawsView(Projection):
    """Observed draws, in arrival order (the last 1,000 kept; the count is exact)."""

    name = "draws"
    KEEP = 1000

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.recent: list[int] = []

    def on(self, e: EventModel, fact: Fact) -> None:
        if isinstance(e, DrawIngestedV1):
            e = e.upcast(self.count)
        if isinstance(e, DrawIngested):
            self.count += len(e.values)
            self.recent = (self.recent + list(e.values))[-self.KEEP:]

    def snapshot(self) -> dict[str, Any]:
        return {"last_seq": self.last_seq, "count": self.count, "recent": self.recent}


class CandidatesView(Projection):
    """Candidate policies emitted by selfplay (never promoted by the WATCHER)."""

    name = "candidates"

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, Any]] = []

    def on(self, e: EventModel, fact: Fact) -> None:
        if isinstance(e, CandidateEmitted):
            self.items.append({
                "candidate_id": e.candidate_id, "run_id": fact.meta.run_id, "attempt": e.attempt,
                "metrics": dict(e.metrics), "seq": fact.meta.seq, "status": "candidate",
            })

    def snapshot(self) -> dict[str, Any]:
        return {"last_seq": self.last_seq, "items": self.items}


class IncidentsView(Projection):
    """What an operator should look at: rejections, failures, escalations, LLM outages,
    clamped verdicts, halts and ledger repairs."""

    name = "incidents"

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, Any]] = []

    def _add(self, kind: str, fact: Fact, detail: str) -> None:
        self.items.append({"seq": fact.meta.seq, "ts": fact.meta.ts, "kind": kind,
                           "run_id": fact.meta.run_id, "detail": detail})

    def on(self, e: EventModel, fact: Fact) -> None:
        if isinstance(e, RequestRejected):
            self._add("request_rejected", fact, f"{e.request_id}: {e.reason}")
        elif isinstance(e, (StepFailed, SelfplayFailed)):
            self._add("unit_failed", fact, e.reason)
        elif isinstance(e, Escalated):
            self._add("escalated", fact, e.reason)
        elif isinstance(e, DispatchFailed):
            self._add("run_failed", fact, e.reason)
        elif isinstance(e, LLMUnavailable):
            self._add("llm_unavailable", fact, f"{e.phase}: {e.reason}")
        elif isinstance(e, VerdictRecorded) and e.clamped:
            self._add("verdict_clamped", fact, f"LLM said {e.decision}, machine acts on {e.effective}")
        elif isinstance(e, Halted):
            self._add("halted", fact, e.reason)
        elif isinstance(e, Resumed):
            self._add("resumed", fact, e.reason)
        elif isinstance(e, LedgerRepaired):
            self._add("ledger_repaired", fact, f"{e.truncated_bytes} bytes at seq {e.at_seq}")

    def snapshot(self) -> dict[str, Any]:
        return {"last_seq": self.last_seq, "items": self.items}


class PredictionsView(Projection):
    """Every ``PredictionIssued`` with its outcome: the draw that arrived at its target index,
    whether the pool held it (``hit``), its ``rank`` in the pool (1 = most probable, ``None``
    when absent) and the ``probability`` the pool gave it (0 when absent).

    ``status`` says where it stands: ``open`` until its draw arrives; ``scored`` once it did,
    from the ``PredictionScored`` event where the ledger has one (``scored_by``), else joined
    from the ``DrawIngested`` that brought the draw (ledgers recorded before scoring existed);
    ``superseded`` when a later prediction of the same draw was issued before it arrived (the
    latest one is the one scored); ``late`` when it was issued after its draw arrived (its
    outcome is shown, never counted: it would flatter the predictions).

    ``chance`` is the rate at which a pool of that size hits a uniform draw: the recorded
    ``chance_rate``, else the pool's size over the alphabet (the draws' recorded modulus, else
    the one the prediction step reported; ``None`` before either is known). It is the null
    hypothesis every hit rate is held against."""

    name = "predictions"
    #: Draws kept to show the outcome of a late prediction.
    KEEP = 1000

    def __init__(self) -> None:
        super().__init__()
        self.draws = 0
        self.recent: list[int] = []
        self.modulus: int | None = None
        self.step_alphabet: int | None = None
        self.items: list[dict[str, Any]] = []
        self._open: dict[int, int] = {}  # target index -> index in items

    @property
    def alphabet(self) -> int | None:
        return self.modulus or self.step_alphabet

    def _chance(self, pool_size: int) -> float | None:
        alphabet = self.alphabet
        return None if alphabet is None else min(1.0, pool_size / alphabet)

    @staticmethod
    def _join(item: dict[str, Any], draw: int, fact: Fact) -> None:
        pool = [entry[0] for entry in item["pool"]]
        rank = pool.index(draw) + 1 if draw in pool else None
        item.update(draw=draw, hit=rank is not None, rank=rank,
                    probability=item["pool"][rank - 1][1] if rank else 0.0,
                    scored_seq=fact.meta.seq, scored_ts=fact.meta.ts)

    def on(self, e: EventModel, fact: Fact) -> None:
        if isinstance(e, DrawIngestedV1):
            e = e.upcast(self.draws)
        if isinstance(e, DrawIngested):
            if e.modulus is not None:
                self.modulus = e.modulus
            for offset, value in enumerate(e.values):
                index = self._open.pop(e.position + offset, None)
                if index is not None:
                    self._join(self.items[index], value, fact)
                    self.items[index].update(status="scored", scored_by="DrawIngested")
            self.draws = max(self.draws, e.position + len(e.values))
            self.recent = (self.recent + list(e.values))[-self.KEEP:]
        elif isinstance(e, PredictionIssued):
            late = e.target_index < self.draws
            item: dict[str, Any] = {
                "seq": fact.meta.seq, "id": fact.meta.id, "ts": fact.meta.ts,
                "run_id": fact.meta.run_id, "target_index": e.target_index,
                "identified": e.identified, "hypothesis": e.hypothesis,
                "pool": [[entry.draw, entry.probability] for entry in e.pool],
                "chance": e.chance_rate if e.chance_rate is not None
                else self._chance(len(e.pool)),
                "chance_recorded": e.chance_rate is not None,
                "status": "late" if late else "open", "draw": None, "hit": None,
                "rank": None, "probability": None, "scored_by": None, "scored_seq": None,
                "scored_ts": None,
            }
            self.items.append(item)
            if late:
                kept_from = self.draws - len(self.recent)
                if e.target_index >= kept_from:
                    self._join(item, self.recent[e.target_index - kept_from], fact)
                return
            earlier = self._open.get(e.target_index)
            if earlier is not None:
                self.items[earlier]["status"] = "superseded"
            self._open[e.target_index] = len(self.items) - 1
        elif isinstance(e, PredictionScored):
            # The event is the record: it scores the latest prediction of that draw.
            for item in reversed(self.items):
                if item["target_index"] == e.target_index and item["status"] == "scored":
                    item.update(draw=e.draw, hit=e.hit, rank=e.rank, probability=e.probability,
                                scored_by="PredictionScored", scored_seq=fact.meta.seq,
                                scored_ts=fact.meta.ts)
                    break
        elif isinstance(e, StepCompleted) and step_for(e.step).name == "prediction":
            alphabet = e.metrics.get("alphabet")
            if isinstance(alphabet, int) and not isinstance(alphabet, bool) and alphabet > 0:
                self.step_alphabet = alphabet
                # The step reports its alphabet after its prediction: price that one now.
                for item in reversed(self.items):
                    if item["run_id"] != fact.meta.run_id:
                        break
                    if not item["chance_recorded"]:
                        item["chance"] = self._chance(len(item["pool"]))

    def scored(self) -> list[dict[str, Any]]:
        """The predictions scored, in the order they were issued."""
        return [i for i in self.items if i["status"] == "scored"]

    def outcomes(self) -> list[Outcome]:
        """The scored predictions as Chapter 13's diagnostics read them
        (``projections.diagnostics``), in the order they were issued."""
        outcomes = []
        for item in self.scored():
            prediction = OpenPrediction(
                target_index=item["target_index"], pool=tuple(map(tuple, item["pool"])),
                identified=item["identified"], hypothesis=item["hypothesis"],
                chance_rate=item["chance"], event_id=item["id"])
            outcomes.append(Outcome(target_index=item["target_index"], hit=bool(item["hit"]),
                                    identified=item["identified"], claimed=prediction.claimed,
                                    chance_rate=item["chance"]))
        return outcomes

    def summary(self) -> dict[str, Any]:
        """Counts over the scored predictions: hits against the hits chance alone gives pools
        of the same sizes (over those whose chance is known)."""
        scored = self.scored()
        priced = [i for i in scored if i["chance"] is not None]
        statuses = [i["status"] for i in self.items]
        return {
            "predictions": len(self.items),
            "open": statuses.count("open"),
            "scored": len(scored),
            "hits": sum(bool(i["hit"]) for i in scored),
            "expected_hits": sum(i["chance"] for i in priced) if priced else None,
            "identified": sum(bool(i["identified"]) for i in scored),
            "identified_hits": sum(bool(i["hit"]) for i in scored if i["identified"]),
            "superseded": statuses.count("superseded"),
            "late": statuses.count("late"),
        }

    def snapshot(self) -> dict[str, Any]:
        return {"last_seq": self.last_seq, "draws": self.draws, "alphabet": self.alphabet,
                "items": self.items}


ALL_VIEWS: tuple[type[Projection], ...] = (
    RequestsView, RunsView, StepsView, VerdictsView, DrawsView, CandidatesView, IncidentsView,
    PredictionsView,
)


def build_views(records: Iterable[Any]) -> dict[str, Projection]:
    """Every projection, built in one pass over ``records`` (each record parsed once)."""
    views = {cls.name: cls() for cls in ALL_VIEWS}
    for record in records:
        fact = Fact.of(record)
        for view in views.values():
            if fact.meta.seq == -1 or fact.meta.seq > view.last_seq:
                view.on(fact.event, fact)
                view.last_seq = fact.meta.seq
    return views
