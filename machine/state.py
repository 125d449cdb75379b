"""The folded state of the WATCHER: everything ``decide`` may look at, nothing else.

Plain dataclasses, compared by value: replaying any prefix of a ledger must give a state equal
to the one the live runner held at that point. The fold builds a fresh state and updates it in
place event by event; nobody else mutates it.

Its size does not grow with the ledger: requests and runs still open are all kept, finished
ones only the newest :data:`FINISHED_KEPT` of each (with running totals); the history of older
ones is the ledger's, read by the projections (``projections.views``) when someone asks.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .events import Gate, RunPlan
from .loop_policy import BASELINE, BASELINE_ID, LoopPolicy
from .policies import Policies
from .requests import RequestStatus

__all__ = [
    "Phase",
    "LLMStatus",
    "Evaluation",
    "Attempt",
    "Run",
    "RequestInfo",
    "OpenPrediction",
    "Outcome",
    "Identified",
    "PendingTrigger",
    "Chapter13",
    "OUTCOMES_KEPT",
    "FINISHED_KEPT",
    "FINISHED_REQUEST_STATUSES",
    "Proposal",
    "Candidate",
    "Lineage",
    "LoopState",
    "State",
]


class Phase(str, enum.Enum):
    """The WATCHER's dispatch states (see ``machine.statechart.TRANSITIONS``)."""

    IDLE = "idle"  # no active run; queued requests wait here
    SCREENING = "screening"  # a request left the queue; its own verdict comes first
    PREPARING = "preparing"  # the next unit attempt is set up (LLM stopped if GPU-heavy)
    RUNNING = "running"  # the unit's handler is at work
    EVALUATING = "evaluating"  # its outcome is recorded; verdicts are being recorded
    FINISHING = "finishing"  # every unit proceeded: the run is to be completed
    ESCALATING = "escalating"  # a verdict (or the budget) says a human must look
    ESCALATED = "escalated"  # waiting for ``watcher approve``
    FAILING = "failing"  # the run is to be closed as failed


#: "unknown" until the first LLM event: the machine then stops it before GPU work anyway.
LLMStatus = str  # "unknown" | "running" | "stopped" | "unavailable"


@dataclass
class Evaluation:
    """The verdicts on one attempt (or on the request, for ``unit == "screen"``)."""

    subject: str
    unit: str
    attempt: int
    guardrail: str | None = None
    guardrail_reasons: tuple[str, ...] = ()
    retry_allowed: bool = False
    llm_start_tried: bool = False
    llm: str | None = None
    llm_clamped: bool = False
    llm_unavailable: str | None = None
    final: str | None = None
    adjustments: dict[str, float] = field(default_factory=dict)


@dataclass
class Attempt:
    """One attempt at one unit of a run."""

    unit: str
    attempt: int
    adjustments: dict[str, float] = field(default_factory=dict)
    ready_ts: str | None = None
    llm_stopped: bool = False
    started: bool = False
    outcome: str | None = None  # "completed" | "failed"
    reason: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    gates: tuple[Gate, ...] = ()
    candidates: tuple[str, ...] = ()
    evaluation: Evaluation | None = None


@dataclass
class Run:
    """A dispatched request: its plan, where it stands, what happened so far."""

    run_id: str
    request_id: str
    kind: str
    plan: RunPlan
    cursor: int = -1  # index into plan.units; -1 while screening
    screening: Evaluation | None = None
    attempt: Attempt | None = None
    attempts: dict[str, int] = field(default_factory=dict)  # started attempts per unit
    retries: int = 0
    status: str = "active"  # active | escalated | completed | failed
    escalation: str | None = None
    approval: str | None = None
    outcome: str | None = None
    candidates: tuple[str, ...] = ()
    history: list[tuple[str, int, str, str]] = field(default_factory=list)
    # (unit, attempt, outcome, final verdict) of every judged attempt, in order


@dataclass
class RequestInfo:
    """A received request and what became of it."""

    request_id: str
    name: str
    source: str
    seq: int
    status: RequestStatus = "received"
    kind: str | None = None
    spec: Any = None
    reason: str | None = None
    dry_run: bool = False
    run_id: str | None = None


@dataclass(frozen=True)
class OpenPrediction:
    """The latest prediction issued for a draw that has not been scored yet."""

    target_index: int
    pool: tuple[tuple[int, float], ...]  # (draw, probability), most probable first
    identified: bool
    hypothesis: dict[str, Any] | None
    chance_rate: float | None
    event_id: str

    def score(self, draw: int) -> tuple[bool, int | None, float]:
        """(hit, 1-based rank in the pool or ``None``, probability the pool gave ``draw``)."""
        for index, (value, probability) in enumerate(self.pool):
            if value == draw:
                return True, index + 1, probability
        return False, None, 0.0

    @property
    def claimed(self) -> float:
        """The probability the prediction gave to a hit: its pool's mass."""
        return min(sum(p for _value, p in self.pool), 1.0)


@dataclass(frozen=True)
class Outcome:
    """One scored prediction, as the diagnostics read it: ``claimed`` is the probability the
    prediction gave to a hit (its pool's mass), ``chance_rate`` what chance alone gives a pool
    of its size (``None`` when the ledger did not record it)."""

    target_index: int
    hit: bool
    identified: bool
    claimed: float
    chance_rate: float | None


@dataclass
class Identified:
    """The hypothesis Chapter 13 predicts with, from the first draw it predicted
    (``first_target``) on; ``hits`` of its scored predictions so far."""

    hypothesis: dict[str, Any]
    first_target: int
    hits: int = 0


@dataclass(frozen=True)
class PendingTrigger:
    """A fired trigger whose work has not become a request yet."""

    trigger_id: str
    trigger: str
    position: int
    since: int
    request: dict[str, Any]


#: Scored outcomes the state keeps (the newest), enough for every diagnostic's window.
OUTCOMES_KEPT = 1000

#: Finished requests, and finished runs, the state keeps (the newest of each): what
#: ``watcher status`` lists as recent; nothing the machine decides with.
FINISHED_KEPT = 100

#: A request in one of these states is finished: no event names it again.
FINISHED_REQUEST_STATUSES: frozenset[RequestStatus] = frozenset(
    ("rejected", "applied", "planned", "completed", "failed"))


@dataclass
class Chapter13:
    """What the feedback loop knows: open predictions and the draws that arrived for them,
    scored outcomes (the newest :data:`OUTCOMES_KEPT`, and running totals), the hypothesis in
    use, where it last missed, triggers fired (by kind: the position of the latest) and those
    still waiting to become requests, and how far searches have covered the history."""

    open: dict[int, OpenPrediction] = field(default_factory=dict)
    arrived: dict[int, int] = field(default_factory=dict)  # target index -> the draw that came
    outcomes: list[Outcome] = field(default_factory=list)
    scored: int = 0
    hits: int = 0
    late: int = 0  # predictions issued after their draw had arrived: never scored
    identified: Identified | None = None
    miss_at: int | None = None  # where the last identified hypothesis missed (a regime change)
    last_fired: dict[str, int] = field(default_factory=dict)
    fired: int = 0
    pending: dict[str, PendingTrigger] = field(default_factory=dict)
    searched_to: int = 0  # the history's length when the latest search began


@dataclass
class Proposal:
    """A Chapter 13 proposal and what became of it (``made``, then ``accepted``, ``rejected``
    or ``escalated``)."""

    proposal_id: str
    trigger_id: str
    source: str
    recommended_action: str
    risk_level: str
    retrain_scope: str
    confidence: float
    values: tuple[tuple[str, float], ...]
    status: str = "made"


@dataclass
class Candidate:
    """A selfplay candidate policy: emitted after ``emitted_at`` draws, then shadowed on the
    draws after; ``status`` pending, promoted or retired."""

    candidate_id: str
    policy: LoopPolicy
    run_id: str
    emitted_at: int
    status: str = "pending"
    shadowed_to: int = 0  # the next draw index to shadow
    wins: int = 0
    losses: int = 0
    draws: int = 0
    candidate_resume: dict[str, Any] = field(default_factory=dict)
    active_resume: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lineage:
    """One change of the active loop policy: what changed it and the policy it made."""

    kind: str  # baseline | proposal | promotion | rollback
    source: str  # the proposal, the candidate, or "baseline"
    ts: str
    seq: int
    policy_id: str
    detail: str


@dataclass
class LoopState:
    """The loop policy in force and its history: the active policy and its lineage id, when
    each parameter last changed (in runs started), proposals, candidates. History is kept as
    for requests: what is still open, and the newest :data:`FINISHED_KEPT` of what is not."""

    policy: LoopPolicy = BASELINE
    policy_id: str = BASELINE_ID
    lineage: list[Lineage] = field(default_factory=list)  # the newest FINISHED_KEPT changes
    changed_at_run: dict[str, int] = field(default_factory=dict)
    # made or escalated, and the newest FINISHED_KEPT accepted or rejected (oldest first)
    proposals: dict[str, Proposal] = field(default_factory=dict)
    finished_proposals: list[str] = field(default_factory=list)
    # pending, and the newest FINISHED_KEPT promoted or retired (oldest first)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    finished_candidates: list[str] = field(default_factory=list)
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> request body
    last_exploration_ts: str | None = None
    # trigger id -> (kind, evidence) of fired triggers the advisor has not answered yet
    awaiting_advice: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    rollback_requests: list[str] = field(default_factory=list)  # validated, not yet applied
    approvals: dict[str, str] = field(default_factory=dict)  # request id -> escalated proposal


@dataclass
class State:
    """Everything the WATCHER knows, re-derived from the ledger."""

    phase: Phase = Phase.IDLE
    policies: Policies | None = None
    policies_sha256: str | None = None
    halted: bool = False
    halt_reason: str | None = None
    llm: LLMStatus = "unknown"
    # open requests and the newest FINISHED_KEPT finished ones (``finished_requests``, oldest
    # first); ``request_counts``: every request ever received, by its status now
    requests: dict[str, RequestInfo] = field(default_factory=dict)
    finished_requests: list[str] = field(default_factory=list)
    request_counts: dict[str, int] = field(default_factory=dict)
    client_ids: dict[str, str] = field(default_factory=dict)
    queue: list[str] = field(default_factory=list)
    # the active run and the newest FINISHED_KEPT finished ones (``finished_runs``, oldest
    # first); ``runs_started``: every run ever started
    runs: dict[str, Run] = field(default_factory=dict)
    finished_runs: list[str] = field(default_factory=list)
    runs_started: int = 0
    active: str | None = None
    last_run_ended_ts: str | None = None
    draws: int = 0
    chapter13: Chapter13 = field(default_factory=Chapter13)
    loop: LoopState = field(default_factory=LoopState)
    repairs: int = 0
    events: int = 0
    last_seq: int = -1
    last_ts: str | None = None

    @property
    def run(self) -> Run | None:
        """The active run, if any."""
        return self.runs[self.active] if self.active is not None else None

    def evaluation(self) -> Evaluation | None:
        """The evaluation in progress (screening or the current attempt's), if any."""
        run = self.run
        if run is None:
            return None
        if run.cursor < 0:
            return run.screening
        return run.attempt.evaluation if run.attempt is not None else None

    def summary(self) -> dict[str, Any]:
        """A JSON-able digest without timestamps or seqs: two ledgers that did the same work
        (one of them interrupted by crashes and repaired) have equal summaries. Requests and
        runs: those the state keeps (open ones, the newest finished), and the totals."""
        return {
            "phase": self.phase.value,
            "halted": self.halted,
            "llm": self.llm,
            "policies_sha256": self.policies_sha256,
            "queue": list(self.queue),
            "active": self.active,
            "draws": self.draws,
            "request_counts": dict(sorted(self.request_counts.items())),
            "runs_started": self.runs_started,
            "requests": {
                rid: {"status": r.status, "kind": r.kind, "reason": r.reason, "run": r.run_id}
                for rid, r in sorted(self.requests.items())
            },
            "runs": {
                rid: {
                    "status": run.status,
                    "outcome": run.outcome,
                    "retries": run.retries,
                    "attempts": dict(sorted(run.attempts.items())),
                    "history": [list(h) for h in run.history],
                    "candidates": list(run.candidates),
                }
                for rid, run in sorted(self.runs.items())
            },
        }
