"""Record the ledgers in tests/histories/ from real ``watcher`` CLI runs.

Run from the repository root::

    python tests/histories/record.py            # every history
    python tests/histories/record.py NAME...   # only these

Each history is a fresh home driven through the command line (``python -m machine.cli``, in a
subprocess, as a user would), then its ``ledger.jsonl`` and ``artifacts/`` are copied here
with ``expected.json``: what ``watcher replay`` reports today. Handlers are the test ones of
``tests/machine/fakes.py`` (outcomes scripted by ``fake_script.json``) or none at all; installed
handlers (the real LLM...) are disabled so that the recordings do not depend on a model.

``divergent_step_params`` is made from ``learning_loop_full_pass``: its chain is re-hashed and
valid, but step 5 is recorded as started by a command with other parameters than today's
machine decides (a history from an older machine); replay must report the divergence.

Re-record (and review the diff) when a change to the machine legitimately changes decisions:
that is what these files are for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PLUGIN = REPO / "tests" / "machine" / "plugin"
sys.path.insert(0, str(REPO))

from ledger import InMemoryRecorder, read_ledger  # noqa: E402

from machine.commands import StartStep, make_command  # noqa: E402
from machine.replay import replay  # noqa: E402


def watcher(home: Path, *args: str, fakes: dict[str, str] | None = None,
            disable: str | None = None) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(PLUGIN)] if fakes is not None else [str(REPO)])
    env["WATCHER_DISABLE_HANDLERS"] = disable or ("handlers.*" if fakes is not None else "*")
    env.pop("WATCHER_HOME", None)
    if fakes is not None:
        (home / "fake_script.json").write_text(json.dumps(fakes))
    result = subprocess.run([sys.executable, "-m", "machine.cli", *args, "--home", str(home)],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    if result.returncode not in (0, 2):
        raise SystemExit(f"watcher {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def active_run(home: Path) -> str:
    out = json.loads(watcher(home, "status", "--json"))
    return str(out["active"]["run_id"])


def dry_run_plans(home: Path) -> None:
    watcher(home, "dispatch", "learning-loop", "steps_3_5_6", "--dry-run")
    watcher(home, "dispatch", "learning-loop", "full", "--dry-run")
    watcher(home, "dispatch", "selfplay", "--episodes", "5", "--dry-run")


def no_handlers_escalation(home: Path) -> None:
    watcher(home, "dispatch", "learning-loop")
    watcher(home, "daemon", "--once")
    watcher(home, "approve", active_run(home), "--abort", "--note", "no pipeline installed yet")
    watcher(home, "daemon", "--once")


def learning_loop_full_pass(home: Path) -> None:
    watcher(home, "dispatch", "learning-loop", "full", fakes={})
    watcher(home, "daemon", "--once", fakes={})


def selfplay_candidates(home: Path) -> None:
    watcher(home, "submit", str(REPO / "examples" / "requests" / "selfplay_retrain.json"), fakes={})
    watcher(home, "daemon", "--once", fakes={})


def retries_clamp_approval(home: Path) -> None:
    script = {
        "step.3/3/1": "hard_gate",  # guardrail: retry; the LLM says proceed: clamped to retry
        "llm.evaluate/3/1": "proceed",
        "llm.evaluate/3/2": "retry_adjust",  # the LLM asks a retry with adjustments (bounded)
        "llm.evaluate/5/1": "escalate",  # a human must look; approved to continue
        "llm.stop/6": "ok",
    }
    watcher(home, "dispatch", "learning-loop", fakes=script)
    watcher(home, "daemon", "--once", fakes=script)
    watcher(home, "approve", active_run(home), "--note", "looked fine", fakes=script)
    watcher(home, "daemon", "--once", fakes=script)


def halt_resume_rejections(home: Path) -> None:
    watcher(home, "halt", "--reason", "maintenance", fakes={})
    watcher(home, "dispatch", "learning-loop", "4,6", "--id", "nightly", fakes={})
    watcher(home, "daemon", "--once", fakes={})  # halted: nothing runs
    requests = home / "watcher_requests"
    (requests / "bad.json").write_text("{ not json")
    (requests / "dup.json").write_text(json.dumps({"kind": "selfplay_retrain", "id": "nightly"}))
    (requests / "far.json").write_text(json.dumps({"kind": "pipeline_rerun", "draws": "../x"}))
    watcher(home, "resume", fakes={})
    watcher(home, "daemon", "--once", fakes={})


def learning_loop_pipeline(home: Path) -> None:
    """The real pipeline handlers (the LLM disabled): a planted noisy history is ingested, the
    full loop identifies it and issues a prediction."""
    from handlers.pipeline.synthetic import as_jsonl, planted_history

    records, _truth, _clean = planted_history(48, generator="java_random",
                                              reduction="java_nextint:1000", corrupt=2)
    draws = home.parent / "planted.jsonl"
    draws.write_text(as_jsonl(records))
    request = home.parent / "loop.json"
    request.write_text(json.dumps({"kind": "learning_loop", "scope": "full", "params": {
        "generators": "java_random", "budget_s": 2, "plan_trials": 15}}))
    watcher(home, "ingest", str(draws), disable="llm.*")
    watcher(home, "submit", str(request), disable="llm.*")
    watcher(home, "daemon", "--once", disable="llm.*")


def selfplay_shadow_rollback(home: Path) -> None:
    """The real selfplay and shadow handlers (nothing else installed, Chapter 13's own triggers
    off): timed draws of a clock-seeded generator, a cheap selfplay run whose candidate is then
    shadowed on the draws that arrive after it, a policy rollback."""
    from datetime import datetime, timedelta, timezone

    from kernels.observation import Hypothesis, predict

    policies = json.loads((home / "policies.json").read_text())
    (home / "policies.json").write_text(json.dumps({**policies, "autonomous": False}))
    start = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)
    values = predict(Hypothesis(generator="java_random", seed=int(start.timestamp()) - 100,
                                reduction="mod:1000"), 30)
    values[16] = (values[16] + 500) % 1000
    lines = [json.dumps({"ts": (start + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "draw": v}) for i, v in enumerate(values)]
    mine = "llm.*,step.*,chapter13.*"
    before, after = home.parent / "before.jsonl", home.parent / "after.jsonl"
    before.write_text("\n".join(lines[:12]) + "\n")
    after.write_text("\n".join(lines[12:]) + "\n")
    request = home.parent / "explore.json"
    request.write_text(json.dumps({"kind": "selfplay_retrain", "episodes": 2, "seed": 3, "params": {
        "generators": "glibc_random,java_random", "episode_draws": 16, "candidates": 2}}))
    watcher(home, "ingest", str(before), disable=mine)
    watcher(home, "submit", str(request), disable=mine)
    watcher(home, "daemon", "--once", disable=mine)
    watcher(home, "ingest", str(after), disable=mine)
    watcher(home, "daemon", "--once", disable=mine)
    watcher(home, "policy", "rollback", "--reason", "recorded rollback", disable=mine)


HISTORIES = {
    "dry_run_plans": dry_run_plans,
    "no_handlers_escalation": no_handlers_escalation,
    "learning_loop_full_pass": learning_loop_full_pass,
    "selfplay_candidates": selfplay_candidates,
    "retries_clamp_approval": retries_clamp_approval,
    "halt_resume_rejections": halt_resume_rejections,
    "learning_loop_pipeline": learning_loop_pipeline,
    "selfplay_shadow_rollback": selfplay_shadow_rollback,
}


def expected(path: Path) -> dict[str, Any]:
    report = replay(path).as_dict()
    keys = ("verdict", "exit_code", "events", "runs", "plans", "requests", "decisions_checked",
            "phase", "halted")
    out = {k: report[k] for k in keys}
    out["divergences"] = len(report["divergences"])
    return out


def save(name: str, home: Path) -> None:
    dest = HERE / name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir()
    shutil.copy(home / "ledger.jsonl", dest / "ledger.jsonl")
    if any((home / "artifacts").rglob("*")):
        shutil.copytree(home / "artifacts", dest / "artifacts")
    (dest / "expected.json").write_text(json.dumps(expected(dest), indent=2) + "\n")


def make_divergent() -> None:
    """Re-chain ``learning_loop_full_pass`` with step 5 started by another command."""
    source = HERE / "learning_loop_full_pass" / "ledger.jsonl"
    recorder = InMemoryRecorder()
    old_id = None
    new_id = None
    events = []
    for record in read_ledger(source):
        event = record.as_new_event()
        if record.type == "StepStarted" and record.data["step"] == 5 and old_id is None:
            assert record.causation_id is not None and record.run_id is not None
            data = dict(record.data, params={"window": 30})  # what an older machine passed
            command = make_command(
                StartStep, record.causation_id.split(":", 1)[1].split("#")[0],
                request_id="rq-" + record.run_id.removeprefix("run-"),
                run_id=record.run_id, step=5, attempt=data["attempt"],
                gpu_heavy=data["gpu_heavy"], params=data["params"], adjustments=data["adjustments"],
            )
            old_id, new_id = record.causation_id, command.id
            event = event.model_copy(update={"data": data})
        if old_id is not None and new_id is not None and record.causation_id == old_id:
            event = event.model_copy(update={
                "causation_id": new_id, "id": record.id.replace(old_id, new_id)})
        events.append(event)
    recorder.append(events)
    dest = HERE / "divergent_step_params"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir()
    (dest / "ledger.jsonl").write_bytes(recorder.dump())
    (dest / "expected.json").write_text(json.dumps(expected(dest), indent=2) + "\n")


def main(names: list[str]) -> None:
    unknown = set(names) - set(HISTORIES)
    if unknown:
        raise SystemExit(f"unknown histories {sorted(unknown)}; known: {sorted(HISTORIES)}")
    for name, drive in HISTORIES.items():
        if names and name not in names:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "home"
            watcher(home, "init")
            drive(home)
            save(name, home)
        print(f"{name}: {json.loads((HERE / name / 'expected.json').read_text())}")
    if names:
        return
    make_divergent()
    print(f"divergent_step_params: {(HERE / 'divergent_step_params' / 'expected.json').read_text()}")


if __name__ == "__main__":
    main(sys.argv[1:])
