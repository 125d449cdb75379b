"""The JSONL file recorder: one writer (OS lock), verified on open, one write per batch.

Crash model (the LevelDB log-format idea: a log must survive a torn final write, and every
other kind of damage must be loud):

- An append encodes its whole batch first, then issues one ``write`` of all its lines and,
  with ``durability="fsync"`` (the default), ``fdatasync`` before returning. So a crash can
  only leave the file cut short somewhere inside the batch being written (or, after a power
  loss, zeroed pages inside it), and that batch was never acknowledged to anyone.
- Batches are framed (see :mod:`ledger.codec`): on open the writer verifies every complete
  line, and what follows the last complete batch (its whole first lines, a cut line, zero
  bytes a filesystem left after a crash) is a *torn tail*: truncated whole, and reported in
  :attr:`JsonlRecorder.repair`. A final batch that is complete and valid and only lacks its
  last newline is kept and the newline restored (also reported).
- Anything else (a complete line that fails a check anywhere, damage followed by a later
  batch, a ledger shorter than its head witness) is tamper: :class:`LedgerTampered`, and the
  file is left untouched for a human.
- After each acknowledged append the writer names its last record in the head witness
  ``<path>.head`` (:mod:`ledger.witness`), so cutting acknowledged lines off the end is caught.
- Opening does not verify the whole chain again: the writer's checkpoint ``<path>.checkpoint``
  (:mod:`ledger.checkpoint`) names the end of a prefix it verified before, with the ids and the
  index it built from it; when its anchor holds, only the bytes after it are read and
  verified (what that leaves unchecked until ``watcher replay`` is in ``docs/ledger.md``).

``durability="batch"`` skips the per-append ``fdatasync``: the bytes reach the OS page cache
before ``append`` returns, so they survive the process dying but not a power loss or a kernel
crash, which may lose the most recent appends (never corrupt earlier ones: a torn tail is
repaired as above). ``sync()`` and ``close()`` force them to disk.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

from .codec import (
    CHECKPOINT_EVERY,
    ChainState,
    TornTail,
    check_tail,
    encode_events,
    iter_records,
    read_chunks,
)
from .checkpoint import (
    Checkpoint,
    CheckpointRefused,
    anchor_problem,
    read_checkpoint,
    write_checkpoint,
)
from .errors import LedgerError, LedgerLocked
from .idset import EventIdSet
from .events import GENESIS_HASH, NewEvent, Record
from .recorder import BeforeWrite, Recorder, RepairReport, Validator, select_new
from .witness import Head, check_against_witness, read_witness, witness_path_for, write_witness

__all__ = ["JsonlRecorder", "lock_path_for", "witness_path_for"]

#: Opening flags shared by the ledger's files: a symlink planted in their place is refused.
_NOFOLLOW = os.O_NOFOLLOW | os.O_CLOEXEC

Durability = Literal["fsync", "batch"]

#: Records appended since the last checkpoint before the writer writes one when it closes
#: (so an open verifies at most about this many records after a clean close).
CHECKPOINT_SAVE_EVERY = 2000
#: While appending (``durability="fsync"``), the writer writes a checkpoint once the records
#: since the last one reach this fraction of the ledger (and CHECKPOINT_SAVE_EVERY): a
#: checkpoint rewrites every id's 16-byte digest, so this spacing keeps that to about
#: 16 * 8 = 128 bytes an appended record, and an open after a crash verifies at most about
#: an eighth of the ledger.
CHECKPOINT_GROWTH = 8


def _datasync(fd: int) -> None:
    # fdatasync is enough for an append: it flushes the data and the size needed to read it
    # back, without the inode's timestamps. Tests patch this function to count syncs.
    os.fdatasync(fd)


def _sync_dir(path: Path) -> None:
    # A new file's directory entry is only durable once the directory itself is synced.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lock_path_for(path: str | os.PathLike[str]) -> Path:
    """The lock file of a ledger: ``<path>.lock`` beside it."""
    p = Path(path)
    return p.with_name(p.name + ".lock")


def _acquire_lock(path: Path) -> int:
    """Take the exclusive writer lock or raise :class:`LedgerLocked`; return the lock fd.

    ``flock`` belongs to the open file description, so a second open in the same process is
    refused just like another process. The lock file is never deleted: unlinking a lock file
    lets two writers each lock a different inode.
    """
    lock_path = lock_path_for(path)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder: int | None = None
        try:
            text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            holder = int(text) if text.isdigit() else None
        finally:
            os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise LedgerLocked(str(path), str(lock_path), holder) from None
        raise
    # The pid is informational (for the error message of the next writer); the flock is
    # what excludes, so failing to write it (a full disk) must not keep the lock held.
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError:
        pass
    return fd


class JsonlRecorder(Recorder):
    """The ledger file's single writer.

    Opening takes ``<path>.lock`` (``LedgerLocked`` if another writer holds it), creates the
    file if needed, verifies it (``LedgerTampered`` on damage) and repairs a torn tail
    (:attr:`repair`). It keeps the set of stored ids in memory (idempotent appends; 16 bytes
    an id, :class:`ledger.idset.EventIdSet`) and a
    sparse seq -> byte offset index (``read(after_seq)`` starts near ``after_seq``).

    ``checkpoint=True`` (the default): start from the checkpoint beside the ledger when its
    anchor holds, verifying only what follows it (:attr:`verified_from` is the byte offset
    the open verified from; :attr:`checkpoint_note` says why a checkpoint was not used), and
    write checkpoints (:data:`CHECKPOINT_SAVE_EVERY`). ``checkpoint=False`` verifies the whole
    chain and writes none.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        durability: Durability = "fsync",
        validator: Validator | None = None,
        checkpoint: bool = True,
    ) -> None:
        if durability not in ("fsync", "batch"):
            raise ValueError(f"durability must be 'fsync' or 'batch', not {durability!r}")
        self.path = Path(path)
        self.durability: Durability = durability
        self._validator = validator
        self._use_checkpoint = checkpoint
        #: The seq the newest checkpoint (read or written) covers; -1 when none.
        self.checkpoint_seq = -1
        #: Why the checkpoint beside the ledger was not used (None: used, or there is none).
        self.checkpoint_note: str | None = None
        #: The byte offset the open verified from (0: the whole chain).
        self.verified_from = 0
        # (seq, byte offset after its line, hash) of the newest checkpoint's record: reads and
        # hash_at start there rather than up to CHECKPOINT_EVERY records before
        self._anchor: tuple[int, int, str] | None = None
        self._mutex = threading.Lock()
        self._fd = -1
        self._witness_fd = -1
        self._broken: str | None = None
        self.repair: RepairReport | None = None
        self._lock_fd = _acquire_lock(self.path)
        try:
            self._open()
        except BaseException:
            self._release()
            raise

    # -- opening -----------------------------------------------------------------------------

    def _open(self) -> None:
        created = not self.path.exists()
        # The witness is read before the ledger: it only ever names records already in it.
        head = read_witness(self.path)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | _NOFOLLOW, 0o644)
        if created:
            _sync_dir(self.path.parent)
        st = ChainState(str(self.path), ids=EventIdSet(), index=[])
        hash_at_head: str | None = None
        anchor = self._checkpoint() if self._use_checkpoint and not created else None
        if anchor is not None:
            st = ChainState(str(self.path), next_seq=anchor.seq + 1, last_hash=anchor.hash,
                            pos=anchor.offset, ids=anchor.ids, index=anchor.index)
            self.checkpoint_seq = anchor.seq
            self.verified_from = anchor.offset
            self._anchor = (anchor.seq, anchor.offset, anchor.hash)
            if head is not None and head.seq == anchor.seq:
                hash_at_head = anchor.hash
            elif head is not None and head.seq < anchor.seq:
                # A witness that lags behind the checkpoint (a crash with batch durability):
                # its record is in the trusted prefix, found through the index.
                hash_at_head = self._hash_in_prefix(head.seq, anchor)
        with os.fdopen(os.dup(self._fd), "rb") as fh:
            fh.seek(st.pos)
            for records in read_chunks(fh, st):
                if head is not None and records[0].seq <= head.seq <= records[-1].seq:
                    hash_at_head = records[head.seq - records[0].seq].hash
        size = st.pos + len(st.tail)
        tail = check_tail(st)
        if isinstance(tail, list) and head is not None and tail[0].seq <= head.seq:
            for record in tail:
                if record.seq == head.seq:
                    hash_at_head = record.hash
        # Nothing the witness names may be cut, not even as a "torn" tail.
        check_against_witness(self.path, head, st.committed_seq - 1, hash_at_head, size=size)
        if isinstance(tail, list):
            os.write(self._fd, b"\n")
            _datasync(self._fd)
            self.repair = RepairReport(
                truncated_bytes=0,
                at_seq=tail[-1].seq,
                detail="final line was complete but lacked its newline; newline restored",
            )
        elif isinstance(tail, TornTail):
            os.ftruncate(self._fd, tail.offset)
            _datasync(self._fd)
            self.repair = RepairReport(
                truncated_bytes=tail.length, at_seq=tail.at_seq, detail=tail.detail
            )
        self._state = st
        self._size = st.pos
        self._witness_fd = os.open(
            witness_path_for(self.path), os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644
        )
        if created:
            _sync_dir(self.path.parent)
        self._witness()

    def _checkpoint(self) -> Checkpoint | None:
        """The checkpoint beside the ledger if its anchor holds (else None, and why in
        :attr:`checkpoint_note`)."""
        try:
            size = os.fstat(self._fd).st_size
            found = read_checkpoint(self.path, max_bytes=size)
            if found is None:
                return None
            problem = anchor_problem(found, self._fd, size)
        except CheckpointRefused as refused:
            problem = str(refused)
        except OSError as error:
            problem = f"cannot be read ({error})"
        if problem is not None:
            self.checkpoint_note = f"checkpoint not used: {problem}; verifying the whole chain"
            return None
        return found

    def _hash_in_prefix(self, seq: int, anchor: Checkpoint) -> str | None:
        """The hash of record ``seq`` (at most the anchor's), read from the nearest index entry
        on (at most CHECKPOINT_EVERY records, verified as they are read)."""
        k = seq // CHECKPOINT_EVERY
        offset, prev = anchor.index[k]
        scan = ChainState(str(self.path), next_seq=k * CHECKPOINT_EVERY, last_hash=prev,
                          pos=offset)
        with os.fdopen(os.dup(self._fd), "rb") as fh:
            fh.seek(offset)
            for record in iter_records(fh, scan, end=anchor.offset):
                if record.seq == seq:
                    return record.hash
        return None

    def _save_checkpoint(self, due: int) -> None:
        """Write a checkpoint of everything appended if ``due`` records were appended since
        the last one. Best effort, like the witness: the ledger is what counts."""
        st = self._state
        last = st.next_seq - 1
        if not self._use_checkpoint or last < 0 or last - self.checkpoint_seq < due:
            return
        assert st.index is not None
        if not isinstance(st.ids, EventIdSet):
            return
        try:
            write_checkpoint(self.path, self._fd, seq=last, record_hash=st.last_hash,
                             offset=self._size, ids=st.ids, index=st.index)
        except OSError:
            return
        self.checkpoint_seq = last
        self._anchor = (last, self._size, st.last_hash)

    def _witness(self) -> None:
        """Name the newest acknowledged record in the head witness.

        Best effort: the batch is already durable, and a witness that lags behind the ledger
        is allowed (a full disk here must not turn a stored batch into a failed append).
        """
        if self._state.next_seq:
            try:
                write_witness(
                    self._witness_fd, Head(self._state.next_seq - 1, self._state.last_hash)
                )
            except OSError:
                pass

    # -- the Recorder interface --------------------------------------------------------------

    def _check_open(self) -> None:
        if self._fd < 0:
            raise LedgerError(f"ledger {self.path} is closed")
        if self._broken is not None:
            raise LedgerError(
                f"ledger {self.path} refuses appends after a failed write ({self._broken}); "
                "close it and open it again to re-verify the file"
            )

    def append(
        self, events: Sequence[NewEvent], before_write: BeforeWrite | None = None
    ) -> list[Record]:
        with self._mutex:
            self._check_open()
            st = self._state
            fresh = select_new(events, st.ids, self._validator)
            if not fresh:
                return []
            records, lines = encode_events(fresh, st)
            if before_write is not None:
                before_write(records)
            blob = b"".join(lines)
            self._write(blob)
            # Commit to memory only now that the bytes are in the file.
            offset = self._size
            assert st.ids is not None and st.index is not None
            for record, line in zip(records, lines):
                if record.seq % CHECKPOINT_EVERY == 0:
                    st.index.append((offset, record.prev))
                offset += len(line)
                st.ids.add(record.id)
            st.next_seq = records[-1].seq + 1
            st.last_hash = records[-1].hash
            st.pos = st.batch_pos = self._size = offset
            if self.durability == "fsync":
                self._witness()
                self._save_checkpoint(
                    max(CHECKPOINT_SAVE_EVERY, st.next_seq // CHECKPOINT_GROWTH))
            return records

    def _write(self, blob: bytes) -> None:
        """One write of the whole batch, then fdatasync; on failure, undo or refuse further."""
        start = self._size
        phase = "write"
        try:
            view = memoryview(blob)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            if self.durability == "fsync":
                phase = "fdatasync"
                _datasync(self._fd)
        except BaseException as exc:
            # Leave no partial batch behind for this process to append after.
            try:
                os.ftruncate(self._fd, start)
            except OSError as trunc_exc:
                self._broken = f"could not undo a partial write: {trunc_exc}"
            if phase == "fdatasync" and isinstance(exc, OSError):
                # After a failed fsync the kernel may have dropped the dirty pages: what is on
                # disk is unknown, so stop appending until the file is re-verified on open.
                self._broken = f"fdatasync failed: {exc}"
            if not isinstance(exc, OSError):
                raise
            raise LedgerError(f"append to {self.path} failed, nothing stored: {exc}") from exc

    def sync(self) -> None:
        """Force appended bytes to disk (useful with ``durability="batch"``)."""
        with self._mutex:
            self._check_open()
            _datasync(self._fd)
            self._witness()

    def read(self, after_seq: int = -1) -> Iterator[Record]:
        with self._mutex:
            self._check_open()
            st = self._state
            end = self._size
            start_seq = max(after_seq + 1, 0)
            assert st.index is not None
            k = min(start_seq // CHECKPOINT_EVERY, len(st.index) - 1)
            anchor = self._anchor
            if anchor is not None and k * CHECKPOINT_EVERY <= anchor[0] < start_seq:
                seq, offset, record_hash = anchor
                scan = ChainState(
                    str(self.path), next_seq=seq + 1, last_hash=record_hash, pos=offset
                )
            elif k >= 0:
                offset, prev = st.index[k]
                scan = ChainState(
                    str(self.path), next_seq=k * CHECKPOINT_EVERY, last_hash=prev, pos=offset
                )
            else:
                scan = ChainState(str(self.path))
        return self._read(scan, end, after_seq)

    def _read(self, scan: ChainState, end: int, after_seq: int) -> Iterator[Record]:
        # Verified again while reading: cheap, and it catches a file changed behind our back.
        with os.fdopen(os.open(self.path, os.O_RDONLY | _NOFOLLOW), "rb") as fh:
            fh.seek(scan.pos)
            for record in iter_records(fh, scan, end=end):
                if record.seq > after_seq:
                    yield record

    def last_seq(self) -> int:
        return self._state.next_seq - 1

    def hash_at(self, seq: int) -> str | None:
        anchor = self._anchor
        if seq == self.last_seq() and seq >= 0:
            return self._state.last_hash
        if anchor is not None and seq == anchor[0]:
            return anchor[2]
        return super().hash_at(seq)

    def last_hash(self) -> str:
        return self._state.last_hash if self._state.next_seq else GENESIS_HASH

    def __contains__(self, event_id: object) -> bool:
        ids = self._state.ids
        return ids is not None and event_id in ids

    def close(self) -> None:
        """Sync (always, whatever the durability), then release the file and the lock."""
        with self._mutex:
            if self._fd < 0:
                return
            try:
                if self._broken is None:
                    _datasync(self._fd)
                    self._witness()
                    self._save_checkpoint(CHECKPOINT_SAVE_EVERY)
            finally:
                self._release()

    def forget_in_child(self) -> None:
        # The flock belongs to the open file description the fork shares: closing the child's
        # copies leaves the parent's lock (and file) as they are, and a child that outlives
        # the writer does not keep the next writer out.
        for attr in ("_fd", "_witness_fd", "_lock_fd"):
            fd = getattr(self, attr)
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, attr, -1)
        self._broken = "this copy belongs to a forked handler worker, not the writer"

    def _release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._witness_fd >= 0:
            os.close(self._witness_fd)
            self._witness_fd = -1
        if self._lock_fd >= 0:
            # Closing the descriptor releases the flock.
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __del__(self) -> None:
        # A forgotten recorder must not keep the lock (and the daemon's ledger) forever.
        try:
            self._release()
        except Exception:
            pass
