"""``fold(events) -> State``: the WATCHER's state, re-derived from the ledger.

Pure: one ``singledispatch`` registration per event type applies that event's data; then, for
trigger events, the state table (``machine.statechart``) moves the phase. No clock, no random,
no uuid, no I/O: ids and times arrive on the events. Anything the machine could not have
produced (a verdict looser than the guardrail, a GPU-heavy step started while the LLM may hold
GPU memory, an event the table does not allow) raises :class:`FoldError`; a ledger is never
half-understood.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Any, Iterable, Literal

from pydantic import ValidationError

from .events import (
    Approved,
    CandidateEmitted,
    DispatchCompleted,
    DispatchFailed,
    DispatchPlanned,
    DispatchStarted,
    DrawIngested,
    DrawIngestedV1,
    Escalated,
    EventModel,
    Fact,
    Halted,
    LedgerRepaired,
    CommandInterrupted,
    CommandStarted,
    LLMStarted,
    LLMStopped,
    LLMUnavailable,
    PoliciesSet,
    PredictionIssued,
    PredictionScored,
    RequestReceived,
    RequestRejected,
    RequestValidated,
    Resumed,
    SelfplayCompleted,
    SelfplayFailed,
    SelfplayStarted,
    StepCompleted,
    StepFailed,
    StepStarted,
    TriggerFired,
    VerdictRecorded,
    ProposalMade,
    ProposalAccepted,
    ProposalRejected,
    ProposalEscalated,
    ShadowScored,
    PolicyPromoted,
    CandidateRetired,
    PolicyRolledBack,
)
from .acceptance import ADVISED_TRIGGERS, judge_proposal
from .loop_policy import BASELINE, BASELINE_ID, LoopPolicy, loop_policy_sha256, with_values
from .promotion import promotion_test
from .requests import DISPATCH_KINDS, REQUEST_ADAPTER, run_id_for, validated_status
from .requests import RequestStatus
from .state import (
    FINISHED_KEPT,
    FINISHED_REQUEST_STATUSES,
    OUTCOMES_KEPT,
    Attempt,
    Evaluation,
    Identified,
    OpenPrediction,
    Outcome,
    PendingTrigger,
    Phase,
    RequestInfo,
    Candidate,
    Lineage,
    Proposal,
    Run,
    State,
)
from .statechart import TRANSITIONS, TRIGGERS, fire
from .steps import SCREEN, SELFPLAY, step_for, unit_needs_gpu
from .verdicts import bound_adjustments, clamp_verdict, hard_failures, retry_allowed

__all__ = ["FoldError", "fold", "evolve", "apply"]

_SOURCES: dict[str, frozenset[Phase]] = {
    trigger: frozenset(row["source"] for row in TRANSITIONS if row["trigger"] == trigger)
    for trigger in TRIGGERS
}


class FoldError(ValueError):
    """The ledger holds an event the machine cannot explain at that point."""


def fold(events: Iterable[Any], state: State | None = None) -> State:
    """Fold ledger records (or ``NewEvent``s, or :class:`Fact`s) into a state.

    Starts from a fresh ``State()`` unless ``state`` is given (it is then updated in place).
    """
    current = state if state is not None else State()
    for item in events:
        evolve(current, item)
    return current


def evolve(state: State, item: Any) -> State:
    """Apply one event to ``state`` in place and return it."""
    fact = item if isinstance(item, Fact) else _parse(item)
    trigger = fact.event.type
    if trigger in TRIGGERS and state.phase not in _SOURCES[trigger]:
        raise FoldError(
            f"seq {fact.meta.seq}: {trigger} is not allowed in phase {state.phase.value!r}"
        )
    try:
        apply(fact.event, state, fact)
        if trigger in TRIGGERS:
            fire(state, fact)
    except FoldError:
        raise
    except (ValueError, AssertionError, KeyError) as error:
        raise FoldError(f"seq {fact.meta.seq}: {trigger}: {error}") from None
    state.events += 1
    state.last_seq = fact.meta.seq
    state.last_ts = fact.meta.ts
    return state


def _parse(item: Any) -> Fact:
    try:
        return Fact.of(item)
    except ValueError as error:
        raise FoldError(f"seq {getattr(item, 'seq', '?')}: {error}") from None


def _fail(fact: Fact, message: str) -> FoldError:
    return FoldError(f"seq {fact.meta.seq}: {fact.event.type}: {message}")


def _active(s: State, fact: Fact) -> Run:
    run = s.run
    if run is None:
        raise _fail(fact, "no run is active")
    if fact.meta.run_id != run.run_id:
        raise _fail(fact, f"envelope run_id {fact.meta.run_id!r} is not the active run {run.run_id}")
    return run


def _attempt(s: State, fact: Fact, unit: str, number: int) -> tuple[Run, Attempt]:
    run = _active(s, fact)
    attempt = run.attempt
    if attempt is None or attempt.unit != unit or attempt.attempt != number:
        have = f"{attempt.unit}#{attempt.attempt}" if attempt else "none"
        raise _fail(fact, f"names unit {unit} attempt {number}, but the current attempt is {have}")
    return run, attempt


def _request(s: State, fact: Fact, request_id: str) -> RequestInfo:
    request = s.requests.get(request_id)
    if request is None:
        raise _fail(fact, f"unknown request {request_id}")
    return request


def _count(s: State, status: RequestStatus, by: int) -> None:
    counts = s.request_counts
    left = counts.get(status, 0) + by
    if left:
        counts[status] = left
    else:
        del counts[status]


def _set_status(s: State, request: RequestInfo, status: RequestStatus) -> None:
    """Move ``request`` to ``status``; once finished, it is kept only while it is among the
    newest FINISHED_KEPT finished requests (the state's size stays flat)."""
    _count(s, request.status, -1)
    _count(s, status, +1)
    request.status = status
    if status in FINISHED_REQUEST_STATUSES:
        _keep_newest(s.finished_requests, s.requests, request.request_id)


def _keep_newest(finished: list[str], kept: dict[str, Any], key: str) -> None:
    finished.append(key)
    if len(finished) > FINISHED_KEPT:
        del kept[finished.pop(0)]


@singledispatch
def apply(event: EventModel, s: State, fact: Fact) -> None:
    """Apply one event's data to the state (registered per event type)."""
    raise _fail(fact, "no fold registration for this event type")


# --- configuration and intake ------------------------------------------------------------


@apply.register
def _(e: PoliciesSet, s: State, fact: Fact) -> None:
    s.policies = e.policies
    s.policies_sha256 = e.sha256


@apply.register
def _(e: RequestReceived, s: State, fact: Fact) -> None:
    if e.request_id in s.requests:
        raise _fail(fact, f"request {e.request_id} was already received")
    if e.source == "chapter13" and e.name in s.loop.requests:
        # the work of an accepted proposal, named after it, asking for what it asked
        if e.payload != s.loop.requests.pop(e.name):
            raise _fail(fact, f"the request differs from what proposal {e.name} asked for")
    elif e.source == "chapter13":
        # Chapter 13's request names the trigger it carries out, and asks for what it asked.
        trigger = s.chapter13.pending.pop(e.name, None)
        if trigger is None:
            raise _fail(fact, f"no fired trigger {e.name!r} waits for a request")
        if e.payload != trigger.request:
            raise _fail(fact, f"the request differs from what trigger {e.name} asked for")
    s.requests[e.request_id] = RequestInfo(
        request_id=e.request_id, name=e.name, source=e.source, seq=fact.meta.seq
    )
    _count(s, "received", +1)


@apply.register
def _(e: RequestValidated, s: State, fact: Fact) -> None:
    request = _request(s, fact, e.request_id)
    if request.status != "received":
        raise _fail(fact, f"request {e.request_id} is {request.status}, not received")
    try:
        spec = REQUEST_ADAPTER.validate_python(e.request)
    except ValidationError as error:
        raise _fail(fact, f"recorded request does not validate: {error.errors()[0]['msg']}")
    if spec.id is not None:
        if spec.id in s.client_ids:
            raise _fail(fact, f"client id {spec.id!r} was already used")
        s.client_ids[spec.id] = e.request_id
    request.kind = spec.kind
    request.spec = spec
    _set_status(s, request, validated_status(spec.kind))
    if spec.kind in DISPATCH_KINDS:
        request.dry_run = spec.dry_run
        s.queue.append(e.request_id)
    elif spec.kind == "policy_rollback":
        s.loop.rollback_requests.append(e.request_id)
    elif spec.kind == "proposal_approve":
        proposal = s.loop.proposals.get(spec.proposal_id)
        if proposal is None or proposal.status != "escalated" or (
                spec.proposal_id in s.loop.approvals.values()):
            raise _fail(fact, f"proposal {spec.proposal_id} waits for no approval")
        s.loop.approvals[e.request_id] = spec.proposal_id


@apply.register
def _(e: RequestRejected, s: State, fact: Fact) -> None:
    request = _request(s, fact, e.request_id)
    if request.status != "received":
        raise _fail(fact, f"request {e.request_id} is {request.status}, not received")
    _set_status(s, request, "rejected")
    request.reason = e.reason


def _control_applied(s: State, fact: Fact, request_id: str | None) -> None:
    if request_id is None:
        return
    request = _request(s, fact, request_id)
    if request.status != "validated":
        raise _fail(fact, f"request {request_id} is {request.status}, not validated")
    _set_status(s, request, "applied")


@apply.register
def _(e: Halted, s: State, fact: Fact) -> None:
    _control_applied(s, fact, e.request_id)
    s.halted = True
    s.halt_reason = e.reason or "halted"


@apply.register
def _(e: Resumed, s: State, fact: Fact) -> None:
    _control_applied(s, fact, e.request_id)
    s.halted = False
    s.halt_reason = None


@apply.register
def _(e: DrawIngested, s: State, fact: Fact) -> None:
    if e.position != s.draws:
        raise _fail(fact, f"draws at position {e.position}, but the history holds {s.draws}")
    c13 = s.chapter13
    for offset, value in enumerate(e.values):
        if e.position + offset in c13.open:
            c13.arrived[e.position + offset] = value
    s.draws += len(e.values)


@apply.register
def _(e: DrawIngestedV1, s: State, fact: Fact) -> None:
    apply(e.upcast(s.draws), s, fact)


@apply.register
def _(e: CommandStarted, s: State, fact: Fact) -> None:
    """Only the runner reads it (how often a command was started without finishing)."""


@apply.register
def _(e: CommandInterrupted, s: State, fact: Fact) -> None:
    """Only the runner reads it (a start an orderly stop ended does not count)."""


@apply.register
def _(e: LedgerRepaired, s: State, fact: Fact) -> None:
    s.repairs += 1


# --- runs -------------------------------------------------------------------------------


def _queued(s: State, fact: Fact, request_id: str, run_id: str, dry: bool,
            plan_kind: str) -> RequestInfo:
    request = _request(s, fact, request_id)
    if request.status != "queued" or request_id not in s.queue:
        raise _fail(fact, f"request {request_id} is {request.status}, not queued")
    if request.dry_run != dry:
        raise _fail(fact, f"request {request_id} is {'' if request.dry_run else 'not '}a dry run")
    if run_id != run_id_for(request_id):
        raise _fail(fact, f"run id {run_id} does not belong to request {request_id}")
    if request.kind != plan_kind:
        raise _fail(fact, f"plan kind differs from the request's ({request.kind})")
    return request


@apply.register
def _(e: DispatchPlanned, s: State, fact: Fact) -> None:
    request = _queued(s, fact, e.request_id, e.run_id, dry=True, plan_kind=e.plan.kind)
    s.queue.remove(e.request_id)
    _set_status(s, request, "planned")
    request.run_id = e.run_id


@apply.register
def _(e: DispatchStarted, s: State, fact: Fact) -> None:
    request = _queued(s, fact, e.request_id, e.run_id, dry=False, plan_kind=e.plan.kind)
    if fact.meta.run_id != e.run_id:
        raise _fail(fact, "envelope run_id differs from the run started")
    if e.run_id in s.runs:
        raise _fail(fact, f"run {e.run_id} was already started")
    s.queue.remove(e.request_id)
    _set_status(s, request, "running")
    request.run_id = e.run_id
    if e.plan.kind != "selfplay_retrain":
        s.chapter13.searched_to = s.draws  # a learning loop searches the history it starts on
    s.runs_started += 1
    s.runs[e.run_id] = Run(
        run_id=e.run_id,
        request_id=e.request_id,
        kind=e.plan.kind,
        plan=e.plan,
        screening=Evaluation(subject="request", unit=SCREEN, attempt=0),
    )
    s.active = e.run_id


def _close(
    s: State, fact: Fact, run: Run, request_id: str, status: Literal["completed", "failed"],
    text: str,
) -> None:
    if request_id != run.request_id:
        raise _fail(fact, f"request {request_id} is not the run's ({run.request_id})")
    run.status = status
    run.outcome = text
    _set_status(s, s.requests[run.request_id], status)
    _keep_newest(s.finished_runs, s.runs, run.run_id)
    s.active = None
    s.last_run_ended_ts = fact.meta.ts


@apply.register
def _(e: DispatchCompleted, s: State, fact: Fact) -> None:
    run = _active(s, fact)
    _close(s, fact, run, e.request_id, "completed", e.summary or "completed")


@apply.register
def _(e: DispatchFailed, s: State, fact: Fact) -> None:
    run = _active(s, fact)
    _close(s, fact, run, e.request_id, "failed", e.reason)


@apply.register
def _(e: Escalated, s: State, fact: Fact) -> None:
    run = _active(s, fact)
    ev = s.evaluation()
    if ev is None or (ev.unit, ev.attempt) != (e.unit, e.attempt):
        raise _fail(fact, f"escalates unit {e.unit} attempt {e.attempt}, not the one judged")
    run.status = "escalated"
    run.escalation = e.reason


@apply.register
def _(e: Approved, s: State, fact: Fact) -> None:
    run = _active(s, fact)
    if e.run_id != run.run_id:
        raise _fail(fact, f"approves {e.run_id}, but the escalated run is {run.run_id}")
    _control_applied(s, fact, e.request_id)
    run.approval = e.action
    run.status = "active"


# --- the LLM ----------------------------------------------------------------------------


def _pending(s: State, fact: Fact) -> Evaluation:
    ev = s.evaluation()
    if ev is None or ev.guardrail is None or ev.final is not None:
        raise _fail(fact, "no evaluation is waiting for the LLM")
    return ev


@apply.register
def _(e: LLMStarted, s: State, fact: Fact) -> None:
    _active(s, fact)
    ev = _pending(s, fact)
    ev.llm_start_tried = True
    s.llm = "running"


@apply.register
def _(e: LLMStopped, s: State, fact: Fact) -> None:
    run = _active(s, fact)
    assert run.attempt is not None
    run.attempt.llm_stopped = True
    s.llm = "stopped"


@apply.register
def _(e: LLMUnavailable, s: State, fact: Fact) -> None:
    run = _active(s, fact)
    if s.phase is Phase.PREPARING:
        if e.phase != "stop":
            raise _fail(fact, f"phase {e.phase!r} while preparing a unit (only 'stop')")
        attempt = run.attempt
        assert attempt is not None
        attempt.outcome = "failed"
        attempt.reason = f"the LLM could not be stopped before a GPU-heavy unit: {e.reason}"
        attempt.evaluation = _new_evaluation(attempt)
        s.llm = "unknown"
        return
    ev = _pending(s, fact)
    if e.phase == "start":
        if s.llm == "running":
            raise _fail(fact, "the LLM is already running")
        ev.llm_start_tried = True
        s.llm = "unavailable"
    elif e.phase == "evaluate":
        if s.llm != "running":
            raise _fail(fact, "an evaluation can only time out on a running LLM")
        s.llm = "unknown"  # it may still hold memory: the next GPU unit stops it again
    else:
        raise _fail(fact, "a stop can only fail while preparing a unit")
    ev.llm_unavailable = e.reason
    ev.final = ev.guardrail


@apply.register
def _(e: VerdictRecorded, s: State, fact: Fact) -> None:
    run = _active(s, fact)
    ev = s.evaluation()
    if ev is None:
        raise _fail(fact, "nothing is being evaluated")
    if (ev.subject, ev.unit, ev.attempt) != (e.subject, e.unit, e.attempt):
        raise _fail(
            fact,
            f"judges {e.subject} {e.unit}#{e.attempt}, but {ev.subject} {ev.unit}#{ev.attempt} "
            "is being evaluated",
        )
    assert s.policies is not None, "no policies recorded"
    if e.source == "guardrail":
        if ev.guardrail is not None:
            raise _fail(fact, "a second guardrail verdict for one evaluation")
        if e.effective != e.decision or e.clamped:
            raise _fail(fact, "a guardrail verdict is its own effective decision")
        if run.cursor >= 0:
            attempt = run.attempt
            assert attempt is not None
            allowed = retry_allowed(run, attempt, s.policies)
            if e.decision == "proceed" and hard_failures(attempt, s.policies):
                raise _fail(fact, "a failed unit can never be recorded as proceed")
        else:
            allowed = False
        if e.decision == "retry" and not allowed:
            raise _fail(fact, "guardrail retry beyond the retry budget")
        ev.guardrail = e.decision
        ev.guardrail_reasons = e.reasons
        ev.retry_allowed = allowed
        if e.decision == "escalate":
            ev.final = "escalate"  # nothing the LLM says can loosen it: it is not asked
        return
    # An LLM verdict: only after the guardrail's, only from a running LLM, never looser.
    ev = _pending(s, fact)
    if s.llm != "running":
        raise _fail(fact, "an LLM verdict needs a running LLM (LLMStarted first)")
    assert ev.guardrail is not None
    effective, clamped = clamp_verdict(
        e.decision, floor=ev.guardrail, retry_allowed=ev.retry_allowed, subject=ev.subject
    )
    if (e.effective, e.clamped) != (effective, clamped):
        raise _fail(
            fact,
            f"effective {e.effective!r} (clamped={e.clamped}) but the machine allows "
            f"{effective!r} (clamped={clamped}) after guardrail {ev.guardrail!r}",
        )
    ev.llm = e.decision
    ev.llm_clamped = clamped
    ev.final = effective
    if effective == "retry":
        ev.adjustments = bound_adjustments(e.adjustments, s.policies)


# --- units of work ----------------------------------------------------------------------


def _start(s: State, fact: Fact, unit: str, number: int, gpu_heavy: bool, adjustments: dict[str, float]) -> None:
    run, attempt = _attempt(s, fact, unit, number)
    planned = run.plan.units[run.cursor]
    if planned.gpu_heavy != gpu_heavy:
        raise _fail(fact, f"unit {unit} is planned with gpu_heavy={planned.gpu_heavy}")
    if gpu_heavy and not (attempt.llm_stopped and s.llm == "stopped"):
        raise _fail(fact, "a GPU-heavy unit started while the LLM may hold GPU memory")
    if dict(adjustments) != attempt.adjustments:
        raise _fail(fact, f"adjustments {adjustments} differ from the verdict's {attempt.adjustments}")
    attempt.started = True
    run.attempts[unit] = number


def _new_evaluation(attempt: Attempt) -> Evaluation:
    subject = "selfplay" if attempt.unit == SELFPLAY else "step"
    return Evaluation(subject=subject, unit=attempt.unit, attempt=attempt.attempt)


def _outcome(s: State, fact: Fact, unit: str, number: int) -> Attempt:
    _run, attempt = _attempt(s, fact, unit, number)
    if not attempt.started or attempt.outcome is not None:
        raise _fail(fact, f"unit {unit} attempt {number} is not running")
    attempt.evaluation = _new_evaluation(attempt)
    return attempt


@apply.register
def _(e: StepStarted, s: State, fact: Fact) -> None:
    _start(s, fact, step_for(e.step).unit, e.attempt, e.gpu_heavy, e.adjustments)


@apply.register
def _(e: SelfplayStarted, s: State, fact: Fact) -> None:
    _start(s, fact, SELFPLAY, e.attempt, unit_needs_gpu(SELFPLAY), e.adjustments)


@apply.register
def _(e: StepCompleted, s: State, fact: Fact) -> None:
    attempt = _outcome(s, fact, step_for(e.step).unit, e.attempt)
    attempt.outcome = "completed"
    attempt.metrics = dict(e.metrics)
    attempt.gates = e.gates


@apply.register
def _(e: PredictionIssued, s: State, fact: Fact) -> None:
    c13 = s.chapter13
    if fact.meta.run_id is None:
        # Chapter 13's own: the next draw of the hypothesis in use, before that draw arrives.
        if c13.identified is None:
            raise _fail(fact, "a prediction outside any run needs an identified hypothesis")
        if e.target_index != s.draws:
            raise _fail(fact, f"predicts draw {e.target_index}, but the next draw is {s.draws}")
    else:
        run = _active(s, fact)
        attempt = run.attempt
        if attempt is None or not attempt.started or attempt.outcome is not None:
            raise _fail(fact, "a prediction is issued by a running step")
        if attempt.unit != step_for("prediction").unit:
            raise _fail(fact, f"issued by unit {attempt.unit}, not the prediction step")
    if e.target_index < s.draws:
        c13.late += 1  # its draw arrived while the run worked: scoring it would flatter it
        return
    c13.open[e.target_index] = OpenPrediction(
        target_index=e.target_index,
        pool=tuple((entry.draw, entry.probability) for entry in e.pool),
        identified=e.identified, hypothesis=e.hypothesis, chance_rate=e.chance_rate,
        event_id=fact.meta.id,
    )
    if e.identified and e.hypothesis is not None:
        if c13.identified is None or c13.identified.hypothesis != e.hypothesis:
            c13.identified = Identified(hypothesis=e.hypothesis, first_target=e.target_index)
            c13.miss_at = None
    elif fact.meta.run_id is None:
        c13.identified = None  # the hypothesis could not predict: nothing is in use


@apply.register
def _(e: PredictionScored, s: State, fact: Fact) -> None:
    c13 = s.chapter13
    prediction = c13.open.get(e.target_index)
    if prediction is None or e.target_index not in c13.arrived:
        raise _fail(fact, f"no open prediction of draw {e.target_index} whose draw arrived")
    draw = c13.arrived[e.target_index]
    if (e.draw, e.hit, e.rank, e.probability) != (draw, *prediction.score(draw)):
        raise _fail(fact, f"the score differs from the prediction's pool and draw {draw}")
    del c13.open[e.target_index], c13.arrived[e.target_index]
    c13.scored += 1
    c13.hits += e.hit
    c13.outcomes.append(Outcome(target_index=e.target_index, hit=e.hit,
                                identified=prediction.identified, claimed=prediction.claimed,
                                chance_rate=prediction.chance_rate))
    del c13.outcomes[:-OUTCOMES_KEPT]
    current = c13.identified
    if prediction.identified and current is not None and prediction.hypothesis == current.hypothesis:
        if e.hit:
            current.hits += 1
        else:
            c13.identified = None  # near-certain evidence of a reseed or a new generator
            c13.miss_at = e.target_index


@apply.register
def _(e: TriggerFired, s: State, fact: Fact) -> None:
    c13 = s.chapter13
    if e.position != s.draws:
        raise _fail(fact, f"fired at position {e.position}, but the history holds {s.draws}")
    if e.trigger_id in c13.pending or c13.last_fired.get(e.trigger) == e.position:
        raise _fail(fact, f"trigger {e.trigger_id} already fired")
    c13.last_fired[e.trigger] = e.position
    c13.fired += 1
    c13.searched_to = e.position
    c13.pending[e.trigger_id] = PendingTrigger(
        trigger_id=e.trigger_id, trigger=e.trigger, position=e.position, since=e.since,
        request=dict(e.request))
    if e.trigger in ADVISED_TRIGGERS:
        s.loop.awaiting_advice[e.trigger_id] = (e.trigger, dict(e.evidence))


@apply.register
def _(e: StepFailed, s: State, fact: Fact) -> None:
    attempt = _outcome(s, fact, step_for(e.step).unit, e.attempt)
    attempt.outcome = "failed"
    attempt.reason = e.reason


@apply.register
def _(e: CandidateEmitted, s: State, fact: Fact) -> None:
    run, attempt = _attempt(s, fact, SELFPLAY, e.attempt)
    if e.candidate_id in run.candidates:
        raise _fail(fact, f"candidate {e.candidate_id} was already emitted")
    attempt.candidates = (*attempt.candidates, e.candidate_id)
    run.candidates = (*run.candidates, e.candidate_id)
    try:
        policy = LoopPolicy.model_validate(e.policy)
    except ValidationError:
        return  # not a loop policy (older selfplay handlers): nothing Chapter 13 can promote
    s.loop.candidates[e.candidate_id] = Candidate(
        candidate_id=e.candidate_id, policy=policy, run_id=run.run_id, emitted_at=s.draws,
        shadowed_to=s.draws)


@apply.register
def _(e: SelfplayCompleted, s: State, fact: Fact) -> None:
    attempt = _outcome(s, fact, SELFPLAY, e.attempt)
    attempt.outcome = "completed"
    attempt.metrics = dict(e.metrics)
    attempt.gates = e.gates


@apply.register
def _(e: SelfplayFailed, s: State, fact: Fact) -> None:
    attempt = _outcome(s, fact, SELFPLAY, e.attempt)
    attempt.outcome = "failed"
    attempt.reason = e.reason


# --- Chapter 13's policy -----------------------------------------------------------------


def _new_policy(s: State, fact: Fact, policy: LoopPolicy, kind: str, source: str,
                policy_id: str, detail: str) -> None:
    """Make ``policy`` the active loop policy; pending candidates start their comparison again
    (their evidence was against the policy just replaced)."""
    loop = s.loop
    loop.policy = policy
    loop.policy_id = policy_id
    loop.lineage.append(Lineage(kind=kind, source=source, ts=fact.meta.ts, seq=fact.meta.seq,
                                policy_id=policy_id, detail=detail))
    del loop.lineage[:-FINISHED_KEPT]
    for candidate in loop.candidates.values():
        if candidate.status == "pending":
            candidate.shadowed_to = s.draws
            candidate.wins = candidate.losses = candidate.draws = 0
            candidate.active_resume = {}


def _settle_proposal(s: State, proposal: Proposal, outcome: str) -> None:
    proposal.status = outcome
    if outcome in ("accepted", "rejected"):  # escalated ones wait for a person
        _keep_newest(s.loop.finished_proposals, s.loop.proposals, proposal.proposal_id)


def _proposal(s: State, fact: Fact, proposal_id: str) -> Proposal:
    proposal = s.loop.proposals.get(proposal_id)
    if proposal is None:
        raise _fail(fact, f"unknown proposal {proposal_id}")
    if proposal.status != "made":
        raise _fail(fact, f"proposal {proposal_id} was already {proposal.status}")
    return proposal


def _approved(s: State, fact: Fact, proposal_id: str, approval_id: str, outcome: str) -> Any:
    """A person's answer to an escalated proposal: the rules judge it again; it is accepted
    only when they would have, but for the escalation, and the person said accept."""
    loop = s.loop
    proposal = loop.proposals.get(proposal_id)
    if proposal is None or loop.approvals.get(approval_id) != proposal_id or (
            proposal.status != "escalated"):
        raise _fail(fact, f"request {approval_id} approves no escalated proposal {proposal_id}")
    del loop.approvals[approval_id]
    _control_applied(s, fact, approval_id)
    action = getattr(s.requests[approval_id].spec, "action", "accept")
    judgement = judge_proposal(
        confidence=proposal.confidence, risk_level=proposal.risk_level,
        recommended_action=proposal.recommended_action, values=proposal.values,
        policy=loop.policy, changed_at_run=loop.changed_at_run, runs=s.runs_started)
    if outcome == "accepted" and (action != "accept" or judgement.outcome == "rejected"):
        raise _fail(fact, f"the approval says {action} and the rules {judgement.outcome}")
    _settle_proposal(s, proposal, outcome)
    return judgement


def _judged(s: State, fact: Fact, proposal: Proposal, outcome: str,
            reasons: tuple[str, ...], clamped: tuple[str, ...]) -> Any:
    """Re-derive the rules' judgement: a ledger may only record what they decide."""
    judgement = judge_proposal(
        confidence=proposal.confidence, risk_level=proposal.risk_level,
        recommended_action=proposal.recommended_action, values=proposal.values,
        policy=s.loop.policy, changed_at_run=s.loop.changed_at_run, runs=s.runs_started)
    if (judgement.outcome, judgement.reasons, judgement.clamped) != (outcome, reasons, clamped):
        raise _fail(fact, f"the acceptance rules say {judgement.outcome}: "
                          f"{'; '.join(judgement.reasons)}")
    _settle_proposal(s, proposal, outcome)
    return judgement


@apply.register
def _(e: ProposalMade, s: State, fact: Fact) -> None:
    loop = s.loop
    if e.proposal_id in loop.proposals:
        raise _fail(fact, f"proposal {e.proposal_id} was already made")
    if loop.awaiting_advice.pop(e.trigger_id, None) is None:
        raise _fail(fact, f"trigger {e.trigger_id} waits for no advice")
    loop.proposals[e.proposal_id] = Proposal(
        proposal_id=e.proposal_id, trigger_id=e.trigger_id, source=e.source,
        recommended_action=e.recommended_action, risk_level=e.risk_level,
        retrain_scope=e.retrain_scope, confidence=e.confidence,
        values=tuple((p.name, p.value) for p in e.parameter_proposals))
    if e.source == "llm" and s.llm != "running":
        s.llm = "unknown"  # loaded outside a run: the next GPU-heavy unit stops it first


@apply.register
def _(e: ProposalAccepted, s: State, fact: Fact) -> None:
    if e.approval_id is not None:
        judgement = _approved(s, fact, e.proposal_id, e.approval_id, "accepted")
        proposal = s.loop.proposals[e.proposal_id]
    else:
        proposal = _proposal(s, fact, e.proposal_id)
        judgement = _judged(s, fact, proposal, "accepted", e.reasons, e.clamped)
    recorded = tuple((c.name, c.old, c.new) for c in e.changes)
    if recorded != tuple((c.name, c.old, c.new) for c in judgement.changes):
        raise _fail(fact, "the changes differ from the acceptance rules'")
    if e.rollback != (proposal.recommended_action == "rollback"):
        raise _fail(fact, "a rollback is made exactly when the proposal recommends one")
    loop = s.loop
    if e.request is not None:
        if e.request_name is None or e.request.get("kind") not in DISPATCH_KINDS:
            raise _fail(fact, "an accepted proposal's request is a named dispatch request")
        loop.requests[e.request_name] = dict(e.request)
        if e.request["kind"] == "selfplay_retrain":
            loop.last_exploration_ts = fact.meta.ts
    if e.changes:
        policy = with_values(loop.policy, {c.name: c.new for c in e.changes})
        for change in e.changes:
            loop.changed_at_run[change.name] = s.runs_started
        _new_policy(s, fact, policy, "proposal", e.proposal_id, e.proposal_id,
                    "; ".join(f"{c.name} {c.old:g} -> {c.new:g}" for c in e.changes))


@apply.register
def _(e: ProposalRejected, s: State, fact: Fact) -> None:
    if e.approval_id is not None:
        _approved(s, fact, e.proposal_id, e.approval_id, "rejected")
        return
    _judged(s, fact, _proposal(s, fact, e.proposal_id), "rejected", e.reasons, e.clamped)


@apply.register
def _(e: ProposalEscalated, s: State, fact: Fact) -> None:
    _judged(s, fact, _proposal(s, fact, e.proposal_id), "escalated", e.reasons, e.clamped)


def _pending_candidate(s: State, fact: Fact, candidate_id: str) -> Candidate:
    candidate = s.loop.candidates.get(candidate_id)
    if candidate is None or candidate.status != "pending":
        raise _fail(fact, f"candidate {candidate_id} is not pending")
    return candidate


@apply.register
def _(e: ShadowScored, s: State, fact: Fact) -> None:
    candidate = _pending_candidate(s, fact, e.candidate_id)
    if e.first_index != candidate.shadowed_to:
        raise _fail(fact, f"shadows from draw {e.first_index}, expected {candidate.shadowed_to}")
    if e.first_index + len(e.candidate_hits) > s.draws:
        raise _fail(fact, "shadows draws that have not arrived")
    if e.active_policy_sha256 != loop_policy_sha256(s.loop.policy):
        raise _fail(fact, "shadows a policy that is not the active one")
    pairs = list(zip(e.candidate_hits, e.active_hits))
    candidate.wins += sum(1 for mine, theirs in pairs if mine and not theirs)
    candidate.losses += sum(1 for mine, theirs in pairs if theirs and not mine)
    candidate.draws += len(pairs)
    candidate.shadowed_to += len(pairs)
    candidate.candidate_resume = dict(e.candidate_resume)
    candidate.active_resume = dict(e.active_resume)


@apply.register
def _(e: PolicyPromoted, s: State, fact: Fact) -> None:
    candidate = _pending_candidate(s, fact, e.candidate_id)
    test = promotion_test(candidate.wins, candidate.losses, candidate.draws,
                          s.loop.policy.acceptance_margin)
    if test.decision != "promote":
        raise _fail(fact, f"the promotion test says {test.decision}: {test.describe()}")
    if (e.wins, e.losses, e.shadow_draws, e.previous) != (
            candidate.wins, candidate.losses, candidate.draws, s.loop.policy_id):
        raise _fail(fact, "the evidence differs from the shadow predictions recorded")
    candidate.status = "promoted"
    _keep_newest(s.loop.finished_candidates, s.loop.candidates, e.candidate_id)
    _new_policy(s, fact, candidate.policy, "promotion", e.candidate_id, e.candidate_id,
                e.evidence)


@apply.register
def _(e: CandidateRetired, s: State, fact: Fact) -> None:
    candidate = _pending_candidate(s, fact, e.candidate_id)
    test = promotion_test(candidate.wins, candidate.losses, candidate.draws,
                          s.loop.policy.acceptance_margin)
    if test.decision != "retire" and e.shadow_error is None:
        raise _fail(fact, f"the promotion test says {test.decision}: {test.describe()}")
    candidate.status = "retired"
    _keep_newest(s.loop.finished_candidates, s.loop.candidates, e.candidate_id)


@apply.register
def _(e: PolicyRolledBack, s: State, fact: Fact) -> None:
    loop = s.loop
    if e.request_id is not None:
        if e.request_id not in loop.rollback_requests:
            raise _fail(fact, f"request {e.request_id} asks for no rollback")
        loop.rollback_requests.remove(e.request_id)
        _control_applied(s, fact, e.request_id)
    elif e.proposal_id is not None:
        proposal = loop.proposals.get(e.proposal_id)
        if proposal is None or proposal.status != "accepted" or (
                proposal.recommended_action != "rollback"):
            raise _fail(fact, f"proposal {e.proposal_id} is no accepted rollback")
    else:
        raise _fail(fact, "a rollback is asked for by a request or an accepted proposal")
    _new_policy(s, fact, BASELINE, "rollback", e.request_id or e.proposal_id or "", BASELINE_ID,
                e.reason or "baseline restored")
