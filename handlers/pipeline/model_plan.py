"""Step 4, the model plan: which model families step 5 trains, their search spaces and budgets,
chosen from the shape of step 3's table.

- No rows, or a label without variance, or one with fewer than :data:`MIN_MINORITY` rows on
  its rarer side (hit or miss on the held-out draws): the target is *degenerate*; no model
  can learn from it, only the baseline ranker runs, and the metrics say why.
- Fewer than :data:`MIN_ROWS` rows: too few to fit anything honestly: the baseline only.
- Otherwise the four families (XGBoost, LightGBM, CatBoost, a PyTorch MLP), each with a search
  space sized to the rows (shallower trees and fewer epochs for small tables), a trial count
  and a time budget; ``model_budget_s`` (request parameter) bounds the four together.
"""

from __future__ import annotations

from typing import Any

from ledger import NewEvent

from .common import StepInput, completed, run_step

__all__ = ["run", "FAMILIES", "MIN_ROWS", "MIN_MINORITY", "plan_models"]

FAMILIES = ("xgboost", "lightgbm", "catboost", "mlp")
MIN_ROWS = 12
MIN_MINORITY = 3
#: A survivor "hits" the held-out segment when it predicts at least this share of it.
HIT = 0.5


def plan_models(labels: list[float], budget_s: float, trials: int) -> dict[str, Any]:
    """The plan for a table whose labels are ``labels``."""
    rows = len(labels)
    mean = sum(labels) / rows if rows else 0.0
    variance = sum((x - mean) ** 2 for x in labels) / rows if rows else 0.0
    hits = sum(1 for x in labels if x >= HIT)
    minority = min(hits, rows - hits)
    shape = {"rows": rows, "label_mean": mean, "label_variance": variance, "hits": hits,
             "minority": minority}
    reason = None
    if rows == 0:
        reason = "no survivors: nothing to rank"
    elif variance == 0.0:
        reason = "every survivor has the same held-out hit rate: the target is constant"
    elif minority < MIN_MINORITY:
        reason = (f"only {minority} survivor(s) on the rarer side of a held-out hit "
                  f"(at least {MIN_MINORITY} needed): the target is degenerate")
    if reason is not None:
        return {**shape, "degenerate_target": True, "reason": reason, "families": {},
                "budget_s": 0.0}
    if rows < MIN_ROWS:
        return {**shape, "degenerate_target": False, "families": {}, "budget_s": 0.0,
                "reason": f"{rows} rows: fewer than {MIN_ROWS}, the baseline ranker only"}
    small = rows < 200
    depth = (2, 4) if small else (3, 8)
    per_family = budget_s / len(FAMILIES)
    families = {
        "xgboost": {"n_estimators": [20, 200], "max_depth": list(depth),
                    "learning_rate": [0.01, 0.3]},
        "lightgbm": {"n_estimators": [20, 200], "num_leaves": [4, 16 if small else 64],
                     "learning_rate": [0.01, 0.3], "min_child_samples": [2, 20]},
        "catboost": {"iterations": [20, 200], "depth": list(depth),
                     "learning_rate": [0.01, 0.3]},
        "mlp": {"hidden": [4, 32 if small else 128], "epochs": [20, 120 if small else 300],
                "learning_rate": [1e-3, 3e-2], "weight_decay": [1e-6, 1e-2]},
    }
    return {**shape, "degenerate_target": False, "reason": None,
            "families": {name: {"space": space, "trials": trials, "budget_s": per_family}
                         for name, space in families.items()},
            "budget_s": budget_s}


def model_plan(step: StepInput) -> list[NewEvent]:
    """Step 4: the model families, spaces and budgets for step 5."""
    ref, source_run = step.earlier(3, "features.json")
    table = step.read_json(ref) if ref is not None else {"rows": [], "schema_sha256": None}
    # the four families train in half the step's timeout at most (policies' timeouts.step_s)
    budget_s = min(step.number("model_budget_s", 120.0, 4.0, 86400.0),
                   step.command.timeout_s / 2)
    trials = int(step.number("model_trials", 12, 1, 500))
    plan = plan_models([r["label"] for r in table["rows"]], budget_s, trials)
    plan["schema_sha256"] = table["schema_sha256"]
    artifact = step.put_json("model_plan.json", plan)
    metrics = {
        "train_rows": plan["rows"], "families_selected": len(plan["families"]),
        "label_variance": plan["label_variance"],
        "label_hits": plan["hits"], "degenerate_target": plan["degenerate_target"],
        "families": ",".join(plan["families"]) or "none", "budget_s": plan["budget_s"],
        "trials_per_family": trials if plan["families"] else 0,
        "features_from_run": source_run,
    }
    summary = (f"train {', '.join(plan['families'])} within {plan['budget_s']:g} s"
               if plan["families"] else f"no model: {plan['reason']}")
    return [completed(step, metrics, summary=summary, artifacts=(artifact,))]


run = run_step(model_plan)
