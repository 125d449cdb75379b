"""The verdict models: what an LLM may answer, one pydantic model per grammar.

Each model here is the single source of truth for its grammar file (``grammars/<name>.gbnf``,
generated from the model's JSON schema by :mod:`grammars.gbnf`). The models are written in a
deliberately small dialect so that the grammar admits *exactly* the canonical JSON of the
model's instances (``model_dump_json()``), no more and no less:

- every field is always present, in declaration order, with no whitespace (as pydantic dumps);
- free text is ``Annotated[str, Text(...)]``: no ``"``, no ``\\``, no control characters, so
  no escapes exist and the grammar's character count equals the model's ``max_length``;
- numbers are ``Annotated[float, *Decimal(...)]``: integer bounds and at most a few decimal
  places (the model rounds, the grammar admits no more digits), so a bound in the schema is a
  bound in the grammar;
- choices are ``Literal`` enums; optional parts are ``X | None``; lists are bounded tuples;
- cross-field rules ("a retry carries its reason") are expressed as discriminated unions, which
  the grammar expresses as alternatives, never as validators the grammar cannot see.

The original system's consumers read keys its grammars never produced; with one definition
and the equivalence tests in ``tests/grammars``, that class of bug cannot come back.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Callable, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
)

__all__ = [
    "MAX_PROPOSALS",
    "TEXT_PATTERN",
    "DECIMAL_PLACES_KEY",
    "Text",
    "Decimal",
    "Confidence",
    "Factor",
    "Reasoning",
    "Remarks",
    "VerdictModel",
    "ParamName",
    "ParamProposal",
    "ProceedVerdict",
    "RetryVerdict",
    "EscalateVerdict",
    "StepVerdict",
    "RequestValidationVerdict",
    "Chapter13ParamName",
    "Chapter13ParamProposal",
    "Chapter13Proposal",
    "SelfplayEvaluation",
    "SieveAnalysis",
    "StrategyAction",
    "StrategyAdvice",
    "VERDICT_MODELS",
]

#: The characters free text may hold: anything but a quote, a backslash, a control character
#: or a lone surrogate. JSON needs no escape for any of them, so a model instance and the
#: grammar agree character for character. ``\Z``, not ``$``: Python's ``$`` also matches
#: before a final newline, which would let "\n" through.
TEXT_PATTERN = r"^[^\"\\\x00-\x1f\x7f\ud800-\udfff]*\Z"

#: JSON-schema key that carries a :func:`Decimal`'s number of decimal places to the generator.
DECIMAL_PLACES_KEY = "x-decimal-places"


def Text(max_length: int, min_length: int = 0) -> StringConstraints:
    """The constraints of a bounded single-line text field (see :data:`TEXT_PATTERN`), for
    ``Annotated[str, Text(...)]``."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=TEXT_PATTERN)


def _rounder(places: int) -> Callable[[float], float]:
    def round_to(value: float) -> float:
        # "+ 0.0" turns -0.0 into 0.0: JSON "-0.0" is outside the grammar's bounds.
        return round(float(value), places) + 0.0

    return round_to


def Decimal(low: int, high: int, places: int) -> tuple[Any, AfterValidator]:
    """The metadata of a number in ``[low, high]`` (integer bounds) with at most ``places``
    decimals, for ``Annotated[float, *Decimal(...)]``.

    Integer bounds keep the grammar exact (a decimal bound like 0.1 cannot be expressed as a
    digit pattern that a rounded float never escapes); finer bounds are the guardrails' job,
    which clamp and record the clamp.
    """
    if not (0 <= low < high) or not (1 <= places <= 4):
        raise ValueError("Decimal needs 0 <= low < high and 1..4 places")
    return (
        Field(ge=low, le=high, json_schema_extra={DECIMAL_PLACES_KEY: places}),
        AfterValidator(_rounder(places)),
    )


#: How sure the model says it is, 0 to 1 in hundredths.
Confidence = Annotated[float, *Decimal(0, 1, 2)]
#: A multiplier of a parameter, 0 to 10 in hundredths.
Factor = Annotated[float, *Decimal(0, 10, 2)]
#: The model's one-line justification.
Reasoning = Annotated[str, Text(160, 1)]
#: Up to three short remarks (warnings, concerns).
Remarks = Annotated[tuple[Annotated[str, Text(80, 1)], ...], Field(max_length=3)]


class VerdictModel(BaseModel):
    """Base of every verdict model: frozen, no extra keys, Python regexes (surrogates)."""

    model_config = ConfigDict(frozen=True, extra="forbid", regex_engine="python-re")


#: Most parameter changes one answer may propose (a retry's factors, Chapter 13's values); the
#: prompt says the same number because it reads this one.
MAX_PROPOSALS = 3


# --- step verdict -------------------------------------------------------------------------

#: Parameters a retry may adjust, across all steps (each step declares which of them it
#: accepts and their bounds; the guardrails drop the others and clamp, recording both).
ParamName = Literal[
    "window_size",
    "offset_range",
    "skip_range",
    "optuna_trials",
    "seed_range",
    "survivor_threshold",
    "chunk_size",
    "feature_window",
    "model_families",
    "search_iterations",
    "learning_rate",
    "regularization",
    "early_stopping_rounds",
    "pool_size",
    "min_probability",
    "episodes",
]


class ParamProposal(VerdictModel):
    """Multiply parameter ``name`` by ``factor`` on the retry (clamped by the guardrails)."""

    name: ParamName
    factor: Factor


class ProceedVerdict(VerdictModel):
    """The step's result is good enough to go on."""

    decision: Literal["proceed"]
    confidence: Confidence
    reasoning: Reasoning
    warnings: Remarks


class RetryVerdict(VerdictModel):
    """Run the step again, with a reason and at most three bounded parameter changes."""

    decision: Literal["retry"]
    confidence: Confidence
    reasoning: Reasoning
    retry_reason: Annotated[str, Text(80, 1)]
    suggested_params: Annotated[tuple[ParamProposal, ...], Field(max_length=MAX_PROPOSALS)]
    warnings: Remarks


class EscalateVerdict(VerdictModel):
    """Stop and ask a human."""

    decision: Literal["escalate"]
    confidence: Confidence
    reasoning: Reasoning
    warnings: Remarks


class StepVerdict(RootModel[Annotated[Union[ProceedVerdict, RetryVerdict, EscalateVerdict],
                                      Field(discriminator="decision")]]):
    """The verdict on one pipeline step (grammar ``step_verdict``).

    A union, so that "a retry carries its reason and its parameters" is a shape the grammar
    enforces, not a validator it cannot see. The properties read the common fields.
    """

    model_config = ConfigDict(frozen=True)

    @property
    def decision(self) -> str:
        """``proceed``, ``retry`` or ``escalate``."""
        return self.root.decision

    @property
    def confidence(self) -> float:
        """0 to 1."""
        return self.root.confidence

    @property
    def reasoning(self) -> str:
        """The model's one-line justification."""
        return self.root.reasoning

    @property
    def warnings(self) -> tuple[str, ...]:
        """Up to three short warnings."""
        return self.root.warnings

    @property
    def retry_reason(self) -> str | None:
        """Why to retry (``None`` unless the decision is ``retry``)."""
        return self.root.retry_reason if isinstance(self.root, RetryVerdict) else None

    @property
    def suggested_params(self) -> tuple[ParamProposal, ...]:
        """The retry's parameter changes (empty unless the decision is ``retry``)."""
        return self.root.suggested_params if isinstance(self.root, RetryVerdict) else ()


# --- request validation -------------------------------------------------------------------


class RequestValidationVerdict(VerdictModel):
    """Whether a request that passed the deterministic checks should run now.

    No ``retry``: there is nothing to re-run in a request. ``escalate`` asks a human.
    """

    decision: Literal["proceed", "escalate"]
    confidence: Confidence
    reasoning: Reasoning
    concerns: Remarks


# --- Chapter 13 ---------------------------------------------------------------------------

#: Chapter 13's tunable parameters (absolute values; each has declared bounds in contexts/).
Chapter13ParamName = Literal[
    "retrain_hit_rate_floor",
    "drift_window_draws",
    "min_new_draws",
    "exploration_budget_episodes",
    "acceptance_margin",
    "cooldown_hours",
]


class Chapter13ParamProposal(VerdictModel):
    """Set parameter ``name`` to ``value`` (clamped to its declared bounds, recorded)."""

    name: Chapter13ParamName
    value: Annotated[float, *Decimal(0, 1000, 3)]


class Chapter13Proposal(VerdictModel):
    """Chapter 13's proposal after scoring predictions against the draws that arrived."""

    failure_mode: Literal[
        "none",
        "calibration_drift",
        "overfit",
        "regime_change",
        "data_gap",
        "insufficient_signal",
    ]
    recommended_action: Literal["hold", "retrain", "explore", "rollback", "escalate"]
    risk_level: Literal["low", "medium", "high"]
    retrain_scope: Literal["none", "steps_3_5_6", "full"]
    confidence: Confidence
    reasoning: Reasoning
    parameter_proposals: Annotated[
        tuple[Chapter13ParamProposal, ...], Field(max_length=MAX_PROPOSALS)
    ]


# --- selfplay -----------------------------------------------------------------------------


class SelfplayEvaluation(VerdictModel):
    """The evaluation of a selfplay candidate. Selfplay never promotes: at most the candidate
    is forwarded to Chapter 13, which validates it on draws that arrive later."""

    decision: Literal["proceed", "retry", "escalate"]
    confidence: Confidence
    reasoning: Reasoning
    forward_to_chapter13: bool
    concerns: Remarks


# --- sieve analysis -----------------------------------------------------------------------


class SieveAnalysis(VerdictModel):
    """A reading of a sieve's statistics: is there a signal, and where to search next."""

    signal: Literal["none", "weak", "strong"]
    chance_explains: bool
    generator_family: Literal[
        "none", "lcg", "mersenne_twister", "xorshift", "xoshiro", "pcg", "philox", "other"
    ]
    next_search: Literal["stop", "widen_seeds", "widen_offsets", "widen_skips", "rescore"]
    confidence: Confidence
    reasoning: Reasoning


# --- strategy advisor ---------------------------------------------------------------------


class StrategyAction(VerdictModel):
    """One advised change: multiply ``name`` by ``factor`` (clamped, recorded)."""

    name: ParamName
    factor: Factor


class StrategyAdvice(VerdictModel):
    """Where the pipeline should spend its next effort."""

    focus: Literal["window", "sieve", "scoring", "models", "prediction", "data"]
    priority: Literal["low", "medium", "high"]
    actions: Annotated[tuple[StrategyAction, ...], Field(max_length=3)]
    confidence: Confidence
    reasoning: Reasoning


#: grammar name -> its model. ``tests/grammars`` checks this equals the set of ``*.gbnf``
#: files, both ways.
VERDICT_MODELS: dict[str, type[BaseModel]] = {
    "step_verdict": StepVerdict,
    "request_validation": RequestValidationVerdict,
    "chapter13_proposal": Chapter13Proposal,
    "selfplay_evaluation": SelfplayEvaluation,
    "sieve_analysis": SieveAnalysis,
    "strategy_advisor": StrategyAdvice,
}

# Guard the dialect at import: a pattern typo would silently change the grammar's alphabet.
re.compile(TEXT_PATTERN)
