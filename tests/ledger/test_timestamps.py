"""The ledger's timestamp: one format, written by ``format_ts``, read by ``parse_ts``."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import TS_FORMAT, format_ts, parse_ts

REPO = Path(__file__).resolve().parents[2]


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1),
                    timezones=st.just(timezone.utc)))
def test_parse_reads_what_format_writes(moment: datetime) -> None:
    assert parse_ts(format_ts(moment)) == moment


def test_other_zones_are_written_in_utc() -> None:
    moment = datetime(2026, 11, 25, 12, 0, 0, 5, tzinfo=timezone(timedelta(hours=2)))
    assert format_ts(moment) == "2026-11-25T10:00:00.000005Z"
    assert parse_ts("2026-11-25T10:00:00.000005Z") == moment


@pytest.mark.parametrize("text", ["2026-13-01T00:00:00.000000Z", "2026-11-25T10:00:00Z",
                                  "2026-11-25 10:00:00.000000Z", "2026-11-25T10:00:00.000000"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ts(text)


def test_no_other_module_spells_the_format() -> None:
    spelled = []
    for folder in ("ledger", "machine", "handlers", "projections", "contexts", "kernels", "tests"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value == TS_FORMAT:
                    spelled.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert [where.split(":")[0] for where in spelled] == ["ledger/events.py"], spelled
