"""Read models: built incrementally while a ledger grows, rebuilt from seq 0, always equal."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections import ALL_VIEWS, build_views
from projections.views import CandidatesView, IncidentsView, RequestsView, RunsView, StepsView

from tests.machine.helpers import drop, make_home, open_runner


def _ledger(tmp_path: Path):  # type: ignore[no-untyped-def]
    home = make_home(tmp_path / "h")
    drop(home, "a.json", {"kind": "learning_loop", "scope": [3, 4]})
    drop(home, "b.json", {"kind": "selfplay_retrain", "episodes": 2})
    drop(home, "c.json", b"{broken")
    drop(home, "d.json", {"kind": "pipeline_rerun", "dry_run": True})
    runner = open_runner(home)
    return home, runner


@pytest.mark.parametrize("view_cls", ALL_VIEWS, ids=[v.name for v in ALL_VIEWS])
def test_incremental_equals_rebuilt(tmp_path: Path, view_cls) -> None:  # type: ignore[no-untyped-def]
    _home, runner = _ledger(tmp_path)
    with runner:
        view = view_cls()
        # Apply while the ledger grows, one command at a time, as a follower does; records
        # seen again are skipped, a gap is refused.
        while runner.run_until_idle(max_commands=1):
            records = list(runner.recorder.read())
            view.apply_all(records[max(0, view.last_seq - 2):])
        records = list(runner.recorder.read())
        with pytest.raises(ValueError, match="a gap"):
            view_cls().apply_all(records[1:])
        records = list(runner.recorder.read())
        rebuilt = view_cls.rebuild(records)
        assert view.snapshot() == rebuilt.snapshot()
        assert view.last_seq == rebuilt.last_seq == records[-1].seq
        assert build_views(records)[view_cls.name].snapshot() == rebuilt.snapshot()


def test_views_say_what_happened(tmp_path: Path) -> None:
    _home, runner = _ledger(tmp_path)
    with runner:
        runner.run_until_idle()
        views = build_views(runner.recorder.read())
    requests = views["requests"]
    assert isinstance(requests, RequestsView)
    assert sorted(i["status"] for i in requests.items.values()) == [
        "completed", "completed", "planned", "rejected"]
    runs = views["runs"]
    assert isinstance(runs, RunsView)
    assert {r["kind"]: r["status"] for r in runs.items.values()} == {
        "learning_loop": "completed", "selfplay_retrain": "completed"}
    steps = views["steps"]
    assert isinstance(steps, StepsView)
    assert [(s["unit"], s["outcome"]) for s in steps.items] == [
        ("3", "completed"), ("4", "completed"), ("selfplay", "completed")]
    candidates = views["candidates"]
    assert isinstance(candidates, CandidatesView) and candidates.items
    assert all(c["status"] == "candidate" for c in candidates.items)  # never promoted here
    incidents = views["incidents"]
    assert isinstance(incidents, IncidentsView)
    assert [i["kind"] for i in incidents.items] == ["request_rejected"]
