"""Deterministic guardrails: schema gates, the floor, clamps, and the combination rule."""

from __future__ import annotations

import math
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contexts import SUBJECTS, clamp_factors, clamp_values, guardrail_floor, interpret, schema_gates
from contexts.samples import FAILING_RESULTS, SAMPLE_RESULTS
from grammars import VERDICT_MODELS, get_grammar
from grammars.models import ParamName
from machine.events import DECISION_RANK
from machine.verdicts import clamp_verdict

from tests.grammars.strategies import gbnf_strings

STEPS = [f"step_{n}" for n in range(1, 7)]
RANK = DECISION_RANK


@pytest.mark.parametrize("key", STEPS)
def test_healthy_samples_pass_every_hard_gate(key: str) -> None:
    gates = schema_gates(key, SAMPLE_RESULTS[key])
    assert gates and all(g.passed for g in gates if g.hard)
    assert guardrail_floor(gates)[0] == "proceed"


@pytest.mark.parametrize("key", STEPS)
def test_failing_samples_fail_a_hard_gate_and_never_proceed(key: str) -> None:
    gates = schema_gates(key, FAILING_RESULTS[key])
    assert any(g.hard and not g.passed for g in gates)
    assert guardrail_floor(gates)[0] != "proceed"


def test_missing_required_metrics_and_bad_values_fail_closed() -> None:
    gates = {g.name: g for g in schema_gates("step_2", {"chunks_failed": "zero",
                                                         "survivor_cap_hit": 1})}
    assert not gates["schema:hypotheses_tried"].passed  # required, not reported
    assert not gates["schema:chunks_failed"].passed  # not a number
    assert not gates["schema:survivor_cap_hit"].passed  # not a flag
    nan = schema_gates("step_5", {"test_evaluations": 1, "train_test_gap": math.nan})
    assert not {g.name: g for g in nan}["schema:train_test_gap"].passed


def test_soft_gates_warn_but_proceed() -> None:
    metrics = {**SAMPLE_RESULTS["step_5"], "train_test_gap": 0.07}
    decision, reasons = guardrail_floor(schema_gates("step_5", metrics))
    assert decision == "proceed"
    assert any("schema:train_test_gap:soft" in r for r in reasons)


def test_a_failed_unit_never_proceeds_whatever_its_gates() -> None:
    assert guardrail_floor([], outcome="failed", reason="exit 3")[0] == "retry"


def test_every_adjustable_parameter_is_a_grammar_parameter() -> None:
    names = set(get_args(ParamName))
    for subject in SUBJECTS.values():
        assert {b.name for b in subject.factors} <= names
        for b in subject.factors + subject.values:
            assert b.low <= b.high


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(SUBJECTS)),
       st.lists(st.tuples(st.sampled_from(get_args(ParamName)),
                          st.floats(0, 10, allow_nan=False)), max_size=5))
def test_clamped_factors_stay_in_bounds_and_every_change_is_recorded(key, proposals) -> None:
    subject = SUBJECTS[key]
    out, notes = clamp_factors(subject, proposals)
    bounds = {b.name: b for b in subject.factors}
    for name, value in out.items():
        assert bounds[name].low <= value <= bounds[name].high
    seen: set[str] = set()
    for name, value in proposals:
        if name not in bounds:
            assert any(f"param {name} dropped" in note for note in notes)
        elif name in seen:
            assert any(f"param {name} dropped: proposed twice" in note for note in notes)
        else:
            seen.add(name)
            if out[name] != value:
                assert any(f"param {name} factor {value:g} clamped" in note for note in notes)


def test_chapter13_values_are_clamped_to_their_declared_bounds() -> None:
    out, notes = clamp_values("chapter13", [("cooldown_hours", 900.0), ("acceptance_margin", 0.1),
                                            ("cooldown_hours", 1.0)])
    assert out == {"cooldown_hours": 168, "acceptance_margin": 0.1}
    assert any("clamped to 168" in n for n in notes) and any("twice" in n for n in notes)


VERDICT_SUBJECTS = {
    "step_verdict": "step_2", "request_validation": "request", "selfplay_evaluation": "selfplay",
    "chapter13_proposal": "chapter13", "sieve_analysis": "sieve_analysis",
    "strategy_advisor": "strategy",
}


@pytest.mark.parametrize("grammar", sorted(VERDICT_MODELS))
def test_interpretation_is_never_looser_than_the_floor(grammar: str) -> None:
    """Any answer the grammar admits, under any floor: the decision is at least the floor,
    adjustments are within bounds, and the machine's clamp agrees (one rule, in machine/)."""
    spec = get_grammar(grammar)
    subject = SUBJECTS[VERDICT_SUBJECTS[grammar]]

    @settings(max_examples=60, deadline=None)
    @given(gbnf_strings(spec.tree), st.sampled_from(["proceed", "retry", "escalate"]),
           st.booleans())
    def check(text: str, floor: str, retry_ok: bool) -> None:
        verdict = spec.model.model_validate_json(text)
        meaning = interpret(subject, verdict, floor=floor)
        bounds = {b.name: b for b in subject.factors + subject.values}
        for name, value in meaning.adjustments.items():
            assert bounds[name].low <= value <= bounds[name].high
        if meaning.decision is None:
            return
        assert RANK[meaning.decision] >= RANK[floor]
        assert meaning.tightened == (meaning.decision != meaning.proposed)
        effective, _ = clamp_verdict(meaning.decision, floor=floor, retry_allowed=retry_ok,
                                     subject="step")
        assert RANK[effective] >= RANK[floor]
        if floor != "proceed":
            assert effective != "proceed"

    check()
