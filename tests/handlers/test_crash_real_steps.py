"""A daemon running the real six steps (search, training, prediction: no fakes), SIGKILLed at
random moments and restarted, ends where an uninterrupted daemon does: same steps completed,
same identification and prediction, no request received twice, no run started twice, no
command's events split by another command's, and a ledger that replays clean.

The handlers run in the daemon's worker process; a kill of the daemon takes the worker with
it (the kernel's parent-death signal), so nothing of the killed daemon writes on."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ledger import read_ledger, verify_ledger

from handlers.pipeline.synthetic import as_jsonl, planted_history
from machine.fold import fold
from machine.home import Home
from machine.replay import replay

from tests.machine.helpers import REPO
from tests.machine.test_crash import _one_more_kill_exhausts_starts

KILLS = int(os.environ.get("WATCHER_REAL_CRASH_KILLS", "4"))
SEED = int(os.environ.get("WATCHER_REAL_CRASH_SEED", "20261204"))
#: Small, fast settings of the steps (as the pipeline tests use), a search budget that finds
#: the planted seed with room to spare; numpy, whose speed does not change between the runs
#: (a compiled backend's first run builds programs the later runs find cached, and the kills
#: are timed from the first run)
PARAMS = {"generators": "java_random,minstd_rand", "budget_s": 20, "plan_trials": 20,
          "model_budget_s": 8, "model_trials": 3, "backend": "numpy",
          "seed_costs": "java_random=1.5e-7,minstd_rand=1.5e-7"}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env["WATCHER_DISABLE_HANDLERS"] = "llm.*"  # the guardrails judge; the steps are real
    return env


def _watcher(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "machine.cli", *args], env=_env(), cwd=REPO,
                          capture_output=True, timeout=300)


def _prepare(root: Path) -> Path:
    home = root / "home"
    root.mkdir(parents=True, exist_ok=True)
    records, _truth, _clean = planted_history(60, generator="java_random",
                                              reduction="java_nextint:1000", corrupt=0)
    draws = root / "draws.jsonl"
    draws.write_text(as_jsonl(records))
    request = root / "loop.json"
    request.write_text(json.dumps({"kind": "learning_loop", "scope": "full", "params": PARAMS}))
    for args in (("init",), ("ingest", str(draws)), ("submit", str(request))):
        done = _watcher(*args, "--home", str(home))
        assert done.returncode == 0, done.stderr.decode()
    return home


def _daemon(home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "machine.cli", "daemon", "--once", "--quiet", "--home", str(home)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(), cwd=REPO,
    )


def _outcome(records: list[Any]) -> dict[str, Any]:
    completed = [r.data for r in records if r.type == "StepCompleted"]
    [prediction] = [r.data for r in records if r.type == "PredictionIssued"]
    return {
        "steps": sorted(d["step"] for d in completed),
        "identified": [d["metrics"].get("identified") for d in completed if d["step"] == 2],
        "prediction": (prediction["identified"], prediction["target_index"],
                       prediction["pool"][0]["draw"], prediction["hypothesis"]),
        "closed": [r.type for r in records if r.type in ("DispatchCompleted", "DispatchFailed")],
    }


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_daemon_running_the_real_steps_survives_sigkill(tmp_path: Path) -> None:
    reference = _prepare(tmp_path / "reference")
    crashed = tmp_path / "crashed" / "home"
    shutil.copytree(reference, crashed)
    done = _daemon(reference)
    began = time.monotonic()
    _out, err = done.communicate(timeout=600)
    assert done.returncode == 0, err.decode()
    uninterrupted_s = time.monotonic() - began

    rng = random.Random(SEED)
    kills = 0
    while kills < KILLS:
        proc = _daemon(crashed)
        time.sleep(rng.uniform(0.5, max(1.0, uninterrupted_s / 3)))
        while proc.poll() is None and _one_more_kill_exhausts_starts(Home(crashed)):
            time.sleep(0.01)
        if proc.poll() is not None:
            _out, err = proc.communicate()
            assert proc.returncode == 0, err.decode()
            break
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        kills += 1
        verify_ledger(crashed / "ledger.jsonl")  # only a torn tail may be wrong
    finish = _daemon(crashed)
    _out, err = finish.communicate(timeout=600)
    assert finish.returncode == 0, err.decode()
    print(f"real-steps crash test: {kills} kills (seed {SEED}); uninterrupted run "
          f"{uninterrupted_s:.1f} s")
    assert kills >= 1, "the daemon finished before any kill"

    records = list(read_ledger(crashed / "ledger.jsonl"))
    expected = list(read_ledger(reference / "ledger.jsonl"))
    assert _outcome(records) == _outcome(expected)
    assert fold(records).summary() == fold(expected).summary()
    received = Counter(r.data["request_id"] for r in records if r.type == "RequestReceived")
    assert all(n == 1 for n in received.values())
    started = Counter(r.data["request_id"] for r in records if r.type == "DispatchStarted")
    assert all(n == 1 for n in started.values())
    batches = [r.causation_id for r in records if r.causation_id]
    runs = [c for i, c in enumerate(batches) if i == 0 or batches[i - 1] != c]
    assert len(runs) == len(set(runs)), "a command's events were split by another command's"
    assert replay(crashed).exit_code == 0 and replay(reference).exit_code == 0
