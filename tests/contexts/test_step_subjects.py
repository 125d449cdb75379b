"""The step subjects take their names from machine/steps.py and their policy bounds from the
default policies, so that a prompt names the step and states the threshold the gate enforces."""

from __future__ import annotations

from contexts.subjects import SUBJECTS, resolve_subject, subject_for_unit
from machine.policies import DEFAULT_THRESHOLDS
from machine.steps import SELFPLAY, STEPS, step_for


def test_every_step_has_a_subject_named_after_it() -> None:
    step_subjects = [s for s in SUBJECTS.values() if s.machine and s.machine[0] == "step"]
    assert [s.machine for s in step_subjects] == [("step", step.unit) for step in STEPS]
    for step, subject in zip(STEPS, step_subjects):
        assert subject.title.startswith(f"step {step.label} ")
        assert subject.grammar == "step_verdict"
        for key in (step.number, step.unit, step.name, step.kind, f"step_{step.number}"):
            assert resolve_subject(key) is subject
        assert subject_for_unit("step", step.unit) is subject
    assert subject_for_unit("selfplay", SELFPLAY) is SUBJECTS["selfplay"]


def test_schema_states_the_default_policy_bounds() -> None:
    assert DEFAULT_THRESHOLDS, "nothing to compare"
    for unit, bounds in DEFAULT_THRESHOLDS.items():
        subject = subject_for_unit("selfplay" if unit == SELFPLAY else "step", unit)
        for bound in bounds:
            spec = subject.metric(bound.metric)
            assert spec is not None, (unit, bound.metric)
            if bound.hard:
                assert (spec.min, spec.max) == (bound.min, bound.max)
            else:
                assert (spec.warn_min, spec.warn_max) == (bound.min, bound.max)
    assert step_for("training").unit in DEFAULT_THRESHOLDS
