"""Chapter 13's acceptance rules: whether a proposal's parameter changes and action stand.

Pure: a proposal (what the LLM advisor answered, or the rules' own when it could not), the
active :class:`~machine.loop_policy.LoopPolicy`, when each parameter last changed, and the
rules give one :class:`Judgement`. The machine records it as ``ProposalAccepted``,
``ProposalRejected`` or ``ProposalEscalated``; only an accepted proposal changes the policy.

In this order:

1. *reject* when any of: the confidence is below the floor; more than ``max_parameters``
   values are proposed, or one twice; a parameter is not the advisor's to set, or is frozen;
   a value moves its parameter by more than ``max_relative_change`` of its current value (of
   its range when the current value is 0); a parameter changed fewer than ``reversal_runs``
   runs ago would change again (a reversal or a re-change);
2. *escalate* when the proposal's risk is one of ``escalate_risks`` or it recommends escalating;
3. otherwise *accept*: values are clamped to their declared bounds (integers rounded) first,
   every clamp is listed, and a value equal to the current one is no change.

The original computed such judgements and never applied them, so its reversal and cooldown
checks never fired; here every accepted change is an event the fold applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from .loop_policy import LOOP_PARAMETERS, LoopPolicy

__all__ = [
    "ADVISED_TRIGGERS",
    "AcceptanceRules",
    "DEFAULT_RULES",
    "ParameterChange",
    "Judgement",
    "judge_proposal",
]

Risk = Literal["low", "medium", "high"]

#: The triggers the advisor is asked about: a regime change and a drifting hit rate say the
#: policy may be wrong. A sentinel is the policy's own routine, run as it says without advice
#: (it fires every few draws while nothing is identified).
ADVISED_TRIGGERS = frozenset({"regime_change", "drift"})


class AcceptanceRules(BaseModel):
    """The rules' thresholds (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    confidence_floor: float = Field(default=0.6, ge=0.0, le=1.0)
    max_parameters: int = Field(default=3, ge=0, le=3)
    #: The promotion test's margin is the bar the advisor's own policies are judged by.
    frozen: frozenset[str] = frozenset({"acceptance_margin"})
    max_relative_change: float = Field(default=0.3, gt=0.0, le=10.0)
    reversal_runs: int = Field(default=3, ge=0, le=1000)
    escalate_risks: frozenset[Risk] = frozenset({"medium", "high"})


DEFAULT_RULES = AcceptanceRules()


@dataclass(frozen=True, slots=True)
class ParameterChange:
    """One accepted change: ``old`` -> ``new`` (``proposed`` before clamping)."""

    name: str
    old: float
    new: float
    proposed: float


@dataclass(frozen=True, slots=True)
class Judgement:
    """The outcome and why; ``changes`` for an accepted proposal, and for an escalated one
    the changes it would make once a person approves it (none for a rejected one)."""

    outcome: Literal["accepted", "rejected", "escalated"]
    reasons: tuple[str, ...]
    changes: tuple[ParameterChange, ...] = ()
    clamped: tuple[str, ...] = ()


def _relative_change(name: str, old: float, new: float) -> float:
    if old != 0:
        return abs(new - old) / abs(old)
    spec = LOOP_PARAMETERS[name]
    return abs(new - old) / (spec.high - spec.low)


def judge_proposal(
    *,
    confidence: float,
    risk_level: str,
    recommended_action: str,
    values: Sequence[tuple[str, float]],
    policy: LoopPolicy,
    changed_at_run: Mapping[str, int],
    runs: int,
    rules: AcceptanceRules = DEFAULT_RULES,
) -> Judgement:
    """Judge one proposal: ``values`` are its ``(parameter, proposed value)`` pairs,
    ``changed_at_run`` the run count when each parameter last changed and ``runs`` the count
    now (runs started so far)."""
    violations: list[str] = []
    if confidence < rules.confidence_floor:
        violations.append(f"confidence {confidence:g} below the floor {rules.confidence_floor:g}")
    if len(values) > rules.max_parameters:
        violations.append(f"{len(values)} parameters proposed; at most {rules.max_parameters}")
    names = [name for name, _ in values]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        violations.append(f"proposed twice: {', '.join(twice)}")
    current = policy.model_dump()
    changes: list[ParameterChange] = []
    clamped: list[str] = []
    for name, proposed in values:
        spec = LOOP_PARAMETERS.get(name)
        if spec is None or not spec.advisor:
            violations.append(f"{name} is not a parameter the advisor may set")
            continue
        if name in rules.frozen:
            violations.append(f"{name} is frozen")
            continue
        new = spec.clamp(proposed)
        if new != proposed:
            clamped.append(f"{name} {proposed:g} clamped to {new:g}")
        old = current[name]
        if new == old:
            continue
        moved = _relative_change(name, float(old), float(new))
        if moved > rules.max_relative_change + 1e-12:
            violations.append(
                f"{name} {old:g} -> {new:g} moves it by {moved:.0%}; at most "
                f"{rules.max_relative_change:.0%}"
            )
            continue
        last = changed_at_run.get(name)
        if last is not None and runs - last < rules.reversal_runs:
            violations.append(
                f"{name} changed {runs - last} run(s) ago; no change again within "
                f"{rules.reversal_runs}"
            )
            continue
        changes.append(ParameterChange(name=name, old=float(old), new=float(new),
                                       proposed=float(proposed)))
    if violations:
        return Judgement("rejected", tuple(violations), clamped=tuple(clamped))
    escalations: list[str] = []
    if risk_level in rules.escalate_risks:
        escalations.append(f"risk {risk_level}: a person decides")
    if recommended_action == "escalate":
        escalations.append("the advisor recommends escalating")
    if escalations:
        # the changes a person's approval would apply (``watcher policy approve``)
        return Judgement("escalated", tuple(escalations), tuple(changes), tuple(clamped))
    reasons = [f"{c.name} {c.old:g} -> {c.new:g}" for c in changes] or ["no parameter change"]
    return Judgement("accepted", tuple(reasons), tuple(changes), tuple(clamped))
