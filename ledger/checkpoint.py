"""The writer's checkpoint: where its verified prefix ends, so that opening a long ledger does
not verify the whole chain again.

``<ledger>.checkpoint`` names one record (its seq, its hash and the byte offset just after
its line, the end of a batch) and holds what the writer's scan would have built from the
lines up to it: the stored ids (:class:`ledger.idset.EventIdSet`'s sorted digest arrays) and
the sparse seq -> offset index. It is written by the writer only, after the bytes it covers
are on disk (``fdatasync``), to a temporary file renamed into place; it is not synced itself
(a lost or torn checkpoint is only ignored).

On open the writer uses it only when every key holds (:func:`anchor_problem`): the format, the
body's SHA256, the file it was written for (device and inode: a ledger replaced by another
file, an editor's save or a restore, is verified in full), a file at least that long, and
the line that ends at that offset is a valid line (canonical, its own hash right, the end of
a batch) with that seq and that hash. Then it verifies only the bytes after the offset. The
chain before the anchor is trusted, not checked: see "What the writer's open does not check"
in ``docs/ledger.md`` for what a tamper of that prefix can do before ``watcher replay``, which
always verifies everything, reports it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import orjson

from .codec import CHECKPOINT_EVERY, CONTINUED, ChainState, decode_lines
from .idset import EventIdSet

__all__ = [
    "CHECKPOINT_FORMAT",
    "Checkpoint",
    "CheckpointRefused",
    "checkpoint_path_for",
    "write_checkpoint",
    "read_checkpoint",
    "anchor_problem",
]

CHECKPOINT_FORMAT = 1
#: A header line longer than this is not a checkpoint's.
_MAX_HEADER = 4096
#: The anchor line is read backwards from the offset in windows of this size, doubling.
_WINDOW = 1 << 16


class CheckpointRefused(ValueError):
    """This checkpoint is not used; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    """The writer's verified prefix: records up to ``seq`` (whose hash is ``hash``) end at byte
    ``offset`` of the file ``(dev, ino)``; their ``ids`` and ``index``."""

    seq: int
    hash: str
    offset: int
    dev: int
    ino: int
    ids: EventIdSet
    index: list[tuple[int, str]]


def checkpoint_path_for(ledger: str | os.PathLike[str]) -> Path:
    """``<ledger>.checkpoint`` beside the ledger."""
    p = Path(ledger)
    return p.with_name(p.name + ".checkpoint")


def write_checkpoint(
    ledger: Path, fd: int, *, seq: int, record_hash: str, offset: int, ids: EventIdSet,
    index: list[tuple[int, str]],
) -> None:
    """Write the checkpoint of the ledger open at ``fd`` (records up to ``seq`` end at
    ``offset``; they must already be on disk)."""
    st = os.fstat(fd)
    levels = ids.digest_levels()
    index_bytes = orjson.dumps(index)
    digest = hashlib.sha256(index_bytes)
    for level in levels:
        digest.update(level)
    header = {
        "format": CHECKPOINT_FORMAT, "seq": seq, "hash": record_hash, "offset": offset,
        "dev": st.st_dev, "ino": st.st_ino, "index_bytes": len(index_bytes),
        "levels": [len(level) for level in levels], "sha256": digest.hexdigest(),
    }
    path = checkpoint_path_for(ledger)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
                      0o644)
        with os.fdopen(out, "wb") as fh:
            fh.write(orjson.dumps(header) + b"\n")
            fh.write(index_bytes)
            for level in levels:
                fh.write(level)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_checkpoint(ledger: Path, *, max_bytes: int | None = None) -> Checkpoint | None:
    """The checkpoint beside ``ledger``: ``None`` when there is none, ``CheckpointRefused``
    when it is damaged or not a checkpoint (whether it fits the ledger is
    :func:`anchor_problem`'s question). ``max_bytes``: refuse a larger file unread (the writer
    passes the ledger's size: a checkpoint holds 16 bytes a record, far less than its line)."""
    path = checkpoint_path_for(ledger)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CheckpointRefused(f"cannot be opened ({error.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise CheckpointRefused("it is not a regular file")
        if max_bytes is not None and st.st_size > max_bytes:
            raise CheckpointRefused(f"it is {st.st_size} bytes, more than the ledger it covers")
        line = fh.readline(_MAX_HEADER)
        try:
            header = orjson.loads(line)
            if header["format"] != CHECKPOINT_FORMAT:
                raise CheckpointRefused(f"format {header['format']!r}, not {CHECKPOINT_FORMAT}")
            seq, offset = _natural(header["seq"]), _natural(header["offset"])
            dev, ino = _natural(header["dev"]), _natural(header["ino"])
            record_hash, sha = str(header["hash"]), str(header["sha256"])
            index_size = _natural(header["index_bytes"])
            sizes = [_natural(n) for n in header["levels"]]
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise CheckpointRefused("its header is not a checkpoint's") from None
        size = index_size + sum(sizes)
        if len(line) + size != st.st_size:  # read nothing a forged header makes up
            raise CheckpointRefused("its size is not the one its header names")
        body = fh.read(size + 1)
    if len(body) != size or hashlib.sha256(body).hexdigest() != sha:
        raise CheckpointRefused("its body is damaged (size or SHA256)")
    try:
        raw_index = orjson.loads(body[:index_size])
        index = [(_natural(off), str(prev)) for off, prev in raw_index]
        # slices of the body itself: a checkpoint's ids are in memory once, not three times
        view = memoryview(body)
        levels, at = [], index_size
        for n in sizes:
            levels.append(view[at : at + n])
            at += n
        ids = EventIdSet.from_digest_levels(levels)
    except (orjson.JSONDecodeError, TypeError, ValueError):
        raise CheckpointRefused("its body is not a checkpoint's") from None
    if len(ids) != seq + 1:
        raise CheckpointRefused(f"it holds {len(ids)} ids for {seq + 1} records")
    offsets = [off for off, _prev in index]
    if len(index) != seq // CHECKPOINT_EVERY + 1 or offsets[0] != 0 or offsets != sorted(
            set(offsets)) or offsets[-1] >= offset:
        raise CheckpointRefused(f"its index does not fit {seq + 1} records in {offset} bytes")
    return Checkpoint(seq, record_hash, offset, dev, ino, ids, index)


def anchor_problem(checkpoint: Checkpoint, fd: int, size: int) -> str | None:
    """Why ``checkpoint`` cannot serve the ledger open at ``fd`` (``size`` bytes), or None when
    its anchor holds: same file, at least ``offset`` bytes, and the line ending at ``offset``
    is a valid batch-ending line with the checkpoint's seq and hash. Reads only that line."""
    st = os.fstat(fd)
    if (st.st_dev, st.st_ino) != (checkpoint.dev, checkpoint.ino):
        return "it was written for another file (the ledger was replaced or copied)"
    if size < checkpoint.offset or checkpoint.offset < 2:
        return f"the ledger is {size} bytes, shorter than the {checkpoint.offset} it covers"
    line = _line_ending_at(fd, checkpoint.offset)
    if line is None:
        return f"no line ends at byte {checkpoint.offset}"
    if line.endswith(CONTINUED):
        return f"the line ending at byte {checkpoint.offset} does not end a batch"
    try:
        prev = orjson.loads(line).get("prev")
    except (orjson.JSONDecodeError, AttributeError):
        prev = None
    if not isinstance(prev, str):
        return f"the line ending at byte {checkpoint.offset} is not a record"
    st_chain = ChainState("", next_seq=checkpoint.seq, last_hash=prev)
    records = decode_lines([line], st_chain)
    if st_chain.error is not None or len(records) != 1:
        reason = st_chain.error.reason if st_chain.error is not None else "not a record"
        return f"the line ending at byte {checkpoint.offset} is not seq {checkpoint.seq}: {reason}"
    if records[0].hash != checkpoint.hash:
        return f"the record at seq {checkpoint.seq} is not the one it was written after"
    if records[0].id not in checkpoint.ids:
        return f"it does not hold the id of the record at seq {checkpoint.seq}"
    return None


def _line_ending_at(fd: int, offset: int) -> bytes | None:
    """The line whose newline is the byte before ``offset`` (without it), read backwards."""
    if os.pread(fd, 1, offset - 1) != b"\n":
        return None
    window = _WINDOW
    while True:
        start = max(offset - 1 - window, 0)
        chunk = os.pread(fd, offset - 1 - start, start)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            return chunk[cut + 1 :]
        if start == 0:
            return chunk
        window *= 2


def _natural(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ValueError("not a natural number")
    return value
