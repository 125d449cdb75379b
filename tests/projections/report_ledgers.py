"""Ledgers for the predictions and report tests: a recorded learning loop (it identified
java_random and predicted draw 48) followed by what a live stream adds: the predicted draw
arriving (a hit), Chapter 13's next prediction missing (the generator was reseeded), a trigger,
and requests whose names and reasons carry markup that must never reach a page as markup."""

from __future__ import annotations

from pathlib import Path

from ledger import InMemoryRecorder, JsonlRecorder, NewEvent, Record, read_ledger
from machine.events import (
    DrawIngested,
    EventModel,
    Halted,
    PolicyPromoted,
    PolicyRolledBack,
    PredictionIssued,
    PredictionPoolEntry,
    PredictionScored,
    ProposalMade,
    ProposalRejected,
    RequestReceived,
    RequestRejected,
    TriggerFired,
    new_event,
    validate_event,
)

HISTORY = Path(__file__).resolve().parents[1] / "histories" / "learning_loop_pipeline"
#: Markup a hostile request could carry in its name and reason.
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
#: Draw 48 as the recorded loop predicted it, and what arrived at 49 instead of the prediction.
PREDICTED_48 = 439
PREDICTED_49, ARRIVED_49 = 12, 800


def recorded() -> list[NewEvent]:
    """The recorded history's events, ready to append to a fresh ledger."""
    return [NewEvent(id=r.id, type=r.type, v=r.v, ts=r.ts, run_id=r.run_id,
                     causation_id=r.causation_id, data=r.data, artifacts=r.artifacts)
            for r in read_ledger(HISTORY / "ledger.jsonl")]


def _at(n: int) -> str:
    return f"2026-12-04T18:{n:02d}:00.000000Z"


def live_events(*, scored_events: bool) -> list[NewEvent]:
    """What follows the recorded loop; ``scored_events``: with ``PredictionScored`` (today's
    ledgers) or without (ledgers recorded before scoring existed)."""
    hypothesis = dict(next(r for r in read_ledger(HISTORY / "ledger.jsonl")
                           if r.type == "PredictionIssued").data["hypothesis"])
    steps: list[tuple[str, EventModel]] = [
        ("draw-48", DrawIngested(source="stdin", position=48, values=(PREDICTED_48,),
                                 timestamps=("2026-11-24T16:48:00Z",))),
    ]
    if scored_events:
        steps.append(("score-48", PredictionScored(target_index=48, draw=PREDICTED_48, hit=True,
                                                   rank=1, probability=0.94)))
    steps += [
        ("predict-49", PredictionIssued(target_index=49, identified=True, hypothesis=hypothesis,
                                        pool=(PredictionPoolEntry(draw=PREDICTED_49,
                                                                  probability=0.95),),
                                        chance_rate=0.001)),
        ("draw-49", DrawIngested(source="stdin", position=49, values=(ARRIVED_49,),
                                 timestamps=("2026-11-24T16:49:00Z",))),
    ]
    if scored_events:
        steps.append(("score-49", PredictionScored(target_index=49, draw=ARRIVED_49, hit=False,
                                                   rank=None, probability=0.0)))
    steps += [
        ("trigger-50", TriggerFired(trigger_id="regime_change-50", trigger="regime_change",
                                    position=50, since=49, cooldown_draws=4,
                                    evidence={"miss_at": 49, "hits_before": 1},
                                    request={"kind": "learning_loop", "scope": "full"})),
        ("proposal", ProposalMade(proposal_id="prop-50", trigger_id="regime_change-50",
                                  source="rules", failure_mode="regime_change",
                                  recommended_action="hold", risk_level="low",
                                  retrain_scope="none", confidence=0.7,
                                  reasoning=f"search again {HOSTILE}",
                                  llm_unavailable="no handler installed")),
        ("proposal-rejected", ProposalRejected(proposal_id="prop-50",
                                               reasons=(f"confidence {HOSTILE}",))),
        ("promoted", PolicyPromoted(candidate_id="cand-1", previous="baseline", wins=9,
                                    losses=2, shadow_draws=40, evidence="SPRT accepted")),
        ("rolled-back", PolicyRolledBack(reason="operator asked")),
        ("hostile", RequestReceived(request_id="rq-hostile", source="file", name=HOSTILE,
                                    sha256="0" * 64, bytes=10, payload=None)),
        ("hostile-rejected", RequestRejected(request_id="rq-hostile", reason=HOSTILE)),
        ("halt", Halted(reason=f"</style></svg>{HOSTILE}")),
    ]
    return [new_event(event, id=f"live-{name}", ts=_at(n)) for n, (name, event) in
            enumerate(steps)]


def live_ledger(*, scored_events: bool = True) -> list[Record]:
    recorder = InMemoryRecorder(validator=validate_event)
    recorder.append(recorded())
    recorder.append(live_events(scored_events=scored_events))
    return list(recorder.read())


def write_ledger(path: Path, *, scored_events: bool = True) -> Path:
    """The live ledger as a file, hash chain and all."""
    with JsonlRecorder(path, validator=validate_event) as recorder:
        recorder.append(recorded())
        recorder.append(live_events(scored_events=scored_events))
    return path
