"""One contract, every backend: the inherited test class of the Recorder interface.

Borrowed from eventsourcing's recorder test cases: :class:`RecorderContract` holds the tests,
and each backend subclasses it and says only how to make a recorder. A new backend passes the
ledger contract when a three-line subclass of this class passes.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import pytest

from ledger import (
    GENESIS_HASH,
    ArtifactRef,
    EventRejected,
    InMemoryRecorder,
    JsonlRecorder,
    LedgerError,
    NewEvent,
    Recorder,
)
from tests.ledger.helpers import TS, ev, reference_hash


def _reject_type_bad(type_: str, v: int, data: dict[str, Any]) -> None:
    if type_ == "Bad":
        raise ValueError("unknown event type Bad")


class RecorderContract(ABC):
    """The tests every Recorder backend must pass."""

    @abstractmethod
    def make(self, tmp_path: Path, **kwargs: Any) -> Recorder:
        """A fresh, empty recorder (kwargs: validator=...)."""

    @pytest.fixture
    def rec(self, tmp_path: Path):
        recorder = self.make(tmp_path)
        yield recorder
        recorder.close()

    def test_empty(self, rec: Recorder) -> None:
        assert rec.last_seq() == -1
        assert rec.last_hash() == GENESIS_HASH
        assert list(rec.read()) == []
        assert "e0" not in rec
        assert rec.append([]) == []

    def test_append_returns_chained_records(self, rec: Recorder) -> None:
        records = rec.append([ev(0), ev(1)]) + rec.append([ev(2)])
        assert [r.seq for r in records] == [0, 1, 2]
        assert records[0].prev == GENESIS_HASH
        for before, after in zip(records, records[1:]):
            assert after.prev == before.hash
        for r in records:
            # hash = sha256(canonical(record without hash)), computed with stdlib json
            assert r.hash == reference_hash(r.envelope())
        assert rec.last_seq() == 2
        assert rec.last_hash() == records[-1].hash

    def test_records_carry_the_event(self, rec: Recorder) -> None:
        art = ArtifactRef("survivors", "ab" * 32, 12)
        event = NewEvent(
            id="x",
            type="StepCompleted",
            v=2,
            ts=TS,
            run_id="r",
            causation_id="c",
            data={"nested": {"b": [1, 2.5, None, True], "a": "é"}},
            artifacts=(art,),
        )
        (record,) = rec.append([event])
        assert record.as_new_event() == event
        assert list(rec.read()) == [record]

    def test_read_after_seq(self, rec: Recorder) -> None:
        records = rec.append([ev(i) for i in range(5)])
        assert list(rec.read()) == records
        assert list(rec.read(-1)) == records
        assert list(rec.read(2)) == records[3:]
        assert list(rec.read(4)) == []
        assert list(rec.read(99)) == []
        assert list(rec.read(-5)) == records

    def test_read_is_a_snapshot(self, rec: Recorder) -> None:
        rec.append([ev(0), ev(1)])
        it = rec.read()
        rec.append([ev(2)])
        assert [r.seq for r in it] == [0, 1]

    def test_read_crosses_checkpoints(self, rec: Recorder) -> None:
        records = rec.append([ev(i) for i in range(2500)])
        for after in (-1, 0, 1022, 1023, 1024, 1025, 2047, 2048, 2498, 2499):
            assert list(rec.read(after)) == records[after + 1 :]

    def test_idempotent_append(self, rec: Recorder) -> None:
        first = rec.append([ev(0), ev(1)])
        assert rec.append([ev(0), ev(1)]) == []
        again = rec.append([ev(1), ev(2), ev(0), ev(3)])
        assert [r.id for r in again] == ["e2", "e3"]
        assert [r.seq for r in again] == [2, 3]
        assert list(rec.read())[:2] == first
        assert rec.last_seq() == 3

    def test_duplicate_id_within_a_batch_is_stored_once(self, rec: Recorder) -> None:
        records = rec.append([ev(0), ev(0), ev(1)])
        assert [r.id for r in records] == ["e0", "e1"]

    def test_contains(self, rec: Recorder) -> None:
        rec.append([ev(0)])
        assert "e0" in rec
        assert "e1" not in rec
        assert 17 not in rec

    def test_validator_refuses_the_whole_batch(self, tmp_path: Path) -> None:
        rec = self.make(tmp_path, validator=_reject_type_bad)
        try:
            rec.append([ev(0)])
            with pytest.raises(EventRejected, match="unknown event type Bad"):
                rec.append([ev(1), ev(2, type="Bad"), ev(3)])
            with pytest.raises(ValueError):  # EventRejected is a ValueError too
                rec.append([ev(4, type="Bad")])
            assert [r.id for r in rec.read()] == ["e0"]
            assert "e1" not in rec
            assert [r.seq for r in rec.append([ev(1)])] == [1]
        finally:
            rec.close()

    @pytest.mark.parametrize(
        "bad",
        [float("nan"), float("inf"), (1, 2), {1: "int key"}, 2**64, {"s": {1, 2}}],
        ids=["nan", "inf", "tuple", "int-key", "huge-int", "set"],
    )
    def test_non_json_data_is_rejected_and_nothing_stored(self, rec: Recorder, bad: Any) -> None:
        rec.append([ev(0)])
        with pytest.raises(EventRejected):
            rec.append([ev(1), ev(2, bad=bad)])
        assert rec.last_seq() == 0
        assert "e1" not in rec

    def test_append_needs_a_sequence_of_events(self, rec: Recorder) -> None:
        with pytest.raises(TypeError):
            rec.append(ev(0))  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            rec.append([{"id": "x"}])  # type: ignore[list-item]
        assert rec.last_seq() == -1

    def test_mutating_a_record_does_not_change_the_ledger(self, rec: Recorder) -> None:
        (record,) = rec.append([ev(0, items=[1])])
        record.data["items"].append(2)
        (again,) = rec.read()
        assert again.data == {"i": 0, "items": [1]}

    def test_concurrent_appends_stay_dense(self, rec: Recorder) -> None:
        def work(k: int) -> None:
            for i in range(25):
                rec.append([ev(f"{k}-{i}")])

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        records = list(rec.read())
        assert [r.seq for r in records] == list(range(100))
        assert len({r.id for r in records}) == 100
        for before, after in zip(records, records[1:]):
            assert after.prev == before.hash

    def test_closed_recorder_refuses(self, tmp_path: Path) -> None:
        with self.make(tmp_path) as rec:
            rec.append([ev(0)])
        with pytest.raises(LedgerError):
            rec.append([ev(1)])
        with pytest.raises(LedgerError):
            rec.read()
        rec.close()  # closing twice is fine


class TestInMemoryRecorder(RecorderContract):
    def make(self, tmp_path: Path, **kwargs: Any) -> Recorder:
        return InMemoryRecorder(**kwargs)


class TestJsonlRecorder(RecorderContract):
    def make(self, tmp_path: Path, **kwargs: Any) -> Recorder:
        return JsonlRecorder(tmp_path / "ledger.jsonl", **kwargs)


class TestJsonlRecorderBatchDurability(RecorderContract):
    def make(self, tmp_path: Path, **kwargs: Any) -> Recorder:
        return JsonlRecorder(tmp_path / "ledger.jsonl", durability="batch", **kwargs)
