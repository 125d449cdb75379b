"""A live stream for the WATCHER to catch: truly random draws first, then a server that seeds
its generator with the clock and reseeds it now and then, fed one draw at a time.

Each draw goes in the way a live feed would send it, through the command line::

    echo '{"ts": "...", "draw": 417}' | watcher ingest -
    watcher daemon --once

and after each draw the script prints what the WATCHER predicted for it (``watcher
predictions``). The stream (every segment's generator, seed and first draw) is written to
``<home>/live_stream.truth.json`` to compare with what was identified; nothing the WATCHER does
reads it.

Segments (``--segments``, in order after ``--random`` random draws), each ``--per-segment``
draws long, are servers reseeding with the clock, in the runtimes' own words:

- ``glibc``: ``srand(time(NULL)); rand() % 1000`` (seconds);
- ``java``: ``new java.util.Random(System.currentTimeMillis()).nextInt(1000)`` (milliseconds);
- ``mt19937``: ``std::mt19937 gen(time(nullptr)); gen() % 1000`` (seconds).

Each server reseeds at a moment between the previous draw and its own first draw, and the
draws come ``--interval`` seconds apart, from ``--start`` on (default: now). ``--random``
draws come from the operating system's entropy: no generator explains them.

Run it from the repository root (see examples/README.md)::

    python examples/live_stream.py --home /tmp/live
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kernels.observation import Hypothesis, predict

#: name -> (catalog generator, reduction, seed unit in seconds, what a server runs)
RUNTIMES: dict[str, tuple[str, str, float, str]] = {
    "glibc": ("glibc_random", "c_rand_mod:1000", 1.0, "srand(time(NULL)); rand() % 1000"),
    "java": ("java_random", "java_nextint:1000", 0.001,
             "new java.util.Random(System.currentTimeMillis()).nextInt(1000)"),
    "mt19937": ("mt19937", "mod:1000", 1.0, "std::mt19937 gen(time(nullptr)); gen() % 1000"),
}


def _ts(seconds: float) -> str:
    moment = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"


def build_stream(*, random_draws: int, segments: list[str], per_segment: int, start: float,
                 interval: float, rng: random.Random) -> tuple[
                     list[dict[str, Any]], list[dict[str, Any]]]:
    """The draws (``{"ts", "draw"}`` records) and the truth of each segment."""
    records: list[dict[str, Any]] = []
    truth: list[dict[str, Any]] = [{"segment": "random", "first_draw": 0,
                                    "draws": random_draws, "source": "os entropy"}]
    clock = start
    for _ in range(random_draws):
        records.append({"ts": _ts(clock), "draw": secrets.randbelow(1000)})
        clock += interval
    for name in segments:
        generator, reduction, unit, code = RUNTIMES[name]
        # The server reseeds after the previous draw, with the clock in its own unit.
        seeded_at = clock - rng.uniform(0.0, interval)
        seed = int(seeded_at / unit)
        hypothesis = Hypothesis(generator=generator, seed=seed, reduction=reduction)
        truth.append({"segment": name, "first_draw": len(records), "draws": per_segment,
                      "runtime": code, "seeded_at": _ts(seeded_at),
                      "hypothesis": hypothesis.model_dump(mode="json")})
        for value in predict(hypothesis, per_segment):
            records.append({"ts": _ts(clock), "draw": value})
            clock += interval
    return records, truth


def _watcher(home: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(["watcher", *args, "--home", str(home)], input=stdin, text=True,
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"watcher {' '.join(args)} failed ({done.returncode}): "
                         f"{done.stderr.strip()}")
    return done.stdout


def _outcome(home: Path, index: int) -> str:
    listing = json.loads(_watcher(home, "predictions", "--json"))
    made = [p for p in listing["predictions"] if p["target_index"] == index
            and p["status"] not in ("superseded", "late")]
    if not made:
        return "no prediction"
    item = made[-1]
    kind = "identified" if item["identified"] else f"chance pool of {len(item['pool'])}"
    if item["status"] != "scored":
        return f"{kind}: {item['status']}"
    return f"{kind}: {'HIT' if item['hit'] else 'miss'}"


def summarize(home: Path) -> list[str]:
    """Per segment of the truth file: the WATCHER's exact predictions, the lag to the first one,
    and the generators it claimed (a claim on the random draws is a false identification)."""
    truth = json.loads((home / "live_stream.truth.json").read_text())
    predictions = json.loads(_watcher(home, "predictions", "--json"))["predictions"]
    offset = truth[0].get("history_start", 0)
    lines = []
    for part in truth:
        first = offset + part["first_draw"]
        inside = [p for p in predictions if p["status"] == "scored"
                  and first <= p["target_index"] < first + part["draws"]]
        exact = [p for p in inside if p["identified"] and p["hit"]]
        tally: dict[str, list[int]] = {}
        for p in inside:
            if p["identified"] and p["hypothesis"]:
                name = f"{p['hypothesis']['generator']} seed {p['hypothesis']['seed']}"
                tally.setdefault(name, [0, 0])[0 if p["hit"] else 1] += 1
        claims = [f"{name} ({hits} exact, {misses} missed)"
                  for name, (hits, misses) in tally.items()]
        lag = exact[0]["target_index"] - first if exact else None
        true = part.get("hypothesis")
        truly = f"{true['generator']} seed {true['seed']}" if true else "no generator"
        lines.append(
            f"{part['segment']:<8} draws {first}..{first + part['draws'] - 1}: {len(inside)} "
            f"scored, {len(exact)} exact; first exact after {lag if lag is not None else '-'} "
            f"draw(s); claimed: {', '.join(claims) or 'nothing'} (truth: {truly})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", default=os.environ.get("WATCHER_HOME", "watcher-home"),
                        help="the watcher home (created if missing; default $WATCHER_HOME)")
    parser.add_argument("--random", type=int, default=20, metavar="N",
                        help="truly random draws first (default 20)")
    parser.add_argument("--segments", default="glibc,java,mt19937", metavar="LIST",
                        help=f"reseeded servers in order, from {', '.join(RUNTIMES)} "
                             "(default all three)")
    parser.add_argument("--per-segment", type=int, default=20, metavar="N",
                        help="draws per reseeded segment (default 20)")
    parser.add_argument("--interval", type=float, default=60.0, metavar="S",
                        help="seconds between draws (default 60)")
    parser.add_argument("--start", metavar="TIME",
                        help="the first draw's time, ISO 8601 UTC (default: now)")
    parser.add_argument("--seed", type=int, help="seed of the reseed moments (default: random)")
    parser.add_argument("--dispatch-every", type=int, default=0, metavar="K",
                        help="also dispatch a full learning loop every K draws (a schedule for "
                             "a WATCHER without Chapter 13's triggers; default 0: none)")
    parser.add_argument("--budget", type=float, default=20.0, metavar="S",
                        help="sieve budget of each dispatched loop in seconds (default 20)")
    parser.add_argument("--summary", action="store_true",
                        help="feed nothing: compare the home's predictions with its truth file")
    args = parser.parse_args(argv)
    if args.summary:
        print("\n".join(summarize(Path(args.home))))
        return 0
    segments = [s.strip() for s in args.segments.split(",") if s.strip()]
    unknown = [s for s in segments if s not in RUNTIMES]
    if unknown:
        parser.error(f"unknown segment {unknown[0]!r}; known: {', '.join(RUNTIMES)}")
    if args.random < 0 or args.per_segment < 1 or args.interval <= 0:
        parser.error("--random must be >= 0, --per-segment >= 1 and --interval > 0")
    start = (time.time() if args.start is None else
             dt.datetime.fromisoformat(args.start.replace("Z", "+00:00")).timestamp())
    home = Path(args.home)
    if not (home / "ledger.jsonl").is_file():
        _watcher(home, "init")
    records, truth = build_stream(random_draws=args.random, segments=segments,
                                  per_segment=args.per_segment, start=start,
                                  interval=args.interval, rng=random.Random(args.seed))
    already = json.loads(_watcher(home, "predictions", "--json"))["summary"]["draws"]
    truth[0]["history_start"] = already
    (home / "live_stream.truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    if already:
        print(f"{home}: the history already holds {already} draws; these follow them")
    starts = {part["first_draw"]: part["segment"] for part in truth}
    began = time.monotonic()
    for index, record in enumerate(records):
        if index in starts:
            print(f"--- draw {already + index}: {starts[index]} begins", flush=True)
        _watcher(home, "ingest", "-", stdin=json.dumps(record) + "\n")
        if args.dispatch_every and index and index % args.dispatch_every == 0:
            request = {"kind": "learning_loop", "scope": "full",
                       "params": {"budget_s": args.budget,
                                  "generators": ",".join(g for g, *_ in RUNTIMES.values())}}
            request_file = home / "live_stream.request.json"
            request_file.write_text(json.dumps(request))
            _watcher(home, "submit", str(request_file))
        tick = time.monotonic()
        _watcher(home, "daemon", "--once")
        print(f"draw {already + index:>4} = {record['draw']:>3}  ({time.monotonic() - tick:5.1f} s)"
              f"  prediction for it: {_outcome(home, already + index)}", flush=True)
    print(f"fed {len(records)} draws in {time.monotonic() - began:.0f} s; truth in "
          f"{home / 'live_stream.truth.json'}")
    print(_watcher(home, "predictions", "--last", "1").splitlines()[0])
    print("\n".join(summarize(home)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
