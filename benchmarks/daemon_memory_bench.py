"""The daemon as its ledger grows: open time, memory and time per command at 10k, 100k and
300k events. Flat is the claim: with the code as it is, nothing here grows with the ledger but
the writer's id set (16 bytes an event).

Builds a home whose ledger holds about N events of real machine history (learning loops run
with fast fake handlers, the test plugin's), then, in a fresh process per size and variant:
opens the runner (the writer's scan of what it has not verified before, id set and fold), runs
one more learning loop, and prints the open time, the bytes the open verified, the peak RSS,
the memory the writer's id set and the folded state take, the fold snapshot's size, the time
per command of that loop and the memory a command allocates. Variants, all in the same run:

- ``original``: what the daemon did before any of this (a set of id strings; a deep copy of
  the state per handler command; no fold snapshot; the whole chain verified; every request
  and run kept). Skipped above 100k events (its per-command copy alone takes minutes there).
- ``previous``: an id set of digests, no copy, a fold snapshot, but the whole chain verified
  at every open and every finished request and run kept in the state (and its snapshot).
- ``after``: the code as it is (the writer's checkpoint and the fold snapshot left by the
  build, as a daemon closing leaves them; finished requests and runs leave the state).

    python benchmarks/daemon_memory_bench.py [--sizes 10000,100000,300000]
    python benchmarks/daemon_memory_bench.py --costs LEDGER   # where a full open's time goes

After each size's rows, the same run prints where verifying the whole chain spends its time
(reading the bytes, SHA-256 over them, the verifying scan) and what checking and loading the
fold snapshot costs (SHA-256 of its body, unpickling it), for the "previous" daemon's snapshot.

Building the homes takes about two minutes on 2 cores (once per size, in a temporary folder,
not timed).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLUGIN = REPO / "tests" / "machine" / "plugin"
sys.path[:0] = [str(REPO), str(PLUGIN)]

from ledger import JsonlRecorder  # noqa: E402
from ledger.idset import EventIdSet  # noqa: E402

from machine.commands import BUILTIN_KINDS  # noqa: E402
from machine.events import validate_event  # noqa: E402
from machine.home import Home, init_home  # noqa: E402
from machine.registry import HandlerRegistry  # noqa: E402
from machine.runner import Runner  # noqa: E402
import machine.snapshots  # noqa: E402
from machine.snapshots import code_fingerprint, snapshot_path_for  # noqa: E402

from tests.machine.fakes import all_pass, make_handlers  # noqa: E402
from tests.machine.helpers import FakeClock, drop  # noqa: E402


#: The fingerprint of machine/ when the run began, for every process of the run: others editing
#: machine/ during a run must not make the build's fold snapshots stale for the measures.
_PINNED = "BENCH_CODE_FINGERPRINT"


def _pin_fingerprint() -> None:
    pinned = os.environ.setdefault(_PINNED, code_fingerprint())
    setattr(machine.snapshots, "code_fingerprint", lambda: pinned)


def _registry() -> HandlerRegistry:
    return HandlerRegistry(make_handlers(all_pass), use_process_registry=False,
                           use_entry_points=False)


def build(root: Path, events: int) -> None:
    """A home with at least ``events`` events of learning loops (batch durability: fast)."""
    home = Home(root)
    init_home(home)
    clock = FakeClock()
    recorder = JsonlRecorder(home.ledger, durability="batch", validator=validate_event)
    runner = Runner(recorder, home=home, registry=_registry(), clock=clock, sleep=clock.sleep,
                    isolation="inline")
    runner.ensure_policies()
    n = 0
    began = time.monotonic()
    while runner.state.last_seq + 1 < events:
        drop(home, f"loop{n:07d}.json", {"kind": "learning_loop", "scope": "full",
                                         "note": f"history {n}"})
        runner.run_until_idle()
        n += 1
        if n % 200 == 0:
            print(f"  built {runner.state.last_seq + 1} events ({time.monotonic() - began:.0f} s)",
                  file=sys.stderr, flush=True)
    runner.close()


def _deep_size(obj: object) -> int:
    """Bytes of ``obj`` and everything it reaches (shared objects once)."""
    seen: set[int] = set()
    stack = [obj]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif hasattr(item, "__dict__"):
            stack.append(vars(item))
        elif hasattr(item, "__slots__"):
            stack.extend(getattr(item, s) for s in item.__slots__ if hasattr(item, s))
    return total


VARIANTS = ("original", "previous", "after")
#: Above this many events the original variant is skipped (minutes of state copies).
ORIGINAL_UP_TO = 100_000


def _as_previous() -> None:
    """The whole chain verified at each open; every finished request and run kept."""
    import importlib

    import ledger.jsonl

    setattr(ledger.jsonl, "read_checkpoint", lambda *_args, **_kwargs: None)
    setattr(ledger.jsonl, "write_checkpoint", lambda *_args, **_kwargs: None)
    setattr(importlib.import_module("machine.fold"), "FINISHED_KEPT", sys.maxsize)


def _as_original() -> None:
    import copy

    import ledger.jsonl

    _as_previous()
    setattr(ledger.jsonl, "EventIdSet", set)
    import machine.runner

    setattr(machine.runner, "read_snapshot", lambda _ledger: None)  # no fold snapshots
    execute = Runner.execute

    def with_copy(self: Runner, command: object, **kwargs: object) -> object:
        if getattr(command, "kind", "") not in BUILTIN_KINDS:
            copy.deepcopy(self.state)  # the old trial fold's copy
        return execute(self, command, **kwargs)

    setattr(Runner, "execute", with_copy)


def _patch(variant: str) -> None:
    if variant == "original":
        _as_original()
    elif variant == "previous":
        _as_previous()


def prepare(root: str, variant: str) -> None:
    """Leave the home as that variant's daemon would have left it on its last close: the
    ``previous`` one's fold snapshot holds every request and run (the build's does not)."""
    _patch(variant)
    home = Home(Path(root))
    clock = FakeClock()
    Runner.open(home, registry=_registry(), clock=clock, sleep=clock.sleep,
                isolation="inline").close()


def costs(ledger: Path, snapshot: Path | None = None) -> None:
    """Print where a full open of ``ledger`` spends its time, and what its fold snapshot's
    check and load cost (``snapshot``, default: the one beside the ledger, if any)."""
    import hashlib
    import io

    from ledger.codec import ChainState, read_chunks
    from machine.snapshots import _SafeUnpickler

    began = time.perf_counter()
    data = ledger.read_bytes()
    read_s = time.perf_counter() - began
    began = time.perf_counter()
    hashlib.sha256(data).hexdigest()
    sha_s = time.perf_counter() - began
    del data
    began = time.perf_counter()
    scan = ChainState(str(ledger), ids=EventIdSet(), index=[])
    with open(ledger, "rb") as fh:
        for _records in read_chunks(fh, scan):
            pass
    verify_s = time.perf_counter() - began
    print(f"  {ledger.stat().st_size / 2**20:.1f} MB, {scan.next_seq} events: read {read_s:.3f} s, "
          f"SHA-256 {sha_s:.3f} s, verifying scan (ids and index built) {verify_s:.3f} s",
          flush=True)
    snapshot = snapshot if snapshot is not None else snapshot_path_for(ledger)
    if snapshot.exists():
        body = snapshot.read_bytes().partition(b"\n")[2]
        began = time.perf_counter()
        hashlib.sha256(body).hexdigest()
        sha_s = time.perf_counter() - began
        began = time.perf_counter()
        _SafeUnpickler(io.BytesIO(body)).load()
        load_s = time.perf_counter() - began
        print(f"  its fold snapshot, {len(body) / 2**20:.2f} MB: SHA-256 {1000 * sha_s:.0f} ms, "
              f"unpickling {1000 * load_s:.0f} ms", flush=True)


def measure(root: str, variant: str) -> None:
    """In this (fresh) process: open, run one more loop, print one row's figures."""
    _patch(variant)
    home = Home(Path(root))
    clock = FakeClock()
    logged: list[str] = []
    timings = []
    for attempt in range(2):  # the faster of two opens: the machine is shared
        t0 = time.perf_counter()
        runner = Runner.open(home, registry=_registry(), clock=clock, sleep=clock.sleep,
                             isolation="inline", log=logged.append)
        timings.append(time.perf_counter() - t0)
        if attempt == 0:
            runner.close()
    opened = min(timings)
    events = runner.state.last_seq + 1
    recorder = runner.recorder
    assert isinstance(recorder, JsonlRecorder)
    verified = home.ledger.stat().st_size - recorder.verified_from
    ids = getattr(recorder, "_state").ids
    # a digest array read from a checkpoint is a view of the file's bytes, which
    # sys.getsizeof does not count: its nbytes does
    id_bytes = (ids.nbytes + _deep_size(getattr(ids, "_recent"))
                if isinstance(ids, EventIdSet) else _deep_size(ids))
    state_bytes = _deep_size(runner.state)
    snapshot = snapshot_path_for(home.ledger)
    snapshot_bytes = snapshot.stat().st_size if snapshot.exists() else 0
    every = []
    for n, traced in enumerate((False, True)):
        # timed first; then a second loop under tracemalloc (which slows allocation) for the
        # peak memory a command allocates
        drop(home, f"measured{n}.json", {"kind": "learning_loop", "scope": "full"})
        runner.intake()
        if traced:
            tracemalloc.start()
        while (command := runner.next_command()) is not None:
            t = time.perf_counter()
            runner.execute(command)
            if not traced:
                every.append(time.perf_counter() - t)
    _cur, peak_alloc = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    runner.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{variant:<8} {events:>8} {opened:>7.2f} {verified / 2**20:>8.1f} {rss:>7.0f} "
          f"{id_bytes / 2**20:>7.1f} {state_bytes / 2**20:>8.2f} {snapshot_bytes / 2**20:>7.2f} "
          f"{1000 * sum(every) / len(every):>7.2f} {peak_alloc / 2**20:>7.2f}", flush=True)
    for line in logged:
        if "not used" in line or "ignored" in line:
            # a cache the variant should have used was not (the code changed under the run?)
            print(f"         note: {line}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,300000",
                        help="ledger sizes in events, comma-separated")
    parser.add_argument("--measure", metavar="HOME", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", metavar="HOME", help=argparse.SUPPRESS)
    parser.add_argument("--variant", default="after", help=argparse.SUPPRESS)
    parser.add_argument("--costs", metavar="LEDGER", type=Path,
                        help="only print where a full open of LEDGER spends its time")
    args = parser.parse_args()
    _pin_fingerprint()
    if args.costs:
        costs(args.costs)
        return
    if args.measure:
        measure(args.measure, args.variant)
        return
    if args.prepare:
        prepare(args.prepare, args.variant)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'variant':<8} {'events':>8} {'open s':>7} {'read MB':>8} {'RSS MB':>7} "
          f"{'ids MB':>7} {'state MB':>8} {'snap MB':>7} {'ms/cmd':>7} {'cmd MB':>7}", flush=True)
    env = {**os.environ, "WATCHER_DISABLE_HANDLERS": "*"}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root = Path(tmp) / f"home{size}"
            build(root, size)
            for variant in VARIANTS:
                if variant == "original" and size > ORIGINAL_UP_TO:
                    print(f"{variant:<8} {size:>8}  (skipped: a deep copy of the whole state "
                          "per command takes minutes at this size)", flush=True)
                    continue
                if variant == "after":
                    # the build's own home, last: a copied ledger is another file, whose
                    # checkpoint (written for the original's inode) is not used
                    subprocess.run([sys.executable, __file__, "--measure", str(root),
                                    "--variant", variant], check=True, env=env)
                    continue
                # each measure appends one loop: measure a copy, so all start equal
                copy_root = Path(tmp) / f"{variant}{size}"
                shutil.copytree(root, copy_root)
                snapshot_path_for(Home(copy_root).ledger).unlink(missing_ok=True)
                subprocess.run([sys.executable, __file__, "--prepare", str(copy_root),
                                "--variant", variant], check=True, env=env)
                subprocess.run([sys.executable, __file__, "--measure", str(copy_root),
                                "--variant", variant], check=True, env=env)
                if variant == "previous":
                    costs(Home(copy_root).ledger)
                shutil.rmtree(copy_root)
    print("(open s: the writer's open and the fold; read MB: the ledger bytes the open "
          "verified; RSS: peak of the measuring process; ids/state: the writer's id set and "
          "the folded state; snap MB: the fold snapshot beside the ledger; ms/cmd: mean over "
          "one full learning loop's commands (inline handlers); cmd MB: peak Python "
          "allocation while running them)")


if __name__ == "__main__":
    main()
