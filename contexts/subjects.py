"""What the LLM is asked to judge: missions, evaluation schemas, parameter bounds, grammars.

One :class:`Subject` per thing the WATCHER asks about: the pipeline steps of
:mod:`machine.steps`, the request
(screening before dispatch), the selfplay candidate, Chapter 13, and two advisory subjects
(sieve analysis, strategy). Each declares:

- its mission (what the unit is for, what a good result looks like), in a few sentences;
- its evaluation schema: the metrics that matter, what each means, and the thresholds that
  become deterministic gates (hard gates fail the unit, soft ones warn) -- this is also the
  contract of the metrics a step handler reports in ``StepCompleted.metrics``;
- which parameters a retry may adjust and within which factor bounds (or, for Chapter 13,
  which absolute values it may propose);
- its grammar (one of ``grammars.VERDICT_MODELS``).

Everything here is data: the guardrails (:mod:`contexts.guardrails`) and the bundle factory
(:mod:`contexts.bundle`) read it, and the prompt's tier 0 is rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal, Mapping

from machine.loop_policy import LOOP_PARAMETERS
from machine.policies import DEFAULT_THRESHOLDS
from machine.steps import SELFPLAY, step_for

__all__ = [
    "MetricSpec",
    "FactorBound",
    "ValueBound",
    "Subject",
    "SUBJECTS",
    "resolve_subject",
    "subject_for_unit",
]


@dataclass(frozen=True)
class MetricSpec:
    """One metric of an evaluation schema and its thresholds.

    ``min``/``max`` (numbers) and ``expect`` (flags) are hard: outside them the unit fails its
    gate and may not proceed. ``warn_min``/``warn_max`` are soft: outside them it warns. A
    metric the unit did not report fails its hard gate only when ``required`` (fail closed for
    what must be there, quiet for extras).
    """

    name: str
    meaning: str
    kind: Literal["number", "flag"] = "number"
    min: float | None = None
    max: float | None = None
    expect: bool | None = None
    warn_min: float | None = None
    warn_max: float | None = None
    required: bool = False

    @property
    def hard(self) -> bool:
        """Whether the metric has a hard threshold."""
        return self.min is not None or self.max is not None or self.expect is not None

    @property
    def soft(self) -> bool:
        """Whether the metric has a soft threshold."""
        return self.warn_min is not None or self.warn_max is not None

    def threshold_text(self) -> str:
        """The thresholds in words, e.g. ``hard >= 0.5; soft >= 0.8``."""
        def bounds(low: float | None, high: float | None) -> list[str]:
            out = []
            if low is not None:
                out.append(f">= {low:g}")
            if high is not None:
                out.append(f"<= {high:g}")
            return out

        parts = []
        hard = bounds(self.min, self.max)
        if self.expect is not None:
            hard.append("true" if self.expect else "false")
        if hard:
            parts.append("hard " + " and ".join(hard))
        soft = bounds(self.warn_min, self.warn_max)
        if soft:
            parts.append("soft " + " and ".join(soft))
        return "; ".join(parts) if parts else "informational"


@dataclass(frozen=True)
class FactorBound:
    """A parameter a retry may multiply, and the factor's bounds (inclusive)."""

    name: str
    low: float
    high: float


@dataclass(frozen=True)
class ValueBound:
    """A parameter Chapter 13 may set, and the value's bounds (inclusive)."""

    name: str
    low: float
    high: float


@dataclass(frozen=True)
class Subject:
    """One kind of judgement: mission, schema, bounds, grammar."""

    key: str
    title: str
    grammar: str
    mission: str
    metrics: tuple[MetricSpec, ...] = ()
    factors: tuple[FactorBound, ...] = ()
    values: tuple[ValueBound, ...] = ()
    notes: tuple[str, ...] = ()
    #: The machine's ``(subject, unit)`` for verdicts on this subject, if the machine asks.
    machine: tuple[str, str] | None = None

    def metric(self, name: str) -> MetricSpec | None:
        """The schema entry for ``name`` (``None`` for a metric outside the schema)."""
        for spec in self.metrics:
            if spec.name == name:
                return spec
        return None


def _step_subject(name: str, **fields: Any) -> Subject:
    """A pipeline step's subject: key, title and machine unit from ``machine.steps``."""
    step = step_for(name)
    return Subject(key=f"step_{step.number}", title=f"step {step.label} ({step.title})",
                   grammar="step_verdict", machine=("step", step.unit), **fields)


def _policy_bound(step: str, spec: MetricSpec) -> MetricSpec:
    """``spec`` with the default policy's bound on its metric: a hard policy bound becomes
    ``min``/``max``, a soft one ``warn_min``/``warn_max``. The policy holds the number, so the
    prompt states the same threshold the machine's gate enforces."""
    for bound in DEFAULT_THRESHOLDS.get(step_for(step).unit, ()):
        if bound.metric == spec.name:
            if bound.hard:
                return replace(spec, min=bound.min, max=bound.max)
            return replace(spec, warn_min=bound.min, warn_max=bound.max)
    raise KeyError(f"no default policy bound on {spec.name} of step {step}")


_STEP_NOTE = (
    "Judge the numbers, not the wording: a failed hard gate means the step must not proceed."
)

SUBJECTS: Mapping[str, Subject] = {
    s.key: s
    for s in (
        _step_subject(
            "window_optimizer",
            mission=(
                "Choose the window of draws, the offsets and the skip space the sieve will "
                "search, scored by statistical power (the chance a real generator would be "
                "detected) per unit of search cost, not by how many survivors it yields."
            ),
            metrics=(
                MetricSpec("window_draws", "draws in the chosen window", min=8, required=True),
                MetricSpec("expected_power", "chance (0-1) a true generator is detected",
                           min=0.5, warn_min=0.8, required=True),
                MetricSpec("log10_hypotheses", "log10 of hypotheses the plan will test",
                           warn_max=13),
                MetricSpec("trials", "optimizer trials run", warn_min=20),
            ),
            factors=(
                FactorBound("window_size", 0.5, 2.0),
                FactorBound("offset_range", 0.5, 2.0),
                FactorBound("skip_range", 0.5, 2.0),
                FactorBound("optuna_trials", 1.0, 2.0),
            ),
            notes=(_STEP_NOTE,),
        ),
        _step_subject(
            "sieve",
            mission=(
                "Search generators x seeds x offsets x skips for hypotheses whose predicted "
                "draws match the window. Every survivor carries a p-value corrected for the "
                "number of hypotheses tried; 'identified' means corrected p below alpha, "
                "otherwise the honest answer is that no generator explains the data."
            ),
            metrics=(
                MetricSpec("hypotheses_tried", "hypotheses tested", min=1, required=True),
                MetricSpec("chunks_failed", "search chunks that failed for good", max=0,
                           required=True),
                MetricSpec("survivor_cap_hit", "survivors exceeded the memory cap",
                           kind="flag", expect=False),
                MetricSpec("survivors", "hypotheses that matched the window"),
                MetricSpec("expected_chance_survivors", "survivors expected by chance alone"),
                MetricSpec("best_corrected_p", "best survivor's corrected p-value"),
                MetricSpec("identified", "best corrected p below alpha", kind="flag"),
            ),
            factors=(
                FactorBound("seed_range", 0.5, 2.0),
                FactorBound("offset_range", 0.5, 2.0),
                FactorBound("skip_range", 0.5, 2.0),
                FactorBound("survivor_threshold", 0.8, 1.25),
                FactorBound("chunk_size", 0.5, 2.0),
            ),
            notes=(_STEP_NOTE, "Many survivors near the chance expectation mean no signal."),
        ),
        _step_subject(
            "scoring",
            mission=(
                "Compute per-survivor features under the observation model, for every "
                "survivor of the sieve, with no missing values."
            ),
            metrics=(
                MetricSpec("survivors_scored",
                           "survivors with features (0 when the sieve found none: the step "
                           "then completes, saying so)", required=True),
                MetricSpec("survivors_unscored", "survivors left without features", max=0,
                           required=True),
                MetricSpec("feature_count", "features per survivor", min=1),
                MetricSpec("nan_fraction", "fraction of missing feature values", max=0.05,
                           warn_max=0.01),
            ),
            factors=(FactorBound("feature_window", 0.5, 2.0),),
            notes=(_STEP_NOTE,),
        ),
        _step_subject(
            "model_plan",
            mission=(
                "Choose the model families and search spaces for training from the shape of "
                "the data (rows, features, class balance)."
            ),
            metrics=(
                MetricSpec("families_selected",
                           "model families chosen (0 when the target is degenerate or the rows "
                           "too few: the baseline ranker is then used, and that is correct)",
                           required=True),
                MetricSpec("train_rows", "rows available for training", warn_min=100),
                MetricSpec("search_space_size", "configurations in the search space", min=1),
            ),
            factors=(
                FactorBound("model_families", 0.5, 2.0),
                FactorBound("search_iterations", 0.5, 2.0),
            ),
            notes=(_STEP_NOTE,),
        ),
        _step_subject(
            "training",
            mission=(
                "Train XGBoost, LightGBM, CatBoost and an MLP on time-ordered splits with "
                "folds grouped by hypothesis family; score the test split once; report "
                "measured metrics, never assumed ones."
            ),
            metrics=(
                MetricSpec("test_evaluations", "times the test split was scored", max=1,
                           required=True),
                MetricSpec("leakage_detected", "a leakage check failed", kind="flag",
                           expect=False),
                _policy_bound("training", MetricSpec(
                    "train_test_gap", "train score minus test score", warn_max=0.05)),
                MetricSpec("test_score", "score on the held-out test split"),
                MetricSpec("folds", "cross-validation folds", warn_min=3),
            ),
            factors=(
                FactorBound("learning_rate", 0.5, 2.0),
                FactorBound("regularization", 0.5, 2.0),
                FactorBound("early_stopping_rounds", 0.5, 2.0),
            ),
            notes=(_STEP_NOTE, "A large train-test gap is overfitting: do not proceed on it."),
        ),
        _step_subject(
            "prediction",
            mission=(
                "Build a pool of candidates for the next draw from the ranked survivors, "
                "each with its probability, and test it against chance (pool size / 1000) "
                "with a binomial test."
            ),
            metrics=(
                MetricSpec("pool_size", "candidates in the pool", min=1, max=1000,
                           required=True),
                MetricSpec("probability_sum", "sum of the pool's probabilities", min=0,
                           max=1.000001),
                _policy_bound("prediction", MetricSpec(
                    "pool_p_value", "binomial p-value of past hits vs chance")),
                MetricSpec("hit_rate", "past hit rate of pools like this one"),
                MetricSpec("chance_rate", "hit rate expected by chance"),
            ),
            factors=(
                FactorBound("pool_size", 0.5, 2.0),
                FactorBound("min_probability", 0.5, 2.0),
            ),
            notes=(_STEP_NOTE, "A pool no better than chance is a warning, not a success."),
        ),
        Subject(
            key="request",
            title="request screening",
            grammar="request_validation",
            machine=("request", "screen"),
            mission=(
                "A request passed the deterministic checks (kind, fields, bounds, paths). "
                "Decide whether it should run now or needs a human first, e.g. when it "
                "repeats a recent failing run or asks for unusually expensive work."
            ),
            notes=("You cannot reject a request here; escalate when in doubt.",),
        ),
        Subject(
            key="selfplay",
            title="selfplay candidate evaluation",
            grammar="selfplay_evaluation",
            machine=("selfplay", SELFPLAY),
            mission=(
                "Selfplay explored policies and emitted candidates. Judge whether the run is "
                "sound and whether its best candidate deserves Chapter 13's validation on "
                "draws that arrive later. Selfplay never promotes a policy itself."
            ),
            metrics=(
                MetricSpec("episodes_run", "episodes completed", min=1, required=True),
                MetricSpec("candidates", "candidate policies emitted", min=1),
                MetricSpec("improvement", "candidate score minus baseline score",
                           warn_min=0),
                MetricSpec("candidate_score", "best candidate's score"),
                MetricSpec("baseline_score", "the baseline policy's score"),
            ),
            factors=(FactorBound("episodes", 0.5, 2.0),),
        ),
        Subject(
            key="chapter13",
            title="Chapter 13 feedback",
            grammar="chapter13_proposal",
            mission=(
                "Score the predictions against the draws that arrived, name the failure "
                "mode if any, and propose an action: hold, retrain (which scope), explore "
                "with selfplay, roll back to the baseline, or escalate."
            ),
            metrics=(
                MetricSpec("predictions_scored", "predictions compared with real draws", min=1,
                           required=True),
                MetricSpec("hit_rate", "observed hit rate"),
                MetricSpec("chance_rate", "hit rate expected by chance"),
                MetricSpec("hit_rate_p_value", "binomial p-value of the hits vs chance"),
                MetricSpec("draws_since_training", "draws that arrived since training"),
            ),
            # the loop policy's own bounds (machine.loop_policy), the acceptance rules' too
            values=tuple(ValueBound(p.name, p.low, p.high)
                         for p in LOOP_PARAMETERS.values() if p.advisor),
        ),
        Subject(
            key="sieve_analysis",
            title="sieve analysis",
            grammar="sieve_analysis",
            mission=(
                "Read a sieve's statistics: is there a signal beyond chance, which generator "
                "family it points to, and where the next search should go."
            ),
            metrics=(
                MetricSpec("hypotheses_tried", "hypotheses tested", min=1, required=True),
                MetricSpec("survivors", "hypotheses that matched the window"),
                MetricSpec("expected_chance_survivors", "survivors expected by chance alone"),
                MetricSpec("best_corrected_p", "best survivor's corrected p-value"),
            ),
        ),
        Subject(
            key="strategy",
            title="strategy advisor",
            grammar="strategy_advisor",
            mission=(
                "Given the recent outcomes of the pipeline, say where the next effort should "
                "go and which parameters to change, within their bounds."
            ),
            factors=(
                FactorBound("window_size", 0.5, 2.0),
                FactorBound("seed_range", 0.5, 2.0),
                FactorBound("pool_size", 0.5, 2.0),
                FactorBound("episodes", 0.5, 2.0),
            ),
        ),
    )
}

_ALIASES = {
    "screen": "request",
    "request_validation": "request",
    "chapter_13": "chapter13",
    "strategy_advisor": "strategy",
}


def resolve_subject(step_id: str | int) -> Subject:
    """The subject for a step id: a step's number, name or kind (``3``, ``scoring``,
    ``step.3``; or ``step_3``), ``screen``/``request``, ``selfplay``, ``chapter13``,
    ``sieve_analysis``, ``strategy`` (``KeyError`` otherwise)."""
    key = str(step_id).strip().lower()
    try:
        key = f"step_{step_for(key).number}"
    except KeyError:
        key = _ALIASES.get(key, key)
    if key not in SUBJECTS:
        raise KeyError(f"unknown step id {step_id!r}; known: {sorted(SUBJECTS)}")
    return SUBJECTS[key]


def subject_for_unit(subject: str, unit: str) -> Subject:
    """The subject the machine means by ``(subject, unit)`` of an ``llm.evaluate`` command."""
    if subject == "request":
        return SUBJECTS["request"]
    if subject == "selfplay" or unit == SELFPLAY:
        return SUBJECTS["selfplay"]
    return resolve_subject(unit)
