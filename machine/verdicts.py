"""Pure verdict rules: the deterministic guardrail, the clamp on LLM verdicts, retry budgets.

Shared by ``decide`` (which asks for verdicts) and the fold (which refuses a recorded LLM
verdict looser than these rules allow), so the rule "the LLM may make a decision stricter,
never looser" is enforced by the machine itself, not left to handlers.
"""

from __future__ import annotations

import math
from typing import Mapping, cast

from .events import DECISION_RANK, Gate
from .policies import Policies, Threshold
from .state import Attempt, Run
from .steps import SELFPLAY, UnitKey

__all__ = [
    "stricter",
    "clamp_verdict",
    "bound_adjustments",
    "threshold_gates",
    "unit_gates",
    "hard_failures",
    "retry_allowed",
    "guardrail_for_attempt",
    "guardrail_for_request",
]

def stricter(a: str, b: str) -> str:
    """The stricter of two decisions (proceed < retry < escalate)."""
    return a if DECISION_RANK[a] >= DECISION_RANK[b] else b


def clamp_verdict(
    proposed: str, *, floor: str, retry_allowed: bool, subject: str
) -> tuple[str, bool]:
    """What the machine acts on when a verdict ``proposed`` follows the guardrail's ``floor``.

    Never looser than the floor; a ``retry`` without budget (or of a request, which has
    nothing to re-run) becomes ``escalate``. Returns ``(effective, clamped)``.
    """
    effective = stricter(proposed, floor)
    if effective == "retry" and (subject == "request" or not retry_allowed):
        effective = "escalate"
    return effective, effective != proposed


def bound_adjustments(adjustments: Mapping[str, float], policies: Policies) -> dict[str, float]:
    """Keep at most ``max_adjustments`` parameters (by name), each factor within
    ``[1/max_factor, max_factor]``; non-finite or non-positive factors are dropped."""
    limit = policies.retries.max_adjustments
    top = policies.retries.max_factor
    out: dict[str, float] = {}
    for name in sorted(adjustments):
        if len(out) >= limit:
            break
        value = adjustments[name]
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            continue
        out[name] = float(min(max(value, 1.0 / top), top))
    return out


def _threshold_gate(bound: Threshold, metrics: Mapping[str, object]) -> Gate | None:
    value = metrics.get(bound.metric)
    name = f"policy:{bound.metric}"
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        if bound.required:
            return Gate(name=name, passed=False, hard=bound.hard, detail="metric not reported")
        return None
    number = float(value)
    low_ok = bound.min is None or number >= bound.min
    high_ok = bound.max is None or number <= bound.max
    detail = f"{bound.metric}={number:g} (min {bound.min}, max {bound.max})"
    return Gate(name=name, passed=low_ok and high_ok and math.isfinite(number), hard=bound.hard,
                detail=detail)


def threshold_gates(unit: str, metrics: Mapping[str, object], policies: Policies) -> list[Gate]:
    """The policy's metric bounds for ``unit``, as gates."""
    gates = []
    # A unit without bounds (the request's screening among them) gets no threshold gates.
    for bound in policies.thresholds.get(cast(UnitKey, unit), ()):
        gate = _threshold_gate(bound, metrics)
        if gate is not None:
            gates.append(gate)
    return gates


def unit_gates(attempt: Attempt, policies: Policies) -> list[Gate]:
    """Every gate of a completed attempt: the handler's own, the policy's, and for selfplay
    the rule that it must have emitted a candidate."""
    gates = list(attempt.gates) + threshold_gates(attempt.unit, attempt.metrics, policies)
    if attempt.unit == SELFPLAY:
        gates.append(
            Gate(
                name="candidates_emitted",
                passed=bool(attempt.candidates),
                hard=True,
                detail=f"{len(attempt.candidates)} candidate(s)",
            )
        )
    return gates


def hard_failures(attempt: Attempt, policies: Policies) -> list[str]:
    """Why this attempt may never proceed (empty: it may). A failed attempt always has one."""
    if attempt.outcome != "completed":
        return [f"failed: {attempt.reason or 'no outcome recorded'}"]
    return [
        f"hard gate {g.name} failed" + (f" ({g.detail})" if g.detail else "")
        for g in unit_gates(attempt, policies)
        if g.hard and not g.passed
    ]


def retry_allowed(run: Run, attempt: Attempt, policies: Policies) -> bool:
    """Whether one more attempt of this unit fits both budgets."""
    unit_retries = attempt.attempt - 1
    return unit_retries < policies.retries.per_step and run.retries < policies.retries.per_run


def guardrail_for_attempt(
    run: Run, attempt: Attempt, policies: Policies
) -> tuple[str, tuple[str, ...], bool]:
    """The deterministic verdict on an attempt: ``(decision, reasons, retry_allowed)``.

    Any failure or failed hard gate: ``retry`` while the budget lasts, then ``escalate``.
    Otherwise ``proceed``, listing failed soft gates as warnings.
    """
    allowed = retry_allowed(run, attempt, policies)
    hard = hard_failures(attempt, policies)
    if hard:
        if allowed:
            return "retry", tuple(hard), allowed
        budget = (
            f"retry budget exhausted (unit {attempt.unit}: {attempt.attempt - 1} of "
            f"{policies.retries.per_step} retries; run: {run.retries} of "
            f"{policies.retries.per_run})"
        )
        return "escalate", (*hard, budget), allowed
    gates = unit_gates(attempt, policies)
    soft = [f"warning: soft gate {g.name} failed" for g in gates if not g.passed]
    return "proceed", (f"{len(gates) - len(soft)} of {len(gates)} gates passed", *soft), allowed


def guardrail_for_request(kind: str) -> tuple[str, tuple[str, ...], bool]:
    """The deterministic verdict on a validated request: it passed every check, so proceed."""
    return "proceed", (f"{kind} request passed validation",), False

