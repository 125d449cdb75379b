"""Ingest: only what is new is appended, contradictions and bad records refuse the whole call,
dropped files are ingested by the daemon, and version-1 draw events still replay."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ledger import InMemoryRecorder, JsonlRecorder, NewEvent, read_ledger

from handlers.history import draw_history
from machine.cli import main
from machine.draw_intake import MAX_INGEST_DRAWS
from machine.events import validate_event
from machine.fold import fold
from machine.home import Home, init_home
from machine.replay import replay
from machine.runner import Runner


def _line(minute: int, draw: int, session: str | None = None, key: str = "ts") -> str:
    record: dict[str, object] = {key: f"2026-11-24T16:{minute:02d}:00Z", "draw": draw}
    if session:
        record["session"] = session
    return json.dumps(record)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home")
    assert main(["init", "--home", str(home.root)]) == 0
    return home


def _ingest(home: Home, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    code = main(["ingest", str(path), "--home", str(home.root), "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def _ledger_bytes(home: Home) -> bytes:
    return home.ledger.read_bytes()


def test_repeats_and_overlaps_append_only_what_is_new(home: Home, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "first.jsonl"
    first.write_text("\n".join(_line(m, m * 7) for m in range(5)) + "\n")
    code, out, _ = _ingest(home, first, capsys)
    assert code == 0 and out["new_draws"] == 5 and out["position"] == 0
    code, out, _ = _ingest(home, first, capsys)  # the same records again
    assert code == 0 and out["new_draws"] == 0
    overlap = tmp_path / "overlap.jsonl"  # minutes 3..7: 3 and 4 are recorded already
    overlap.write_text("\n".join(_line(m, m * 7, key="date" if m > 5 else "ts") for m in range(3, 8)))
    code, out, _ = _ingest(home, overlap, capsys)
    assert code == 0 and out["new_draws"] == 3 and out["position"] == 5 and out["history"] == 8
    history = draw_history(home.ledger)
    assert history.values == tuple(m * 7 for m in range(8))
    assert history.timestamps[0] == "2026-11-24T16:00:00Z"
    assert replay(home.ledger).exit_code == 0


@pytest.mark.parametrize("lines, fragment", [
    ([_line(2, 999)], "line 1: 2026-11-24T16:02:00Z contradicts the recorded draw at position 2 "
                      "(recorded 14, here 999)"),
    ([_line(9, 1), '{"ts": "2026-11-24T16:10:00Z", "draw": -4}'], "line 2: draws are non-negative"),
    ([_line(9, 1), "{oops"], "line 2: invalid JSON"),
    ([_line(9, 1), _line(9, 2)], "line 2: 2026-11-24T16:09:00Z contradicts line 1"),
    ([_line(9, 1), _line(8, 2)], "line 2: 2026-11-24T16:08:00Z is earlier than line 1"),
    ([_line(9, 1), '{"draw": 5}'], "line 2: has no time while the records before it have one"),
])
def test_a_bad_record_refuses_the_whole_call(home: Home, tmp_path: Path, lines: list[str],
                                             fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(_line(m, m * 7) for m in range(5)))
    assert _ingest(home, good, capsys)[0] == 0
    before = _ledger_bytes(home)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    code, out, err = _ingest(home, bad, capsys)
    assert code == 2 and not out
    assert fragment in err and "bad.jsonl" in err and err.count("\n") == 1
    assert _ledger_bytes(home) == before


def test_a_new_record_before_the_history_end_is_refused(home: Home, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    late = tmp_path / "late.jsonl"
    late.write_text(_line(30, 1) + "\n")
    assert _ingest(home, late, capsys)[0] == 0
    early = tmp_path / "early.jsonl"
    early.write_text(_line(10, 2) + "\n")
    code, _, err = _ingest(home, early, capsys)
    assert code == 2 and "earlier than the last recorded draw (2026-11-24T16:30:00Z, position 0)" in err


def test_untimed_draws_from_stdin_and_a_growing_file(home: Home, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    values = list(range(100, 120))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(values[:12]).encode())))
    assert main(["ingest", "-", "--home", str(home.root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["new_draws"] == 12
    grown = tmp_path / "grown.txt"  # the whole history, then 8 more: only those are new
    grown.write_text("\n".join(map(str, values)) + "\n")
    code, out, _ = _ingest(home, grown, capsys)
    assert code == 0 and out["new_draws"] == 8 and out["position"] == 12
    code, out, _ = _ingest(home, grown, capsys)  # the same bytes again
    assert out["new_draws"] == 0
    assert draw_history(home.ledger).values == tuple(values)


def test_the_daemon_ingests_dropped_files_and_archives_them(home: Home,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (home.draws / "a.jsonl").write_text("\n".join(_line(m, m, "midday") for m in range(4)))
    (home.draws / "b.jsonl").write_text("\n".join(_line(m, m, "midday") for m in range(2, 6)))
    (home.draws / "c.jsonl").write_text(_line(1, 77, "midday"))
    (home.draws / ".d.jsonl.tmp").write_text(_line(9, 9))  # a write in progress: left alone
    assert main(["daemon", "--once", "--home", str(home.root)]) == 0
    out = capsys.readouterr().out
    assert "draw file a.jsonl: ingested, 4 draw(s) from position 0" in out
    assert "draw file b.jsonl: ingested, 2 draw(s) from position 4" in out
    assert "draw file c.jsonl: rejected" in out and "contradicts" in out
    assert [p.name for p in home.draws.iterdir()] == [".d.jsonl.tmp"]
    archived = sorted(p.name for p in home.archive.iterdir())
    assert any(n.endswith("--a.jsonl") for n in archived)
    assert not any(n.endswith("--c.jsonl") for n in archived)
    reason = next(p for p in home.quarantine.iterdir() if p.name.endswith(".reason.txt"))
    assert reason.name.endswith("--c.jsonl.reason.txt")
    assert "contradicts the recorded draw at position 1" in reason.read_text()
    history = draw_history(home.ledger)
    assert history.values == (0, 1, 2, 3, 4, 5) and history.sessions[0] == "midday"


def test_ingest_while_a_daemon_holds_the_ledger_is_checked_then_handed_over(
        home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(_line(1, 5))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_line(1, 5) + "\n" + '{"draw": "x", "ts": "2026-11-24T16:02:00Z"}')
    with Runner.open(home):
        code, out, err = _ingest(home, bad, capsys)
        assert code == 2 and "line 2: expected an integer draw" in err
        assert list(home.draws.iterdir()) == []
        code, out, _ = _ingest(home, path, capsys)
        assert code == 0 and out["handed_over"] and out["new_draws"] == 1
    assert len(list(home.draws.iterdir())) == 1
    assert main(["daemon", "--once", "--home", str(home.root), "--quiet"]) == 0
    assert draw_history(home.ledger).values == (5,)


def test_a_version_1_draw_event_still_replays(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    init_home(home)
    with Runner.open(home):
        pass
    recorder = JsonlRecorder(home.ledger)  # no validator: an older machine wrote version 1
    try:
        recorder.append([NewEvent(id="old-draws", type="DrawIngested", v=1,
                                  ts="2026-01-01T00:00:00.000000Z",
                                  data={"source": "daily", "values": [4, 5, 6]})])
    finally:
        recorder.close()
    with Runner.open(home) as runner:
        assert runner.state.draws == 3
    assert replay(home.ledger).exit_code == 0
    assert draw_history(home.ledger).values == (4, 5, 6)
    assert fold(read_ledger(home.ledger)).draws == 3
    with pytest.raises(ValueError, match="unknown version 1"):  # never written again
        validate_event("DrawIngested", 1, {"source": "daily", "values": [1]})


def test_a_draw_event_at_the_wrong_position_does_not_fold() -> None:
    recorder = InMemoryRecorder(validator=validate_event)
    event = NewEvent(id="d", type="DrawIngested", v=2, ts="2026-01-01T00:00:00.000000Z",
                     data={"source": "x", "position": 3, "values": [1]})
    recorder.append([event])
    with pytest.raises(ValueError, match="position 3, but the history holds 0"):
        fold(recorder.read())


def test_links_are_quarantined_unfollowed_and_an_oversized_file_is_refused_unread(
        home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET line\n")
    (home.draws / "link.txt").symlink_to(secret)
    monkeypatch.setattr("machine.draw_intake.MAX_INGEST_BYTES", 10)
    (home.draws / "big.txt").write_text("1\n" * 20)
    assert main(["daemon", "--once", "--home", str(home.root)]) == 0
    out = capsys.readouterr().out
    assert "draw file big.txt: rejected: big.txt: draw file is 40 bytes; the limit is 10" in out
    assert "draw file link.txt: rejected: link.txt: a symbolic link" in out
    assert "SECRET" not in out and "SECRET" not in home.ledger.read_text()
    assert list(home.draws.iterdir()) == []
    [link] = [p for p in home.quarantine.iterdir() if p.name.endswith("--link.txt")]
    assert link.is_symlink() and secret.read_text() == "SECRET line\n"  # moved, not followed
    assert draw_history(home.ledger).values == ()


def test_watcher_ingest_holds_a_file_to_the_daemon_s_bounds(
        home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    many = tmp_path / "many.txt"
    many.write_text("1\n" * (MAX_INGEST_DRAWS + 1))
    code, out, err = _ingest(home, many, capsys)
    assert code == 2 and not out and f"at most {MAX_INGEST_DRAWS:,}" in err
    huge = tmp_path / "huge.txt"
    huge.write_text(str(1 << 64) + "\n")
    code, out, err = _ingest(home, huge, capsys)
    assert code == 2 and "draws are below 2^64" in err
    assert draw_history(home.ledger).values == ()
