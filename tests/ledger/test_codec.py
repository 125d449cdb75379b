"""The chunked reader and the verifying decoder, at awkward chunk sizes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ledger import GENESIS_HASH, read_ledger
from ledger.codec import CHECKPOINT_EVERY, ChainState, check_tail, iter_records, read_chunks
from tests.ledger.helpers import write_ledger


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return write_ledger(tmp_path_factory.mktemp("codec") / "l.jsonl", 2100, batch=300)


@pytest.mark.parametrize("chunk_size", [1, 7, 100, 333, 4096, 1 << 20])
def test_chunk_size_does_not_matter(raw: bytes, chunk_size: int) -> None:
    expected = list(iter_records(io.BytesIO(raw), ChainState("ref")))
    index: list[tuple[int, str]] = []
    st = ChainState("t", ids=set(), index=index)
    got = [r for rs in read_chunks(io.BytesIO(raw + b"partial"), st, chunk_size=chunk_size)
           for r in rs]
    assert got == expected
    assert st.tail == b"partial" and st.pos == len(raw) and st.next_seq == 2100
    assert st.ids == {r.id for r in expected}
    # the index points at the start of every CHECKPOINT_EVERY-th line, with its prev
    assert len(index) == len(range(0, 2100, CHECKPOINT_EVERY)) == 3
    for k, (offset, prev) in enumerate(index):
        line = raw[offset:].split(b"\n", 1)[0]
        assert f'"seq":{k * CHECKPOINT_EVERY},'.encode() in line
        assert prev == (GENESIS_HASH if k == 0 else expected[k * CHECKPOINT_EVERY - 1].hash)


def test_end_limits_the_read(raw: bytes) -> None:
    lines = raw.splitlines(keepends=True)
    end = sum(map(len, lines[:310])) + 5  # inside line 311, in the second batch of 300
    st = ChainState("t")
    got = list(iter_records(io.BytesIO(raw), st, end=end))
    assert [r.seq for r in got] == list(range(300))
    assert st.tail == lines[310][:5]
    # the second batch's first ten lines are held back: that batch is not complete yet
    assert [r.seq for r in st.held] == list(range(300, 310))
    assert st.batch_pos == sum(map(len, lines[:300]))


def test_resume_from_a_checkpoint(raw: bytes) -> None:
    index: list[tuple[int, str]] = []
    everything = list(iter_records(io.BytesIO(raw), ChainState("t", index=index)))
    offset, prev = index[1]
    fh = io.BytesIO(raw)
    fh.seek(offset)
    resumed = ChainState("t", next_seq=CHECKPOINT_EVERY, last_hash=prev, pos=offset)
    assert list(iter_records(fh, resumed)) == everything[CHECKPOINT_EVERY:]


def test_check_tail_classifies(raw: bytes) -> None:
    lines = raw.splitlines(keepends=True)
    head = b"".join(lines[:-1])
    st = ChainState("t")
    list(iter_records(io.BytesIO(head + lines[-1][:-1]), st))
    records = check_tail(st)
    assert isinstance(records, list) and [r.seq for r in records] == list(range(1800, 2100))
    assert st.pos == len(raw) and st.tail == b""
    st = ChainState("t")
    list(iter_records(io.BytesIO(head + lines[-1][:-2]), st))
    torn = check_tail(st)
    assert not isinstance(torn, list) and torn is not None
    # the whole last batch (seqs 1800..2099) goes, not only its cut line
    batch_start = sum(map(len, lines[:1800]))
    assert torn.offset == batch_start and torn.at_seq == 1800
    assert torn.length == len(raw) - 2 - batch_start
    st = ChainState("t")
    list(iter_records(io.BytesIO(raw), st))
    assert check_tail(st) is None


def test_unverified_read_parses_only(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "l.jsonl"
    path.write_bytes(raw)
    assert list(read_ledger(path, verify=False)) == list(read_ledger(path))
