"""Fault sweep: every crash point of the WATCHER's workload in every fault mode, and a pile of
hostile request files, with the counts the fault-injection tests only sample.

- crash points: the workload of ``tests/machine/crashpoints.py`` (a learning loop with one
  retry, a broken file, a dry run, a halt and a resume) is run once uninterrupted (the baseline:
  its file operations counted and timed), then once per file operation and mode (the process
  dies before or after it, a ledger write is torn or leaves a zeroed page, the disk is full),
  restarted and finished; the outcome must equal the baseline's, every file received once;
- hostile inputs: ``--hostile`` files with random names (control characters, non-UTF-8 bytes,
  up to 250 bytes) and random contents (random bytes, random JSON, requests with escape
  sequences, deep nesting, oversize), plus symlinks, folders and FIFOs, dropped in rounds and
  taken in by one runner: each must be received exactly once and leave nothing behind.

Prints one table; exits 1 if anything was lost or differs.

Usage: ``python benchmarks/fault_sweep.py [--modes before,after,torn,zeros,enospc]
[--hostile 400] [--seed 1]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["WATCHER_DISABLE_HANDLERS"] = "*"

from ledger import read_ledger, verify_ledger  # noqa: E402

from tests.machine.crashpoints import MODES, count_ops, run_scenario  # noqa: E402
from tests.machine.helpers import make_home, open_runner  # noqa: E402


def _name(rng: random.Random) -> bytes:
    alphabet = [bytes([b]) for b in range(1, 256) if b not in (0x2F, 0x2E)]
    size = rng.choice([1, 5, 20, 80, 200, 246])
    return b"".join(rng.choice(alphabet) for _ in range(size)) + b".json"


def _body(rng: random.Random) -> bytes:
    kind = rng.randrange(7)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 400))
    if kind == 1:
        depth = rng.choice([10, 300, 5000])
        return b"[" * depth + b"]" * depth
    if kind == 2:
        return json.dumps({"kind": rng.choice(["halt", "resume", "x" * 5000, "learning_loop"]),
                           "note": "\x1b]52;c;SGVsbG8=\x07\u202e", "reason": "\x9b2J"}).encode()
    if kind == 3:
        return b'{"kind": "halt", "reason": "' + b"y" * (1 << 20) + b'"}'
    if kind == 4:
        return json.dumps({"kind": "learning_loop", "scope": rng.sample(range(-1, 9), 3)}).encode()
    if kind == 5:
        return json.dumps([rng.random() for _ in range(rng.randrange(20))]).encode()
    return json.dumps({"kind": "approve", "run_id": "run-" + rng.randbytes(4).hex()}).encode()


def hostile_round(root: Path, rng: random.Random, files: int) -> tuple[int, int]:
    """Drop ``files`` hostile entries in one home, take them in; returns (dropped, received)."""
    home = make_home(root)
    req = os.fsencode(home.requests)
    names: set[bytes] = set()
    for i in range(files):
        name = b"%03d-" % i + _name(rng)[-250:]  # at most 254 bytes, still *.json
        names.add(name)
        path = os.path.join(req, name)
        special = rng.randrange(20)
        if special == 0:
            os.symlink(os.fsencode(home.policies), path)
        elif special == 1:
            os.mkdir(path)
        elif special == 2:
            os.mkfifo(path)
        else:
            with open(path, "wb") as fh:
                fh.write(_body(rng))
    with open_runner(home) as runner:
        runner.run_until_idle(max_commands=0)
    received = sum(1 for r in read_ledger(home.ledger) if r.type == "RequestReceived")
    left = os.listdir(home.requests) + os.listdir(home.claimed)
    if left or not verify_ledger(home.ledger).ok:
        raise AssertionError(f"left behind: {left[:3]}")
    return len(names), received


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--hostile", type=int, default=400, help="hostile files in all")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        ops = count_ops(work / "count")
        expected, _ = run_scenario(work / "baseline", None)
        baseline_s = time.perf_counter() - started
        print(f"baseline: uninterrupted workload, {ops} file operations, {baseline_s:.2f} s")
        print(f"{'mode':<8} {'points':>7} {'fired':>6} {'same outcome':>13} {'lost':>5} {'s':>7}")
        total_points = 0
        for mode in modes:
            t0 = time.perf_counter()
            fired = same = 0
            for at in range(1, ops + 1):
                try:
                    got, hit = run_scenario(work / f"{mode}-{at}", at, mode)
                except AssertionError as error:
                    print(f"  {mode} at {at}: {error}")
                    failures += 1
                    continue
                fired += hit
                same += got == expected
            total_points += ops
            lost = ops - same
            failures += lost
            print(f"{mode:<8} {ops:>7} {fired:>6} {same:>13} {lost:>5} "
                  f"{time.perf_counter() - t0:>7.1f}")
        rng = random.Random(args.seed)
        t0 = time.perf_counter()
        dropped = received = 0
        rounds = 0
        while dropped < args.hostile:
            n = min(40, args.hostile - dropped)
            d, r = hostile_round(work / f"hostile-{rounds}", rng, n)
            dropped += d
            received += r
            rounds += 1
        print(f"hostile inputs: {dropped} dropped in {rounds} rounds, {received} received "
              f"exactly once, {dropped - received} lost ({time.perf_counter() - t0:.1f} s)")
        failures += dropped - received
        print(f"crash points tried: {total_points}; hostile inputs tried: {dropped}; "
              f"{'nothing lost' if not failures else f'{failures} FAILURES'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
