"""What Chapter 13's policy side does next: part of ``decide``, pure.

In this order (:func:`policy_command`):

1. a ``policy_rollback`` request is applied at once (``PolicyRolledBack``), whatever runs and
   even while halted (:func:`rollback_command`, which ``decide`` asks first);
2. a person's answer to an escalated proposal (``proposal_approve``) is applied; then a
   proposal not yet judged is judged by the acceptance rules (``machine.acceptance``):
   ``ProposalAccepted`` (with its rollback, or the request its action makes: a retrain, or a
   selfplay exploration of ``exploration_budget_episodes`` unless one was requested less than
   ``cooldown_hours`` before), ``ProposalRejected`` or ``ProposalEscalated``;
3. a candidate whose promotion test has decided is settled (``PolicyPromoted`` or
   ``CandidateRetired``);
4. only while no run is active and nothing is queued (so that the advisor and shadow
   predictions never delay the work a trigger asked for): a trigger that waits for advice is
   put to the advisor (``chapter13.advise``: ``ProposalMade``), then each pending candidate
   is shadowed on the draws that arrived since (``policy.shadow``: ``ShadowScored``).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from ledger import parse_ts

from .acceptance import Judgement, judge_proposal
from .commands import (
    AdviseOnTrigger,
    Command,
    JudgeProposal,
    RollBackPolicy,
    SettleCandidate,
    ShadowCandidate,
    make_command,
)
from .events import (
    AppliedChange,
    CandidateRetired,
    PolicyPromoted,
    PolicyRolledBack,
    ProposalAccepted,
    ProposalEscalated,
    ProposalRejected,
)
from .loop_policy import LoopPolicy, loop_policy_sha256, request_params, with_values
from .promotion import promotion_test
from .state import Proposal, State

__all__ = [
    "rollback_command",
    "policy_command",
    "proposal_id_for",
    "proposal_request_id",
    "rules_proposal",
    "RETRAIN_PARAMETERS",
]

#: The loop policy's parameters a retrain Chapter 13 requests carries as request parameters.
RETRAIN_PARAMETERS = ("tolerated_errors", "pool_size", "model_trials")

# The rules' own proposal per advised trigger, when the LLM gives none: after a regime change
# the trigger's search is the work (hold); a drifting hit rate asks for exploration.
_RULES = {
    "regime_change": ("regime_change", "hold",
                      "an identified hypothesis missed: the trigger's own search is the work"),
    "drift": ("calibration_drift", "explore",
              "the hit rate drifted below the floor: explore policies with selfplay"),
}


def proposal_id_for(trigger_id: str) -> str:
    """The id of the proposal made after trigger ``trigger_id``."""
    return f"proposal-{trigger_id}"


def proposal_request_id(proposal_id: str) -> str:
    """The id of the request an accepted proposal makes."""
    return "rq-" + hashlib.sha256(f"chapter13/{proposal_id}".encode()).hexdigest()[:20]


def rules_proposal(trigger_id: str, trigger: str) -> dict[str, Any]:
    """The rules' proposal for a trigger (``ProposalMade`` data without ``llm_unavailable``)."""
    failure, action, why = _RULES.get(trigger, ("none", "hold", f"trigger {trigger}"))
    return {"proposal_id": proposal_id_for(trigger_id), "trigger_id": trigger_id,
            "source": "rules", "failure_mode": failure, "recommended_action": action,
            "risk_level": "low", "retrain_scope": "none", "confidence": 1.0,
            "reasoning": f"rules alone: {why}", "parameter_proposals": []}


def rollback_command(state: State) -> Command | None:
    """A ``policy_rollback`` request waiting to be applied: decided before anything else,
    even while halted (the baseline is always safe to restore)."""
    if not state.loop.rollback_requests:
        return None
    request_id = state.loop.rollback_requests[0]
    spec = state.requests[request_id].spec
    rollback = PolicyRolledBack(reason=getattr(spec, "reason", "") or "rolled back by request",
                                request_id=request_id)
    return make_command(RollBackPolicy, f"policy/rollback/{request_id}", rollback=rollback)


def policy_command(state: State) -> Command | None:
    """The next command of Chapter 13's policy side (after :func:`rollback_command`), or
    ``None``."""
    loop = state.loop
    assert state.policies is not None
    for approval_id, proposal_id in loop.approvals.items():
        return _approve(state, approval_id, loop.proposals[proposal_id])
    for proposal in loop.proposals.values():
        if proposal.status == "made":
            return _judge(state, proposal)
    for candidate in loop.candidates.values():
        if candidate.status != "pending" or candidate.draws == 0:
            continue
        test = promotion_test(candidate.wins, candidate.losses, candidate.draws,
                              loop.policy.acceptance_margin)
        if test.decision == "promote":
            outcome: PolicyPromoted | CandidateRetired = PolicyPromoted(
                candidate_id=candidate.candidate_id, previous=loop.policy_id,
                wins=candidate.wins, losses=candidate.losses, shadow_draws=candidate.draws,
                evidence=test.describe())
        elif test.decision == "retire":
            outcome = CandidateRetired(candidate_id=candidate.candidate_id,
                                       reason=test.describe())
        else:
            continue
        return make_command(SettleCandidate, f"policy/settle/{candidate.candidate_id}",
                            outcome=outcome)
    if state.run is not None or state.queue:
        return None
    for trigger_id, (trigger, evidence) in loop.awaiting_advice.items():
        return make_command(
            AdviseOnTrigger, f"chapter13/advise/{trigger_id}", trigger_id=trigger_id,
            trigger=trigger, proposal_id=proposal_id_for(trigger_id), evidence=evidence,
            policy=loop.policy.model_dump(mode="json"),
            fallback=rules_proposal(trigger_id, trigger),
            timeout_s=state.policies.timeouts.llm_evaluate_s)
    for candidate in loop.candidates.values():
        if candidate.status == "pending" and candidate.shadowed_to < state.draws:
            return make_command(
                ShadowCandidate, f"policy/shadow/{candidate.candidate_id}/{candidate.shadowed_to}",
                candidate_id=candidate.candidate_id,
                candidate_policy=candidate.policy.model_dump(mode="json"),
                active_policy=loop.policy.model_dump(mode="json"),
                active_policy_sha256=loop_policy_sha256(loop.policy),
                first_index=candidate.shadowed_to, stop_index=state.draws,
                candidate_resume=candidate.candidate_resume,
                active_resume=candidate.active_resume, alpha=state.policies.alpha,
                timeout_s=state.policies.timeouts.selfplay_s)
    return None


def _judgement(state: State, proposal: Proposal) -> Judgement:
    loop = state.loop
    return judge_proposal(
        confidence=proposal.confidence, risk_level=proposal.risk_level,
        recommended_action=proposal.recommended_action, values=proposal.values,
        policy=loop.policy, changed_at_run=loop.changed_at_run, runs=state.runs_started)


def _approve(state: State, approval_id: str, proposal: Proposal) -> Command:
    """A person's answer to an escalated proposal: a rejection, or the rules' judgement again
    with the escalation lifted (a proposal the rules now reject stays rejected)."""
    scope = f"chapter13/approve/{approval_id}"
    common: dict[str, Any] = {"proposal_id": proposal.proposal_id}
    judgement = _judgement(state, proposal)
    if getattr(state.requests[approval_id].spec, "action", "accept") == "reject":
        reasons: tuple[str, ...] = (f"rejected by a person (request {approval_id})",)
    elif judgement.outcome == "rejected":
        reasons = judgement.reasons
    else:
        return _accept(state, proposal, judgement, scope, approval_id)
    return make_command(JudgeProposal, scope, **common, verdict=ProposalRejected(
        proposal_id=proposal.proposal_id, reasons=reasons, approval_id=approval_id))


def _judge(state: State, proposal: Proposal) -> Command:
    judgement = _judgement(state, proposal)
    scope = f"chapter13/judge/{proposal.proposal_id}"
    common: dict[str, Any] = {"proposal_id": proposal.proposal_id}
    if judgement.outcome == "rejected":
        return make_command(JudgeProposal, scope, **common, verdict=ProposalRejected(
            proposal_id=proposal.proposal_id, reasons=judgement.reasons,
            clamped=judgement.clamped))
    if judgement.outcome == "escalated":
        return make_command(JudgeProposal, scope, **common, verdict=ProposalEscalated(
            proposal_id=proposal.proposal_id, reasons=judgement.reasons,
            clamped=judgement.clamped))
    return _accept(state, proposal, judgement, scope, None)


def _accept(state: State, proposal: Proposal, judgement: Judgement, scope: str,
            approval_id: str | None) -> Command:
    loop = state.loop
    common: dict[str, Any] = {"proposal_id": proposal.proposal_id}
    reasons = judgement.reasons
    if approval_id is not None:
        reasons = (f"approved by a person (request {approval_id})", *reasons)
    after = with_values(loop.policy, {c.name: c.new for c in judgement.changes})
    request = _request_for(state, proposal, after)
    verdict = ProposalAccepted(
        proposal_id=proposal.proposal_id,
        changes=tuple(AppliedChange(name=c.name, old=c.old, new=c.new, proposed=c.proposed)
                      for c in judgement.changes),
        reasons=reasons, clamped=judgement.clamped,
        request_name=proposal.proposal_id if request is not None else None, request=request,
        rollback=proposal.recommended_action == "rollback", approval_id=approval_id)
    rollback = None
    if verdict.rollback:
        rollback = PolicyRolledBack(reason=f"accepted proposal {proposal.proposal_id}",
                                    proposal_id=proposal.proposal_id)
    return make_command(
        JudgeProposal, scope, **common, verdict=verdict, rollback=rollback,
        new_request_id=proposal_request_id(proposal.proposal_id) if request else None)


def _request_for(state: State, proposal: Proposal, policy: LoopPolicy) -> dict[str, Any] | None:
    """The request an accepted proposal's action makes (``None``: no work)."""
    note = f"Chapter 13 proposal {proposal.proposal_id}"
    if proposal.recommended_action == "retrain":
        scope = proposal.retrain_scope if proposal.retrain_scope != "none" else "steps_3_5_6"
        return {"kind": "learning_loop", "scope": scope, "note": note,
                "params": request_params(policy, RETRAIN_PARAMETERS)}
    if proposal.recommended_action == "explore":
        last = state.loop.last_exploration_ts
        now = state.last_ts
        if last is not None and now is not None and policy.cooldown_hours > 0:
            if parse_ts(now) < parse_ts(last) + timedelta(hours=policy.cooldown_hours):
                return None  # explored recently: the cooldown holds
        return {"kind": "selfplay_retrain", "episodes": policy.exploration_budget_episodes,
                "note": note}
    return None
