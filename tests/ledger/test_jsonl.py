"""What only the file backend does: the bytes on disk, reopening, durability, the writer lock."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ledger.jsonl
from ledger import (
    InMemoryRecorder,
    JsonlRecorder,
    LedgerError,
    LedgerLocked,
    lock_path_for,
    read_ledger,
    verify_ledger,
)
from tests.ledger.helpers import envelopes_of, ev, reference_hash, reference_line


def test_file_holds_canonical_lines(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    with JsonlRecorder(path) as rec:
        records = rec.append([ev(0), ev(1, note="x")])
    raw = path.read_bytes()
    # one batch: its first line carries the batch's continuation mark before the newline
    assert raw == records[0].to_line()[:-1] + b" \n" + records[1].to_line()
    # the same bytes, computed with the stdlib json module instead of orjson
    assert raw == reference_line(records[0].envelope())[:-1] + b" \n" + reference_line(
        records[1].envelope()
    )
    for env in envelopes_of(raw):
        assert list(env) == sorted(env)
        assert env["hash"] == reference_hash(env)


def test_in_memory_and_file_store_identical_bytes(tmp_path: Path) -> None:
    events = [ev(i, payload={"k": [i, str(i)]}) for i in range(20)]
    mem = InMemoryRecorder()
    mem.append(events[:7])
    mem.append(events[7:])
    path = tmp_path / "ledger.jsonl"
    with JsonlRecorder(path) as rec:
        rec.append(events[:7])
        rec.append(events[7:])
    assert mem.dump() == path.read_bytes()


def test_reopen_continues_the_chain_and_remembers_ids(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    with JsonlRecorder(path) as rec:
        first = rec.append([ev(i) for i in range(3000)])
    with JsonlRecorder(path) as rec:
        assert rec.repair is None
        assert rec.last_seq() == 2999
        assert rec.last_hash() == first[-1].hash
        assert "e1234" in rec
        assert rec.append([ev(5), ev(2999)]) == []  # idempotent across reopen
        (new,) = rec.append([ev(3000)])
        assert new.seq == 3000 and new.prev == first[-1].hash
        # the offset index built by the scan on open serves read(after_seq)
        assert list(rec.read(2047)) == first[2048:] + [new]
        assert list(rec.read(1023))[0] == first[1024]
    report = verify_ledger(path)
    assert report.events == 3001 and report.ok


def test_fsync_once_per_append_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = ledger.jsonl._datasync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(ledger.jsonl, "_datasync", counting)
    rec = JsonlRecorder(tmp_path / "ledger.jsonl")
    rec.append([ev(0), ev(1), ev(2)])
    assert len(calls) == 1
    rec.append([ev(3)])
    assert len(calls) == 2
    rec.append([ev(3)])  # nothing new: no write, no sync
    assert len(calls) == 2
    rec.close()


def test_batch_durability_syncs_only_on_sync_and_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(ledger.jsonl, "_datasync", lambda fd: calls.append(fd))
    path = tmp_path / "ledger.jsonl"
    rec = JsonlRecorder(path, durability="batch")
    rec.append([ev(0)])
    rec.append([ev(1)])
    assert calls == []
    # ... but the bytes are already in the file for readers (they reached the page cache)
    assert [r.id for r in read_ledger(path)] == ["e0", "e1"]
    rec.sync()
    assert len(calls) == 1
    rec.close()
    assert len(calls) == 2


def test_bad_durability_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        JsonlRecorder(tmp_path / "l.jsonl", durability="never")  # type: ignore[arg-type]
    # and the failed open did not keep the lock
    JsonlRecorder(tmp_path / "l.jsonl").close()


def test_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.jsonl"
    rec = JsonlRecorder(path)
    rec.append([ev(0)])
    before = path.read_bytes()
    real_write = os.write

    def short_then_full(fd: int, data: bytes) -> int:
        # write half of the batch, then fail as a full disk would
        if fd == rec._fd and not getattr(short_then_full, "done", False):
            short_then_full.done = True  # type: ignore[attr-defined]
            return real_write(fd, bytes(data[: len(data) // 2]))
        if fd == rec._fd:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(ledger.jsonl.os, "write", short_then_full)
    with pytest.raises(LedgerError, match="nothing stored"):
        rec.append([ev(1), ev(2)])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert "e1" not in rec and rec.last_seq() == 0
    # a failed write (not a failed sync) leaves the recorder usable
    assert [r.seq for r in rec.append([ev(1)])] == [1]
    rec.close()
    assert verify_ledger(path).events == 2


def test_failed_fsync_refuses_further_appends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.jsonl"
    rec = JsonlRecorder(path)
    rec.append([ev(0)])

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(ledger.jsonl, "_datasync", failing)
    with pytest.raises(LedgerError, match="nothing stored"):
        rec.append([ev(1)])
    monkeypatch.undo()
    with pytest.raises(LedgerError, match="failed write"):
        rec.append([ev(2)])
    rec.close()
    with JsonlRecorder(path) as again:  # reopening re-verifies and works
        assert again.last_seq() == 0
        again.append([ev(1)])


def test_second_writer_in_same_process_is_locked_out(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    with JsonlRecorder(path) as rec:
        rec.append([ev(0)])
        with pytest.raises(LedgerLocked) as info:
            JsonlRecorder(path)
        assert info.value.holder_pid == os.getpid()
        assert f"pid {os.getpid()}" in str(info.value)
        # readers need no lock, and the file is intact
        assert [r.id for r in read_ledger(path)] == ["e0"]
        rec.append([ev(1)])
    with JsonlRecorder(path) as rec:  # released on close
        assert rec.last_seq() == 1
    assert lock_path_for(path).exists()


def test_second_writer_in_another_process_is_locked_out(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    script = textwrap.dedent(
        f"""
        import sys
        from ledger import JsonlRecorder, LedgerLocked
        try:
            JsonlRecorder({str(path)!r})
        except LedgerLocked as exc:
            print(exc.holder_pid)
            sys.exit(3)
        sys.exit(0)
        """
    )
    with JsonlRecorder(path) as rec:
        rec.append([ev(0)])
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 3, done.stderr
        assert int(done.stdout) == os.getpid()
        rec.append([ev(1)])
    assert verify_ledger(path).events == 2
    # and once released, another process may write
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert again.returncode == 0


def test_forgotten_recorder_releases_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    rec = JsonlRecorder(path)
    rec.append([ev(0)])
    with pytest.raises(LedgerLocked):
        JsonlRecorder(path)
    del rec  # never closed: its finaliser must release the file and the lock
    with JsonlRecorder(path) as again:
        assert again.last_seq() == 0
        assert [r.seq for r in again.append([ev(1)])] == [1]


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        JsonlRecorder(tmp_path / "nope" / "ledger.jsonl")
