"""The pipeline's six steps and the units a run is made of, defined once.

A run is a sequence of *units*. A pipeline step is a unit whose value is its number as a
string (``"3"``): that is what ledgers store, what policies key their thresholds on and what
command scopes contain, so the number stays the identity and keeps the order. Every place a
person or a prompt reads a step shows its name as well: :func:`unit_label` gives ``"3
scoring"``. ``"selfplay"`` is the other kind of unit; ``"screen"`` is not a unit of the plan but
the request's own evaluation before dispatch, judged like one.

Each step's handler is the command kind ``step.<number>`` (``step.3``), the name under which a
handler is registered. The dispatch scopes ``steps_3_5_6`` and ``full`` are named selections of
steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, Mapping, cast, get_args

__all__ = [
    "Step",
    "STEPS",
    "StepUnit",
    "StepKind",
    "UnitKey",
    "UnitName",
    "ScopeName",
    "SELFPLAY",
    "SCREEN",
    "SELFPLAY_GPU_HEAVY",
    "unit_needs_gpu",
    "STEP_UNITS",
    "STEP_KINDS",
    "UNITS",
    "UNIT_NAMES",
    "SCOPES",
    "step_for",
    "unit_label",
]

#: A pipeline step as a unit value (what ledgers store).
StepUnit = Literal["1", "2", "3", "4", "5", "6"]
#: A pipeline step's command kind: the name its handler is registered under.
StepKind = Literal["step.1", "step.2", "step.3", "step.4", "step.5", "step.6"]
#: A unit of a run's plan.
UnitKey = Literal[StepUnit, "selfplay"]
#: What a verdict or an escalation names: a unit, or ``"screen"`` (the request's screening).
UnitName = Literal["screen", UnitKey]
#: The named selections of steps a learning-loop request may ask for.
ScopeName = Literal["steps_3_5_6", "full"]

SELFPLAY: Final = "selfplay"
SCREEN: Final = "screen"
#: Selfplay trains models on the GPU: the LLM is stopped before it, as before GPU-heavy steps.
SELFPLAY_GPU_HEAVY: Final = True


@dataclass(frozen=True, slots=True)
class Step:
    """One pipeline step: its number (the order), its name, what it does in a few words, and
    whether it needs the GPU's memory (the LLM is stopped before it runs)."""

    number: int
    name: str
    title: str
    gpu_heavy: bool

    @property
    def unit(self) -> StepUnit:
        """The unit value stored in ledgers and policies, e.g. ``"3"``."""
        return cast(StepUnit, str(self.number))

    @property
    def kind(self) -> StepKind:
        """The command kind of its handler, e.g. ``"step.3"``."""
        return cast(StepKind, f"step.{self.number}")

    @property
    def label(self) -> str:
        """How a person reads it: number and name, e.g. ``"3 scoring"``."""
        return f"{self.number} {self.name}"


#: The pipeline, in order.
STEPS: Final[tuple[Step, ...]] = (
    Step(1, "window_optimizer", "window optimizer", gpu_heavy=True),
    Step(2, "sieve", "bidirectional sieve", gpu_heavy=True),
    Step(3, "scoring", "full scoring", gpu_heavy=True),
    Step(4, "model_plan", "ML meta-optimizer", gpu_heavy=False),
    Step(5, "training", "anti-overfit training", gpu_heavy=True),
    Step(6, "prediction", "prediction pool", gpu_heavy=False),
)

STEP_UNITS: Final[tuple[StepUnit, ...]] = tuple(step.unit for step in STEPS)
STEP_KINDS: Final[tuple[StepKind, ...]] = tuple(step.kind for step in STEPS)
#: Every unit a plan may hold, in pipeline order, selfplay last.
UNITS: Final[tuple[UnitKey, ...]] = (*STEP_UNITS, SELFPLAY)
#: Every unit a verdict may name.
UNIT_NAMES: Final[tuple[UnitName, ...]] = (SCREEN, *UNITS)

#: The steps each named scope runs, in pipeline order.
SCOPES: Final[Mapping[ScopeName, tuple[int, ...]]] = {
    "steps_3_5_6": (3, 5, 6),
    "full": tuple(step.number for step in STEPS),
}


def _check() -> None:
    # The Literal types are what mypy and pydantic check against; the table is what code
    # reads. They are written side by side here and must say the same thing.
    if [step.number for step in STEPS] != list(range(1, len(STEPS) + 1)):
        raise AssertionError("steps are numbered 1..n in order")
    if len({step.name for step in STEPS}) != len(STEPS):
        raise AssertionError("step names are unique")
    for literal, values in (
        (StepUnit, STEP_UNITS),
        (StepKind, STEP_KINDS),
        (UnitKey, UNITS),
        (UnitName, UNIT_NAMES),
        (ScopeName, tuple(SCOPES)),
    ):
        if get_args(literal) != values:
            raise AssertionError(f"{literal} disagrees with the step table: {values}")


_check()

_BY_KEY: Mapping[str, Step] = {
    **{step.unit: step for step in STEPS},
    **{step.name: step for step in STEPS},
    **{step.kind: step for step in STEPS},
}


def step_for(key: int | str) -> Step:
    """The step named by its number (``3`` or ``"3"``), name (``"scoring"``) or command kind
    (``"step.3"``); ``KeyError`` with the known steps otherwise."""
    step = _BY_KEY.get(str(key).strip().lower())
    if step is None:
        known = ", ".join(step.label for step in STEPS)
        raise KeyError(f"unknown step {key!r}; the steps are {known}")
    return step


def unit_needs_gpu(unit: str) -> bool:
    """Whether a unit needs the GPU's memory (the LLM is stopped before it runs)."""
    return SELFPLAY_GPU_HEAVY if unit == SELFPLAY else step_for(unit).gpu_heavy


def unit_label(unit: str | int) -> str:
    """How a person reads a unit: ``"3 scoring"`` for a step, the unit itself otherwise."""
    text = str(unit)
    return _BY_KEY[text].label if text in STEP_UNITS else text
