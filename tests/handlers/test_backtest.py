"""watcher backtest: walk-forward predictions scored against chance, a plot, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handlers.pipeline.backtest import poisson_binomial_tail
from handlers.pipeline.synthetic import as_jsonl, planted_history
from machine.cli import main


def test_poisson_binomial_tail() -> None:
    assert poisson_binomial_tail([0.5, 0.5], 0) == 1.0
    assert poisson_binomial_tail([0.5, 0.5], 2) == pytest.approx(0.25)
    assert poisson_binomial_tail([0.1, 0.2, 0.3], 1) == pytest.approx(1 - 0.9 * 0.8 * 0.7)
    assert poisson_binomial_tail([], 1) == 0.0


def test_a_planted_history_is_predicted_exactly_once_identified(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WATCHER_CACHE_DIR", str(tmp_path / "cache"))  # the planner's costs
    records, _truth, _clean = planted_history(50, generator="java_random",
                                              reduction="java_nextint:1000", corrupt=2)
    draws = tmp_path / "planted.jsonl"
    draws.write_text(as_jsonl(records))
    plot = tmp_path / "hits.svg"
    code = main(["backtest", "--draws", str(draws), "--start", "40", "--every", "5",
                 "--budget", "2", "--generators", "java_random", "--json", "--plot", str(plot)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["tested"] == 2 and report["hits"] == 2
    assert report["first_exact_prediction_at"] == 40 and report["verdict"] == "better than chance"
    assert report["expected_hits"] == pytest.approx(2 / 1000)
    assert set(report["step_seconds"]) == {"1 window_optimizer", "2 sieve", "3 scoring",
                                           "4 model_plan", "5 training", "6 prediction"}
    assert plot.read_text().lstrip().startswith("<?xml") and "<svg" in plot.read_text()


@pytest.mark.parametrize("argv, fragment", [
    (["--start", "0"], "--start must be between 1 and"),
    (["--every", "0"], "--every must be at least 1"),
    (["--plot", "x.pdf"], ".png or .svg"),
])
def test_bad_arguments_are_one_line_errors(tmp_path: Path, argv: list[str], fragment: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    draws = tmp_path / "d.json"
    draws.write_text(json.dumps(list(range(30))))
    assert main(["backtest", "--draws", str(draws), *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1
