"""Draw files: every accepted form reads the same; every bad one gets a one-line error naming where."""

from __future__ import annotations

import pytest

from kernels.draws import DrawFileError, read_draws, write_draws


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
