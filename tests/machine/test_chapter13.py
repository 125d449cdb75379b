"""Chapter 13's cycle as pure decisions over folded events: scores come first, an identified
hypothesis predicts the next draw at once, a miss is a regime change searched from the miss,
the sentinel keeps its cadence in draws, a trigger's request names it; and the diagnostics."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from machine.commands import FireTrigger, PredictNext, RequestFromTrigger, ScorePredictions
from machine.decide import decide
from machine.events import (
    DrawIngested,
    EventModel,
    PoliciesSet,
    PredictionIssued,
    PredictionPoolEntry,
    PredictionScored,
    RequestReceived,
    TriggerFired,
    new_event,
)
from machine.fold import FoldError, evolve
from machine.policies import Policies, policies_sha256
from machine.registry import builtin_events
from machine.state import Identified, Outcome, State
from machine.triggers import REGIME_SPAN, SEARCH_DRAWS, SEARCH_STEPS
from projections.diagnostics import (
    calibration,
    drift,
    hit_rate_band,
    sequential_test,
    survivor_churn,
)

_ids = itertools.count()
HYPOTHESIS = {"generator": "mt19937", "seed": 1795536295, "reduction": "mod:1000", "offset": 0,
              "anchor": 8}


def _fold(state: State, payload: EventModel, run_id: str | None = None) -> State:
    event = new_event(payload, id=f"e{next(_ids)}", ts="2026-11-25T10:00:00.000000Z",
                      run_id=run_id)
    return evolve(state, event)


def _state(autonomous: bool = True) -> State:
    policies = Policies(autonomous=autonomous)
    return _fold(State(), PoliciesSet(policies=policies, sha256=policies_sha256(policies),
                                      source="test"))


def _draws(state: State, *values: int) -> State:
    return _fold(state, DrawIngested(source="test", position=state.draws, values=values))


def _apply(state: State, command: Any) -> State:
    for payload in builtin_events(command):
        _fold(state, payload)
    return state


def _identify(state: State) -> State:
    """As if a run had identified a hypothesis: Chapter 13 predicts the next draw with it."""
    pool = (PredictionPoolEntry(draw=417, probability=0.9),)
    prediction = PredictionIssued(target_index=state.draws, pool=pool, identified=True,
                                  hypothesis=HYPOTHESIS, chance_rate=0.001)
    # the hypothesis a run's prediction step identified, then Chapter 13's own prediction
    state.chapter13.identified = Identified(hypothesis=HYPOTHESIS, first_target=state.draws)
    return _fold(state, prediction)


def test_a_draw_that_arrives_is_scored_before_anything_else() -> None:
    state = _draws(_state(autonomous=False), *range(10))
    _identify(state)
    _draws(state, 417)
    command = decide(state)
    assert isinstance(command, ScorePredictions)
    assert command.scores == (PredictionScored(target_index=10, draw=417, hit=True, rank=1,
                                               probability=0.9),)
    _apply(state, command)
    assert state.chapter13.hits == 1 and state.chapter13.open == {}
    # not autonomous: nothing else (no next prediction, no trigger)
    assert decide(state) is None


def test_a_wrong_score_does_not_fold() -> None:
    state = _draws(_state(), *range(10))
    _identify(state)
    _draws(state, 5)
    with pytest.raises(FoldError, match="differs"):
        _fold(state, PredictionScored(target_index=10, draw=5, hit=True, rank=1,
                                      probability=0.9))


def test_while_identified_the_next_draw_is_predicted_at_once() -> None:
    state = _draws(_state(), *range(10))
    _identify(state)
    _draws(state, 417)
    _apply(state, decide(state))  # the score
    command = decide(state)
    assert isinstance(command, PredictNext)
    assert (command.target_index, command.first_target, command.hits) == (11, 10, 1)
    assert command.run_id is None and command.id.startswith("cmd:chapter13/predict/11#")


def test_a_miss_is_a_regime_change_searched_from_the_miss() -> None:
    state = _draws(_state(), *range(10))
    _identify(state)
    _draws(state, 3)  # the identified hypothesis said 417
    _apply(state, decide(state))
    assert state.chapter13.identified is None and state.chapter13.miss_at == 10
    assert decide(state) is None  # one draw since the miss (the missed one): too few to search
    for value in range(SEARCH_DRAWS - 2):
        _draws(state, value)
        assert decide(state) is None
    _draws(state, 99)
    command = decide(state)
    assert isinstance(command, FireTrigger)
    fired = command.trigger
    assert (fired.trigger, fired.since, fired.position) == ("regime_change", 10, 10 + SEARCH_DRAWS)
    assert fired.request["params"]["since"] == 10
    assert fired.request["scope"] == list(SEARCH_STEPS)
    assert fired.evidence["missed_at"] == 10
    _apply(state, command)
    # the trigger's work becomes a request named after it, then it is dispatched
    request = decide(state)
    assert isinstance(request, RequestFromTrigger) and request.trigger_id == fired.trigger_id
    _apply(state, request)
    assert state.queue == [request.new_request_id]
    assert state.requests[request.new_request_id].name == fired.trigger_id
    dispatch = decide(state)
    assert dispatch is not None and dispatch.kind == "dispatch.start"


def test_a_request_must_be_what_its_trigger_asked_for() -> None:
    state = _draws(_state(), *range(SEARCH_DRAWS))
    command = decide(state)
    assert isinstance(command, FireTrigger) and command.trigger.trigger == "sentinel"
    _apply(state, command)
    other = {**command.trigger.request, "scope": "full"}
    with pytest.raises(FoldError, match="differs"):
        _fold(state, RequestReceived(request_id="rq-x", source="chapter13",
                                     name=command.trigger.trigger_id, sha256="0" * 64, bytes=1,
                                     payload=other))


def test_the_sentinel_keeps_its_cadence_and_cooldown_in_draws() -> None:
    state = _draws(_state(), *range(SEARCH_DRAWS - 1))
    assert decide(state) is None  # too few draws to search
    _draws(state, 1)
    command = decide(state)
    assert isinstance(command, FireTrigger)
    assert command.trigger.since == 0 and command.trigger.cooldown_draws >= 1
    cadence = command.trigger.cooldown_draws
    _apply(state, command)
    request = decide(state)
    _apply(state, request)
    state.queue.clear()  # as if the search ran and found nothing
    for _ in range(cadence - 1):
        _draws(state, 7)
        assert decide(state) is None
    _draws(state, 7)
    again = decide(state)
    assert isinstance(again, FireTrigger)
    assert again.trigger.position == SEARCH_DRAWS + cadence
    assert again.trigger.since == again.trigger.position - SEARCH_DRAWS


def test_no_trigger_while_a_request_waits_or_when_not_autonomous() -> None:
    state = _draws(_state(autonomous=False), *range(20))
    assert decide(state) is None
    state = _draws(_state(), *range(20))
    command = decide(state)
    assert isinstance(command, FireTrigger)
    _apply(state, command)
    _apply(state, decide(state))
    _draws(state, *range(10))
    dispatch = decide(state)
    assert dispatch is not None and dispatch.kind == "dispatch.start"


def test_a_trigger_fires_on_the_history_it_saw() -> None:
    state = _draws(_state(), *range(SEARCH_DRAWS))
    command = decide(state)
    assert isinstance(command, FireTrigger)
    _draws(state, 1)
    with pytest.raises(FoldError, match="fired at position"):
        _fold(state, command.trigger)
    with pytest.raises(ValueError, match="dispatch request"):
        TriggerFired(trigger_id="x-1", trigger="drift", position=3, since=0, cooldown_draws=1,
                     request={"kind": "halt"})


def _outcomes(hits: list[bool], chance: float = 0.01, claimed: float = 0.01,
              identified: bool = False) -> list[Outcome]:
    return [Outcome(target_index=i, hit=h, identified=identified, claimed=claimed,
                    chance_rate=chance) for i, h in enumerate(hits)]


def test_the_sequential_test_needs_evidence_not_one_miss() -> None:
    assert sequential_test(_outcomes([False])).verdict == "undecided"
    assert sequential_test(_outcomes([True] * 4)).verdict == "above chance"
    assert sequential_test(_outcomes([False] * 500)).verdict == "chance"
    # chance-level hits (1 in 100) never read as above chance
    chance_level = [i % 100 == 0 for i in range(2000)]
    assert sequential_test(_outcomes(chance_level)).verdict == "chance"


def test_the_chance_band_and_calibration() -> None:
    band = hit_rate_band(_outcomes([i % 10 == 0 for i in range(100)], chance=0.1))
    assert band.expected == pytest.approx(10) and band.inside_band
    assert not hit_rate_band(_outcomes([True] * 30, chance=0.1)).inside_band
    honest = calibration(_outcomes([True] * 9 + [False], claimed=0.9))
    assert honest.claimed == pytest.approx(9) and abs(honest.z or 0) < 1
    flattering = calibration(_outcomes([False] * 10, claimed=0.9))
    assert flattering.z is not None and flattering.z < -3


def test_survivor_churn_is_by_identity_not_count() -> None:
    a = {"generator": "mt19937", "seed": 1, "reduction": "mod:1000", "offset": 0}
    b = {"generator": "mt19937", "seed": 2, "reduction": "mod:1000", "offset": 0}
    same_count = survivor_churn([a], [b])
    assert (same_count.kept, same_count.gone, same_count.new, same_count.jaccard) == (0, 1, 1, 0)
    moved = survivor_churn([{**a, "anchor": 3}], [{**a, "anchor": 9}])
    assert moved.kept == 1 and moved.jaccard == 1.0


def test_drift_of_an_identified_hit_rate() -> None:
    steady = drift(_outcomes([True] * 19 + [False], claimed=0.95, identified=True),
                   window=20, floor=0.5)
    assert steady is not None and not steady.drifted
    fading = _outcomes([True] * 2 + [False] * 18, claimed=0.95, identified=True)
    drifted = drift(fading, window=20, floor=0.5)
    assert drifted is not None and drifted.drifted
    assert drift(fading[:5], window=20, floor=0.5) is None


def test_a_stale_miss_leaves_the_search_to_the_sentinel() -> None:
    state = _draws(_state(), *range(10))
    _identify(state)
    _draws(state, 3)
    _apply(state, decide(state))
    _draws(state, *range(REGIME_SPAN))  # no search ran: the miss is now stale
    command = decide(state)
    assert isinstance(command, FireTrigger)
    assert command.trigger.trigger == "sentinel"
    assert command.trigger.since == state.draws - SEARCH_DRAWS
