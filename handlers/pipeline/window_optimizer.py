"""Step 1, the window optimizer: Optuna chooses the sieve's search plan for step 2.

The plan: the window length ``W`` (draws a survivor must match exactly), how many disjoint
windows of the training segment are tried (a corrupted draw spoils only the windows holding
it), the offsets and skips, how far each seed tier reaches (Unix seconds and milliseconds back
from the first draw's time, small and typed seeds, the rest of the 32-bit seeds; a stated
``clock_span_s`` covers that span of the clock in rings, nearest the draws first, and the small
seeds, nothing else), and the
generators and reductions in the order they are searched, and the wrong draws a window may hold
(``errors``, the sieve's tolerated errors): several windows or a tolerant one are the two ways
the plan survives a few transcription errors, and the objective weighs them.

The model of where seeds come from and what a seed costs is ``watcher identify``'s planner
(``kernels.sieve.plan``): its items (one per generator, seed tier and reduction, each with its
share of the catalog's prior, densest at the tier's likeliest seed), its cost cache (here
``<home>/seed-costs.json``, so a re-run plans the same), and its check that the draws are
enough. Offsets and skips get a stated prior of their own, recorded in the plan.

The objective (maximised by a seeded TPE sampler, in a journal under
``<home>/optuna/<run id>.journal``, so an interrupted study resumes) is the probability of
identifying a hypothesis inside the covered space per second of the search budget
(``budget_s``), ties going to the plan expected to finish sooner:

- the probability: the prior mass of the covered seeds, times the offset and skip priors,
  times the chance that at least one window holds at most ``errors`` wrong draws at the
  assumed ``error_rate``, times 1 if a true hypothesis would then be significant over the
  training segment after the Bonferroni correction for everything searched (exact binomial
  tail), else 0;
- the seconds: measured seconds per seed times seeds, offsets, skips, windows and the
  ``errors + 1`` blocks a tolerant window is searched in, plus the confirmation of the
  expected chance survivors (exact: hypotheses times the binomial tail of ``W - errors`` right
  draws of ``W``); pieces are
  taken while they fit the budget, the clock tiers of every generator first (seeds in the
  seconds and milliseconds before the first draw), the rest after, each in order of prior
  mass per second, and the expected time counts the search stopping at the first certain
  identification.

A plan whose chance survivors would overflow the sieve's candidate cap scores 0.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

from kernels.draws import timestamp_seconds
from kernels.reductions import parse_reduction
from kernels.registry import all_generators, get_generator
from kernels.sieve.backends import make_backend
from kernels.sieve.engine import (
    Backend,
    SkipSpace,
    per_draw_match_probability,
    live_reductions,
    search,
    seconds_per_seed,
)
from kernels.sieve.plan import CostCache, NotEnoughDraws, PlanItem, build_plan
from kernels.statistics import log_binomial_tail
from ledger import NewEvent

from .common import StepFailure, StepInput, completed, run_step, window_offsets, window_starts

__all__ = ["run", "PRIORS", "Reach", "Piece", "plan_pieces", "plan_objective", "item_cost",
           "pinned_seed_costs"]

#: Stated prior over offsets and skips (the planner's model covers seeds): recorded in every
#: plan.
PRIORS: dict[str, Any] = {
    "offset_geometric_ratio": 0.7,  # P(offset >= o) = ratio ** o
    "skip": {"0": 0.7, "1": 0.85, "3": 0.95},  # P(constant skip <= k)
}
#: The planner's tiers of seeds taken from the clock: searched first, near the first draw.
CLOCK_TIERS = ("unix_s", "unix_ms")
LOOKBACKS_S = (600, 3600, 21600, 86400, 604800, 2592000)
LOOKBACKS_MS = (0, 10_000, 60_000, 600_000, 3_600_000)
#: Where a stated clock span (``clock_span_s``) is cut into pieces, in seconds before the
#: first draw.
CLOCK_RINGS_S = (10, 30, 60, 120, 300, 600, 1800, 3600, 10800, 21600, 43200, 86400, 604800)
OFFSETS = (1, 2, 4, 8, 16)
#: the most wrong draws a planned window may hold (each one more costs a search of one more
#: block of the window, and a window of W draws holds at most W // 4 of them)
MAX_PLANNED_ERRORS = 3
SKIPS = (0, 1, 3)
#: Chance candidates beyond this make a plan infeasible (the sieve's cap is 100 000).
MAX_CHANCE_SURVIVORS = 20_000.0
#: Seconds to confirm one chance candidate with the scalar model, and fixed cost per piece.
CONFIRM_S = 2e-4
PIECE_OVERHEAD_S = 0.02
COST_SAMPLE = 2048


@dataclass(frozen=True)
class Reach:
    """How far each seed tier is searched: seconds and milliseconds back from the first
    draw's time (0: not at all), and whether the small, typed and full 32-bit tiers are."""

    lookback_s: int
    lookback_ms: int
    small: bool
    typed: bool
    full32: bool
    #: Seconds back from the first draw at which the clock tiers are cut into pieces of their
    #: own (``clock_span_s``): the budget then takes the seeds nearest the draws first.
    rings: tuple[int, ...] = ()

    def ranges(self, item: PlanItem) -> list[tuple[int, int]]:
        """The part of ``item``'s seeds this reach covers."""
        if item.tier in ("unix_s", "unix_ms"):
            back = self.lookback_s if item.tier == "unix_s" else self.lookback_ms
            if back <= 0:
                return []
            out = []
            for low, high in item.ranges:
                low = max(low, item.origin - back)
                if low < high:
                    out.append((low, high))
            return out
        chosen = {"small": self.small, "typed": self.typed, "full32": self.full32}
        return list(item.ranges) if chosen.get(item.tier, False) else []

    def pieces(self, item: PlanItem) -> list[list[tuple[int, int]]]:
        """The covered seeds of ``item`` in the pieces they are planned as: one, or for a
        clock tier cut into :attr:`rings`, one per ring (the nearest holds the seeds after the
        first draw's time too)."""
        ranges = self.ranges(item)
        if not ranges or not self.rings or item.tier not in CLOCK_TIERS:
            return [ranges] if ranges else []
        unit = 1 if item.tier == "unix_s" else 1000
        cuts = [item.origin - ring * unit for ring in self.rings]
        out = []
        for index, cut in enumerate(cuts):
            upper = cuts[index - 1] if index else None
            ring = [(max(low, cut), high if upper is None else min(high, upper))
                    for low, high in ranges]
            ring = [(low, high) for low, high in ring if low < high]
            if ring:
                out.append(ring)
        return out


@dataclass(frozen=True)
class Piece:
    """One planned search: a generator's reductions over seed ranges of one tier."""

    generator: str
    tier: str
    reductions: tuple[str, ...]
    ranges: tuple[tuple[int, int], ...]
    mass: float
    q: float
    seconds_per_seed: float

    @property
    def seeds(self) -> int:
        return sum(high - low for low, high in self.ranges)


def item_cost(cache: CostCache, shared: CostCache, backend: Backend, item: PlanItem,
              observed: list[int], pinned: Mapping[str, float] | None = None) -> float:
    """Seconds per seed of ``item`` (its reductions, one offset, one skip) on ``backend``.

    ``pinned`` (the ``seed_costs`` parameter) states the cost of a generator outright: the plan
    is then the same on every machine and under any load, which a backtest or an audit that
    must be re-run elsewhere needs. Otherwise ``cache`` is the home's (``<home>/seed-costs.json``):
    once a cost is there it never changes, so a re-run of the step plans the same. A cost missing
    there comes from ``shared`` (the planner's cache between runs, ``CostCache.default_path()``),
    else is measured and kept in both."""
    if pinned is not None and item.generator in pinned:
        generator = get_generator(item.generator)
        return pinned[item.generator] if live_reductions(generator, item.reductions,
                                                         observed) else 0.0
    key = CostCache.key(backend, item)
    entry = cache.get(key)
    if entry is None:
        entry = shared.get(key)
        if entry is None:
            entry = {"seconds_per_seed": _measure(backend, item, observed)}
            shared.put(key, entry["seconds_per_seed"], None)
            shared.save()
        cache.put(key, entry["seconds_per_seed"], None)
        cache.save()
    return float(entry["seconds_per_seed"])


def _measure(backend: Backend, item: PlanItem, observed: list[int]) -> float:
    low = item.ranges[0][0]
    space = item.spaces([(low, min(low + COST_SAMPLE, item.ranges[0][1]))])[0]
    try:
        return seconds_per_seed(space, observed, backend, largest_sample=COST_SAMPLE)
    except NotImplementedError:
        # no device lane for this reduction: the sieve runs it on the scalar path
        small = space.model_copy(update={"seed_stop": min(space.seed_start + 256,
                                                          space.seed_stop)})
        began = time.perf_counter()
        search([small], observed[:8], window=min(8, len(observed)), backend=backend,
               stop_when_certain=False)
        return max(time.perf_counter() - began, 1e-9) / small.seeds


def plan_pieces(items: list[tuple[PlanItem, float, float]], reach: Reach, *, window: int,
                windows: int, offsets: int, skip_high: int, budget_s: float,
                errors: int = 0) -> tuple[list[dict[str, Any]], float, float, int, float]:
    """The pieces of a plan in search order (most prior mass per second first) that fit the
    budget; returns them with the covered prior mass (offsets and skips included, before window
    cleanliness and significance), the expected seconds with early stop, the hypotheses
    searched and the expected chance survivors. ``items`` are (item, q, seconds per seed).
    With ``errors`` the sieve searches ``errors + 1`` blocks of each window and a wrong
    hypothesis survives with the binomial tail's chance of ``window - errors`` right draws."""
    offset_mass = 1 - PRIORS["offset_geometric_ratio"] ** offsets
    skip_mass = PRIORS["skip"][str(skip_high)]
    skip_choices = skip_high + 1
    # offsets searched over all windows: a later window reaches past the draws before it
    spans = sum(stop - first for first, stop in (
        window_offsets(start, offsets, 0, skip_high) for start in window_starts(window, windows)))
    rows = []
    for item, q, cost, ring, ranges in ((i, q, c, n, r) for i, q, c in items
                                        for n, r in enumerate(reach.pieces(i))):
        seeds = sum(high - low for low, high in ranges)
        hypotheses = seeds * spans * skip_choices * len(item.reductions)
        chance = hypotheses * math.exp(log_binomial_tail(window, window - errors, q))
        seconds = seeds * cost * spans * skip_choices * (errors + 1) + chance * CONFIRM_S \
            + PIECE_OVERHEAD_S
        mass = item.mass(ranges) * offset_mass * skip_mass
        rows.append({"generator": item.generator, "tier": item.tier,
                     "reductions": list(item.reductions), "ranges": [list(r) for r in ranges],
                     "hypotheses": hypotheses, "chance_survivors": chance, "seconds": seconds,
                     "prior_mass": mass, "q": q, "ring": ring})
    # seeds around the draws' own time first (every generator's; with rings, the nearest ring
    # of every generator before the next), then the rest, each part in order of prior mass per
    # second
    rows.sort(key=lambda r: (r["tier"] not in CLOCK_TIERS, r["ring"], -r["prior_mass"] / r["seconds"],
                             r["generator"], r["tier"], r["reductions"]))
    chosen, spent = [], 0.0
    for row in rows:
        if spent + row["seconds"] <= budget_s:
            chosen.append(row)
            spent += row["seconds"]
    mass = sum(r["prior_mass"] for r in chosen)
    hypotheses = sum(r["hypotheses"] for r in chosen)
    chance = sum(r["chance_survivors"] for r in chosen)
    # the sieve stops once certain: a piece is searched only if no earlier one identified
    expected, found = 0.0, 0.0
    for row in chosen:
        expected += row["seconds"] * (1 - found)
        found += row["prior_mass"]
    return chosen, mass, expected, hypotheses, chance


def plan_objective(mass: float, expected_s: float, hypotheses: int, chance: float, *,
                   window: int, windows: int, train: int, error_rate: float, q: float,
                   alpha: float, budget_s: float, errors: int = 0) -> tuple[float, float]:
    """(probability of identifying, that probability per second of the budget, less a
    millionth of the expected seconds per budget second so that the faster of two equally
    likely plans wins)."""
    if hypotheses == 0 or window * windows > train or chance > MAX_CHANCE_SURVIVORS:
        return 0.0, 0.0
    # a window serves when it holds at most ``errors`` wrong draws
    fits = sum(math.comb(window, k) * error_rate ** k * (1 - error_rate) ** (window - k)
               for k in range(errors + 1))
    clean = 1 - (1 - fits) ** windows
    matches = max(window - errors, math.floor(train * (1 - error_rate)))
    log_p = math.log(hypotheses) + log_binomial_tail(train, matches, q)
    significant = 1.0 if log_p < math.log(alpha) else 0.0
    probability = mass * clean * significant
    return probability, (probability - 1e-6 * expected_s) / budget_s


def pinned_seed_costs(text: str) -> dict[str, float]:
    """The ``seed_costs`` parameter, ``"java_random=2e-8,mt19937=5e-7"``: seconds per seed by
    generator, for the generators whose cost is stated rather than measured."""
    pinned: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, equals, value = part.partition("=")
        try:
            seconds = float(value) if equals else math.nan
        except ValueError:
            seconds = math.nan
        if not seconds > 0 or math.isinf(seconds):
            raise StepFailure(f"seed_costs entry {part!r} is not generator=seconds with "
                              "seconds a positive number")
        get_generator(name.strip())  # an unknown name fails the step with the catalog's message
        pinned[name.strip()] = seconds
    return pinned


def _items(step: StepInput, train: list[int], reference_s: int, backend_name: str,
           tiers: tuple[str, ...]) -> list[tuple[PlanItem, float, float]]:
    """The planner's items of ``tiers`` for the training draws (one offset, no skip: those
    are scaled here), each with its largest chance match probability and measured seconds per
    seed. Items of other tiers (the planner's deep offsets) are never measured: no reach of
    this step covers them."""
    names_param = step.text("generators", "").strip()
    names = None
    if names_param:
        names = [n.strip() for n in names_param.split(",") if n.strip()]
        for name in names:
            get_generator(name)  # an unknown name fails the step with the catalog's message
    plan = build_plan(train, reference_s=reference_s, reference_source="first draw",
                      generators=names, offsets=range(0, 1), skip=SkipSpace(low=0, high=0),
                      window=len(train), alpha=float(step.command.alpha))
    backend = make_backend(backend_name)
    cache = CostCache(step.home / "seed-costs.json")
    shared = CostCache(CostCache.default_path())
    pinned = pinned_seed_costs(step.text("seed_costs", ""))
    registry = all_generators()
    out = []
    for item in plan.items:
        if item.tier not in tiers:
            continue
        cls = registry[item.generator]
        q = max(per_draw_match_probability(cls, parse_reduction(spec)) for spec in item.reductions)
        cost = item_cost(cache, shared, backend, item, train, pinned)
        if cost > 0:  # zero: the draws rule every reduction of the item out
            out.append((item, q, cost))
    return out


def _study(step: StepInput) -> optuna.Study:
    folder = step.home / "optuna"
    folder.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(str(folder / f"{step.command.run_id}.journal")))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(
        study_name=f"window-optimizer/attempt-{step.command.attempt}", storage=storage,
        sampler=optuna.samplers.TPESampler(seed=step.seed), direction="maximize",
        load_if_exists=True)


def window_optimizer(step: StepInput) -> list[NewEvent]:
    """Step 1: the sieve's search plan, chosen by Optuna."""
    train = [step.history.values[i] for i in step.split.train_range]
    first_ts = step.history.first_timestamp
    first_unix = timestamp_seconds(first_ts) if first_ts is not None else None
    backend_name = step.text("backend", "auto")
    # the search fits in half the step's timeout (the policies' timeouts.step_s)
    budget_s = min(step.number("budget_s", 120.0, 1.0, 86400.0), step.command.timeout_s / 2)
    error_rate = step.number("error_rate", 0.02, 0.0, 0.5)
    trials = int(step.number("plan_trials", 60, 5, 1000))
    clock_span_s = int(step.number("clock_span_s", 0, 0, 30 * 86400))
    alpha = float(step.command.alpha)
    reason = None
    items: list[tuple[PlanItem, float, float]] = []
    if len(train) < 8:
        reason = f"{len(train)} training draws; at least 8 are needed"
    else:
        # without timestamps the clock tiers are counted back from the catalog's reference
        reference_s = int(first_unix) if first_unix is not None else 0
        try:
            tiers = CLOCK_TIERS + (("small",) if clock_span_s else ("small", "typed", "full32"))
            items = _items(step, train, reference_s, backend_name, tiers)
        except NotEnoughDraws as error:
            reason = str(error)
    if reason is not None or not items:
        reason = reason or "no generator of the catalog makes draws like these"
        ref = step.put_json("plan.json", {"spaces": [], "reason": reason})
        return [completed(step, {"planned": False, "spaces": 0, "degenerate": True},
                          summary=reason, artifacts=(ref,))]
    q = max(item_q for _item, item_q, _cost in items)
    timed = first_unix is not None
    power_floor = max((t.min for t in step.inputs.policies.thresholds.get(step.step.unit, ())
                       if t.metric == "expected_power" and t.hard and t.min is not None),
                      default=0.0)

    def describe(t: optuna.trial.BaseTrial) -> dict[str, Any]:
        window = t.suggest_int("window", 8, min(32, len(train)))
        windows = t.suggest_int("windows", 1, max(1, min(4, len(train) // window)))
        offsets = t.suggest_categorical("offsets", OFFSETS)
        skip_high = t.suggest_categorical("skip_high", SKIPS)
        errors = t.suggest_int("errors", 0, min(MAX_PLANNED_ERRORS, window // 4))
        if timed and clock_span_s:
            # the span is stated (Chapter 13's cheap searches): every second and millisecond
            # of it, in rings nearest the draws first, and the small seeds; nothing else
            reach = Reach(lookback_s=clock_span_s, lookback_ms=clock_span_s * 1000,
                          small=True, typed=False, full32=False,
                          rings=tuple(r for r in CLOCK_RINGS_S if r < clock_span_s)
                          + (clock_span_s,))
        else:
            reach = Reach(
                lookback_s=t.suggest_categorical("lookback_s", LOOKBACKS_S) if timed else 0,
                lookback_ms=t.suggest_categorical("lookback_ms", LOOKBACKS_MS) if timed else 0,
                small=t.suggest_categorical("small_seeds", (True, False)),
                typed=t.suggest_categorical("typed_seeds", (True, False)),
                full32=t.suggest_categorical("full32_seeds", (True, False)))
        pieces, mass, expected, hypotheses, chance = plan_pieces(
            items, reach, window=window, windows=windows, offsets=offsets,
            skip_high=skip_high, budget_s=budget_s, errors=errors)
        common = {"expected_s": expected, "hypotheses": hypotheses, "chance": chance,
                  "window": window, "windows": windows, "train": len(train),
                  "error_rate": error_rate, "q": q, "alpha": alpha, "budget_s": budget_s,
                  "errors": errors}
        probability, rate = plan_objective(mass, **common)
        power, _ = plan_objective(1.0, **common)
        if power < power_floor:
            # the step's own gate would send this plan back: every plan that passes it ranks
            # first, and among those that cannot, the most powerful
            rate = power - 2.0
        return {"power": power, "window": window, "windows": windows, "errors": errors,
                "offsets": offsets,
                "skip_high": skip_high, "reach": reach, "spaces": pieces, "mass": mass,
                "expected_s": expected, "hypotheses": hypotheses, "chance": chance,
                "probability": probability, "rate": rate}

    study = _study(step)
    done = sum(1 for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE)
    if done < trials:
        study.optimize(lambda t: describe(t)["rate"], n_trials=trials - done)
    best = describe(optuna.trial.FixedTrial(study.best_params))
    span = best["window"] * best["windows"]
    # disjoint windows spread over the training segment, the newest last
    starts = window_starts(best["window"], best["windows"])
    plan: dict[str, Any] = {
        "window": best["window"], "window_starts": starts, "errors": best["errors"],
        "offsets": best["offsets"], "skip": {"low": 0, "high": best["skip_high"]},
        "backend": backend_name, "budget_s": budget_s, "alpha": alpha,
        "error_rate": error_rate, "first_timestamp": first_ts,
        "reach": {"lookback_s": best["reach"].lookback_s,
                  "lookback_ms": best["reach"].lookback_ms, "small_seeds": best["reach"].small,
                  "typed_seeds": best["reach"].typed, "full32_seeds": best["reach"].full32,
                  "rings_s": list(best["reach"].rings)},
        "seed_model": "kernels.sieve.plan (build_plan items, CostCache)",
        "seed_costs": pinned_seed_costs(step.text("seed_costs", "")),
        "spaces": best["spaces"], "priors": PRIORS,
        "probability": best["probability"], "objective": best["rate"],
        "expected_s": best["expected_s"], "hypotheses": best["hypotheses"],
        "expected_chance_survivors": best["chance"],
        "optuna": {"trials": len(study.trials), "sampler": "TPE", "seed": step.seed},
    }
    ref = step.put_json("plan.json", plan)
    metrics = {
        "planned": bool(best["spaces"]), "spaces": len(best["spaces"]),
        "window": best["window"], "windows": best["windows"], "window_draws": span,
        "offsets": best["offsets"], "skip_high": best["skip_high"], "errors": best["errors"],
        "hypotheses": best["hypotheses"],
        "log10_hypotheses": math.log10(best["hypotheses"]) if best["hypotheses"] else None,
        "expected_power": best["power"], "identify_probability": best["probability"],
        "identify_probability_per_budget_s": best["probability"] / budget_s, "expected_search_s": best["expected_s"],
        "expected_chance_survivors": best["chance"], "trials": len(study.trials),
        "timed_history": first_ts is not None,
    }
    summary: str = (f"plan: {len(best['spaces'])} spaces, window {best['window']} x "
               f"{best['windows']} (up to {best['errors']} wrong), offsets {best['offsets']}, "
               f"skips 0..{best['skip_high']}; "
               f"P(identify) {best['probability']:.3g} in about {best['expected_s']:.3g} s")
    return [completed(step, metrics, summary=summary, artifacts=(ref,))]


run = run_step(window_optimizer)
