"""The writer's checkpoint: an open verifies only what follows it, a checkpoint that does not
fit is ignored (the whole chain verified), and what a tamper of the trusted prefix does at
open and at a full verification (docs/ledger.md, "What the writer's open does not check")."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

import ledger.codec
import ledger.jsonl
from ledger import JsonlRecorder, LedgerTampered, read_ledger, verify_ledger
from ledger.checkpoint import checkpoint_path_for, read_checkpoint
from ledger.witness import witness_path_for

from .helpers import envelopes_of, ev, relink

EVERY = 10


@pytest.fixture(autouse=True)
def _small_checkpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger.jsonl, "CHECKPOINT_SAVE_EVERY", EVERY)


def _write(path: Path, n: int, start: int = 0, batch: int = 3) -> None:
    with JsonlRecorder(path, durability="batch") as rec:
        for at in range(start, start + n, batch):
            rec.append([ev(i) for i in range(at, min(start + n, at + batch))])


def _count_decoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Lines handed to the verifying decoder by the writer's scan (not the anchor's one)."""
    counted: list[int] = []
    real = ledger.codec.decode_lines

    def counting(lines: list[bytes], st: Any, **kwargs: Any) -> Any:
        counted.append(len(lines))
        return real(lines, st, **kwargs)

    monkeypatch.setattr(ledger.codec, "decode_lines", counting)
    return counted


def test_an_open_decodes_only_the_lines_after_the_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.jsonl"
    _write(path, 3000)
    checkpoint = read_checkpoint(path)
    assert checkpoint is not None and checkpoint.seq == 2999
    assert checkpoint.offset == path.stat().st_size
    _write(path, 7, start=3000)  # fewer than EVERY: no new checkpoint
    still = read_checkpoint(path)
    assert still is not None and still.seq == 2999
    counted = _count_decoded(monkeypatch)
    with JsonlRecorder(path) as rec:
        assert rec.checkpoint_note is None and rec.verified_from == checkpoint.offset
        assert sum(counted) == 7  # not 3007
        assert rec.last_seq() == 3006
        # reads after the checkpoint start at it, not at the index entry before it
        counted.clear()
        assert rec.hash_at(checkpoint.seq) == checkpoint.hash
        assert [r.seq for r in rec.read(after_seq=2999)] == list(range(3000, 3007))
        assert sum(counted) == 7
        assert rec.hash_at(1234) == [r for r in read_ledger(path) if r.seq == 1234][0].hash
        assert rec.hash_at(3007) is None
        # what the open did not read is still known: ids (idempotent appends) and the index
        assert rec.append([ev(5), ev(2999)]) == []
        assert [r.seq for r in rec.read(after_seq=1500)][:2] == [1501, 1502]
        assert [r.id for r in rec.append([ev(3007)])] == ["e3007"]
    assert [r.seq for r in read_ledger(path)] == list(range(3008))


def test_the_whole_chain_is_verified_without_a_usable_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.jsonl"
    _write(path, 40)
    counted = _count_decoded(monkeypatch)
    with JsonlRecorder(path, checkpoint=False) as rec:
        assert rec.verified_from == 0 and sum(counted) == 40


def _spoil(path: Path, how: str) -> Path:
    cp = checkpoint_path_for(path)
    if how == "flipped byte":
        raw = bytearray(cp.read_bytes())
        raw[-3] ^= 0x01
        cp.write_bytes(bytes(raw))
    elif how == "torn":
        cp.write_bytes(cp.read_bytes()[:50])
    elif how == "another ledger's":
        other = path.with_name("other.jsonl")
        with JsonlRecorder(other, durability="batch") as rec:
            rec.append([ev(f"x{i}") for i in range(40)])
        shutil.copy(checkpoint_path_for(other), cp)
    elif how == "a copied ledger":
        copy = path.with_name("copy.jsonl")
        shutil.copy(path, copy)
        shutil.copy(cp, checkpoint_path_for(copy))
        shutil.copy(witness_path_for(path), witness_path_for(copy))
        return copy
    elif how == "wrong offset":
        line, _, body = cp.read_bytes().partition(b"\n")
        header = orjson.loads(line)
        header["offset"] -= 1
        cp.write_bytes(orjson.dumps(header) + b"\n" + body)
    elif how == "a made-up size":  # would be a petabyte read into memory if believed
        line, _, body = cp.read_bytes().partition(b"\n")
        header = orjson.loads(line)
        header["levels"] = [16 << 50]
        cp.write_bytes(orjson.dumps(header) + b"\n" + body)
    elif how == "a symlink":
        target = path.with_name("elsewhere")
        os.replace(cp, target)
        os.symlink(target, cp)
    return path


@pytest.mark.parametrize("how", ["flipped byte", "torn", "another ledger's", "a copied ledger",
                                 "wrong offset", "a made-up size", "a symlink"])
def test_a_checkpoint_that_does_not_fit_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    path = tmp_path / "ledger.jsonl"
    _write(path, 40)
    assert read_checkpoint(path) is not None
    opened = _spoil(path, how)
    counted = _count_decoded(monkeypatch)
    with JsonlRecorder(opened) as rec:
        assert rec.verified_from == 0 and sum(counted) == 40
        assert rec.checkpoint_note is not None and "checkpoint not used" in rec.checkpoint_note
        assert rec.append([ev(3)]) == [] and rec.last_seq() == 39
        rec.append([ev(40)])
    with JsonlRecorder(opened) as rec:  # closing wrote a good one in its place
        assert rec.checkpoint_note is None and rec.verified_from > 0
    if how == "a symlink":  # replaced by a file, never written through
        assert not checkpoint_path_for(opened).is_symlink()
        assert path.with_name("elsewhere").read_bytes().startswith(b'{"format"')


def _line_offsets(path: Path) -> list[int]:
    data = path.read_bytes()
    return [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]


def test_what_a_prefix_tamper_does_at_open_and_at_a_full_verification(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    _write(path, 40)
    _write(path, 3, start=40)  # a suffix after the checkpoint
    offsets = _line_offsets(path)
    # 1. A same-length edit of a line before the checkpoint (its chain not repaired): the
    # open trusts the prefix and does not see it; a full verification does.
    data = bytearray(path.read_bytes())
    at = data.index(b'"i":7', offsets[7])
    data[at + 4] = ord("8")
    path.write_bytes(bytes(data))
    with JsonlRecorder(path) as rec:
        assert rec.verified_from > 0 and rec.last_seq() == 42
    with pytest.raises(LedgerTampered) as caught:
        verify_ledger(path)
    assert caught.value.seq == 7
    with pytest.raises(LedgerTampered):
        JsonlRecorder(path, checkpoint=False)


@pytest.mark.parametrize("edit", ["longer prefix line", "suffix line", "anchor line",
                                  "cut below the checkpoint"])
def test_prefix_and_suffix_tampers_caught_at_open(tmp_path: Path, edit: str) -> None:
    path = tmp_path / "ledger.jsonl"
    _write(path, 40)
    _write(path, 3, start=40)
    offsets = _line_offsets(path)
    checkpoint = read_checkpoint(path)
    assert checkpoint is not None
    data = bytearray(path.read_bytes())
    if edit == "longer prefix line":  # the anchor moves: the whole chain is verified
        at = data.index(b'"i":7', offsets[7])
        data[at + 4 : at + 5] = b"77"
    elif edit == "suffix line":
        at = data.index(b'"i":41', offsets[41])
        data[at + 5] = ord("9")
    elif edit == "anchor line":
        at = data.index(b'"i":39', offsets[39])
        data[at + 5] = ord("8")
    else:
        del data[offsets[30] :]
    path.write_bytes(bytes(data))
    with pytest.raises(LedgerTampered):
        JsonlRecorder(path)
    assert path.read_bytes() == bytes(data)  # left for a human


def test_a_witness_behind_the_checkpoint_is_checked_in_the_prefix(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    _write(path, 25)
    witness = witness_path_for(path)
    early = witness.read_bytes()
    _write(path, 20, start=25)
    checkpoint = read_checkpoint(path)
    assert checkpoint is not None and checkpoint.seq == 44
    witness.write_bytes(early)  # names seq 24, inside the trusted prefix
    with JsonlRecorder(path) as rec:
        assert rec.verified_from == checkpoint.offset and rec.last_seq() == 44
    forged = orjson.loads(early)
    forged["hash"] = "0" * 64
    witness.write_bytes(orjson.dumps(forged).ljust(127) + b"\n")
    with pytest.raises(LedgerTampered, match="witness"):
        JsonlRecorder(path)


def test_appends_write_checkpoints_as_the_ledger_grows(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    with JsonlRecorder(path) as rec:  # fsync durability: checkpoints while appending
        rec.append([ev(i) for i in range(EVERY)])
        assert rec.checkpoint_seq == EVERY - 1
        rec.append([ev(EVERY)])
        assert rec.checkpoint_seq == EVERY - 1  # not due yet
        for i in range(EVERY + 1, 200):
            rec.append([ev(i)])
        seen = read_checkpoint(path)
        assert seen is not None and seen.seq == rec.checkpoint_seq
        # spaced geometrically: the records since the last one reach an eighth of the ledger
        assert 199 - seen.seq < max(EVERY, 200 // ledger.jsonl.CHECKPOINT_GROWTH) + 1


def test_a_consistent_rewrite_before_the_anchor_is_caught_by_the_witness_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.jsonl"
    _write(path, 40, batch=1)  # no batch framing: the rewritten file is as long
    envelopes = envelopes_of(path.read_bytes())
    envelopes[7]["data"]["i"] = 8
    path.write_bytes(relink(envelopes))  # every hash recomputed: a valid chain
    with pytest.raises(LedgerTampered, match="witness"):
        JsonlRecorder(path)
    # the witness rewritten too: the checkpoint no longer fits (a line in the log), and
    # nothing in the home can tell; only a head kept elsewhere (--expect-head) does
    head = envelopes_of(path.read_bytes())[-1]
    witness_path_for(path).write_bytes(
        orjson.dumps({"hash": head["hash"], "seq": head["seq"]}).ljust(127) + b"\n")
    with JsonlRecorder(path) as rec:
        assert rec.verified_from == 0
        assert "not the one it was written after" in (rec.checkpoint_note or "")
    assert verify_ledger(path).last_hash == head["hash"]


def test_after_a_crash_an_open_verifies_from_the_checkpoint_written_while_appending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.jsonl"
    rec = JsonlRecorder(path)  # fsync durability: checkpoints while appending
    for i in range(300):
        rec.append([ev(i)])
    written = rec.checkpoint_seq
    assert 0 < written < 299
    rec.forget_in_child()  # the process dies here: no close, no checkpoint at the end
    counted = _count_decoded(monkeypatch)
    with JsonlRecorder(path) as again:
        assert again.checkpoint_seq == written and again.checkpoint_note is None
        assert sum(counted) == 299 - written and again.last_seq() == 299
