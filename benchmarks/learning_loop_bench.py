"""Seconds per step of a full learning loop over 300 draws, on a planted noisy history and on a
random one, through the real runner and handlers (the ledger's timestamps give the times).

    python benchmarks/learning_loop_bench.py              # guardrail verdicts only
    python benchmarks/learning_loop_bench.py --with-llm   # the LLM's verdicts too
    python benchmarks/learning_loop_bench.py -n 300 --budget 120

The planted history is mt19937 seeded 37 s before its first draw, reduced mod 1000, with 3
corrupted draws; the random one is uniform below 1000. The "LLM and machine" row is every
other command of the run (verdicts, LLM start/stop, dispatch). Defaults are the steps' own
(search budget 120 s, 60 plan trials); the table says whether each loop identified its
generator and predicted the next draw.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger import parse_ts, read_ledger  # noqa: E402

from handlers.pipeline.synthetic import as_jsonl, planted_history, random_history  # noqa: E402
from machine.cli import main as watcher  # noqa: E402
from machine.steps import STEPS  # noqa: E402


def _seconds(a: str, b: str) -> float:
    return (parse_ts(b) - parse_ts(a)).total_seconds()


def loop(records: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """Run one full loop on ``records`` in a scratch home; seconds per step and the outcome."""
    with tempfile.TemporaryDirectory(prefix="loop-bench-") as folder:
        home = Path(folder) / "home"
        draws = Path(folder) / "draws.jsonl"
        draws.write_text(as_jsonl(records))
        request = Path(folder) / "loop.json"
        request.write_text(json.dumps({"kind": "learning_loop", "scope": "full", "params": params}))
        with contextlib.redirect_stdout(io.StringIO()):
            for argv in (["init"], ["ingest", str(draws)], ["submit", str(request)]):
                assert watcher([*argv, "--home", str(home)]) == 0
            began = time.perf_counter()
            assert watcher(["daemon", "--once", "--quiet", "--home", str(home)]) == 0
            wall = time.perf_counter() - began
        started: dict[int, str] = {}
        steps: dict[int, float] = {}
        prediction: dict[str, Any] = {}
        first = last = None
        for record in read_ledger(home / "ledger.jsonl"):
            if record.type == "DispatchStarted":
                first = record.ts
            if record.type == "DispatchCompleted" or record.type == "DispatchFailed":
                last = record.ts
            if record.type == "StepStarted":
                started[int(record.data["step"])] = record.ts
            if record.type in ("StepCompleted", "StepFailed"):
                step = int(record.data["step"])
                steps[step] = steps.get(step, 0.0) + _seconds(started[step], record.ts)
            if record.type == "PredictionIssued":
                prediction = dict(record.data)
        total = _seconds(first, last) if first and last else wall
        return {"steps": steps, "total": total, "other": total - sum(steps.values()),
                "prediction": prediction, "completed": last is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="draws per history (default 300)")
    parser.add_argument("--budget", type=float, help="step 1's search budget, seconds")
    parser.add_argument("--with-llm", action="store_true", help="ask the LLM for verdicts")
    args = parser.parse_args()
    if not args.with_llm:
        os.environ["WATCHER_DISABLE_HANDLERS"] = "llm.*"
    params: dict[str, Any] = {} if args.budget is None else {"budget_s": args.budget}
    planted, _truth, clean = planted_history(args.n, corrupt=3)
    histories = {"planted (mt19937, 3 errors)": (planted, clean[args.n]),
                 "random": (random_history(args.n), None)}
    results = {name: loop(records, params) for name, (records, _next) in histories.items()}
    names = list(results)
    print(f"full learning loop over {args.n} draws, {os.cpu_count()} CPUs, "
          f"{'LLM verdicts' if args.with_llm else 'guardrail verdicts only'}; seconds")
    print(f"{'step':<22}" + "".join(f"{n:>30}" for n in names))
    for step in STEPS:
        print(f"{step.label:<22}" + "".join(f"{results[n]['steps'].get(step.number, 0.0):>30.2f}"
                                            for n in names))
    print(f"{'LLM and machine':<22}" + "".join(f"{results[n]['other']:>30.2f}" for n in names))
    print(f"{'whole loop':<22}" + "".join(f"{results[n]['total']:>30.2f}" for n in names))
    for name, (_records, expected) in histories.items():
        p = results[name]["prediction"]
        pool = p.get("pool", [])
        right = bool(pool) and expected is not None and pool[0]["draw"] == expected
        print(f"{name}: completed {results[name]['completed']}; identified "
              f"{p.get('identified')}; pool of {len(pool)}"
              + (f"; next draw {'right' if right else 'WRONG'}" if expected is not None else ""))


if __name__ == "__main__":
    main()
