"""Fold snapshots: the folded state saved beside the ledger, so that opening a long ledger does
not fold it from the first event again.

``<ledger>.snapshot`` holds one header line (JSON: format, the seq and record hash it was
folded up to, a fingerprint of the machine's code, the SHA256 of the body) and the body, the
state pickled. It is a cache, never a source of truth:

- the writer uses it only when every key holds: same format and code fingerprint (any change
  to ``machine/`` makes snapshots stale), an intact body (its SHA256), and a ledger whose
  record at that seq has that hash (the chain up to it is the one folded); else it says why,
  ignores it and folds the ledger from the start;
- the body is read by an unpickler that builds only the machine's own data classes, pydantic
  models and enums (plus a few plain builtin types): a planted file cannot run code;
- ``watcher replay`` folds the whole ledger anyway and compares the snapshot's state with its
  fold at that seq: a snapshot that differs is reported (a divergence), and the writer
  replaces it when it next writes one.

The writer writes one when it closes, once :data:`SNAPSHOT_EVERY` events were appended since
the snapshot it has (written to a temporary file, then renamed into place; not synced: a lost
or torn snapshot is only ignored).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from .state import State

__all__ = [
    "SNAPSHOT_EVERY",
    "SNAPSHOT_FORMAT",
    "Snapshot",
    "SnapshotRefused",
    "snapshot_path_for",
    "code_fingerprint",
    "write_snapshot",
    "read_snapshot",
]

#: Events appended since the last snapshot before the writer writes a new one.
SNAPSHOT_EVERY = 2000
SNAPSHOT_FORMAT = 1
#: A header line longer than this is not a snapshot's.
_MAX_HEADER = 4096

_BUILTINS = {
    ("builtins", name) for name in ("set", "frozenset", "dict", "list", "tuple", "str", "int",
                                    "float", "bool", "bytes", "complex", "object")
} | {("datetime", name) for name in ("datetime", "date", "time", "timedelta", "timezone")} | {
    ("collections", "OrderedDict"), ("collections", "deque"), ("collections", "defaultdict")}


class SnapshotRefused(ValueError):
    """This snapshot is not used; the message says why."""


@dataclass(frozen=True)
class Snapshot:
    """A state folded up to ``seq``, whose record had ``hash``; ``unfinished``: the writer's
    count of commands started and not finished (``machine.runner``)."""

    seq: int
    hash: str
    state: State
    unfinished: dict[str, int]


def snapshot_path_for(ledger: Path) -> Path:
    """``<ledger>.snapshot``."""
    return ledger.with_name(ledger.name + ".snapshot")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA256 over the source of every module of ``machine`` (what the fold depends on)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_snapshot(
    ledger: Path, seq: int, record_hash: str, state: State, unfinished: dict[str, int]
) -> Path:
    """Write the snapshot of ``state`` (folded up to ``seq``, whose record hash is given)."""
    body = pickle.dumps((state, dict(unfinished)), protocol=5)
    header = {
        "format": SNAPSHOT_FORMAT, "seq": seq, "hash": record_hash, "code": code_fingerprint(),
        "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body),
    }
    path = snapshot_path_for(ledger)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(orjson.dumps(header) + b"\n")
            fh.write(body)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def read_snapshot(ledger: Path) -> Snapshot | None:
    """The snapshot beside ``ledger``: ``None`` when there is none, ``SnapshotRefused`` when
    it is stale, damaged or not a snapshot (its record hash is for the caller to check)."""
    path = snapshot_path_for(ledger)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise SnapshotRefused(f"cannot be opened ({error.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        file_size = os.fstat(fh.fileno()).st_size
        line = fh.readline(_MAX_HEADER)
        try:
            header = orjson.loads(line)
            seq, record_hash = int(header["seq"]), str(header["hash"])
            size, sha = int(header["bytes"]), str(header["sha256"])
            fmt, code = header["format"], header["code"]
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise SnapshotRefused("its header is not a snapshot's") from None
        if fmt != SNAPSHOT_FORMAT:
            raise SnapshotRefused(f"format {fmt!r}, not {SNAPSHOT_FORMAT}")
        if code != code_fingerprint():
            raise SnapshotRefused("written by other code of the machine (stale)")
        if len(line) + size != file_size:  # read nothing a forged header makes up
            raise SnapshotRefused("its body is damaged (size or SHA256)")
        body = fh.read(size + 1)
    if len(body) != size or hashlib.sha256(body).hexdigest() != sha:
        raise SnapshotRefused("its body is damaged (size or SHA256)")
    try:
        loaded = _SafeUnpickler(io.BytesIO(body)).load()
    except SnapshotRefused:
        raise
    except Exception as error:
        raise SnapshotRefused(f"its body cannot be read ({type(error).__name__})") from None
    match loaded:
        case (State() as state, dict() as unfinished) if state.last_seq == seq and all(
            isinstance(k, str) and isinstance(v, int) for k, v in unfinished.items()
        ):
            return Snapshot(seq, record_hash, state, unfinished)
    raise SnapshotRefused("its body is not the state folded up to its seq")


class _SafeUnpickler(pickle.Unpickler):
    """Builds the machine's data classes, pydantic models and enums, a few builtin types;
    refuses every other global (a function to call, a module's attribute)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _BUILTINS:
            return super().find_class(module, name)
        if module == "machine" or module.startswith("machine."):
            found = super().find_class(module, name)
            if isinstance(found, type) and (
                dataclasses.is_dataclass(found) or issubclass(found, (BaseModel, enum.Enum))
            ):
                return found
        raise SnapshotRefused(f"its body names {module}.{name}, which a state never holds")

