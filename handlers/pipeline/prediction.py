"""Step 6, prediction: a pool for the next draw, each value with a probability that means what
it says, recorded as ``PredictionIssued`` so that it can be scored when the draw arrives.

The survivors of step 3's table are ordered by step 5's ranker (the baseline when there is
none). The best-ranked one is *identified* when its matches over the whole history, corrected
for every hypothesis searched (exact binomial tail, Bonferroni), fall below ``alpha``. Then the
pool is its next draw (``predict``), with the probability that it is right: its share of
correct predictions so far (Laplace's rule) times the chance it is not a fluke, plus the
chance of a coincidence otherwise. When nothing is identified the pool is the distinct next
draws of the best-ranked survivors, topped up with the history's most frequent values to
``pool_size`` (default 10), each with the probability a chance pool earns, one in the
alphabet of the draws: no better than chance, said honestly (and a backtest can check it).

``pool_p_value``: how surprising the best-ranked survivor's hits on the test segment are by
chance (binomial tail); a soft gate by default.
"""

from __future__ import annotations

import math
from typing import Any

from kernels.sieve.plan import infer_alphabet
from kernels.statistics import log_binomial_tail
from ledger import NewEvent

from machine.events import PredictionIssued, PredictionPoolEntry

from .common import StepInput, completed, run_step
from .training import baseline_scores

__all__ = ["run", "issue_prediction"]


def _ranked(rows: list[dict[str, Any]], scores: list[float] | None) -> list[dict[str, Any]]:
    if scores is None or len(scores) != len(rows):
        scores = [float(s) for s in baseline_scores(rows)]
    order = sorted(range(len(rows)), key=lambda i: (-scores[i], i))
    return [rows[i] for i in order]


def _most_frequent(values: tuple[int, ...], draws: list[int], size: int) -> list[int]:
    """``draws`` topped up to ``size`` with the most frequent values of the history (the
    smaller value first among equals): under chance every value is as good as another."""
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    out = list(draws)
    for value in sorted(counts, key=lambda v: (-counts[v], v)):
        if len(out) >= size:
            break
        if value not in out:
            out.append(value)
    return out


def issue_prediction(values: tuple[int, ...], rows: list[dict[str, Any]],
                     scores: list[float] | None, hypotheses: int, alpha: float,
                     pool_size: int, test_draws: int,
                     start: int = 0) -> tuple[PredictionIssued, dict[str, Any]]:
    """The prediction of the draw after ``values`` (the draws from position ``start`` on)
    and the step's metrics; positions in the event (target, anchor) are the whole history's."""
    target = start + len(values)
    alphabet = infer_alphabet(list(values)) if values else 1
    chance = 1.0 / alphabet
    ranked = _ranked(rows, scores)
    metrics: dict[str, Any] = {"target_index": target, "alphabet": alphabet,
                               "ranked_survivors": len(ranked)}
    pool: tuple[PredictionPoolEntry, ...]
    if not ranked:
        pool = tuple(PredictionPoolEntry(draw=d, probability=chance)
                     for d in _most_frequent(values, [], pool_size))
        event = PredictionIssued(target_index=target, pool=pool, identified=False,
                                 hypothesis=None, chance_rate=min(len(pool) * chance, 1.0))
        metrics.update(identified=False, pool_size=len(pool),
                       probability_sum=sum(e.probability for e in pool), pool_p_value=None,
                       chance_rate=min(len(pool) * chance, 1.0), hit_rate=None,
                       degenerate=True)
        return event, metrics
    top = ranked[0]
    compared, matches, q = int(top["history_compared"]), int(top["history_matches"]), float(top["q"])
    log_p = min(0.0, math.log(max(hypotheses, 1)) + log_binomial_tail(compared, matches, q))
    identified = log_p < math.log(alpha)
    test_hits = round(float(top["test_hit_rate"]) * test_draws)
    pool_p = math.exp(log_binomial_tail(test_draws, test_hits, q)) if test_draws else None
    metrics.update(top_log10_corrected_p=log_p / math.log(10), top_history_matches=matches,
                   top_history_compared=compared, pool_p_value=pool_p, degenerate=False,
                   hit_rate=float(top["test_hit_rate"]) if test_draws else None)
    if identified:
        fluke = math.exp(log_p)
        right = (1 - fluke) * (matches + 1) / (compared + 2) + fluke * q
        pool = (PredictionPoolEntry(draw=int(top["next_draw"]), probability=min(right, 1.0)),)
        event = PredictionIssued(target_index=target, pool=pool, identified=True,
                                 hypothesis={**top["hypothesis"], "anchor": start + top["anchor"]},
                                 chance_rate=min(len(pool) * chance, 1.0))
    else:
        draws: list[int] = []
        for row in ranked:
            if len(draws) >= pool_size:
                break
            if int(row["next_draw"]) not in draws:
                draws.append(int(row["next_draw"]))
        draws = _most_frequent(values, draws, pool_size)
        pool = tuple(PredictionPoolEntry(draw=d, probability=chance) for d in draws)
        event = PredictionIssued(target_index=target, pool=pool, identified=False, hypothesis=None,
                                 chance_rate=min(len(pool) * chance, 1.0))
    metrics.update(identified=identified, pool_size=len(event.pool),
                   probability_sum=sum(e.probability for e in event.pool),
                   chance_rate=min(len(event.pool) * chance, 1.0),
                   next_draw=int(top["next_draw"]) if identified else None)
    return event, metrics


def prediction(step: StepInput) -> list[NewEvent]:
    """Step 6: ``PredictionIssued`` for the next draw, then ``StepCompleted``."""
    table_ref, table_run = step.earlier(3, "features.json")
    ranking_ref, ranking_run = step.earlier(5, "ranking.json")
    table: dict[str, Any] = (step.read_json(table_ref) if table_ref is not None
                             else {"rows": [], "hypotheses": 0})
    ranking = step.read_json(ranking_ref) if ranking_ref is not None else None
    scores = ranking["scores"] if ranking is not None and ranking_run == table_run else None
    pool_size = int(step.number("pool_size", 10, 1, 1000))
    event, metrics = issue_prediction(step.history.values, table["rows"], scores,
                                      int(table["hypotheses"]), float(step.command.alpha),
                                      pool_size, step.split.n - step.split.holdout,
                                      step.history.start)
    metrics["ranker"] = ranking["ranker"] if scores is not None and ranking else "baseline"
    if event.identified:
        summary = (f"identified: draw {event.target_index} will be {event.pool[0].draw} "
                   f"(probability {event.pool[0].probability:.3f})")
    else:
        summary = (f"not identified: a pool of {len(event.pool)} value(s) for draw "
                   f"{event.target_index}, each at the chance rate")
    return [step.ctx.event(event), completed(step, metrics, summary=summary)]


run = run_step(prediction)
