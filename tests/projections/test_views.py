"""Read models: built incrementally while a ledger grows, rebuilt from seq 0, always equal.

The ledgers hold every event a view reads (observed draws included, which no handler records
yet), and each comparison is made on views that have content: two empty views are equal
whatever the code does.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Iterator

import pytest

from ledger import InMemoryRecorder, NewEvent, Record, read_ledger
from machine.events import DrawIngested, new_event, validate_event
from machine.policies import Policies
from machine.runner import Runner
from projections import ALL_VIEWS, build_views
from projections.views import (
    CandidatesView,
    DrawsView,
    IncidentsView,
    Projection,
    RequestsView,
    RunsView,
    StepsView,
    VerdictsView,
)

from tests.machine.helpers import drop, make_home, open_runner

HISTORIES = sorted(p.parent for p in (Path(__file__).resolve().parents[1] / "histories")
                   .glob("*/ledger.jsonl"))
VIEW_IDS = [v.name for v in ALL_VIEWS]
#: Draws spread over each ledger: more than DrawsView keeps, so its window slides.
DRAWS_PER_LEDGER = 3 * DrawsView.KEEP // 2


def has_content(view: Projection) -> bool:
    """Whether ``view`` holds more than a fresh one (``last_seq`` aside)."""
    empty = {**type(view)().snapshot(), "last_seq": view.last_seq}
    return view.snapshot() != empty


def draws(rng: random.Random, n: int, *, position: int, ts: str, event_id: str) -> NewEvent:
    values = tuple(rng.randrange(1000) for _ in range(n))
    event = DrawIngested(source="test", position=position, values=values, modulus=1000)
    return new_event(event, id=event_id, ts=ts)


def with_draws(history: Path) -> Iterator[NewEvent]:
    """A recorded history's events with a batch of draws after every fourth one."""
    recorded = list(read_ledger(history / "ledger.jsonl"))
    per_batch = -(-DRAWS_PER_LEDGER // (len(recorded) // 4))
    rng = random.Random(history.name)
    for i, record in enumerate(recorded, 1):
        yield NewEvent(id=record.id, type=record.type, v=record.v, ts=record.ts,
                       run_id=record.run_id, causation_id=record.causation_id,
                       data=record.data, artifacts=record.artifacts)
        if i % 4 == 0:
            yield draws(rng, per_batch, position=(i // 4 - 1) * per_batch, ts=record.ts,
                        event_id=f"draws-{i}")


def history_ledger(history: Path) -> list[Record]:
    recorder = InMemoryRecorder(validator=validate_event)
    recorder.append(list(with_draws(history)))
    return list(recorder.read())


def as_version_1(event: NewEvent) -> NewEvent:
    """A draw batch as an older machine recorded it (no position)."""
    data = {k: v for k, v in event.data.items() if k in ("source", "values", "modulus")}
    return event.model_copy(update={"v": 1, "data": data})


def follow(view: Projection, records: list[Record], chunk: int) -> None:
    """Apply ``records`` as a follower does: in chunks, each overlapping what was applied."""
    for end in range(chunk, len(records) + chunk, chunk):
        view.apply_all(records[max(0, view.last_seq - 2):end])


def test_every_view_reads_something_of_the_recorded_histories() -> None:
    ledgers = {h.name: history_ledger(h) for h in HISTORIES}
    for view_cls in ALL_VIEWS:
        filled = [name for name, records in ledgers.items()
                  if has_content(view_cls.rebuild(records))]
        assert filled, f"{view_cls.name}: empty on every recorded history"
    types = {r.type for records in ledgers.values() for r in records}
    assert {"DrawIngested", "Halted", "Resumed", "Approved", "Escalated", "StepFailed",
            "DispatchFailed", "LLMUnavailable", "CandidateEmitted"} <= types


@pytest.mark.parametrize("history", HISTORIES, ids=[h.name for h in HISTORIES])
@pytest.mark.parametrize("view_cls", ALL_VIEWS, ids=VIEW_IDS)
def test_incremental_equals_rebuilt_on_recorded_histories(
    view_cls: type[Projection], history: Path
) -> None:
    records = history_ledger(history)
    rebuilt = view_cls.rebuild(records)
    assert rebuilt.last_seq == records[-1].seq
    for chunk in (1, 3, 7):
        view = view_cls()
        follow(view, records, chunk)
        assert view.snapshot() == rebuilt.snapshot(), f"followed in chunks of {chunk}"
    assert build_views(records)[view_cls.name].snapshot() == rebuilt.snapshot()
    with pytest.raises(ValueError, match="a gap"):
        view_cls().apply_all(records[1:])


def test_the_draws_view_keeps_the_newest_draws_and_counts_all() -> None:
    history = next(h for h in HISTORIES if h.name == "learning_loop_full_pass")
    records = history_ledger(history)
    values = [v for r in records if r.type == "DrawIngested" for v in r.data["values"]]
    assert len(values) > DrawsView.KEEP
    view = DrawsView.rebuild(records)
    assert isinstance(view, DrawsView)
    assert view.count == len(values) and view.recent == values[-DrawsView.KEEP:]


def test_draws_of_version_1_read_as_their_version_2_form() -> None:
    history = next(h for h in HISTORIES if h.name == "selfplay_candidates")
    current = history_ledger(history)
    # Every other batch as version 1; nothing writes that version any more, so no validator.
    batches = 0
    mixed_events = []
    for event in with_draws(history):
        if event.type == "DrawIngested":
            batches += 1
            event = as_version_1(event) if batches % 2 else event
        mixed_events.append(event)
    recorder = InMemoryRecorder()
    recorder.append(mixed_events)
    mixed = list(recorder.read())
    assert {r.v for r in mixed if r.type == "DrawIngested"} == {1, 2}
    expected = DrawsView.rebuild(current).snapshot()
    assert DrawsView.rebuild(mixed).snapshot() == expected
    followed = DrawsView()
    follow(followed, mixed, 3)
    assert followed.snapshot() == expected


def _live_runner(tmp_path: Path) -> Runner:
    # not autonomous: the draws fed after every command would keep Chapter 13's sentinel due
    # for ever, and these tests follow the requests they drop to their end
    home = make_home(tmp_path / "h", Policies(autonomous=False))
    drop(home, "a.json", {"kind": "learning_loop", "scope": [3, 4]})
    drop(home, "b.json", {"kind": "selfplay_retrain", "episodes": 2})
    drop(home, "c.json", b"{broken")
    drop(home, "d.json", {"kind": "pipeline_rerun", "dry_run": True})
    return open_runner(home)


def _ingest(runner: Runner, rng: random.Random, n: int) -> None:
    runner.append([draws(rng, n, position=runner.state.draws, ts=runner.clock(),
                         event_id=f"draws-{runner.recorder.last_seq()}")])


@pytest.mark.parametrize("view_cls", ALL_VIEWS, ids=VIEW_IDS)
def test_incremental_equals_rebuilt_while_the_ledger_grows(tmp_path: Path,
                                                           view_cls: type[Projection]) -> None:
    rng = random.Random(7)
    with _live_runner(tmp_path) as runner:
        view = view_cls()
        # Apply while the ledger grows, one command at a time, as a follower does; records
        # seen again are skipped, a gap is refused.
        while runner.run_until_idle(max_commands=1):
            _ingest(runner, rng, 120)
            records = list(runner.recorder.read())
            view.apply_all(records[max(0, view.last_seq - 2):])
        records = list(runner.recorder.read())
        with pytest.raises(ValueError, match="a gap"):
            view_cls().apply_all(records[1:])
        rebuilt = view_cls.rebuild(records)
        assert has_content(rebuilt)
        assert view.snapshot() == rebuilt.snapshot()
        assert view.last_seq == rebuilt.last_seq == records[-1].seq
        assert build_views(records)[view_cls.name].snapshot() == rebuilt.snapshot()


def test_views_say_what_happened(tmp_path: Path) -> None:
    rng = random.Random(7)
    with _live_runner(tmp_path) as runner:
        _ingest(runner, rng, 5)
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
    verdicts = views["verdicts"]
    assert isinstance(verdicts, VerdictsView)
    assert {(v["unit"], v["decision"]) for v in verdicts.items} >= {
        ("3", "proceed"), ("4", "proceed"), ("selfplay", "proceed")}
    draws_view = views["draws"]
    assert isinstance(draws_view, DrawsView)
    assert draws_view.count == 5 and len(draws_view.recent) == 5
    candidates = views["candidates"]
    assert isinstance(candidates, CandidatesView) and candidates.items
    assert all(c["status"] == "candidate" for c in candidates.items)  # never promoted here
    incidents = views["incidents"]
    assert isinstance(incidents, IncidentsView)
    assert [i["kind"] for i in incidents.items] == ["request_rejected"]
