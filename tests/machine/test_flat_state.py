"""The folded state stays flat as the ledger grows: finished requests and runs leave it (the
newest FINISHED_KEPT stay, with running totals), the fold is still a pure function of the
events, and every reader of what left finds it in the ledger."""

from __future__ import annotations

import importlib
import os
import pickle
from collections import Counter
from pathlib import Path

import pytest

from ledger import read_ledger

from machine.fold import fold
from machine.home import Home
from machine.replay import replay
from machine.runner import Runner
from machine.snapshots import read_snapshot
from machine.state import FINISHED_REQUEST_STATUSES, State

from projections.views import RequestsView

from .fakes import all_pass
from .helpers import drop, make_home, open_runner

KEPT = 3
# machine/__init__ exports the function fold under the module's name
_FOLD_MODULE = importlib.import_module("machine.fold")


@pytest.fixture(autouse=True)
def _keep_few(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_FOLD_MODULE, "FINISHED_KEPT", KEPT)


def _work(runner: Runner, home: Home, start: int, count: int) -> None:
    """``count`` requests that finish: loops, a dry run, a rejected file, a halt and a resume."""
    for n in range(start, start + count):
        body: dict[str, object] | str
        match n % 5:
            case 0 | 1:
                body = {"kind": "learning_loop", "scope": [3]}
            case 2:
                body = {"kind": "learning_loop", "scope": [3], "dry_run": True}
            case 3:
                body = "{not json"
            case _:
                body = {"kind": "halt" if n % 10 == 4 else "resume"}
        drop(home, f"r{n:04d}.json", body)
        runner.run_until_idle()


def _size(state: State) -> int:
    return len(pickle.dumps(state))


def test_the_state_does_not_grow_with_finished_requests(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    with open_runner(home, all_pass) as runner:
        _work(runner, home, 0, 10)
        state = runner.state
        assert len(state.requests) == KEPT and len(state.runs) <= KEPT
        small = _size(state)
        _work(runner, home, 10, 30)
        state = runner.state
        assert state.active is None and not state.queue
        assert len(state.requests) == KEPT and len(state.runs) == KEPT
        assert all(r.status in FINISHED_REQUEST_STATUSES for r in state.requests.values())
        # four times the work, the same size (ids and counters only get a digit longer)
        assert _size(state) < small * 1.1
        # and the totals are every request's, as the ledger's view counts them
        view = RequestsView.rebuild(read_ledger(home.ledger))
        assert state.request_counts == dict(Counter(i["status"] for i in view.items.values()))
        assert state.runs_started == sum(
            1 for i in view.items.values() if i["status"] in ("completed", "failed"))
        assert state.runs_started == 16
        # the fold stays a pure function of the events: the live state is the ledger's
        assert state == fold(read_ledger(home.ledger))
    report = replay(home.root)
    assert report.exit_code == 0
    assert (report.requests, report.runs, report.plans) == (40, 16, 8)


def test_an_open_from_a_snapshot_equals_the_full_fold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import machine.runner as runner_module

    monkeypatch.setattr(runner_module, "SNAPSHOT_EVERY", 10)
    home = make_home(tmp_path / "home")
    with open_runner(home, all_pass) as runner:
        _work(runner, home, 0, 10)
    snapshot = read_snapshot(home.ledger)
    assert snapshot is not None and len(snapshot.state.requests) == KEPT
    with open_runner(home, all_pass) as runner:
        _work(runner, home, 10, 10)
        assert runner.state == fold(read_ledger(home.ledger))
        assert len(runner.state.requests) == KEPT
    assert replay(home.root).exit_code == 0


def test_a_claimed_file_whose_request_left_the_state_is_not_received_again(
    tmp_path: Path,
) -> None:
    home = make_home(tmp_path / "home")
    with open_runner(home, all_pass) as runner:
        drop(home, "first.json", {"kind": "learning_loop", "scope": [3]})
        [first] = runner.intake()
        runner.run_until_idle()
        [received] = [r for r in read_ledger(home.ledger) if r.type == "RequestReceived"]
        _work(runner, home, 0, KEPT + 2)
        assert first.request_id not in runner.state.requests  # it left the state
        # a crash after recording, before filing the claim: the claim is found again
        [archived] = home.archive.glob(f"{first.request_id}--*")
        os.replace(archived, home.claimed / f"c{received.seq:09d}--first.json")
        last = runner.state.last_seq
        [again] = runner.intake()
        assert (again.request_id, again.status) == (first.request_id, "duplicate")
        assert runner.state.last_seq == last  # nothing recorded twice
        assert not list(home.claimed.iterdir())
        assert [p.name for p in home.archive.glob(f"{first.request_id}--*")] == [
            f"{first.request_id}--first.json"]


def test_a_daemon_open_decodes_what_follows_its_checkpoint_not_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ledger.codec
    from ledger import JsonlRecorder, Record
    from ledger.codec import CHECKPOINT_EVERY, ChainState

    from machine.events import validate_event

    from .helpers import FakeClock, registry

    home = make_home(tmp_path / "home")
    clock = FakeClock()
    recorder = JsonlRecorder(home.ledger, durability="batch", validator=validate_event)
    with Runner(recorder, home=home, registry=registry(all_pass), clock=clock,
                sleep=clock.sleep, isolation="inline") as runner:
        n = 0
        while runner.state.last_seq < 4 * CHECKPOINT_EVERY:
            drop(home, f"loop{n}.json", {"kind": "learning_loop", "scope": "full"})
            runner.run_until_idle()
            n += 1
    events = runner.state.last_seq + 1
    with open_runner(home, all_pass) as runner:  # a few events more: no checkpoint due
        drop(home, "halt.json", {"kind": "halt"})
        runner.intake()
    after = runner.state.last_seq + 1 - events
    decoded: list[int] = []
    real = ledger.codec.decode_lines

    def counting(lines: list[bytes], st: ChainState, *, verify: bool = True) -> list[Record]:
        decoded.append(len(lines))
        return real(lines, st, verify=verify)

    monkeypatch.setattr(ledger.codec, "decode_lines", counting)
    logged: list[str] = []
    with Runner.open(home, registry=registry(all_pass), clock=clock, sleep=clock.sleep,
                     log=logged.append) as runner:
        opened = sum(decoded)
        assert runner.state == fold(read_ledger(home.ledger))
    assert not [line for line in logged if "not used" in line or "ignored" in line], logged
    # the lines after the checkpoint, twice (the writer's verifying scan, then the fold's
    # read), and none of the thousands before it
    assert 0 < after and opened == 2 * after
    assert CHECKPOINT_EVERY < events


def test_settled_proposals_and_policy_changes_leave_the_state() -> None:
    from machine.events import DrawIngested, PoliciesSet, ProposalMade, TriggerFired, new_event
    from machine.fold import evolve
    from machine.policies import Policies, policies_sha256
    from machine.policy_decide import policy_command
    from machine.registry import builtin_events

    state = State()
    stamps = iter(range(10**6))

    def record(payload: object) -> None:
        n = next(stamps)
        evolve(state, new_event(payload, id=f"e{n}", ts=f"2026-11-25T10:00:00.{n:06d}Z"))

    policies = Policies()
    record(PoliciesSet(policies=policies, sha256=policies_sha256(policies), source="test"))
    made = 4 * KEPT
    for number in range(made):
        trigger_id = f"drift-{number}"
        record(DrawIngested(source="test", position=number, values=(1,)))
        record(TriggerFired.model_validate({
            "trigger_id": trigger_id, "trigger": "drift", "position": number + 1, "since": 0,
            "cooldown_draws": 0, "request": {"kind": "learning_loop"}}))
        record(ProposalMade(
            proposal_id=f"proposal-{trigger_id}", trigger_id=trigger_id, source="llm",
            failure_mode="none", recommended_action="rollback", risk_level="low",
            retrain_scope="none", confidence=0.9, reasoning="test", parameter_proposals=()))
        command = policy_command(state)
        assert command is not None and command.kind == "chapter13.judge"
        for payload in builtin_events(command):
            record(payload)
    loop = state.loop
    assert {p.status for p in loop.proposals.values()} == {"accepted"}
    assert list(loop.proposals) == [f"proposal-drift-{n}" for n in range(made - KEPT, made)]
    assert [item.source for item in loop.lineage] == list(loop.proposals)  # each rolled back
    assert not hasattr(loop, "by_trigger")


HISTORIES = sorted(p.parent for p in (Path(__file__).resolve().parents[1] / "histories").glob(
    "*/expected.json"))


@pytest.mark.parametrize("history", HISTORIES, ids=[p.name for p in HISTORIES])
def test_recorded_histories_replay_the_same_keeping_one_finished_of_each(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replay re-decides every command: the same verdict with a single finished request, run,
    proposal and candidate kept shows nothing the machine decides with left the state."""
    import json

    monkeypatch.setattr(_FOLD_MODULE, "FINISHED_KEPT", 1)
    expected = json.loads((history / "expected.json").read_text())
    report = replay(history).as_dict()
    for key, value in expected.items():
        got = len(report[key]) if key == "divergences" else report[key]
        assert got == value, key
    state = fold(read_ledger(history / "ledger.jsonl"))
    assert len(state.requests) <= 1 + len(state.queue) + len(state.loop.rollback_requests) + len(
        state.loop.approvals) + (state.active is not None)
