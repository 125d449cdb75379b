"""The WATCHER's events: what happened, in the past tense, one frozen pydantic model per type.

An event's *payload* model (this module) validates the ``data`` member of a ledger line; the
envelope (``id``, ``ts``, ``run_id``, ``causation_id``, ``artifacts``, ``seq``) belongs to the
ledger and reaches the fold as :class:`Meta`. Each model carries its ``type`` as a literal
discriminator (not stored in ``data``: the envelope already says it) and its schema version as
``VERSION``.

:func:`validate_event` is the hook handed to the ledger's ``JsonlRecorder`` as ``validator``:
an unknown type, an unknown version or bad data is refused at append time and fails loudly
at replay, never skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Mapping, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from ledger import ArtifactRef, NewEvent

from .policies import Policies, policies_sha256
from .requests import DISPATCH_KINDS, REQUEST_ADAPTER
from .steps import STEPS, UnitKey, UnitName

__all__ = [
    "Decision",
    "DECISION_RANK",
    "Subject",
    "UnitName",
    "Gate",
    "UnitPlan",
    "RunPlan",
    "EventModel",
    "PoliciesSet",
    "RequestReceived",
    "RequestValidated",
    "RequestRejected",
    "DispatchPlanned",
    "DispatchStarted",
    "LLMStarted",
    "LLMStopped",
    "LLMUnavailable",
    "StepStarted",
    "StepCompleted",
    "StepFailed",
    "VerdictRecorded",
    "SelfplayStarted",
    "CandidateEmitted",
    "SelfplayCompleted",
    "SelfplayFailed",
    "DispatchCompleted",
    "DispatchFailed",
    "Escalated",
    "Approved",
    "Halted",
    "Resumed",
    "DrawIngested",
    "DrawIngestedV1",
    "PredictionPoolEntry",
    "PredictionIssued",
    "PredictionScored",
    "TriggerKind",
    "TriggerFired",
    "ProposedValue",
    "ProposalMade",
    "AppliedChange",
    "ProposalAccepted",
    "ProposalRejected",
    "ProposalEscalated",
    "ShadowScored",
    "PolicyPromoted",
    "CandidateRetired",
    "PolicyRolledBack",
    "LedgerRepaired",
    "CommandStarted",
    "CommandInterrupted",
    "AnyEvent",
    "LEGACY_MODELS",
    "EVENT_MODELS",
    "EVENT_ADAPTER",
    "Meta",
    "Fact",
    "validate_event",
    "parse_event",
    "to_data",
    "new_event",
]

#: A verdict on a unit of work, from the least to the most strict.
Decision = Literal["proceed", "retry", "escalate"]
#: Strictness order: an LLM verdict may move a decision up this order, never down.
DECISION_RANK: Mapping[str, int] = {"proceed": 0, "retry": 1, "escalate": 2}

#: What a verdict judges: the request itself (before dispatch), a pipeline step, a selfplay run.
Subject = Literal["request", "step", "selfplay"]


_HEX64 = re.compile(r"[0-9a-f]{64}")
_SCALAR = Union[bool, int, float, str, None]
#: Metrics are flat: a name and a JSON scalar, so that guardrails and projections can read them
#: without knowing each step's internals.
Metrics = dict[Annotated[str, Field(min_length=1, max_length=128)], _SCALAR]
#: Parameter adjustments a retry verdict asks for: multiplicative factors, bounded by policy.
Adjustments = dict[Annotated[str, Field(min_length=1, max_length=64)], float]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Gate(_Frozen):
    """One check on a unit's result. A failed ``hard`` gate can never lead to ``proceed``."""

    name: str = Field(min_length=1, max_length=128)
    passed: bool
    hard: bool = True
    detail: str | None = Field(default=None, max_length=2000)


class UnitPlan(_Frozen):
    """One unit of a run: which handler runs it, whether the LLM must be stopped first."""

    unit: UnitKey
    handler: str = Field(description="command kind whose handler does the work, e.g. step.3")
    gpu_heavy: bool = Field(description="the LLM is stopped (its memory freed) before it runs")
    params: dict[str, Any] = Field(default_factory=dict)


class RunPlan(_Frozen):
    """The full plan of a run, as recorded by ``DispatchPlanned`` and ``DispatchStarted``."""

    kind: Literal["selfplay_retrain", "learning_loop", "pipeline_rerun"]
    units: tuple[UnitPlan, ...] = Field(min_length=1)
    retries_per_step: int = Field(ge=0)
    retries_per_run: int = Field(ge=0)
    sequence: tuple[str, ...] = Field(
        default=(), description="the commands of the all-proceed path, in order"
    )


class EventModel(_Frozen):
    """Base of every event payload. ``type`` is the discriminator, ``VERSION`` the schema."""

    VERSION: ClassVar[int] = 1
    type: str


# --- configuration and intake ------------------------------------------------------------


class PoliciesSet(EventModel):
    """The policies in force from here on; ``sha256`` is over their canonical encoding."""

    type: Literal["PoliciesSet"] = "PoliciesSet"
    policies: Policies
    sha256: str
    source: str = Field(min_length=1, description="where they came from: a file or defaults")
    source_sha256: str | None = Field(default=None, description="SHA256 of the file's bytes")

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _HEX64.fullmatch(value):
            raise ValueError("sha256 must be 64 lowercase hex digits")
        return value

    def model_post_init(self, _context: Any) -> None:
        # The digest is re-derived, not trusted: replay must use exactly the policies whose
        # hash was recorded.
        if policies_sha256(self.policies) != self.sha256:
            raise ValueError("PoliciesSet.sha256 does not match the recorded policies")


class RequestReceived(EventModel):
    """A request arrived (a file in ``watcher_requests/`` or a CLI command). Exactly one per
    request file, even across crashes: ``request_id`` derives from the file's name and bytes."""

    type: Literal["RequestReceived"] = "RequestReceived"
    request_id: str = Field(min_length=1, max_length=80)
    source: Literal["file", "cli", "chapter13"]  # chapter13: named after its TriggerFired
    name: str = Field(min_length=1, max_length=255)
    sha256: str
    bytes: int = Field(ge=0)
    payload: dict[str, Any] | None = Field(
        default=None, description="the parsed JSON object; None when it could not be parsed"
    )


class RequestValidated(EventModel):
    """The request passed validation; ``request`` is its normalised form."""

    type: Literal["RequestValidated"] = "RequestValidated"
    request_id: str
    request: dict[str, Any]


class RequestRejected(EventModel):
    """The request failed validation; it is archived and never retried."""

    type: Literal["RequestRejected"] = "RequestRejected"
    request_id: str
    reason: str = Field(min_length=1, max_length=4000)


# --- runs -------------------------------------------------------------------------------


class DispatchPlanned(EventModel):
    """A dry run: what would run, recorded in full; nothing is consumed."""

    type: Literal["DispatchPlanned"] = "DispatchPlanned"
    request_id: str
    run_id: str
    plan: RunPlan


class DispatchStarted(EventModel):
    """A request left the queue and became the active run."""

    type: Literal["DispatchStarted"] = "DispatchStarted"
    request_id: str
    run_id: str
    plan: RunPlan


class DispatchCompleted(EventModel):
    """Every unit of the run proceeded (or an escalation was approved through to the end)."""

    type: Literal["DispatchCompleted"] = "DispatchCompleted"
    request_id: str
    run_id: str
    summary: str = ""


class DispatchFailed(EventModel):
    """The run ended without completing (aborted, or an escalated failure was closed)."""

    type: Literal["DispatchFailed"] = "DispatchFailed"
    request_id: str
    run_id: str
    reason: str = Field(min_length=1)


class Escalated(EventModel):
    """The run waits for a human: ``watcher approve RUN`` (or ``--abort``)."""

    type: Literal["Escalated"] = "Escalated"
    request_id: str
    run_id: str
    unit: UnitName
    attempt: int = Field(ge=0)
    reason: str = Field(min_length=1)


class Approved(EventModel):
    """A human answered an escalation: ``continue`` past it, or ``abort`` the run."""

    type: Literal["Approved"] = "Approved"
    run_id: str
    action: Literal["continue", "abort"] = "continue"
    request_id: str | None = Field(default=None, description="the approval request, if any")
    note: str | None = Field(default=None, max_length=2000)


# --- the LLM ----------------------------------------------------------------------------


class LLMStarted(EventModel):
    """The LLM is loaded and answering (needed before any LLM verdict)."""

    type: Literal["LLMStarted"] = "LLMStarted"
    model: str | None = None
    model_sha256: str | None = None
    detail: str | None = None


class LLMStopped(EventModel):
    """The LLM is stopped and its memory freed (needed before GPU-heavy work)."""

    type: Literal["LLMStopped"] = "LLMStopped"
    was_running: bool = True
    detail: str | None = None


class LLMUnavailable(EventModel):
    """The LLM could not do what was asked (not installed, failed, no answer in time)."""

    type: Literal["LLMUnavailable"] = "LLMUnavailable"
    phase: Literal["start", "stop", "evaluate"]
    reason: str = Field(min_length=1, max_length=4000)


class VerdictRecorded(EventModel):
    """A judgement of a unit's result (or of a request before dispatch).

    ``decision`` is what the source said; ``effective`` what the machine will act on. For the
    LLM, ``effective`` is never looser than the guardrail verdict recorded before it (and a
    ``retry`` without retry budget becomes ``escalate``); ``clamped`` says the machine had to
    tighten it. The fold re-derives ``effective`` and refuses a ledger that disagrees.
    """

    type: Literal["VerdictRecorded"] = "VerdictRecorded"
    subject: Subject
    unit: UnitName
    attempt: int = Field(ge=0)
    source: Literal["llm", "guardrail"]
    decision: Decision
    effective: Decision
    clamped: bool = False
    reasons: tuple[str, ...] = ()
    adjustments: Adjustments = Field(default_factory=dict)
    # Provenance of an LLM verdict (docs/architecture.md, "The LLM"); absent for guardrails.
    model_sha256: str | None = None
    grammar: str | None = None
    grammar_sha256: str | None = None
    prompt_sha256: str | None = None
    tokens_in: int | None = Field(default=None, ge=0)
    tokens_out: int | None = Field(default=None, ge=0)
    latency_ms: float | None = Field(default=None, ge=0)


# --- units of work ----------------------------------------------------------------------


class StepStarted(EventModel):
    """A pipeline step's attempt begins, with the parameter adjustments of a retry verdict."""

    type: Literal["StepStarted"] = "StepStarted"
    step: int = Field(ge=1, le=len(STEPS))
    attempt: int = Field(ge=1)
    gpu_heavy: bool
    params: dict[str, Any] = Field(default_factory=dict)
    adjustments: Adjustments = Field(default_factory=dict)


class StepCompleted(EventModel):
    """The step ran to its end. Its gates decide the guardrail verdict."""

    type: Literal["StepCompleted"] = "StepCompleted"
    step: int = Field(ge=1, le=len(STEPS))
    attempt: int = Field(ge=1)
    metrics: Metrics = Field(default_factory=dict)
    gates: tuple[Gate, ...] = ()
    summary: str | None = Field(default=None, max_length=4000)


class StepFailed(EventModel):
    """The step did not complete (exception, non-zero exit, no handler installed)."""

    type: Literal["StepFailed"] = "StepFailed"
    step: int = Field(ge=1, le=len(STEPS))
    attempt: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=4000)
    exit_code: int | None = None


class SelfplayStarted(EventModel):
    """A selfplay attempt begins; ``seed`` is the only randomness it may use."""

    type: Literal["SelfplayStarted"] = "SelfplayStarted"
    attempt: int = Field(ge=1)
    episodes: int = Field(ge=1, le=50)
    seed: int = Field(ge=0, lt=2**63)
    adjustments: Adjustments = Field(default_factory=dict)


class CandidateEmitted(EventModel):
    """Selfplay proposes a candidate policy. It is never promoted here (only Chapter 13 can)."""

    type: Literal["CandidateEmitted"] = "CandidateEmitted"
    attempt: int = Field(ge=1)
    candidate_id: str = Field(min_length=1, max_length=128)
    metrics: Metrics = Field(default_factory=dict)
    policy: dict[str, Any] = Field(default_factory=dict)


class SelfplayCompleted(EventModel):
    """Selfplay finished its episodes."""

    type: Literal["SelfplayCompleted"] = "SelfplayCompleted"
    attempt: int = Field(ge=1)
    episodes_run: int = Field(ge=0)
    metrics: Metrics = Field(default_factory=dict)
    gates: tuple[Gate, ...] = ()


class SelfplayFailed(EventModel):
    """Selfplay did not finish."""

    type: Literal["SelfplayFailed"] = "SelfplayFailed"
    attempt: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=4000)


# --- operator and housekeeping ----------------------------------------------------------


class Halted(EventModel):
    """The kill switch: while halted, nothing is dispatched (fail-closed)."""

    type: Literal["Halted"] = "Halted"
    reason: str = ""
    request_id: str | None = None


class Resumed(EventModel):
    """The kill switch is lifted."""

    type: Literal["Resumed"] = "Resumed"
    reason: str = ""
    request_id: str | None = None


class DrawIngested(EventModel):
    """Observed draws appended to the history: ``values[i]`` is the draw at ``position + i``
    (0-based index in the whole history, the one every later event uses), drawn at
    ``timestamps[i]`` in session ``sessions[i]`` (``None`` where the source did not say; both
    tuples are empty when it said nothing at all). Version 1 had neither position nor times:
    :meth:`DrawIngestedV1.upcast` gives its version-2 form when the fold meets one."""

    VERSION: ClassVar[int] = 2
    type: Literal["DrawIngested"] = "DrawIngested"
    source: str = Field(min_length=1, max_length=1024)
    source_sha256: str | None = Field(default=None, description="SHA256 of the source's bytes")
    position: int = Field(ge=0)
    values: tuple[Annotated[int, Field(ge=0)], ...] = Field(min_length=1)
    timestamps: tuple[str | None, ...] = ()
    sessions: tuple[Annotated[str, Field(max_length=64)] | None, ...] = ()
    modulus: int | None = Field(default=None, ge=2)

    @field_validator("source_sha256")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not _HEX64.fullmatch(value):
            raise ValueError("source_sha256 must be 64 lowercase hex digits")
        return value

    def model_post_init(self, _context: Any) -> None:
        for name in ("timestamps", "sessions"):
            column = getattr(self, name)
            if column and len(column) != len(self.values):
                raise ValueError(f"{name} has {len(column)} entries for {len(self.values)} draws")


class DrawIngestedV1(EventModel):
    """Version 1 of ``DrawIngested`` (values only), read from older ledgers, never written."""

    VERSION: ClassVar[int] = 1
    type: Literal["DrawIngested"] = "DrawIngested"
    source: str = Field(min_length=1)
    values: tuple[Annotated[int, Field(ge=0)], ...] = Field(min_length=1)
    modulus: int | None = Field(default=None, ge=2)

    def upcast(self, position: int) -> DrawIngested:
        """The version-2 event: the draws follow the ``position`` draws recorded before."""
        return DrawIngested(
            source=self.source, position=position, values=self.values, modulus=self.modulus
        )


class PredictionPoolEntry(_Frozen):
    """One value of a prediction pool and the probability it is the predicted draw."""

    draw: int = Field(ge=0)
    probability: float = Field(ge=0.0, le=1.0)


class PredictionIssued(EventModel):
    """Step 6's prediction of the draw at ``target_index`` (a position in the history), so that
    it can be scored when that draw arrives. ``pool`` is most probable first; ``hypothesis``
    is the identified (or best-ranked) hypothesis, ``None`` when there was none."""

    type: Literal["PredictionIssued"] = "PredictionIssued"
    target_index: int = Field(ge=0)
    pool: tuple[PredictionPoolEntry, ...] = ()
    identified: bool
    hypothesis: dict[str, Any] | None = None
    #: The probability that a pool of this size holds the draw by chance (its size over the
    #: draws' alphabet): what a hit rate is compared with. ``None`` in ledgers recorded before.
    chance_rate: float | None = Field(default=None, ge=0.0, le=1.0)

    def model_post_init(self, _context: Any) -> None:
        chances = [entry.probability for entry in self.pool]
        if any(later > earlier for earlier, later in zip(chances, chances[1:])):
            raise ValueError("the pool is ordered most probable first")
        if sum(chances) > 1.0 + 1e-9:
            raise ValueError(f"the pool's probabilities sum to {sum(chances)}, more than 1")
        if len({entry.draw for entry in self.pool}) != len(self.pool):
            raise ValueError("a value appears twice in the pool")


class PredictionScored(EventModel):
    """Chapter 13's score of the prediction of the draw at ``target_index``, once that draw
    arrived: ``draw`` is what came, ``hit`` whether the pool held it, ``rank`` its 1-based place
    in the pool (``None`` when the pool did not hold it) and ``probability`` the probability
    the pool gave it (0 when absent). The prediction scored is the last one issued for that
    index before the draw arrived."""

    type: Literal["PredictionScored"] = "PredictionScored"
    target_index: int = Field(ge=0)
    draw: int = Field(ge=0)
    hit: bool
    rank: int | None = Field(ge=1)
    probability: float = Field(ge=0.0, le=1.0)

    def model_post_init(self, _context: Any) -> None:
        if self.hit != (self.rank is not None):
            raise ValueError("a hit has a rank in the pool, a miss has none")
        if self.rank is None and self.probability != 0.0:
            raise ValueError("a draw absent from the pool was given probability 0")


#: Why Chapter 13 asks for work: an identified hypothesis missed (the generator was reseeded
#: or replaced), the periodic sentinel search while nothing is identified, or the hit rate
#: drifting away from what the predictions claimed.
TriggerKind = Literal["regime_change", "sentinel", "drift"]


class TriggerFired(EventModel):
    """Chapter 13 found a reason for work, with its ``evidence`` (flat scalars from the
    diagnostics). ``position`` is the history's length when it fired (draws ``0 ..
    position - 1`` were seen); the work searches the draws from ``since`` on (a regime change:
    the draws since the miss). No trigger of the same kind fires again before ``position +
    cooldown_draws`` draws are recorded. ``request`` is the dispatch request Chapter 13 asks
    the WATCHER for (a ``learning_loop`` request body); it becomes a ``RequestReceived`` (source
    ``chapter13``, named after ``trigger_id``) once accepted."""

    type: Literal["TriggerFired"] = "TriggerFired"
    trigger_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    trigger: TriggerKind
    position: int = Field(ge=0)
    since: int = Field(ge=0)
    evidence: Metrics = Field(default_factory=dict)
    cooldown_draws: int = Field(ge=0)
    request: dict[str, Any]

    def model_post_init(self, _context: Any) -> None:
        if self.since > self.position:
            raise ValueError(f"since {self.since} is after the history's end {self.position}")
        if self.request.get("kind") not in DISPATCH_KINDS:
            raise ValueError(f"the request must be a dispatch request ({', '.join(DISPATCH_KINDS)})")
        try:
            REQUEST_ADAPTER.validate_python(self.request)
        except ValidationError as error:
            raise ValueError(f"the request does not validate: {_one_line(error)}") from None


# --- Chapter 13's policy: proposals, their judgement, candidates, promotion --------------


class ProposedValue(_Frozen):
    """One parameter value a proposal sets (``machine.loop_policy`` names and bounds them)."""

    name: str = Field(min_length=1, max_length=64)
    value: float


class ProposalMade(EventModel):
    """Chapter 13's advice after trigger ``trigger_id``: the Chapter 13 grammar's answer
    (``source`` ``llm``, with the model's, grammar's and prompt's SHA256), or, when the LLM is
    not installed or failed (``llm_unavailable`` says why), the rules' own proposal (``source``
    ``rules``). The fields are the grammar's keys (``grammars.models.Chapter13Proposal``; a
    test keeps the choices equal)."""

    type: Literal["ProposalMade"] = "ProposalMade"
    proposal_id: str = Field(min_length=1, max_length=128)
    trigger_id: str = Field(min_length=1, max_length=64)
    source: Literal["llm", "rules"]
    failure_mode: Literal["none", "calibration_drift", "overfit", "regime_change", "data_gap",
                          "insufficient_signal"]
    recommended_action: Literal["hold", "retrain", "explore", "rollback", "escalate"]
    risk_level: Literal["low", "medium", "high"]
    retrain_scope: Literal["none", "steps_3_5_6", "full"]
    confidence: float = Field(ge=0.0, le=1.0)
    reasoning: str = Field(min_length=1, max_length=2000)
    # Up to 32 so that the acceptance rule "at most 3" is the machine's, not the grammar's.
    parameter_proposals: tuple[ProposedValue, ...] = Field(default=(), max_length=32)
    llm_unavailable: str | None = Field(default=None, max_length=4000)
    model_sha256: str | None = None
    grammar: str | None = None
    grammar_sha256: str | None = None
    prompt_sha256: str | None = None
    tokens_in: int | None = Field(default=None, ge=0)
    tokens_out: int | None = Field(default=None, ge=0)
    latency_ms: float | None = Field(default=None, ge=0)

    def model_post_init(self, _context: Any) -> None:
        if (self.source == "rules") != (self.llm_unavailable is not None):
            raise ValueError("the rules propose exactly when the LLM could not (llm_unavailable)")


class AppliedChange(_Frozen):
    """A parameter of the loop policy changed by an accepted proposal."""

    name: str = Field(min_length=1, max_length=64)
    old: float
    new: float
    proposed: float


class ProposalAccepted(EventModel):
    """The acceptance rules accepted the proposal: its ``changes`` apply to the loop policy
    from here on, and ``request`` (when its action asks for work: a retrain or a selfplay
    exploration) is the request it makes, received next under ``request_name``."""

    type: Literal["ProposalAccepted"] = "ProposalAccepted"
    proposal_id: str = Field(min_length=1, max_length=128)
    changes: tuple[AppliedChange, ...] = ()
    reasons: tuple[str, ...] = ()
    clamped: tuple[str, ...] = ()
    request_name: str | None = Field(default=None, max_length=255)
    request: dict[str, Any] | None = None
    rollback: bool = False
    #: the ``proposal_approve`` request of the person who approved an escalated proposal
    approval_id: str | None = None


class ProposalRejected(EventModel):
    """The acceptance rules rejected the proposal (``reasons`` are the rules it broke)."""

    type: Literal["ProposalRejected"] = "ProposalRejected"
    proposal_id: str = Field(min_length=1, max_length=128)
    reasons: tuple[str, ...] = Field(min_length=1)
    clamped: tuple[str, ...] = ()
    #: the ``proposal_approve`` request of the person who rejected an escalated proposal
    approval_id: str | None = None


class ProposalEscalated(EventModel):
    """The proposal is for a person to judge (a medium or high risk, or the advisor asked);
    nothing of it applies unless ``watcher policy approve`` accepts it (then the rules judge
    it again, without the escalation, and ``ProposalAccepted`` names the approval)."""

    type: Literal["ProposalEscalated"] = "ProposalEscalated"
    proposal_id: str = Field(min_length=1, max_length=128)
    reasons: tuple[str, ...] = Field(min_length=1)
    clamped: tuple[str, ...] = ()


class ShadowScored(EventModel):
    """Draws ``first_index ..`` predicted in shadow by candidate ``candidate_id``'s policy and
    by the active one (one outcome per draw each); ``*_resume`` is where each simulation stands
    afterwards, so the next draws continue from there."""

    type: Literal["ShadowScored"] = "ShadowScored"
    candidate_id: str = Field(min_length=1, max_length=128)
    active_policy_sha256: str
    first_index: int = Field(ge=0)
    candidate_hits: tuple[bool, ...] = Field(min_length=1)
    active_hits: tuple[bool, ...] = Field(min_length=1)
    candidate_resume: dict[str, Any] = Field(default_factory=dict)
    active_resume: dict[str, Any] = Field(default_factory=dict)
    search_s: float = Field(default=0.0, ge=0)

    def model_post_init(self, _context: Any) -> None:
        if len(self.candidate_hits) != len(self.active_hits):
            raise ValueError("one outcome per draw for each policy")


class PolicyPromoted(EventModel):
    """Chapter 13 made candidate ``candidate_id`` the active loop policy: its shadow
    predictions beat the active policy's on draws that arrived after it was emitted."""

    type: Literal["PolicyPromoted"] = "PolicyPromoted"
    candidate_id: str = Field(min_length=1, max_length=128)
    previous: str = Field(min_length=1, max_length=128)
    wins: int = Field(ge=0)
    losses: int = Field(ge=0)
    shadow_draws: int = Field(ge=1)
    evidence: str = Field(min_length=1, max_length=2000)


class CandidateRetired(EventModel):
    """Candidate ``candidate_id`` will not be promoted: the promotion test went against it or
    stayed undecided too long, or its shadow predictions could not be made (``shadow_error``).
    (A change of the active policy does not retire it: its comparison starts again.)"""

    type: Literal["CandidateRetired"] = "CandidateRetired"
    candidate_id: str = Field(min_length=1, max_length=128)
    reason: str = Field(min_length=1, max_length=2000)
    #: why its shadow predictions could not be made (no handler installed, a failure)
    shadow_error: str | None = Field(default=None, max_length=4000)


class PolicyRolledBack(EventModel):
    """The loop policy is the baseline again (``watcher policy rollback``, or an accepted
    proposal that asked for it); pending candidates are retired with it."""

    type: Literal["PolicyRolledBack"] = "PolicyRolledBack"
    reason: str = Field(default="", max_length=2000)
    request_id: str | None = None
    proposal_id: str | None = None


class CommandStarted(EventModel):
    """A handler is about to run the command (recorded before its effect). ``start`` counts
    the starts of this command that never finished: the process died inside the handler.
    The fold ignores it; the runner gives up on a command after a few such starts."""

    type: Literal["CommandStarted"] = "CommandStarted"
    command_id: str = Field(min_length=1, max_length=200)
    kind: str = Field(min_length=1, max_length=80)
    start: int = Field(ge=1)


class CommandInterrupted(EventModel):
    """An orderly stop (``SIGTERM``, ``SIGINT``: an operator, a restart) ended the start
    ``start`` of the command while its handler ran: the handler's worker was killed, nothing
    of it was recorded, and that start does not count among those that never finished (the
    next one is numbered ``start`` again). A death (a native crash, the OOM killer,
    ``SIGKILL``) leaves no such record and counts. The fold ignores it."""

    type: Literal["CommandInterrupted"] = "CommandInterrupted"
    command_id: str = Field(min_length=1, max_length=200)
    kind: str = Field(min_length=1, max_length=80)
    start: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=1000)


class LedgerRepaired(EventModel):
    """A torn last line (a crash mid-write) was truncated when the ledger was opened."""

    type: Literal["LedgerRepaired"] = "LedgerRepaired"
    truncated_bytes: int = Field(ge=0)
    at_seq: int = Field(ge=0)
    detail: str = ""


AnyEvent = Annotated[
    Union[
        PoliciesSet,
        RequestReceived,
        RequestValidated,
        RequestRejected,
        DispatchPlanned,
        DispatchStarted,
        DispatchCompleted,
        DispatchFailed,
        Escalated,
        Approved,
        LLMStarted,
        LLMStopped,
        LLMUnavailable,
        VerdictRecorded,
        StepStarted,
        StepCompleted,
        StepFailed,
        SelfplayStarted,
        CandidateEmitted,
        SelfplayCompleted,
        SelfplayFailed,
        Halted,
        Resumed,
        DrawIngested,
        PredictionIssued,
        PredictionScored,
        TriggerFired,
        ProposalMade,
        ProposalAccepted,
        ProposalRejected,
        ProposalEscalated,
        ShadowScored,
        PolicyPromoted,
        CandidateRetired,
        PolicyRolledBack,
        LedgerRepaired,
        CommandStarted,
        CommandInterrupted,
    ],
    Field(discriminator="type"),
]
"""The one discriminated union of every event payload."""

EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnyEvent)

#: type name -> payload model at its current version (``VERSION``).
EVENT_MODELS: Mapping[str, type[EventModel]] = {
    model.model_fields["type"].default: model
    for model in get_args(get_args(AnyEvent)[0])  # Annotated[Union[models], discriminator]
}


#: (type name, version) -> the model of an older version still found in recorded ledgers; the
#: fold upcasts it. Nothing writes these versions any more (``validate_event`` refuses them).
LEGACY_MODELS: Mapping[tuple[str, int], type[EventModel]] = {
    ("DrawIngested", 1): DrawIngestedV1,
}


def _model_for(type_: str, v: int, *, legacy: bool = True) -> type[EventModel]:
    model = EVENT_MODELS.get(type_)
    if model is None:
        raise ValueError(f"unknown event type {type_!r}")
    if v != model.VERSION:
        old = LEGACY_MODELS.get((type_, v)) if legacy else None
        if old is None:
            raise ValueError(
                f"unknown version {v} of event type {type_!r} (known: {model.VERSION})"
            )
        return old
    return model


def validate_event(type_: str, v: int, data: Mapping[str, Any]) -> None:
    """Refuse an unknown type or version, or data its model does not accept (``ValueError``).

    This is the ``validator`` hook of ``ledger.JsonlRecorder``: the ledger stays ignorant of
    the machine, and nothing the machine cannot read back is ever written. Only current
    versions are written; older ones are read (:data:`LEGACY_MODELS`), never appended.
    """
    _model_for(type_, v, legacy=False)
    parse_event(type_, v, data)


def parse_event(type_: str, v: int, data: Mapping[str, Any]) -> EventModel:
    """The payload model of one ledger line (``ValueError`` on anything unknown or bad);
    a legacy version gives its legacy model (see :data:`LEGACY_MODELS`)."""
    model = _model_for(type_, v)
    if "type" in data:
        raise ValueError(f"{type_}: 'type' belongs to the envelope, not to data")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValueError(f"bad {type_} data: {_one_line(error)}") from None


def _one_line(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"]) or "data"
        parts.append(f"{where}: {item['msg']}")
    more = error.error_count() - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def to_data(event: EventModel) -> dict[str, Any]:
    """The ``data`` member of the event's ledger line (``type`` lives in the envelope)."""
    return event.model_dump(mode="json", exclude={"type"})


def new_event(
    event: EventModel,
    *,
    id: str,
    ts: str,
    run_id: str | None = None,
    causation_id: str | None = None,
    artifacts: tuple[ArtifactRef, ...] = (),
) -> NewEvent:
    """Wrap a payload in the ledger's envelope."""
    return NewEvent(
        id=id,
        type=event.type,
        v=event.VERSION,
        ts=ts,
        run_id=run_id,
        causation_id=causation_id,
        data=to_data(event),
        artifacts=artifacts,
    )


@dataclass(frozen=True, slots=True)
class Meta:
    """The envelope of an event as the fold sees it (``seq`` is -1 for a not-yet-stored one)."""

    id: str
    ts: str
    seq: int = -1
    run_id: str | None = None
    causation_id: str | None = None
    artifacts: tuple[ArtifactRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Fact:
    """A parsed event: its payload and its envelope."""

    event: EventModel
    meta: Meta

    @classmethod
    def of(cls, record: Any) -> "Fact":
        """Parse a ledger ``Record`` (or a ``NewEvent``) into a fact."""
        event = parse_event(record.type, record.v, record.data)
        meta = Meta(
            id=record.id,
            ts=record.ts,
            seq=getattr(record, "seq", -1),
            run_id=record.run_id,
            causation_id=record.causation_id,
            artifacts=tuple(record.artifacts),
        )
        return cls(event, meta)
