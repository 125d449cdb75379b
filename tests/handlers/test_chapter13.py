"""The pieces Chapter 13's searches and predictions stand on: the next draw of a hypothesis
from its anchor, a history cut at ``since`` with positions kept absolute, a time split with no
held-out or test segment, and a stated clock span planned in rings nearest the draws first."""

from __future__ import annotations

from handlers.chapter13 import next_draw
from handlers.history import DrawHistory
from handlers.pipeline.common import time_split
from handlers.pipeline.prediction import issue_prediction
from handlers.pipeline.window_optimizer import CLOCK_RINGS_S, Reach
from kernels.observation import Hypothesis, predict
from kernels.sieve.engine import SkipSpace
from kernels.sieve.plan import PlanItem

HYPOTHESIS = {"generator": "mt19937", "seed": 1795536295, "reduction": "mod:1000"}


def test_the_next_draw_runs_the_hypothesis_from_its_anchor() -> None:
    stream = predict(Hypothesis.model_validate(HYPOTHESIS), 12)
    anchored = {**HYPOTHESIS, "anchor": 30}
    assert [next_draw(anchored, 30 + i) for i in range(12)] == stream


def test_a_history_cut_at_since_keeps_its_positions() -> None:
    history = DrawHistory(values=(5, 6, 7, 8), timestamps=("a", "b", "c", "d"),
                          sessions=(None,) * 4)
    cut = history.from_position(2)
    assert (cut.values, cut.timestamps, cut.start, cut.first_timestamp) == ((7, 8), ("c", "d"), 2, "c")
    assert cut.from_position(3).values == (8,)


def test_a_prediction_on_a_cut_history_names_whole_history_positions() -> None:
    values = tuple(predict(Hypothesis.model_validate(HYPOTHESIS), 10))
    row = {"history_compared": 10, "history_matches": 10, "q": 0.001, "test_hit_rate": 1.0,
           "next_draw": 417, "hypothesis": HYPOTHESIS, "anchor": 0,
           "log10_corrected_p": -20.0, "train_matches": 10}
    event, metrics = issue_prediction(values, [row], None, hypotheses=10**9, alpha=0.01,
                                      pool_size=10, test_draws=0, start=40)
    assert event.identified and event.target_index == 50 and metrics["target_index"] == 50
    assert event.hypothesis is not None and event.hypothesis["anchor"] == 40
    assert event.chance_rate == 0.001


def test_zero_fractions_keep_every_draw_for_training() -> None:
    split = time_split(8, 0.0, 0.0)
    assert (split.train, split.holdout, split.n) == (8, 8, 8)
    assert time_split(8, 0.2, 0.1).train < 8  # a fraction asked for keeps its segment


def test_a_stated_clock_span_is_planned_in_rings_nearest_first() -> None:
    origin = 1_795_536_840
    item = PlanItem(generator="mt19937", tier="unix_s", reductions=("mod:1000",),
                    ranges=[(origin - 86400, origin + 121)], origin=origin, scale=1.0,
                    prior=0.5, offsets=range(0, 1), skip=SkipSpace(low=0, high=0))
    rings = tuple(r for r in CLOCK_RINGS_S if r < 3600) + (3600,)
    reach = Reach(lookback_s=3600, lookback_ms=3600_000, small=True, typed=False, full32=False,
                  rings=rings)
    pieces = reach.pieces(item)
    assert len(pieces) == len(rings)
    assert pieces[0] == [(origin - 10, origin + 121)]  # the nearest holds the seeds after too
    assert pieces[1] == [(origin - 30, origin - 10)]
    assert pieces[-1][0][0] == origin - 3600
    covered = sum(high - low for piece in pieces for low, high in piece)
    assert covered == 3600 + 121
