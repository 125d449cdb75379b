"""Selfplay: the handler of ``selfplay.run``. Episodes explore loop policies; the best one
becomes a *candidate* (``CandidateEmitted``), never the active policy.

Each episode is built from the recorded history and its own seed (derived from the command's
recorded seed and the episode's number, so two episodes never replay the same thing): the
newest recorded draws (topped up with hash draws when the history is short) with a *planted
segment* made by the injector (``kernels.observation.predict``): one of the sentinel's
generators, seeded with the Unix time some seconds to days before the segment's first draw,
starting a quarter to half-way in, sometimes with one corrupted draw. The truth stays in the
episode's artifact, never in the history.

The policies tried are the active one and :data:`DEFAULT_CANDIDATES` variations of it (one
or two of :data:`EXPLORED` multiplied by a factor in [1/2, 2], within bounds). Each runs the
loop in miniature (``handlers.loop_simulation``) on every episode; its fitness is the mean
over the episodes of::

    hit rate after the plant - LAG_WEIGHT * lag in draws - FALSE_WEIGHT * false
    identifications - COST_WEIGHT * log10(1 + hypotheses searched)

The variation with the best fitness is emitted with its metrics (``improvement`` over the
active policy's fitness may be negative: Chapter 13's shadow test will then retire it).
Request parameters: ``generators`` (comma-separated, default the sentinel's),
``episode_draws`` (12..400, default 40), ``candidates`` (1..8), ``budget_s`` (default 120:
no episode starts after that many seconds, so that exploring never holds the queue for long;
``episodes_run`` says how many ran).
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from dataclasses import dataclass
from typing import Any, Sequence

from kernels.observation import Hypothesis, predict
from ledger import NewEvent, canonical, read_ledger
from machine.commands import RunSelfplay
from machine.events import CandidateEmitted, SelfplayCompleted, SelfplayFailed
from machine.fold import fold
from machine.loop_policy import LOOP_PARAMETERS, LoopPolicy, with_values
from machine.registry import HandlerContext

from .history import DrawHistory, run_inputs
from .loop_simulation import (
    SEARCH_WINDOW,
    SENTINEL_GENERATORS,
    Simulation,
    Stream,
    reduction_for,
    simulate,
    stream_of,
    unix_seconds,
)

__all__ = [
    "EXPLORED",
    "DEFAULT_CANDIDATES",
    "Episode",
    "make_episode",
    "variations",
    "fitness",
    "run",
]

#: The loop policy's parameters the episodes can tell apart.
EXPLORED = ("min_new_draws", "sentinel_budget_s", "clock_span_s", "tolerated_errors")
DEFAULT_CANDIDATES = 3
DEFAULT_EPISODE_DRAWS = 40
DEFAULT_BUDGET_S = 120.0
LAG_WEIGHT = 0.02
FALSE_WEIGHT = 0.5
COST_WEIGHT = 0.01
#: Seeds are planted up to this many seconds before their segment's first draw.
MAX_SEED_AGE_S = 2 * 86400


@dataclass(frozen=True)
class Episode:
    """One episode: its seed, its stream and the planted segment's truth."""

    number: int
    seed: int
    stream: Stream
    start: int
    hypothesis: Hypothesis
    corrupted: int | None

    def describe(self) -> dict[str, Any]:
        return {"episode": self.number, "seed": self.seed, "start": self.start,
                "draws": len(self.stream.values), "corrupted": self.corrupted,
                "planted": self.hypothesis.model_dump(mode="json")}


def _hash_draw(seed: int, index: int, modulus: int) -> int:
    digest = hashlib.sha256(f"selfplay/{seed}/{index}".encode()).digest()
    return int.from_bytes(digest, "big") % modulus


def make_episode(history: DrawHistory, number: int, seed: int, length: int,
                 generators: Sequence[str]) -> Episode:
    """Episode ``number`` of a run whose recorded seed is ``seed`` (see the module docstring)."""
    episode_seed = int.from_bytes(
        hashlib.sha256(f"{seed}/episode/{number}".encode()).digest()[:8], "big")
    rng = random.Random(episode_seed)
    reduction = reduction_for(history.values)
    modulus = int(reduction.split(":")[1])
    recorded = list(zip(history.values, history.timestamps))[-length:]
    values = [v for v, _ in recorded]
    times = [unix_seconds(ts) for _, ts in recorded]
    while len(values) < length:  # a short history: hash draws before it
        values.insert(0, _hash_draw(episode_seed, len(values), modulus))
        times.insert(0, None)
    filled = stream_of(values, times).times
    start = rng.randrange(length // 4, length // 2 + 1)
    age = int(math.exp(rng.uniform(0.0, math.log(MAX_SEED_AGE_S))))
    hypothesis = Hypothesis(generator=rng.choice(list(generators)),
                            seed=max(filled[start] - age, 0), reduction=reduction)
    values[start:] = predict(hypothesis, length - start)
    corrupted = None
    if rng.random() < 0.5 and length - start > SEARCH_WINDOW + 4:
        corrupted = rng.randrange(start + SEARCH_WINDOW + 2, length)
        values[corrupted] = (values[corrupted] + rng.randrange(1, modulus)) % modulus
    return Episode(number, episode_seed, Stream(tuple(values), filled, reduction), start,
                   hypothesis, corrupted)


def variations(policy: LoopPolicy, seed: int, count: int) -> list[LoopPolicy]:
    """``count`` variations of ``policy``: one or two explored parameters each multiplied by a
    factor in [1/2, 2] (log-uniform), within their bounds; never ``policy`` itself."""
    rng = random.Random(seed)
    found: list[LoopPolicy] = []
    values = policy.model_dump()
    for _ in range(count * 20):
        if len(found) == count:
            break
        changes = {}
        for name in rng.sample(EXPLORED, rng.choice((1, 2))):
            spec = LOOP_PARAMETERS[name]
            base = values[name] if values[name] else 1
            changes[name] = spec.clamp(round(base * 2 ** rng.uniform(-1.0, 1.0), 2))
        candidate = with_values(policy, changes)
        if candidate != policy and candidate not in found:
            found.append(candidate)
    return found


def fitness(episode: Episode, sim: Simulation) -> dict[str, float]:
    """The episode's measures for one policy's simulation, and their fitness."""
    truth = (episode.hypothesis.generator, episode.hypothesis.seed)
    after = [o for o in sim.outcomes if o.index >= episode.start]
    hits = [o.index for o in after if o.hit]
    lag = (hits[0] if hits else len(episode.stream.values)) - episode.start
    false_ids = sum(1 for index, found in sim.identifications
                    if (found.generator, found.seed) != truth or index < episode.start)
    hit_rate = len(hits) / len(after) if after else 0.0
    score = (hit_rate - LAG_WEIGHT * lag - FALSE_WEIGHT * false_ids
             - COST_WEIGHT * math.log10(1 + sim.hypotheses))
    return {"fitness": score, "hit_rate": hit_rate, "lag": float(lag),
            "false_ids": float(false_ids), "hypotheses": float(sim.hypotheses),
            "search_s": sim.search_s, "searches": float(sim.searches)}


def _active(ctx: HandlerContext) -> tuple[LoopPolicy, float]:
    assert ctx.ledger_path is not None
    state = fold(read_ledger(ctx.ledger_path))
    alpha = state.policies.alpha if state.policies is not None else 0.01
    return state.loop.policy, alpha


def _mean(rows: list[dict[str, float]], key: str) -> float:
    return sum(row[key] for row in rows) / len(rows) if rows else 0.0


def run(command: RunSelfplay, ctx: HandlerContext) -> list[NewEvent]:
    """Run the episodes and emit the best variation of the active policy."""
    began = time.monotonic()
    if ctx.ledger_path is None or ctx.artifacts is None:
        return [ctx.event(SelfplayFailed(attempt=command.attempt,
                                         reason="selfplay needs a home (ledger and artifacts)"))]
    params = dict(command.params)
    names = str(params.get("generators") or ",".join(SENTINEL_GENERATORS))
    generators = tuple(name.strip() for name in names.split(",") if name.strip())
    length = int(min(max(float(params.get("episode_draws", DEFAULT_EPISODE_DRAWS)), 12), 400))
    count = int(min(max(float(params.get("candidates", DEFAULT_CANDIDATES)), 1), 8))
    budget_s = min(max(float(params.get("budget_s", DEFAULT_BUDGET_S)), 1.0),
                   command.timeout_s * 0.9)
    try:
        history = run_inputs(ctx.ledger_path, command.run_id).history
        active, alpha = _active(ctx)
        policies = [active, *variations(active, command.seed, count)]
        episodes: list[Episode] = []
        rows: list[list[dict[str, float]]] = [[] for _ in policies]
        for number in range(command.episodes):
            if episodes and time.monotonic() - began > budget_s:
                break  # keep what was measured; the metrics say how many episodes ran
            episode = make_episode(history, number, command.seed, length, generators)
            episodes.append(episode)
            for index, policy in enumerate(policies):
                sim = simulate(policy, episode.stream, 0, length, alpha=alpha,
                               generators=generators)
                rows[index].append(fitness(episode, sim))
    except (ValueError, KeyError) as error:
        return [ctx.event(SelfplayFailed(attempt=command.attempt, reason=f"selfplay: {error}"))]
    scores = [_mean(r, "fitness") for r in rows]
    best = max(range(1, len(policies)), key=lambda i: scores[i]) if len(policies) > 1 else 0
    report = {
        "episodes": [e.describe() for e in episodes],
        "policies": [{"policy": p.model_dump(mode="json"), "fitness": scores[i],
                      "per_episode": rows[i]} for i, p in enumerate(policies)],
        "best": best, "generators": list(generators),
    }
    artifact = ctx.artifacts.put_bytes("selfplay.json", canonical(report))
    events: list[NewEvent] = []
    metrics: dict[str, Any] = {
        "episodes_run": len(episodes), "baseline_score": round(scores[0], 6),
        "policies_tried": len(policies),
    }
    if best > 0:
        chosen = rows[best]
        candidate_metrics: dict[str, Any] = {
            "candidate_score": round(scores[best], 6),
            "baseline_score": round(scores[0], 6),
            "improvement": round(scores[best] - scores[0], 6),
            "hit_rate": round(_mean(chosen, "hit_rate"), 6),
            "lag_draws": round(_mean(chosen, "lag"), 3),
            "false_identifications": round(_mean(chosen, "false_ids"), 3),
            "hypotheses": round(_mean(chosen, "hypotheses")),
            "baseline_lag_draws": round(_mean(rows[0], "lag"), 3),
        }
        events.append(ctx.event(CandidateEmitted(
            attempt=command.attempt, candidate_id=f"{command.run_id}-a{command.attempt}",
            metrics=candidate_metrics, policy=policies[best].model_dump(mode="json")),
            artifacts=(artifact,)))
        metrics.update({"candidates": 1, **{k: candidate_metrics[k] for k in
                                            ("candidate_score", "improvement")}})
    else:
        metrics["candidates"] = 0
    metrics["seconds"] = round(time.monotonic() - began, 3)
    events.append(ctx.event(SelfplayCompleted(
        attempt=command.attempt, episodes_run=len(episodes), metrics=metrics),
        artifacts=(artifact,)))
    return events

