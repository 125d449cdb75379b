"""The ledger's exceptions: one root, one class per way a ledger can refuse.

Callers that only care "did the ledger refuse?" catch :class:`LedgerError`; the CLI maps
:class:`LedgerTampered` to exit code 2 and :class:`LedgerLocked` to "a daemon holds it".
"""

from __future__ import annotations

__all__ = [
    "LedgerError",
    "LedgerTampered",
    "LedgerLocked",
    "EventRejected",
    "ArtifactMissing",
    "ArtifactCorrupt",
]


class LedgerError(Exception):
    """Root of every error raised by the ledger package."""


class LedgerTampered(LedgerError):
    """The ledger is damaged in a way a crash cannot explain; it is never repaired.

    A changed byte, a removed, duplicated or reordered line, a bad ``prev`` or a ``seq`` gap.
    ``seq`` is the seq the damaged line should have had, ``line`` its 1-based line number and
    ``offset`` the byte offset where it starts; ``reason`` says what check failed.
    """

    def __init__(
        self, path: str, *, seq: int, line: int, offset: int, reason: str
    ) -> None:
        self.path = path
        self.seq = seq
        self.line = line
        self.offset = offset
        self.reason = reason
        super().__init__(
            f"ledger {path} is tampered at line {line} (byte {offset}, expected seq {seq}): "
            f"{reason}"
        )


class LedgerLocked(LedgerError):
    """Another writer holds the ledger's lock; ``holder_pid`` is its pid when known."""

    def __init__(self, path: str, lock_path: str, holder_pid: int | None) -> None:
        self.path = path
        self.lock_path = lock_path
        self.holder_pid = holder_pid
        who = f"pid {holder_pid}" if holder_pid is not None else "an unknown process"
        super().__init__(
            f"ledger {path} is already open for writing by {who} (lock {lock_path}); "
            "only one writer at a time, readers need no lock"
        )


class EventRejected(LedgerError, ValueError):
    """An append was refused before anything was written (bad event data or validator veto).

    Also a ``ValueError`` so that callers validating input can treat it like pydantic's errors.
    """


class ArtifactMissing(LedgerError):
    """A referenced artifact is not in the store."""


class ArtifactCorrupt(LedgerError):
    """A stored artifact's size or SHA256 does not match its reference."""
