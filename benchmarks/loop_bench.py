"""The autonomous loop on a live stream, one draw at a time, as a server's feed would arrive.

The stream: random draws, then three reseeds made by the real runtimes with the clock a few
seconds before their first draw (glibc's ``srand(time)`` then ``rand() % 1000``, ``new
java.util.Random(millis)``'s ``nextInt(1000)``, ``std::mt19937(time)() % 1000``; see
``handlers.pipeline.synthetic``). Each draw is fed with ``watcher ingest -`` and then
``watcher daemon --once``, two processes, so every figure includes process start.

    python benchmarks/loop_bench.py                      # 24 random draws, 3 x 24 reseeded
    python benchmarks/loop_bench.py --random 40 --segment 30 --json
    python benchmarks/loop_bench.py --llm                # the LLM judges steps and advises

Printed: seconds per draw when nothing triggers (ingest and daemon, median and worst), seconds
per draw that ran a triggered search, the lag in draws after each reseed (from the reseed to
the first draw from which every prediction of its segment is exact), claims of a generator on
the random part, and whether ``watcher replay`` is clean. The baseline, measured in the same
run: ``watcher daemon --once`` with nothing to do (process start and the ledger's fold).
Wall-clock and CPU seconds are both printed (CPU of the commands and their worker processes):
on a shared machine the wall clock counts the other users too; the load average says how many.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ledger import read_ledger

from handlers.pipeline.synthetic import RuntimeMissing, reseeded_stream

PROGRAMS = ("glibc_srand_time", "java_random_millis", "mt19937_time")
SEARCH_EVENTS = {"TriggerFired", "DispatchStarted"}


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(command: list[str], env: dict[str, str], data: bytes | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one command (its worker processes' CPU included)."""
    began, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(command, input=data, env=env, capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): "
                         f"{done.stderr.decode(errors='replace')[-500:]}")
    return time.perf_counter() - began, _cpu() - cpu


def _lags(ledger: list[Any], positions: list[int], total: int) -> tuple[list[int | None], list[int]]:
    drawn = 0
    predictions: dict[int, bool] = {}
    hits: dict[int, bool] = {}
    for record in ledger:
        if record.type == "DrawIngested":
            drawn += len(record.data["values"])
        elif record.type == "PredictionIssued" and record.data["target_index"] >= drawn:
            predictions[record.data["target_index"]] = record.data["identified"]
        elif record.type == "PredictionScored":
            hits[record.data["target_index"]] = record.data["hit"]
    claims = sorted(t for t, identified in predictions.items()
                    if identified and t < (positions[0] if positions else total))
    lags: list[int | None] = []
    for start, end in zip(positions, positions[1:] + [total]):
        first = end
        for t in range(end - 1, start - 1, -1):
            if predictions.get(t) and hits.get(t):
                first = t
            else:
                break
        lags.append(first - start if first < end else None)
    return lags, claims


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--random", type=int, default=24, help="random draws first")
    parser.add_argument("--segment", type=int, default=24, help="draws after each reseed")
    parser.add_argument("--llm", action="store_true",
                        help="let the installed LLM judge steps and advise (off: guardrails)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    try:
        records, reseeds = reseeded_stream(args.random, [(p, args.segment) for p in PROGRAMS])
    except RuntimeMissing as missing:
        print(f"skipped: {missing}")
        return 0
    folder = Path(tempfile.mkdtemp(prefix="loop-bench-"))
    home = folder / "home"
    env = {**os.environ, "WATCHER_HOME": str(home),
           "WATCHER_CACHE_DIR": str(folder / "cache")}
    if not args.llm:
        env["WATCHER_DISABLE_HANDLERS"] = "llm.*,chapter13.advise"
    _run(["watcher", "init"], env)
    quiet: list[tuple[float, float]] = []
    quiet_cpu: list[float] = []
    searched: list[float] = []
    searched_cpu: list[float] = []
    seen = 0
    for index, record in enumerate(records):
        ingest_s, ingest_cpu = _run(["watcher", "ingest", "-"], env,
                                    (json.dumps(record) + "\n").encode())
        daemon_s, daemon_cpu = _run(["watcher", "daemon", "--once", "--quiet"], env)
        ledger = list(read_ledger(home / "ledger.jsonl"))
        new = {r.type for r in ledger[seen:]}
        seen = len(ledger)
        if new & SEARCH_EVENTS:
            searched.append(ingest_s + daemon_s)
            searched_cpu.append(ingest_cpu + daemon_cpu)
        else:
            quiet.append((ingest_s, daemon_s))
            quiet_cpu.append(ingest_cpu + daemon_cpu)
        if not args.json:
            mark = "search" if new & SEARCH_EVENTS else ""
            print(f"  draw {index:3d}: {ingest_s + daemon_s:6.2f} s wall, "
                  f"{ingest_cpu + daemon_cpu:5.2f} s CPU {mark}", file=sys.stderr)
    idle = [_run(["watcher", "daemon", "--once", "--quiet"], env) for _ in range(3)]
    baseline = statistics.median(wall for wall, _ in idle)
    baseline_cpu = statistics.median(cpu for _, cpu in idle)
    ledger = list(read_ledger(home / "ledger.jsonl"))
    lags, claims = _lags(ledger, [r.position for r in reseeds], len(records))
    verdict = subprocess.run(["watcher", "replay", str(home / "ledger.jsonl")], env=env,
                             capture_output=True).returncode
    totals = [a + b for a, b in quiet]
    figures = {
        "draws": len(records), "random_draws": args.random, "segment_draws": args.segment,
        "llm": args.llm, "load_average": os.getloadavg()[0],
        "baseline_idle_daemon_s": baseline, "baseline_idle_daemon_cpu_s": baseline_cpu,
        "quiet_draw_cpu_s_median": statistics.median(quiet_cpu) if quiet_cpu else None,
        "search_draw_cpu_s_median": statistics.median(searched_cpu) if searched_cpu else None,
        "quiet_draws": len(quiet),
        "quiet_draw_s_median": statistics.median(totals) if totals else None,
        "quiet_draw_s_max": max(totals) if totals else None,
        "quiet_ingest_s_median": statistics.median(a for a, _ in quiet) if quiet else None,
        "quiet_daemon_s_median": statistics.median(b for _, b in quiet) if quiet else None,
        "searched_draws": len(searched),
        "search_draw_s_median": statistics.median(searched) if searched else None,
        "search_draw_s_max": max(searched) if searched else None,
        "lags": {r.program: lag for r, lag in zip(reseeds, lags)},
        "claims_on_random": claims,
        "escalations": sum(r.type == "Escalated" for r in ledger),
        "replay_exit_code": verdict, "home": str(home),
    }
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"stream: {args.random} random draws, then {args.segment} after each of "
          f"{', '.join(PROGRAMS)}; LLM {'on' if args.llm else 'off (guardrails)'}; "
          f"load average {figures['load_average']:.2f}")
    print(f"baseline: watcher daemon --once with nothing to do       {baseline:6.2f} s"
          f"  ({baseline_cpu:.2f} s CPU)")
    print(f"draw with nothing triggered (ingest + daemon), median   "
          f"{figures['quiet_draw_s_median']:6.2f} s  (ingest {figures['quiet_ingest_s_median']:.2f}"
          f", daemon {figures['quiet_daemon_s_median']:.2f}; worst "
          f"{figures['quiet_draw_s_max']:.2f} s; {figures['quiet_draw_cpu_s_median']:.2f} s CPU;"
          f" {len(quiet)} draws)")
    if searched:
        print(f"draw with a triggered search, median                    "
              f"{figures['search_draw_s_median']:6.2f} s  (worst {figures['search_draw_s_max']:.2f}"
              f" s; {figures['search_draw_cpu_s_median']:.2f} s CPU; {len(searched)} draws)")
    for reseed, lag in zip(reseeds, lags):
        shown = f"{lag} draws" if lag is not None else "never exact"
        print(f"lag after {reseed.program:<20} (draw {reseed.position:3d}): {shown}")
    print(f"generator claimed on the random part: {claims or 'never'}; escalations: "
          f"{figures['escalations']}; watcher replay exit code {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
