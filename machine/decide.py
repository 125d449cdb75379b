"""``decide(State) -> Command | None``: what the WATCHER does next. Pure.

One command at a time, chosen from the folded state alone:

1. nothing without recorded policies; a policy rollback request first; nothing else while
   halted (fail-closed);
   then Chapter 13's cycle on new draws (``machine.triggers``): scores, the next prediction of
   an identified hypothesis, triggers and the requests they make; then its policy side
   (``machine.policy_decide``): rollbacks, proposals judged, candidates settled, and while
   idle the advisor and shadow predictions;
2. dry runs first: planning consumes nothing and needs no GPU;
3. with no active run, the head of the queue is dispatched (after the between-runs cooldown);
4. inside a run, the phase says what is missing: the request's screening verdict, the LLM
   stopped before a GPU-heavy unit, the unit started, run, judged (guardrail first, then the
   LLM, started if needed), then escalation, completion or failure.

Time enters only through recorded timestamps (``not_before``); randomness only as seeds
derived from ids (``selfplay`` seeds).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from ledger import format_ts, parse_ts

from .commands import (
    Command,
    CompleteRun,
    EscalateRun,
    EvaluateWithLLM,
    FailRun,
    PlanDispatch,
    RecordGuardrailVerdict,
    RunSelfplay,
    RunStep,
    StartDispatch,
    StartLLM,
    StartSelfplay,
    StartStep,
    StopLLM,
    kind_of,
    make_command,
)
from .events import RunPlan, UnitPlan
from .policies import Policies
from .requests import SelfplayRequest, run_id_for, scope_steps
from .state import Attempt, Evaluation, Phase, RequestInfo, Run, State
from .steps import SCREEN, SELFPLAY, STEPS, step_for, unit_needs_gpu
from .triggers import chapter13_command
from .policy_decide import policy_command, rollback_command
from .verdicts import guardrail_for_attempt, guardrail_for_request

__all__ = ["decide", "plan_for", "GPU_HEAVY_STEPS", "selfplay_seed"]

#: Steps that need the GPU's memory: the LLM is stopped before them.
GPU_HEAVY_STEPS = frozenset(step.number for step in STEPS if step.gpu_heavy)


def selfplay_seed(run_id: str, attempt: int) -> int:
    """A selfplay seed derived from the run and attempt (recorded on ``SelfplayStarted``)."""
    digest = hashlib.sha256(f"{run_id}/selfplay/{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _shared_params(spec: Any) -> dict[str, Any]:
    params: dict[str, Any] = dict(spec.params)
    if spec.draws is not None:
        params["draws"] = spec.draws
    return params


def plan_for(spec: Any, policies: Policies, run_id: str) -> RunPlan:
    """The full plan of a dispatch request: its units and the all-proceed command sequence."""
    units: list[UnitPlan] = []
    if isinstance(spec, SelfplayRequest):
        episodes = spec.episodes or policies.selfplay_default_episodes
        seed = spec.seed if spec.seed is not None else selfplay_seed(run_id, 1)
        params = {**_shared_params(spec), "episodes": episodes, "seed": seed}
        units.append(
            UnitPlan(unit=SELFPLAY, handler=kind_of(RunSelfplay),
                     gpu_heavy=unit_needs_gpu(SELFPLAY), params=params)
        )
    else:
        for number in scope_steps(spec):
            step = step_for(number)
            units.append(
                UnitPlan(
                    unit=step.unit,
                    handler=step.kind,
                    gpu_heavy=step.gpu_heavy,
                    params=_shared_params(spec),
                )
            )
    # The happy path, spelled out: screening (guardrail, LLM), then per unit the LLM stop
    # when GPU-heavy, the unit, its guardrail verdict, the LLM (re)started and its verdict.
    guardrail, llm_start, llm_evaluate = (
        kind_of(RecordGuardrailVerdict), kind_of(StartLLM), kind_of(EvaluateWithLLM)
    )
    sequence = [f"{guardrail} {SCREEN}", llm_start, f"{llm_evaluate} {SCREEN}"]
    llm_running = True
    for unit in units:
        if unit.gpu_heavy:
            sequence.append(kind_of(StopLLM))
            llm_running = False
        start = kind_of(StartSelfplay if unit.unit == SELFPLAY else StartStep)
        sequence += [f"{start} {unit.unit}", unit.handler, f"{guardrail} {unit.unit}"]
        if not llm_running:
            sequence.append(llm_start)
            llm_running = True
        sequence.append(f"{llm_evaluate} {unit.unit}")
    sequence.append(kind_of(CompleteRun))
    return RunPlan(
        kind=spec.kind,
        units=tuple(units),
        retries_per_step=policies.retries.per_step,
        retries_per_run=policies.retries.per_run,
        sequence=tuple(sequence),
    )


def _after(ts: str | None, seconds: float) -> str | None:
    if ts is None or seconds <= 0:
        return None
    return format_ts(parse_ts(ts) + timedelta(seconds=seconds))


def decide(state: State) -> Command | None:
    """The next command, or ``None`` when there is nothing to do (or nothing may be done)."""
    policies = state.policies
    if policies is None:
        return None
    rollback = rollback_command(state)  # the baseline policy is restorable at any time
    if rollback is not None or state.halted:
        return rollback
    feedback = chapter13_command(state, policies)  # every new draw's cycle comes first
    if feedback is not None:
        return feedback
    policy = policy_command(state)  # proposals judged, candidates shadowed and settled
    if policy is not None:
        return policy
    for request_id in state.queue:
        request = state.requests[request_id]
        if request.dry_run:
            return _plan(request, policies)
    run = state.run
    if run is None:
        if not state.queue:
            return None
        return _dispatch(state, state.requests[state.queue[0]], policies)
    phase = state.phase
    if phase is Phase.SCREENING:
        assert run.screening is not None
        return _evaluate(state, run, run.screening, None, policies)
    if phase is Phase.PREPARING:
        return _prepare(state, run, policies)
    if phase is Phase.RUNNING:
        return _run_unit(run, policies)
    if phase is Phase.EVALUATING:
        assert run.attempt is not None and run.attempt.evaluation is not None
        return _evaluate(state, run, run.attempt.evaluation, run.attempt, policies)
    if phase is Phase.ESCALATING:
        return _escalate(state, run)
    if phase is Phase.FINISHING:
        return _complete(run)
    if phase is Phase.FAILING:
        return _fail(run)
    return None  # ESCALATED: a human decides


def _plan(request: RequestInfo, policies: Policies) -> Command:
    run_id = run_id_for(request.request_id)
    plan = plan_for(request.spec, policies, run_id)
    return make_command(
        PlanDispatch, f"{request.request_id}/plan", request_id=request.request_id, run_id=run_id,
        plan=plan,
    )


def _dispatch(state: State, request: RequestInfo, policies: Policies) -> Command:
    run_id = run_id_for(request.request_id)
    return make_command(
        StartDispatch,
        f"{run_id}/dispatch",
        request_id=request.request_id,
        run_id=run_id,
        plan=plan_for(request.spec, policies, run_id),
        not_before=_after(state.last_run_ended_ts, policies.cooldowns.between_runs_s),
    )


def _scope(run: Run, unit: str, attempt: int, what: str) -> str:
    return f"{run.run_id}/{unit}/a{attempt}/{what}"


def _evaluate(
    state: State, run: Run, ev: Evaluation, attempt: Attempt | None, policies: Policies
) -> Command:
    common = {"request_id": run.request_id, "run_id": run.run_id}
    if ev.guardrail is None:
        if attempt is None:
            decision, reasons, _ = guardrail_for_request(run.kind)
        else:
            decision, reasons, _ = guardrail_for_attempt(run, attempt, policies)
        return make_command(
            RecordGuardrailVerdict,
            _scope(run, ev.unit, ev.attempt, "guardrail"),
            subject=ev.subject,
            unit=ev.unit,
            attempt=ev.attempt,
            decision=decision,
            reasons=reasons,
            **common,
        )
    # The guardrail verdict stands and is not final: the LLM's verdict comes next.
    if state.llm != "running":
        return make_command(
            StartLLM,
            _scope(run, ev.unit, ev.attempt, "llm-start"),
            unit=ev.unit,
            attempt=ev.attempt,
            timeout_s=policies.timeouts.llm_start_s,
            **common,
        )
    request = state.requests[run.request_id].spec
    return make_command(
        EvaluateWithLLM,
        _scope(run, ev.unit, ev.attempt, "llm-evaluate"),
        subject=ev.subject,
        unit=ev.unit,
        attempt=ev.attempt,
        floor=ev.guardrail,
        floor_reasons=ev.guardrail_reasons,
        retry_allowed=ev.retry_allowed,
        outcome=attempt.outcome if attempt else None,
        reason=attempt.reason if attempt else None,
        metrics=dict(attempt.metrics) if attempt else {},
        gates=attempt.gates if attempt else (),
        request=request.model_dump(mode="json") if request is not None else {},
        timeout_s=policies.timeouts.llm_evaluate_s,
        **common,
    )


def _prepare(state: State, run: Run, policies: Policies) -> Command:
    attempt = run.attempt
    assert attempt is not None
    unit = run.plan.units[run.cursor]
    common = {"request_id": run.request_id, "run_id": run.run_id}
    if unit.gpu_heavy and not (attempt.llm_stopped and state.llm == "stopped"):
        return make_command(
            StopLLM,
            _scope(run, unit.unit, attempt.attempt, "llm-stop"),
            unit=unit.unit,
            attempt=attempt.attempt,
            timeout_s=policies.timeouts.llm_stop_s,
            **common,
        )
    not_before = (
        _after(attempt.ready_ts, policies.cooldowns.before_retry_s) if attempt.attempt > 1 else None
    )
    if unit.unit == SELFPLAY:
        return make_command(
            StartSelfplay,
            _scope(run, unit.unit, attempt.attempt, "start"),
            attempt=attempt.attempt,
            episodes=unit.params["episodes"],
            seed=_attempt_seed(run, unit, attempt),
            adjustments=attempt.adjustments,
            not_before=not_before,
            **common,
        )
    return make_command(
        StartStep,
        _scope(run, unit.unit, attempt.attempt, "start"),
        step=step_for(unit.unit).number,
        attempt=attempt.attempt,
        gpu_heavy=unit.gpu_heavy,
        params=unit.params,
        adjustments=attempt.adjustments,
        not_before=not_before,
        **common,
    )


def _attempt_seed(run: Run, unit: UnitPlan, attempt: Attempt) -> int:
    # The first attempt uses the planned seed (the request's, if it gave one); a retry a
    # fresh one derived from the run, so it explores differently yet replays identically.
    if attempt.attempt == 1:
        return int(unit.params["seed"])
    return selfplay_seed(run.run_id, attempt.attempt)


def _run_unit(run: Run, policies: Policies) -> Command:
    attempt = run.attempt
    assert attempt is not None
    unit = run.plan.units[run.cursor]
    common = {"request_id": run.request_id, "run_id": run.run_id}
    scope = _scope(run, unit.unit, attempt.attempt, "run")
    if unit.unit == SELFPLAY:
        return make_command(
            RunSelfplay,
            scope,
            attempt=attempt.attempt,
            episodes=unit.params["episodes"],
            seed=_attempt_seed(run, unit, attempt),
            params=unit.params,
            adjustments=attempt.adjustments,
            timeout_s=policies.timeouts.selfplay_s,
            **common,
        )
    return make_command(
        RunStep,
        scope,
        kind=unit.handler,
        step=step_for(unit.unit).number,
        attempt=attempt.attempt,
        params=unit.params,
        adjustments=attempt.adjustments,
        alpha=policies.alpha,
        timeout_s=policies.timeouts.step_s,
        **common,
    )


def _escalate(state: State, run: Run) -> Command:
    ev = state.evaluation()
    assert ev is not None
    if ev.guardrail == "escalate":
        reason = "; ".join(ev.guardrail_reasons)
    elif ev.llm is not None:
        reason = f"LLM verdict {ev.llm}" + (" (clamped to escalate)" if ev.llm_clamped else "")
        reason += f"; guardrail: {'; '.join(ev.guardrail_reasons)}"
    else:
        reason = "; ".join(ev.guardrail_reasons) or "escalated"
    return make_command(
        EscalateRun,
        _scope(run, ev.unit, ev.attempt, "escalate"),
        request_id=run.request_id,
        run_id=run.run_id,
        unit=ev.unit,
        attempt=ev.attempt,
        reason=reason,
    )


def _complete(run: Run) -> Command:
    units = ", ".join(u.unit for u in run.plan.units)
    summary = f"{run.kind}: units {units} proceeded; {run.retries} retr{'y' if run.retries == 1 else 'ies'}"
    if run.candidates:
        summary += f"; {len(run.candidates)} candidate(s) emitted (not promoted)"
    return make_command(
        CompleteRun, f"{run.run_id}/complete", request_id=run.request_id, run_id=run.run_id,
        summary=summary,
    )


def _fail(run: Run) -> Command:
    if run.approval == "abort":
        reason = "aborted by an operator after escalation"
    else:
        reason = (
            "escalated failure closed by approval: a failed unit is never followed by the next "
            "(resubmit the request to run it again)"
        )
    return make_command(
        FailRun, f"{run.run_id}/fail", request_id=run.request_id, run_id=run.run_id, reason=reason
    )
