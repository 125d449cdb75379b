"""Commands: what ``decide`` asks for next. Frozen pydantic models with deterministic ids.

A command's id is ``cmd:<scope>#<digest>``: the scope names where it stands (run, unit,
attempt, phase) and the digest covers every other field. Re-deciding on the same state gives
the same id, so a handler re-run after a crash emits the same event ids (``<command id>/<n>``)
and the ledger's idempotent append turns the retry into a no-op; and replay can compare a
recorded command (the ``causation_id`` of its events) with the one current code decides.

``kind`` names the handler: built-in kinds (``BUILTIN_KINDS``) are pure and handled inside
``machine``; the others (``EXTERNAL_KINDS``) are looked up in the handler registry.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from ledger import canonical

from .events import Decision, Gate, RunPlan, Subject, UnitName

__all__ = [
    "Command",
    "PlanDispatch",
    "StartDispatch",
    "RecordGuardrailVerdict",
    "StartLLM",
    "StopLLM",
    "EvaluateWithLLM",
    "StartStep",
    "RunStep",
    "StartSelfplay",
    "RunSelfplay",
    "EscalateRun",
    "CompleteRun",
    "FailRun",
    "BUILTIN_KINDS",
    "EXTERNAL_KINDS",
    "STEP_KINDS",
    "make_command",
]

STEP_KINDS = tuple(f"step.{n}" for n in range(1, 7))


class Command(BaseModel):
    """Base of every command. ``scope`` is not stored: it only shapes the id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    KIND: ClassVar[str] = ""
    kind: str
    id: str
    request_id: str
    run_id: str
    not_before: str | None = Field(
        default=None, description="earliest time to run it (from recorded timestamps + cooldown)"
    )


class PlanDispatch(Command):
    """Dry run: record the plan a request would run (``DispatchPlanned``)."""

    KIND: ClassVar[str] = "dispatch.plan"
    kind: Literal["dispatch.plan"] = "dispatch.plan"
    plan: RunPlan


class StartDispatch(Command):
    """Take the head of the queue: it becomes the active run (``DispatchStarted``)."""

    KIND: ClassVar[str] = "dispatch.start"
    kind: Literal["dispatch.start"] = "dispatch.start"
    plan: RunPlan


class RecordGuardrailVerdict(Command):
    """Record the deterministic verdict, always before any LLM verdict."""

    KIND: ClassVar[str] = "verdict.guardrail"
    kind: Literal["verdict.guardrail"] = "verdict.guardrail"
    subject: Subject
    unit: UnitName
    attempt: int
    decision: Decision
    reasons: tuple[str, ...]


class StartLLM(Command):
    """Load the LLM (``LLMStarted``, or ``LLMUnavailable``)."""

    KIND: ClassVar[str] = "llm.start"
    kind: Literal["llm.start"] = "llm.start"
    unit: UnitName
    attempt: int
    timeout_s: float


class StopLLM(Command):
    """Stop the LLM and free its memory before GPU-heavy work (``LLMStopped``)."""

    KIND: ClassVar[str] = "llm.stop"
    kind: Literal["llm.stop"] = "llm.stop"
    unit: UnitName
    attempt: int
    timeout_s: float


class EvaluateWithLLM(Command):
    """Ask the LLM for a verdict (``VerdictRecorded`` source llm, or ``LLMUnavailable``).

    Carries what the bundle factory needs and the guardrail ``floor`` the machine will clamp
    the answer to.
    """

    KIND: ClassVar[str] = "llm.evaluate"
    kind: Literal["llm.evaluate"] = "llm.evaluate"
    subject: Subject
    unit: UnitName
    attempt: int
    floor: Decision
    floor_reasons: tuple[str, ...]
    retry_allowed: bool
    outcome: str | None = None
    reason: str | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)
    gates: tuple[Gate, ...] = ()
    request: dict[str, Any] = Field(default_factory=dict)
    timeout_s: float


class StartStep(Command):
    """Record that a step's attempt begins (``StepStarted``), with its adjustments."""

    KIND: ClassVar[str] = "step.start"
    kind: Literal["step.start"] = "step.start"
    step: int
    attempt: int
    gpu_heavy: bool
    params: dict[str, Any] = Field(default_factory=dict)
    adjustments: dict[str, float] = Field(default_factory=dict)


class RunStep(Command):
    """Run a pipeline step (``StepCompleted`` or ``StepFailed``)."""

    kind: Literal["step.1", "step.2", "step.3", "step.4", "step.5", "step.6"]
    step: int
    attempt: int
    params: dict[str, Any] = Field(default_factory=dict)
    adjustments: dict[str, float] = Field(default_factory=dict)
    alpha: float
    timeout_s: float


class StartSelfplay(Command):
    """Record that a selfplay attempt begins (``SelfplayStarted``) with its seed."""

    KIND: ClassVar[str] = "selfplay.start"
    kind: Literal["selfplay.start"] = "selfplay.start"
    attempt: int
    episodes: int
    seed: int
    adjustments: dict[str, float] = Field(default_factory=dict)


class RunSelfplay(Command):
    """Run selfplay episodes (``CandidateEmitted``..., then ``SelfplayCompleted``/``Failed``)."""

    KIND: ClassVar[str] = "selfplay.run"
    kind: Literal["selfplay.run"] = "selfplay.run"
    attempt: int
    episodes: int
    seed: int
    params: dict[str, Any] = Field(default_factory=dict)
    adjustments: dict[str, float] = Field(default_factory=dict)
    timeout_s: float


class EscalateRun(Command):
    """Stop the run for a human (``Escalated``)."""

    KIND: ClassVar[str] = "run.escalate"
    kind: Literal["run.escalate"] = "run.escalate"
    unit: UnitName
    attempt: int
    reason: str


class CompleteRun(Command):
    """Close a run whose every unit proceeded (``DispatchCompleted``)."""

    KIND: ClassVar[str] = "run.complete"
    kind: Literal["run.complete"] = "run.complete"
    summary: str


class FailRun(Command):
    """Close a run that cannot go on (``DispatchFailed``)."""

    KIND: ClassVar[str] = "run.fail"
    kind: Literal["run.fail"] = "run.fail"
    reason: str


BUILTIN_KINDS = frozenset(
    {
        "dispatch.plan",
        "dispatch.start",
        "verdict.guardrail",
        "step.start",
        "selfplay.start",
        "run.escalate",
        "run.complete",
        "run.fail",
    }
)
EXTERNAL_KINDS = frozenset({"llm.start", "llm.stop", "llm.evaluate", "selfplay.run", *STEP_KINDS})


def make_command(cls: type[Command], scope: str, **fields: Any) -> Command:
    """Build a command whose id is ``cmd:<scope>#<12 hex of SHA256 over its fields>``."""
    kind = fields.pop("kind", None) or cls.KIND
    draft = cls(kind=kind, id="cmd:draft", **fields)
    body = draft.model_dump(mode="json", exclude={"id"})
    digest = hashlib.sha256(canonical(body)).hexdigest()[:12]
    return draft.model_copy(update={"id": f"cmd:{scope}#{digest}"})
