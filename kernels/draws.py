"""Reading and writing draw files: one format, read the same way everywhere.

Accepted inputs:

* a JSON array of integers: ``[417, 93, 250]``;
* a JSON array of records with a ``draw`` field, as the original system's ``daily3.json``
  (``{"date": ..., "session": ..., "draw": 417}``); other fields are kept as metadata;
* a JSON object ``{"draws": [...]}`` holding either of the above (what ``watcher inject`` writes);
* JSON Lines: one record per line, ``{"ts": "2026-11-24T16:00:00Z", "draw": 417}`` (``date``
  instead of ``ts``, an optional ``session``);
* plain text, one integer per line (blank lines and ``#`` comments ignored).

Draws for the seed sieve and the ledger are non-negative integers. What runtimes print besides
(signed ints, doubles) is read by :func:`read_numbers` and :func:`read_number_records`: the same
forms, with negative integers and finite floats (``-12``, ``0.8444218515250481``, ``1e-3``) too.

:func:`read_draw_records` (and :func:`parse_draw_records` for bytes, e.g. standard input) keeps
each draw's time and session as a :class:`DrawRecord`; :func:`read_draws` gives the values only.
A time is normalised to UTC, ``2026-11-24T16:00:00Z`` (fractions of a second kept); a bare date
stays a date, ``2026-08-01``, and :func:`timestamp_seconds` reads either as POSIX seconds.

Every problem is a ``DrawFileError`` (a ``ValueError``) whose message names the file and the line
or record, so the CLI can print it as one line.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Generic, Sequence, TypeVar

import orjson

__all__ = [
    "DrawFileError",
    "DrawRecord",
    "read_draws",
    "read_draw_records",
    "parse_draw_records",
    "read_numbers",
    "read_number_records",
    "parse_number_records",
    "normalise_timestamp",
    "timestamp_seconds",
    "write_draws",
    "MAX_DRAW_FILE_BYTES",
]

#: draw files larger than this are refused (a year of daily draws is a few kB)
MAX_DRAW_FILE_BYTES = 64 << 20


class DrawFileError(ValueError):
    """A draw file that cannot be read; the message says where and why."""


#: a draw's value: ``int`` for sieve draws, ``int | float`` for numbers
Value = TypeVar("Value", int, int | float)


@dataclass(frozen=True, slots=True)
class DrawRecord(Generic[Value]):
    """One observed draw: its value, when it was drawn (normalised, or ``None`` when the file
    does not say) and its session (``"midday"``...); ``where`` names its line or record."""

    draw: Value
    ts: str | None = None
    session: str | None = None
    where: str = ""


def normalise_timestamp(value: Any, where: str = "timestamp") -> str:
    """``2026-11-24T18:00:00+02:00`` -> ``2026-11-24T16:00:00Z``; a bare date stays a date.

    A time without a zone is refused: guessing one would move every seed derived from it.
    """
    if not isinstance(value, str) or not value.strip():
        raise DrawFileError(f"{where}: expected an ISO 8601 time or date string, got {value!r}")
    text = value.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise DrawFileError(f"{where}: {text!r} is not a date (YYYY-MM-DD)") from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DrawFileError(f"{where}: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise DrawFileError(f"{where}: {text!r} has no time zone (write Z for UTC)")
    moment = moment.astimezone(timezone.utc)
    fraction = f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def timestamp_seconds(ts: str) -> float:
    """POSIX seconds of a normalised time (a bare date is its midnight UTC)."""
    if len(ts) == 10:
        return datetime.fromisoformat(ts).replace(tzinfo=timezone.utc).timestamp()
    return datetime.fromisoformat(ts).timestamp()


def _as_draw(value: Any, where: str, numbers: bool = False) -> Any:
    """The draw ``value`` as an ``int`` (a non-negative one unless ``numbers``); with
    ``numbers`` a finite float stays a float. Strings holding a number are read too."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            if numbers:
                try:
                    value = float(text)
                except ValueError:
                    pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not numbers):
        kind = "a number" if numbers else "an integer draw"
        raise DrawFileError(f"{where}: expected {kind}, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise DrawFileError(f"{where}: expected a finite number, got {value!r}")
    if value < 0 and not numbers:
        raise DrawFileError(f"{where}: draws are non-negative integers, got {value}")
    return value


def _record(item: Any, where: str, numbers: bool) -> DrawRecord[Any]:
    if not isinstance(item, dict):
        return DrawRecord(_as_draw(item, where, numbers), where=where)
    if "draw" not in item:
        raise DrawFileError(f"{where}: record has no 'draw' field")
    if "ts" in item and "date" in item:
        raise DrawFileError(f"{where}: record has both 'ts' and 'date'; give one")
    stamp = item.get("ts", item.get("date"))
    ts = None if stamp is None else normalise_timestamp(stamp, where)
    session = item.get("session")
    if session is not None and not isinstance(session, str):
        raise DrawFileError(f"{where}: 'session' must be a string, got {session!r}")
    return DrawRecord(_as_draw(item["draw"], where, numbers), ts, session or None, where)


def _from_json(items: Any, name: str, numbers: bool) -> list[DrawRecord[Any]]:
    if isinstance(items, dict):
        if "draw" in items:  # JSON Lines holding a single record
            return [_record(items, f"{name}: line 1", numbers)]
        if "draws" not in items:
            raise DrawFileError(f"{name}: a JSON object must hold a 'draws' array")
        items = items["draws"]
    if not isinstance(items, list):
        raise DrawFileError(f"{name}: expected a JSON array of draws")
    return [_record(item, f"{name}: record {index}", numbers) for index, item in enumerate(items)]


def _from_json_lines(raw: bytes, name: str, numbers: bool) -> list[DrawRecord[Any]]:
    records = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}: line {number}"
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise DrawFileError(f"{where}: invalid JSON: {error}") from None
        if not isinstance(item, dict):
            raise DrawFileError(f"{where}: a JSON Lines record is an object with a 'draw' field")
        records.append(_record(item, where, numbers))
    return records


def _from_lines(text: str, name: str, numbers: bool) -> list[DrawRecord[Any]]:
    draws = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        where = f"{name}: line {number}"
        try:
            value: int | float = int(content)
        except ValueError:
            try:
                value = float(content) if numbers else int(content)
            except ValueError:
                kind = "a number" if numbers else "an integer"
                raise DrawFileError(f"{where}: expected {kind}, got {content[:40]!r}") from None
        draws.append(DrawRecord(_as_draw(value, where, numbers), where=where))
    return draws


def _parse(raw: bytes, name: str, numbers: bool) -> list[DrawRecord[Any]]:
    if len(raw) > MAX_DRAW_FILE_BYTES:
        raise DrawFileError(f"{name}: {len(raw)} bytes is over the {MAX_DRAW_FILE_BYTES}-byte limit")
    stripped = raw.lstrip()
    if stripped[:1] in (b"[", b"{"):
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            if stripped[:1] != b"{" or b"\n" not in stripped.strip():
                raise DrawFileError(f"{name}: invalid JSON: {error}") from None
            records = _from_json_lines(raw, name, numbers)
        else:
            records = _from_json(parsed, name, numbers)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DrawFileError(f"{name}: not JSON and not UTF-8 text") from None
        records = _from_lines(text, name, numbers)
    if not records:
        raise DrawFileError(f"{name}: holds no draws")
    return records


def parse_draw_records(raw: bytes, name: str) -> list[DrawRecord[int]]:
    """The records in the bytes of a draw file called ``name`` (in messages), in order."""
    return _parse(raw, name, numbers=False)


def parse_number_records(raw: bytes, name: str) -> list[DrawRecord[int | float]]:
    """As :func:`parse_draw_records`, with negative integers and finite floats accepted."""
    return _parse(raw, name, numbers=True)


def _read_bytes(path: str | Path) -> tuple[bytes, str]:
    """The bytes of the draw file ``path`` (``-``: standard input) and its name for messages."""
    if str(path) == "-":
        return sys.stdin.buffer.read(MAX_DRAW_FILE_BYTES + 1), "standard input"
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DrawFileError(f"{name}: no such file") from None
    if path.is_dir():
        raise DrawFileError(f"{name}: is a directory, not a draw file")
    if size > MAX_DRAW_FILE_BYTES:
        raise DrawFileError(f"{name}: {size} bytes is over the {MAX_DRAW_FILE_BYTES}-byte limit")
    try:
        return path.read_bytes(), name
    except OSError as error:
        raise DrawFileError(f"{name}: cannot be read ({error.strerror or error})") from None


def read_draw_records(path: str | Path) -> list[DrawRecord[int]]:
    """The records in ``path`` (``-``: standard input), in order. Raises ``DrawFileError``
    naming the bad line or record."""
    return parse_draw_records(*_read_bytes(path))


def read_draws(path: str | Path) -> list[int]:
    """The draws in ``path``, in order. Raises ``DrawFileError`` naming the bad line or record."""
    return [record.draw for record in read_draw_records(path)]


def read_number_records(path: str | Path) -> list[DrawRecord[int | float]]:
    """The records in ``path`` (``-``: standard input), negative integers and floats included."""
    return parse_number_records(*_read_bytes(path))


def read_numbers(path: str | Path) -> list[int | float]:
    """The numbers in ``path``, in order: integers of any sign and finite floats."""
    return [record.draw for record in read_number_records(path)]


def write_draws(path: str | Path, draws: Sequence[int]) -> None:
    """Write ``draws`` as a bare JSON array: nothing but the draws, so no hint of their origin."""
    Path(path).write_bytes(orjson.dumps([int(d) for d in draws]) + b"\n")
