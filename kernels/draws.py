"""Reading and writing draw files: one format, read the same way everywhere.

Accepted inputs:

* a JSON array of integers: ``[417, 93, 250]``;
* a JSON array of records with a ``draw`` field, as the original system's ``daily3.json``
  (``{"date": ..., "session": ..., "draw": 417}``); other fields are kept as metadata;
* a JSON object ``{"draws": [...]}`` holding either of the above (what ``watcher inject`` writes);
* plain text, one integer per line (blank lines and ``#`` comments ignored).

Every problem is a ``DrawFileError`` (a ``ValueError``) whose message names the file and the line
or record, so the CLI can print it as one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import orjson

__all__ = ["DrawFileError", "read_draws", "write_draws", "MAX_DRAW_FILE_BYTES"]

#: draw files larger than this are refused (a year of daily draws is a few kB)
MAX_DRAW_FILE_BYTES = 64 << 20


class DrawFileError(ValueError):
    """A draw file that cannot be read; the message says where and why."""


def _as_draw(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            raise DrawFileError(f"{where}: expected an integer draw, got {value!r}")
    if value < 0:
        raise DrawFileError(f"{where}: draws are non-negative integers, got {value}")
    return value


def _from_json(items: Any, name: str) -> list[int]:
    if isinstance(items, dict):
        if "draws" not in items:
            raise DrawFileError(f"{name}: a JSON object must hold a 'draws' array")
        items = items["draws"]
    if not isinstance(items, list):
        raise DrawFileError(f"{name}: expected a JSON array of draws")
    draws = []
    for index, item in enumerate(items):
        where = f"{name}: record {index}"
        if isinstance(item, dict):
            if "draw" not in item:
                raise DrawFileError(f"{where}: record has no 'draw' field")
            item = item["draw"]
        draws.append(_as_draw(item, where))
    return draws


def _from_lines(text: str, name: str) -> list[int]:
    draws = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        try:
            value = int(content)
        except ValueError:
            raise DrawFileError(f"{name}: line {number}: expected an integer, got {content[:40]!r}") from None
        draws.append(_as_draw(value, f"{name}: line {number}"))
    return draws


def read_draws(path: str | Path) -> list[int]:
    """The draws in ``path``, in order. Raises ``DrawFileError`` naming the bad line or record."""
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
    raw = path.read_bytes()
    stripped = raw.lstrip()
    if stripped[:1] in (b"[", b"{"):
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise DrawFileError(f"{name}: invalid JSON: {error}") from None
        draws = _from_json(parsed, name)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DrawFileError(f"{name}: not JSON and not UTF-8 text") from None
        draws = _from_lines(text, name)
    if not draws:
        raise DrawFileError(f"{name}: holds no draws")
    return draws


def write_draws(path: str | Path, draws: Sequence[int]) -> None:
    """Write ``draws`` as a bare JSON array: nothing but the draws, so no hint of their origin."""
    Path(path).write_bytes(orjson.dumps([int(d) for d in draws]) + b"\n")
