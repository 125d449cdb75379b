"""The pipeline steps and units are defined once (machine/steps.py); everything else reads them."""

from __future__ import annotations

import ast
import re
import tokenize
import tomllib
import typing
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest

import machine.steps as steps
from grammars.models import Chapter13Proposal
from machine.cli import main
from machine.commands import BUILTIN_KINDS, EXTERNAL_KINDS, RunStep, kinds_of
from machine.decide import GPU_HEAVY_STEPS, plan_for
from machine.events import Escalated, UnitPlan, VerdictRecorded
from machine.policies import DEFAULT_THRESHOLDS, Policies
from machine.requests import LearningLoopRequest, PipelineRerunRequest, SelfplayRequest, scope_steps
from machine.statechart import mermaid
from machine.steps import (
    SCOPES,
    SELFPLAY,
    STEP_KINDS,
    STEP_UNITS,
    STEPS,
    UNIT_NAMES,
    UNITS,
    step_for,
    unit_label,
    unit_needs_gpu,
)

REPO = Path(__file__).resolve().parents[2]


def test_the_table_is_the_pipeline_in_order() -> None:
    assert [s.number for s in STEPS] == [1, 2, 3, 4, 5, 6]
    assert [s.name for s in STEPS] == [
        "window_optimizer", "sieve", "scoring", "model_plan", "training", "prediction",
    ]
    assert all(s.name.isidentifier() and s.name == s.name.lower() for s in STEPS)
    assert STEP_UNITS == ("1", "2", "3", "4", "5", "6")
    assert STEP_KINDS == tuple(f"step.{n}" for n in range(1, 7))
    assert UNITS == (*STEP_UNITS, "selfplay") and UNIT_NAMES == ("screen", *UNITS)


def test_lookup_by_number_name_or_kind() -> None:
    for step in STEPS:
        assert step_for(step.number) is step_for(step.unit) is step_for(step.name) is step
        assert step_for(step.kind) is step and step_for(f" {step.name.upper()} ") is step
        assert unit_label(step.unit) == f"{step.number} {step.name}" == step.label
    assert unit_label("selfplay") == "selfplay" and unit_label("screen") == "screen"
    assert unit_label("scoring") == "scoring"  # a name is not a unit value
    with pytest.raises(KeyError, match="3 scoring"):
        step_for(7)


def test_the_literal_types_are_checked_against_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    steps._check()
    monkeypatch.setattr(steps, "STEP_KINDS", STEP_KINDS[:-1])
    with pytest.raises(AssertionError, match="disagrees"):
        steps._check()
    monkeypatch.setattr(steps, "STEP_KINDS", STEP_KINDS)
    monkeypatch.setattr(steps, "STEPS", (STEPS[1], STEPS[0], *STEPS[2:]))
    with pytest.raises(AssertionError, match="numbered"):
        steps._check()


def _literal_values(annotation: Any) -> tuple[Any, ...]:
    assert typing.get_origin(annotation) is typing.Literal, annotation
    return get_args(annotation)


def test_events_commands_and_policies_take_their_units_from_the_table() -> None:
    assert _literal_values(UnitPlan.model_fields["unit"].annotation) == UNITS
    assert _literal_values(VerdictRecorded.model_fields["unit"].annotation) == UNIT_NAMES
    assert _literal_values(Escalated.model_fields["unit"].annotation) == UNIT_NAMES
    assert kinds_of(RunStep) == STEP_KINDS and set(STEP_KINDS) <= EXTERNAL_KINDS
    key_type = get_args(get_type_hints(Policies)["thresholds"])[0]
    assert _literal_values(key_type) == UNITS
    assert set(DEFAULT_THRESHOLDS) <= set(UNITS)


def test_plans_are_built_from_the_table() -> None:
    policies = Policies()
    plan = plan_for(PipelineRerunRequest(kind="pipeline_rerun"), policies, "run-x")
    assert [(u.unit, u.handler, u.gpu_heavy) for u in plan.units] == [
        (s.unit, s.kind, s.gpu_heavy) for s in STEPS
    ]
    assert GPU_HEAVY_STEPS == {s.number for s in STEPS if s.gpu_heavy}
    for scope, numbers in SCOPES.items():
        request = LearningLoopRequest(kind="learning_loop", scope=scope)
        assert scope_steps(request) == numbers
        assert [u.unit for u in plan_for(request, policies, "run-x").units] == [
            step_for(n).unit for n in numbers
        ]
    selfplay = plan_for(SelfplayRequest(kind="selfplay_retrain"), policies, "run-x")
    assert [(u.unit, u.gpu_heavy) for u in selfplay.units] == [
        (SELFPLAY, unit_needs_gpu(SELFPLAY))
    ]
    assert [unit_needs_gpu(u.unit) for u in plan.units] == [s.gpu_heavy for s in STEPS]


def test_the_diagram_names_every_unit() -> None:
    lines = mermaid().splitlines()
    start = lines.index("    note right of running")
    end = lines.index("    end note", start)
    note = [line.strip() for line in lines[start + 1 : end]]
    assert [line.split(":")[0] for line in note] == [s.label for s in STEPS] + [SELFPLAY]
    for unit, line in zip(UNITS, note):
        assert line.endswith("(GPU)") == unit_needs_gpu(unit)


def test_cli_shows_names_and_accepts_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "home")
    assert main(["init", "--home", home]) == 0
    capsys.readouterr()
    assert main(["dispatch", "learning-loop", "scoring,6", "--dry-run", "--home", home]) == 0
    out = capsys.readouterr().out
    assert "units: 3 scoring (GPU: LLM stopped first), 6 prediction" in out
    assert main(["dispatch", "learning-loop", "scoring,bogus", "--home", home]) == 2
    assert "6 prediction" in capsys.readouterr().err
    assert main(["machine"]) == 0
    assert "  5 training: anti-overfit training (GPU)" in capsys.readouterr().out


#: Files that may spell unit values and command kinds: their definitions.
_DEFINITION = REPO / "machine" / "steps.py"
_COMMANDS = REPO / "machine" / "commands.py"
#: Every command kind, and the way plans write one followed by its unit ("step.start 3").
_KIND = re.compile("|".join(re.escape(k) for k in sorted(BUILTIN_KINDS | EXTERNAL_KINDS))
                   + r"(?: \S+)?")


def _unit_spellings(path: Path, root: Path = REPO, kinds: bool = False) -> list[str]:
    """String literals that are a step's unit value or command kind ("3", "step.3"); with
    ``kinds``, those that are any command kind instead ("llm.start", "step.start 3")."""
    found = []
    with path.open("rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            if token.type != tokenize.STRING:
                continue
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):
                continue
            if kinds:
                spelled = isinstance(value, str) and _KIND.fullmatch(value) is not None
            else:
                spelled = value in STEP_UNITS or value in STEP_KINDS
            if spelled:
                found.append(f"{path.relative_to(root)}:{token.start[0]} {token.string}")
    return found


def test_no_other_module_spells_a_step_unit_or_kind() -> None:
    modules = [
        p
        for folder in ("machine", "contexts", "projections")
        for p in sorted((REPO / folder).rglob("*.py"))
        if p != _DEFINITION
    ]
    assert len(modules) > 20
    assert [hit for path in modules for hit in _unit_spellings(path)] == []


def test_no_other_module_spells_a_command_kind() -> None:
    modules = [
        p
        for folder in ("machine", "contexts", "projections", "handlers")
        for p in sorted((REPO / folder).rglob("*.py"))
        if p not in (_DEFINITION, _COMMANDS)
    ]
    assert [hit for path in modules for hit in _unit_spellings(path, kinds=True)] == []


def test_the_spelling_scan_finds_a_spelled_unit(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('unit = "3"\nkind = "step.5"\nother = "37"\nx = f"llm.evaluate {u}"\n'
                     'y = "llm.start"\nz = "verdict.guardrail screen"\nw = "llm.started"\n')
    assert _unit_spellings(probe, tmp_path) == ['probe.py:1 "3"', 'probe.py:2 "step.5"']
    assert _unit_spellings(probe, tmp_path, kinds=True) == [
        'probe.py:2 "step.5"', 'probe.py:5 "llm.start"', 'probe.py:6 "verdict.guardrail screen"',
    ]


def test_each_step_handler_is_named_after_its_step() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    handlers = project["entry-points"]["prng_watcher.handlers"]
    assert {kind: handlers.get(kind) for kind in STEP_KINDS} == {
        s.kind: f"handlers.pipeline.{s.name}:run" for s in STEPS
    }


def test_the_chapter13_grammar_proposes_the_machines_scopes() -> None:
    # grammars/ imports nothing of the machine, so its model spells the scopes; this keeps
    # the two spellings equal.
    scopes = _literal_values(Chapter13Proposal.model_fields["retrain_scope"].annotation)
    assert set(scopes) - {"none"} == set(SCOPES)
