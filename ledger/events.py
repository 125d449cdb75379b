"""What goes into the ledger and what comes out: the canonical encoding and the record types.

- :class:`NewEvent` is what callers append (validated on construction, frozen).
- :class:`Record` is a stored line: the event plus ``seq``, ``prev`` and ``hash``.
- :func:`canonical` is the one encoding every hash in the system is computed over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple

import orjson
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

__all__ = [
    "GENESIS_HASH",
    "ENVELOPE_KEYS",
    "canonical",
    "format_ts",
    "parse_ts",
    "TS_FORMAT",
    "ArtifactRef",
    "NewEvent",
    "Record",
]

#: ``prev`` of the record with seq 0.
GENESIS_HASH = "0" * 64

#: The members of every line, in canonical (sorted) order.
ENVELOPE_KEYS = (
    "artifacts",
    "causation_id",
    "data",
    "hash",
    "id",
    "prev",
    "run_id",
    "seq",
    "ts",
    "type",
    "v",
)

_SORT_KEYS = orjson.OPT_SORT_KEYS
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def canonical(obj: Any) -> bytes:
    """Encode ``obj`` canonically: orjson, keys sorted at every depth, no whitespace.

    This is the only encoding hashes are computed over; two equal JSON values always give the
    same bytes. Note orjson writes NaN and infinities as ``null``: appends reject data that
    does not survive a round trip, so no stored hash depends on that.
    """
    return orjson.dumps(obj, option=_SORT_KEYS)


#: The ledger's timestamp: RFC 3339 UTC with microseconds and ``Z``, as ``strftime`` spells it.
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_ts(dt: datetime) -> str:
    """Format an aware datetime as the ledger's timestamp: RFC 3339 UTC, microseconds, ``Z``.

    The ledger never reads the clock itself (replay must be deterministic): callers pass the
    time in, and this is the one way to spell it.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("format_ts needs a timezone-aware datetime")
    return dt.astimezone(timezone.utc).strftime(TS_FORMAT)


def parse_ts(ts: str) -> datetime:
    """The aware UTC datetime of a ledger timestamp (``ValueError`` if ``ts`` is not one);
    ``parse_ts(format_ts(dt)) == dt`` for every aware ``dt``."""
    return datetime.strptime(ts, TS_FORMAT).replace(tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class ArtifactRef:
    """A reference to a content-addressed artifact: a label, its SHA256 (hex) and size."""

    name: str
    sha256: str
    bytes: int

    def __post_init__(self) -> None:
        # Checked here so that a reference read back from a ledger can never point outside
        # the artifact store (the digest becomes a path) or carry a nonsense size.
        if type(self.name) is not str or not self.name:
            raise ValueError("artifact name must be a non-empty string")
        if type(self.sha256) is not str or not _HEX64.fullmatch(self.sha256):
            raise ValueError(f"artifact sha256 must be 64 lowercase hex digits: {self.sha256!r}")
        if type(self.bytes) is not int or self.bytes < 0:
            raise ValueError(f"artifact size must be a non-negative int: {self.bytes!r}")

    def as_json(self) -> dict[str, Any]:
        """The JSON object stored in a line's ``artifacts`` list."""
        return {"name": self.name, "sha256": self.sha256, "bytes": self.bytes}


class NewEvent(BaseModel):
    """An event to append: everything of a line except ``seq``, ``prev`` and ``hash``.

    ``ts`` is RFC 3339 UTC with microseconds and ``Z`` (see :func:`format_ts`); ``data`` must
    be JSON-native (dict/list/str/int/float/bool/None, finite floats, str keys) and is what the
    machine's pydantic model for ``type``/``v`` validates.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: StrictStr = Field(min_length=1)
    type: StrictStr = Field(min_length=1)
    v: StrictInt = Field(default=1, ge=1)
    ts: StrictStr
    run_id: StrictStr | None = None
    causation_id: StrictStr | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    artifacts: tuple[ArtifactRef, ...] = ()

    @field_validator("ts")
    @classmethod
    def _check_ts(cls, value: str) -> str:
        if not _TS.fullmatch(value):
            raise ValueError("ts must look like 2026-11-25T10:00:00.000000Z (UTC, microseconds)")
        parse_ts(value)  # the pattern admits month 13; the calendar does not
        return value


class Record(NamedTuple):
    """One stored line of the ledger.

    A named tuple rather than a pydantic model on purpose: replay builds a million of these,
    and a tuple is built in a fraction of the time (see ``benchmarks/ledger_bench.py``).
    It is immutable; treat ``data`` as read-only too.
    """

    seq: int
    id: str
    type: str
    v: int
    ts: str
    run_id: str | None
    causation_id: str | None
    data: dict[str, Any]
    artifacts: tuple[ArtifactRef, ...]
    prev: str
    hash: str

    def envelope(self) -> dict[str, Any]:
        """The JSON object of the line, ``hash`` included."""
        return {
            "seq": self.seq,
            "id": self.id,
            "type": self.type,
            "v": self.v,
            "ts": self.ts,
            "run_id": self.run_id,
            "causation_id": self.causation_id,
            "data": self.data,
            "artifacts": [a.as_json() for a in self.artifacts],
            "prev": self.prev,
            "hash": self.hash,
        }

    def to_line(self) -> bytes:
        """The exact bytes of the stored line, newline included."""
        return canonical(self.envelope()) + b"\n"

    def as_new_event(self) -> NewEvent:
        """The event this record stores (for copying events into another ledger)."""
        return NewEvent(
            id=self.id,
            type=self.type,
            v=self.v,
            ts=self.ts,
            run_id=self.run_id,
            causation_id=self.causation_id,
            data=self.data,
            artifacts=self.artifacts,
        )
