"""Step 3, scoring: a feature table of step 2's survivors, labelled by the held-out segment.

Every number comes from ``kernels.observation.predict``: a survivor anchored at position ``a``
predicts the draws at ``a, a+1, ...``; the features compare those predictions with the
*training* segment only (matches and where they fall, errors, runs, corrected p-values, skip
regularity, generator family...), the label is the share of the *held-out* draws it predicts
exactly, and the share of the *test* draws rides along (never a feature) for step 5's final
score. Survivors that predict the same draws from the held-out segment on (one hypothesis met
in two windows) are kept once, with the better p-value. The table carries the SHA256 of its
feature schema, so a model trained on one schema is never fed another.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from kernels.observation import Hypothesis, predict
from kernels.reductions import REDUCTION_KINDS
from kernels.registry import all_generators
from kernels.sieve.engine import per_draw_match_probability
from kernels.statistics import log_binomial_tail
from ledger import NewEvent, canonical

from .common import StepInput, completed, run_step

__all__ = ["run", "FEATURES", "FEATURE_SCHEMA_SHA256", "score_survivors", "MAX_SURVIVORS"]

#: Features, in table order (all numbers; codes are indices into sorted catalog lists).
FEATURES: tuple[str, ...] = (
    "train_compared", "train_matches", "train_error_rate", "leading_run", "longest_run",
    "late_match_share", "recent_match_rate", "log10_corrected_p", "log10_train_p",
    "skip_regular", "skip", "anchor", "generator_family", "generator", "reduction_kind",
    "log10_q",
)
FEATURE_SCHEMA_SHA256 = hashlib.sha256(canonical({"features": list(FEATURES),
                                                  "types": "float64"})).hexdigest()
#: Survivors scored at most (the best corrected p-values first).
MAX_SURVIVORS = 5000


def _codes() -> tuple[dict[str, int], dict[str, int]]:
    registry = all_generators()
    families = {f: i for i, f in enumerate(sorted({c.family for c in registry.values()}))}
    generators = {name: i for i, name in enumerate(sorted(registry))}
    return families, generators


def _runs(hits: list[bool]) -> tuple[int, int]:
    leading = next((i for i, hit in enumerate(hits) if not hit), len(hits))
    longest = current = 0
    for hit in hits:
        current = current + 1 if hit else 0
        longest = max(longest, current)
    return leading, longest


def score_survivors(values: tuple[int, ...], train: int, holdout: int,
                    survivors: list[dict[str, Any]],
                    hypotheses: int) -> tuple[list[dict[str, Any]], int]:
    """One row per distinct survivor (features, label, test hit rate, next draw, and what
    step 6 needs: hypothesis, anchor, matches over the whole history), and how many
    survivors were merged into another that predicts the same draws."""
    families, generators = _codes()
    n = len(values)
    rows: dict[tuple[int, ...], dict[str, Any]] = {}
    merged = 0
    for survivor in survivors[:MAX_SURVIVORS]:
        hypothesis = Hypothesis.model_validate(survivor["hypothesis"])
        anchor = int(survivor["anchor"])
        if anchor >= train:
            continue
        predicted = predict(hypothesis, n + 1 - anchor)
        hits = [predicted[i - anchor] == values[i] for i in range(anchor, n)]
        train_hits = hits[: train - anchor]
        holdout_hits = hits[train - anchor: holdout - anchor]
        test_hits = hits[holdout - anchor:]
        q = per_draw_match_probability(hypothesis.generator_class, hypothesis.parsed_reduction)
        compared = len(train_hits)
        matches = sum(train_hits)
        leading, longest = _runs(train_hits)
        half = compared // 2
        quarter = max(compared // 4, 1)
        log_train_p = min(0.0, (math.log(max(hypotheses, 1))
                                + log_binomial_tail(compared, matches, q)) / math.log(10))
        row = {
            "train_compared": compared, "train_matches": matches,
            "train_error_rate": 1 - matches / compared if compared else 1.0,
            "leading_run": leading, "longest_run": longest,
            "late_match_share": sum(train_hits[half:]) / matches if matches else 0.0,
            "recent_match_rate": sum(train_hits[-quarter:]) / quarter,
            "log10_corrected_p": float(survivor["log10_p_value"]),
            "log10_train_p": log_train_p,
            "skip_regular": 1.0 if hypothesis.skip.is_constant else 0.0,
            "skip": hypothesis.skip.then, "anchor": anchor,
            "generator_family": families[hypothesis.generator_class.family],
            "generator": generators[hypothesis.generator],
            "reduction_kind": REDUCTION_KINDS.index(hypothesis.parsed_reduction.kind),
            "log10_q": math.log10(q),
            # not features: the label, the final test, what step 6 predicts with
            "label": sum(holdout_hits) / len(holdout_hits) if holdout_hits else 0.0,
            "test_hit_rate": sum(test_hits) / len(test_hits) if test_hits else 0.0,
            "history_matches": sum(hits), "history_compared": len(hits), "q": q,
            "next_draw": predicted[n - anchor], "hypothesis": survivor["hypothesis"],
            "group": f"{hypothesis.generator}/{hypothesis.seed}",
        }
        key = tuple(predicted[train - anchor:])
        kept = rows.get(key)
        merged += kept is not None
        if kept is None or row["log10_corrected_p"] < kept["log10_corrected_p"]:
            rows[key] = row
    ordered = sorted(rows.values(), key=lambda r: (r["log10_corrected_p"], -r["train_matches"],
                                                   r["group"], r["anchor"]))
    return ordered, merged


def scoring(step: StepInput) -> list[NewEvent]:
    """Step 3: features on the training segment, labels on the held-out segment."""
    ref, source_run = step.earlier(2, "survivors.json")
    found: dict[str, Any] = (step.read_json(ref) if ref is not None
                             else {"hypotheses": 0, "survivors": []})
    split = step.split
    rows, duplicates = score_survivors(step.history.values, split.train, split.holdout,
                                       found["survivors"], int(found["hypotheses"]))
    labels = [r["label"] for r in rows]
    mean = sum(labels) / len(labels) if labels else 0.0
    variance = sum((x - mean) ** 2 for x in labels) / len(labels) if labels else 0.0
    table = {"features": list(FEATURES), "schema_sha256": FEATURE_SCHEMA_SHA256,
             "hypotheses": int(found["hypotheses"]), "split": split.as_metrics(), "rows": rows}
    artifact = step.put_json("features.json", table)
    cells = [float(r[f]) for r in rows for f in FEATURES]
    metrics = {
        "survivors_scored": len(rows), "survivors_in": len(found["survivors"]),
        "survivors_unscored": len(found["survivors"]) - len(rows) - duplicates,
        "duplicates_merged": duplicates,
        "feature_count": len(FEATURES), "feature_schema_sha256": FEATURE_SCHEMA_SHA256,
        "nan_fraction": sum(1 for c in cells if math.isnan(c)) / len(cells) if cells else 0.0,
        "label_mean": mean, "label_variance": variance,
        "label_positive_fraction": sum(1 for x in labels if x >= 0.5) / len(labels) if labels else 0.0,
        "survivors_from_run": source_run, "degenerate": not rows,
    }
    summary = (f"{len(rows)} survivor(s) scored on {split.train} training draws, labelled on "
               f"{split.holdout - split.train} held-out draws" if rows
               else "no survivors to score: the table is empty")
    return [completed(step, metrics, summary=summary, artifacts=(artifact,))]


run = run_step(scoring)
