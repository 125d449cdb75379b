"""The event types and the canonical encoding."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st
from pydantic import ValidationError

from ledger import (
    GENESIS_HASH,
    ArtifactRef,
    InMemoryRecorder,
    NewEvent,
    canonical,
    format_ts,
    read_ledger,
)
from ledger.codec import ChainState, decode_lines
from tests.ledger.helpers import TS

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=15,
)


def test_canonical_sorts_keys_at_every_depth() -> None:
    assert canonical({"b": 1, "a": {"d": [{"z": 1, "y": 2}], "c": None}}) == (
        b'{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}'
    )


def test_format_ts() -> None:
    dt = datetime(2026, 11, 25, 11, 0, 0, 5, tzinfo=timezone(timedelta(hours=1)))
    assert format_ts(dt) == "2026-11-25T10:00:00.000005Z"
    with pytest.raises(ValueError):
        format_ts(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    "ts",
    ["2026-11-25T10:00:00Z", "2026-11-25T10:00:00.000000+00:00", "2026-13-25T10:00:00.000000Z",
     "2026-11-25 10:00:00.000000Z", ""],
)
def test_new_event_rejects_bad_timestamps(ts: str) -> None:
    with pytest.raises(ValidationError):
        NewEvent(id="x", type="T", ts=ts)


def test_new_event_is_strict_and_frozen() -> None:
    event = NewEvent(id="x", type="T", ts=TS)
    assert event.v == 1 and event.data == {} and event.artifacts == ()
    with pytest.raises(ValidationError):
        event.id = "y"  # type: ignore[misc]
    for bad in ({"v": "1"}, {"v": 0}, {"v": True}, {"id": ""}, {"id": 5}, {"extra": 1},
                {"data": [1]}, {"run_id": 7}):
        with pytest.raises(ValidationError):
            NewEvent.model_validate({"id": "x", "type": "T", "ts": TS, **bad})


def test_new_event_accepts_artifact_dicts() -> None:
    ref = {"name": "a", "sha256": "0" * 64, "bytes": 1}
    event = NewEvent.model_validate({"id": "x", "type": "T", "ts": TS, "artifacts": [ref]})
    assert event.artifacts == (ArtifactRef("a", "0" * 64, 1),)


@settings(max_examples=150, deadline=None)
@given(data=st.dictionaries(st.text(), json_values, max_size=5))
def test_any_json_data_round_trips_and_hashes_canonically(data: dict) -> None:
    """Including keys named "hash", strings holding ',"hash":"', unicode and floats."""
    rec = InMemoryRecorder()
    event = NewEvent(id="x", type="T", ts=TS, data=data)
    (record,) = rec.append([event])
    assert record.data == data
    (again,) = rec.read()
    assert again == record
    body = {k: v for k, v in record.envelope().items() if k != "hash"}
    assert record.hash == hashlib.sha256(canonical(body)).hexdigest()
    assert record.to_line() == canonical(record.envelope()) + b"\n"
    assert json.loads(record.to_line()) == json.loads(json.dumps(record.envelope()))


def test_nested_hash_members_do_not_confuse_the_verifier() -> None:
    tricky = {
        "hash": "a" * 64,
        "z": {"x": 1, "hash": "b" * 64},
        "s": ',"hash":"' + "c" * 64 + '"',
        "list": [{"a": 0, "hash": "d" * 64}],
    }
    rec = InMemoryRecorder()
    (record,) = rec.append([NewEvent(id="x", type="T", ts=TS, data=tricky)])
    st_ = ChainState("t")
    (decoded,) = decode_lines([record.to_line()[:-1]], st_)
    assert st_.error is None and decoded == record
    assert record.prev == GENESIS_HASH


def test_record_envelope_and_line(tmp_path) -> None:
    path = tmp_path / "l.jsonl"
    rec = InMemoryRecorder()
    rec.append([NewEvent(id="x", type="T", ts=TS, data={"k": 1})])
    path.write_bytes(rec.dump())
    (record,) = read_ledger(path)
    env = record.envelope()
    assert set(env) == {"seq", "id", "type", "v", "ts", "run_id", "causation_id", "data",
                        "artifacts", "prev", "hash"}
    assert record.to_line() == path.read_bytes()
