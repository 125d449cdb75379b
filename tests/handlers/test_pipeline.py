"""The six steps through the real runner: a planted noisy history is identified and its next
draw predicted, a random one is not (with chance probabilities), a step re-run gives the same
events, and the pieces (split, model plan, rankers against the baseline) on small data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ledger import read_ledger

from handlers.pipeline.common import time_split
from handlers.pipeline.model_plan import plan_models
from handlers.pipeline.prediction import issue_prediction
from handlers.pipeline.synthetic import as_jsonl, planted_history, random_history
from handlers.pipeline.training import baseline_scores, grouped_folds, ndcg, train_rankers
from machine.cli import main
from machine.decide import decide
from machine.fold import evolve
from machine.home import Home
from machine.registry import HandlerContext, HandlerRegistry
from machine.replay import replay
from machine.runner import Runner
from machine.state import State

#: Small, fast settings: one cheap generator, a few seconds of search, few trials. The seed
#: costs are stated (about what numpy measures here) so that the plan does not depend on how
#: loaded the machine is while the test runs.
FAST = {"generators": "java_random,minstd_rand", "budget_s": 3, "plan_trials": 20,
        "model_budget_s": 8, "model_trials": 3,
        "seed_costs": "java_random=1.5e-7,minstd_rand=1.5e-7"}


def _loop(home: Path, records: list[dict[str, Any]], capsys: pytest.CaptureFixture[str],
          params: dict[str, Any] = FAST) -> list[Any]:
    draws = home.parent / "draws.jsonl"
    draws.write_text(as_jsonl(records))
    assert main(["init", "--home", str(home)]) == 0
    assert main(["ingest", str(draws), "--home", str(home)]) == 0
    request = home.parent / "loop.json"
    request.write_text(json.dumps({"kind": "learning_loop", "scope": "full", "params": params}))
    assert main(["submit", str(request), "--home", str(home)]) == 0
    assert main(["daemon", "--once", "--quiet", "--home", str(home)]) == 0
    capsys.readouterr()
    return list(read_ledger(home / "ledger.jsonl"))


def _data(records: list[Any], kind: str) -> list[dict[str, Any]]:
    return [r.data for r in records if r.type == kind]


@pytest.fixture(autouse=True)
def _guardrails_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WATCHER_DISABLE_HANDLERS", "llm.*")
    monkeypatch.setenv("WATCHER_CACHE_DIR", str(tmp_path / "cache"))  # the planner's costs


def test_a_planted_noisy_history_is_identified_and_its_next_draw_predicted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records, truth, clean = planted_history(60, generator="java_random",
                                            reduction="java_nextint:1000", corrupt=3)
    assert sum(r["draw"] != c for r, c in zip(records, clean)) == 3
    home = tmp_path / "home"
    # three errors among 48 training draws: the plan is told to expect about that many
    ledger = _loop(home, records, capsys, {**FAST, "error_rate": 0.06})
    steps = {d["step"]: d for d in _data(ledger, "StepCompleted")}
    assert sorted(steps) == [1, 2, 3, 4, 5, 6]
    assert steps[2]["metrics"]["identified"] and steps[2]["metrics"]["survivors"] >= 1
    [prediction] = _data(ledger, "PredictionIssued")
    assert prediction["identified"] and prediction["target_index"] == 60
    assert prediction["pool"][0]["draw"] == clean[60]
    assert 0.9 < prediction["pool"][0]["probability"] < 1.0
    assert prediction["hypothesis"]["seed"] == truth.seed
    assert _data(ledger, "DispatchCompleted")
    assert replay(home).exit_code == 0
    _rerun_gives_the_same_events(home)


def _rerun_gives_the_same_events(home: Path) -> None:
    """Re-run every step's command on the finished ledger, as after a crash between the
    handler's work and its append: the events (ids, data, artifacts) are the same."""
    records = list(read_ledger(home / "ledger.jsonl"))
    state = State()
    registry = HandlerRegistry()
    checked = 0
    seen: set[str] = set()
    for record in records:
        cause = record.causation_id
        if cause and cause not in seen and record.type in ("StepCompleted", "PredictionIssued"):
            seen.add(cause)
            command = decide(state)
            assert command is not None and command.id == cause
            handler = registry.get(command.kind)
            assert handler is not None
            ctx = HandlerContext(command=command, clock=lambda: "2030-01-01T00:00:00.000000Z",
                                 home=home, artifacts=_store(home),
                                 ledger_path=home / "ledger.jsonl")
            again = handler(command, ctx)
            # the handler's own events (the runner may record others for the same command)
            recorded = [r for r in records if r.causation_id == cause
                        and r.type in ("StepCompleted", "PredictionIssued")]
            assert [(e.id, e.type, e.data, e.artifacts) for e in again] == [
                (r.id, r.type, r.data, r.artifacts) for r in recorded]
            checked += 1
        evolve(state, record)
    assert checked == 6


def _store(home: Path) -> Any:
    from ledger import ArtifactStore

    return ArtifactStore(home / "artifacts")


def test_a_random_history_is_not_identified_and_its_pool_is_priced_at_chance(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    ledger = _loop(home, random_history(60), capsys)
    [prediction] = _data(ledger, "PredictionIssued")
    assert not prediction["identified"] and prediction["hypothesis"] is None
    assert len(prediction["pool"]) == 10
    assert all(entry["probability"] == pytest.approx(1 / 1000) for entry in prediction["pool"])
    steps = {d["step"]: d["metrics"] for d in _data(ledger, "StepCompleted")}
    assert steps[2]["identified"] is False and steps[2]["expected_chance_survivors"] < 1e-3
    assert steps[4]["degenerate_target"] is True
    assert steps[5]["test_evaluations"] == 0 and steps[5]["model_used"] == "none"
    assert _data(ledger, "DispatchCompleted") and replay(home).exit_code == 0


def test_an_empty_history_completes_every_step_saying_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    ledger = _loop(home, random_history(5), capsys)
    steps = {d["step"]: d["metrics"] for d in _data(ledger, "StepCompleted")}
    assert steps[1]["degenerate"] and steps[2]["degenerate"] and steps[3]["degenerate"]
    pool = _data(ledger, "PredictionIssued")[0]["pool"]  # the 5 values seen, at chance each
    assert len(pool) == 5 and all(e["probability"] == pytest.approx(1 / 1000) for e in pool)
    assert _data(ledger, "DispatchCompleted")


def test_time_split_keeps_the_newest_draws_for_the_test() -> None:
    split = time_split(100)
    assert (split.train, split.holdout, split.n) == (70, 90, 100)
    assert list(split.test_range) == list(range(90, 100))
    tiny = time_split(3)
    assert tiny.train >= 1 and tiny.holdout - tiny.train >= 1 and tiny.n - tiny.holdout >= 1
    assert time_split(0).train == 0


def test_the_model_plan_detects_a_degenerate_target() -> None:
    assert plan_models([], 60, 5)["degenerate_target"]
    constant = plan_models([0.0] * 40, 60, 5)
    assert constant["degenerate_target"] and "constant" in constant["reason"]
    one_hit = plan_models([1.0] + [0.0] * 40, 60, 5)
    assert one_hit["degenerate_target"] and not one_hit["families"]
    healthy = plan_models([1.0] * 10 + [0.0] * 40, 60, 5)
    assert not healthy["degenerate_target"]
    assert set(healthy["families"]) == {"xgboost", "lightgbm", "catboost", "mlp"}


def _table_where_a_feature_the_baseline_ignores_decides(rows: int, seed: int) -> tuple[
        np.ndarray, np.ndarray, list[str], list[dict[str, Any]]]:
    rng = np.random.default_rng(seed)
    recent = rng.random(rows)  # what predicts the held-out hits
    noise_p = rng.random(rows) * -5  # the baseline's p-values: unrelated to the label
    label = (recent > 0.7).astype(float) * (0.5 + 0.5 * recent)
    table = [{"log10_corrected_p": float(p), "train_matches": 10} for p in noise_p]
    x = np.column_stack([recent, noise_p, rng.random(rows)])
    return x, label, [f"g{i}" for i in range(rows)], table


def test_a_model_beats_the_baseline_where_the_data_allow_it() -> None:
    x, y, groups, table = _table_where_a_feature_the_baseline_ignores_decides(90, 3)
    plan = plan_models(list(y), budget_s=20, trials=3)
    results = train_rankers(x, y, groups, plan["families"], seed=5)
    folds = grouped_folds(groups, 3, 5)
    baseline = baseline_scores(table)
    baseline_val = float(np.mean([ndcg(list(baseline[f]), list(y[f])) for f in folds]))
    scored = {r.family: r.validation for r in results}
    assert set(scored) == {"xgboost", "lightgbm", "catboost", "mlp"}
    assert max(v for v in scored.values() if v is not None) > baseline_val + 0.2
    # deterministic: the same seed gives the same scores
    again = train_rankers(x, y, groups, {"xgboost": plan["families"]["xgboost"]}, seed=5)
    assert again[0].validation == scored["xgboost"]


def test_folds_are_grouped_by_hypothesis() -> None:
    groups = ["a", "a", "b", "c", "c", "c", "d"]
    folds = grouped_folds(groups, 3, 1)
    owner = {g: i for i, fold in enumerate(folds) for g in {groups[j] for j in fold}}
    assert all(sum(groups[j] == g for fold in folds for j in fold) == groups.count(g) for g in owner)
    assert len(owner) == 4 and sorted(j for fold in folds for j in fold) == list(range(7))


def test_ndcg() -> None:
    assert ndcg([3, 2, 1], [1.0, 0.5, 0.0]) == pytest.approx(1.0)
    assert ndcg([1, 2, 3], [1.0, 0.0, 0.0]) == pytest.approx(0.5)
    assert ndcg([1, 2], [0.0, 0.0]) == 1.0


def test_an_unidentified_pool_is_priced_at_chance_and_an_identified_one_by_its_record() -> None:
    values = tuple(range(100, 190))
    row = {"log10_corrected_p": -1.0, "train_matches": 3, "history_compared": 90,
           "history_matches": 3, "q": 1e-3, "test_hit_rate": 0.0, "next_draw": 7,
           "hypothesis": {"generator": "java_random"}, "anchor": 0}
    event, metrics = issue_prediction(values, [row], None, 10**6, 0.01, 10, 9)
    assert not event.identified and event.pool[0].draw == 7 and len(event.pool) == 10
    assert all(entry.probability == pytest.approx(1 / 1000) for entry in event.pool)
    assert metrics["chance_rate"] == pytest.approx(10 / 1000)
    sure = {**row, "history_matches": 88, "test_hit_rate": 1.0}
    event, metrics = issue_prediction(values, [sure], None, 10**6, 0.01, 10, 9)
    assert event.identified and event.pool[0].draw == 7
    assert event.pool[0].probability == pytest.approx(89 / 92)


def test_errors_in_the_first_window_leave_the_later_windows_to_find_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records, truth, clean = planted_history(60, generator="java_random",
                                            reduction="java_nextint:1000", corrupt=0)
    for index in (2, 5, 9):  # every window that starts at the first draw is spoiled
        records[index]["draw"] = (records[index]["draw"] + 1) % 1000
    # told to expect errors this dense, the plan's windows that pass its power gate are many
    # short ones or ones that tolerate wrong draws; the budget covers the seconds tier
    ledger = _loop(tmp_path / "home", records, capsys,
                   {**FAST, "generators": "java_random", "error_rate": 0.2, "plan_trials": 60,
                    "budget_s": 20})
    [prediction] = _data(ledger, "PredictionIssued")
    assert prediction["identified"] and prediction["pool"][0]["draw"] == clean[60]
    assert prediction["hypothesis"]["seed"] == truth.seed
    # either a later, clean window found it, or a window that tolerates the wrong draws it holds
    [plan_step] = [d["metrics"] for d in _data(ledger, "StepCompleted") if d["step"] == 1]
    anchor = prediction["hypothesis"]["anchor"]
    inside = sum(1 for i in (2, 5, 9) if anchor <= i < anchor + plan_step["window"])
    assert anchor > 9 or 0 < inside <= plan_step["errors"]


def test_windows_sit_back_to_back_and_their_offsets_reach_past_the_draws_before() -> None:
    from handlers.pipeline.common import window_offsets, window_starts

    assert window_starts(12, 3) == [0, 12, 24]
    assert window_offsets(0, 8, 0, 0) == (0, 8)
    assert window_offsets(32, 8, 0, 1) == (32, 64 + 2 + 8)


def test_stated_seed_costs_are_parsed_and_bad_ones_refused() -> None:
    from handlers.pipeline.common import StepFailure
    from handlers.pipeline.window_optimizer import pinned_seed_costs

    assert pinned_seed_costs(" java_random=2e-8, mt19937=5e-7 ") == {
        "java_random": 2e-8, "mt19937": 5e-7}
    assert pinned_seed_costs("") == {}
    for bad in ("java_random", "java_random=0", "java_random=-1", "java_random=inf",
                "java_random=fast"):
        with pytest.raises(StepFailure, match="seed_costs entry"):
            pinned_seed_costs(bad)
    with pytest.raises(Exception, match="no_such_generator"):
        pinned_seed_costs("no_such_generator=1e-7")
