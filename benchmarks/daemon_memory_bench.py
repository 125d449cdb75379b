"""The daemon as its ledger grows: memory and time per command at 10k and 100k events.

Builds a home whose ledger holds about N events of real machine history (learning loops run
with fast fake handlers, the test plugin's), then, in a fresh process per size and variant:
opens the runner (the writer's verifying scan, id set and fold), runs one more learning loop,
and prints the peak RSS, the open time, the time per command of that loop and the memory the
writer's id set and the folded state take. Variant ``before`` puts back what the daemon did
before (a set of id strings; a deep copy of the state per handler command; no fold snapshot),
``after`` is the code as it is (the build leaves a fold snapshot, as a daemon closing does).

    python benchmarks/daemon_memory_bench.py [--sizes 10000,100000]

Building 100k events takes a few minutes on 2 cores (done once per size, in a temporary
folder, not timed).
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

from machine.commands import BUILTIN_KINDS  # noqa: E402
from machine.events import validate_event  # noqa: E402
from machine.home import Home, init_home  # noqa: E402
from machine.registry import HandlerRegistry  # noqa: E402
from machine.runner import Runner  # noqa: E402

from tests.machine.fakes import all_pass, make_handlers  # noqa: E402
from tests.machine.helpers import FakeClock, drop  # noqa: E402


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


def _as_before() -> None:
    import copy

    import ledger.jsonl

    setattr(ledger.jsonl, "EventIdSet", set)
    import machine.runner

    setattr(machine.runner, "read_snapshot", lambda _ledger: None)  # no fold snapshots
    execute = Runner.execute

    def with_copy(self: Runner, command: object, **kwargs: object) -> object:
        if getattr(command, "kind", "") not in BUILTIN_KINDS:
            copy.deepcopy(self.state)  # the old trial fold's copy
        return execute(self, command, **kwargs)

    setattr(Runner, "execute", with_copy)


def measure(root: str, variant: str) -> None:
    """In this (fresh) process: open, run one more loop, print one row's figures."""
    if variant == "before":
        _as_before()
    home = Home(Path(root))
    clock = FakeClock()
    t0 = time.perf_counter()
    runner = Runner.open(home, registry=_registry(), clock=clock, sleep=clock.sleep,
                         isolation="inline")
    opened = time.perf_counter() - t0
    events = runner.state.last_seq + 1
    ids = getattr(runner.recorder, "_state").ids
    id_bytes = _deep_size(ids)
    state_bytes = _deep_size(runner.state)
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
    print(f"{variant:<7} {events:>8} {opened:>8.2f} {rss:>8.0f} {id_bytes / 2**20:>8.1f} "
          f"{state_bytes / 2**20:>8.1f} {1000 * sum(every) / len(every):>8.2f} "
          f"{peak_alloc / 2**20:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--measure", metavar="HOME", help=argparse.SUPPRESS)
    parser.add_argument("--variant", default="after", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.variant)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'variant':<7} {'events':>8} {'open s':>8} {'RSS MB':>8} {'ids MB':>8} {'state MB':>8} "
          f"{'ms/cmd':>8} {'cmd MB':>9}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root = Path(tmp) / f"home{size}"
            build(root, size)
            for variant in ("before", "after"):
                # each measure appends one loop: measure a copy, so both start equal
                copy_root = Path(tmp) / f"{variant}{size}"
                shutil.copytree(root, copy_root)
                subprocess.run([sys.executable, __file__, "--measure", str(copy_root),
                                "--variant", variant], check=True,
                               env={**os.environ, "WATCHER_DISABLE_HANDLERS": "*"})
                shutil.rmtree(copy_root)
    print("(open: the writer's scan, id set and fold; RSS: peak of the measuring process; "
          "ids/state: the writer's id set and the folded state; ms/cmd: mean over one full "
          "learning loop's commands (inline handlers); cmd MB: peak Python allocation while "
          "running them)")


if __name__ == "__main__":
    main()
