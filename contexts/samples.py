"""Sample results for every subject: for ``watcher llm check``, the tests and the benchmark.

Plausible values that exercise each schema (a passing and a failing case per step), so that
the same inputs appear in the golden prompt hashes, the real-generation tests and the
benchmark table. Not used by the WATCHER itself.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["SAMPLE_RESULTS", "FAILING_RESULTS", "SAMPLE_REQUEST"]

#: A validated learning-loop request, as the machine hands it to the screening verdict.
SAMPLE_REQUEST: Mapping[str, Any] = {
    "kind": "learning_loop",
    "scope": "steps_3_5_6",
    "draws": "draws/daily3.json",
    "reason": "40 new draws since the last run",
}

#: One healthy result per subject.
SAMPLE_RESULTS: Mapping[str, Mapping[str, Any]] = {
    "step_1": {"window_draws": 400, "expected_power": 0.91, "log10_hypotheses": 11.2,
               "trials": 60, "offsets": 50, "skips": 4},
    "step_2": {"hypotheses_tried": 4294967296, "chunks_failed": 0, "survivor_cap_hit": False,
               "survivors": 1, "expected_chance_survivors": 0.0004,
               "best_corrected_p": 2.1e-9, "identified": True},
    "step_3": {"survivors_scored": 1, "survivors_unscored": 0, "feature_count": 24,
               "nan_fraction": 0.0},
    "step_4": {"families_selected": 3, "train_rows": 5200, "search_space_size": 180},
    "step_5": {"test_evaluations": 1, "leakage_detected": False, "train_test_gap": 0.03,
               "test_score": 0.71, "folds": 5},
    "step_6": {"pool_size": 20, "probability_sum": 1.0, "pool_p_value": 0.004,
               "hit_rate": 0.09, "chance_rate": 0.02},
    "request": dict(SAMPLE_REQUEST),
    "selfplay": {"episodes_run": 10, "candidates": 2, "improvement": 0.04,
                 "candidate_score": 0.66, "baseline_score": 0.62},
    "chapter13": {"predictions_scored": 40, "hit_rate": 0.025, "chance_rate": 0.02,
                  "hit_rate_p_value": 0.41, "draws_since_training": 40},
    "sieve_analysis": {"hypotheses_tried": 4294967296, "survivors": 3,
                       "expected_chance_survivors": 2.9, "best_corrected_p": 0.63},
    "strategy": {"runs_completed": 12, "runs_escalated": 2, "identified_runs": 0,
                 "mean_pool_p_value": 0.38},
}

#: One result per pipeline step that fails a hard gate.
FAILING_RESULTS: Mapping[str, Mapping[str, Any]] = {
    "step_1": {"window_draws": 6, "expected_power": 0.2, "trials": 5},
    "step_2": {"hypotheses_tried": 1000000, "chunks_failed": 3, "survivor_cap_hit": True,
               "survivors": 90000, "expected_chance_survivors": 1000.0},
    "step_3": {"survivors_scored": 10, "survivors_unscored": 5, "nan_fraction": 0.2},
    "step_4": {"families_selected": 2, "train_rows": 40, "search_space_size": 0},
    "step_5": {"test_evaluations": 3, "leakage_detected": True, "train_test_gap": 0.31},
    "step_6": {"pool_size": 0, "probability_sum": 0.0},
}
