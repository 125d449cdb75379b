"""Commands: what ``decide`` asks for next. Frozen pydantic models with deterministic ids.

A command's id is ``cmd:<scope>#<digest>``: the scope names where it stands (run, unit,
attempt, phase) and the digest covers every other field. Re-deciding on the same state gives
the same id, so a handler re-run after a crash emits the same event ids (``<command id>/<n>``)
and the ledger's idempotent append turns the retry into a no-op; and replay can compare a
recorded command (the ``causation_id`` of its events) with the one current code decides.

``kind`` names the handler and is written once per class, as its ``Literal`` type (read back
by :func:`kinds_of`): built-in kinds (``BUILTIN_COMMANDS``) are pure and handled inside
``machine``; the others (``EXTERNAL_COMMANDS``) are looked up in the handler registry. A step's
kind is ``step.<number>`` (``machine.steps``).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field

from ledger import canonical

from .events import (
    CandidateRetired,
    Decision,
    Gate,
    PolicyPromoted,
    PolicyRolledBack,
    PredictionScored,
    ProposalAccepted,
    ProposalEscalated,
    ProposalRejected,
    RunPlan,
    Subject,
    TriggerFired,
    UnitName,
)
from .steps import STEP_KINDS, StepKind

__all__ = [
    "Command",
    "RunCommand",
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
    "ScorePredictions",
    "FireTrigger",
    "RequestFromTrigger",
    "PredictNext",
    "AdviseOnTrigger",
    "JudgeProposal",
    "ShadowCandidate",
    "SettleCandidate",
    "RollBackPolicy",
    "POLICY_COMMANDS",
    "CHAPTER13_COMMANDS",
    "BUILTIN_COMMANDS",
    "EXTERNAL_COMMANDS",
    "BUILTIN_KINDS",
    "EXTERNAL_KINDS",
    "STEP_KINDS",
    "kinds_of",
    "kind_of",
    "make_command",
]

class Command(BaseModel):
    """Base of every command. ``scope`` is not stored: it only shapes the id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    id: str
    # None for Chapter 13's commands, which belong to no request and no run
    request_id: str | None = None
    run_id: str | None = None
    not_before: str | None = Field(
        default=None, description="earliest time to run it (from recorded timestamps + cooldown)"
    )


class RunCommand(Command):
    """A command of a request's run (every command but Chapter 13's)."""

    request_id: str
    run_id: str


class PlanDispatch(RunCommand):
    """Dry run: record the plan a request would run (``DispatchPlanned``)."""

    kind: Literal["dispatch.plan"]
    plan: RunPlan


class StartDispatch(RunCommand):
    """Take the head of the queue: it becomes the active run (``DispatchStarted``)."""

    kind: Literal["dispatch.start"]
    plan: RunPlan


class RecordGuardrailVerdict(RunCommand):
    """Record the deterministic verdict, always before any LLM verdict."""

    kind: Literal["verdict.guardrail"]
    subject: Subject
    unit: UnitName
    attempt: int
    decision: Decision
    reasons: tuple[str, ...]


class StartLLM(RunCommand):
    """Load the LLM (``LLMStarted``, or ``LLMUnavailable``)."""

    kind: Literal["llm.start"]
    unit: UnitName
    attempt: int
    timeout_s: float


class StopLLM(RunCommand):
    """Stop the LLM and free its memory before GPU-heavy work (``LLMStopped``)."""

    kind: Literal["llm.stop"]
    unit: UnitName
    attempt: int
    timeout_s: float


class EvaluateWithLLM(RunCommand):
    """Ask the LLM for a verdict (``VerdictRecorded`` source llm, or ``LLMUnavailable``).

    Carries what the bundle factory needs and the guardrail ``floor`` the machine will clamp
    the answer to.
    """

    kind: Literal["llm.evaluate"]
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


class StartStep(RunCommand):
    """Record that a step's attempt begins (``StepStarted``), with its adjustments."""

    kind: Literal["step.start"]
    step: int
    attempt: int
    gpu_heavy: bool
    params: dict[str, Any] = Field(default_factory=dict)
    adjustments: dict[str, float] = Field(default_factory=dict)


class RunStep(RunCommand):
    """Run a pipeline step (``StepCompleted`` or ``StepFailed``)."""

    kind: StepKind
    step: int
    attempt: int
    params: dict[str, Any] = Field(default_factory=dict)
    adjustments: dict[str, float] = Field(default_factory=dict)
    alpha: float
    timeout_s: float


class StartSelfplay(RunCommand):
    """Record that a selfplay attempt begins (``SelfplayStarted``) with its seed."""

    kind: Literal["selfplay.start"]
    attempt: int
    episodes: int
    seed: int
    adjustments: dict[str, float] = Field(default_factory=dict)


class RunSelfplay(RunCommand):
    """Run selfplay episodes (``CandidateEmitted``..., then ``SelfplayCompleted``/``Failed``)."""

    kind: Literal["selfplay.run"]
    attempt: int
    episodes: int
    seed: int
    params: dict[str, Any] = Field(default_factory=dict)
    adjustments: dict[str, float] = Field(default_factory=dict)
    timeout_s: float


class EscalateRun(RunCommand):
    """Stop the run for a human (``Escalated``)."""

    kind: Literal["run.escalate"]
    unit: UnitName
    attempt: int
    reason: str


class CompleteRun(RunCommand):
    """Close a run whose every unit proceeded (``DispatchCompleted``)."""

    kind: Literal["run.complete"]
    summary: str


class FailRun(RunCommand):
    """Close a run that cannot go on (``DispatchFailed``)."""

    kind: Literal["run.fail"]
    reason: str


# --- Chapter 13: outside any run (request_id and run_id are None) --------------------------


class ScorePredictions(Command):
    """Score the open predictions whose draws arrived (``PredictionScored`` each)."""

    kind: Literal["chapter13.score"]
    scores: tuple[PredictionScored, ...] = Field(min_length=1)


class FireTrigger(Command):
    """Record a trigger the diagnostics call for (``TriggerFired``)."""

    kind: Literal["chapter13.trigger"]
    trigger: TriggerFired


class RequestFromTrigger(Command):
    """Turn a fired trigger's work into a request to the WATCHER (``RequestReceived`` with
    source ``chapter13`` and ``RequestValidated``); its id names the trigger."""

    kind: Literal["chapter13.request"]
    trigger_id: str
    new_request_id: str
    request: dict[str, Any]


class PredictNext(Command):
    """While a hypothesis is identified: its prediction of the next draw, ``target_index``
    (``PredictionIssued`` outside any run), before that draw arrives."""

    kind: Literal["chapter13.predict"]
    target_index: int
    hypothesis: dict[str, Any]
    first_target: int
    hits: int


class AdviseOnTrigger(Command):
    """Ask the LLM advisor about trigger ``trigger_id`` (``ProposalMade``: the LLM's answer
    under the Chapter 13 grammar, or the rules' own ``fallback`` when it cannot answer)."""

    kind: Literal["chapter13.advise"]
    trigger_id: str
    trigger: str
    proposal_id: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    policy: dict[str, Any] = Field(default_factory=dict)
    fallback: dict[str, Any]
    timeout_s: float


class JudgeProposal(Command):
    """The acceptance rules' judgement of a proposal (computed by ``decide``), with what it
    brings: a rollback, or the request its accepted action makes (``new_request_id``)."""

    kind: Literal["chapter13.judge"]
    proposal_id: str
    verdict: Annotated[Union[ProposalAccepted, ProposalRejected, ProposalEscalated],
                       Field(discriminator="type")]
    rollback: PolicyRolledBack | None = None
    new_request_id: str | None = None


class ShadowCandidate(Command):
    """Predict draws ``first_index .. stop_index - 1`` in shadow with a candidate's policy and
    the active one (``ShadowScored``)."""

    kind: Literal["policy.shadow"]
    candidate_id: str
    candidate_policy: dict[str, Any]
    active_policy: dict[str, Any]
    active_policy_sha256: str
    first_index: int
    stop_index: int
    candidate_resume: dict[str, Any] = Field(default_factory=dict)
    active_resume: dict[str, Any] = Field(default_factory=dict)
    alpha: float
    timeout_s: float


class SettleCandidate(Command):
    """The promotion test decided: ``PolicyPromoted`` or ``CandidateRetired``."""

    kind: Literal["policy.settle"]
    outcome: Annotated[Union[PolicyPromoted, CandidateRetired], Field(discriminator="type")]


class RollBackPolicy(Command):
    """Apply a ``policy_rollback`` request: the baseline policy again (``PolicyRolledBack``)."""

    kind: Literal["policy.rollback"]
    rollback: PolicyRolledBack


#: Chapter 13's policy commands: proposals judged, candidates shadowed and settled.
POLICY_COMMANDS: tuple[type[Command], ...] = (
    AdviseOnTrigger, JudgeProposal, ShadowCandidate, SettleCandidate, RollBackPolicy
)

#: Chapter 13's commands: decided before anything else, on every new draw.
CHAPTER13_COMMANDS: tuple[type[Command], ...] = (
    ScorePredictions, FireTrigger, RequestFromTrigger, PredictNext
)
#: Pure commands, handled inside ``machine``.
BUILTIN_COMMANDS: tuple[type[Command], ...] = (
    PlanDispatch,
    StartDispatch,
    RecordGuardrailVerdict,
    StartStep,
    StartSelfplay,
    EscalateRun,
    CompleteRun,
    FailRun,
    ScorePredictions,
    FireTrigger,
    RequestFromTrigger,
    JudgeProposal,
    SettleCandidate,
    RollBackPolicy,
)
#: Commands with effects, run by the handler registered for their kind.
EXTERNAL_COMMANDS: tuple[type[Command], ...] = (
    StartLLM, StopLLM, EvaluateWithLLM, RunSelfplay, RunStep, PredictNext, AdviseOnTrigger,
    ShadowCandidate,
)


def kinds_of(cls: type[Command]) -> tuple[str, ...]:
    """The kinds a command class accepts: the values of its ``kind`` literal."""
    return get_args(cls.model_fields["kind"].annotation)


def kind_of(cls: type[Command]) -> str:
    """The kind of a command class that has one (``TypeError`` for ``RunStep``'s six)."""
    kinds = kinds_of(cls)
    if len(kinds) != 1:
        raise TypeError(f"{cls.__name__} has {len(kinds)} kinds: {', '.join(kinds)}")
    return kinds[0]


BUILTIN_KINDS = frozenset(kind for cls in BUILTIN_COMMANDS for kind in kinds_of(cls))
EXTERNAL_KINDS = frozenset(kind for cls in EXTERNAL_COMMANDS for kind in kinds_of(cls))


def make_command(cls: type[Command], scope: str, **fields: Any) -> Command:
    """Build a command whose id is ``cmd:<scope>#<12 hex of SHA256 over its fields>``.

    ``kind`` may be left out when the class accepts only one.
    """
    kind = fields.pop("kind", None) or kind_of(cls)
    draft = cls(kind=kind, id="cmd:draft", **fields)
    body = draft.model_dump(mode="json", exclude={"id"})
    digest = hashlib.sha256(canonical(body)).hexdigest()[:12]
    return draft.model_copy(update={"id": f"cmd:{scope}#{digest}"})
