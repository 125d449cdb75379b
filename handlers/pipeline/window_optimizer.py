"""Step 1, the window optimizer: Optuna chooses the sieve's search plan for step 2.

The plan: the window length ``W`` (draws a survivor must match exactly), how many disjoint
windows of the training segment are tried (a corrupted draw spoils only the windows holding
it), the offsets and skips, the seed tiers (seconds, then milliseconds, before the first
draw's time, and small seeds), and the generators and reductions in the order they are
searched. Tolerated errors stay 0: the sieve matches windows exactly, and several windows are
how this plan survives a few transcription errors.

The objective (maximised by a seeded TPE sampler, in a journal under
``<home>/optuna/<run id>.journal``, so an interrupted study resumes) is the probability of
identifying a hypothesis inside the covered space per second of the search budget
(``budget_s``), ties going to the plan expected to finish sooner:

- the probability: sum over the planned spaces of the prior mass each covers (the catalog's
  ``prior`` per generator, split over its reductions; a stated prior over seed tiers, offsets
  and skips, recorded in the plan), times the chance that at least one window is free of
  errors at the assumed ``error_rate``, times 1 if a true hypothesis would then be significant
  over the training segment after the Bonferroni correction for everything searched (exact
  binomial tail), else 0;
- the seconds: per-seed costs measured on the backend (``<home>/costs.json`` keeps each
  measurement, so a re-run plans the same), times seeds, offsets, skips and windows, plus the
  confirmation of the expected chance survivors (exact: hypotheses times ``q**W``); spaces are
  taken in order of prior mass per second while they fit the budget, and the expected time
  counts the search stopping at the first certain identification.

A plan whose chance survivors would overflow the sieve's candidate cap scores 0.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import orjson
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

from kernels.draws import timestamp_seconds
from kernels.prng import PRNG
from kernels.reductions import parse_reduction
from kernels.registry import all_generators, get_generator
from kernels.sieve.backends import make_backend
from kernels.sieve.engine import (
    SearchSpace,
    per_draw_match_probability,
    search,
    seconds_per_seed,
)
from kernels.sieve.plan import default_reductions, infer_alphabet
from kernels.statistics import log_binomial_tail
from ledger import NewEvent

from .common import StepInput, completed, run_step

__all__ = ["run", "PRIORS", "TierChoice", "plan_spaces", "plan_objective", "measured_cost"]

#: Stated prior over where a seed comes from (recorded in every plan): the time of the first
#: draw in seconds or milliseconds (how long before it: log-uniform up to 30 days), a small
#: seed, or elsewhere (not searched).
PRIORS: dict[str, Any] = {
    "tier": {"seconds_before_first_draw": 0.5, "milliseconds_before_first_draw": 0.2,
             "small_seed": 0.2, "elsewhere": 0.1},
    "lookback_horizon_s": 30 * 86400,
    "offset_geometric_ratio": 0.7,  # P(offset >= o) = ratio ** o
    "skip": {"0": 0.7, "1": 0.85, "3": 0.95},  # P(constant skip <= k)
}
SMALL_SEEDS = 1 << 16
LOOKBACKS_S = (600, 3600, 21600, 86400, 604800)
LOOKBACKS_MS = (10_000, 60_000, 600_000, 3_600_000)
OFFSETS = (1, 2, 4, 8, 16)
SKIPS = (0, 1, 3)
#: Chance candidates beyond this make a plan infeasible (the sieve's cap is 100 000).
MAX_CHANCE_SURVIVORS = 20_000.0
#: Seconds to confirm one chance candidate with the scalar model, and fixed cost per space.
CONFIRM_S = 2e-4
SPACE_OVERHEAD_S = 0.02
COST_SAMPLE = 2048


@dataclass(frozen=True)
class TierChoice:
    """Which seed tiers a plan covers, and how far back from the first draw."""

    lookback_s: int
    lookback_ms: int | None
    small: bool


def _tier_ranges(generator: type[PRNG], first_unix: float | None,
                 tiers: TierChoice) -> list[tuple[str, int, int, float]]:
    """(tier, first seed, stop, prior mass of the tier covered) for one generator."""
    top = 1 << generator.seed_bits
    horizon = math.log1p(PRIORS["lookback_horizon_s"])
    out: list[tuple[str, int, int, float]] = []
    taken: list[tuple[int, int]] = []

    def add(tier: str, start: int, stop: int, mass: float) -> None:
        start, stop = max(start, 1), min(stop, top)
        for low, high in taken:  # no hypothesis twice: cut what an earlier tier covers
            if low <= start < high:
                start = high
            if low < stop <= high:
                stop = low
        if start < stop:
            out.append((tier, start, stop, mass))
            taken.append((start, stop))

    if first_unix is not None:
        t0 = int(first_unix)
        add("seconds", t0 - tiers.lookback_s, t0 + 1,
            PRIORS["tier"]["seconds_before_first_draw"] * math.log1p(tiers.lookback_s) / horizon)
        if tiers.lookback_ms is not None and generator.seed_bits > 32:
            ms = int(first_unix * 1000)
            add("milliseconds", ms - tiers.lookback_ms, ms + 1,
                PRIORS["tier"]["milliseconds_before_first_draw"]
                * math.log1p(tiers.lookback_ms / 1000) / horizon)
    if tiers.small:
        add("small", 0, SMALL_SEEDS, PRIORS["tier"]["small_seed"])
    return out


def _costs_path(home: Path) -> Path:
    return home / "costs.json"


def measured_cost(home: Path, backend_name: str, generator: str, reductions: tuple[str, ...],
                  observed: list[int]) -> float:
    """Seconds per seed (one offset, one skip, every reduction at once) of ``generator`` on
    the backend: measured once (``kernels.sieve.engine.seconds_per_seed``), then read back
    from ``<home>/costs.json``."""
    path = _costs_path(home)
    table: dict[str, float] = orjson.loads(path.read_bytes()) if path.exists() else {}
    key = f"{backend_name}/{generator}/{','.join(reductions)}"
    if key not in table:
        cls = get_generator(generator)
        start = 1
        while True:
            try:
                cls.check_seed(start)
                break
            except ValueError:
                start += 1
        space = SearchSpace(generator=generator, reductions=reductions, seed_start=start,
                            seed_stop=min(start + COST_SAMPLE, 1 << cls.seed_bits),
                            offset_start=0, offset_stop=1)
        backend = make_backend(backend_name)
        try:
            table[key] = seconds_per_seed(space, observed, backend, largest_sample=COST_SAMPLE)
        except NotImplementedError:
            # the backend has no lane for one of these reductions: the sieve runs it on the
            # scalar path, so time that path on a small sample
            small = space.model_copy(update={"seed_stop": min(start + 256, space.seed_stop)})
            began = time.perf_counter()
            search([small], observed[:8], window=min(8, len(observed)), backend=backend,
                   stop_when_certain=False)
            table[key] = max(time.perf_counter() - began, 1e-9) / small.seeds
        tmp = path.with_name(".costs.json.tmp")
        tmp.write_bytes(orjson.dumps(table, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))
        tmp.replace(path)
    return float(table[key])


@dataclass(frozen=True)
class Candidate:
    generator: str
    reductions: tuple[str, ...]  # probed together, from one seeding per seed
    prior: float  # prior mass of this generator
    q: float  # the largest chance match probability of its reductions
    cost_per_seed: float


def plan_spaces(candidates: list[Candidate], first_unix: float | None, *, window: int,
                windows: int, offsets: int, skip_high: int, tiers: TierChoice,
                budget_s: float) -> tuple[list[dict[str, Any]], float, float, int, float]:
    """The spaces of a plan in search order (most prior mass per second first) that fit the
    budget; returns them with the covered prior mass (before window cleanliness and
    significance), the expected seconds with early stop, the hypotheses searched and the
    expected chance survivors."""
    offset_mass = 1 - PRIORS["offset_geometric_ratio"] ** offsets
    skip_mass = PRIORS["skip"][str(skip_high)]
    skip_choices = skip_high + 1
    rows = []
    for c in candidates:
        for tier, start, stop, tier_mass in _tier_ranges(get_generator(c.generator), first_unix,
                                                          tiers):
            seeds = stop - start
            hypotheses = seeds * offsets * skip_choices * windows * len(c.reductions)
            chance = hypotheses * c.q ** window
            seconds = hypotheses * c.cost_per_seed + chance * CONFIRM_S + SPACE_OVERHEAD_S
            mass = c.prior * tier_mass * offset_mass * skip_mass
            rows.append({"generator": c.generator, "reductions": list(c.reductions), "tier": tier,
                         "seed_start": start, "seed_stop": stop, "hypotheses": hypotheses,
                         "chance_survivors": chance, "seconds": seconds, "prior_mass": mass,
                         "q": c.q})
    rows.sort(key=lambda r: (-r["prior_mass"] / r["seconds"], r["generator"], r["seed_start"]))
    chosen, spent = [], 0.0
    for row in rows:
        if spent + row["seconds"] <= budget_s:
            chosen.append(row)
            spent += row["seconds"]
    mass = sum(r["prior_mass"] for r in chosen)
    hypotheses = sum(r["hypotheses"] for r in chosen)
    chance = sum(r["chance_survivors"] for r in chosen)
    # the sieve stops once certain: a space is searched only if no earlier one identified
    expected, found = 0.0, 0.0
    for row in chosen:
        expected += row["seconds"] * (1 - found)
        found += row["prior_mass"]
    return chosen, mass, expected, hypotheses, chance


def plan_objective(mass: float, expected_s: float, hypotheses: int, chance: float, *,
                   window: int, windows: int, train: int, error_rate: float, q: float,
                   alpha: float, budget_s: float) -> tuple[float, float]:
    """(probability of identifying, that probability per second of the budget, less a
    millionth of the expected seconds per budget second so that the faster of two equally
    likely plans wins)."""
    if hypotheses == 0 or window * windows > train or chance > MAX_CHANCE_SURVIVORS:
        return 0.0, 0.0
    clean = 1 - (1 - (1 - error_rate) ** window) ** windows
    matches = max(window, math.floor(train * (1 - error_rate)))
    log_p = math.log(hypotheses) + log_binomial_tail(train, matches, q)
    significant = 1.0 if log_p < math.log(alpha) else 0.0
    probability = mass * clean * significant
    return probability, (probability - 1e-6 * expected_s) / budget_s


def _candidates(step: StepInput, observed: list[int], backend_name: str) -> list[Candidate]:
    alphabet = infer_alphabet(observed)
    names_param = step.text("generators", "").strip()
    registry = all_generators()
    if names_param:
        names = [n.strip() for n in names_param.split(",") if n.strip()]
        for name in names:
            get_generator(name)  # an unknown name fails the step with the catalog's message
    else:
        names = sorted(n for n, c in registry.items() if not c.legacy)
    total_prior = sum(registry[n].prior for n in names)
    out = []
    for name in names:
        cls = registry[name]
        reductions = tuple(default_reductions(cls, alphabet))
        if not reductions:
            continue
        cost = measured_cost(step.home, backend_name, name, reductions, observed)
        if cost <= 0:
            continue  # the draws rule every reduction of this generator out
        q = max(per_draw_match_probability(cls, parse_reduction(spec)) for spec in reductions)
        out.append(Candidate(name, reductions, cls.prior / total_prior, q, cost))
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
    if len(train) < 8:
        reason = f"{len(train)} training draws; at least 8 are needed"
        ref = step.put_json("plan.json", {"spaces": [], "reason": reason})
        return [completed(step, {"planned": False, "spaces": 0, "degenerate": True},
                          summary=reason, artifacts=(ref,))]
    backend_name = step.text("backend", "numpy")
    budget_s = step.number("budget_s", 120.0, 1.0, 86400.0)
    error_rate = step.number("error_rate", 0.02, 0.0, 0.5)
    trials = int(step.number("plan_trials", 60, 5, 1000))
    alpha = float(step.command.alpha)
    candidates = _candidates(step, train, backend_name)
    q = max((c.q for c in candidates), default=1.0)

    def describe(t: optuna.trial.BaseTrial) -> dict[str, Any]:
        window = t.suggest_int("window", 8, min(32, len(train)))
        windows = t.suggest_int("windows", 1, max(1, min(4, len(train) // window)))
        offsets = t.suggest_categorical("offsets", OFFSETS)
        skip_high = t.suggest_categorical("skip_high", SKIPS)
        lookback_s = t.suggest_categorical("lookback_s", LOOKBACKS_S)
        lookback_ms = t.suggest_categorical("lookback_ms", (0, *LOOKBACKS_MS))
        small = t.suggest_categorical("small_seeds", (True, False))
        tiers = TierChoice(lookback_s, lookback_ms or None, small)
        spaces, mass, expected, hypotheses, chance = plan_spaces(
            candidates, first_unix, window=window, windows=windows, offsets=offsets,
            skip_high=skip_high, tiers=tiers, budget_s=budget_s)
        probability, rate = plan_objective(
            mass, expected, hypotheses, chance, window=window, windows=windows,
            train=len(train), error_rate=error_rate, q=q, alpha=alpha, budget_s=budget_s)
        power, _ = plan_objective(
            1.0, expected, hypotheses, chance, window=window, windows=windows,
            train=len(train), error_rate=error_rate, q=q, alpha=alpha, budget_s=budget_s)
        return {"power": power,"window": window, "windows": windows, "offsets": offsets,
                "skip_high": skip_high, "tiers": tiers, "spaces": spaces, "mass": mass,
                "expected_s": expected, "hypotheses": hypotheses, "chance": chance,
                "probability": probability, "rate": rate}

    study = _study(step)
    done = sum(1 for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE)
    if done < trials:
        study.optimize(lambda t: describe(t)["rate"], n_trials=trials - done)
    best = describe(optuna.trial.FixedTrial(study.best_params))
    span = best["window"] * best["windows"]
    # disjoint windows spread over the training segment, the newest last
    starts = [round(i * (len(train) - best["window"]) / max(best["windows"] - 1, 1))
              for i in range(best["windows"])] if best["windows"] > 1 else [0]
    plan: dict[str, Any] = {
        "window": best["window"], "window_starts": starts, "errors": 0,
        "offsets": best["offsets"], "skip": {"low": 0, "high": best["skip_high"]},
        "backend": backend_name, "budget_s": budget_s, "alpha": alpha,
        "error_rate": error_rate, "first_timestamp": first_ts,
        "tiers": {"lookback_s": best["tiers"].lookback_s, "lookback_ms": best["tiers"].lookback_ms,
                  "small_seeds": best["tiers"].small},
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
        "offsets": best["offsets"], "skip_high": best["skip_high"], "errors": 0,
        "hypotheses": best["hypotheses"],
        "log10_hypotheses": math.log10(best["hypotheses"]) if best["hypotheses"] else None,
        "expected_power": best["power"], "identify_probability": best["probability"],
        "identify_probability_per_budget_s": best["probability"] / budget_s, "expected_search_s": best["expected_s"],
        "expected_chance_survivors": best["chance"], "trials": len(study.trials),
        "timed_history": first_ts is not None,
    }
    summary: str = (f"plan: {len(best['spaces'])} spaces, window {best['window']} x "
               f"{best['windows']}, offsets {best['offsets']}, skips 0..{best['skip_high']}; "
               f"P(identify) {best['probability']:.3g} in about {best['expected_s']:.3g} s")
    return [completed(step, metrics, summary=summary, artifacts=(ref,))]


run = run_step(window_optimizer)
