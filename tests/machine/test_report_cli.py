"""``watcher predictions`` and ``watcher report`` on a ledger of a live stream."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from machine.cli import main

from tests.projections.report_ledgers import ARRIVED_49, HOSTILE, PREDICTED_48, write_ledger


@pytest.fixture()
def ledger(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "ledger.jsonl")


def test_predictions_json(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predictions", "--ledger", str(ledger), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["scored"] == 2 and out["summary"]["hits"] == 1
    assert out["summary"]["draws"] == 50 and out["summary"]["alphabet"] == 1000
    assert [(p["target_index"], p["draw"], p["hit"], p["rank"], p["probability"])
            for p in out["predictions"]] == [(48, PREDICTED_48, True, 1, 0.94),
                                             (49, ARRIVED_49, False, None, 0.0)]


def test_predictions_text(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predictions", "--ledger", str(ledger), "--last", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("2 prediction(s) over 50 draw(s): 2 scored, 1 hit(s) (chance alone: "
                        "0.002), 0 open; identified: 1 of 2 exact")
    assert len(lines) == 3 and lines[2].split()[:5] == ["49", "identified", "12", "0.001", "800"]
    assert main(["predictions", "--ledger", str(ledger), "--open"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # nothing open: the summary alone


def test_predictions_in_a_home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    assert main(["init", "--home", str(home)]) == 0
    capsys.readouterr()
    assert main(["predictions", "--home", str(home), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["predictions"] == [] and out["summary"]["predictions"] == 0


def test_bad_input_is_one_line(tmp_path: Path, ledger: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predictions", "--ledger", str(ledger), "--last", "0"]) == 2
    assert capsys.readouterr().err == "watcher: error: --last must be at least 1\n"
    assert main(["report", "--ledger", str(tmp_path / "none.jsonl")]) == 2
    assert "no such ledger file" in capsys.readouterr().err
    assert main(["report", "--home", str(tmp_path / "nohome")]) == 2
    assert "is not a watcher home" in capsys.readouterr().err


def test_report_writes_one_escaped_page(tmp_path: Path, ledger: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--ledger", str(ledger), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"report: {out} (")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert HOSTILE not in page and "&lt;script&gt;" in page
    # Written then renamed: no temporary file stays behind.
    assert [p.name for p in tmp_path.iterdir() if "report" in p.name] == ["report.html"]
    assert main(["report", "--ledger", str(ledger), "--out", "-"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
