"""Chapter 13's acceptance rules and the promotion test, as properties over any proposal."""

from __future__ import annotations

from typing import get_args

from hypothesis import given, settings
from hypothesis import strategies as st

from grammars.models import Chapter13ParamName, Chapter13Proposal
from machine.events import (
    DrawIngested,
    PoliciesSet,
    ProposalMade,
    ProposedValue,
    TriggerFired,
    new_event,
)
from machine.fold import evolve
from machine.policies import Policies, policies_sha256
from machine.policy_decide import policy_command
from machine.registry import builtin_events
from machine.state import State
from machine.acceptance import AcceptanceRules, DEFAULT_RULES, judge_proposal
from machine.loop_policy import ADVISOR_PARAMETERS, BASELINE, LOOP_PARAMETERS, with_values
from machine.promotion import MAX_SHADOW_DRAWS, promotion_test

NAMES = sorted(LOOP_PARAMETERS)
values = st.lists(
    st.tuples(st.sampled_from(NAMES), st.floats(min_value=0, max_value=2000, allow_nan=False)),
    max_size=5,
)
rules_strategy = st.builds(
    AcceptanceRules,
    confidence_floor=st.floats(0, 1),
    max_parameters=st.integers(0, 3),
    frozen=st.frozensets(st.sampled_from(ADVISOR_PARAMETERS)),
    max_relative_change=st.floats(0.01, 2),
    reversal_runs=st.integers(0, 5),
)


def judge(vals, rules=DEFAULT_RULES, confidence=0.9, risk="low", action="retrain",
          changed=None, runs=10, policy=BASELINE):
    return judge_proposal(confidence=confidence, risk_level=risk, recommended_action=action,
                          values=vals, policy=policy, changed_at_run=changed or {}, runs=runs,
                          rules=rules)


def test_the_advisor_parameters_are_the_grammars() -> None:
    assert set(ADVISOR_PARAMETERS) == set(get_args(Chapter13ParamName))


def test_a_proposal_records_exactly_the_grammars_choices() -> None:
    grammar = Chapter13Proposal.model_fields
    recorded = ProposalMade.model_fields
    for name in ("failure_mode", "recommended_action", "risk_level", "retrain_scope"):
        assert get_args(recorded[name].annotation) == get_args(grammar[name].annotation), name
    assert set(grammar) <= set(recorded)


@settings(max_examples=300, deadline=None)
@given(vals=values, rules=rules_strategy, confidence=st.floats(0, 1),
       risk=st.sampled_from(["low", "medium", "high"]),
       action=st.sampled_from(["hold", "retrain", "explore", "rollback", "escalate"]),
       changed=st.dictionaries(st.sampled_from(NAMES), st.integers(0, 10)))
def test_an_accepted_or_escalated_proposal_keeps_every_rule(vals, rules, confidence, risk, action,
                                               changed) -> None:
    verdict = judge(vals, rules, confidence, risk, action, changed, runs=10)
    if verdict.outcome == "rejected":
        assert verdict.reasons and not verdict.changes
        return
    if verdict.outcome == "escalated":  # the changes a person's approval would apply
        assert risk in rules.escalate_risks or action == "escalate"
    else:
        assert risk not in rules.escalate_risks and action != "escalate"
    assert confidence >= rules.confidence_floor
    assert len(vals) <= rules.max_parameters <= 3
    assert len(verdict.changes) <= 3
    for change in verdict.changes:
        spec = LOOP_PARAMETERS[change.name]
        assert spec.advisor and change.name not in rules.frozen
        assert spec.low <= change.new <= spec.high
        assert change.new != change.old == BASELINE.model_dump()[change.name]
        base = abs(change.old) if change.old else spec.high - spec.low
        assert abs(change.new - change.old) / base <= rules.max_relative_change + 1e-9
        assert change.name not in changed or 10 - changed[change.name] >= rules.reversal_runs
    # the changes apply: the policy takes exactly the new values
    updated = with_values(BASELINE, {c.name: c.new for c in verdict.changes})
    for change in verdict.changes:
        assert updated.model_dump()[change.name] == change.new


def test_each_rule_rejects_or_escalates_on_its_own() -> None:
    ok = [("drift_window_draws", 24.0)]
    assert judge(ok).outcome == "accepted"
    assert judge(ok).changes[0].new == 24
    assert judge(ok, confidence=0.5).outcome == "rejected"
    four = [("drift_window_draws", 22.0), ("min_new_draws", 2.0), ("cooldown_hours", 0.0),
            ("retrain_hit_rate_floor", 0.55)]
    assert judge(four).outcome == "rejected"
    assert "at most 3" in judge(four).reasons[0]
    frozen = judge([("acceptance_margin", 0.21)])
    assert frozen.outcome == "rejected" and "frozen" in frozen.reasons[0]
    assert judge([("drift_window_draws", 40.0)]).outcome == "rejected"  # +100 %
    assert judge([("sentinel_budget_s", 22.0)]).outcome == "rejected"  # selfplay's only
    recent = judge(ok, changed={"drift_window_draws": 9}, runs=10)
    assert recent.outcome == "rejected" and "run(s) ago" in recent.reasons[0]
    assert judge(ok, changed={"drift_window_draws": 7}, runs=10).outcome == "accepted"
    assert judge(ok, risk="medium").outcome == "escalated"
    assert judge(ok, risk="high").outcome == "escalated"
    assert judge([], action="escalate").outcome == "escalated"


def test_values_are_clamped_and_rounded_and_a_no_op_is_no_change() -> None:
    verdict = judge([("drift_window_draws", 23.6)])
    assert verdict.changes[0].new == 24 and verdict.clamped
    same = judge([("drift_window_draws", 20.0)])
    assert same.outcome == "accepted" and same.changes == ()
    # from zero, the change is measured against the parameter's range (0..168 hours)
    assert judge([("cooldown_hours", 50.0)]).outcome == "accepted"
    assert judge([("cooldown_hours", 51.0)]).outcome == "rejected"


def test_promotion_needs_wins_and_retires_losers() -> None:
    assert promotion_test(0, 0, 50, 0.2).decision == "continue"
    assert promotion_test(9, 0, 20, 0.2).decision == "promote"
    assert promotion_test(8, 0, 20, 0.2).decision == "continue"
    assert promotion_test(12, 6, 30, 0.2).decision != "promote"
    assert promotion_test(0, 4, 10, 0.2).decision == "retire"
    assert promotion_test(0, 0, MAX_SHADOW_DRAWS, 0.2).decision == "retire"


@given(wins=st.integers(0, 50), losses=st.integers(0, 50), margin=st.floats(0, 0.5))
def test_more_wins_never_hurt(wins, losses, margin) -> None:
    draws = wins + losses + 1
    before = promotion_test(wins, losses, draws, margin)
    after = promotion_test(wins + 1, losses, draws + 1, margin)
    assert after.llr > before.llr
    if before.decision == "promote":
        assert after.decision == "promote"


# --- through the fold: what decide judges is what the policy becomes ---------------------

advisor_values = st.lists(
    st.tuples(st.sampled_from(ADVISOR_PARAMETERS), st.floats(0, 1000, allow_nan=False)),
    max_size=4)
proposals = st.lists(st.tuples(
    advisor_values, st.floats(0, 1), st.sampled_from(["low", "low", "medium"]),
    st.sampled_from(["hold", "retrain", "explore", "rollback"])), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(proposals=proposals)
def test_the_folded_policy_only_moves_as_the_rules_allow(proposals) -> None:
    state = State()
    clock = iter(range(10**6))

    def record(payload, run_id=None):
        event = new_event(payload, id=f"e{next(clock)}", ts=f"2026-11-25T10:00:00.{next(clock):06d}Z",
                          run_id=run_id)
        evolve(state, event)

    policies = Policies()
    record(PoliciesSet(policies=policies, sha256=policies_sha256(policies), source="test"))
    for number, (vals, confidence, risk, action) in enumerate(proposals):
        trigger_id = f"drift-{number}"
        record(DrawIngested(source="test", position=number, values=(1,)))
        record(TriggerFired.model_validate({
            "trigger_id": trigger_id, "trigger": "drift", "position": number + 1, "since": 0,
            "cooldown_draws": 0, "request": {"kind": "learning_loop"}}))
        record(ProposalMade(
            proposal_id=f"proposal-{trigger_id}", trigger_id=trigger_id, source="llm",
            failure_mode="none", recommended_action=action, risk_level=risk,
            retrain_scope="none", confidence=confidence, reasoning="test",
            parameter_proposals=tuple(ProposedValue(name=n, value=v) for n, v in vals)))
        before = state.loop.policy
        command = policy_command(state)
        assert command is not None and command.kind == "chapter13.judge"
        for payload in builtin_events(command):
            record(payload)
        after = state.loop.policy
        moved = {n for n in LOOP_PARAMETERS
                 if getattr(before, n) != getattr(after, n)}
        if action == "rollback" and state.loop.proposals[f"proposal-{trigger_id}"].status == \
                "accepted":
            assert after == BASELINE
            continue
        assert len(moved) <= 3 and "acceptance_margin" not in moved
        assert moved <= {n for n, _ in vals}
        if moved:
            assert confidence >= DEFAULT_RULES.confidence_floor and risk == "low"
        for name in moved:
            old, new = getattr(before, name), getattr(after, name)
            spec = LOOP_PARAMETERS[name]
            base = abs(old) if old else spec.high - spec.low
            assert abs(new - old) / base <= DEFAULT_RULES.max_relative_change + 1e-9
