"""``watcher backtest``: walk forward through a history, predicting each draw from the ones
before it, and say honestly whether the predictions beat chance.

At each tested position ``t`` (``--start``, then every ``--every`` draws) the draws before
``t`` are in the ledger of a scratch home and a full learning loop runs on them through the
real runner and handlers (LLM verdicts only with ``--with-llm``); its ``PredictionIssued``
is scored against draw ``t``. Reported: hits against the chance rate (a pool of ``k`` values
hits a uniform draw with probability ``k / alphabet``) with an exact one-sided test (the
Poisson-binomial tail of the per-position chance rates), the lag from the first draw of the
history to the first exact prediction, and the seconds each step took (from the ledger's
timestamps). ``--plot`` draws cumulative hits against the chance band (PNG or SVG).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernels.draws import DrawRecord, read_draw_records
from kernels.sieve.plan import infer_alphabet
from ledger import parse_ts, read_ledger

from handlers.history import draw_history
from handlers.ingest import ingest_events
from machine.draw_intake import ingest_command, record_draws
from machine.home import Home, init_home
from machine.registry import DISABLE_ENV, HandlerContext, HandlerRegistry
from machine.runner import Runner
from machine.steps import STEPS

__all__ = ["register_cli", "Backtest", "run_backtest", "poisson_binomial_tail"]


@dataclass
class Backtest:
    """The outcome of a walk-forward backtest."""

    draws: int
    alphabet: int
    positions: list[int] = field(default_factory=list)
    hits: list[bool] = field(default_factory=list)
    chance: list[float] = field(default_factory=list)
    identified: list[bool] = field(default_factory=list)
    step_seconds: dict[str, list[float]] = field(default_factory=dict)

    @property
    def expected_hits(self) -> float:
        return sum(self.chance)

    @property
    def p_value(self) -> float:
        return poisson_binomial_tail(self.chance, sum(self.hits))

    @property
    def first_exact(self) -> int | None:
        """The first position predicted exactly by an identified hypothesis."""
        return next((t for t, hit, ident in zip(self.positions, self.hits, self.identified)
                     if hit and ident), None)

    def as_dict(self) -> dict[str, Any]:
        tested = len(self.positions)
        return {
            "draws": self.draws, "alphabet": self.alphabet, "tested": tested,
            "hits": sum(self.hits), "hit_rate": sum(self.hits) / tested if tested else None,
            "expected_hits": self.expected_hits,
            "chance_rate": self.expected_hits / tested if tested else None,
            "p_value": self.p_value, "identified": sum(self.identified),
            "first_exact_prediction_at": self.first_exact,
            "lag_draws": self.first_exact,
            "verdict": self.verdict,
            "step_seconds": {name: {"mean": sum(v) / len(v), "total": sum(v)}
                             for name, v in self.step_seconds.items() if v},
            "positions": [{"t": t, "hit": h, "chance": c, "identified": i}
                          for t, h, c, i in zip(self.positions, self.hits, self.chance,
                                                self.identified)],
        }

    @property
    def verdict(self) -> str:
        if not self.positions:
            return "nothing tested"
        if self.p_value < 0.01:
            return "better than chance"
        return "no better than chance"


def poisson_binomial_tail(chances: list[float], hits: int) -> float:
    """``P(X >= hits)`` for a sum of independent Bernoulli(chances[i])."""
    dist = [1.0]
    for p in chances:
        nxt = [0.0] * (len(dist) + 1)
        for k, mass in enumerate(dist):
            nxt[k] += mass * (1 - p)
            nxt[k + 1] += mass * p
        dist = nxt
    return min(1.0, sum(dist[hits:]))


def _seconds(a: str, b: str) -> float:
    return (parse_ts(b) - parse_ts(a)).total_seconds()


def _ingest(runner: Runner, home: Home, records: list[DrawRecord], source: str) -> None:
    lines = [{"draw": r.draw, **({"ts": r.ts} if r.ts else {}),
              **({"session": r.session} if r.session else {})} for r in records]
    raw = "".join(json.dumps(line) + "\n" for line in lines).encode()
    command = ingest_command(Path(source), raw, source)
    ctx = HandlerContext(command=command, clock=runner.clock, home=home.root,
                         artifacts=runner.artifacts, ledger_path=home.ledger)
    record_draws(runner, ingest_events(command, raw, draw_history(home.ledger), ctx))


def run_backtest(records: list[DrawRecord], *, start: int, every: int,
                 params: dict[str, Any], with_llm: bool = False,
                 progress: Any = None) -> Backtest:
    """Walk forward from ``start``; one full learning loop per tested position."""
    values = [r.draw for r in records]
    result = Backtest(draws=len(values), alphabet=infer_alphabet(values))
    previous = os.environ.get(DISABLE_ENV)
    if not with_llm:
        os.environ[DISABLE_ENV] = ",".join(p for p in (previous, "llm.*") if p)
    try:
        with tempfile.TemporaryDirectory(prefix="watcher-backtest-") as folder:
            home = Home(Path(folder) / "home")
            init_home(home)
            with Runner.open(home, registry=HandlerRegistry()) as runner:
                ingested = 0
                for t in range(start, len(values), every):
                    _ingest(runner, home, records[ingested:t], f"backtest-{ingested}-{t}")
                    ingested = t
                    request = {"kind": "learning_loop", "scope": "full", "params": params,
                               "note": f"backtest position {t}"}
                    path = home.requests / f"backtest-{t:06d}.json"
                    path.write_text(json.dumps(request))
                    seq = runner.state.last_seq
                    runner.run_until_idle()
                    _score(result, home, seq, t, values[t])
                    if progress is not None:
                        progress(result)
    finally:
        if previous is None:
            os.environ.pop(DISABLE_ENV, None)
        else:
            os.environ[DISABLE_ENV] = previous
    return result


def _score(result: Backtest, home: Home, after_seq: int, t: int, actual: int) -> None:
    prediction: dict[str, Any] | None = None
    started: dict[int, str] = {}
    for record in read_ledger(home.ledger):
        if record.seq <= after_seq:
            continue
        if record.type == "PredictionIssued":
            prediction = record.data
        elif record.type == "StepStarted":
            started[int(record.data["step"])] = record.ts
        elif record.type in ("StepCompleted", "StepFailed"):
            step = int(record.data["step"])
            name = STEPS[step - 1].label
            result.step_seconds.setdefault(name, []).append(_seconds(started[step], record.ts))
    pool = prediction["pool"] if prediction is not None else []
    result.positions.append(t)
    result.hits.append(any(entry["draw"] == actual for entry in pool))
    result.chance.append(min(1.0, len(pool) / result.alphabet))
    result.identified.append(bool(prediction and prediction["identified"]))


def _plot(result: Backtest, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hits, mean, var = [], [], []
    total_hits = total_mean = total_var = 0.0
    for hit, p in zip(result.hits, result.chance):
        total_hits += hit
        total_mean += p
        total_var += p * (1 - p)
        hits.append(total_hits)
        mean.append(total_mean)
        var.append(total_var)
    low = [max(m - 1.96 * math.sqrt(v), 0.0) for m, v in zip(mean, var)]
    high = [m + 1.96 * math.sqrt(v) for m, v in zip(mean, var)]
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.fill_between(result.positions, low, high, alpha=0.25, label="chance (95% band)")
    axes.plot(result.positions, mean, linestyle="--", label="chance (expected)")
    axes.step(result.positions, hits, where="post", label="hits")
    axes.set_xlabel("position of the predicted draw")
    axes.set_ylabel("cumulative hits")
    axes.set_title(f"backtest: {sum(result.hits)} hits in {len(result.positions)} predictions "
                   f"(p = {result.p_value:.3g})")
    axes.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, format=path.suffix.lstrip(".").lower())
    plt.close(figure)


def register_cli(subparsers: Any) -> None:
    """``watcher backtest``."""
    p = subparsers.add_parser(
        "backtest",
        help="walk forward through a history: predict each draw from the ones before it",
        description=(
            "At each tested position t (from --start, every --every draws) run the full "
            "learning loop on the draws before t, in a scratch home, and score its prediction "
            "of draw t. Reports hits against the chance rate with an exact binomial test, the "
            "lag from the first draw to the first exact prediction, and the seconds per step. "
            "On random draws the honest answer is 'no better than chance'."
        ),
    )
    p.add_argument("--draws", required=True, metavar="FILE", help="the history (any draw file form)")
    p.add_argument("--start", type=int, metavar="N",
                   help="first position to predict (default: a third of the history, at least 20)")
    p.add_argument("--every", type=int, default=1, metavar="K", help="predict every K-th draw (default 1)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--plot", metavar="FILE", help="write cumulative hits against chance (.png or .svg)")
    p.add_argument("--budget", type=float, default=30.0, metavar="S",
                   help="search budget of each loop's sieve in seconds (default 30)")
    p.add_argument("--generators", metavar="LIST",
                   help="comma-separated generators to search (default: the catalog)")
    p.add_argument("--with-llm", action="store_true",
                   help="ask the LLM for its verdicts too (default: guardrails only, faster)")
    p.set_defaults(func=_cmd_backtest)


def _cmd_backtest(args: argparse.Namespace) -> int:
    records = read_draw_records(args.draws)
    start = args.start if args.start is not None else max(20, len(records) // 3)
    if args.every < 1:
        raise ValueError("--every must be at least 1")
    if not 1 <= start < len(records):
        raise ValueError(f"--start must be between 1 and {len(records) - 1} for {len(records)} draws")
    if args.plot and Path(args.plot).suffix.lower() not in (".png", ".svg"):
        raise ValueError("--plot writes a .png or .svg file")
    params: dict[str, Any] = {"budget_s": args.budget}
    if args.generators:
        params["generators"] = args.generators

    def progress(result: Backtest) -> None:
        t, hit, ident = result.positions[-1], result.hits[-1], result.identified[-1]
        print(f"backtest: draw {t}: {'hit' if hit else 'miss'}"
              f"{' (identified)' if ident else ''}; {sum(result.hits)} hit(s) in "
              f"{len(result.positions)}", file=sys.stderr, flush=True)

    result = run_backtest(records, start=start, every=args.every, params=params,
                          with_llm=args.with_llm, progress=progress)
    if args.plot:
        _plot(result, Path(args.plot))
    report = result.as_dict()
    if args.json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return 0
    print(f"backtest of {report['draws']} draws from position {start}, every {args.every}: "
          f"{report['tested']} predictions")
    print(f"  hits: {report['hits']} (expected by chance {report['expected_hits']:.3g}); "
          f"p-value {report['p_value']:.3g}: {report['verdict']}")
    print(f"  identified in {report['identified']} of {report['tested']} loops; first exact "
          f"prediction at position {report['first_exact_prediction_at']}")
    for name, seconds in report["step_seconds"].items():
        print(f"  step {name}: {seconds['mean']:.2f} s per loop ({seconds['total']:.1f} s in all)")
    if args.plot:
        print(f"  plot: {args.plot}")
    return 0
