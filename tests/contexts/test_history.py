"""Tier 2 is real retrieval: from ledger records, through the projections."""

from __future__ import annotations

from ledger import InMemoryRecorder

from contexts import build_llm_context, history_from_records
from contexts.samples import SAMPLE_RESULTS
from machine.events import (
    DispatchStarted,
    Escalated,
    RequestReceived,
    RunPlan,
    StepCompleted,
    StepFailed,
    StepStarted,
    UnitPlan,
    VerdictRecorded,
    new_event,
)

from .cases import ApproxCounter

PLAN = RunPlan(kind="learning_loop", units=(UnitPlan(unit="2", handler="step.2", gpu_heavy=True),),
               retries_per_step=3, retries_per_run=10)


def _ledger() -> list:
    recorder = InMemoryRecorder()
    events = []
    n = 0

    def add(payload, run_id):
        nonlocal n
        n += 1
        events.append(new_event(payload, id=f"e{n}", ts=f"2026-11-25T10:00:{n:02d}.000000Z",
                                run_id=run_id))

    def request(run):
        add(RequestReceived(request_id=f"rq-{run}", source="cli", name=f"{run}.json",
                            sha256="0" * 64, bytes=2, payload={"kind": "learning_loop"}), None)

    for run, survivors in (("run-a", 12), ("run-b", 4), ("run-c", 1)):
        request(run)
        add(DispatchStarted(request_id=f"rq-{run}", run_id=run, plan=PLAN), run)
        add(StepStarted(step=2, attempt=1, gpu_heavy=True), run)
        add(StepCompleted(step=2, attempt=1,
                          metrics={**SAMPLE_RESULTS["step_2"], "survivors": survivors}), run)
        add(VerdictRecorded(subject="step", unit="2", attempt=1, source="guardrail",
                            decision="proceed", effective="proceed"), run)
        add(VerdictRecorded(subject="step", unit="2", attempt=1, source="llm",
                            decision="proceed", effective="retry", clamped=True), run)
    add(StepStarted(step=2, attempt=2, gpu_heavy=True), "run-c")
    add(StepFailed(step=2, attempt=2, reason="chunk 7 lost"), "run-c")
    add(Escalated(request_id="rq-run-c", run_id="run-c", unit="2", attempt=2,
                  reason="hard gate schema:chunks_failed failed"), "run-c")
    request("run-d")
    add(DispatchStarted(request_id="rq-run-d", run_id="run-d", plan=PLAN), "run-d")
    add(StepStarted(step=2, attempt=1, gpu_heavy=True), "run-d")
    add(StepCompleted(step=2, attempt=1, metrics=dict(SAMPLE_RESULTS["step_2"])), "run-d")
    return recorder.append(events)


def test_history_holds_outcomes_trends_and_open_escalations() -> None:
    records = _ledger()
    history = history_from_records(records, unit="2", metrics=["survivors", "hypotheses_tried"],
                                   exclude=("run-d", "2", 1))
    assert [(o.run_id, o.attempt) for o in history.outcomes] == [
        ("run-c", 2), ("run-c", 1), ("run-b", 1), ("run-a", 1)]
    assert history.outcomes[0].outcome.startswith("failed (chunk 7 lost")
    assert history.outcomes[1].verdicts == ("guardrail proceed", "llm proceed (acted on retry)")
    trends = {t.metric: t.values for t in history.trends}
    assert trends["survivors"] == (12, 4, 1)
    assert [e.run_id for e in history.escalations] == ["run-c"]
    assert history.last_seq == records[-1].seq and history.last_hash == records[-1].hash


def test_the_current_attempt_is_tier_1_not_history() -> None:
    records = _ledger()
    history = history_from_records(records, unit="2", exclude=("run-d", "2", 1))
    assert all(o.run_id != "run-d" for o in history.outcomes)
    with_current = history_from_records(records, unit="2")
    assert with_current.outcomes[0].run_id == "run-d"


def test_the_prompt_carries_the_history_and_its_ledger_provenance() -> None:
    records = _ledger()
    history = history_from_records(records, unit="2", metrics=["survivors"],
                                   exclude=("run-d", "2", 1))
    prompt, _, bundle = build_llm_context(2, "run-d", SAMPLE_RESULTS["step_2"],
                                          tokenizer=ApproxCounter(), history=history, attempt=1)
    assert "survivors: 12 -> 4 -> 1" in prompt
    assert "run run-c escalated: hard gate schema:chunks_failed failed" in prompt
    events = [p for p in bundle.provenance if p.kind == "events"]
    assert events and events[0].sha256 == records[-1].hash


def test_other_units_do_not_leak_into_a_unit_s_history() -> None:
    history = history_from_records(_ledger(), unit="5")
    assert history.outcomes == () and history.trends == ()
