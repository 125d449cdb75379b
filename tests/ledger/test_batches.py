"""Batches are the unit of recovery: a batch cut short anywhere is dropped whole.

An append writes its batch in one ``write``; every line of a batch but the last ends with a
space before its newline (a single-line batch is an ordinary line, so ledgers written before
batches were framed read as they always did). On open, a batch without its last line, or with
zeroed bytes in it, was never acknowledged: it is cut off whole and reported. The same damage
in a batch that is followed by a later batch cannot come from a crash: that is tamper.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger import JsonlRecorder, LedgerTampered, read_ledger, verify_ledger
from ledger.jsonl import witness_path_for
from tests.ledger.helpers import ev


def _two_batches(path: Path) -> tuple[bytes, bytes]:
    """A ledger of [e0] then [e1, e2, e3]; returns (bytes of the first batch, all bytes)."""
    with JsonlRecorder(path) as rec:
        rec.append([ev(0)])
        first = path.read_bytes()
        rec.append([ev(1), ev(2), ev(3)])
    return first, path.read_bytes()


def test_single_line_batches_look_like_plain_lines(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with JsonlRecorder(path) as rec:
        rec.append([ev(0)])
        rec.append([ev(1)])
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and all(line.endswith(b"}") for line in lines[:-1])


def test_a_batch_marks_every_line_but_its_last(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    _first, raw = _two_batches(path)
    assert [line[-1:] for line in raw.split(b"\n")[:-1]] == [b"}", b" ", b" ", b"}"]
    assert [r.id for r in read_ledger(path)] == ["e0", "e1", "e2", "e3"]


@pytest.mark.parametrize("where", ["after_first_line", "after_second_line", "inside_last_line",
                                   "before_last_newline_minus_one"])
def test_a_batch_cut_after_whole_lines_is_dropped_whole(tmp_path: Path, where: str) -> None:
    path = tmp_path / "l.jsonl"
    first, raw = _two_batches(path)
    ends = [i + 1 for i, b in enumerate(raw) if b == 0x0A]
    cut = {
        "after_first_line": ends[1],
        "after_second_line": ends[2],
        "inside_last_line": ends[2] + 30,
        "before_last_newline_minus_one": len(raw) - 2,
    }[where]
    path.write_bytes(raw[:cut])
    witness_path_for(path).unlink()  # as if the power failed before the witness was written
    reader = read_ledger(path)
    assert [r.id for r in reader] == ["e0"]
    assert reader.torn_tail is not None and reader.torn_tail.offset == len(first)
    with JsonlRecorder(path) as rec:
        assert rec.repair is not None and rec.repair.at_seq == 1
        assert rec.repair.truncated_bytes == cut - len(first)
        assert [r.id for r in rec.read()] == ["e0"]
        rec.append([ev(9)])
    assert path.read_bytes().startswith(first)
    assert verify_ledger(path).events == 2


def test_a_complete_batch_missing_only_its_final_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    _first, raw = _two_batches(path)
    path.write_bytes(raw[:-1])
    assert [r.id for r in read_ledger(path)] == ["e0", "e1", "e2", "e3"]
    with JsonlRecorder(path) as rec:
        assert rec.repair is not None and rec.repair.truncated_bytes == 0
    assert path.read_bytes() == raw


def _zero(raw: bytes, start: int, length: int) -> bytes:
    return raw[:start] + b"\0" * length + raw[start + length :]


def test_zeroed_bytes_inside_the_last_batch_are_a_crash_not_tamper(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    first, raw = _two_batches(path)
    # A power loss: the file grew but a block of the batch never reached the disk (blocks
    # start on sector boundaries; the last one may run to the end of the file).
    for start, length in [(512, 512), (512, len(raw) - 512 - 40), (1024, len(raw) - 1024)]:
        damaged = _zero(raw, start, length)
        path.write_bytes(damaged)
        witness_path_for(path).unlink(missing_ok=True)
        reader = read_ledger(path)
        assert [r.id for r in reader] == ["e0"]
        assert reader.torn_tail is not None and "zero" in reader.torn_tail.detail
        with JsonlRecorder(path) as rec:
            assert rec.repair is not None and rec.repair.at_seq == 1
        assert path.read_bytes() == first


def test_zeroed_bytes_in_a_batch_followed_by_another_are_tamper(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    first, raw = _two_batches(path)
    with JsonlRecorder(path) as rec:
        rec.append([ev(4)])
    raw = path.read_bytes()
    path.write_bytes(_zero(raw, 512, 512))
    with pytest.raises(LedgerTampered):
        list(read_ledger(path))
    with pytest.raises(LedgerTampered):
        JsonlRecorder(path)


def test_a_stray_zero_byte_is_tamper_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    _first, raw = _two_batches(path)
    witness_path_for(path).unlink()
    for at in (len(raw) - 60, 513, len(raw) - 2):
        path.write_bytes(_zero(raw, at, 1))
        with pytest.raises(LedgerTampered):
            list(read_ledger(path))


def test_a_batch_split_across_read_chunks(tmp_path: Path) -> None:
    import io

    from ledger.codec import ChainState, read_chunks

    path = tmp_path / "l.jsonl"
    _first, raw = _two_batches(path)
    for size in (1, 5, 64, 300):
        st = ChainState("t", ids=set(), index=[])
        chunks = list(read_chunks(io.BytesIO(raw), st, chunk_size=size))
        assert [r.id for c in chunks for r in c] == ["e0", "e1", "e2", "e3"]
        # a batch is handed out only once its last line was read
        assert all(c[-1].id in ("e0", "e3") for c in chunks)
        assert st.ids == {"e0", "e1", "e2", "e3"}
