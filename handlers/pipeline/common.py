"""What every pipeline step shares: its inputs from the ledger, the time split, the run's
seed, artifacts and the events it returns.

A step handler is ``run(command, ctx) -> [NewEvent]``. It reads only the ledger (the draws
recorded before its run started, and the artifacts earlier steps named in their
``StepCompleted``: of this run, else of the latest earlier run that completed that step, and
the metrics say which), writes its outputs as content-addressed artifacts and returns one
``StepCompleted`` whose metrics are flat scalars. Whatever it draws at random comes from
:attr:`StepInput.seed`, a digest of the run id, the step and (from the second on) the attempt
(recorded as the metric ``seed``), so a re-run of the same command gives the same events and a
retry does not repeat its predecessor's draws.

A ``since`` parameter restricts the run to the draws from that position on (a search of the
draws since a reseed); :attr:`DrawHistory.start` keeps the positions absolute.

The time split (positions, oldest first): the *training* segment, then the *held-out*
segment whose hits label the survivors, then the newest draws kept for the final *test*.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping

import orjson

from ledger import ArtifactRef, ArtifactStore, NewEvent, canonical, read_ledger

from handlers.history import DrawHistory, RunInputs, run_inputs
from machine.events import Gate, StepCompleted
from machine.registry import HandlerContext
from machine.steps import Step, step_for

__all__ = [
    "Split",
    "StepInput",
    "StepFailure",
    "time_split",
    "step_input",
    "completed",
    "run_step",
    "json_bytes",
    "param",
    "window_starts",
    "window_offsets",
]

#: Shares of the history kept for the held-out labels and for the final test (of the draws
#: after the training segment); request parameters ``holdout_fraction`` and ``test_fraction``.
HOLDOUT_FRACTION = 0.2
TEST_FRACTION = 0.1
#: Fewest draws each segment keeps when the history allows it.
MIN_SEGMENT = 1


class StepFailure(RuntimeError):
    """The step cannot run at all (recorded as ``StepFailed`` by the runner)."""


@dataclass(frozen=True)
class Split:
    """Positions ``[0, train)`` train, ``[train, holdout)`` held-out, ``[holdout, n)`` test."""

    n: int
    train: int
    holdout: int

    @property
    def train_range(self) -> range:
        return range(0, self.train)

    @property
    def holdout_range(self) -> range:
        return range(self.train, self.holdout)

    @property
    def test_range(self) -> range:
        return range(self.holdout, self.n)

    def as_metrics(self) -> dict[str, int]:
        return {"draws": self.n, "train_draws": self.train,
                "holdout_draws": self.holdout - self.train, "test_draws": self.n - self.holdout}


def time_split(n: int, holdout_fraction: float = HOLDOUT_FRACTION,
               test_fraction: float = TEST_FRACTION) -> Split:
    """The three segments of ``n`` draws by time (tiny histories: training first)."""
    if not (0 <= holdout_fraction < 1 and 0 <= test_fraction < 1
            and holdout_fraction + test_fraction < 1):
        raise StepFailure("holdout_fraction and test_fraction must be in [0, 1) and sum below 1")
    # a fraction of 0 asks for no segment at all (Chapter 13's short searches since a reseed)
    least_test = MIN_SEGMENT if test_fraction > 0 else 0
    least_holdout = MIN_SEGMENT if holdout_fraction > 0 else 0
    test = min(max(least_test, math.floor(n * test_fraction)), max(n - 2, 0)) if n else 0
    holdout = min(max(least_holdout, math.floor(n * holdout_fraction)), max(n - test - 1, 0))
    return Split(n=n, train=n - test - holdout, holdout=n - test)


def window_starts(window: int, windows: int) -> list[int]:
    """Where the sieve's windows begin: back to back from the first draw (errors are
    scattered, and a window further on needs a wider offset range, so no further than that)."""
    return [i * window for i in range(windows)]


def window_offsets(start: int, offsets: int, skip_low: int, skip_high: int) -> tuple[int, int]:
    """Offsets (raw outputs after seeding) to search for a window beginning at draw ``start``:
    the plan's ``offsets`` past the ``start`` draws before it, each one output plus its skip,
    with a sixteenth more for reductions that now and then reject an output and draw again."""
    first = start * (1 + skip_low)
    return first, start * (1 + skip_high) + start // 16 + offsets


def param(params: Mapping[str, Any], adjustments: Mapping[str, float], name: str,
          default: float, low: float, high: float) -> float:
    """A numeric parameter: the request's value (else ``default``) times a retry verdict's
    adjustment factor, clamped to ``[low, high]``."""
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StepFailure(f"parameter {name!r} must be a number, got {value!r}")
    value = float(value) * float(adjustments.get(name, 1.0))
    return min(max(value, low), high)


def json_bytes(value: Any) -> bytes:
    """Canonical JSON (sorted keys): the same content always has the same SHA256."""
    return canonical(value)


@dataclass
class StepInput:
    """One step's view of its run."""

    command: Any
    ctx: HandlerContext
    step: Step
    inputs: RunInputs
    split: Split
    seed: int
    store: ArtifactStore
    home: Path

    @property
    def history(self) -> DrawHistory:
        return self.inputs.history

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.command.params)

    @property
    def adjustments(self) -> dict[str, float]:
        return dict(self.command.adjustments)

    def number(self, name: str, default: float, low: float, high: float) -> float:
        return param(self.params, self.adjustments, name, default, low, high)

    def text(self, name: str, default: str) -> str:
        value = self.params.get(name, default)
        return str(value)

    def put(self, name: str, data: bytes) -> ArtifactRef:
        return self.store.put_bytes(name, data)

    def put_json(self, name: str, value: Any) -> ArtifactRef:
        return self.put(name, json_bytes(value))

    def earlier(self, step: int, name: str) -> tuple[ArtifactRef | None, str | None]:
        """Artifact ``name`` of step ``step``: this run's, else the latest earlier run's.
        Returns the reference and the run it came from (``None`` when there is none)."""
        ref = self.inputs.artifact(step, name)
        if ref is not None:
            return ref, self.command.run_id
        assert self.ctx.ledger_path is not None
        found: tuple[ArtifactRef | None, str | None] = (None, None)
        for record in read_ledger(self.ctx.ledger_path):
            if record.type == "DispatchStarted" and record.run_id == self.command.run_id:
                break
            if record.type == "StepCompleted" and record.data.get("step") == step:
                match = next((r for r in record.artifacts if r.name == name), None)
                if match is not None:
                    found = (match, record.run_id)
        return found

    def read_json(self, ref: ArtifactRef) -> Any:
        return orjson.loads(self.store.read_bytes(ref))

    def read_bytes(self, ref: ArtifactRef) -> bytes:
        return self.store.read_bytes(ref)


def _seed(run_id: str, step: int, attempt: int) -> int:
    # a retry explores afresh (the same seed would give the same outcome again); the first
    # attempt keeps the seed that recorded runs were made with
    tail = "" if attempt <= 1 else f"/attempt/{attempt}"
    digest = hashlib.sha256(f"{run_id}/step/{step}{tail}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def step_input(command: Any, ctx: HandlerContext) -> StepInput:
    """Everything a step reads, from the ledger at ``ctx.ledger_path``."""
    if ctx.ledger_path is None or ctx.home is None or ctx.artifacts is None:
        raise StepFailure("pipeline steps need a home folder (ledger and artifact store)")
    inputs = run_inputs(ctx.ledger_path, command.run_id)
    params = dict(command.params)
    adjustments = dict(command.adjustments)
    since = params.get("since", 0)
    if isinstance(since, bool) or not isinstance(since, int) or not 0 <= since <= len(inputs.history):
        raise StepFailure(f"parameter 'since' must be a position 0..{len(inputs.history)}, "
                          f"got {since!r}")
    if since:
        inputs = replace(inputs, history=inputs.history.from_position(since))
    split = time_split(
        len(inputs.history),
        param(params, adjustments, "holdout_fraction", HOLDOUT_FRACTION, 0.0, 0.5),
        param(params, adjustments, "test_fraction", TEST_FRACTION, 0.0, 0.4),
    )
    return StepInput(command=command, ctx=ctx, step=step_for(command.kind), inputs=inputs,
                     split=split, seed=_seed(command.run_id, command.step, command.attempt),
                     store=ctx.artifacts,
                     home=ctx.home)


def completed(step: StepInput, metrics: Mapping[str, Any], *, gates: tuple[Gate, ...] = (),
              summary: str, artifacts: tuple[ArtifactRef, ...] = ()) -> NewEvent:
    """The step's ``StepCompleted`` (split and seed always among its metrics)."""
    flat: dict[str, Any] = {**step.split.as_metrics(), "seed": step.seed}
    for key, value in metrics.items():
        if isinstance(value, float) and not math.isfinite(value):
            value = None  # JSON has no infinities; "not computable" is None
        flat[key] = value
    event = StepCompleted(step=step.command.step, attempt=step.command.attempt, metrics=flat,
                          gates=gates, summary=summary[:4000])
    return step.ctx.event(event, artifacts=artifacts)


def run_step(body: Callable[[StepInput], list[NewEvent]]) -> Callable[[Any, HandlerContext], list[NewEvent]]:
    """Wrap a step's body as a handler: inputs read, outputs returned."""

    def handle(command: Any, ctx: HandlerContext) -> list[NewEvent]:
        return body(step_input(command, ctx))

    handle.__doc__ = body.__doc__
    handle.__name__ = body.__name__
    return handle
