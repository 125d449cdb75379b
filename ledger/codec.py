"""Encoding lines for append and decoding + verifying them on read: the ledger's hot loop.

Every reader (the writer's scan on open, ``read()``, ``read_ledger``, ``follow``) goes through
:func:`decode_lines`, so there is exactly one definition of "a valid line".

How a line is verified without building the hashed form from scratch
--------------------------------------------------------------------
The hash is SHA256 of ``canonical(record without "hash")``. Rather than copying the parsed dict,
dropping ``hash`` and encoding again, the reader proves the line itself is canonical and then
hashes the line's own bytes with the ``hash`` member cut out:

1. ``canonical(parsed) == line``: the line is the canonical encoding of its content (this also
   rejects whitespace, other key orders, other escapes or number spellings, duplicate keys).
2. In a canonical encoding of a flat-topped object, removing one top-level member removes
   exactly the bytes ``,"hash":"<value>"`` (``hash`` is never the first key: ``artifacts``
   sorts before it). So ``line`` minus that member equals ``canonical(record without hash)``.
3. That member is the *last* occurrence of ``,"hash":"`` in the line: every member after it
   (``id``, ``prev``, ``run_id``, ``seq``, ``ts``, ``type``, ``v``) is checked to be a string,
   an int or null, and a JSON string cannot contain a raw ``"`` (it is escaped), so no nested
   ``"hash"`` key can follow the top-level one.

If any assumption failed the cut would be wrong and the digest would not match, so a wrong cut
can only ever reject, never accept. ``benchmarks/ledger_bench.py`` measures the gain against
re-encoding: small (about 4% of a replay), because orjson encodes a record in ~0.25 us; most of
a replay's cost over the raw floor is the canonical check and building the Record.

Batches: the unit of recovery
-----------------------------
An append is a batch, written in one ``write``. Every line of a batch except its last ends
with :data:`CONTINUED` (one space) before the newline; a batch's last line, and so every
single-line batch, is a plain canonical line (ledgers written before batches were framed read
as single-line batches). The space is outside the hashed bytes: it says where batches end,
nothing about content. Readers hand out a batch's records only once its last line has been
read; lines of a batch whose last line is missing are held back (:attr:`ChainState.held`) and,
at the end of the file, become part of the torn tail (LevelDB drops an incomplete logical
record the same way), so a crash can never leave half of a batch behind.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import itemgetter
from typing import IO, TYPE_CHECKING, Any

import orjson

from .errors import EventRejected, LedgerTampered
from .events import ENVELOPE_KEYS, GENESIS_HASH, ArtifactRef, NewEvent, Record, canonical

if TYPE_CHECKING:
    from .idset import EventIdSet

__all__ = [
    "CHECKPOINT_EVERY",
    "CONTINUED",
    "MAX_TORN_BATCH",
    "ChainState",
    "TornTail",
    "decode_lines",
    "read_chunks",
    "iter_records",
    "check_tail",
    "encode_events",
]

#: The writer remembers the byte offset of every CHECKPOINT_EVERY-th record so that
#: ``read(after_seq)`` can start near ``after_seq`` instead of at byte 0.
CHECKPOINT_EVERY = 1024

#: Ends every line of a batch but its last, just before the newline.
CONTINUED = b" "

#: Zeroed pages left by a power loss start on a sector boundary and span a sector at least.
_SECTOR = 512

#: The most bytes a damaged final batch may span and still be read as a crash (zeroed pages of
#: a write that was never acknowledged); more than this after the damage is tamper.
MAX_TORN_BATCH = 64 << 20

_HASH_MEMBER = b',"hash":"'
# len(',"hash":"') + 64 hex digits + closing quote
_HASH_MEMBER_LEN = len(_HASH_MEMBER) + 64 + 1
_CHUNK = 1 << 20
_ARTIFACT_KEYS = frozenset(("name", "sha256", "bytes"))
_ENVELOPE_KEYSET = frozenset(ENVELOPE_KEYS)
# Record's field order, as envelope keys.
_RECORD_ORDER = (
    "seq", "id", "type", "v", "ts", "run_id", "causation_id", "data", "artifacts", "prev", "hash"
)
_ID = itemgetter(1)


class ChainState:
    """Where a verifying scan stands: next expected seq, hash to chain to, byte offset.

    ``ids`` and ``index`` are filled only when given (the writer needs them, readers do not).
    ``error`` holds a :class:`LedgerTampered` found in the middle of a chunk, so the records
    before it can still be handed out before it is raised.
    """

    __slots__ = (
        "next_seq", "last_hash", "pos", "ids", "index", "error", "tail", "path",
        "held", "held_sizes", "batch_pos", "damage",
    )

    def __init__(
        self,
        path: str,
        *,
        next_seq: int = 0,
        last_hash: str = GENESIS_HASH,
        pos: int = 0,
        ids: EventIdSet | set[str] | None = None,
        index: list[tuple[int, str]] | None = None,
    ) -> None:
        self.path = path
        self.next_seq = next_seq
        self.last_hash = last_hash
        self.pos = pos
        self.ids = ids
        # index[k] = (byte offset of seq k*CHECKPOINT_EVERY, its prev)
        self.index = index
        self.error: LedgerTampered | None = None
        self.tail = b""
        # Verified records of a batch whose last line has not been read yet, and their lines'
        # sizes (newlines included); batch_pos is where that batch starts (== pos when none is
        # held).
        self.held: list[Record] = []
        self.held_sizes: list[int] = []
        self.batch_pos = pos
        # Why the bytes from pos to the end are a crash's leftovers (see read_chunks).
        self.damage: str | None = None

    @property
    def committed_seq(self) -> int:
        """The seq after the last complete batch."""
        return self.next_seq - len(self.held)

    @property
    def committed_hash(self) -> str:
        """The hash of the last record of the last complete batch."""
        return self.held[0].prev if self.held else self.last_hash

    def copy(self) -> ChainState:
        """A copy that shares nothing mutable (used to try a tail without committing)."""
        return ChainState(
            self.path, next_seq=self.next_seq, last_hash=self.last_hash, pos=self.pos
        )


@dataclass(frozen=True)
class TornTail:
    """A final segment without its newline that is not a valid record (a crash mid-write).

    ``offset`` is where it starts (the file is valid up to there), ``length`` its size in bytes
    and ``at_seq`` the seq the record would have had.
    """

    offset: int
    length: int
    at_seq: int
    detail: str


def _tamper(st: ChainState, reason: str) -> LedgerTampered:
    return LedgerTampered(
        st.path, seq=st.next_seq, line=st.next_seq + 1, offset=st.pos, reason=reason
    )


def _artifacts(raw: list[Any]) -> tuple[ArtifactRef, ...]:
    out = []
    for item in raw:
        if type(item) is not dict or item.keys() != _ARTIFACT_KEYS:
            raise ValueError("an artifact reference must be {name, sha256, bytes}")
        out.append(ArtifactRef(item["name"], item["sha256"], item["bytes"]))
    return tuple(out)


def _shape_problem(obj: Any) -> str:
    if type(obj) is not dict:
        return "line is not a JSON object"
    missing = [k for k in ENVELOPE_KEYS if k not in obj]
    extra = sorted(k for k in obj if k not in _ENVELOPE_KEYSET)
    if missing:
        return f"envelope member(s) {', '.join(map(repr, missing))} missing"
    if extra:
        return f"unexpected envelope member(s) {', '.join(map(repr, extra))}"
    return "line is not in canonical encoding: members out of order (its bytes were changed)"


def _bad_types(
    rseq: Any, rid: Any, rtype: Any, v: Any, ts: Any, run_id: Any, cause: Any,
    data: Any, arts: Any, prev: Any, h: Any,
) -> bool:
    return (
        type(rseq) is not int
        or type(rid) is not str
        or type(rtype) is not str
        or type(v) is not int
        or type(ts) is not str
        or type(h) is not str
        or type(prev) is not str
        or not (run_id is None or type(run_id) is str)
        or not (cause is None or type(cause) is str)
        or type(data) is not dict
        or type(arts) is not list
    )


def _decode_verified(lines: list[bytes], st: ChainState, out: list[Record]) -> tuple[str, int]:
    """The hot loop: decode and fully verify.

    Returns "" or the reason of the first bad line, and how many of the records in ``out``
    end with a batch's last line (the rest belong to a batch not yet complete).
    """
    # Everything is a local: this loop runs a million times in a replay. Per-line bookkeeping
    # (byte offsets, the id set, the index) is done after the loop, at C speed.
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    dumps = orjson.dumps
    sort = orjson.OPT_SORT_KEYS
    sha256 = hashlib.sha256
    new_record = tuple.__new__
    member = _HASH_MEMBER
    mlen = _HASH_MEMBER_LEN
    keys = ENVELOPE_KEYS
    append = out.append
    seq = st.next_seq
    last = st.last_hash
    reason = ""
    continued = CONTINUED
    ends = 0
    count = 0
    for line in lines:
        if line.endswith(continued):
            line = line[:-1]
        else:
            ends = count + 1
        try:
            obj = loads(line)
        except decode_error:
            reason = "line is not valid JSON"
            break
        # orjson keeps the document's member order, so this checks the member names and,
        # for a canonical line, their order; then the values unpack by position.
        if type(obj) is not dict or tuple(obj) != keys:
            reason = _shape_problem(obj)
            break
        arts, cause, data, h, rid, prev, run_id, rseq, ts, rtype, v = obj.values()
        if rseq != seq:
            reason = f"seq is {rseq!r}, expected {seq} (a line is missing, duplicated or reordered)"
            break
        if prev != last:
            reason = (
                "prev does not match the hash of the previous line"
                " (a line was changed, removed or reordered)"
            )
            break
        if (
            type(rseq) is not int
            or type(rid) is not str
            or type(rtype) is not str
            or type(v) is not int
            or type(ts) is not str
            or type(h) is not str
            or not (run_id is None or type(run_id) is str)
            or not (cause is None or type(cause) is str)
            or type(data) is not dict
            or type(arts) is not list
        ):
            reason = "an envelope member has the wrong type"
            break
        if dumps(obj, option=sort) != line:
            reason = "line is not in canonical encoding (its bytes were changed)"
            break
        # See the module docstring for why this cut is exactly the canonical hashed form.
        cut = line.rfind(member)
        if sha256(line[:cut] + line[cut + mlen :]).hexdigest() != h:
            reason = "hash does not match the line's content (its bytes were changed)"
            break
        if arts:
            try:
                artifacts = _artifacts(arts)
            except ValueError as exc:
                reason = str(exc)
                break
        else:
            artifacts = ()
        append(
            new_record(Record, (rseq, rid, rtype, v, ts, run_id, cause, data, artifacts, prev, h))
        )
        seq += 1
        last = h
        count += 1
    st.next_seq = seq
    st.last_hash = last
    return reason, min(ends, count)


def _decode_unverified(
    lines: list[bytes], st: ChainState, out: list[Record]
) -> tuple[str, int]:
    """Parse and shape-check only (``verify=False``): no canonical form, hash or chain."""
    ends = 0
    for line in lines:
        if line.endswith(CONTINUED):
            line = line[:-1]
            is_end = False
        else:
            is_end = True
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            return "line is not valid JSON", ends
        if type(obj) is not dict or obj.keys() != _ENVELOPE_KEYSET:
            return _shape_problem(obj), ends
        fields = tuple(obj[k] for k in _RECORD_ORDER)
        if _bad_types(*fields):
            return "an envelope member has the wrong type", ends
        try:
            artifacts = _artifacts(obj["artifacts"])
        except ValueError as exc:
            return str(exc), ends
        out.append(Record._make(fields[:8] + (artifacts,) + fields[9:]))
        st.next_seq = obj["seq"] + 1
        st.last_hash = obj["hash"]
        if is_end:
            ends = len(out)
    return "", ends


def decode_lines(lines: list[bytes], st: ChainState, *, verify: bool = True) -> list[Record]:
    """Decode complete lines (without their newline), verifying each against ``st``.

    Advances ``st`` past every good line (seq, hash, byte offset) and returns the records of
    the batches whose last line is among them (with any held from earlier calls); records of
    a batch still open are kept in ``st.held``. The writer's bookkeeping (ids, index) covers
    handed-out records only. On the first bad line, stops and stores the
    :class:`LedgerTampered` in ``st.error``. With ``verify=False`` only parsing, the
    envelope's members and their types are checked (no canonical form, hash, seq or chain).
    """
    out: list[Record] = []
    # A chunk allocates thousands of dicts and tuples that all stay alive until the chunk is
    # handed out, so the cyclic GC would scan them again and again for nothing (JSON values
    # cannot form cycles). Pausing it for the chunk saves ~10% of a replay; it is restored
    # before any caller code runs, and only if it was on.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        reason, ends = (_decode_verified if verify else _decode_unverified)(lines, st, out)
    finally:
        if gc_was_enabled:
            gc.enable()
    n = len(out)
    good = lines[:n] if n < len(lines) else lines
    size = sum(map(len, good)) + n
    st.pos += size
    if ends == n and not st.held:
        # The common case: every decoded line closes a batch (or is one).
        done = out
        done_sizes: list[int] | None = None
        done_bytes = size
    else:
        sizes = [len(line) + 1 for line in good]
        done = st.held + out[:ends] if ends else []
        done_sizes = st.held_sizes + sizes[:ends] if ends else []
        done_bytes = sum(done_sizes)
        if ends:
            st.held, st.held_sizes = out[ends:], sizes[ends:]
        else:
            st.held = st.held + out
            st.held_sizes = st.held_sizes + sizes
    if done:
        seq0 = done[0].seq
        if st.index is not None:
            first = -(-seq0 // CHECKPOINT_EVERY) * CHECKPOINT_EVERY
            if first < seq0 + len(done):
                per_line = done_sizes if done_sizes is not None else (len(x) + 1 for x in good)
                starts = list(accumulate(per_line, initial=st.batch_pos))
                for seq in range(first, seq0 + len(done), CHECKPOINT_EVERY):
                    st.index.append((starts[seq - seq0], done[seq - seq0].prev))
        if st.ids is not None:
            st.ids.update(map(_ID, done))
        st.batch_pos += done_bytes
    if reason:
        st.error = _tamper(st, reason)
    return done


def read_chunks(
    fh: IO[bytes],
    st: ChainState,
    *,
    verify: bool = True,
    end: int | None = None,
    chunk_size: int = _CHUNK,
) -> Iterator[list[Record]]:
    """Yield lists of verified records from ``fh``'s position (which must be ``st.pos``).

    Reads in large chunks and splits lines itself (faster than line iteration, and memory
    stays at one chunk). Stops at EOF or at byte offset ``end``. The bytes after the last
    newline are left in ``st.tail`` for :func:`check_tail`. Raises :class:`LedgerTampered`
    after yielding the good records that precede the damage.
    """
    pending: list[bytes] = []
    remaining = None if end is None else end - st.pos
    while True:
        size = chunk_size if remaining is None else min(chunk_size, remaining)
        chunk = fh.read(size) if size > 0 else b""
        if not chunk:
            break
        if remaining is not None:
            remaining -= len(chunk)
        if chunk.find(b"\n") < 0:
            # No line ends in this chunk: keep it without re-joining (long lines stay linear).
            pending.append(chunk)
            continue
        if pending:
            pending.append(chunk)
            chunk = b"".join(pending)
            pending.clear()
        lines = chunk.split(b"\n")
        pending.append(lines.pop())
        records = decode_lines(lines, st, verify=verify)
        if records:
            yield records
        if st.error is not None:
            if _crash_leftovers(fh, st, end):
                return
            raise st.error
    st.tail = b"".join(pending)


def _crash_leftovers(fh: IO[bytes], st: ChainState, end: int | None) -> bool:
    """Whether the bad line at ``st.pos`` and everything after it can be a crash's leftovers.

    A power loss can leave zeroed pages inside the last write, which was never acknowledged
    (the writer syncs each batch before the next one starts). So damage is read as a crash
    only when the bad line holds a run of zero bytes that starts on a sector boundary and
    fills a sector (or runs to the end of the file), and no batch ends after it, except with
    the file's last line (that batch's own end). Then ``st.tail`` holds the bytes from the bad
    line on, ``st.damage`` says why, and :func:`check_tail` reports it all as torn.
    """
    fh.seek(st.pos)
    limit = MAX_TORN_BATCH if end is None else min(MAX_TORN_BATCH, end - st.pos)
    rest = fh.read(limit + 1)
    if len(rest) > limit or (end is None and fh.read(1)):
        return False
    first = rest.split(b"\n", 1)[0]
    zero = first.find(b"\0")
    if zero < 0:
        return False
    # A filesystem zeroes whole blocks: the run of zeros starts on a sector boundary and
    # fills the sector, or runs to the end of the file. A stray zero byte is tamper.
    run = len(rest[zero:]) - len(rest[zero:].lstrip(b"\0"))
    if (st.pos + zero) % _SECTOR or (run < _SECTOR and zero + run < len(rest)):
        return False
    complete = rest.split(b"\n")[:-1]
    if rest.endswith(b"\n"):
        complete = complete[:-1]  # the last line may be the batch's end
    if not all(line.endswith(CONTINUED) or line.endswith(b"\0") for line in complete):
        return False
    st.tail = rest
    st.damage = (
        f"zeroed bytes inside the final batch (a write cut short by a power loss); "
        f"{len(rest)} bytes from byte {st.pos}"
    )
    st.error = None
    return True


def iter_records(
    fh: IO[bytes], st: ChainState, *, verify: bool = True, end: int | None = None
) -> Iterator[Record]:
    """Flatten :func:`read_chunks`: one verified record at a time."""
    for records in read_chunks(fh, st, verify=verify, end=end):
        yield from records


def check_tail(st: ChainState, *, verify: bool = True) -> list[Record] | TornTail | None:
    """Classify what follows the last complete batch: held lines, and ``st.tail``.

    - nothing: ``None``;
    - a valid line that only lacks its newline and closes the open batch (the crash cut
      exactly before the newline): the batch's records (``st`` is advanced past them, as if
      the newline were there);
    - anything else: a :class:`TornTail` from the start of the incomplete batch to the end
      of the file (``st`` is rewound to that start). A crash can only cut the last write
      short (or leave zeroed pages in it), and that write was never acknowledged: nothing
      acknowledged is lost by dropping it.
    """
    tail = st.tail
    if not tail and not st.held:
        return None
    end = st.pos + len(tail)
    why = st.damage
    if why is None and tail:
        records = decode_lines([tail], st, verify=verify)
        if st.error is None and not st.held:
            st.tail = b""
            # pos counted a newline that is not there yet; the caller restores it (writer) or
            # never reads past it (reader), so the offset stays right for the next line.
            return records
        if st.error is not None:
            why = (
                f"final {len(tail)} bytes have no newline and are not a valid record "
                f"({st.error.reason})"
                + ("; they hold zeroed bytes (a write cut short by a power loss)"
                   if b"\0" in tail else "")
            )
            st.error = None
    if why is None:
        lines = len(st.held)
        why = (
            f"final batch is incomplete: {lines} whole line(s) without the batch's last line"
            + (f" and {len(tail)} bytes without a newline" if tail and lines else "")
        )
        if not lines:
            why = f"final {len(tail)} bytes are a line of a batch without its last line"
    torn = TornTail(
        offset=st.batch_pos, length=end - st.batch_pos, at_seq=st.committed_seq, detail=why
    )
    st.next_seq, st.last_hash = st.committed_seq, st.committed_hash
    st.pos = st.batch_pos
    st.held, st.held_sizes = [], []
    st.tail = b""
    st.damage = None
    return torn


def encode_events(
    events: Sequence[NewEvent], st: ChainState
) -> tuple[list[Record], list[bytes]]:
    """Encode ``events`` as the next lines after ``st``; return their records and lines.

    Each line ends with its newline (and its batch framing); the caller writes
    ``b"".join(lines)`` in one write.

    Nothing is written and ``st`` is not changed: the caller commits only after the write
    succeeded. Raises :class:`EventRejected` when ``data`` is not JSON-native (it would not
    read back equal, e.g. NaN, tuples, datetimes, ints beyond 64 bits, non-str keys).
    The records returned are decoded from the encoded bytes by the same verifying decoder
    readers use, so what ``append`` returns is exactly what a replay will see.
    """
    if not events:
        return [], []
    seq = st.next_seq
    prev = st.last_hash
    sha256 = hashlib.sha256
    lines: list[bytes] = []
    for event in events:
        envelope = {
            "artifacts": [a.as_json() for a in event.artifacts],
            "causation_id": event.causation_id,
            "data": event.data,
            "id": event.id,
            "prev": prev,
            "run_id": event.run_id,
            "seq": seq,
            "ts": event.ts,
            "type": event.type,
            "v": event.v,
        }
        try:
            body = canonical(envelope)
        except TypeError as exc:
            raise EventRejected(
                f"event {event.id!r} ({event.type}): data is not JSON-encodable: {exc}"
            ) from exc
        digest = sha256(body).hexdigest()
        envelope["hash"] = digest
        lines.append(canonical(envelope))
        prev = digest
        seq += 1
    trial = st.copy()
    records = decode_lines(lines, trial)
    if trial.error is not None:  # pragma: no cover - would be a bug in this module
        raise AssertionError(f"freshly encoded line fails verification: {trial.error}")
    for event, record in zip(events, records):
        if record.data != event.data:
            raise EventRejected(
                f"event {event.id!r} ({event.type}): data does not survive the canonical "
                "round trip (use only dict/list/str/int/float/bool/None with finite floats)"
            )
    # Every line but the batch's last says "the batch goes on" (see the module docstring).
    framed = [line + CONTINUED + b"\n" for line in lines[:-1]]
    framed.append(lines[-1] + b"\n")
    return records, framed

