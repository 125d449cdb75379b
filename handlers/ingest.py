"""Ingest: draw files (or standard input) become ``DrawIngested`` events, only what is new.

Every form ``kernels.draws`` reads is accepted; timed records (``ts`` or ``date``, optional
``session``) keep their time and session in the ledger. The history only grows at its end:

- a timed record whose (time, session) is already recorded with the same draw is a repeat and
  is skipped; with another draw it contradicts the ledger and the whole call is refused;
- a new timed record earlier than the last recorded time is refused (it would move the
  position of every later draw);
- untimed draws have no key: a source whose bytes were ingested before adds nothing, and a
  file that starts with the end of the history (at least :data:`MIN_UNTIMED_OVERLAP` draws, or
  the whole history when it is shorter) adds only what follows the overlap;
- a file is all timed or all untimed.

A refusal is one line naming the file's line (or record) and the reason; nothing from that
call is appended. The daemon ingests files dropped into ``<home>/draws/`` through
:func:`ingest_file` (the ``draws.ingest`` handler, run in a worker process the daemon can
kill: ``machine.draw_intake``); ``watcher ingest`` goes through the same checks and appends
itself, or hands the file to a running daemon. Both hold a file to the bounds of
``machine.draw_intake`` (:func:`check_ingest_bounds`) before a record is built: at most
``MAX_INGEST_BYTES``, ``MAX_INGEST_DRAWS`` lines or records, lines of at most
``MAX_INGEST_LINE_BYTES`` (a file that is one JSON document excepted), draws below 2^64.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from pathlib import Path
from typing import Any, Sequence

import orjson

from kernels.draws import (
    DrawFileError,
    DrawRecord,
    parse_draw_records,
    timestamp_seconds,
)
from ledger import LedgerLocked, NewEvent

from handlers.history import DrawHistory, draw_history
from machine.draw_intake import (
    MAX_DRAW_VALUE,
    MAX_INGEST_BYTES,
    MAX_INGEST_DRAWS,
    MAX_INGEST_LINE_BYTES,
    IngestDraws,
    ingest_command,
    record_draws,
)
from machine.events import DrawIngested
from machine.home import locate_home
from machine.registry import HandlerContext
from machine.requests import read_request_file
from machine.runner import Runner

__all__ = [
    "MIN_UNTIMED_OVERLAP",
    "IngestRefused",
    "check_ingest_bounds",
    "new_draws",
    "ingest_events",
    "ingest_file",
    "register_cli",
]

#: Untimed draws that must repeat the history's end before they are taken for a repeat.
MIN_UNTIMED_OVERLAP = 8


class IngestRefused(ValueError):
    """The call is refused; the message names the line and the reason."""


def _time(record: DrawRecord) -> str:
    if record.ts is None:  # new_draws lets only all-timed records through to _timed
        raise IngestRefused(f"{record.where}: has no time")
    return record.ts


def _untimed(records: list[DrawRecord], history: DrawHistory, sha256: str) -> list[DrawRecord]:
    if sha256 in history.source_sha256s:
        return []
    values = [r.draw for r in records]
    past = history.values
    for overlap in range(min(len(past), len(values)), 0, -1):
        if overlap < min(MIN_UNTIMED_OVERLAP, len(past)):
            break
        if tuple(values[:overlap]) == past[len(past) - overlap:]:
            return records[overlap:]
    return records


def _timed(records: list[DrawRecord], history: DrawHistory) -> list[DrawRecord]:
    recorded: dict[tuple[str, str | None], tuple[int, int]] = {}
    last: tuple[float, str, int] | None = None
    for position, (value, ts, session) in enumerate(
        zip(history.values, history.timestamps, history.sessions)
    ):
        if ts is not None:
            recorded[(ts, session)] = (value, position)
            last = (timestamp_seconds(ts), ts, position)
    fresh: list[DrawRecord] = []
    seen: dict[tuple[str, str | None], DrawRecord] = {}
    previous: tuple[float, DrawRecord] | None = None
    for record in records:
        ts = _time(record)
        key = (ts, record.session)
        label = ts + (f" {record.session}" if record.session else "")
        if key in recorded:
            value, position = recorded[key]
            if value != record.draw:
                raise IngestRefused(
                    f"{record.where}: {label} contradicts the recorded draw at position "
                    f"{position} (recorded {value}, here {record.draw})"
                )
            continue
        if key in seen:
            if seen[key].draw != record.draw:
                raise IngestRefused(
                    f"{record.where}: {label} contradicts {seen[key].where.rsplit(': ', 1)[-1]} "
                    f"({seen[key].draw}, here {record.draw})"
                )
            continue
        moment = timestamp_seconds(ts)
        if last is not None and moment < last[0]:
            raise IngestRefused(
                f"{record.where}: {label} is earlier than the last recorded draw ({last[1]}, "
                f"position {last[2]}); the history only grows at its end"
            )
        if previous is not None and moment < previous[0]:
            raise IngestRefused(
                f"{record.where}: {label} is earlier than {previous[1].where.rsplit(': ', 1)[-1]} "
                f"({previous[1].ts}); records are in time order"
            )
        seen[key] = record
        previous = (moment, record)
        fresh.append(record)
    return fresh


def new_draws(records: Sequence[DrawRecord], history: DrawHistory, sha256: str) -> list[DrawRecord]:
    """The records of a source (bytes with digest ``sha256``) that are new to ``history``, in
    order; ``IngestRefused`` names the first record that cannot be taken."""
    records = list(records)
    timed = records[0].ts is not None
    for record in records:
        if (record.ts is not None) != timed:
            has = "has no time" if timed else "has a time"
            other = "have one" if timed else "have none"
            raise IngestRefused(
                f"{record.where}: {has} while the records before it {other} "
                "(a file is all timed or all untimed)"
            )
    return _timed(records, history) if timed else _untimed(records, history, sha256)


def _json_items(raw: bytes) -> int | None:
    """How many records ``raw`` holds if it is one JSON document (an array, or an object with
    a ``draws`` array, or one record), ``None`` if it is not one."""
    if raw.lstrip()[:1] not in (b"[", b"{"):
        return None
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None  # JSON Lines, or not JSON: counted by its lines
    if isinstance(document, dict):
        document = document.get("draws", [document])
    return len(document) if isinstance(document, list) else 1


def check_ingest_bounds(raw: bytes, source: str) -> None:
    """Refuse, before a record is built, what no ingest takes: over ``MAX_INGEST_BYTES``,
    over ``MAX_INGEST_DRAWS`` lines (or records of one JSON document), a line over
    ``MAX_INGEST_LINE_BYTES`` (a file that is one JSON document excepted). Parsing costs
    about a hundred times a file's size in memory for one short draw a line, so the count is
    checked on the bytes."""
    if len(raw) > MAX_INGEST_BYTES:
        raise IngestRefused(f"{source}: {len(raw)} bytes; the limit is {MAX_INGEST_BYTES}")
    split = "; split it into several files"
    items = _json_items(raw)
    if items is not None:
        if items > MAX_INGEST_DRAWS:
            raise IngestRefused(f"{source}: {items:,} records; a draw file holds at most "
                                f"{MAX_INGEST_DRAWS:,}{split}")
        return
    lines = raw.count(b"\n") + (1 if raw and not raw.endswith(b"\n") else 0)
    if lines > MAX_INGEST_DRAWS:
        raise IngestRefused(f"{source}: {lines:,} lines; a draw file holds at most "
                            f"{MAX_INGEST_DRAWS:,}{split}")
    start = 0
    for number in range(1, lines + 1):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end
        if end - start > MAX_INGEST_LINE_BYTES:
            raise IngestRefused(f"{source}: line {number} is longer than "
                                f"{MAX_INGEST_LINE_BYTES} bytes")
        start = end + 1


def ingest_events(command: IngestDraws, raw: bytes, history: DrawHistory,
                  ctx: HandlerContext) -> list[NewEvent]:
    """The events ingesting ``raw`` adds to ``history``: one ``DrawIngested`` or nothing."""
    try:
        records = parse_draw_records(raw, command.source)
    except DrawFileError as error:
        raise IngestRefused(str(error)) from None
    for record in records:
        if record.draw > MAX_DRAW_VALUE:
            raise IngestRefused(f"{record.where}: a draw of {record.draw.bit_length()} bits; "
                                "draws are below 2^64 (the ledger's integers)")
    fresh = new_draws(records, history, command.sha256)
    if not fresh:
        return []
    timed = fresh[0].ts is not None
    sessions = tuple(r.session for r in fresh)
    event = DrawIngested(
        source=command.source,
        source_sha256=command.sha256,
        position=len(history),
        values=tuple(r.draw for r in fresh),
        timestamps=tuple(r.ts for r in fresh) if timed else (),
        sessions=sessions if any(s is not None for s in sessions) else (),
    )
    return [ctx.event(event)]


def ingest_file(command: IngestDraws, ctx: HandlerContext) -> list[NewEvent]:
    """The ``draws.ingest`` handler: the new draws of the file the command names, read as the
    daemon read it (no link followed, regular files only, bounded) and refused unless they
    are the bytes it hashed."""
    assert ctx.ledger_path is not None
    found = read_request_file(Path(command.path), MAX_INGEST_BYTES, "draw file")
    if found.raw is None or found.problem is not None:
        raise IngestRefused(f"{command.source}: {found.problem or 'not read'}")
    if found.sha256 != command.sha256:
        raise IngestRefused(f"{command.source}: changed while it was read (write a draw file "
                            "elsewhere, then rename it into draws/)")
    check_ingest_bounds(found.raw, command.source)
    return ingest_events(command, found.raw, draw_history(ctx.ledger_path), ctx)


# --- watcher ingest -----------------------------------------------------------------------


def register_cli(subparsers: Any) -> None:
    """``watcher ingest FILE|-``."""
    p = subparsers.add_parser(
        "ingest",
        help="append observed draws to the ledger (only what is new)",
        description=(
            "Append the draws of FILE (or of standard input, '-') to the history as one "
            "DrawIngested event. Forms: a JSON array of integers or of records, "
            '{"draws": [...]}, one integer per line, or JSON Lines records '
            '{"ts": "2026-11-24T16:00:00Z", "draw": 417} (or "date", optional "session"). '
            "Repeats and overlaps with the history add nothing; a record that contradicts a "
            "recorded draw, or a bad record, refuses the whole call with one line naming it, "
            "and nothing is appended. A file holds at most "
            f"{MAX_INGEST_BYTES >> 20} MiB and {MAX_INGEST_DRAWS:,} draws (split a longer "
            f"history), lines of at most {MAX_INGEST_LINE_BYTES} bytes (a JSON document "
            "excepted), draws below 2^64. While a daemon holds the ledger, the file is checked "
            "and handed to it through <home>/draws/."
        ),
    )
    p.add_argument("file", metavar="FILE", help="a draw file, or - for standard input")
    p.add_argument("--home", metavar="DIR",
                   help="the watcher home folder (default: $WATCHER_HOME, else ./watcher-home)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(func=_cmd_ingest)


def _read_input(arg: str) -> tuple[Path, bytes, str]:
    if arg == "-":  # at most one byte past the limit: the bounds refuse it
        return Path("stdin"), sys.stdin.buffer.read(MAX_INGEST_BYTES + 1), "stdin"
    path = Path(arg)
    if not path.is_file():
        raise ValueError(f"{arg}: no such file")
    with open(path, "rb") as fh:
        return path, fh.read(MAX_INGEST_BYTES + 1), path.name


def _cmd_ingest(args: argparse.Namespace) -> int:
    home = locate_home(args.home).require()
    path, raw, source = _read_input(args.file)
    try:
        check_ingest_bounds(raw, source)
    except IngestRefused as refused:
        raise ValueError(str(refused)) from None
    command = ingest_command(path, raw, source)
    try:
        runner = Runner.open(home)
    except LedgerLocked as error:
        # Checked here against a lock-free read (one line on a bad record), then handed over.
        ctx = HandlerContext(command=command, clock=lambda: "1970-01-01T00:00:00.000000Z")
        try:
            fresh = ingest_events(command, raw, draw_history(home.ledger), ctx)
        except IngestRefused as refused:
            raise ValueError(str(refused)) from None
        home.draws.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex[:8]}-{source}"
        tmp = home.draws / f".{name}.tmp"
        tmp.write_bytes(raw)
        os.replace(tmp, home.draws / name)
        count = sum(len(e.data["values"]) for e in fresh)
        _report(args, {"handed_over": True, "daemon_pid": error.holder_pid, "file": name,
                       "new_draws": count},
                f"{count} new draw(s) checked and handed to the running daemon (pid "
                f"{error.holder_pid}) as draws/{name}")
        return 0
    with runner:
        ctx = HandlerContext(command=command, clock=runner.clock, home=home.root,
                             artifacts=runner.artifacts, ledger_path=home.ledger)
        try:
            events = ingest_events(command, raw, draw_history(home.ledger), ctx)
        except IngestRefused as refused:
            raise ValueError(str(refused)) from None
        records = record_draws(runner, events)
        total = runner.state.draws
    count = sum(len(r.data["values"]) for r in records)
    position = records[0].data["position"] if records else None
    out = {"handed_over": False, "new_draws": count, "position": position, "history": total}
    text = (f"{count} new draw(s) at positions {position}..{position + count - 1}; "
            f"the history holds {total}" if count and position is not None
            else f"nothing new; the history holds {total}")
    _report(args, out, text)
    return 0


def _report(args: argparse.Namespace, out: dict[str, Any], text: str) -> None:
    if args.json:
        sys.stdout.write(orjson.dumps(out).decode() + "\n")
    else:
        print(text)
