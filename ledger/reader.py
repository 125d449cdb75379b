"""Lock-free readers: a verifying stream, a tailing follower, and a one-call verification.

Readers never take the writer's lock and never modify the file. They may run while a writer
appends: a final batch without its last line (or a line without its newline) is either a write
still in progress or a crash's torn tail; readers skip it (``torn_tail``) rather than fail, and
``follow`` waits for the rest. A reader checks the ledger against its head witness
(:mod:`ledger.witness`), read before the ledger so that a writer racing ahead cannot make an
intact ledger look cut.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .artifacts import ArtifactStore
from .codec import ChainState, TornTail, check_tail, read_chunks
from .errors import ArtifactCorrupt, ArtifactMissing, LedgerError
from .events import GENESIS_HASH, ArtifactRef, Record
from .witness import Head, check_against_witness, read_witness

__all__ = [
    "LedgerReader",
    "open_reader",
    "read_ledger",
    "ResumePoint",
    "follow",
    "VerifyReport",
    "verify_ledger",
]


@dataclass(frozen=True)
class ResumePoint:
    """Where a finished read stood at its last complete batch: a later read given it reads
    only what was appended since (``read_ledger(path, resume=...)``)."""

    pos: int
    next_seq: int
    last_hash: str


class LedgerReader:
    """A streaming, verifying iterator over a ledger file's records (no lock taken).

    Iterate it once. Raises :class:`LedgerTampered` at the first damaged line (after yielding
    the good records before it). When the iteration ends, ``torn_tail`` describes a skipped
    torn final segment (or is None), and ``events``, ``last_seq`` and ``last_hash`` describe the
    valid part. A final line that is valid and only lacks its newline is yielded (a writer
    opening the file keeps it too).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        verify: bool = True,
        after_seq: int = -1,
        witness: bool = True,
        resume: ResumePoint | None = None,
    ) -> None:
        """``resume``: start where an earlier read of this file ended (its chain, verified
        then, is taken as it was; the witness is not checked)."""
        self.path = Path(path)
        self._resume = resume
        #: Where this read ended (at its last complete batch), to resume from later.
        self.resume_point: ResumePoint | None = None
        if resume is not None:
            witness = False
        self.verify = verify
        self.after_seq = after_seq
        self.torn_tail: TornTail | None = None
        self.events = 0
        self.last_seq = -1
        self.last_hash = GENESIS_HASH
        #: The head witness checked at the end (None: no witness, or ``witness=False``).
        self.head: Head | None = read_witness(self.path) if witness and verify else None
        # Open now, so a missing ledger fails at the call, not at the first next().
        self._fh = os.fdopen(
            os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb"
        )
        self._it = self._run()

    def _run(self) -> Generator[Record, None, None]:
        start = self._resume
        if start is None:
            st = ChainState(str(self.path))
        else:
            st = ChainState(str(self.path), next_seq=start.next_seq, last_hash=start.last_hash,
                            pos=start.pos)
            self._fh.seek(start.pos)
            self.resume_point = start
        after = self.after_seq
        head = self.head
        hash_at_head: str | None = None
        try:
            for records in read_chunks(self._fh, st, verify=self.verify):
                if head is not None and records[0].seq <= head.seq <= records[-1].seq:
                    hash_at_head = records[head.seq - records[0].seq].hash
                if records[0].seq > after:
                    yield from records
                elif records[-1].seq > after:
                    yield from records[after + 1 - records[0].seq :]
                self._note(st)
                self.resume_point = ResumePoint(st.batch_pos, st.committed_seq, st.committed_hash)
            size = st.pos + len(st.tail)
            tail = check_tail(st, verify=self.verify)
            if isinstance(tail, list):
                self._note(st)
                if head is not None and tail[0].seq <= head.seq <= tail[-1].seq:
                    hash_at_head = tail[head.seq - tail[0].seq].hash
                yield from (r for r in tail if r.seq > after)
            elif tail is not None:
                self.torn_tail = tail
            check_against_witness(self.path, head, self.last_seq, hash_at_head, size=size)
        finally:
            self._fh.close()

    def _note(self, st: ChainState) -> None:
        self.events = st.committed_seq
        self.last_seq = st.committed_seq - 1
        self.last_hash = st.committed_hash

    def __iter__(self) -> Iterator[Record]:
        # The generator itself, so a for loop does not pay a Python-level __next__ per record.
        return self._it

    def __next__(self) -> Record:
        return next(self._it)

    def close(self) -> None:
        """Stop early and close the file."""
        self._it.close()
        self._fh.close()

    def __del__(self) -> None:
        # A reader dropped before its first next() never ran the generator's cleanup.
        fh = getattr(self, "_fh", None)
        if fh is not None:
            fh.close()

    def __enter__(self) -> LedgerReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_reader(
    path: str | os.PathLike[str], *, verify: bool = True, after_seq: int = -1
) -> LedgerReader:
    """A :class:`LedgerReader` over ``path`` (records with ``seq > after_seq``).

    The whole chain is verified from seq 0 even when ``after_seq`` skips records: a chain can
    only be trusted from its start.
    """
    return LedgerReader(path, verify=verify, after_seq=after_seq)


def read_ledger(
    path: str | os.PathLike[str], *, verify: bool = True, resume: ResumePoint | None = None
) -> LedgerReader:
    """Stream the records of ``path``, verifying the chain (``verify=False``: parse only).

    Returns the :class:`LedgerReader` itself so that ``torn_tail`` can be inspected after the
    loop. Memory stays at about one 1 MiB chunk however long the ledger is. ``resume``: the
    ``resume_point`` of an earlier read of this file, to read only what came after it.
    """
    return LedgerReader(path, verify=verify, resume=resume)


def follow(
    path: str | os.PathLike[str],
    *,
    after_seq: int = -1,
    poll_interval: float = 0.2,
    stop: threading.Event | None = None,
) -> Iterator[Record]:
    """Yield the records of ``path`` with ``seq > after_seq``, then new ones as they arrive.

    Polls every ``poll_interval`` seconds; a line without its newline yet is a write in
    progress and is waited for, never half-read. Verifies the chain throughout (raises
    :class:`LedgerTampered`); raises :class:`LedgerError` if the file shrinks below what was
    verified or is replaced. Returns when ``stop`` is set (checked between records and while
    idle); runs until closed when ``stop`` is None. Waits for the file if it does not exist yet.
    """
    path = Path(path)
    st = ChainState(str(path))

    def idle() -> bool:
        if stop is not None:
            return stop.wait(poll_interval)
        time.sleep(poll_interval)
        return False

    fh = None
    try:
        while fh is None:
            if stop is not None and stop.is_set():
                return
            try:
                fh = os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb")
            except FileNotFoundError:
                if idle():
                    return
        inode = os.fstat(fh.fileno()).st_ino
        while True:
            if stop is not None and stop.is_set():
                return
            # Re-read from the end of the last complete line: the partial tail seen last time
            # is read again whole (a repaired torn tail is simply gone).
            fh.seek(st.pos)
            progressed = False
            for records in read_chunks(fh, st):
                progressed = True
                for record in records:
                    if record.seq > after_seq:
                        yield record
                    if stop is not None and stop.is_set():
                        return
            if progressed:
                continue
            size = os.fstat(fh.fileno()).st_size
            if st.batch_pos <= size < st.pos:
                # An incomplete batch we were holding was cut off by a writer's repair.
                st.next_seq, st.last_hash = st.committed_seq, st.committed_hash
                st.pos, st.held, st.held_sizes = st.batch_pos, [], []
                continue
            if size < st.pos:
                raise LedgerError(
                    f"ledger {path} shrank to {size} bytes below the {st.pos} bytes already "
                    "verified"
                )
            try:
                if os.stat(path).st_ino != inode:
                    raise LedgerError(f"ledger {path} was replaced by another file")
            except FileNotFoundError:
                raise LedgerError(f"ledger {path} was removed") from None
            if idle():
                return
    finally:
        if fh is not None:
            fh.close()


@dataclass(frozen=True)
class VerifyReport:
    """The result of :func:`verify_ledger`.

    ``events`` valid records, the last one's ``last_seq``/``last_hash`` (-1 and the genesis
    hash when empty), a skipped ``torn_tail``, how many distinct artifact references were
    checked and which were missing or did not match.
    """

    path: str
    events: int
    last_seq: int
    last_hash: str
    torn_tail: TornTail | None
    artifacts_checked: int
    missing_artifacts: tuple[ArtifactRef, ...]
    bad_artifacts: tuple[ArtifactRef, ...]

    @property
    def ok(self) -> bool:
        """No torn tail and every referenced artifact present and intact."""
        return self.torn_tail is None and not self.missing_artifacts and not self.bad_artifacts


def verify_ledger(
    path: str | os.PathLike[str], artifacts: ArtifactStore | None = None
) -> VerifyReport:
    """Verify the whole chain of ``path`` and, given a store, every referenced artifact.

    Tamper raises :class:`LedgerTampered` (there is no meaningful report past it); a torn tail
    and artifact problems are reported in the :class:`VerifyReport`.
    """
    reader = read_ledger(path)
    refs: dict[tuple[str, int], ArtifactRef] = {}
    for record in reader:
        if artifacts is not None:
            for ref in record.artifacts:
                refs.setdefault((ref.sha256, ref.bytes), ref)
    missing: list[ArtifactRef] = []
    bad: list[ArtifactRef] = []
    if artifacts is not None:
        for ref in refs.values():
            try:
                artifacts.verify(ref)
            except ArtifactMissing:
                missing.append(ref)
            except ArtifactCorrupt:
                bad.append(ref)
    return VerifyReport(
        path=str(path),
        events=reader.events,
        last_seq=reader.last_seq,
        last_hash=reader.last_hash,
        torn_tail=reader.torn_tail,
        artifacts_checked=len(refs),
        missing_artifacts=tuple(missing),
        bad_artifacts=tuple(bad),
    )
