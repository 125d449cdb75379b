"""The writer's id set: exact membership across its string and digest parts, 16 bytes an id,
and a reopened ledger that still refuses to store an old id twice."""

from __future__ import annotations

import sys
from pathlib import Path

from ledger import JsonlRecorder, NewEvent, read_ledger
from ledger.idset import DIGEST_BYTES, RECENT, EventIdSet


def test_membership_is_exact_across_recent_and_frozen_ids() -> None:
    n = 3 * RECENT + 17
    ids = EventIdSet(f"cmd:run-{i}#abc/{i % 7}-{i}" for i in range(n))
    assert len(ids) == n
    assert all(f"cmd:run-{i}#abc/{i % 7}-{i}" in ids for i in range(0, n, 97))
    assert "cmd:run-0#abc/0-0" in ids and f"cmd:run-{n - 1}#abc/{(n - 1) % 7}-{n - 1}" in ids
    assert not any(f"cmd:run-{i}#abd/{i % 7}-{i}" in ids for i in range(0, n, 97))
    assert 42 not in ids  # not a string: not an id
    ids.add("late")
    assert "late" in ids and len(ids) == n + 1


def test_an_id_costs_its_digest_once_frozen() -> None:
    n = 20 * RECENT
    ids = EventIdSet(f"{'x' * 120}-{i}" for i in range(n))  # long ids, as the runner's are
    frozen = ids.nbytes
    assert frozen <= DIGEST_BYTES * n
    as_strings = sum(sys.getsizeof(f"{'x' * 120}-{i}") for i in range(n))
    assert frozen * 8 < as_strings


def _event(i: int) -> NewEvent:
    return NewEvent(id=f"e-{i:06d}", type="Note", v=1, ts="2026-11-25T10:00:00.000000Z",
                    data={"i": i})


def test_a_reopened_ledger_skips_ids_stored_long_ago(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    n = RECENT + 500
    with JsonlRecorder(path, durability="batch") as rec:
        for start in range(0, n, 250):
            rec.append([_event(i) for i in range(start, min(n, start + 250))])
    with JsonlRecorder(path, durability="batch") as rec:
        assert "e-000000" in rec and f"e-{n - 1:06d}" in rec and "e-999999" not in rec
        assert rec.append([_event(0), _event(3), _event(n)]) != []
        assert [r.id for r in rec.read(after_seq=n - 1)] == [f"e-{n:06d}"]
    assert len(list(read_ledger(path))) == n + 1
