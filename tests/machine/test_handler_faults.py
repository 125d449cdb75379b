"""Handlers that never finish: the attempt is recorded before the effect, and a command whose
process died K times in a row is recorded as failed instead of being run forever."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ledger import read_ledger

from machine.home import Home
from machine.registry import HandlerRegistry
from machine.replay import replay
from machine.runner import MAX_UNFINISHED_STARTS, Runner

from .fakes import all_pass, make_handlers
from .helpers import FakeClock, drop, make_home


class _ProcessDied(BaseException):
    """Stands for the daemon's process dying inside the handler (a kill, a power cut): the
    handler runs inline here, so that its death is the daemon's (a worker's death is in
    test_watchdog.py)."""


def _runner(home: Home, kills: dict[str, int]) -> Runner:
    handlers = make_handlers(all_pass)
    real = handlers["step.3"]

    def dies(command: Any, ctx: Any) -> Any:
        kills["n"] += 1
        if kills["n"] <= kills["limit"]:
            raise _ProcessDied()
        return real(command, ctx)

    handlers["step.3"] = dies
    registry = HandlerRegistry(handlers, use_process_registry=False, use_entry_points=False)
    clock = FakeClock()
    return Runner.open(home, registry=registry, clock=clock, sleep=clock.sleep, isolation="inline")


def test_a_handler_that_kills_its_process_every_time_is_recorded_failed(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    kills = {"n": 0, "limit": 10**6}
    restarts = 0
    while True:
        runner = _runner(home, kills)
        try:
            runner.run_until_idle()
            break
        except _ProcessDied:
            restarts += 1
            assert restarts <= 50, "the daemon would loop forever"
        finally:
            runner.close()
    records = list(read_ledger(home.ledger))
    starts = Counter(r.data["command_id"] for r in records if r.type == "CommandStarted"
                     and r.data["kind"] == "step.3")
    # every attempt of step 3 was started K times, then recorded failed; retries are bounded
    assert set(starts.values()) == {MAX_UNFINISHED_STARTS}
    assert restarts == MAX_UNFINISHED_STARTS * len(starts)
    failed = [r for r in records if r.type == "StepFailed"]
    assert len(failed) == len(starts)
    assert all("never finished" in r.data["reason"] for r in failed)
    assert replay(home.root).exit_code == 0


def test_a_handler_killed_once_is_run_again_and_completes(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    kills = {"n": 0, "limit": 1}
    with pytest.raises(_ProcessDied):
        with _runner(home, kills) as runner:
            runner.run_until_idle()
    with _runner(home, kills) as runner:
        runner.run_until_idle()
        assert {r.status for r in runner.state.runs.values()} == {"completed"}
    types = [r.type for r in read_ledger(home.ledger)]
    assert types.count("CommandStarted") >= 2 and "StepCompleted" in types
    assert replay(home.root).exit_code == 0


def test_a_halt_dropped_during_a_cooldown_is_taken_before_the_retry(tmp_path: Path) -> None:
    from machine.policies import CooldownPolicy, Policies

    home = make_home(tmp_path / "home", Policies(cooldowns=CooldownPolicy(before_retry_s=600)))
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})

    def outcome(command: Any, ctx: Any = None) -> str:
        if command.kind == "step.3" and command.attempt == 1:
            return "fail"
        return all_pass(command, ctx)

    clock = FakeClock()
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        if len(waited) == 3:  # an operator pulls the switch during the long wait
            drop(home, "halt.json", {"kind": "halt", "reason": "during the cooldown"})
        clock.sleep(seconds)

    registry = HandlerRegistry(make_handlers(outcome), use_process_registry=False,
                               use_entry_points=False)
    with Runner.open(home, registry=registry, clock=clock, sleep=sleep) as runner:
        runner.run_until_idle()
        assert runner.state.halted
    records = list(read_ledger(home.ledger))
    attempts = [r.data["attempt"] for r in records if r.type == "StepStarted"]
    assert attempts == [1], "the retry ran although a halt was waiting"
    assert sum(waited) < 600


def test_an_installation_that_can_start_the_llm_but_not_stop_it_is_refused() -> None:
    handlers = make_handlers(all_pass)
    del handlers["llm.stop"]
    registry = HandlerRegistry(handlers, use_process_registry=False, use_entry_points=False)
    with pytest.raises(ValueError, match="llm.start handler is installed but no llm.stop"):
        registry.check()


def test_a_full_disk_under_a_handler_s_events_is_not_recorded_as_its_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by benchmarks/fault_sweep.py: the append of a handler's events failed after the
    bytes were stored, and the runner recorded the handler as failed after them."""
    import errno
    import os

    from ledger import LedgerError

    home = make_home(tmp_path / "home")
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    kills = {"n": 0, "limit": 0}
    with _runner(home, kills) as runner:
        real = runner.recorder.append

        def full(events: Any, **kwargs: Any) -> Any:
            if any(e.type == "StepCompleted" for e in events):
                real(events, **kwargs)  # stored, then the disk filled up before the caller heard
                raise LedgerError("append failed: No space left on device (injected)")
            return real(events, **kwargs)

        monkeypatch.setattr(runner.recorder, "append", full)
        with pytest.raises(LedgerError):
            runner.run_until_idle()
    # the witness cannot be written either: the ledger holds the truth, appends go on
    real_pwrite = os.pwrite

    def no_space(*args: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device (injected)")

    monkeypatch.setattr(os, "pwrite", no_space)
    with _runner(home, kills) as runner:
        runner.run_until_idle()
        assert {r.status for r in runner.state.runs.values()} == {"completed"}
    monkeypatch.setattr(os, "pwrite", real_pwrite)
    assert not [r for r in read_ledger(home.ledger, ) if r.type == "StepFailed"]
    assert replay(home.root).exit_code == 0
