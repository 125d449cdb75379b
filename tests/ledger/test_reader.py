"""Lock-free readers: read_ledger / open_reader, verify_ledger, and the tailing follow."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from ledger import (
    ArtifactStore,
    JsonlRecorder,
    LedgerError,
    LedgerTampered,
    NewEvent,
    follow,
    open_reader,
    read_ledger,
    verify_ledger,
)
from tests.ledger.helpers import TS, ev, write_ledger


def test_read_ledger_streams_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    write_ledger(path, 5)
    reader = read_ledger(path)
    assert [r.seq for r in reader] == [0, 1, 2, 3, 4]
    assert reader.events == 5 and reader.last_seq == 4 and reader.torn_tail is None


def test_open_reader_after_seq_still_verifies_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    raw = write_ledger(path, 5)
    assert [r.seq for r in open_reader(path, after_seq=2)] == [3, 4]
    lines = raw.splitlines(keepends=True)
    lines[0], lines[1] = lines[1], lines[0]
    path.write_bytes(b"".join(lines))
    with pytest.raises(LedgerTampered):
        list(open_reader(path, after_seq=3))


def test_reader_skips_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    raw = write_ledger(path, 3)
    path.write_bytes(raw + b'{"artifacts":[')
    with read_ledger(path) as reader:
        assert [r.seq for r in reader] == [0, 1, 2]
    assert reader.torn_tail is not None
    assert reader.torn_tail.offset == len(raw) and reader.torn_tail.at_seq == 3
    report = verify_ledger(path)
    assert report.events == 3 and not report.ok and report.torn_tail == reader.torn_tail


def test_reader_can_stop_early(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    write_ledger(path, 5)
    reader = read_ledger(path)
    assert next(reader).seq == 0
    reader.close()
    read_ledger(path)  # dropped unread: must not leak the file (warnings are errors)


def test_missing_ledger_fails_at_the_call(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_ledger(tmp_path / "absent.jsonl")


def test_verify_ledger_checks_artifacts(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    good = store.put_bytes("good", b"fine")
    bad = store.put_bytes("bad", b"will be changed")
    missing = store.put_bytes("missing", b"will be removed")
    path = tmp_path / "ledger.jsonl"
    with JsonlRecorder(path) as rec:
        for i, ref in enumerate([good, bad, missing, good]):
            rec.append(
                [NewEvent(id=f"a{i}", type="StepCompleted", ts=TS, artifacts=(ref,))]
            )
    assert verify_ledger(path, store).ok
    store.path_of(bad).chmod(0o644)
    store.path_of(bad).write_bytes(b"will be chAnged")
    store.path_of(missing).unlink()
    report = verify_ledger(path, store)
    assert report.events == 4 and report.artifacts_checked == 3
    assert report.bad_artifacts == (bad,)
    assert report.missing_artifacts == (missing,)
    assert not report.ok
    # without a store, artifacts are not looked at
    assert verify_ledger(path).ok


def test_follow_sees_appends_from_a_writer_thread(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    write_ledger(path, 3)
    stop = threading.Event()
    seen: list[int] = []

    def writer() -> None:
        with JsonlRecorder(path) as rec:
            for i in range(3, 40):
                rec.append([ev(i)])
                time.sleep(0.002)

    thread = threading.Thread(target=writer)
    thread.start()
    for record in follow(path, poll_interval=0.01, stop=stop):
        seen.append(record.seq)
        if record.seq == 39:
            stop.set()
    thread.join()
    assert seen == list(range(40))


def test_follow_after_seq_and_stop_while_idle(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    write_ledger(path, 5)
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    assert [r.seq for r in follow(path, after_seq=2, poll_interval=0.01, stop=stop)] == [3, 4]


def test_follow_waits_for_the_rest_of_a_partial_line(tmp_path: Path) -> None:
    """A writer caught mid-write: the half line is not read until its newline arrives."""
    source = tmp_path / "source.jsonl"
    raw = write_ledger(source, 3)
    lines = raw.splitlines(keepends=True)
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(lines[0] + lines[1] + lines[2][:50])
    stop = threading.Event()
    seen: list[int] = []
    partial_seen = threading.Event()

    def consume() -> None:
        for record in follow(path, poll_interval=0.01, stop=stop):
            seen.append(record.seq)
            if record.seq == 1:
                partial_seen.set()
            if record.seq == 2:
                stop.set()

    thread = threading.Thread(target=consume)
    thread.start()
    assert partial_seen.wait(5)
    time.sleep(0.1)  # several polls with the half line at EOF
    assert seen == [0, 1]
    with open(path, "ab") as fh:
        fh.write(lines[2][50:-1])  # everything but the newline: still waiting
    time.sleep(0.1)
    assert seen == [0, 1]
    with open(path, "ab") as fh:
        fh.write(b"\n")
    thread.join(5)
    assert not thread.is_alive()
    assert seen == [0, 1, 2]


def test_follow_survives_a_repaired_torn_tail(tmp_path: Path) -> None:
    """The follower waits on a torn tail; the next writer truncates it and appends anew."""
    path = tmp_path / "ledger.jsonl"
    raw = write_ledger(path, 2)
    path.write_bytes(raw + b'{"artifacts":[],"causation_id":nu')
    stop = threading.Event()
    seen: list[str] = []

    def consume() -> None:
        for record in follow(path, poll_interval=0.01, stop=stop):
            seen.append(record.id)
            if len(seen) == 3:
                stop.set()

    thread = threading.Thread(target=consume)
    thread.start()
    time.sleep(0.1)
    with JsonlRecorder(path) as rec:
        assert rec.repair is not None
        rec.append([ev("new")])
    thread.join(5)
    assert seen == ["e0", "e1", "enew"]


def test_follow_waits_for_the_file_to_appear(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    stop = threading.Event()
    seen: list[int] = []

    def consume() -> None:
        for record in follow(path, poll_interval=0.01, stop=stop):
            seen.append(record.seq)
            stop.set()

    thread = threading.Thread(target=consume)
    thread.start()
    time.sleep(0.05)
    with JsonlRecorder(path) as rec:
        rec.append([ev(0)])
    thread.join(5)
    assert seen == [0]


def test_follow_notices_a_replaced_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    write_ledger(path, 2)
    it = follow(path, poll_interval=0.01)
    assert [next(it).seq, next(it).seq] == [0, 1]
    other = tmp_path / "other.jsonl"
    write_ledger(other, 2)
    other.replace(path)
    with pytest.raises(LedgerError, match="replaced"):
        next(it)


def test_follow_notices_a_shrunk_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    raw = write_ledger(path, 3)
    it = follow(path, poll_interval=0.01)
    assert [next(it).seq for _ in range(3)] == [0, 1, 2]
    with open(path, "r+b") as fh:
        fh.truncate(len(raw) - 5)
    with pytest.raises(LedgerError, match="shrank"):
        next(it)
