"""Recorded ledgers (from real CLI runs, see record.py) replayed through today's machine.

Temporal's replay test: every history must replay to the verdict recorded in its
``expected.json`` (clean, or for ``divergent_step_params`` the divergence it holds). A copy
with one changed byte, or a corrupted artifact, must be reported as damage (exit 2).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from machine.cli import main

HERE = Path(__file__).resolve().parent
HISTORIES = sorted(p.parent for p in HERE.glob("*/expected.json"))
NAMES = [p.name for p in HISTORIES]


def test_there_are_enough_histories() -> None:
    expected = {p.name: json.loads((p / "expected.json").read_text()) for p in HISTORIES}
    clean = [n for n, e in expected.items() if e["verdict"] == "clean"]
    assert len(clean) >= 5
    assert any(e["verdict"] == "divergent" for e in expected.values())
    assert any(e["runs"] for e in expected.values()) and any(e["plans"] for e in expected.values())


@pytest.mark.parametrize("history", HISTORIES, ids=NAMES)
def test_history_replays_to_its_recorded_verdict(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = json.loads((history / "expected.json").read_text())
    code = main(["replay", str(history), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == expected["exit_code"] == report["exit_code"]
    for key, value in expected.items():
        got = len(report[key]) if key == "divergences" else report[key]
        assert got == value, key


def test_the_divergent_history_names_the_divergence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(HERE / "divergent_step_params")]) == 1
    out = capsys.readouterr().out
    assert "divergent" in out and "divergence at seq" in out
    assert "but the machine decides step.start" in out


@pytest.mark.parametrize("history", HISTORIES, ids=NAMES)
def test_one_changed_byte_is_tamper(history: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / history.name
    shutil.copytree(history, copy)
    ledger = copy / "ledger.jsonl"
    data = bytearray(ledger.read_bytes())
    last_line = data.rindex(b"\n", 0, len(data) - 1)
    rng = random.Random(history.name)
    while True:  # one byte, not a newline, not in the last line (that could read as torn)
        at = rng.randrange(0, last_line)
        if data[at] != ord("\n"):
            break
    data[at] = ord("1") if data[at] != ord("1") else ord("2")
    ledger.write_bytes(bytes(data))
    assert main(["replay", str(copy)]) == 2
    assert "tampered" in capsys.readouterr().out


def test_a_corrupt_artifact_is_damage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "h"
    shutil.copytree(HERE / "selfplay_candidates", copy)
    artifact = next(p for p in (copy / "artifacts").rglob("*") if p.is_file())
    artifact.chmod(0o644)
    artifact.write_bytes(artifact.read_bytes() + b" ")
    assert main(["replay", str(copy)]) == 2
    assert "artifact" in capsys.readouterr().out
    artifact.unlink()
    assert main(["replay", str(copy)]) == 2
