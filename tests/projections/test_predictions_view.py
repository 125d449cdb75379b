"""PredictionsView: every prediction with its outcome, from PredictionScored where the ledger
has it and joined from the draws where it does not, with the same answer both ways."""

from __future__ import annotations

from ledger import InMemoryRecorder, Record
from machine.events import (
    DrawIngested,
    EventModel,
    PredictionIssued,
    PredictionPoolEntry,
    new_event,
    validate_event,
)
from projections import PredictionsView

from .report_ledgers import ARRIVED_49, PREDICTED_48, PREDICTED_49, live_ledger


def _outcomes(view: PredictionsView) -> list[tuple[int, str, int | None, bool | None,
                                                   int | None, float | None]]:
    return [(i["target_index"], i["status"], i["draw"], i["hit"], i["rank"], i["probability"])
            for i in view.items]


def test_outcomes_are_the_same_with_and_without_scoring_events() -> None:
    scored = PredictionsView.rebuild(live_ledger(scored_events=True))
    joined = PredictionsView.rebuild(live_ledger(scored_events=False))
    assert isinstance(scored, PredictionsView) and isinstance(joined, PredictionsView)
    expected = [(48, "scored", PREDICTED_48, True, 1, 0.94),
                (49, "scored", ARRIVED_49, False, None, 0.0)]
    assert _outcomes(scored) == _outcomes(joined) == expected
    assert [i["scored_by"] for i in scored.items] == ["PredictionScored"] * 2
    assert [i["scored_by"] for i in joined.items] == ["DrawIngested"] * 2
    assert scored.items[1]["pool"] == [[PREDICTED_49, 0.95]]
    summary = scored.summary()
    assert summary == joined.summary()
    assert (summary["scored"], summary["hits"], summary["open"]) == (2, 1, 0)
    assert (summary["identified"], summary["identified_hits"]) == (2, 1)
    # The recorded loop's pool is priced by the alphabet its step reported; Chapter 13's by
    # the chance rate it recorded.
    assert [i["chance"] for i in scored.items] == [0.001, 0.001]
    assert summary["expected_hits"] == 0.002


def _ledger(events: list[tuple[str, EventModel]]) -> list[Record]:
    recorder = InMemoryRecorder(validator=validate_event)
    recorder.append([new_event(e, id=name, ts=f"2026-12-04T10:00:{n:02d}.000000Z")
                     for n, (name, e) in enumerate(events)])
    return list(recorder.read())


def _pool(*values: int) -> tuple[PredictionPoolEntry, ...]:
    return tuple(PredictionPoolEntry(draw=v, probability=0.01) for v in values)


def test_open_superseded_late_and_ranks() -> None:
    records = _ledger([
        ("d0", DrawIngested(source="s", position=0, values=(5, 6, 7), modulus=100)),
        ("p3a", PredictionIssued(target_index=3, pool=_pool(1, 2), identified=False)),
        ("p3b", PredictionIssued(target_index=3, pool=_pool(9, 8, 4), identified=False)),
        ("p1", PredictionIssued(target_index=1, pool=_pool(6), identified=False)),
        ("p4", PredictionIssued(target_index=4, pool=_pool(1), identified=False)),
        ("d3", DrawIngested(source="s", position=3, values=(8,), modulus=100)),
    ])
    view = PredictionsView.rebuild(records)
    assert isinstance(view, PredictionsView)
    assert _outcomes(view) == [
        (3, "superseded", None, None, None, None),  # a later prediction of draw 3 replaced it
        (3, "scored", 8, True, 2, 0.01),  # rank 2: the second value of its pool
        (1, "late", 6, True, 1, 0.01),  # issued after draw 1 arrived: shown, never counted
        (4, "open", None, None, None, None),
    ]
    assert [i["chance"] for i in view.items] == [0.02, 0.03, 0.01, 0.01]  # pool size / 100
    summary = view.summary()
    assert (summary["scored"], summary["hits"], summary["open"]) == (1, 1, 1)
    assert (summary["superseded"], summary["late"]) == (1, 1)
    assert summary["expected_hits"] == 0.03


def test_chance_is_unknown_until_an_alphabet_is() -> None:
    records = _ledger([
        ("d0", DrawIngested(source="s", position=0, values=(5,))),
        ("p1", PredictionIssued(target_index=1, pool=_pool(1), identified=False)),
        ("d1", DrawIngested(source="s", position=1, values=(1,))),
    ])
    view = PredictionsView.rebuild(records)
    assert isinstance(view, PredictionsView)
    assert view.items[0]["chance"] is None and view.items[0]["hit"] is True
    assert view.summary()["expected_hits"] is None
