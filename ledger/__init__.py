"""The append-only, hash-chained event ledger and its artifact store.

The ledger is the system's only source of truth (see docs/architecture.md): one JSON object per
line, canonical orjson encoding, a SHA256 chain, dense ``seq``, idempotent appends by ``id``,
one writer at a time, torn-tail repair and loud tamper detection. This package imports only
the standard library, orjson and pydantic.

Modules: :mod:`ledger.events` (canonical encoding, NewEvent, Record, ArtifactRef), :mod:`ledger.witness`
(the head witness beside the ledger),
:mod:`ledger.codec` (encoding and the verifying decoder), :mod:`ledger.recorder` (the Recorder
interface, InMemoryRecorder), :mod:`ledger.jsonl` (JsonlRecorder), :mod:`ledger.checkpoint`
(the writer's verified prefix), :mod:`ledger.idset` (its id set), :mod:`ledger.reader`
(lock-free readers, follow, verify_ledger), :mod:`ledger.artifacts` (ArtifactStore),
:mod:`ledger.errors`.
"""

from .artifacts import ArtifactStore
from .codec import TornTail
from .errors import (
    ArtifactCorrupt,
    ArtifactMissing,
    EventRejected,
    LedgerError,
    LedgerLocked,
    LedgerTampered,
)
from .events import (
    GENESIS_HASH,
    TS_FORMAT,
    ArtifactRef,
    NewEvent,
    Record,
    canonical,
    format_ts,
    parse_ts,
)
from .jsonl import JsonlRecorder, lock_path_for
from .witness import Head, read_witness, witness_path_for
from .reader import (
    LedgerReader,
    ResumePoint,
    VerifyReport,
    follow,
    open_reader,
    read_ledger,
    verify_ledger,
)
from .recorder import InMemoryRecorder, Recorder, RepairReport, Validator

__all__ = [
    "GENESIS_HASH",
    "canonical",
    "format_ts",
    "parse_ts",
    "TS_FORMAT",
    "ArtifactRef",
    "NewEvent",
    "Record",
    "Recorder",
    "InMemoryRecorder",
    "JsonlRecorder",
    "RepairReport",
    "Validator",
    "lock_path_for",
    "Head",
    "read_witness",
    "witness_path_for",
    "LedgerReader",
    "open_reader",
    "ResumePoint",
    "read_ledger",
    "follow",
    "TornTail",
    "VerifyReport",
    "verify_ledger",
    "ArtifactStore",
    "LedgerError",
    "LedgerTampered",
    "LedgerLocked",
    "EventRejected",
    "ArtifactMissing",
    "ArtifactCorrupt",
]
