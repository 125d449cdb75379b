"""The WATCHER's dispatch behaviour, scenario by scenario, through the runner and fake handlers."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Callable

import pytest

from ledger import Record
from machine.commands import EvaluateWithLLM
from machine.decide import decide
from machine.events import LLMStarted, StepStarted, VerdictRecorded, new_event
from machine.fold import FoldError, evolve, fold
from machine.home import Home
from machine.policies import CooldownPolicy, Policies, RetryPolicy
from machine.replay import replay
from machine.runner import Runner
from machine.state import Phase

from .helpers import FakeClock, check_invariants, drop, make_home, open_runner, types


def script(table: dict[str, str] | None = None) -> Callable[..., str]:
    """An outcome function from ``kind/unit/attempt``, ``kind/unit`` or ``kind`` keys (most
    specific first); anything not listed passes."""
    from .fakes import all_pass

    table = table or {}

    def outcome(command: Any, ctx: Any = None) -> str:
        unit = command.kind.split(".")[1] if command.kind.startswith("step.") else getattr(
            command, "unit", "selfplay")
        attempt = getattr(command, "attempt", 0)
        for key in (f"{command.kind}/{unit}/{attempt}", f"{command.kind}/{unit}", command.kind):
            if key in table:
                return table[key]
        return all_pass(command)

    return outcome


def run_all(home_root: Path, requests: list[dict[str, Any]], outcome: Any = None,
            policies: Policies | None = None) -> tuple[Home, Runner, list[Record]]:
    from .fakes import all_pass

    home = make_home(home_root, policies)
    for index, body in enumerate(requests):
        drop(home, f"{index:02d}.json", body)
    runner = open_runner(home, outcome or all_pass)
    runner.run_until_idle()
    records = list(runner.recorder.read())
    assert runner.state.policies is not None
    check_invariants(records, runner.state.policies)
    return home, runner, records


def _as_plan_entry(command_id: str) -> str:
    """``cmd:run-x/3/a1/llm-stop#...`` -> ``llm.stop`` (the plan's spelling)."""
    scope = command_id.split(":", 1)[1].split("#")[0].split("/")
    what = scope[-1]
    unit = scope[1] if len(scope) > 2 else ""
    return {
        "guardrail": f"verdict.guardrail {unit}", "llm-start": "llm.start",
        "llm-evaluate": f"llm.evaluate {unit}", "llm-stop": "llm.stop",
        "start": f"{'selfplay' if unit == 'selfplay' else 'step'}.start {unit}",
        "run": "selfplay.run" if unit == "selfplay" else f"step.{unit}",
        "complete": "run.complete", "dispatch": "dispatch.start",
    }[what]


@pytest.mark.parametrize(
    "request_", [{"kind": "learning_loop"}, {"kind": "pipeline_rerun"},
                 {"kind": "selfplay_retrain", "episodes": 2}],
)
def test_a_run_follows_its_plan(tmp_path: Path, request_: dict[str, Any]) -> None:
    home, runner, records = run_all(tmp_path / "h", [request_])
    with runner:
        run = next(iter(runner.state.runs.values()))
        assert run.status == "completed"
    commands: list[str] = []
    for r in records:
        if r.causation_id and r.causation_id.startswith("cmd:") and (
            not commands or commands[-1] != r.causation_id
        ):
            commands.append(r.causation_id)
    # What ran is exactly the plan's all-proceed path, after the dispatch itself.
    assert [_as_plan_entry(c) for c in commands] == ["dispatch.start", *run.plan.sequence]
    assert replay(home.root).exit_code == 0


def test_failed_step_is_retried_within_budget_then_escalated(tmp_path: Path) -> None:
    policies = Policies(retries=RetryPolicy(per_step=2, per_run=10))
    home = make_home(tmp_path / "h", policies)
    drop(home, "a.json", {"kind": "learning_loop", "scope": [3, 5]})
    with open_runner(home, script({"step.3": "fail"})) as runner:
        runner.run_until_idle()
        records = list(runner.recorder.read())
        starts = [r.data["attempt"] for r in records if r.type == "StepStarted"]
        assert starts == [1, 2, 3]  # 2 retries, then escalation; step 5 never starts
        assert runner.state.phase is Phase.ESCALATED
        assert runner.state.run is not None
        assert "retry budget exhausted" in (runner.state.run.escalation or "")
        check_invariants(records, policies)


def test_run_budget_bounds_retries_across_steps(tmp_path: Path) -> None:
    policies = Policies(retries=RetryPolicy(per_step=3, per_run=2))
    home = make_home(tmp_path / "h", policies)
    drop(home, "a.json", {"kind": "learning_loop", "scope": [4, 6]})
    with open_runner(home, script({"step.4/4/1": "fail", "step.6": "fail"})) as runner:
        runner.run_until_idle()
        records = list(runner.recorder.read())
    assert [(r.data["step"], r.data["attempt"]) for r in records if r.type == "StepStarted"] == [
        (4, 1), (4, 2), (6, 1), (6, 2)]
    check_invariants(records, policies)


def test_llm_cannot_loosen_a_failed_hard_gate(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [4]})
    with open_runner(home, script({"step.4/4/1": "hard_gate", "llm.evaluate": "proceed"})) as runner:
        runner.run_until_idle()
        records = list(runner.recorder.read())
    verdicts = [r.data for r in records if r.type == "VerdictRecorded" and r.data["unit"] == "4"]
    assert verdicts[0]["source"] == "guardrail" and verdicts[0]["decision"] == "retry"
    assert verdicts[1]["source"] == "llm" and verdicts[1]["decision"] == "proceed"
    assert verdicts[1]["effective"] == "retry" and verdicts[1]["clamped"] is True
    assert [r.data["attempt"] for r in records if r.type == "StepStarted"] == [1, 2]
    assert runner.state.runs[next(iter(runner.state.runs))].status == "completed"


def test_fold_refuses_a_looser_verdict_even_if_a_ledger_holds_one(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [4]})
    with open_runner(home, script({"step.4": "hard_gate", "llm.evaluate": "proceed"})) as runner:
        runner.intake()
        # run up to the LLM evaluation of step 4
        while True:
            command = decide(runner.state)
            assert command is not None
            if isinstance(command, EvaluateWithLLM) and command.unit == "4":
                break
            runner.execute(command)
        state = copy.deepcopy(runner.state)
    loose = new_event(
        VerdictRecorded(subject="step", unit="4", attempt=1, source="llm", decision="proceed",
                        effective="proceed"),
        id="forged", ts="2026-11-25T10:00:00.000000Z", run_id=state.active,
    )
    with pytest.raises(FoldError, match="machine allows 'retry'"):
        evolve(state, loose)


def test_gpu_heavy_step_never_starts_with_the_llm_running(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [3]})
    with open_runner(home) as runner:
        runner.intake()
        while runner.state.phase is not Phase.PREPARING:
            runner.step()
        state = copy.deepcopy(runner.state)
    assert state.llm == "running"  # screening left it running
    forged = new_event(StepStarted(step=3, attempt=1, gpu_heavy=True), id="forged",
                       ts="2026-11-25T10:00:00.000000Z", run_id=state.active)
    with pytest.raises(FoldError, match="LLM may hold GPU memory"):
        evolve(state, forged)
    command = decide(state)
    assert command is not None and command.kind == "llm.stop"


def test_llm_verdict_needs_a_started_llm(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [4]})
    with open_runner(home) as runner:
        runner.intake()
        runner.step()  # dispatch
        runner.step()  # guardrail on the request
        state = copy.deepcopy(runner.state)
    verdict = new_event(VerdictRecorded(subject="request", unit="screen", attempt=0, source="llm",
                                        decision="proceed", effective="proceed"),
                        id="v", ts="2026-11-25T10:00:00.000000Z", run_id=state.active)
    with pytest.raises(FoldError, match="LLMStarted first"):
        evolve(copy.deepcopy(state), verdict)
    started = new_event(LLMStarted(), id="s", ts="2026-11-25T10:00:00.000000Z", run_id=state.active)
    evolve(state, started)
    evolve(state, verdict)
    assert state.phase is Phase.PREPARING


def test_retry_adjustments_are_bounded_and_recorded_on_step_started(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h", Policies(retries=RetryPolicy(max_adjustments=3, max_factor=2.0)))
    drop(home, "a.json", {"kind": "learning_loop", "scope": [6]})
    with open_runner(home, script({"llm.evaluate/6/1": "retry_adjust"})) as runner:
        runner.run_until_idle()
        records = list(runner.recorder.read())
    starts = [r.data for r in records if r.type == "StepStarted"]
    assert starts[0]["adjustments"] == {}
    # alpha 0.1 -> 0.5, beta 1.5, delta 1.2 (first three names, sorted); zeta -1 dropped.
    assert starts[1]["adjustments"] == {"alpha": 0.5, "beta": 1.5, "delta": 1.2}


def test_retry_verdict_without_budget_escalates(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h", Policies(retries=RetryPolicy(per_step=0)))
    drop(home, "a.json", {"kind": "learning_loop", "scope": [6]})
    with open_runner(home, script({"llm.evaluate/6": "retry"})) as runner:
        runner.run_until_idle()
        assert runner.state.phase is Phase.ESCALATED
        records = list(runner.recorder.read())
    llm = [r.data for r in records if r.type == "VerdictRecorded" and r.data["source"] == "llm"]
    assert llm[-1]["decision"] == "retry" and llm[-1]["effective"] == "escalate"


def test_halt_stops_dispatch_and_resume_continues_where_it_was(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [3, 4]})
    with open_runner(home) as runner:
        runner.intake()
        for _ in range(6):
            runner.step()
        assert runner.state.run is not None
        where = (runner.state.phase, runner.state.run.cursor)
        drop(home, "b.json", {"kind": "halt", "reason": "test"})
        drop(home, "c.json", {"kind": "learning_loop", "dry_run": True})
        assert runner.run_until_idle() == 0
        assert runner.state.halted and decide(runner.state) is None
        assert runner.state.run is not None
        assert (runner.state.phase, runner.state.run.cursor) == where
        drop(home, "d.json", {"kind": "resume"})
        runner.run_until_idle()
        assert not runner.state.halted
        statuses = {r.name: r.status for r in runner.state.requests.values()}
        assert statuses == {"a.json": "completed", "b.json": "applied", "c.json": "planned",
                            "d.json": "applied"}
        assert runner.state.policies is not None
        check_invariants(list(runner.recorder.read()), runner.state.policies)


def test_dry_run_records_a_plan_and_nothing_else(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": "full", "dry_run": True})
    with open_runner(home) as runner:
        before = runner.state.last_seq
        assert runner.run_until_idle() == 1
        new = list(runner.recorder.read(after_seq=before))
    assert types(new) == ["RequestReceived", "RequestValidated", "DispatchPlanned"]
    plan = new[-1].data["plan"]
    assert [u["unit"] for u in plan["units"]] == ["1", "2", "3", "4", "5", "6"]
    assert [u["gpu_heavy"] for u in plan["units"]] == [True, True, True, False, True, False]
    assert plan["sequence"][-1] == "run.complete"


def test_dry_run_is_planned_even_while_a_run_is_active(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop"})
    with open_runner(home) as runner:
        runner.intake()
        runner.step()
        runner.step()
        drop(home, "b.json", {"kind": "selfplay_retrain", "dry_run": True})
        runner.intake()
        command = decide(runner.state)
        assert command is not None and command.kind == "dispatch.plan"


def test_selfplay_emits_candidates_and_never_promotes(tmp_path: Path) -> None:
    home, runner, records = run_all(tmp_path / "h", [{"kind": "selfplay_retrain", "episodes": 3,
                                                      "seed": 5}])
    with runner:
        t = types(records)
        i = t.index("SelfplayStarted")
        assert t[i - 1] == "LLMStopped"
        assert "CandidateEmitted" in t and t[-1] == "DispatchCompleted"
        started = next(r for r in records if r.type == "SelfplayStarted")
        assert started.data["seed"] == 5 and started.data["episodes"] == 3
        summary = next(r for r in records if r.type == "DispatchCompleted").data["summary"]
        assert "not promoted" in summary
        candidates = [r for r in records if r.type == "CandidateEmitted"]
        assert all(r.artifacts for r in candidates)
    assert replay(home.root).exit_code == 0


def test_selfplay_without_candidates_fails_its_gate(tmp_path: Path) -> None:
    _home, runner, records = run_all(
        tmp_path / "h", [{"kind": "selfplay_retrain"}], outcome=script({"selfplay.run": "no_candidates"}),
        policies=Policies(retries=RetryPolicy(per_step=1)),
    )
    with runner:
        assert runner.state.phase is Phase.ESCALATED
        guard = [r.data for r in records if r.type == "VerdictRecorded"
                 and r.data["source"] == "guardrail" and r.data["unit"] == "selfplay"]
        assert guard[0]["decision"] == "retry"
        assert any("candidates_emitted" in reason for reason in guard[0]["reasons"])


@pytest.mark.parametrize("action, ends", [("continue", "completed"), ("abort", "failed")])
def test_approval_of_an_escalated_success(tmp_path: Path, action: str, ends: str) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [4, 6]})
    with open_runner(home, script({"llm.evaluate/4": "escalate"})) as runner:
        runner.run_until_idle()
        run_id = runner.state.active
        assert run_id is not None and runner.state.phase is Phase.ESCALATED
        drop(home, "b.json", {"kind": "approve", "run_id": run_id, "action": action})
        runner.run_until_idle()
        assert runner.state.runs[run_id].status == ends
        started = [r.data["step"] for r in runner.recorder.read() if r.type == "StepStarted"]
        assert started == ([4, 6] if action == "continue" else [4])


def test_approving_an_escalated_failure_closes_the_run(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h", Policies(retries=RetryPolicy(per_step=0)))
    drop(home, "a.json", {"kind": "learning_loop", "scope": [4, 6]})
    with open_runner(home, script({"step.4": "fail"})) as runner:
        runner.run_until_idle()
        assert runner.state.run is not None
        request_id = runner.state.run.request_id
        drop(home, "b.json", {"kind": "approve", "run_id": request_id})  # a request id works too
        runner.run_until_idle()
        run = next(iter(runner.state.runs.values()))
        assert run.status == "failed" and "never followed by the next" in (run.outcome or "")
        assert [r.data["step"] for r in runner.recorder.read() if r.type == "StepStarted"] == [4]


@pytest.mark.parametrize(
    "outcome, reason",
    [("raise", "raised FakeFailure"), ("garbage", "unusable events")],
)
def test_a_broken_handler_is_a_recorded_failure(tmp_path: Path, outcome: str, reason: str) -> None:
    home = make_home(tmp_path / "h", Policies(retries=RetryPolicy(per_step=0)))
    drop(home, "a.json", {"kind": "learning_loop", "scope": [6]})
    with open_runner(home, script({"step.6": outcome})) as runner:
        runner.run_until_idle()
        failed = [r.data for r in runner.recorder.read() if r.type == "StepFailed"]
    assert len(failed) == 1 and reason in failed[0]["reason"]


def test_missing_handlers(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h", Policies(retries=RetryPolicy(per_step=0)))
    drop(home, "a.json", {"kind": "learning_loop", "scope": [3]})
    with open_runner(home, None) as runner:
        runner.run_until_idle()
        records = list(runner.recorder.read())
    t = types(records)
    assert "LLMUnavailable" in t and "LLMStarted" not in t
    stopped = next(r for r in records if r.type == "LLMStopped")
    assert stopped.data["was_running"] is False
    failed = next(r for r in records if r.type == "StepFailed")
    assert "no handler installed for 'step.3'" in failed.data["reason"]
    # The guardrail verdict stands wherever the LLM is unavailable.
    assert all(r.data["source"] == "guardrail" for r in records if r.type == "VerdictRecorded")


def test_llm_outages_leave_the_guardrail_verdict(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [4, 6]})
    outcome = script({"llm.start": "unavailable", "llm.evaluate": "timeout"})
    with open_runner(home, outcome) as runner:
        runner.run_until_idle()
        assert next(iter(runner.state.runs.values())).status == "completed"
        records = list(runner.recorder.read())
    phases = [r.data["phase"] for r in records if r.type == "LLMUnavailable"]
    assert phases and set(phases) == {"start"}


def test_llm_that_will_not_stop_fails_the_attempt(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [3]})
    with open_runner(home, script({"llm.stop/3/1": "fail"})) as runner:
        runner.run_until_idle()
        records = list(runner.recorder.read())
        assert next(iter(runner.state.runs.values())).status == "completed"
    starts = [r.data["attempt"] for r in records if r.type == "StepStarted"]
    assert starts == [2]  # attempt 1 never started: the GPU was not free
    check_invariants(records, Policies())


def test_cooldown_before_retry_uses_recorded_time(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h", Policies(cooldowns=CooldownPolicy(before_retry_s=30)))
    drop(home, "a.json", {"kind": "learning_loop", "scope": [6]})
    clock = FakeClock()
    with open_runner(home, script({"step.6/6/1": "fail"}), clock=clock) as runner:
        runner.run_until_idle()
        records = list(runner.recorder.read())
    first, second = [r for r in records if r.type == "StepStarted"]
    from ledger import parse_ts

    assert (parse_ts(second.ts) - parse_ts(first.ts)).total_seconds() >= 30


def test_re_executing_a_command_appends_nothing(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [4]})
    with open_runner(home) as runner:
        runner.intake()
        while (command := decide(runner.state)) is not None and command.kind != "step.4":
            runner.execute(command)
        assert command is not None
        state = copy.deepcopy(runner.state)
        assert runner.execute(command)  # recorded
        # What a crash between append and the next decision would cause: the same command again.
        assert runner.execute(command) == []
        assert fold(runner.recorder.read()) == runner.state != state


def test_policies_are_recorded_and_replay_uses_them(tmp_path: Path) -> None:
    home = make_home(tmp_path / "h", Policies(retries=RetryPolicy(per_step=1)))
    with open_runner(home) as runner:
        sha = runner.state.policies_sha256
        assert runner.state.policies is not None
        assert runner.state.policies.retries.per_step == 1
    home.policies.write_text('{"retries": {"per_step": 2}}')
    with open_runner(home) as runner:
        assert runner.state.policies_sha256 != sha
        sets = [r for r in runner.recorder.read() if r.type == "PoliciesSet"]
        assert len(sets) == 2
    with open_runner(home) as runner:  # unchanged: nothing new recorded
        assert len([r for r in runner.recorder.read() if r.type == "PoliciesSet"]) == 2


def test_bad_policies_file_keeps_the_recorded_policies(tmp_path: Path) -> None:
    """A bad file never blocks the daemon (nor a halt): the recorded policies stay in force
    and the log names what is wrong (more in test_cli_faults.py)."""
    home = make_home(tmp_path / "h")
    home.policies.write_text('{"retries": {"per_step": -1}}')
    lines: list[str] = []
    with open_runner(home) as runner:
        recorded = runner.state.policies_sha256
        runner.log = lines.append
        assert runner.ensure_policies() is False
        assert runner.state.policies_sha256 == recorded
    assert any("retries.per_step" in line and "kept" in line for line in lines)


def test_events_from_a_handler_keep_the_command_as_cause(tmp_path: Path) -> None:
    _home, runner, records = run_all(tmp_path / "h", [{"kind": "learning_loop", "scope": [6]}])
    with runner:
        for record in records:
            if record.type in ("StepCompleted", "LLMStarted", "VerdictRecorded"):
                assert record.causation_id and record.id.startswith(record.causation_id + "/")
                assert isinstance(record.run_id, str)


def test_decide_is_pure(tmp_path: Path) -> None:
    _home, runner, records = run_all(tmp_path / "h", [{"kind": "learning_loop"}])
    with runner:
        for k in range(0, len(records), 7):
            state = fold(records[:k])
            snapshot = copy.deepcopy(state)
            first = decide(state)
            assert decide(state) == first
            assert state == snapshot



def test_serve_picks_up_requests_and_policy_changes_until_stopped(tmp_path: Path) -> None:
    import threading
    import time

    home = make_home(tmp_path / "h")
    runner = open_runner(home)
    stop = threading.Event()
    thread = threading.Thread(target=runner.serve, args=(stop,), kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        drop(home, "a.json", {"kind": "learning_loop", "scope": [6]})
        deadline = time.monotonic() + 20
        while not any(r.status == "completed" for r in runner.state.runs.values()):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        home.policies.write_text('{"alpha": 0.001}')
        os.utime(home.policies, (time.time() + 5, time.time() + 5))  # a visible mtime change
        while runner.state.policies is None or runner.state.policies.alpha != 0.001:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join(timeout=20)
        runner.close()
    assert not thread.is_alive()
