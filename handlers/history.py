"""What handlers read from the ledger: the draw history and the artifacts of a run's steps.

The ledger is the only input of a step: :func:`draw_history` folds every ``DrawIngested``
(version 1 upcast on the way) into the history, and :func:`run_inputs` gives a run's view of
it: the draws recorded before the run started (draws arriving during a run wait for the next
one, so every step of a run sees the same history), the policies then in force, and the
artifacts that the run's completed steps named in their ``StepCompleted``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ledger import ArtifactRef, read_ledger

from machine.events import DrawIngested, DrawIngestedV1, parse_event
from machine.policies import Policies

__all__ = ["DrawHistory", "RunInputs", "draw_history", "run_inputs"]


@dataclass(frozen=True)
class DrawHistory:
    """The observed draws in position order, with their times and sessions (``None`` where the
    source did not say) and the SHA256 of every source already ingested."""

    values: tuple[int, ...] = ()
    timestamps: tuple[str | None, ...] = ()
    sessions: tuple[str | None, ...] = ()
    source_sha256s: frozenset[str] = frozenset()
    #: The position of ``values[0]`` in the whole history (0 unless cut by ``from_position``).
    start: int = 0

    def __len__(self) -> int:
        return len(self.values)

    def from_position(self, position: int) -> "DrawHistory":
        """The draws from ``position`` (of the whole history) on."""
        cut = position - self.start
        if not 0 <= cut <= len(self.values):
            raise ValueError(f"position {position} is outside draws {self.start}.."
                             f"{self.start + len(self.values)}")
        return DrawHistory(self.values[cut:], self.timestamps[cut:], self.sessions[cut:],
                           self.source_sha256s, position)

    @property
    def first_timestamp(self) -> str | None:
        """The time of the earliest timed draw (seed tiers are counted back from it)."""
        return next((ts for ts in self.timestamps if ts is not None), None)


@dataclass(frozen=True)
class RunInputs:
    """A run's inputs: its history and the artifacts of its completed steps by step number."""

    history: DrawHistory
    artifacts: dict[int, tuple[ArtifactRef, ...]] = field(default_factory=dict)
    #: The policies in force when the run started (a step may aim at its own gates).
    policies: Policies = field(default_factory=Policies)

    def artifact(self, step: int, name: str) -> ArtifactRef | None:
        """The artifact ``name`` of step ``step`` of this run (its latest completed attempt)."""
        return next((ref for ref in self.artifacts.get(step, ()) if ref.name == name), None)


class _Builder:
    def __init__(self) -> None:
        self.values: list[int] = []
        self.timestamps: list[str | None] = []
        self.sessions: list[str | None] = []
        self.sources: set[str] = set()

    def add(self, event: Any) -> None:
        if isinstance(event, DrawIngestedV1):
            event = event.upcast(len(self.values))
        if not isinstance(event, DrawIngested):
            return
        count = len(event.values)
        self.values.extend(event.values)
        self.timestamps.extend(event.timestamps or (None,) * count)
        self.sessions.extend(event.sessions or (None,) * count)
        if event.source_sha256:
            self.sources.add(event.source_sha256)

    def build(self) -> DrawHistory:
        return DrawHistory(tuple(self.values), tuple(self.timestamps), tuple(self.sessions),
                           frozenset(self.sources))


def _draw_history(records: Iterable[Any]) -> DrawHistory:
    builder = _Builder()
    for record in records:
        if record.type == "DrawIngested":
            builder.add(parse_event(record.type, record.v, record.data))
    return builder.build()


def draw_history(ledger_path: Path) -> DrawHistory:
    """Every draw the ledger at ``ledger_path`` holds (none when it does not exist yet)."""
    if not ledger_path.exists():
        return DrawHistory()
    return _draw_history(read_ledger(ledger_path))


def run_inputs(ledger_path: Path, run_id: str) -> RunInputs:
    """The draws recorded before run ``run_id`` started, and its steps' artifacts."""
    builder = _Builder()
    started = False
    artifacts: dict[int, tuple[ArtifactRef, ...]] = {}
    policies = Policies()
    for record in read_ledger(ledger_path):
        if record.type == "DispatchStarted" and record.run_id == run_id:
            started = True
        if not started:
            if record.type == "DrawIngested":
                builder.add(parse_event(record.type, record.v, record.data))
            elif record.type == "PoliciesSet":
                policies = Policies.model_validate(record.data["policies"])
            continue
        if record.type == "StepCompleted" and record.run_id == run_id:
            artifacts[int(record.data["step"])] = tuple(record.artifacts)
    if not started:
        raise ValueError(f"run {run_id} has not started in {ledger_path}")
    return RunInputs(builder.build(), artifacts, policies)
