"""A request's status is defined once (``machine.requests.validated_status`` and the fold's
transitions): the fold and ``RequestsView`` agree on every request of every recorded ledger."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ledger import read_ledger
from machine.fold import evolve
from machine.requests import CONTROL_KINDS, DISPATCH_KINDS, validated_status
from machine.state import State
from projections.views import RequestsView

HISTORIES = sorted(p.parent for p in (Path(__file__).resolve().parents[1] / "histories")
                   .glob("*/ledger.jsonl"))


def _statuses_after_each_event(history: Path) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(the fold's, the view's) status of every request, after each event of the ledger."""
    state, view, out = State(), RequestsView(), []
    for record in read_ledger(history / "ledger.jsonl"):
        evolve(state, record)
        view.apply(record)
        out.append(({rid: r.status for rid, r in state.requests.items()},
                    {rid: item["status"] for rid, item in view.items.items()}))
    return out


@pytest.mark.parametrize("history", HISTORIES, ids=[h.name for h in HISTORIES])
def test_fold_and_view_agree_on_every_request_at_every_point(history: Path) -> None:
    pairs = _statuses_after_each_event(history)
    assert pairs[-1][0], "a history without requests checks nothing"
    for seq, (folded, viewed) in enumerate(pairs):
        assert folded == viewed, f"seq {seq}"


def test_the_histories_cover_the_statuses() -> None:
    seen: Counter[str] = Counter()
    for history in HISTORIES:
        for folded, _viewed in _statuses_after_each_event(history):
            seen.update(folded.values())
    assert {"received", "rejected", "queued", "validated", "planned", "running", "completed",
            "failed", "applied"} <= set(seen)


def test_validated_status_by_kind() -> None:
    assert {validated_status(kind) for kind in DISPATCH_KINDS} == {"queued"}
    assert {validated_status(kind) for kind in CONTROL_KINDS} == {"validated"}
