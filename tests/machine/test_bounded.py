"""What a command costs does not grow with the history: no copy of the whole state per
command, and a batch the fold refuses is never stored (the live state stays the ledger's)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ledger import NewEvent, read_ledger

from machine.events import StepCompleted, new_event
from machine.fold import FoldError, fold
from machine.state import State

from .fakes import all_pass
from .helpers import drop, make_home, open_runner


def test_commands_run_without_copying_the_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "loop.json", {"kind": "learning_loop", "scope": "full"})

    real = copy.deepcopy

    def no_copy(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, State):
            raise AssertionError("the whole state was deep-copied for one command")
        return real(value, *args, **kwargs)

    with open_runner(home, all_pass) as runner:
        monkeypatch.setattr(copy, "deepcopy", no_copy)
        runner.run_until_idle()
        monkeypatch.undo()
        assert {r.status for r in runner.state.runs.values()} == {"completed"}


def test_a_batch_the_fold_refuses_is_not_stored_and_the_state_stays_the_ledger_s(
    tmp_path: Path,
) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3]})
    with open_runner(home, all_pass) as runner:
        runner.intake()
        before = runner.state.summary()
        last = runner.state.last_seq
        # a step result with no step started: the fold refuses it, after a good event
        good = new_event(StepCompleted(step=3, attempt=1), id="x/0", ts="2026-11-25T10:00:00.000000Z")
        assert isinstance(good, NewEvent)
        with pytest.raises(FoldError):
            runner.append([good])
        assert runner.state.last_seq == last and runner.state.summary() == before
        assert runner.state.summary() == fold(read_ledger(home.ledger)).summary()
        runner.run_until_idle()  # and it goes on
        assert {r.status for r in runner.state.runs.values()} == {"completed"}
