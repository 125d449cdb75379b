"""The one recorder interface, and the in-memory backend.

Borrowed from ``eventsourcing``: a thin recorder interface with one contract test suite that
every backend subclasses (``tests/ledger/test_recorder_contract.py``). Both backends share the
encoder and the verifying decoder of :mod:`ledger.codec`, so an in-memory ledger produces the
same records, hashes and errors as a file, byte for byte.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any, Callable

from .codec import ChainState, decode_lines, encode_events
from .errors import EventRejected, LedgerError
from .events import GENESIS_HASH, NewEvent, Record

__all__ = ["Validator", "BeforeWrite", "RepairReport", "Recorder", "InMemoryRecorder"]

#: ``validator(type, v, data)`` raises ValueError for an unknown type/version or bad data.
Validator = Callable[[str, int, dict[str, Any]], None]
#: ``before_write(records)``: see :meth:`Recorder.append`.
BeforeWrite = Callable[[list[Record]], None]


@dataclass(frozen=True)
class RepairReport:
    """What opening a ledger repaired (only ever a torn final line).

    ``truncated_bytes`` is how many bytes were cut off (0 when the final line was complete and
    only its newline was restored), ``at_seq`` the seq of the affected line. The writer should
    record it as a ``LedgerRepaired`` event so the repair itself is in the audit trail.
    """

    truncated_bytes: int
    at_seq: int
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-native data (for a ``LedgerRepaired`` event)."""
        return asdict(self)


def select_new(
    events: Sequence[NewEvent], known: Any, validator: Validator | None
) -> list[NewEvent]:
    """The events of a batch still to store, in order, after dedupe and validation.

    An id already stored (``id in known``) or repeated earlier in the same batch is skipped:
    a retried append is a no-op. Every remaining event is validated before anything is
    encoded, so a bad event refuses the whole batch.
    """
    if isinstance(events, (NewEvent, str, bytes)) or not isinstance(events, Sequence):
        raise TypeError("append() takes a sequence of NewEvent")
    fresh: list[NewEvent] = []
    seen: set[str] = set()
    for event in events:
        if not isinstance(event, NewEvent):
            raise TypeError(f"append() takes NewEvent items, got {type(event).__name__}")
        if event.id in known or event.id in seen:
            continue
        seen.add(event.id)
        fresh.append(event)
    if validator is not None:
        for event in fresh:
            try:
                validator(event.type, event.v, event.data)
            except ValueError as exc:
                raise EventRejected(
                    f"event {event.id!r} ({event.type} v{event.v}) rejected: {exc}"
                ) from exc
    return fresh


class Recorder(ABC):
    """An append-only, hash-chained event store with idempotent appends.

    ``append`` stores a batch in order (all of it or, on error, none of it), skipping events
    whose ``id`` is already stored; ``read`` streams records after a seq; both backends pass
    the same contract tests. A recorder is a context manager that closes itself.
    """

    #: Set by backends that repair on open (only :class:`JsonlRecorder` does); else None.
    repair: RepairReport | None = None

    @abstractmethod
    def append(
        self, events: Sequence[NewEvent], before_write: BeforeWrite | None = None
    ) -> list[Record]:
        """Append ``events`` atomically and in order; return only the newly stored records.

        Raises :class:`EventRejected` (nothing stored) when an event fails validation or
        its data is not JSON-native. ``before_write(records)`` is called with the records
        exactly as they will be stored, before anything is written: if it raises, nothing is
        stored and the error propagates (the writer folds them there, and so never stores
        what its fold refuses, without folding a copy first).
        """

    @abstractmethod
    def read(self, after_seq: int = -1) -> Iterator[Record]:
        """Records with ``seq > after_seq``, oldest first, as stored when ``read`` was called."""

    @abstractmethod
    def last_seq(self) -> int:
        """Seq of the newest record; -1 when empty."""

    @abstractmethod
    def last_hash(self) -> str:
        """Hash of the newest record; :data:`GENESIS_HASH` when empty."""

    @abstractmethod
    def __contains__(self, event_id: object) -> bool:
        """Whether an event with this id is stored."""

    def hash_at(self, seq: int) -> str | None:
        """The hash of the record ``seq``; None when there is none."""
        record = next(iter(self.read(after_seq=seq - 1)), None)
        return record.hash if record is not None and record.seq == seq else None

    @abstractmethod
    def close(self) -> None:
        """Release resources (the JSONL writer's lock); further appends and reads fail."""

    def forget_in_child(self) -> None:
        """In a process forked from the writer (a handler worker): drop this copy's hold on
        the ledger without syncing or unlocking anything, so that the child can never append
        and never keeps the writer's lock alive after the writer is gone."""

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class InMemoryRecorder(Recorder):
    """A recorder that keeps the canonical lines in memory (tests, dry runs, scratch ledgers).

    It stores the encoded lines, not the records, and decodes them on every read, so a caller
    mutating a record's ``data`` cannot change what the next reader sees (as with a file).
    """

    def __init__(self, *, validator: Validator | None = None) -> None:
        self._validator = validator
        self._lines: list[bytes] = []
        self._hashes: list[str] = []
        self._ids: set[str] = set()
        self._lock = threading.Lock()
        self._closed = False

    def _check_open(self) -> None:
        if self._closed:
            raise LedgerError("recorder is closed")

    def append(
        self, events: Sequence[NewEvent], before_write: BeforeWrite | None = None
    ) -> list[Record]:
        with self._lock:
            self._check_open()
            fresh = select_new(events, self._ids, self._validator)
            if not fresh:
                return []
            st = ChainState("<memory>", next_seq=len(self._lines), last_hash=self.last_hash())
            records, lines = encode_events(fresh, st)
            if before_write is not None:
                before_write(records)
            self._lines.extend(line[:-1] for line in lines)
            self._hashes.extend(r.hash for r in records)
            self._ids.update(r.id for r in records)
            return records

    def read(self, after_seq: int = -1) -> Iterator[Record]:
        self._check_open()
        # Snapshot now: later appends are not part of this read.
        start = min(max(after_seq + 1, 0), len(self._lines))
        lines = self._lines[start:]
        prev = self._hashes[start - 1] if start > 0 else GENESIS_HASH
        return self._decode(lines, ChainState("<memory>", next_seq=start, last_hash=prev))

    @staticmethod
    def _decode(lines: list[bytes], st: ChainState) -> Iterator[Record]:
        records = decode_lines(lines, st)
        yield from records
        if st.error is not None:  # pragma: no cover - nothing else writes these lines
            raise st.error

    def last_seq(self) -> int:
        return len(self._lines) - 1

    def last_hash(self) -> str:
        return self._hashes[-1] if self._hashes else GENESIS_HASH

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def close(self) -> None:
        self._closed = True

    def dump(self) -> bytes:
        """The ledger as the bytes a JSONL file with the same events would hold."""
        return b"".join(line + b"\n" for line in self._lines)
