"""Property tests: the machine driven by generated requests and generated handler outcomes.

Hypothesis writes request files (good and bad, dry runs, duplicate client ids), pulls the kill
switch, answers escalations, and lets the runner take a generated number of steps; every
handler's outcome (success, failure, exceptions, garbage, each verdict, LLM outages and
timeouts) is drawn when it is called. Whatever happens:

- replaying any prefix of the ledger gives exactly the state the live runner held there;
- nothing is dispatched while halted; retry bounds hold; a failed unit is never followed by
  the next; every GPU-heavy start follows ``LLMStopped`` and every LLM verdict ``LLMStarted``;
  the LLM never loosens a verdict;
- each request file produces exactly one ``RequestReceived``; a dry run writes no step events;
- ``watcher replay`` of the recorded ledger is clean (every decision re-derived).
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ledger import InMemoryRecorder
from machine.fold import fold
from machine.policies import Policies, RetryPolicy
from machine.replay import replay
from machine.state import Phase

from .fakes import (
    LLM_EVAL_OUTCOMES,
    LLM_START_OUTCOMES,
    LLM_STOP_OUTCOMES,
    SELFPLAY_OUTCOMES,
    STEP_OUTCOMES,
)
from .helpers import check_invariants, drop, make_home, open_runner

client_ids = st.one_of(st.none(), st.sampled_from(["nightly", "weekly"]))
scopes = st.one_of(
    st.sampled_from(["steps_3_5_6", "full"]),
    st.lists(st.integers(1, 6), min_size=1, max_size=3, unique=True),
)


def _with(base: dict[str, Any], dry: bool, client: str | None) -> dict[str, Any]:
    out = dict(base, dry_run=dry)
    if client is not None:
        out["id"] = client
    return out


good_requests = st.one_of(
    st.builds(lambda s, d, c: _with({"kind": "learning_loop", "scope": s}, d, c),
              scopes, st.booleans(), client_ids),
    st.builds(lambda e, d, c: _with({"kind": "selfplay_retrain", "episodes": e}, d, c),
              st.integers(1, 50), st.booleans(), client_ids),
    st.builds(lambda d, c: _with({"kind": "pipeline_rerun"}, d, c), st.booleans(), client_ids),
)
bad_requests = st.sampled_from([
    b"{not json",
    {"kind": "bogus"},
    {"kind": "selfplay_retrain", "episodes": 51},
    {"kind": "learning_loop", "scope": [0]},
    {"kind": "learning_loop", "extra": 1},
])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("file"), st.one_of(good_requests, good_requests, bad_requests)),
        st.tuples(st.just("halt"), st.none()),
        st.tuples(st.just("resume"), st.none()),
        st.tuples(st.just("approve"), st.sampled_from(["continue", "abort"])),
        st.tuples(st.just("run"), st.integers(1, 25)),
    ),
    max_size=14,
)
policies_st = st.builds(
    lambda per_step, per_run: Policies(retries=RetryPolicy(per_step=per_step, per_run=per_run)),
    st.integers(0, 3),
    st.integers(0, 5),
)
# Every outcome is possible; success is made likelier so that runs also get to their end.
_FAMILIES = {
    "step": ("complete",) * 4 + STEP_OUTCOMES,
    "selfplay.run": ("candidates",) * 2 + SELFPLAY_OUTCOMES,
    "llm.start": ("ok",) * 3 + LLM_START_OUTCOMES,
    "llm.stop": ("ok",) * 3 + LLM_STOP_OUTCOMES,
    "llm.evaluate": ("proceed",) * 5 + LLM_EVAL_OUTCOMES,
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(first=good_requests, ops=operations, policies=policies_st, resume_at_end=st.booleans(),
       data=st.data())
def test_generated_histories_keep_every_promise(
    first: dict[str, Any], ops: list[tuple[str, Any]], policies: Policies, resume_at_end: bool,
    data: st.DataObject,
) -> None:
    def outcome(command: Any, ctx: Any = None) -> str:
        family = "step" if command.kind.startswith("step.") else command.kind
        choices = _FAMILIES[family]
        return data.draw(st.sampled_from(choices), label=command.kind)

    with tempfile.TemporaryDirectory() as tmp:
        home = make_home(Path(tmp) / "home", policies)
        runner = open_runner(home, outcome, memory=True)
        snapshots = [copy.deepcopy(runner.state)]
        files: list[str] = []

        def drop_file(body: Any) -> None:
            name = f"{len(files):03d}.json"
            files.append(name)
            drop(home, name, body)

        # The first request is a real dispatch, so every example exercises at least one run.
        for op, arg in [("file", dict(first, dry_run=False)), *ops]:
            if op == "file":
                drop_file(arg)
            elif op in ("halt", "resume"):
                drop_file({"kind": op})
            elif op == "approve":
                if runner.state.phase is Phase.ESCALATED:
                    drop_file({"kind": "approve", "run_id": runner.state.active, "action": arg})
            else:
                for _ in range(arg):
                    if runner.run_until_idle(max_commands=1) == 0:
                        break
                    snapshots.append(copy.deepcopy(runner.state))
            snapshots.append(copy.deepcopy(runner.state))
        if resume_at_end:
            drop_file({"kind": "resume"})
        runner.run_until_idle(max_commands=300)
        snapshots.append(copy.deepcopy(runner.state))
        records = list(runner.recorder.read())

        # Replaying any prefix equals the live state at that point.
        for snap in snapshots:
            assert fold(records[: snap.last_seq + 1]) == snap
        assert fold(records) == runner.state

        check_invariants(records, policies)
        event(f"events: {len(records) // 50 * 50}+")
        event(f"runs: {len(runner.state.runs)}")
        for run in runner.state.runs.values():
            event(f"run {run.status}")

        # Each request file: exactly one RequestReceived, then validated or rejected.
        received = sorted(r.data["name"] for r in records if r.type == "RequestReceived")
        assert received == sorted(files)
        assert not list(home.requests.iterdir())
        verdicts = [r.data["request_id"] for r in records
                    if r.type in ("RequestValidated", "RequestRejected")]
        assert len(verdicts) == len(set(verdicts)) == len(files)

        # Every dry run that was not held back by a halt has its plan, and nothing else.
        state = runner.state
        for request in state.requests.values():
            if request.dry_run and not state.halted:
                assert request.status == "planned"

        # The whole history replays clean: every recorded command is re-decided identically.
        dump = home.root / "dump.jsonl"
        assert isinstance(runner.recorder, InMemoryRecorder)
        dump.write_bytes(runner.recorder.dump())
        report = replay(dump)
        assert report.exit_code == 0, report.as_dict()
        assert report.decisions_checked == len(
            {r.causation_id for r in records if (r.causation_id or "").startswith("cmd:")}
        )
