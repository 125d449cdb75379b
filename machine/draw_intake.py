"""Draw intake: files dropped into ``<home>/draws/`` become ``DrawIngested`` events.

The machine does not read draw files itself (that is a handler's job, and ``machine`` imports
no handler): each file becomes an :class:`IngestDraws` command for the handler registered
under :data:`INGEST_KIND`, whose events are checked (only ``DrawIngested``, folding cleanly)
and appended; the file is then moved to ``archive/``. A file the handler refuses (a bad
record, a contradiction with the recorded history) appends nothing and is moved to
``archive/`` under a ``rejected--`` name with the one-line reason beside it, so that it is
not tried again and not lost. ``watcher ingest`` records its events through
:func:`record_draws` too, so both ways in obey the same checks.

Crash safety: the command id derives from the file's name and bytes and event ids from the
command id; a file ingested before a crash but not yet archived is ingested again, finds its
draws already recorded, appends nothing and is archived.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Sequence

from pydantic import BaseModel, ConfigDict

from ledger import NewEvent, Record

from .events import DrawIngested, parse_event
from .registry import ENTRY_POINT_GROUP, HandlerContext

if TYPE_CHECKING:
    from .runner import Runner

__all__ = [
    "INGEST_KIND",
    "IngestDraws",
    "IngestOutcome",
    "ingest_command",
    "record_draws",
    "pending_draw_files",
    "ingest_dropped_draws",
]

#: The handler kind that turns a draw file into events (``handlers.ingest``).
INGEST_KIND = "draws.ingest"


class IngestDraws(BaseModel):
    """Ingest the draw file at ``path`` (named ``source`` in the events): a command the runner
    makes for each dropped file, outside any run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["draws.ingest"] = "draws.ingest"
    id: str
    source: str
    path: str
    sha256: str
    run_id: None = None


class IngestOutcome(BaseModel):
    """What became of one dropped file."""

    model_config = ConfigDict(frozen=True)

    name: str
    status: Literal["ingested", "nothing new", "rejected"]
    draws: int = 0
    position: int | None = None
    reason: str | None = None


def ingest_command(path: Path, raw: bytes | None, source: str | None = None) -> IngestDraws:
    """The command ingesting ``raw`` (the bytes of ``path``; ``None``: read them in chunks):
    its id digests name and bytes."""
    sha = hashlib.sha256(raw).hexdigest() if raw is not None else _sha256(path)
    name = source or path.name
    key = hashlib.sha256(name.encode("utf-8", "surrogateescape") + b"\0" + sha.encode()).hexdigest()
    return IngestDraws(id=f"ingest:{key[:20]}", source=name, path=str(path), sha256=sha)


def record_draws(runner: "Runner", events: Sequence[Any]) -> list[Record]:
    """Append a handler's draw events after checking them: ``DrawIngested`` only, each folding
    cleanly onto the live state (``ValueError`` otherwise, and nothing is appended: the
    runner's append folds a batch before it writes it, and a refused one is not stored)."""
    checked: list[NewEvent] = []
    for event in events:
        if not isinstance(event, NewEvent) or event.type != "DrawIngested":
            raise ValueError(f"an ingest handler may only return DrawIngested, not {event!r:.80}")
        payload = parse_event(event.type, event.v, event.data)
        assert isinstance(payload, DrawIngested)
        if event.run_id is not None:
            raise ValueError("draws are ingested outside any run")
        checked.append(event)
    return runner.append(checked) if checked else []


def pending_draw_files(runner: "Runner") -> list[Path]:
    """Draw files waiting in ``<home>/draws/``: regular files, not links (which could point
    anywhere), not dot-files (writes in progress)."""
    if runner.home is None or not runner.home.draws.is_dir():
        return []
    return sorted(
        p for p in runner.home.draws.iterdir()
        if not p.name.startswith(".") and not p.is_symlink() and p.is_file()
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_dropped_draws(runner: "Runner") -> list[IngestOutcome]:
    """Ingest every file waiting in ``<home>/draws/``, in name order, and archive it.

    Without an installed ingest handler the files wait (and the log says so once per call).
    """
    files = pending_draw_files(runner)
    if not files:
        return []
    assert runner.home is not None
    handler = runner.registry.get(INGEST_KIND)
    if handler is None:
        runner.log(f"{len(files)} draw file(s) wait in {runner.home.draws}: no handler installed "
                   f"for {INGEST_KIND!r} (entry-point group {ENTRY_POINT_GROUP})")
        return []
    outcomes = []
    for path in files:
        try:
            command = ingest_command(path, None)  # the handler refuses an oversized file
        except OSError as error:
            runner.log(f"draw file {path.name}: cannot be read ({error.strerror}); left in place")
            continue
        ctx = HandlerContext(command=command, clock=runner.clock, home=runner.home.root,
                             artifacts=runner.artifacts, ledger_path=runner.home.ledger)
        try:
            records = record_draws(runner, handler(command, ctx))
        except Exception as error:  # a refused file is recorded nowhere but archive/ and the log
            reason = f"{error}".splitlines()[0] if str(error) else type(error).__name__
            outcome = IngestOutcome(name=path.name, status="rejected", reason=reason)
            _archive(runner, path, f"rejected--{command.id.split(':', 1)[1]}", reason)
        else:
            count = sum(len(r.data["values"]) for r in records)
            position = records[0].data["position"] if records else None
            status: Literal["ingested", "nothing new"] = "ingested" if count else "nothing new"
            outcome = IngestOutcome(name=path.name, status=status, draws=count, position=position)
            _archive(runner, path, command.id.split(":", 1)[1], None)
        runner.log(f"draw file {path.name}: {outcome.status}"
                   + (f", {outcome.draws} draw(s) from position {outcome.position}"
                      if outcome.draws else "")
                   + (f": {outcome.reason}" if outcome.reason else ""))
        outcomes.append(outcome)
    return outcomes


def _archive(runner: "Runner", path: Path, prefix: str, reason: str | None) -> None:
    assert runner.home is not None
    runner.home.archive.mkdir(parents=True, exist_ok=True)
    dest = runner.home.archive / f"{prefix}--{path.name}"
    if reason is not None:
        dest.with_name(dest.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
    os.replace(path, dest)
