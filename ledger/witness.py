"""The head witness: a small file beside the ledger naming its newest acknowledged record.

A hash chain proves that no line was changed, but not that none was cut from the end: a
shorter ledger is a valid chain too. Certificate Transparency anchors a log with signed tree
heads; the ledger's anchor is ``<ledger>.head``, which the writer rewrites (in place, one
``pwrite``) after each acknowledged append with that record's seq and hash. A ledger that ends
before the witnessed seq, or holds another hash there, was cut or rewritten: readers and the
next writer report it as tamper. The witness is only ever behind the ledger, never ahead: it
is written after the batch is durable, and readers read it before the ledger.

What it does not detect (see ``docs/ledger.md``): someone who rewrites or deletes the witness
too. For that, keep a head elsewhere and check it with ``watcher replay --expect-head HASH``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from .errors import LedgerTampered

__all__ = [
    "Head",
    "WITNESS_BYTES",
    "witness_path_for",
    "read_witness",
    "write_witness",
    "check_against_witness",
]

#: The witness is always this long (padded with spaces), so an in-place rewrite never leaves
#: the end of a longer older head behind.
WITNESS_BYTES = 128

_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Head:
    """A ledger's newest acknowledged record, as the witness names it."""

    seq: int
    hash: str


def witness_path_for(path: str | os.PathLike[str]) -> Path:
    """The witness of a ledger: ``<path>.head`` beside it."""
    p = Path(path)
    return p.with_name(p.name + ".head")


def read_witness(ledger: str | os.PathLike[str]) -> Head | None:
    """The head the witness of ``ledger`` names; None when there is no witness (or it is empty:
    a writer stopped between creating it and its first write).

    A witness that does not parse is reported as tamper: the writer only ever writes whole
    fixed-size heads.
    """
    path = witness_path_for(ledger)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _bad(ledger, f"its witness {path.name} cannot be opened: {error}") from None
    try:
        raw = os.read(fd, WITNESS_BYTES + 1)
    finally:
        os.close(fd)
    if not raw.strip():
        return None
    try:
        obj = orjson.loads(raw)
        head = Head(int(obj["seq"]), str(obj["hash"]))
        if type(obj["seq"]) is not int or head.seq < 0 or not _HEX64.fullmatch(head.hash):
            raise ValueError("bad member")
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise _bad(ledger, f"its witness {path.name} is not a head written by a writer") from None
    return head


def write_witness(fd: int, head: Head) -> None:
    """Rewrite the witness open at ``fd`` to name ``head`` (one pwrite, no sync: the ledger is
    the durable copy; a witness lost to a power failure is only older, which is allowed)."""
    body = orjson.dumps({"hash": head.hash, "seq": head.seq})
    os.pwrite(fd, body.ljust(WITNESS_BYTES - 1) + b"\n", 0)


def check_against_witness(
    ledger: str | os.PathLike[str], head: Head | None, last_seq: int, hash_at_seq: str | None,
    *, size: int,
) -> None:
    """Raise :class:`LedgerTampered` if a ledger whose last complete record is ``last_seq``
    (and whose record at ``head.seq`` has ``hash_at_seq``) contradicts its witness ``head``."""
    if head is None:
        return
    name = witness_path_for(ledger).name
    if last_seq < head.seq:
        raise LedgerTampered(
            str(ledger), seq=last_seq + 1, line=last_seq + 2, offset=size,
            reason=(
                f"the ledger ends at seq {last_seq} but its witness {name} says seq {head.seq} "
                "was written and acknowledged: lines were cut from the end"
            ),
        )
    if hash_at_seq != head.hash:
        raise LedgerTampered(
            str(ledger), seq=head.seq, line=head.seq + 1, offset=-1,
            reason=(
                f"the record at seq {head.seq} is not the one its witness {name} names "
                f"({head.hash[:16]}...): the ledger was rewritten"
            ),
        )


def _bad(ledger: str | os.PathLike[str], reason: str) -> LedgerTampered:
    return LedgerTampered(str(ledger), seq=-1, line=0, offset=-1, reason=reason)
