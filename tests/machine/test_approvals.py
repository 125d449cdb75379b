"""Approvals are appended, never overwritten, and `watcher approvals` lists what waits and
what was given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from machine.cli import main

from .fakes import all_pass
from .helpers import drop, make_home, open_runner


def _escalate_step_3(command: Any, ctx: Any = None) -> str:
    if command.kind == "llm.evaluate" and command.unit == "3":
        return "escalate"
    return all_pass(command, ctx)


def _approvals(home: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["approvals", "--json", "--home", str(home)]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def test_every_approval_is_kept_and_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = make_home(tmp_path / "home")
    assert _approvals(home.root, capsys) == {"pending": [], "given": []}
    runs = []
    for n, action in enumerate(("continue", "abort")):
        drop(home, f"loop{n}.json", {"kind": "learning_loop", "scope": [3]})
        with open_runner(home, _escalate_step_3) as runner:
            runner.run_until_idle()
            [run] = [r for r in runner.state.runs.values() if r.status == "escalated"]
        runs.append(run.run_id)
        listed = _approvals(home.root, capsys)
        assert [p["run_id"] for p in listed["pending"]] == [run.run_id]
        assert listed["pending"][0]["unit"] == "3" and listed["pending"][0]["reason"]
        drop(home, f"approve{n}.json", {"kind": "approve", "run_id": run.run_id,
                                        "action": action, "note": f"ok {n}"})
        with open_runner(home, _escalate_step_3) as runner:
            runner.run_until_idle()
        # approving again the run no longer escalated is refused, nothing overwritten
        drop(home, f"again{n}.json", {"kind": "approve", "run_id": run.run_id})
        with open_runner(home, _escalate_step_3) as runner:
            [result] = runner.intake()
            assert result.status == "rejected"
    listed = _approvals(home.root, capsys)
    assert listed["pending"] == []
    assert [(a["run_id"], a["action"], a["note"]) for a in listed["given"]] == [
        (runs[0], "continue", "ok 0"), (runs[1], "abort", "ok 1")]
    assert listed["given"][0]["seq"] < listed["given"][1]["seq"]
    assert all(a["escalation"] for a in listed["given"])
    assert main(["approvals", "--home", str(home.root)]) == 0
    text = capsys.readouterr().out
    assert "approvals given: 2" in text and runs[1] in text
