"""Replay a recorded ledger: verify it, fold it, and re-decide every recorded command.

Temporal's replay test, for the WATCHER: the events a command caused carry its id as
``causation_id``; at the first event of each command, the state folded from everything before
it is handed to today's ``decide`` and the id it returns (which digests every field of the
command) must equal the recorded one (events of no command, requests taken in while a handler
ran, may come between a command's first event and its last). A difference, or an event the fold cannot explain, is a
*divergence* (exit 1). A changed byte, a missing or reordered line, a torn tail or a missing or
corrupt artifact is *damage* (exit 2): nothing is folded past it. So is a ledger that ends
before the head its witness (``ledger.jsonl.head``) names, or that does not hold the head given
as ``expect_head`` (a hash kept elsewhere: cutting lines off the end is caught).

An incomplete final batch is not damage: it is a write in progress (replay may run beside the
daemon) or a crash's leftovers, which the next writer cuts off; it is reported as ``pending``
and not replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger import ArtifactRef, ArtifactStore, LedgerError, LedgerTampered, read_ledger

from .decide import decide
from .fold import FoldError, evolve
from .snapshots import Snapshot, SnapshotRefused, read_snapshot, snapshot_path_for
from .state import State

__all__ = ["Divergence", "ReplayReport", "replay", "EXIT_CLEAN", "EXIT_DIVERGED", "EXIT_DAMAGED"]

EXIT_CLEAN = 0
EXIT_DIVERGED = 1
EXIT_DAMAGED = 2


@dataclass(frozen=True)
class Divergence:
    """One point where the recorded history and today's machine disagree."""

    seq: int
    recorded: str | None
    expected: str | None
    detail: str


@dataclass
class ReplayReport:
    """What ``watcher replay`` prints."""

    path: str
    events: int = 0
    runs: int = 0
    plans: int = 0
    requests: int = 0
    decisions_checked: int = 0
    divergences: list[Divergence] = field(default_factory=list)
    damage: str | None = None
    pending: str | None = None
    artifacts_checked: int = 0
    state: State | None = None
    snapshot: str | None = None

    @property
    def exit_code(self) -> int:
        """0 clean, 1 divergence, 2 damaged or tampered."""
        if self.damage is not None:
            return EXIT_DAMAGED
        return EXIT_DIVERGED if self.divergences else EXIT_CLEAN

    @property
    def verdict(self) -> str:
        return {EXIT_CLEAN: "clean", EXIT_DIVERGED: "divergent", EXIT_DAMAGED: "damaged"}[
            self.exit_code
        ]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (``watcher replay --json``)."""
        state = self.state
        return {
            "path": self.path,
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "events": self.events,
            "runs": self.runs,
            "plans": self.plans,
            "requests": self.requests,
            "decisions_checked": self.decisions_checked,
            "divergences": [d.__dict__ for d in self.divergences],
            "damage": self.damage,
            "pending": self.pending,
            "artifacts_checked": self.artifacts_checked,
            "snapshot": self.snapshot,
            "phase": state.phase.value if state is not None else None,
            "halted": state.halted if state is not None else None,
        }


def _check_snapshot(snapshot: Snapshot, record_hash: str, state: State,
                    report: ReplayReport) -> str:
    """Compare the fold snapshot with the full fold at its seq; a difference is a divergence
    (the daemon would start from a state the ledger does not give)."""
    where = f"snapshot at seq {snapshot.seq}"
    if snapshot.hash != record_hash:
        return f"{where}: for another ledger (record hash differs; ignored by the daemon)"
    if snapshot.state != state:
        report.divergences.append(Divergence(
            seq=snapshot.seq, recorded="snapshot", expected=None,
            detail=f"the fold snapshot at seq {snapshot.seq} differs from the full fold: delete "
                   "it (the daemon writes a new one)",
        ))
        return f"{where}: DIFFERS from the full fold"
    return f"{where}: equal to the full fold"


def _ledger_path(path: Path) -> tuple[Path, Path | None]:
    """Accept a ledger file or a home folder; find the artifact store beside the ledger."""
    if path.is_dir():
        path = path / "ledger.jsonl"
    store = path.parent / "artifacts"
    return path, store if store.is_dir() else None


def replay(
    path: str | Path, *, artifacts: str | Path | None = None, expect_head: str | None = None
) -> ReplayReport:
    """Verify, fold and re-decide the ledger at ``path`` (a file or a home folder).

    ``expect_head``: the hash of a record this ledger must hold (a head noted earlier).
    """
    ledger_path, store_path = _ledger_path(Path(path))
    if artifacts is not None:
        store_path = Path(artifacts)
    report = ReplayReport(path=str(ledger_path))
    if not ledger_path.is_file():
        report.damage = f"no ledger at {ledger_path}"
        return report
    state = State()
    report.state = state
    refs: dict[tuple[str, int], ArtifactRef] = {}
    cause: str | None = None
    folding = True
    reader = read_ledger(ledger_path)
    head_seen = expect_head is None
    try:
        snapshot = read_snapshot(ledger_path)
    except SnapshotRefused as refused:
        snapshot = None
        report.snapshot = f"{snapshot_path_for(ledger_path).name}: ignored by the daemon: {refused}"
    try:
        for record in reader:
            report.events += 1
            if not head_seen and record.hash == expect_head:
                head_seen = True
            for ref in record.artifacts:
                refs.setdefault((ref.sha256, ref.bytes), ref)
            if not folding:
                continue
            caused = record.causation_id
            commanded = caused is not None and caused.startswith("cmd:")
            if commanded and caused != cause:
                expected = decide(state)
                report.decisions_checked += 1
                if expected is None or expected.id != caused:
                    report.divergences.append(
                        Divergence(
                            seq=record.seq,
                            recorded=caused,
                            expected=expected.id if expected else None,
                            detail=(
                                f"recorded command {caused} but the machine decides "
                                + (f"{expected.kind} {expected.id}" if expected else "nothing")
                            ),
                        )
                    )
            if commanded:
                # Requests taken in while a handler ran sit between its start and its result:
                # the command was decided before them, and is checked there only.
                cause = caused
            try:
                evolve(state, record)
            except FoldError as error:
                report.divergences.append(
                    Divergence(seq=record.seq, recorded=record.type, expected=None, detail=str(error))
                )
                folding = False  # a state that could not take this event explains nothing after
            if snapshot is not None and record.seq == snapshot.seq and folding:
                report.snapshot = _check_snapshot(snapshot, record.hash, state, report)
    except LedgerTampered as error:
        report.damage = f"tampered: {error}"
    except LedgerError as error:
        report.damage = f"unreadable: {error}"
    if report.damage is None and not head_seen:
        report.damage = (
            f"tampered: the expected head {expect_head} is not in this ledger "
            "(lines were cut from the end, or it was rewritten)"
        )
    if reader.torn_tail is not None:
        tail = reader.torn_tail
        report.pending = (
            f"incomplete final batch in progress or left by a crash: {tail.length} bytes at "
            f"byte {tail.offset} (seq {tail.at_seq}): {tail.detail}; not replayed (the next "
            "writer cuts it off if it is never completed)"
        )
    if report.damage is None and store_path is not None:
        store = ArtifactStore(store_path)
        report.artifacts_checked = len(refs)
        for ref in refs.values():
            try:
                store.verify(ref)
            except LedgerError as error:
                report.damage = f"artifact {ref.name} ({ref.sha256[:12]}): {error}"
                break
    elif report.damage is None and refs:
        report.damage = f"{len(refs)} artifact(s) referenced but no artifact store beside the ledger"
    if snapshot is not None and report.snapshot is None:
        report.snapshot = (f"snapshot at seq {snapshot.seq}: beyond the ledger's end (ignored "
                           "by the daemon)")
    report.runs = state.runs_started
    report.requests = sum(state.request_counts.values())
    report.plans = state.request_counts.get("planned", 0)
    return report
