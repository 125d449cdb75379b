"""The WATCHER's dispatch state machine, declared once as data with ``transitions``.

``TRANSITIONS`` is the table: one row per allowed move, triggered by an event type (a fact
already recorded), with ``conditions`` (pure predicates over the folded state, evaluated after
the event's data was applied) choosing among rows with the same trigger, and ``after`` actions
that move the run's cursor. The fold drives a ``transitions.Machine`` built from this table:
an event whose type is a trigger but that no row allows in the current phase is an error, so a
ledger the table cannot explain fails loudly at replay.

Events that are not triggers (intake, policies, the halt switch, draws, repairs, dry-run plans)
never change the phase: they are listed in ``ORTHOGONAL_EVENTS``. Halting is such a switch,
not a phase, so that resuming returns exactly where the machine was; ``decide`` issues nothing
while it is on.

``mermaid()`` draws the table (``watcher machine --diagram``), with a note naming the units
(the pipeline steps of ``machine.steps``, and selfplay) that the running state runs; a test
checks that its nodes are the states and its edges the rows.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine, MachineError

from .events import Fact
from .state import Attempt, Phase, State
from .steps import SELFPLAY, STEPS, UNITS, unit_needs_gpu
from .verdicts import hard_failures

__all__ = [
    "Phase",
    "TRANSITIONS",
    "TRIGGERS",
    "ORTHOGONAL_EVENTS",
    "CONDITIONS",
    "ACTIONS",
    "IllegalTransition",
    "fire",
    "mermaid",
    "unit_lines",
    "table_rows",
]

P = Phase

#: The table. Read it top to bottom as the life of one run.
TRANSITIONS: list[dict[str, Any]] = [
    # A request leaves the queue and becomes the active run.
    {"trigger": "DispatchStarted", "source": P.IDLE, "dest": P.SCREENING},
    # Screening: the request's own verdict (guardrail, then the LLM) before any work.
    {"trigger": "VerdictRecorded", "source": P.SCREENING, "dest": P.SCREENING,
     "conditions": "verdict_pending"},
    {"trigger": "VerdictRecorded", "source": P.SCREENING, "dest": P.PREPARING,
     "conditions": "final_proceed_more", "after": ["judged", "advance"]},
    {"trigger": "VerdictRecorded", "source": P.SCREENING, "dest": P.ESCALATING,
     "conditions": "final_escalate", "after": "judged"},
    {"trigger": "LLMStarted", "source": P.SCREENING, "dest": P.SCREENING},
    {"trigger": "LLMUnavailable", "source": P.SCREENING, "dest": P.PREPARING,
     "conditions": "final_proceed_more", "after": ["judged", "advance"]},
    {"trigger": "LLMUnavailable", "source": P.SCREENING, "dest": P.ESCALATING,
     "conditions": "final_escalate", "after": "judged"},
    # Preparing a unit: GPU-heavy units need the LLM stopped first.
    {"trigger": "LLMStopped", "source": P.PREPARING, "dest": P.PREPARING},
    # The LLM would not stop: the attempt counts as failed and is judged like any failure.
    {"trigger": "LLMUnavailable", "source": P.PREPARING, "dest": P.EVALUATING},
    {"trigger": "StepStarted", "source": P.PREPARING, "dest": P.RUNNING},
    {"trigger": "SelfplayStarted", "source": P.PREPARING, "dest": P.RUNNING},
    # The work itself (the only part done by effectful handlers).
    {"trigger": "CandidateEmitted", "source": P.RUNNING, "dest": P.RUNNING},
    {"trigger": "StepCompleted", "source": P.RUNNING, "dest": P.EVALUATING},
    {"trigger": "StepFailed", "source": P.RUNNING, "dest": P.EVALUATING},
    {"trigger": "SelfplayCompleted", "source": P.RUNNING, "dest": P.EVALUATING},
    {"trigger": "SelfplayFailed", "source": P.RUNNING, "dest": P.EVALUATING},
    # Evaluating: guardrail verdict first, then (LLM started if needed) the LLM's verdict.
    {"trigger": "VerdictRecorded", "source": P.EVALUATING, "dest": P.EVALUATING,
     "conditions": "verdict_pending"},
    {"trigger": "VerdictRecorded", "source": P.EVALUATING, "dest": P.PREPARING,
     "conditions": "final_proceed_more", "after": ["judged", "advance"]},
    {"trigger": "VerdictRecorded", "source": P.EVALUATING, "dest": P.FINISHING,
     "conditions": "final_proceed_last", "after": "judged"},
    {"trigger": "VerdictRecorded", "source": P.EVALUATING, "dest": P.PREPARING,
     "conditions": "final_retry", "after": ["judged", "retry"]},
    {"trigger": "VerdictRecorded", "source": P.EVALUATING, "dest": P.ESCALATING,
     "conditions": "final_escalate", "after": "judged"},
    {"trigger": "LLMStarted", "source": P.EVALUATING, "dest": P.EVALUATING},
    # No LLM answer: the guardrail verdict already recorded is final.
    {"trigger": "LLMUnavailable", "source": P.EVALUATING, "dest": P.PREPARING,
     "conditions": "final_proceed_more", "after": ["judged", "advance"]},
    {"trigger": "LLMUnavailable", "source": P.EVALUATING, "dest": P.FINISHING,
     "conditions": "final_proceed_last", "after": "judged"},
    {"trigger": "LLMUnavailable", "source": P.EVALUATING, "dest": P.PREPARING,
     "conditions": "final_retry", "after": ["judged", "retry"]},
    {"trigger": "LLMUnavailable", "source": P.EVALUATING, "dest": P.ESCALATING,
     "conditions": "final_escalate", "after": "judged"},
    # Endings.
    {"trigger": "DispatchCompleted", "source": P.FINISHING, "dest": P.IDLE},
    {"trigger": "Escalated", "source": P.ESCALATING, "dest": P.ESCALATED},
    {"trigger": "Approved", "source": P.ESCALATED, "dest": P.PREPARING,
     "conditions": "approved_more", "after": "advance"},
    {"trigger": "Approved", "source": P.ESCALATED, "dest": P.FINISHING,
     "conditions": "approved_last"},
    # An abort, or an approval of an escalated *failure* (which can never proceed), closes it.
    {"trigger": "Approved", "source": P.ESCALATED, "dest": P.FAILING,
     "conditions": "approval_closes"},
    {"trigger": "DispatchFailed", "source": P.FAILING, "dest": P.IDLE},
]

TRIGGERS: frozenset[str] = frozenset(row["trigger"] for row in TRANSITIONS)

#: Event types that never change the phase (accepted in every phase).
ORTHOGONAL_EVENTS: frozenset[str] = frozenset(
    {
        "PoliciesSet",
        "RequestReceived",
        "RequestValidated",
        "RequestRejected",
        "DispatchPlanned",
        "Halted",
        "Resumed",
        "DrawIngested",
        "PredictionIssued",
        "PredictionScored",
        "TriggerFired",
        "ProposalMade",
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
    }
)


class IllegalTransition(ValueError):
    """An event the table does not allow in the current phase."""


# --- conditions and actions: pure functions of the folded state ------------------------


def _more_units(s: State) -> bool:
    run = s.run
    return run is not None and run.cursor + 1 < len(run.plan.units)


def _final(s: State) -> str | None:
    ev = s.evaluation()
    return ev.final if ev is not None else None


def _escalated_ok(s: State) -> bool:
    # An escalated request screening or a completed attempt without failed hard gates may be
    # approved onward; a failed attempt may not (it is never followed by the next step).
    run = s.run
    if run is None or run.cursor < 0:
        return True
    assert run.attempt is not None and s.policies is not None
    return not hard_failures(run.attempt, s.policies)


CONDITIONS: dict[str, Any] = {
    "verdict_pending": lambda s: s.evaluation() is not None and _final(s) is None,
    "final_proceed_more": lambda s: _final(s) == "proceed" and _more_units(s),
    "final_proceed_last": lambda s: _final(s) == "proceed" and not _more_units(s),
    "final_retry": lambda s: _final(s) == "retry",
    "final_escalate": lambda s: _final(s) == "escalate",
    "approved_more": lambda s: s.run is not None and s.run.approval == "continue"
    and _escalated_ok(s) and _more_units(s),
    "approved_last": lambda s: s.run is not None and s.run.approval == "continue"
    and _escalated_ok(s) and not _more_units(s),
    "approval_closes": lambda s: s.run is not None
    and (s.run.approval == "abort" or not _escalated_ok(s)),
}


def _judged(s: State, fact: Fact) -> None:
    """Write the finished evaluation into the run's history."""
    run = s.run
    ev = s.evaluation()
    assert run is not None and ev is not None
    if run.cursor < 0:
        outcome = "validated"  # the request's own screening verdict
    else:
        assert run.attempt is not None
        outcome = run.attempt.outcome or "failed"
    run.history.append((ev.unit, ev.attempt, outcome, ev.final or "?"))


def _advance(s: State, fact: Fact) -> None:
    """Move to the next unit's first attempt."""
    run = s.run
    assert run is not None
    run.cursor += 1
    unit = run.plan.units[run.cursor].unit
    run.attempt = Attempt(unit=unit, attempt=run.attempts.get(unit, 0) + 1, ready_ts=fact.meta.ts)
    run.approval = None
    run.escalation = None


def _retry(s: State, fact: Fact) -> None:
    """Set up the same unit's next attempt with the verdict's bounded adjustments."""
    run = s.run
    ev = s.evaluation()
    assert run is not None and run.attempt is not None and ev is not None
    run.retries += 1
    run.attempt = Attempt(
        unit=run.attempt.unit,
        attempt=run.attempt.attempt + 1,
        adjustments=dict(ev.adjustments),
        ready_ts=fact.meta.ts,
    )


ACTIONS: dict[str, Any] = {"judged": _judged, "advance": _advance, "retry": _retry}


class _Cursor:
    """Adapter the ``transitions`` engine drives: its ``state`` is the folded state's phase,
    its conditions and actions are the pure functions above."""

    def __init__(self, state: State, fact: Fact) -> None:
        self._s = state
        self._fact = fact

    @property
    def state(self) -> Phase:
        return self._s.phase

    @state.setter
    def state(self, value: Phase) -> None:
        self._s.phase = Phase(value)

    def __getattr__(self, name: str) -> Any:
        if name in CONDITIONS:
            check = CONDITIONS[name]
            return lambda _event: bool(check(self._s))
        if name in ACTIONS:
            act = ACTIONS[name]
            return lambda _event: act(self._s, self._fact)
        raise AttributeError(name)


_ENGINE = Machine(
    model=None,
    states=Phase,
    transitions=TRANSITIONS,
    initial=Phase.IDLE,
    auto_transitions=False,
    send_event=True,
)


def fire(state: State, fact: Fact) -> None:
    """Apply the table to ``fact`` (a trigger event), moving ``state.phase``.

    Raises ``IllegalTransition`` when no row allows it.
    """
    trigger = fact.event.type
    cursor = _Cursor(state, fact)
    before = state.phase
    try:
        moved = _ENGINE.events[trigger].trigger(cursor)
    except MachineError:
        moved = False
    if not moved:
        raise IllegalTransition(
            f"{trigger} is not allowed in phase {before.value!r} (seq {fact.meta.seq})"
        )


def table_rows() -> list[tuple[str, str, str, str, str]]:
    """The table as ``(source, trigger, dest, conditions, after)`` strings, in order."""
    rows = []
    for row in TRANSITIONS:
        cond = row.get("conditions", "")
        after = row.get("after", "")
        rows.append(
            (
                row["source"].value,
                row["trigger"],
                row["dest"].value,
                cond if isinstance(cond, str) else ",".join(cond),
                after if isinstance(after, str) else ",".join(after),
            )
        )
    return rows


def unit_lines() -> list[str]:
    """The units a run's plan is made of, one line each, as the diagram's note shows them:
    ``3 scoring: full scoring (GPU)``, then ``selfplay``."""
    titles: dict[str, str] = {s.unit: f"{s.label}: {s.title}" for s in STEPS}
    titles[SELFPLAY] = f"{SELFPLAY}: candidate policies"
    return [titles[unit] + (" (GPU)" if unit_needs_gpu(unit) else "") for unit in UNITS]


def mermaid() -> str:
    """The table as a Mermaid ``stateDiagram-v2``: one node per state, one edge per row, and
    a note on the running state listing the units that run there."""
    lines = ["stateDiagram-v2", f"    [*] --> {Phase.IDLE.value}"]
    for phase in Phase:
        lines.append(f"    state \"{phase.value}\" as {phase.value}")
    for source, trigger, dest, cond, _after in table_rows():
        label = trigger + (f" [{cond}]" if cond else "")
        lines.append(f"    {source} --> {dest} : {label}")
    lines.append(f"    note right of {Phase.RUNNING.value}")
    lines += [f"        {line}" for line in unit_lines()]
    lines.append("    end note")
    return "\n".join(lines) + "\n"
