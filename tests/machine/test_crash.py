"""Crash test: a daemon SIGKILLed at random points, restarted, ends where an uninterrupted one does.

The daemon runs in a subprocess with the test handlers (``tests/machine/plugin``), each
sleeping a little so that kills land inside handlers, between appends, during intake and during
start-up; after some kills a cut-short line is appended, as a kill in the middle of ``write()``
would leave it. After every kill the ledger must verify (only a torn last line may be wrong, and the
next writer repairs it); at the end no request was lost or received twice, no run was started
twice, every recorded command's events form one batch, replay is clean, and the folded state
equals that of a daemon that was never interrupted.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from ledger import read_ledger, verify_ledger

from machine.fold import fold
from machine.home import Home
from machine.policies import Policies, RetryPolicy
from machine.replay import replay
from machine.runner import MAX_UNFINISHED_STARTS

from .helpers import PLUGIN, REPO, check_invariants, drop, make_home

KILLS = int(os.environ.get("WATCHER_CRASH_KILLS", "25"))
SEED = int(os.environ.get("WATCHER_CRASH_SEED", "20261125"))

REQUESTS = {
    "01-loop.json": {"kind": "learning_loop", "scope": "full"},
    "02-selfplay.json": {"kind": "selfplay_retrain", "episodes": 3, "seed": 9},
    "03-dry.json": {"kind": "pipeline_rerun", "dry_run": True},
    "04-broken.json": "{ not json",
    "05-loop.json": {"kind": "learning_loop", "scope": [2, 4, 5]},
    "06-dup.json": {"kind": "selfplay_retrain", "id": "same"},
    "07-dup.json": {"kind": "learning_loop", "id": "same"},
}
# Everything passes except these: retries, an exception, an LLM that will not stop, a clamp.
SCRIPT = {
    "step.3/3/1": "fail",
    "step.2/2/1": "raise",
    "llm.stop/1/1": "fail",
    "llm.evaluate/5/1": "retry_adjust",
    "step.4/4/1": "hard_gate",
    "llm.evaluate/4/1": "proceed",
    "selfplay.run/selfplay/1": "no_candidates",
}
POLICIES = Policies(retries=RetryPolicy(per_step=2, per_run=6))


def _prepare(root: Path) -> Home:
    home = make_home(root, POLICIES)
    (home.root / "fake_script.json").write_text(json.dumps(SCRIPT))
    for name, body in REQUESTS.items():
        drop(home, name, body)
    return home


def _daemon(home: Home) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(PLUGIN)])
    env["WATCHER_DISABLE_HANDLERS"] = "handlers.*"  # only the test plugin's handlers
    env["WATCHER_FAKE_DELAY"] = "0.06"
    return subprocess.Popen(
        [sys.executable, "-m", "machine.cli", "daemon", "--once", "--quiet", "--home",
         str(home.root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO,
    )


def _finish(home: Home) -> None:
    proc = _daemon(home)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()


def _one_more_kill_exhausts_starts(home: Home) -> bool:
    """Whether the daemon is inside a handler already killed MAX_UNFINISHED_STARTS - 1 times.

    One more kill there makes that command a recorded failure by design (guarded by
    test_handler_faults), which is not the outcome of an uninterrupted run; so this test lets
    that handler finish before it kills again."""
    records = []
    for line in home.ledger.read_bytes().splitlines():
        try:
            records.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            break  # a line still being written
    if not records or records[-1].get("type") != "CommandStarted":
        return False
    command_id = records[-1]["data"]["command_id"]
    starts = sum(
        1 for r in records if r.get("type") == "CommandStarted" and r["data"]["command_id"] == command_id
    )
    return starts >= MAX_UNFINISHED_STARTS - 1


def _check_midway(home: Home) -> bool:
    """After a kill: the ledger verifies (returns whether its tail is torn) and no request
    file has been lost or received twice."""
    report = verify_ledger(home.ledger)  # raises LedgerTampered on anything but a torn tail
    received = Counter(r.data["name"] for r in read_ledger(home.ledger) if r.type == "RequestReceived")
    assert all(n == 1 for n in received.values()), received
    waiting = {p.name for p in home.requests.glob("*.json")}
    claimed = {p.name.split("--", 1)[1] for p in home.claimed.iterdir()}
    filed = {p.name.split("--", 1)[1] for p in [*home.archive.iterdir(), *home.quarantine.iterdir()]}
    assert waiting | claimed | set(received) == set(REQUESTS)  # nothing lost
    assert filed <= set(received)  # filed away only once recorded
    return report.torn_tail is not None


def _lines(home: Home) -> int:
    return home.ledger.read_bytes().count(b"\n")


def _tear(home: Home, rng: random.Random) -> None:
    """Append a cut-short copy of the last line: a torn write."""
    lines = home.ledger.read_bytes().splitlines()
    if lines:
        last = lines[-1]
        with open(home.ledger, "ab") as fh:
            fh.write(last[: rng.randint(1, len(last) - 2)])


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_daemon_survives_sigkill_anywhere(tmp_path: Path) -> None:
    reference = _prepare(tmp_path / "reference")
    _finish(reference)

    home = _prepare(tmp_path / "crashed")
    rng = random.Random(SEED)
    kills = torn = 0
    while kills < KILLS:
        lines = _lines(home)
        proc = _daemon(home)
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0.05, 0.6))  # during start-up, repair or intake
        else:
            # A random point of progress: after 1..6 new events, then a few ms more (inside
            # the next handler, or between appends).
            target = lines + rng.randint(1, 6)
            deadline = time.monotonic() + 60
            while _lines(home) < target and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.003)
            time.sleep(rng.uniform(0, 0.05))
        while proc.poll() is None and _one_more_kill_exhausts_starts(home):
            time.sleep(0.003)
        if proc.poll() is not None:
            _out, err = proc.communicate()
            assert proc.returncode == 0, err.decode()
            break  # it finished on its own
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        kills += 1
        if rng.random() < 0.25:
            _tear(home, rng)  # what a kill in the middle of write() leaves
        torn += _check_midway(home)
    _finish(home)
    print(f"crash test: {kills} kills (seed {SEED}), {torn} torn tails seen")

    records = list(read_ledger(home.ledger))
    expected = list(read_ledger(reference.ledger))
    assert kills >= min(KILLS, 10), "the daemon finished too fast to be interrupted"

    # Same work, same decisions, same outcome.
    assert fold(records).summary() == fold(expected).summary()
    # (a command's start is recorded again after each kill inside its handler)
    core = [r.type for r in records if r.type not in ("LedgerRepaired", "CommandStarted")]
    assert core == [r.type for r in expected if r.type != "CommandStarted"]
    starts = Counter(r.data["command_id"] for r in records if r.type == "CommandStarted")
    assert starts.keys() == {r.data["command_id"] for r in expected if r.type == "CommandStarted"}
    assert max(starts.values()) <= MAX_UNFINISHED_STARTS
    # Only torn tails were repaired, each recorded (at most once per torn tail seen).
    repairs = [r for r in records if r.type == "LedgerRepaired"]
    assert len(repairs) <= torn
    assert repairs or not torn  # (a kill right after a truncation may lose one record, not all)
    assert all(r.data["truncated_bytes"] > 0 for r in repairs)
    # No request lost or received twice; no run started twice.
    received = Counter(r.data["name"] for r in records if r.type == "RequestReceived")
    assert received == Counter(REQUESTS.keys())
    assert not list(home.requests.glob("*.json"))
    started = Counter(r.data["request_id"] for r in records if r.type == "DispatchStarted")
    assert all(n == 1 for n in started.values())
    # Each command's events are one contiguous batch: no command ran twice into the ledger.
    batches = [r.causation_id for r in records if r.causation_id]
    runs = [c for i, c in enumerate(batches) if i == 0 or batches[i - 1] != c]
    assert len(runs) == len(set(runs))
    check_invariants(records, POLICIES)
    assert replay(home.root).exit_code == 0
    state = fold(records)
    assert {r.status for r in state.runs.values()} == {"completed"}
