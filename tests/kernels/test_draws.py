"""Draw files: every accepted form reads the same; every bad one gets a one-line error naming where."""

from __future__ import annotations

import pytest

from kernels.draws import (
    DrawFileError,
    parse_draw_records,
    read_draw_records,
    read_draws,
    read_numbers,
    timestamp_seconds,
    write_draws,
)


@pytest.mark.parametrize("content", [
    "[417, 93, 250]",
    '[{"date": "2026-01-01", "session": "midday", "draw": 417}, {"draw": 93}, {"draw": "250"}]',
    '{"draws": [417, 93, 250]}',
    "417\n93\n\n# a comment\n250  # trailing\n",
])
def test_forms(tmp_path, content):
    path = tmp_path / "draws"
    path.write_text(content)
    assert read_draws(path) == [417, 93, 250]


@pytest.mark.parametrize("content, fragment", [
    ("[1, 2,", "invalid JSON"),
    ('[1, {"date": "x"}]', "record 1: record has no 'draw' field"),
    ("[1, 2.5]", "record 1: expected an integer draw"),
    ("[1, -3]", "record 1: draws are non-negative"),
    ("[true]", "record 0"),
    ("1\n2\nabc\n", "line 3: expected an integer"),
    ("[]", "holds no draws"),
    ('{"x": 1}', "'draws' array"),
    ("# nothing\n", "holds no draws"),
])
def test_bad_files_name_the_place(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(DrawFileError) as caught:
        read_draws(path)
    message = str(caught.value)
    assert fragment in message and str(path) in message and "\n" not in message


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DrawFileError, match="no such file"):
        read_draws(tmp_path / "absent.json")
    with pytest.raises(DrawFileError, match="directory"):
        read_draws(tmp_path)


def test_round_trip(tmp_path):
    path = tmp_path / "d.json"
    write_draws(path, [5, 0, 999])
    assert path.read_text() == "[5,0,999]\n"
    assert read_draws(path) == [5, 0, 999]


def test_json_lines_keep_time_and_session(tmp_path):
    path = tmp_path / "draws.jsonl"
    path.write_text(
        '{"ts": "2026-11-24T16:00:00Z", "draw": 417}\n'
        '\n'
        '{"ts": "2026-11-24T18:00:01.250+02:00", "draw": 93, "session": "evening"}\n'
        '{"date": "2026-11-25", "draw": "250"}\n'
    )
    records = read_draw_records(path)
    assert [r.draw for r in records] == [417, 93, 250] == read_draws(path)
    assert [r.ts for r in records] == ["2026-11-24T16:00:00Z", "2026-11-24T16:00:01.25Z", "2026-11-25"]
    assert [r.session for r in records] == [None, "evening", None]
    assert records[1].where.endswith("line 3")
    assert timestamp_seconds(records[0].ts) == 1795536000.0
    assert timestamp_seconds("2026-11-25") == 1795536000.0 + 8 * 3600


def test_a_single_json_lines_record_and_bytes(tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text('{"ts": "2026-11-24T16:00:00Z", "draw": 5}\n')
    assert read_draw_records(path)[0].ts == "2026-11-24T16:00:00Z"
    assert [r.draw for r in parse_draw_records(b"[1, 2]", "-")] == [1, 2]


@pytest.mark.parametrize("content, fragment", [
    ('{"ts": "2026-11-24T16:00:00Z", "draw": 1}\n{"ts": "2026-11-24T16:00:00", "draw": 2}\n',
     "line 2: '2026-11-24T16:00:00' has no time zone"),
    ('{"draw": 1}\n{"ts": "yesterday", "draw": 2}\n', "line 2: 'yesterday' is not an ISO 8601 time"),
    ('{"draw": 1}\n[2]\n', "line 2: a JSON Lines record is an object"),
    ('{"draw": 1}\n{"draw": 2,\n', "line 2: invalid JSON"),
    ('{"draw": 1}\n{"ts": "2026-11-24T16:00:00Z", "date": "2026-11-24", "draw": 2}\n',
     "line 2: record has both 'ts' and 'date'"),
    ('[{"date": "2026-13-01", "draw": 1}]', "record 0: '2026-13-01' is not a date"),
    ('[{"draw": 1, "session": 3}]', "record 0: 'session' must be a string"),
])
def test_bad_records_name_the_line(tmp_path, content, fragment):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DrawFileError) as caught:
        read_draw_records(path)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("content", [
    "-3\n0.5\n1e-3\n7\n",
    "[-3, 0.5, 0.001, 7]",
    '{"draws": [-3, 0.5, 0.001, 7]}',
    '{"draw": -3}\n{"draw": 0.5}\n{"draw": "0.001"}\n{"draw": 7}\n',
])
def test_numbers_take_signs_and_floats_in_every_form(tmp_path, content):
    path = tmp_path / "numbers"
    path.write_text(content)
    values = read_numbers(path)
    assert values == [-3, 0.5, 0.001, 7]
    assert [type(v) for v in values] == [int, float, float, int]
    with pytest.raises(DrawFileError):
        read_draws(path)  # the sieve's draws stay non-negative integers


@pytest.mark.parametrize("content, fragment", [
    ("1\nnan\n", "line 2: expected a finite number"),
    ("[1, Infinity]", "invalid JSON"),
    ("[1, true]", "record 1: expected a number"),
    ("0.5\nabc\n", "line 2: expected a number, got 'abc'"),
])
def test_bad_numbers_name_the_place(tmp_path, content, fragment):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(DrawFileError) as caught:
        read_numbers(path)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_numbers_from_standard_input(monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"-1\n2.5\n")))
    assert read_numbers("-") == [-1, 2.5]
