"""The folded state of the WATCHER: everything ``decide`` may look at, nothing else.

Plain dataclasses, compared by value: replaying any prefix of a ledger must give a state equal
to the one the live runner held at that point. The fold builds a fresh state and updates it in
place event by event; nobody else mutates it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .events import Gate, RunPlan
from .policies import Policies
from .requests import RequestStatus

__all__ = ["Phase", "LLMStatus", "Evaluation", "Attempt", "Run", "RequestInfo", "State"]


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


@dataclass
class State:
    """Everything the WATCHER knows, re-derived from the ledger."""

    phase: Phase = Phase.IDLE
    policies: Policies | None = None
    policies_sha256: str | None = None
    halted: bool = False
    halt_reason: str | None = None
    llm: LLMStatus = "unknown"
    requests: dict[str, RequestInfo] = field(default_factory=dict)
    client_ids: dict[str, str] = field(default_factory=dict)
    queue: list[str] = field(default_factory=list)
    runs: dict[str, Run] = field(default_factory=dict)
    active: str | None = None
    last_run_ended_ts: str | None = None
    draws: int = 0
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
        (one of them interrupted by crashes and repaired) have equal summaries."""
        return {
            "phase": self.phase.value,
            "halted": self.halted,
            "llm": self.llm,
            "policies_sha256": self.policies_sha256,
            "queue": list(self.queue),
            "active": self.active,
            "draws": self.draws,
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
