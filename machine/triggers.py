"""Chapter 13's decisions: what the feedback loop does next, from the folded state. Pure.

``decide`` asks here before anything else, so every new draw gets its Chapter 13 cycle first:

1. *score* every open prediction whose draw arrived (``chapter13.score``: ``PredictionScored``
   each). Scoring always runs; everything below only under the ``autonomous`` policy;
2. while a hypothesis is *identified* and no prediction of the next draw is open, its next
   draw is predicted at once (``chapter13.predict``, a handler: ``PredictionIssued`` outside any
   run), without a learning loop, before that draw arrives;
3. *triggers*, decided from the diagnostics (``projections.diagnostics``), each with a
   cooldown counted in draws and recorded with its evidence (``chapter13.trigger``:
   ``TriggerFired``), while no dispatch request is queued or running:

   - ``regime_change``: an identified hypothesis missed. Once :data:`SEARCH_DRAWS` draws have
     arrived since the miss, the draws since the miss are searched at once (again at the
     sentinel's cadence, for :data:`REGIME_SPAN` draws after the miss; then the sentinel);
   - ``drift``: the identified predictions' hit rate over the loop policy's drift window fell
     below its floor of what they claimed;
   - ``sentinel``: while nothing is identified, every ``min_new_draws`` new draws (the loop
     policy's cadence), a cheap search of the newest :data:`SEARCH_DRAWS` draws over the most
     likely seeds: Unix seconds and milliseconds within ``clock_span_s`` before the draws' own
     timestamps, and small seeds;

4. a fired trigger's work becomes a request to the WATCHER (``chapter13.request``:
   ``RequestReceived`` with source ``chapter13``, named after the trigger, and
   ``RequestValidated``), a ``learning_loop`` the queue then runs like any other. Its command's
   scope names the trigger, and the fold checks that the request is the one the trigger asked
   for. A step that must come between a trigger and its request (a proposal and its
   acceptance) goes in :func:`_work_for`, before the request is made.

The requests search the draws from ``since`` on (steps 1, 2, 3 and 6: plan, sieve, scoring,
prediction), so that a reseeded generator is sought in the draws it made, not in a history
that mixes two seeds.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ledger import canonical
from projections.diagnostics import drift, evidence, hit_rate_band, regime_change, sequential_test

from .commands import (
    Command,
    FireTrigger,
    PredictNext,
    RequestFromTrigger,
    ScorePredictions,
    make_command,
)
from .events import PredictionScored, TriggerFired, TriggerKind
from .loop_policy import LoopPolicy, request_params
from .policies import Policies
from .state import Chapter13, PendingTrigger, State
from .steps import step_for

__all__ = [
    "SEARCH_DRAWS",
    "REGIME_SPAN",
    "SEARCH_STEPS",
    "SEARCH_PARAMS",
    "chapter13_command",
    "trigger_request",
    "chapter13_request_id",
    "request_digest",
]

#: The fewest draws a search is run on: the sieve's shortest window.
SEARCH_DRAWS = 8
#: Draws after a miss during which the regime-change search stays anchored at the miss; past
#: them the miss is stale (the new regime was not in the searched seeds, or changed again) and
#: the sentinel searches the newest draws instead.
REGIME_SPAN = 3 * SEARCH_DRAWS
#: The steps a Chapter 13 search runs: plan, sieve, scoring, prediction (no model training:
#: an identified hypothesis needs no ranking, and an unidentified one is priced at chance).
SEARCH_STEPS = tuple(step_for(name).number for name in
                     ("window_optimizer", "sieve", "scoring", "prediction"))
#: Request parameters of every Chapter 13 search, besides the loop policy's: no held-out or
#: test segment (the draws since a reseed are few; the prediction's own scoring is the test),
#: a short plan, and exact windows (errors cost the short window its power).
SEARCH_PARAMS: dict[str, Any] = {
    "holdout_fraction": 0.0, "test_fraction": 0.0, "plan_trials": 12, "error_rate": 0.0,
}


def chapter13_request_id(trigger_id: str) -> str:
    """The id of the request a trigger's work becomes."""
    return f"rq-c13-{trigger_id}"


def chapter13_command(state: State, policies: Policies) -> Command | None:
    """Chapter 13's next command, or ``None`` when the cycle has nothing to do."""
    c13 = state.chapter13
    scores = _scores(c13)
    if scores:
        targets = ",".join(str(s.target_index) for s in scores)
        return make_command(ScorePredictions, f"chapter13/score/{targets}", scores=scores)
    if not policies.autonomous:
        return None
    identified = c13.identified
    if identified is not None and state.draws not in c13.open:
        return make_command(
            PredictNext, f"chapter13/predict/{state.draws}", target_index=state.draws,
            hypothesis=identified.hypothesis, first_target=identified.first_target,
            hits=identified.hits)
    busy = state.active is not None or any(
        not state.requests[r].dry_run for r in state.queue)
    if busy:
        return None
    for trigger in c13.pending.values():
        return _work_for(trigger)
    fired = _trigger(state, state.loop.policy)
    if fired is not None:
        return make_command(FireTrigger, f"chapter13/{fired.trigger}/{fired.position}",
                            trigger=fired)
    return None


def _scores(c13: Chapter13) -> tuple[PredictionScored, ...]:
    scores = []
    for target in sorted(c13.arrived):
        draw = c13.arrived[target]
        hit, rank, probability = c13.open[target].score(draw)
        scores.append(PredictionScored(target_index=target, draw=draw, hit=hit, rank=rank,
                                       probability=probability))
    return tuple(scores)


def _work_for(trigger: PendingTrigger) -> Command:
    """What a fired trigger leads to next: its request."""
    return make_command(
        RequestFromTrigger, f"chapter13/request/{trigger.trigger_id}",
        trigger_id=trigger.trigger_id, new_request_id=chapter13_request_id(trigger.trigger_id),
        request=trigger.request)


def trigger_request(policy: LoopPolicy, since: int, trigger: TriggerKind,
                    position: int) -> dict[str, Any]:
    """The learning-loop request a trigger asks for: the draws from ``since`` on."""
    params: dict[str, Any] = {**request_params(policy), **SEARCH_PARAMS, "since": since}
    return {"kind": "learning_loop", "scope": list(SEARCH_STEPS), "params": params,
            "note": f"Chapter 13 {trigger} trigger at draw {position}"}


def _cooling(c13: Chapter13, trigger: str, position: int, cooldown: int) -> bool:
    last = c13.last_fired.get(trigger)
    return last is not None and position < last + max(cooldown, 1)


def _trigger(state: State, policy: LoopPolicy) -> TriggerFired | None:
    c13 = state.chapter13
    position = state.draws
    recent = c13.outcomes[-policy.drift_window_draws:]
    band = evidence(hit_rate_band(recent), "window_")
    test = sequential_test(c13.outcomes)
    common = {**band, "scored": c13.scored, "hits": c13.hits,
              "sprt_log_ratio": test.log_ratio, "sprt_verdict": test.verdict}

    def fire(kind: TriggerKind, since: int, cooldown: int, **found: Any) -> TriggerFired:
        return TriggerFired(
            trigger_id=f"{kind}-{position}", trigger=kind, position=position, since=since,
            evidence={**common, **found}, cooldown_draws=cooldown,
            request=trigger_request(policy, since, kind, position))

    missed = regime_change(c13)
    if missed is not None and position - missed <= REGIME_SPAN:
        if position - missed >= SEARCH_DRAWS and not _cooling(
                c13, "regime_change", position, policy.min_new_draws):
            return fire("regime_change", missed, policy.min_new_draws, missed_at=missed,
                        draws_since_miss=position - missed)
        return None  # the draws since the miss are too few to search yet, or it is cooling
    if c13.identified is not None:
        found = drift(c13.outcomes, window=policy.drift_window_draws,
                      floor=policy.retrain_hit_rate_floor)
        if found is not None and found.drifted and not _cooling(
                c13, "drift", position, policy.drift_window_draws):
            since = max(position - policy.drift_window_draws, 0)
            return fire("drift", since, policy.drift_window_draws, **evidence(found, "drift_"))
        return None
    if position >= SEARCH_DRAWS and position - c13.searched_to >= policy.min_new_draws \
            and not _cooling(c13, "sentinel", position, policy.min_new_draws):
        return fire("sentinel", position - SEARCH_DRAWS, policy.min_new_draws,
                    new_draws=position - c13.searched_to)
    return None


def request_digest(request: dict[str, Any]) -> str:
    """SHA256 of a request's canonical JSON (what its ``RequestReceived`` records)."""
    return hashlib.sha256(canonical(request)).hexdigest()
