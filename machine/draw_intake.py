"""Draw intake: files dropped into ``<home>/draws/`` become ``DrawIngested`` events.

The machine does not parse draw files itself (that is a handler's job, and ``machine`` imports
no handler): each file becomes an :class:`IngestDraws` command for the handler registered
under :data:`INGEST_KIND`, whose events are checked (only ``DrawIngested``, folding cleanly)
and appended; the file is then moved to ``archive/``. ``watcher ingest`` records its events
through :func:`record_draws` too, so both ways in obey the same checks.

Intake is total and bounded, like request intake: whatever is in ``draws/`` (a link, a FIFO, a
folder, a huge or sparse file, a file the handler refuses, one whose parse hangs or kills its
process) gets one outcome. A rejected entry appends nothing and is moved to ``quarantine/``
with a one-line reason beside it (``<name>.reason.txt``), so that it is not tried again and
not lost; the next file is read. What the daemon itself does with a file is bounded: one open
(``O_NOFOLLOW | O_NONBLOCK``), ``fstat`` (regular files only), at most
:data:`MAX_INGEST_BYTES` + 1 bytes read and hashed. The parse runs in a worker process
(``machine.watchdog``) that the daemon kills at :data:`INGEST_TIMEOUT_S`, with its memory
capped at :data:`INGEST_MEMORY_BYTES`; meanwhile requests, halts first of all, are taken in
as they arrive, and a stop leaves the file where it is for the next start. The handler holds a
file to the limits below (:data:`MAX_INGEST_DRAWS` records, lines of at most
:data:`MAX_INGEST_LINE_BYTES`, draws at most :data:`MAX_DRAW_VALUE`) before it builds a record.

Crash safety: the command id derives from the file's name and bytes and event ids from the
command id; a file ingested before a crash but not yet archived is ingested again, finds its
draws already recorded, appends nothing and is archived. The handler checks that the bytes it
parses are those the daemon hashed: a file still being written is rejected.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Sequence

from pydantic import BaseModel, ConfigDict

from ledger import NewEvent, Record

from .events import DrawIngested, parse_event
from .registry import ENTRY_POINT_GROUP, HandlerContext
from .requests import MAX_REASON_CHARS, bounded_reason, read_request_file
from .watchdog import HandlerOutcome, HandlerWorker, fork_is_safe

if TYPE_CHECKING:
    from .runner import Runner

__all__ = [
    "INGEST_KIND",
    "MAX_INGEST_BYTES",
    "MAX_INGEST_DRAWS",
    "MAX_INGEST_LINE_BYTES",
    "MAX_DRAW_VALUE",
    "INGEST_TIMEOUT_S",
    "INGEST_MEMORY_BYTES",
    "IngestDraws",
    "IngestOutcome",
    "ingest_command",
    "record_draws",
    "pending_draw_files",
    "ingest_dropped_draws",
]

#: The handler kind that turns a draw file into events (``handlers.ingest``).
INGEST_KIND = "draws.ingest"

#: A dropped draw file (or ``watcher ingest``'s input) larger than this is refused unread.
MAX_INGEST_BYTES = 16 << 20
#: At most this many draws (lines, or records of a JSON document) in one file: each file is
#: one ``DrawIngested`` event; a longer history is split into several files.
MAX_INGEST_DRAWS = 100_000
#: A line longer than this is refused (a file that is one JSON document excepted).
MAX_INGEST_LINE_BYTES = 4096
#: The largest draw: the ledger's integers are 64-bit.
MAX_DRAW_VALUE = (1 << 64) - 1
#: The longest a draw file's parse may take (the handler reads the recorded history too).
INGEST_TIMEOUT_S = 300.0
#: How much memory the parsing worker may map beyond what it holds when it starts.
INGEST_MEMORY_BYTES = 2 << 30
#: A worker that dies under a file is tried once more in a new one before the file is
#: quarantined (the OOM killer may have picked it for another's sake).
_ATTEMPTS = 2


class IngestDraws(BaseModel):
    """Ingest the draw file at ``path`` (named ``source`` in the events), whose bytes have the
    digest ``sha256``: a command the runner makes for each dropped file, outside any run."""

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


def _key(name: str, sha256: str) -> str:
    """The digest naming a file's ingest: its name and the digest of its bytes."""
    raw_name = name.encode("utf-8", "surrogateescape")
    return hashlib.sha256(raw_name + b"\0" + sha256.encode()).hexdigest()[:20]


def ingest_command(path: Path, raw: bytes, source: str | None = None) -> IngestDraws:
    """The command ingesting ``raw`` (the bytes of ``path``): its id digests name and bytes."""
    sha = hashlib.sha256(raw).hexdigest()
    name = source or path.name
    return IngestDraws(id=f"ingest:{_key(name, sha)}", source=name, path=str(path), sha256=sha)


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
    """Entries waiting in ``<home>/draws/``, in name order, whatever they are (a link, a FIFO
    or a folder is rejected rather than left to wait for ever); dot-files are writes in
    progress."""
    if runner.home is None:
        return []
    try:
        names = os.listdir(runner.home.draws)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [runner.home.draws / n for n in sorted(names) if not n.startswith(".")]


class _Parser:
    """Runs the ingest handler: in a worker process the daemon can kill (forked on the first
    file, closed after the last), or inline for a runner whose isolation is ``inline``."""

    def __init__(self, runner: "Runner", stop: threading.Event | None) -> None:
        self.runner = runner
        self.stop = stop
        self._worker: HandlerWorker | None = None

    def _context(self, command: Any) -> HandlerContext:
        runner = self.runner
        assert runner.home is not None
        return HandlerContext(command=command, clock=runner.clock, home=runner.home.root,
                              artifacts=runner.artifacts, ledger_path=runner.home.ledger)

    def run(self, command: IngestDraws) -> HandlerOutcome:
        runner = self.runner
        if runner.isolation == "inline":
            handler = runner.registry.get(INGEST_KIND)
            assert handler is not None  # the caller checked
            try:
                return HandlerOutcome("returned", tuple(handler(command, self._context(command))))
            except Exception as error:  # the handler's refusal or failure: this file's
                return HandlerOutcome("raised", detail=f"{type(error).__name__}: {error}",
                                      message=str(error), refused=isinstance(error, ValueError))
        if self._worker is None:
            assert runner.home is not None
            # As the runner's own worker: an installed handler in a process where a fork is
            # unsafe is served by a fresh interpreter (machine.watchdog).
            installed = runner.registry.describe().get(INGEST_KIND) == "entry point"
            fresh = installed and not fork_is_safe()
            self._worker = HandlerWorker(
                runner.registry.get, self._context, after_fork=runner.recorder.forget_in_child,
                fresh_home=str(runner.home.root) if fresh else None,
                memory_bytes=INGEST_MEMORY_BYTES,
            )

        def between() -> bool:
            # A halt dropped while a big file is parsed is recorded at once.
            if self.stop is not None and self.stop.is_set():
                return True
            runner.intake()
            return False

        return self._worker.run(INGEST_KIND, command, timeout_s=INGEST_TIMEOUT_S,
                                between=between)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None


def ingest_dropped_draws(
    runner: "Runner", *, stop: threading.Event | None = None
) -> list[IngestOutcome]:
    """Ingest every entry waiting in ``<home>/draws/``, in name order: archive what was
    ingested, quarantine what was rejected. ``stop``, once set, ends it (a file being parsed
    stays where it is).

    Without an installed ingest handler the files wait (and the log says so once per call).
    """
    entries = pending_draw_files(runner)
    if not entries:
        return []
    assert runner.home is not None
    if INGEST_KIND not in runner.registry.describe():
        runner.log(f"{len(entries)} draw file(s) wait in {runner.home.draws}: no handler "
                   f"installed for {INGEST_KIND!r} (entry-point group {ENTRY_POINT_GROUP})")
        return []
    outcomes = []
    parser = _Parser(runner, stop)
    try:
        for path in entries:
            if stop is not None and stop.is_set():
                break
            outcome = _ingest_one(runner, parser, path)
            if outcome == "stopped":
                break
            if outcome is not None:
                runner.log(f"draw file {outcome.name}: {outcome.status}"
                           + (f", {outcome.draws} draw(s) from position {outcome.position}"
                              if outcome.draws else "")
                           + (f": {outcome.reason}" if outcome.reason else ""))
                outcomes.append(outcome)
            # Requests, halts first of all, never wait behind a pile of draw files.
            runner.intake()
    finally:
        parser.close()
    return outcomes


def _ingest_one(
    runner: "Runner", parser: _Parser, path: Path
) -> IngestOutcome | Literal["stopped"] | None:
    """One entry of ``draws/``: its outcome, ``stopped``, or ``None`` when it vanished."""
    from .runner import _shown  # (the runner imports this module)

    assert runner.home is not None
    name = _shown(path.name)
    found = read_request_file(path, MAX_INGEST_BYTES, "draw file")
    if found.raw is None or found.problem is not None:
        if not os.path.lexists(path):
            runner.log(f"draw file {name}: removed before it was read")
            return None
        return _reject(runner, path, name, _key(name, found.sha256), found.problem or "not read")
    command = ingest_command(path, found.raw, name)
    key = command.id.split(":", 1)[1]
    for attempt in range(1, _ATTEMPTS + 1):
        outcome = parser.run(command)
        if outcome.status != "died":
            break
        runner.log(f"draw file {name}: its parse took its worker down ({outcome.detail})"
                   + ("; trying once more" if attempt < _ATTEMPTS else ""))
    if outcome.status == "stopped":
        runner.log(f"draw file {name}: stopped while it was parsed; it waits for the next start")
        return "stopped"
    if outcome.status == "timeout":
        return _reject(runner, path, name, key, f"its parse {outcome.detail} (timeout)")
    if outcome.status == "died":
        return _reject(runner, path, name, key, f"its parse took its process down "
                       f"({_ATTEMPTS} times; last: {outcome.detail})")
    if outcome.status == "raised":
        return _reject(runner, path, name, key,
                       outcome.message if outcome.refused else outcome.detail)
    # The worker's clock is a copy: the writer's clock stamps what it records.
    events = [e.model_copy(update={"ts": runner.clock()}) if isinstance(e, NewEvent) else e
              for e in outcome.events]
    try:
        records = record_draws(runner, events)
    except ValueError as error:  # not DrawIngested, not foldable, not storable
        return _reject(runner, path, name, key, f"its events cannot be recorded: {error}")
    count = sum(len(r.data["values"]) for r in records)
    position = records[0].data["position"] if records else None
    _file_away(runner, path, runner.home.archive, key, None)
    status: Literal["ingested", "nothing new"] = "ingested" if count else "nothing new"
    return IngestOutcome(name=name, status=status, draws=count, position=position)


def _reject(runner: "Runner", path: Path, name: str, key: str, reason: str) -> IngestOutcome:
    assert runner.home is not None
    if not reason.startswith(f"{name}: "):
        reason = f"{name}: {reason}"
    reason = bounded_reason(reason, MAX_REASON_CHARS)
    _file_away(runner, path, runner.home.quarantine, key, reason)
    return IngestOutcome(name=name, status="rejected", reason=reason)


_REASON_SUFFIX = ".reason.txt"


def _file_away(runner: "Runner", path: Path, folder: Path, key: str, reason: str | None) -> None:
    """Move ``path`` (whatever it is: a link is moved, not followed) into ``folder`` as
    ``<key>--<name>``, never over another entry; with ``reason``, a ``.reason.txt`` beside it."""
    from .runner import _fit, _shown, _sync_dirs  # (the runner imports this module)

    folder.mkdir(parents=True, exist_ok=True)
    raw_name = os.fsencode(path.name)
    room = 255 - len(_REASON_SUFFIX)
    target = folder / _fit(f"{key}--", raw_name, room)
    n = 1
    while os.path.lexists(target) or os.path.lexists(str(target) + _REASON_SUFFIX):
        target = folder / _fit(f"{key}-{n}--", raw_name, room)
        n += 1
    reason_path = Path(str(target) + _REASON_SUFFIX)
    if reason is not None:
        reason_path.write_text(reason + "\n", encoding="utf-8")
    try:
        os.rename(path, target)
    except FileNotFoundError:  # removed by someone else while it was taken: nothing to move
        reason_path.unlink(missing_ok=True)
        runner.log(f"draw file {_shown(path.name)}: removed before it could be filed away")
        return
    _sync_dirs(path.parent, folder)
