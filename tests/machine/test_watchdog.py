"""Handlers under the watchdog (``machine.watchdog``): a handler stuck in C code is stopped at
its timeout and recorded failed; requests, halts first of all, are taken in while a handler
runs; a worker that dies is started again, then recorded failed, and the daemon lives on;
SIGTERM stops a running handler and the daemon cleanly; ``llm.start`` is held to its timeout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from ledger import read_ledger

from machine.events import StepCompleted
from machine.home import Home, lock_holder
from machine.policies import Policies, RetryPolicy, TimeoutPolicy
from machine.registry import HandlerRegistry
from machine.replay import replay
from machine.runner import MAX_UNFINISHED_STARTS, Runner

from .fakes import all_pass, hang_or_die, make_handlers
from .helpers import PLUGIN, REPO, FakeClock, drop, make_home

#: Short timeouts, and no retries: one attempt of each unit.
FAST = Policies(
    timeouts=TimeoutPolicy(step_s=1.0, llm_start_s=1.0, llm_stop_s=1.0, llm_evaluate_s=1.0),
    retries=RetryPolicy(per_step=0, per_run=0),
)


def _runner(home: Home, handlers: dict[str, Any]) -> Runner:
    registry = HandlerRegistry(handlers, use_process_registry=False, use_entry_points=False)
    clock = FakeClock()
    return Runner.open(home, registry=registry, clock=clock, sleep=clock.sleep)


def _records(home: Home) -> list[Any]:
    return list(read_ledger(home.ledger))


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.timeout(120)
def test_a_handler_stuck_in_c_code_is_stopped_at_its_timeout_and_recorded_failed(
    tmp_path: Path,
) -> None:
    home = make_home(tmp_path / "home", FAST)
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    handlers = make_handlers(lambda c, ctx=None: "hang" if c.kind == "step.3" else all_pass(c))
    began = time.monotonic()
    with _runner(home, handlers) as runner:
        runner.run_until_idle()
        worker = runner._worker
        assert worker is not None and worker.pid is None  # the hung worker is gone
        assert {r.status for r in runner.state.runs.values()} <= {"failed", "escalated"}
    took = time.monotonic() - began
    [failed] = [r for r in _records(home) if r.type == "StepFailed"]
    assert "timeout of 1 s" in failed.data["reason"] and "(timeout)" in failed.data["reason"]
    assert took < 30, f"the daemon waited {took:.1f} s on a 1-s timeout"
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(120)
def test_a_halt_dropped_while_a_long_handler_runs_is_recorded_at_once_and_holds(
    tmp_path: Path,
) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3, 5]})
    handlers = make_handlers(all_pass)

    def long_step(command: Any, ctx: Any) -> list[Any]:
        # an operator pulls the switch while this step runs (for long: in C code)
        drop(home, "halt.json", {"kind": "halt", "reason": "while step 3 runs"})
        import ctypes

        ctypes.CDLL(None).usleep(1_500_000)
        return [ctx.event(StepCompleted(step=command.step, attempt=command.attempt))]

    handlers["step.3"] = long_step
    with _runner(home, handlers) as runner:
        runner.run_until_idle()
        assert runner.state.halted
    records = _records(home)
    seq = {r.type: r.seq for r in records}
    assert seq["Halted"] < seq["StepCompleted"], "the halt waited for the handler to finish"
    # the running unit finished and was recorded; nothing after it was dispatched
    after = [r for r in records if r.seq > seq["StepCompleted"]]
    assert not [r for r in after if (r.causation_id or "").startswith("cmd:")], after
    assert not [r for r in records if r.type == "StepStarted" and r.data["step"] == 5]
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(120)
def test_a_worker_that_dies_every_time_is_recorded_failed_and_the_daemon_lives_on(
    tmp_path: Path,
) -> None:
    home = make_home(tmp_path / "home", FAST)
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    handlers = make_handlers(lambda c, ctx=None: "die" if c.kind == "step.3" else all_pass(c))
    with _runner(home, handlers) as runner:
        runner.run_until_idle()  # in the daemon's own process this SIGKILLed it
        assert runner._worker is not None and runner._worker.forks >= MAX_UNFINISHED_STARTS
    records = _records(home)
    starts = [r for r in records if r.type == "CommandStarted" and r.data["kind"] == "step.3"]
    assert len(starts) == MAX_UNFINISHED_STARTS
    [failed] = [r for r in records if r.type == "StepFailed"]
    assert "never finished" in failed.data["reason"] and "SIGKILL" in failed.data["reason"]
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(120)
def test_a_worker_that_dies_once_is_started_again_and_completes(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    deaths = tmp_path / "deaths"
    handlers = make_handlers(all_pass)
    real = handlers["step.3"]

    def dies_once(command: Any, ctx: Any) -> Any:
        if not deaths.exists():  # the worker's memory dies with it: count on disk
            deaths.write_text("1")
            hang_or_die("die")
        return real(command, ctx)

    handlers["step.3"] = dies_once
    with _runner(home, handlers) as runner:
        runner.run_until_idle()
        assert {r.status for r in runner.state.runs.values()} == {"completed"}
    starts = [r.data["start"] for r in _records(home) if r.type == "CommandStarted"
              and r.data["kind"] == "step.3"]
    assert starts == [1, 2]
    assert replay(home.root).exit_code == 0


def _scripted_step_3(plan: list[str], folder: Path) -> Any:
    """An outcome function: step 3 does ``plan[n]`` at its n-th start (counted on disk: a
    worker that dies forgets), and touches ``running-<n>`` when it is about to hang."""

    def outcome(command: Any, ctx: Any = None) -> str:
        if command.kind != "step.3":
            return all_pass(command)
        count = folder / "starts"
        done = len(count.read_text()) if count.exists() else 0
        with open(count, "a") as fh:
            fh.write("x")
        what = plan[done] if done < len(plan) else "complete"
        if what == "hang":
            (folder / f"running-{done}").touch()
        return what

    return outcome


def _stop_once(marker: Path) -> threading.Event:
    """An event set as soon as ``marker`` exists (the operator's SIGTERM during the step)."""
    stop = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        stop.set()

    threading.Thread(target=watch, daemon=True).start()
    return stop


@pytest.mark.timeout(120)
@pytest.mark.parametrize("after", [["die", "die", "complete"], ["die", "die", "die"]])
def test_orderly_stops_during_a_step_are_recorded_and_only_deaths_count_as_unfinished(
    tmp_path: Path, after: list[str]
) -> None:
    """An operator who restarts the daemon (SIGTERM) while a long step runs, more often than
    the limit, interrupts it each time: recorded as ``CommandInterrupted``, not counted. A
    death (a native crash, the OOM killer) still counts: the third one is the failure."""
    home = make_home(tmp_path / "home", Policies(retries=RetryPolicy(per_step=0, per_run=0)))
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    stops = MAX_UNFINISHED_STARTS + 1
    handlers = make_handlers(_scripted_step_3(["hang"] * stops + after, tmp_path))
    for n in range(stops):
        with _runner(home, handlers) as runner:
            runner.run_until_idle(stop=_stop_once(tmp_path / f"running-{n}"))
    with _runner(home, handlers) as runner:
        runner.run_until_idle()
        statuses = {r.status for r in runner.state.runs.values()}
    records = _records(home)
    failed = [r.data["reason"] for r in records if r.type == "StepFailed"]
    if after[-1] == "complete":
        assert statuses == {"completed"} and not failed, failed
    else:
        [failure] = failed
        assert "started 3 times and never finished" in failure and "SIGKILL" in failure
    step_3 = [r for r in records if r.type == "CommandStarted" and r.data["kind"] == "step.3"]
    # the stopped starts are numbered 1 again and again: they do not count
    assert [r.data["start"] for r in step_3] == [1] * stops + list(range(1, len(after) + 1))
    interrupted = [r for r in records if r.type == "CommandInterrupted"]
    assert len(interrupted) == stops
    assert {r.data["command_id"] for r in interrupted} == {step_3[0].data["command_id"]}
    assert all("stopped" in r.data["reason"] for r in interrupted)
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(120)
def test_llm_start_is_held_to_its_timeout(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home", FAST)
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    handlers = make_handlers(lambda c, ctx=None: "hang" if c.kind == "llm.start" else all_pass(c))
    with _runner(home, handlers) as runner:
        runner.run_until_idle()
        # the guardrails judged alone, and the loop went on
        assert {r.status for r in runner.state.runs.values()} == {"completed"}
    unavailable = [r.data for r in _records(home) if r.type == "LLMUnavailable"]
    assert unavailable and unavailable[0]["phase"] == "start"
    assert "timeout of 1 s" in unavailable[0]["reason"]


def test_fast_handlers_share_one_worker(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "loop.json", {"kind": "learning_loop", "scope": "full"})
    with _runner(home, make_handlers(all_pass)) as runner:
        runner.run_until_idle()
        worker = runner._worker
        assert worker is not None and worker.forks == 1
        pid = worker.pid
        assert _alive(pid)
        assert {r.status for r in runner.state.runs.values()} == {"completed"}
    assert not _alive(pid)  # closing the runner ends the worker


def _plugin_daemon(home: Home, *args: str, disable: str = "handlers.*") -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(PLUGIN)])
    env["WATCHER_DISABLE_HANDLERS"] = disable  # the test plugin's handlers (and ingest's)
    return subprocess.Popen(
        [sys.executable, "-m", "machine.cli", "daemon", "--quiet", *args, "--home",
         str(home.root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO,
    )


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline and _alive(int(entry.name)):
                found.append(int(entry.name))
    return found


@pytest.mark.timeout(180)
def test_sigterm_while_a_handler_hangs_stops_the_daemon_and_its_worker_cleanly(
    tmp_path: Path,
) -> None:
    home = make_home(tmp_path / "home")
    (home.root / "fake_script.json").write_text(json.dumps({"step.3": "hang"}))
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    proc = _plugin_daemon(home)
    deadline = time.monotonic() + 90
    started = False
    while not started and time.monotonic() < deadline and proc.poll() is None:
        started = any(r.type == "CommandStarted" and r.data["kind"] == "step.3"
                      for r in read_ledger(home.ledger))
        time.sleep(0.05)
    assert started, "the daemon never started step 3"
    time.sleep(0.3)  # inside the handler now
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 10, "SIGTERM waited for the hung handler"
    assert proc.returncode == 0, err.decode()
    assert b"stopped by signal" in out
    time.sleep(0.5)
    assert _processes_naming(str(home.root)) == []  # no worker left behind
    assert lock_holder(home) is None
    records = _records(home)
    assert not [r for r in records if r.type in ("StepCompleted", "StepFailed")]
    # the orderly stop is recorded: that start will not count against the command
    [interrupted] = [r for r in records if r.type == "CommandInterrupted"]
    assert interrupted.data["kind"] == "step.3" and interrupted.data["start"] == 1
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(180)
def test_a_process_that_loaded_openmp_libraries_gets_a_fresh_interpreter_as_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fork of a process that ran OpenMP work hangs in its next parallel region: such a
    process (here one that merely says it loaded torch) serves installed handlers from a
    fresh interpreter, with the same watchdog."""
    import types

    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    monkeypatch.syspath_prepend(str(PLUGIN))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), str(PLUGIN)]))
    monkeypatch.setenv("WATCHER_DISABLE_HANDLERS", "handlers.*")  # the test plugin's only
    home = make_home(tmp_path / "home", FAST)
    (home.root / "fake_script.json").write_text(json.dumps({"step.4": "hang"}))
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    clock = FakeClock()
    with Runner.open(home, registry=HandlerRegistry(), clock=clock, sleep=clock.sleep) as runner:
        runner.run_until_idle()
        worker = runner._worker
        assert worker is not None and worker.pid is not None
        cmdline = Path(f"/proc/{worker.pid}/cmdline").read_bytes().split(b"\0")
        assert any(b"machine.watchdog" in part for part in cmdline)
        assert {r.status for r in runner.state.runs.values()} == {"completed"}
        drop(home, "loop2.json", {"kind": "learning_loop", "scope": [4]})
        runner.run_until_idle()
    [failed] = [r for r in _records(home) if r.type == "StepFailed"]
    assert "timeout of 1 s" in failed.data["reason"]
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(180)
def test_the_daemon_runs_until_stopped_taking_requests_and_draws_as_they_come(
    tmp_path: Path,
) -> None:
    home = make_home(tmp_path / "home")
    (home.root / "fake_script.json").write_text(json.dumps({"*": "complete"}))
    # the test plugin's handlers, and the installed draw ingest (handlers.ingest)
    proc = _plugin_daemon(home, "--poll", "0.1", disable="handlers.[!i]*")

    def wait_for(kind: str, count: int = 1) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if sum(r.type == kind for r in read_ledger(home.ledger)) >= count:
                return
            time.sleep(0.1)
        raise AssertionError(f"no {kind} after 60 s (daemon exit {proc.poll()})")

    try:
        time.sleep(1.0)  # idle: it waits, it does not exit
        assert proc.poll() is None
        drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
        wait_for("DispatchCompleted")
        tmp = home.draws / ".draws.jsonl.tmp"
        tmp.write_text("".join(json.dumps({"ts": f"2026-11-24T16:00:{s:02d}Z", "draw": s})
                               + "\n" for s in range(5)))
        os.replace(tmp, home.draws / "draws.jsonl")
        wait_for("DrawIngested")
        drop(home, "loop2.json", {"kind": "learning_loop", "scope": [4]})
        wait_for("DispatchCompleted", 2)
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
    assert b"stopped by signal" in out
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(300)
def test_an_operator_restarting_the_daemon_during_a_long_step_never_fails_it(
    tmp_path: Path,
) -> None:
    """SIGTERM to the real daemon while step 3 runs, one time more than the limit of
    unfinished starts; the step then completes, and nothing was recorded failed."""
    home = make_home(tmp_path / "home")
    script = home.root / "fake_script.json"
    script.write_text(json.dumps({"step.3": "hang"}))
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})

    def starts() -> int:
        return sum(r.type == "CommandStarted" and r.data["kind"] == "step.3"
                   for r in read_ledger(home.ledger))

    for n in range(1, MAX_UNFINISHED_STARTS + 2):
        proc = _plugin_daemon(home)
        deadline = time.monotonic() + 90
        while starts() < n and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert starts() == n, f"restart {n}: step 3 was not started again"
        time.sleep(0.3)  # inside the handler now
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err.decode()
    script.write_text(json.dumps({"step.3": "complete"}))
    proc = _plugin_daemon(home, "--once")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    records = _records(home)
    assert not [r for r in records if r.type == "StepFailed"]
    assert sum(r.type == "CommandInterrupted" for r in records) == MAX_UNFINISHED_STARTS + 1
    assert any(r.type == "DispatchCompleted" for r in records)
    assert replay(home.root).exit_code == 0
