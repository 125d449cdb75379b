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
  taken in by one runner: each must be received exactly once and leave nothing behind;
- hostile draw files: ``--draws`` entries of ``draws/`` with such names (links, FIFOs,
  folders, sparse files up to 1 TiB, too many lines, long lines, draws of 2^64 and more, deep
  JSON, random bytes and JSON, good files), a halt request among them, taken in by a runner
  with the real ingest handler: each must end archived or quarantined (with a reason of at
  most 1,000 characters), the halt recorded, nothing left in ``draws/``; then the costliest
  files within the byte limit, each in a fresh daemon process: seconds, the daemon's and the
  parsing worker's peak memory (the daemon's memory when it opened: the baseline).

Prints the tables; exits 1 if anything was lost or differs.

Usage: ``python benchmarks/fault_sweep.py [--modes before,after,torn,zeros,enospc]
[--hostile 400] [--draws 200] [--seed 1]`` (``--modes ''`` or ``--hostile 0`` or
``--draws 0`` leaves a part out)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["WATCHER_DISABLE_HANDLERS"] = "*"

from ledger import read_ledger, verify_ledger  # noqa: E402

from handlers.ingest import ingest_file  # noqa: E402
from machine.draw_intake import (  # noqa: E402
    INGEST_KIND, MAX_INGEST_BYTES, MAX_INGEST_DRAWS, MAX_INGEST_LINE_BYTES,
)
from machine.home import Home  # noqa: E402
from machine.registry import HandlerRegistry  # noqa: E402
from machine.requests import MAX_REASON_CHARS  # noqa: E402
from machine.runner import Runner  # noqa: E402
from tests.machine.crashpoints import MODES, count_ops, run_scenario  # noqa: E402
from tests.machine.fakes import all_pass, make_handlers  # noqa: E402
from tests.machine.helpers import FakeClock, drop, make_home, open_runner  # noqa: E402


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


def _draw_runner(home: Home) -> Runner:
    """A runner with the real draw ingest and fake handlers for everything else."""
    handlers = {**make_handlers(all_pass), INGEST_KIND: ingest_file}
    registry = HandlerRegistry(handlers, use_process_registry=False, use_entry_points=False)
    clock = FakeClock()
    return Runner.open(home, registry=registry, clock=clock, sleep=clock.sleep)


def _draw_body(rng: random.Random, kind: str) -> bytes:
    if kind == "many_lines":
        return b"7\n" * (MAX_INGEST_DRAWS + rng.randrange(1, 1000))
    if kind == "long_line":
        return b"1" * (MAX_INGEST_LINE_BYTES + rng.randrange(1, 5000)) + b"\n"
    if kind == "huge_number":
        return b"%d\n" % (2 ** 64 + rng.randrange(1 << 64) * rng.choice([1, 10 ** 30]))
    if kind == "deep_json":
        depth = rng.choice([300, 1100, 2000])
        return b"[" * depth + b"]" * depth
    if kind == "random_bytes":
        return rng.randbytes(rng.randrange(0, 400))
    if kind == "random_json":
        return json.dumps({"draws": [rng.choice([-1, 1.5, "x", None, [1], {"draw": 2}])
                                     for _ in range(rng.randrange(1, 9))]}).encode()
    # good: untimed draws
    return b"".join(b"%d\n" % rng.randrange(1 << 32) for _ in range(rng.randrange(1, 30)))


DRAW_KINDS = ("link", "fifo", "folder", "sparse", "many_lines", "long_line", "huge_number",
              "deep_json", "random_bytes", "random_json", "good", "good")


def draw_round(root: Path, rng: random.Random, files: int) -> tuple[int, int, int, float]:
    """Drop ``files`` hostile entries into ``draws/`` and a halt among the requests, take them
    in; returns (dropped, archived, quarantined, seconds)."""
    home = make_home(root)
    folder = os.fsencode(home.draws)
    for i in range(files):
        name = b"%03d-" % i + _name(rng)[:-5][-240:] + b".txt"
        path = os.path.join(folder, name)
        kind = rng.choice(DRAW_KINDS)
        if kind == "link":
            os.symlink(os.fsencode(home.policies), path)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            os.mkdir(path)
        elif kind == "sparse":
            with open(path, "wb") as fh:
                fh.truncate(rng.choice([MAX_INGEST_BYTES + 1, 1 << 30, 1 << 40]))
        else:
            with open(path, "wb") as fh:
                fh.write(_draw_body(rng, kind))
    drop(home, "halt.json", {"kind": "halt", "reason": "among the draw files"})
    t0 = time.perf_counter()
    with _draw_runner(home) as runner:
        runner.run_until_idle(max_commands=0)
        halted = runner.state.halted
    took = time.perf_counter() - t0
    left = os.listdir(folder)
    draws = [n for n in os.listdir(os.fsencode(home.archive)) if not n.startswith(b"rq-")]
    quarantined = [n for n in os.listdir(os.fsencode(home.quarantine))
                   if not n.endswith(b".reason.txt")]
    for name in quarantined:
        reason = (home.quarantine / os.fsdecode(name + b".reason.txt")).read_text("utf-8")
        if len(reason.strip()) > MAX_REASON_CHARS or reason.count("\n") != 1:
            raise AssertionError(f"reason of {name!r} is not one bounded line")
    if left or not halted or not verify_ledger(home.ledger).ok:
        raise AssertionError(f"left behind: {left[:3]}, halted: {halted}")
    return files, len(draws), len(quarantined), took


#: The costliest draw files within the byte limit (name, maker of the bytes).
COSTLY: dict[str, Any] = {
    "100k timed JSON Lines": lambda: b"".join(
        json.dumps({"ts": f"2026-11-{1 + i // 86400:02d}T{i // 3600 % 24:02d}:"
                          f"{i // 60 % 60:02d}:{i % 60:02d}Z", "draw": i,
                    "session": "midday"}).encode() + b"\n" for i in range(MAX_INGEST_DRAWS)),
    "100k 20-digit lines": lambda: b"18446744073709551615\n" * MAX_INGEST_DRAWS,
    "16 MiB JSON array of {}": lambda: b"[" + b",".join([b"{}"] * ((MAX_INGEST_BYTES - 2) // 3))
    + b"]",
    "16 MiB one-digit lines": lambda: b"0\n" * (MAX_INGEST_BYTES // 2),
    "16 MiB 4000-digit lines": lambda: (b"1" * 4000 + b"\n") * (MAX_INGEST_BYTES // 4001),
    "1 TiB sparse file": None,
}


def _peak_mb() -> float:
    """This process's peak resident memory (``VmHWM``: unlike ``ru_maxrss``, not inherited
    from the process that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(home: str) -> None:
    """(In a fresh process) take in the draw files of ``home``; print one JSON line."""
    lines: list[str] = []
    t0 = time.perf_counter()
    with _draw_runner(Home(Path(home))) as runner:
        opened = _peak_mb()
        runner.log = lines.append
        runner.run_until_idle(max_commands=0)
    took = time.perf_counter() - t0
    outcome = next((line for line in lines if line.startswith("draw file")), "?")
    print(json.dumps({"s": took, "opened_mb": opened, "daemon_mb": _peak_mb(),
                      "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                      "outcome": outcome}))


def _make(name: str, path: str) -> None:
    """(In a fresh process: the sweep's own memory stays small) write a costly file."""
    make = COSTLY[name]
    if make is None:
        with open(path, "wb") as fh:
            fh.truncate(1 << 40)
    else:
        Path(path).write_bytes(make())


def costly_table(work: Path) -> int:
    """The costliest draw files, each in a fresh process; returns failures."""
    print(f"{'draw file':<26} {'MiB':>7} {'s':>6} {'daemon MB at open':>18} "
          f"{'daemon peak MB':>15} {'worker peak MB':>15}  outcome")
    failures = 0
    for i, name in enumerate(COSTLY):
        home = make_home(work / f"costly-{i}")
        path = home.draws / "x.txt"
        subprocess.run([sys.executable, __file__, "--make", name, str(path)], check=True,
                       timeout=900)
        size = path.stat().st_size
        done = subprocess.run([sys.executable, __file__, "--measure", str(home.root)],
                              capture_output=True, text=True, timeout=900)
        try:
            m = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            print(f"{name:<26} failed: {done.stderr.strip()[-300:]}")
            failures += 1
            continue
        if os.listdir(home.draws):
            failures += 1
        print(f"{name:<26} {size / 2**20:>7.1f} {m['s']:>6.2f} {m['opened_mb']:>18.0f} "
              f"{m['daemon_mb']:>15.0f} {m['worker_mb']:>15.0f}  {m['outcome'][:70]}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--hostile", type=int, default=400, help="hostile files in all")
    parser.add_argument("--draws", type=int, default=200, help="hostile draw files in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--measure", metavar="HOME", help=argparse.SUPPRESS)
    parser.add_argument("--make", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.measure)
        return 0
    if args.make:
        _make(*args.make)
        return 0
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
        t0 = time.perf_counter()
        draws_dropped = archived = quarantined = rounds = 0
        slowest = 0.0
        while draws_dropped < args.draws:
            n = min(20, args.draws - draws_dropped)
            try:
                d, a, q, took = draw_round(work / f"draws-{rounds}", rng, n)
            except AssertionError as error:
                print(f"  draw round {rounds}: {error}")
                failures += 1
                d, a, q, took = n, 0, 0, 0.0
            draws_dropped += d
            archived += a
            quarantined += q
            slowest = max(slowest, took)
            rounds += 1
        draws_lost = draws_dropped - archived - quarantined
        failures += draws_lost
        if args.draws:
            print(f"hostile draw files: {draws_dropped} dropped in {rounds} rounds (a halt in "
                  f"each), {archived} archived, {quarantined} quarantined, {draws_lost} lost; "
                  f"slowest round {slowest:.1f} s ({time.perf_counter() - t0:.1f} s)")
            failures += costly_table(work)
        print(f"crash points tried: {total_points}; hostile inputs tried: {dropped}; "
              f"hostile draw files tried: {draws_dropped}; "
              f"{'nothing lost' if not failures else f'{failures} FAILURES'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
