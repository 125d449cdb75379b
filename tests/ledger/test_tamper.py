"""Any damage a crash cannot explain is tamper: loud, located, and never repaired."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings, strategies as st

from ledger import JsonlRecorder, LedgerTampered, follow, read_ledger, verify_ledger
from tests.ledger.helpers import envelopes_of, rechain, reference_line, relink, write_ledger

N = 6


@pytest.fixture
def ledger_file(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "ledger.jsonl"
    return path, write_ledger(path, N, batch=2)


def _assert_tampered(path: Path, match: str | None = None) -> LedgerTampered:
    """Writer, reader, verify_ledger and follow all refuse; the file is left as it was."""
    before = path.read_bytes()
    with pytest.raises(LedgerTampered, match=match) as info:
        JsonlRecorder(path)
    with pytest.raises(LedgerTampered, match=match):
        list(read_ledger(path))
    with pytest.raises(LedgerTampered, match=match):
        verify_ledger(path)
    with pytest.raises(LedgerTampered, match=match):
        for _ in follow(path, poll_interval=0.01):
            pass
    assert path.read_bytes() == before
    # and the failed open released the lock: a reader-only fix-up tool could take it
    return info.value


def _lines(raw: bytes) -> list[bytes]:
    return raw.splitlines(keepends=True)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_flipping_any_byte_of_an_earlier_line_is_tamper(data: st.DataObject) -> None:
    work = Path(tempfile.mkdtemp())
    try:
        path = work / "ledger.jsonl"
        original = write_ledger(path, 4)
        lines = _lines(original)
        k = data.draw(st.integers(0, len(lines) - 2), label="line")
        start = sum(len(x) for x in lines[:k])
        pos = start + data.draw(st.integers(0, len(lines[k]) - 1), label="byte")
        new = data.draw(st.integers(0, 255).filter(lambda b: b != original[pos]), label="value")
        damaged = bytearray(original)
        damaged[pos] = new
        path.write_bytes(bytes(damaged))
        err = _assert_tampered(path)
        assert err.seq <= k + 1  # located at the changed line (or the one it merged into)
    finally:
        shutil.rmtree(work)


def test_changed_byte_in_the_last_complete_line_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    damaged = bytearray(original)
    damaged[-10] ^= 0x01
    path.write_bytes(bytes(damaged))
    err = _assert_tampered(path)
    assert err.seq == N - 1 and err.line == N


@pytest.mark.parametrize("k", [0, 2, N - 2])
def test_deleting_a_line_is_tamper(ledger_file, k: int) -> None:
    path, original = ledger_file
    lines = _lines(original)
    del lines[k]
    path.write_bytes(b"".join(lines))
    err = _assert_tampered(path, match="seq is")
    assert err.seq == k and err.line == k + 1


def test_swapping_two_lines_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    lines = _lines(original)
    lines[1], lines[3] = lines[3], lines[1]
    path.write_bytes(b"".join(lines))
    _assert_tampered(path, match="expected 1")


def test_duplicating_a_line_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    lines = _lines(original)
    lines.insert(3, lines[2])
    path.write_bytes(b"".join(lines))
    _assert_tampered(path, match="seq is 2, expected 3")


def test_an_empty_line_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    lines = _lines(original)
    lines.insert(2, b"\n")
    path.write_bytes(b"".join(lines))
    _assert_tampered(path, match="not valid JSON")


def test_edited_prev_with_a_fresh_hash_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    envs = envelopes_of(original)
    envs[3]["prev"] = "f" * 64
    # every hash recomputed, so only the broken link can give it away
    path.write_bytes(rechain(envs))
    _assert_tampered(path, match="prev does not match")


def test_seq_gap_in_a_relinked_chain_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    envs = envelopes_of(original)
    for env in envs[3:]:
        env["seq"] += 1  # 0 1 2 4 5 6, chain otherwise perfect
    path.write_bytes(relink(envs))
    _assert_tampered(path, match="seq is 4, expected 3")


def test_changed_data_with_original_hash_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    envs = envelopes_of(original)
    envs[2]["data"]["i"] = 42
    lines = _lines(original)
    lines[2] = reference_line(envs[2])  # hash member left as it was
    path.write_bytes(b"".join(lines))
    _assert_tampered(path, match="hash does not match")


def test_non_canonical_line_is_tamper_even_if_self_consistent(ledger_file) -> None:
    """Whitespace or another key order, with the hash recomputed over the odd bytes."""
    path, original = ledger_file
    lines = _lines(original)
    env = orjson.loads(lines[2])
    hashed = {k: v for k, v in env.items() if k != "hash"}
    spaced = orjson.dumps(hashed, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
    spaced = spaced.replace(b"\n", b"")
    env["hash"] = hashlib.sha256(spaced).hexdigest()
    odd = orjson.dumps(env, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).replace(b"\n", b"")
    lines[2] = odd + b"\n"
    path.write_bytes(b"".join(lines))
    _assert_tampered(path, match="canonical")


def test_duplicate_key_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    lines = _lines(original)
    lines[1] = lines[1].replace(b'"v":1}', b'"v":1,"v":1}')
    path.write_bytes(b"".join(lines))
    _assert_tampered(path)


def test_extra_or_missing_member_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    envs = envelopes_of(original)
    envs[1]["extra"] = 1
    path.write_bytes(rechain(envs[:2]) + b"".join(_lines(original)[2:]))
    _assert_tampered(path, match="unexpected envelope member")
    envs = envelopes_of(original)
    del envs[1]["ts"]
    envs[1]["padding"] = 0
    path.write_bytes(rechain(envs[:2]) + b"".join(_lines(original)[2:]))
    _assert_tampered(path, match="missing")


def test_wrong_member_type_is_tamper(ledger_file) -> None:
    path, original = ledger_file
    envs = envelopes_of(original)
    envs[1]["ts"] = {"hash": "x"}
    path.write_bytes(rechain(envs[:2]) + b"".join(_lines(original)[2:]))
    _assert_tampered(path, match="wrong type")


def test_verify_false_skips_the_checks(ledger_file) -> None:
    path, original = ledger_file
    lines = _lines(original)
    lines[1], lines[3] = lines[3], lines[1]
    path.write_bytes(b"".join(lines))
    assert [r.seq for r in read_ledger(path, verify=False)] == [0, 3, 2, 1, 4, 5]


def test_records_before_the_damage_are_still_yielded(ledger_file) -> None:
    path, original = ledger_file
    lines = _lines(original)
    del lines[4]
    path.write_bytes(b"".join(lines))
    seen = []
    with pytest.raises(LedgerTampered):
        for record in read_ledger(path):
            seen.append(record.seq)
    assert seen == [0, 1, 2, 3]
