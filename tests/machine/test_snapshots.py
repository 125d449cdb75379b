"""Fold snapshots: used when every key holds, ignored (never trusted) otherwise, and checked
against the full fold by replay."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

import orjson
import pytest

from ledger import read_ledger

import machine.runner as runner_module
from machine.fold import fold
from machine.home import Home
from machine.replay import replay
from machine.snapshots import read_snapshot, snapshot_path_for

from .fakes import all_pass
from .helpers import FakeClock, drop, make_home, open_runner


def _home_with_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setattr(runner_module, "SNAPSHOT_EVERY", 10)
    home = make_home(tmp_path / "home")
    drop(home, "loop.json", {"kind": "learning_loop", "scope": [3, 5]})
    with open_runner(home, all_pass) as runner:
        runner.run_until_idle()
    assert snapshot_path_for(home.ledger).is_file()
    return home


def _open_counting(home: Home, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str], list[int]]:
    folded: list[int] = []
    real = runner_module.evolve

    def counting(state: Any, record: Any) -> None:
        folded.append(record.seq)
        real(state, record)

    monkeypatch.setattr(runner_module, "evolve", counting)
    logged: list[str] = []
    clock = FakeClock()
    from .helpers import registry

    runner = runner_module.Runner.open(home, registry=registry(all_pass), clock=clock,
                                       sleep=clock.sleep, log=logged.append)
    return runner, logged, folded


def test_a_snapshot_spares_the_fold_of_what_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _home_with_snapshot(tmp_path, monkeypatch)
    snapshot = read_snapshot(home.ledger)
    assert snapshot is not None
    drop(home, "halt.json", {"kind": "halt"})  # more events after the snapshot
    with open_runner(home, all_pass) as runner:
        runner.intake()
    runner, logged, folded = _open_counting(home, monkeypatch)
    with runner:
        assert folded and min(folded) > snapshot.seq  # only what came after it
        assert runner.state == fold(read_ledger(home.ledger))
        assert runner.state.halted
        assert not [line for line in logged if "snapshot" in line]
    report = replay(home.root)
    assert report.exit_code == 0 and "equal to the full fold" in (report.snapshot or "")


def _rewrite(home: Home, header_update: dict[str, Any], body: bytes | None = None,
             fix_sha: bool = True) -> None:
    path = snapshot_path_for(home.ledger)
    raw = path.read_bytes()
    line, _, old_body = raw.partition(b"\n")
    header = orjson.loads(line)
    body = old_body if body is None else body
    header.update(header_update)
    if fix_sha:
        header.update({"sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)})
    path.write_bytes(orjson.dumps(header) + b"\n" + body)


class _Boom:
    def __reduce__(self) -> Any:
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize("spoil", ["flipped byte", "other ledger", "other code", "a function",
                                   "not a state", "torn", "a made-up size"])
def test_a_bad_snapshot_is_ignored_and_the_ledger_folded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: str
) -> None:
    home = _home_with_snapshot(tmp_path, monkeypatch)
    path = snapshot_path_for(home.ledger)
    monkeypatch.chdir(tmp_path)
    if spoil == "flipped byte":
        raw = bytearray(path.read_bytes())
        raw[-10] ^= 0xFF
        path.write_bytes(bytes(raw))
    elif spoil == "other ledger":
        _rewrite(home, {"hash": "0" * 64})
    elif spoil == "other code":
        _rewrite(home, {"code": "f" * 64})
    elif spoil == "a function":
        _rewrite(home, {}, pickle.dumps(_Boom()))
    elif spoil == "not a state":
        _rewrite(home, {}, pickle.dumps(({"x": 1}, {})))
    elif spoil == "a made-up size":  # a petabyte read into memory if believed
        _rewrite(home, {"bytes": 1 << 50}, fix_sha=False)
    else:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    report = replay(home.root)
    assert report.exit_code == 0 and "ignored by the daemon" in (report.snapshot or "")
    runner, logged, folded = _open_counting(home, monkeypatch)
    with runner:
        assert min(folded) == 0  # folded from the start
        assert runner.state == fold(read_ledger(home.ledger))
    assert any("fold snapshot ignored" in line for line in logged), logged
    assert not (tmp_path / "pwned").exists()
    # closing, the writer replaced it with a good one
    assert "equal to the full fold" in (replay(home.root).snapshot or "")


def test_replay_catches_a_snapshot_whose_state_was_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _home_with_snapshot(tmp_path, monkeypatch)
    snapshot = read_snapshot(home.ledger)
    assert snapshot is not None and not snapshot.state.halted
    snapshot.state.halted = True  # keys intact, content forged
    _rewrite(home, {}, pickle.dumps((snapshot.state, snapshot.unfinished), protocol=5))
    report = replay(home.root)
    assert report.exit_code == 1
    assert "DIFFERS" in (report.snapshot or "")
    assert any(d.recorded == "snapshot" for d in report.divergences)
