"""Step 5, training: learn to rank survivors, and use a model only if it beats the baseline.

The data are step 3's table: one row per survivor, features from the training segment, the
label its hit rate on the held-out segment, its hit rate on the later test segment kept
aside. The splits follow time: models are fitted and validated on the held-out labels with
folds grouped by hypothesis (generator and seed: one hypothesis met at several offsets never
sits on both sides of a fold), and the test segment, later than everything a model saw, is
scored once, at the end, for the ranker chosen on validation.

Each family of step 4's plan (XGBoost, LightGBM, CatBoost, a PyTorch MLP) gets an Optuna study
(seeded TPE, median pruning after each fold, the plan's trial count and time budget). The
score is NDCG@10 of the ranking against the hit rates. The baseline ranker (corrected p-value,
then matches) is scored on the same folds; a model whose validation score does not beat it is
not used, and the metrics say which ranker is. Train, validation and test scores are measured,
never assumed; ``train_test_gap`` (train minus test NDCG of the model used) is reported only
when a model is used, since the baseline fits nothing. Every fitted model is an artifact, its
SHA256 among the metrics.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import optuna

from ledger import ArtifactRef, NewEvent

from .common import StepInput, completed, run_step
from .scoring import FEATURES

__all__ = ["run", "ndcg", "grouped_folds", "baseline_scores", "train_rankers", "RankerResult"]

FOLDS = 3
TOP_K = 10

Fit = Callable[..., Any]  # (features, labels, params, seed) -> a model with .predict


def ndcg(scores: Sequence[float], labels: Sequence[float], k: int = TOP_K) -> float:
    """NDCG@k of ranking by ``scores`` (ties broken by position) with graded ``labels``;
    1.0 when no label is positive (every ranking is then as good as the ideal)."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
    ideal = sorted(labels, reverse=True)[:k]
    discounts = [1 / math.log2(i + 2) for i in range(k)]
    best = sum(g * d for g, d in zip(ideal, discounts))
    if best <= 0:
        return 1.0
    return sum(labels[i] * d for i, d in zip(order, discounts)) / best


def grouped_folds(groups: Sequence[str], folds: int, seed: int) -> list[np.ndarray]:
    """Row indices of each validation fold; all rows of a group fall in one fold."""
    names = sorted(set(groups))
    rng = np.random.default_rng(seed)
    rng.shuffle(names)
    fold_of = {name: i % folds for i, name in enumerate(names)}
    return [np.array([i for i, g in enumerate(groups) if fold_of[g] == f], dtype=np.int64)
            for f in range(folds)]


def baseline_scores(rows: Sequence[dict[str, Any]]) -> np.ndarray:
    """The baseline: lowest corrected p-value first, then most training matches."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["log10_corrected_p"],
                                                    -rows[i]["train_matches"], i))
    scores = np.zeros(len(rows))
    for rank, index in enumerate(order):
        scores[index] = len(rows) - rank
    return scores


# --- the four families ------------------------------------------------------------------


class _Booster:
    """A fitted gradient-boosting booster behind ``predict(features)`` (native APIs: no
    scikit-learn needed)."""

    def __init__(self, family: str, booster: Any) -> None:
        self.family = family
        self.booster = booster

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self.family == "xgboost":
            import xgboost

            return np.asarray(self.booster.predict(xgboost.DMatrix(x)), dtype=np.float64)
        return np.asarray(self.booster.predict(x), dtype=np.float64)


def _fit_xgboost(x: np.ndarray, y: np.ndarray, p: dict[str, Any], seed: int) -> Any:
    import xgboost

    params = {"max_depth": p["max_depth"], "eta": p["learning_rate"], "seed": seed,
              "nthread": 1, "objective": "reg:squarederror", "verbosity": 0}
    booster = xgboost.train(params, xgboost.DMatrix(x, label=y),
                            num_boost_round=p["n_estimators"])
    return _Booster("xgboost", booster)


def _fit_lightgbm(x: np.ndarray, y: np.ndarray, p: dict[str, Any], seed: int) -> Any:
    import lightgbm

    params = {"objective": "regression", "num_leaves": p["num_leaves"],
              "learning_rate": p["learning_rate"], "min_data_in_leaf": p["min_child_samples"],
              "seed": seed, "num_threads": 1, "deterministic": True, "force_row_wise": True,
              "verbose": -1}
    booster = lightgbm.train(params, lightgbm.Dataset(x, label=y),
                             num_boost_round=p["n_estimators"])
    return _Booster("lightgbm", booster)


def _fit_catboost(x: np.ndarray, y: np.ndarray, p: dict[str, Any], seed: int) -> Any:
    import catboost

    model = catboost.CatBoostRegressor(iterations=p["iterations"], depth=p["depth"],
                                       learning_rate=p["learning_rate"], random_seed=seed,
                                       thread_count=1, verbose=False, allow_writing_files=False)
    model.fit(x, y)
    return model


class _MLP:
    """A one-hidden-layer PyTorch regressor on standardised features."""

    def __init__(self, x: np.ndarray, y: np.ndarray, p: dict[str, Any], seed: int) -> None:
        import torch

        torch.manual_seed(seed)
        torch.set_num_threads(1)
        self.mean = x.mean(axis=0)
        self.scale = x.std(axis=0) + 1e-9
        self.net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], p["hidden"]), torch.nn.ReLU(),
                                       torch.nn.Linear(p["hidden"], 1))
        optimiser = torch.optim.Adam(self.net.parameters(), lr=p["learning_rate"],
                                     weight_decay=p["weight_decay"])
        inputs = torch.tensor((x - self.mean) / self.scale, dtype=torch.float32)
        target = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
        for _ in range(p["epochs"]):
            optimiser.zero_grad()
            loss = torch.nn.functional.mse_loss(self.net(inputs), target)
            loss.backward()
            optimiser.step()

    def predict(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            out = self.net(torch.tensor((x - self.mean) / self.scale, dtype=torch.float32))
        return np.asarray(out.squeeze(1).numpy(), dtype=np.float64)


def _fit_mlp(x: np.ndarray, y: np.ndarray, p: dict[str, Any], seed: int) -> Any:
    return _MLP(x, y, p, seed)


def _serialise(family: str, model: Any) -> bytes:
    if family == "xgboost":
        return bytes(model.booster.save_raw(raw_format="json"))
    if family == "lightgbm":
        return str(model.booster.model_to_string()).encode()
    if family == "catboost":
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.cbm")
            model.save_model(path)
            with open(path, "rb") as fh:
                return fh.read()
    import torch

    buffer = io.BytesIO()
    torch.save({"state": model.net.state_dict(), "mean": model.mean.tolist(),
                "scale": model.scale.tolist()}, buffer)
    return buffer.getvalue()


FITTERS: dict[str, Callable[..., Any]] = {
    "xgboost": _fit_xgboost, "lightgbm": _fit_lightgbm, "catboost": _fit_catboost,
    "mlp": _fit_mlp,
}


def _suggest(trial: optuna.Trial, space: dict[str, list[Any]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, (low, high) in space.items():
        if isinstance(low, int) and isinstance(high, int):
            params[name] = trial.suggest_int(name, low, high)
        else:
            params[name] = trial.suggest_float(name, float(low), float(high), log=True)
    return params


@dataclass
class RankerResult:
    """One family's outcome: validation score, trials, and (when fitted) the final model."""

    family: str
    validation: float | None
    trials: int
    pruned: int
    budget_exhausted: bool
    params: dict[str, Any]
    model: Any = None


def _fold_score(fit: Fit, x: np.ndarray, y: np.ndarray, folds: list[np.ndarray],
                params: dict[str, Any], seed: int, trial: optuna.Trial | None) -> float:
    scores = []
    for index, validation in enumerate(folds):
        if len(validation) == 0:
            continue
        train = np.setdiff1d(np.arange(len(y)), validation)
        model = fit(x[train], y[train], params, seed)
        scores.append(ndcg(list(model.predict(x[validation])), list(y[validation])))
        if trial is not None:
            trial.report(float(np.mean(scores)), index)
            if trial.should_prune():
                raise optuna.TrialPruned()
    return float(np.mean(scores)) if scores else 0.0


def train_rankers(x: np.ndarray, y: np.ndarray, groups: Sequence[str],
                  families: dict[str, dict[str, Any]], seed: int,
                  clock: Callable[[], float] = time.monotonic) -> list[RankerResult]:
    """Tune and fit each planned family; the validation score is the mean grouped-fold NDCG
    of its best trial (folds shared by every family and the baseline)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folds = grouped_folds(groups, min(FOLDS, len(set(groups))), seed)
    results = []
    for family, spec in families.items():
        fit = FITTERS[family]
        study = optuna.create_study(direction="maximize",
                                    sampler=optuna.samplers.TPESampler(seed=seed),
                                    pruner=optuna.pruners.MedianPruner(n_startup_trials=3))
        began = clock()
        study.optimize(lambda t: _fold_score(fit, x, y, folds, _suggest(t, spec["space"]), seed, t),
                       n_trials=int(spec["trials"]), timeout=float(spec["budget_s"]))
        complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        pruned = sum(1 for t in study.trials if t.state == optuna.trial.TrialState.PRUNED)
        exhausted = len(study.trials) < int(spec["trials"]) and clock() - began >= spec["budget_s"]
        if not complete:
            results.append(RankerResult(family, None, len(study.trials), pruned, exhausted, {}))
            continue
        best = study.best_trial
        model = fit(x, y, dict(best.params), seed)
        value = best.value if best.value is not None else 0.0
        results.append(RankerResult(family, float(value), len(study.trials), pruned,
                                    exhausted, dict(best.params), model))
    return results


def training(step: StepInput) -> list[NewEvent]:
    """Step 5: rankers tuned and judged against the baseline."""
    table_ref, _ = step.earlier(3, "features.json")
    plan_ref, plan_run = step.earlier(4, "model_plan.json")
    table: dict[str, Any] = (step.read_json(table_ref) if table_ref is not None
                             else {"rows": [], "schema_sha256": None})
    plan: dict[str, Any] = (step.read_json(plan_ref) if plan_ref is not None
                            else {"families": {}, "reason": "no model plan"})
    rows = table["rows"]
    if plan.get("schema_sha256") not in (None, table["schema_sha256"]):
        plan = {"families": {}, "reason": "the model plan was made for another feature schema"}
    metrics: dict[str, Any] = {"rows": len(rows), "model_plan_from_run": plan_run,
                               "feature_schema_sha256": table["schema_sha256"]}
    artifacts: list[ArtifactRef] = []
    if not rows:
        ranking = step.put_json("ranking.json", {"ranker": "baseline", "scores": []})
        metrics.update(model_used="none", degenerate=True, beats_baseline=False,
                       test_evaluations=0, folds=0, leakage_detected=False)
        return [completed(step, metrics, summary="no survivors to rank", artifacts=(ranking,))]
    x = np.array([[float(r[f]) for f in FEATURES] for r in rows], dtype=np.float64)
    y = np.array([float(r["label"]) for r in rows])
    test = [float(r["test_hit_rate"]) for r in rows]
    groups = [str(r["group"]) for r in rows]
    baseline = baseline_scores(rows)
    folds = grouped_folds(groups, min(FOLDS, len(set(groups))), step.seed)
    baseline_val = float(np.mean([ndcg(list(baseline[f]), list(y[f])) for f in folds if len(f)]))
    # features must come from the training segment of this very split: anything else leaks
    leaked = table.get("split", {}).get("train_draws") != step.split.train
    metrics.update(baseline_validation_ndcg=baseline_val, folds=len(folds),
                   baseline_train_ndcg=ndcg(list(baseline), list(y)), leakage_detected=leaked)
    results = train_rankers(x, y, groups, plan.get("families", {}), step.seed)
    used: RankerResult | None = None
    for result in results:
        metrics[f"{result.family}_validation_ndcg"] = result.validation
        metrics[f"{result.family}_trials"] = result.trials
        metrics[f"{result.family}_pruned"] = result.pruned
        metrics[f"{result.family}_budget_exhausted"] = result.budget_exhausted
        if result.model is not None:
            ref = step.put(f"model-{result.family}.bin", _serialise(result.family, result.model))
            artifacts.append(ref)
            metrics[f"{result.family}_sha256"] = ref.sha256
            if result.validation is not None and result.validation > baseline_val + 1e-9 and (
                    used is None or result.validation > (used.validation or 0.0)):
                used = result
    # the test segment is scored once, at the end, for the ranker chosen on validation
    if used is not None:
        scores = np.asarray(used.model.predict(x), dtype=np.float64)
        train_score, test_score = ndcg(list(scores), list(y)), ndcg(list(scores), test)
        metrics.update(model_used=used.family, beats_baseline=True,
                       validation_ndcg=used.validation, train_ndcg=train_score,
                       test_score=test_score, test_evaluations=1,
                       train_test_gap=train_score - test_score)
        summary = (f"{used.family} beats the baseline on validation ({used.validation:.3f} > "
                   f"{baseline_val:.3f}); test NDCG {test_score:.3f}")
        if leaked:
            summary += "; WARNING: the features were computed on another split"
    else:
        scores = baseline
        reason = plan.get("reason") or "no model beat the baseline on validation"
        metrics.update(model_used="baseline", beats_baseline=False,
                       validation_ndcg=baseline_val, train_ndcg=metrics["baseline_train_ndcg"],
                       test_score=ndcg(list(baseline), test), test_evaluations=1)
        summary = f"the baseline ranker is used: {reason}"
    ranking = step.put_json("ranking.json", {
        "ranker": metrics["model_used"], "scores": [float(s) for s in scores],
        "schema_sha256": table["schema_sha256"],
    })
    return [completed(step, metrics, summary=summary, artifacts=(ranking, *artifacts))]


run = run_step(training)
