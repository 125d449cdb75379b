"""The bundle factory: the one way to build an LLM prompt, with budgets, provenance,
missions, evaluation schemas and deterministic guardrails.

``build_llm_context(step_id, run_id, results, ...) -> (prompt, grammar_name, bundle)`` is the
entry point (:mod:`contexts.bundle`); :mod:`contexts.subjects` holds the missions and schemas,
:mod:`contexts.guardrails` the gates and clamps, :mod:`contexts.budget` the token budgets and
:mod:`contexts.history` the tier-2 retrieval from the projections.
"""

from .budget import ANSWER_TOKENS, Budget, BudgetError, TokenCounter, fit_tiers
from .bundle import (
    CONTEXT_VERSION,
    ProvenanceItem,
    StepAwarenessBundle,
    TierInfo,
    build_llm_context,
    canonical_json,
    describe_answer,
    sha256_text,
)
from .guardrails import (
    Interpretation,
    clamp_factors,
    clamp_values,
    guardrail_floor,
    interpret,
    schema_gates,
)
from .history import (
    EMPTY_HISTORY,
    EscalationItem,
    History,
    OutcomeItem,
    Trend,
    history_from_records,
    history_from_views,
)
from .subjects import SUBJECTS, FactorBound, MetricSpec, Subject, ValueBound, resolve_subject, subject_for_unit

__all__ = [
    "ANSWER_TOKENS",
    "Budget",
    "BudgetError",
    "TokenCounter",
    "fit_tiers",
    "CONTEXT_VERSION",
    "ProvenanceItem",
    "StepAwarenessBundle",
    "TierInfo",
    "build_llm_context",
    "canonical_json",
    "describe_answer",
    "sha256_text",
    "Interpretation",
    "clamp_factors",
    "clamp_values",
    "guardrail_floor",
    "interpret",
    "schema_gates",
    "EMPTY_HISTORY",
    "EscalationItem",
    "History",
    "OutcomeItem",
    "Trend",
    "history_from_records",
    "history_from_views",
    "SUBJECTS",
    "FactorBound",
    "MetricSpec",
    "Subject",
    "ValueBound",
    "resolve_subject",
    "subject_for_unit",
]
