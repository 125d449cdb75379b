"""Event models: one union, frozen, validated at append time, unknowns refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ledger import InMemoryRecorder, NewEvent
from ledger.errors import EventRejected

from machine.events import (
    EVENT_ADAPTER,
    EVENT_MODELS,
    Halted,
    PoliciesSet,
    StepCompleted,
    VerdictRecorded,
    new_event,
    parse_event,
    to_data,
    validate_event,
)
from machine.policies import Policies, policies_sha256
from machine.statechart import ORTHOGONAL_EVENTS, TRIGGERS

ISSUE_EVENTS = {
    "PoliciesSet", "RequestReceived", "RequestValidated", "RequestRejected", "DispatchPlanned",
    "DispatchStarted", "LLMStarted", "LLMStopped", "LLMUnavailable", "StepStarted",
    "StepCompleted", "StepFailed", "VerdictRecorded", "SelfplayStarted", "CandidateEmitted",
    "DispatchCompleted", "DispatchFailed", "Escalated", "Approved", "Halted", "Resumed",
    "DrawIngested", "LedgerRepaired",
}
TS = "2026-11-25T10:00:00.000000Z"


def test_every_event_the_issue_names_exists() -> None:
    assert ISSUE_EVENTS <= set(EVENT_MODELS)


def test_every_event_is_a_trigger_or_orthogonal_exactly_once() -> None:
    assert TRIGGERS | ORTHOGONAL_EVENTS == set(EVENT_MODELS)
    assert not TRIGGERS & ORTHOGONAL_EVENTS


def test_models_are_frozen_and_forbid_extra_fields() -> None:
    event = Halted(reason="x")
    with pytest.raises(ValidationError):
        event.reason = "y"  # type: ignore[misc]
    with pytest.raises(ValueError, match="Extra inputs"):
        parse_event("Halted", 1, {"reason": "x", "colour": "red"})


def test_union_discriminates_on_type() -> None:
    event = EVENT_ADAPTER.validate_python({"type": "Halted", "reason": "r"})
    assert isinstance(event, Halted)


@pytest.mark.parametrize(
    "type_, v, data, match",
    [
        ("NoSuchEvent", 1, {}, "unknown event type"),
        ("Halted", 2, {}, "unknown version"),
        ("StepFailed", 1, {"step": 7, "attempt": 1, "reason": "x"}, "step"),
        ("StepFailed", 1, {"step": 1, "attempt": 1}, "reason"),
        ("Halted", 1, {"type": "Halted"}, "envelope"),
    ],
)
def test_validate_event_refuses(type_: str, v: int, data: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        validate_event(type_, v, data)


def test_the_ledger_refuses_what_the_machine_cannot_read() -> None:
    recorder = InMemoryRecorder(validator=validate_event)
    good = new_event(Halted(reason="ok"), id="e1", ts=TS)
    bad = NewEvent(id="e2", type="Halted", v=1, ts=TS, data={"reason": 5})
    with pytest.raises(EventRejected):
        recorder.append([good, bad])
    assert recorder.last_seq() == -1  # the whole batch was refused
    recorder.append([good])
    assert recorder.last_seq() == 0


def test_round_trip_through_data() -> None:
    event = StepCompleted(step=3, attempt=2, metrics={"score": 0.5, "ok": True},
                          gates=({"name": "g", "passed": False, "hard": True},))  # type: ignore[arg-type]
    assert parse_event("StepCompleted", 1, to_data(event)) == event
    assert "type" not in to_data(event)


def test_policies_set_hash_is_checked() -> None:
    policies = Policies()
    PoliciesSet(policies=policies, sha256=policies_sha256(policies), source="defaults")
    with pytest.raises(ValidationError, match="does not match"):
        PoliciesSet(policies=policies, sha256="0" * 64, source="defaults")


def test_verdict_decisions_are_closed() -> None:
    with pytest.raises(ValidationError):
        VerdictRecorded(subject="step", unit="3", attempt=1, source="llm", decision="maybe",  # type: ignore[arg-type]
                        effective="proceed")
