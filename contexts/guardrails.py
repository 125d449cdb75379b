"""Deterministic guardrails: gates on a unit's metrics, and bounds on what an LLM proposes.

Independent of any LLM:

- :func:`schema_gates` turns a subject's evaluation schema (:mod:`contexts.subjects`) and the
  metrics a unit reported into ``machine.events.Gate`` values named ``schema:<metric>`` (hard)
  and ``schema:<metric>:soft``. Step handlers attach them to ``StepCompleted.gates``; the
  machine's guardrail then never lets a failed hard gate proceed.
- :func:`guardrail_floor` is the verdict these gates alone give (``retry`` on any failed hard
  gate or failed unit, else ``proceed``); the machine's own guardrail stays authoritative and
  turns a ``retry`` without budget into ``escalate``.
- :func:`interpret` reads a parsed LLM answer: its decision, made no looser than the floor
  with ``machine.verdicts.stricter`` (the combination rule is defined once, in ``machine``),
  and its parameter proposals, unknown ones dropped and the rest clamped to the subject's
  declared bounds, every drop and clamp recorded in the reasons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from grammars.models import (
    Chapter13Proposal,
    RequestValidationVerdict,
    SelfplayEvaluation,
    SieveAnalysis,
    StepVerdict,
    StrategyAdvice,
)
from machine.events import DECISION_RANK, Gate
from machine.verdicts import stricter

from .subjects import MetricSpec, Subject, resolve_subject

__all__ = [
    "schema_gates",
    "guardrail_floor",
    "clamp_factors",
    "clamp_values",
    "Interpretation",
    "interpret",
    "CHAPTER13_DECISIONS",
]


def _as_subject(subject: Subject | str | int) -> Subject:
    return subject if isinstance(subject, Subject) else resolve_subject(subject)


def _fmt(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _metric_gates(spec: MetricSpec, metrics: Mapping[str, object]) -> list[Gate]:
    gates: list[Gate] = []
    present = spec.name in metrics and metrics[spec.name] is not None
    value = metrics.get(spec.name)
    hard_name, soft_name = f"schema:{spec.name}", f"schema:{spec.name}:soft"
    if not present:
        if spec.required:
            gates.append(Gate(name=hard_name, passed=False, hard=True,
                              detail="required metric not reported"))
        return gates
    if spec.kind == "flag":
        if not isinstance(value, bool):
            gates.append(Gate(name=hard_name, passed=False, hard=True,
                              detail=f"{spec.name}={_fmt(value)} is not true/false"))
        elif spec.expect is not None:
            gates.append(Gate(name=hard_name, passed=value == spec.expect, hard=True,
                              detail=f"{spec.name}={_fmt(value)} ({spec.threshold_text()})"))
        return gates
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        # A malformed number fails closed: a hard gate if the metric has one, else a warning.
        gates.append(Gate(name=hard_name if spec.hard or spec.required else soft_name,
                          passed=False, hard=spec.hard or spec.required,
                          detail=f"{spec.name}={_fmt(value)} is not a finite number"))
        return gates
    number = float(value)
    detail = f"{spec.name}={_fmt(value)} ({spec.threshold_text()})"
    if spec.hard:
        ok = (spec.min is None or number >= spec.min) and (spec.max is None or number <= spec.max)
        gates.append(Gate(name=hard_name, passed=ok, hard=True, detail=detail))
    if spec.soft:
        ok = (spec.warn_min is None or number >= spec.warn_min) and (
            spec.warn_max is None or number <= spec.warn_max
        )
        gates.append(Gate(name=soft_name, passed=ok, hard=False, detail=detail))
    return gates


def schema_gates(subject: Subject | str | int, metrics: Mapping[str, object]) -> tuple[Gate, ...]:
    """The gates of ``subject``'s evaluation schema on ``metrics``, in schema order."""
    spec = _as_subject(subject)
    gates: list[Gate] = []
    for metric in spec.metrics:
        gates += _metric_gates(metric, metrics)
    return tuple(gates)


def guardrail_floor(
    gates: Iterable[Gate], *, outcome: str | None = "completed", reason: str | None = None
) -> tuple[str, tuple[str, ...]]:
    """The decision the gates alone allow, and why.

    A unit that did not complete, or any failed hard gate: ``retry`` (never ``proceed``).
    Otherwise ``proceed``, with failed soft gates listed as warnings.
    """
    gates = tuple(gates)
    if outcome not in (None, "completed"):
        return "retry", (f"unit {outcome}: {reason or 'no reason recorded'}",)
    hard = [g for g in gates if g.hard and not g.passed]
    if hard:
        return "retry", tuple(f"hard gate {g.name} failed ({g.detail})" for g in hard)
    soft = [g for g in gates if not g.passed]
    passed = len(gates) - len(soft)
    return "proceed", (f"{passed} of {len(gates)} gates passed",) + tuple(
        f"warning: soft gate {g.name} failed ({g.detail})" for g in soft
    )


def clamp_factors(
    subject: Subject | str | int, proposals: Iterable[tuple[str, float]]
) -> tuple[dict[str, float], tuple[str, ...]]:
    """Keep the proposals ``subject`` accepts, each factor clamped to its declared bounds.

    Returns the adjustments and one note per change (dropped: not adjustable here, or a
    repeated name; clamped: from what to what), so the record shows what the LLM asked.
    """
    spec = _as_subject(subject)
    bounds = {b.name: b for b in spec.factors}
    out: dict[str, float] = {}
    notes: list[str] = []
    for name, factor in proposals:
        if name not in bounds:
            notes.append(f"param {name} dropped: not adjustable in {spec.title}")
            continue
        if name in out:
            notes.append(f"param {name} dropped: proposed twice")
            continue
        bound = bounds[name]
        applied = min(max(float(factor), bound.low), bound.high)
        if applied != factor:
            notes.append(
                f"param {name} factor {factor:g} clamped to {applied:g} "
                f"(bounds {bound.low:g}..{bound.high:g})"
            )
        out[name] = applied
    return out, tuple(notes)


def clamp_values(
    subject: Subject | str | int, proposals: Iterable[tuple[str, float]]
) -> tuple[dict[str, float], tuple[str, ...]]:
    """Like :func:`clamp_factors`, for absolute values (Chapter 13's parameter proposals)."""
    spec = _as_subject(subject)
    bounds = {b.name: b for b in spec.values}
    out: dict[str, float] = {}
    notes: list[str] = []
    for name, value in proposals:
        if name not in bounds:
            notes.append(f"param {name} dropped: not settable in {spec.title}")
            continue
        if name in out:
            notes.append(f"param {name} dropped: proposed twice")
            continue
        bound = bounds[name]
        applied = min(max(float(value), bound.low), bound.high)
        if applied != value:
            notes.append(
                f"param {name} value {value:g} clamped to {applied:g} "
                f"(bounds {bound.low:g}..{bound.high:g})"
            )
        out[name] = applied
    return out, tuple(notes)


#: How a Chapter 13 action reads as a WATCHER decision (hold is the only "go on").
CHAPTER13_DECISIONS: Mapping[str, str] = {
    "hold": "proceed",
    "retrain": "retry",
    "explore": "retry",
    "rollback": "escalate",
    "escalate": "escalate",
}


@dataclass(frozen=True)
class Interpretation:
    """What a parsed answer means to the WATCHER.

    ``proposed`` is the decision the answer states (``None`` for advisory subjects),
    ``decision`` the same made no looser than ``floor``; ``adjustments`` are clamped; ``reasons``
    carries the answer's reasoning, its warnings, and every tightening, drop and clamp.
    """

    proposed: str | None
    decision: str | None
    adjustments: dict[str, float]
    reasons: tuple[str, ...]
    tightened: bool


def _answer_parts(verdict: Any) -> tuple[str | None, list[tuple[str, float]], list[str], bool]:
    """(stated decision, proposals, extra reasons, proposals are absolute values)."""
    props: list[tuple[str, float]]
    if isinstance(verdict, StepVerdict):
        props = [(p.name, p.factor) for p in verdict.suggested_params]
        extra = [f"retry reason: {verdict.retry_reason}"] if verdict.retry_reason else []
        extra += [f"warning: {w}" for w in verdict.warnings]
        return verdict.decision, props, extra, False
    if isinstance(verdict, RequestValidationVerdict):
        return verdict.decision, [], [f"concern: {c}" for c in verdict.concerns], False
    if isinstance(verdict, SelfplayEvaluation):
        extra = [f"concern: {c}" for c in verdict.concerns]
        extra.append(
            "forward best candidate to Chapter 13: " + ("yes" if verdict.forward_to_chapter13
                                                         else "no")
        )
        return verdict.decision, [], extra, False
    if isinstance(verdict, Chapter13Proposal):
        props = [(p.name, p.value) for p in verdict.parameter_proposals]
        extra = [
            f"failure mode: {verdict.failure_mode}",
            f"action: {verdict.recommended_action} (scope {verdict.retrain_scope}, "
            f"risk {verdict.risk_level})",
        ]
        return CHAPTER13_DECISIONS[verdict.recommended_action], props, extra, True
    if isinstance(verdict, SieveAnalysis):
        extra = [
            f"signal: {verdict.signal}; chance explains: {str(verdict.chance_explains).lower()}",
            f"family: {verdict.generator_family}; next: {verdict.next_search}",
        ]
        return None, [], extra, False
    if isinstance(verdict, StrategyAdvice):
        props = [(a.name, a.factor) for a in verdict.actions]
        return None, props, [f"focus: {verdict.focus} (priority {verdict.priority})"], False
    raise TypeError(f"not a verdict model: {type(verdict).__name__}")


def interpret(
    subject: Subject | str | int, verdict: Any, *, floor: str | None = None
) -> Interpretation:
    """Read ``verdict`` (a parsed grammar model) for ``subject`` under the guardrail ``floor``.

    The stated decision is tightened to the floor with ``machine.verdicts.stricter``: the LLM
    may make a verdict stricter, never looser. Parameter proposals only count on a ``retry``
    (or for advisory subjects, which have no decision); they are clamped either way.
    """
    spec = _as_subject(subject)
    proposed, props, extra, absolute = _answer_parts(verdict)
    reasons = [f"llm: {verdict.reasoning}"] + extra
    decision = proposed
    tightened = False
    if proposed is not None and floor is not None:
        if floor not in DECISION_RANK:
            raise ValueError(f"unknown floor {floor!r}")
        decision = stricter(proposed, floor)
        if decision != proposed:
            tightened = True
            reasons.append(f"tightened from {proposed} to {decision} by the guardrail floor")
    if decision not in (None, "retry") and props:
        reasons.append(f"{len(props)} parameter proposal(s) ignored: decision is {decision}")
        props = []
    adjustments, notes = (clamp_values if absolute else clamp_factors)(spec, props)
    reasons += notes
    return Interpretation(proposed, decision, adjustments, tuple(reasons), tightened)
