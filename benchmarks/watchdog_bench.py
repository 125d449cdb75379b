"""What the handlers' watchdog costs: the same learning loops (fast fake handlers) run with
handlers inline (the daemon's own process, no timeout) and in the worker process, forked
(the daemon's way) or a fresh interpreter (a process that has loaded OpenMP libraries).

    python benchmarks/watchdog_bench.py [--loops 5]

Prints seconds per external command for each mode, the difference (the watchdog's cost per
command), and the one-off cost of starting the worker.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "machine" / "plugin")]
os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "tests" / "machine" / "plugin")])
os.environ["WATCHER_DISABLE_HANDLERS"] = "handlers.*"

from machine.commands import BUILTIN_KINDS  # noqa: E402
from machine.home import Home, init_home  # noqa: E402
from machine.registry import HandlerRegistry  # noqa: E402
from machine.runner import Runner  # noqa: E402

from tests.machine.fakes import all_pass, make_handlers  # noqa: E402
from tests.machine.helpers import FakeClock, drop  # noqa: E402


def run(root: Path, mode: str, loops: int) -> tuple[float, int, float]:
    """(seconds, external commands, seconds to the first external command's answer)."""
    home = Home(root)
    init_home(home)
    if mode == "fresh":
        registry = HandlerRegistry()  # the installed (test plugin) handlers
    else:
        registry = HandlerRegistry(make_handlers(all_pass), use_process_registry=False,
                                   use_entry_points=False)
    clock = FakeClock()
    isolation = "inline" if mode == "inline" else "process"
    with Runner.open(home, registry=registry, clock=clock, sleep=clock.sleep,
                     isolation=isolation) as runner:
        if mode == "fresh":
            # what a process that loaded torch gets (machine.watchdog.fork_is_safe)
            sys.modules.setdefault("torch", type(sys)("torch"))
        external = 0
        first = 0.0
        began = time.perf_counter()
        for n in range(loops):
            drop(home, f"loop{n}.json", {"kind": "learning_loop", "scope": "full"})
            runner.intake()
            while (command := runner.next_command()) is not None:
                t0 = time.perf_counter()
                runner.execute(command)
                if command.kind not in BUILTIN_KINDS:
                    external += 1
                    if external == 1:
                        first = time.perf_counter() - t0
        took = time.perf_counter() - began
        if mode == "fresh":
            del sys.modules["torch"]
    return took, external, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("inline", "fork", "fresh"):
            took, external, first = run(Path(tmp) / mode, mode, args.loops)
            rows.append((mode, took, external, first))
    base = rows[0][1] / rows[0][2]
    print(f"{'mode':<8} {'commands':>8} {'s total':>8} {'ms/cmd':>8} {'+ms/cmd':>8} "
          f"{'1st cmd ms':>10}")
    for mode, took, external, first in rows:
        per = took / external
        print(f"{mode:<8} {external:>8} {took:>8.2f} {per * 1000:>8.2f} "
              f"{(per - base) * 1000:>8.2f} {first * 1000:>10.1f}")
    print("(ms/cmd: all of a loop's time per external command, built-ins and appends included; "
          "+ms/cmd: against inline; 1st cmd: the worker's start included)")


if __name__ == "__main__":
    main()
