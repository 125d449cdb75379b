"""`watcher identify` on sequences made by the real runtimes, seeded the way programs seed them.

Each kind is a small program (Java, C with glibc, C++ with libstdc++, CPython, numpy, PHP,
Ruby), compiled and run here at benchmark time: seeds come from the clock at that moment, from
`std::random_device`, or are numbers typed into the program, never chosen to suit the search.
The program prints N + 10 draws; identify sees the first N (as a JSON Lines file with the time
of observation where the kind says so, else a bare array) and must predict the last 10.

    python benchmarks/identify_bench.py                       # every kind, default budget
    python benchmarks/identify_bench.py --kinds mt19937_full32 --budget 600
    python benchmarks/identify_bench.py --list
    git archive <commit> | tar -x -C /tmp/base   # then, the same draws through both versions:
    python benchmarks/identify_bench.py --kinds mt19937_deep_default --baseline /tmp/base

Columns: time to identification (the whole `watcher identify` process, planning and compiles
included), the share of the plan's prior probability covered when it stopped, the budget, and
whether the 10 held-out draws were predicted. The machine's load average is printed beside the
table: the CPU may be shared. With ``--baseline DIR`` (an earlier tree of this repository) each
draw file is identified by that tree first (its own copy of the cost cache; seed times from
"now" are then a little older for this tree's run, never the other way), and the row ends with
its verdict and time.

The ``*_deep*`` kinds are small seeds observed deep into the stream: the default
``std::mt19937`` ten outputs from the ninth hundred and from its 10,000th (the C++ standard's
check), ``random.seed(42)`` after 400 calls, ``new Random(7)`` after 300 ``nextInt(100)``,
``srand(7)`` after 2,000 ``rand()``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

HELD_OUT = 10

JAVA = r"""
import java.util.Random;
public class Draws {
    public static void main(String[] args) {
        String kind = args[0];
        int n = Integer.parseInt(args[1]);
        Random random = new Random(System.currentTimeMillis() / 1000);  // Unix seconds
        for (int i = 0; i < n; i++) {
            if (kind.equals("nextint1000")) System.out.println(random.nextInt(1000));
            else if (kind.equals("raw")) System.out.println(Integer.toUnsignedString(random.nextInt()));
            else if (kind.equals("digits3"))
                System.out.println(100 * random.nextInt(10) + 10 * random.nextInt(10) + random.nextInt(10));
        }
        if (kind.equals("deep")) {  // a typed seed, the first draws used elsewhere
            Random small = new Random(7);
            for (int i = 0; i < 300; i++) small.nextInt(100);
            for (int i = 0; i < n; i++) System.out.println(small.nextInt(100));
        }
    }
}
"""

C = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
    const char *kind = argv[1];
    int n = atoi(argv[2]);
    if (!strcmp(kind, "time_mod")) {
        srand(time(NULL));
        for (int i = 0; i < n; i++) printf("%d\n", rand() % 1000);
    } else if (!strcmp(kind, "typed_mod")) {
        srand(123456);
        for (int i = 0; i < n; i++) printf("%d\n", rand() % 1000);
    } else if (!strcmp(kind, "raw")) {
        srand(time(NULL));
        for (int i = 0; i < n; i++) printf("%d\n", rand());
    } else if (!strcmp(kind, "deep_raw")) {
        srand(7);
        for (int i = 0; i < 2000; i++) rand();
        for (int i = 0; i < n; i++) printf("%d\n", rand());
    } else if (!strcmp(kind, "xorshift32_late")) {
        uint32_t x = (uint32_t)time(NULL);  /* Marsaglia's xorshift32, seeded from the clock */
        for (int i = 0; i < 5000 + n; i++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            if (i >= 5000) printf("%u\n", x % 1000);
        }
    }
    return 0;
}
"""

CPP = r"""
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

int main(int argc, char **argv) {
    std::string kind = argv[1];
    int n = std::atoi(argv[2]);
    if (kind == "full32") {
        std::random_device device;
        std::mt19937 engine(device());
        for (int i = 0; i < n; i++) std::cout << engine() % 1000 << "\n";
    } else if (kind == "deep_default") {
        std::mt19937 engine;  // default seed, 850 outputs used before the printed ones
        engine.discard(850);
        for (int i = 0; i < n; i++) std::cout << engine() << "\n";
    } else if (kind == "deep_10000th") {
        std::mt19937 engine;  // the standard's check: the 10000th output is 4123659995
        engine.discard(9999);
        for (int i = 0; i < n; i++) std::cout << engine() << "\n";
    } else if (kind == "discard_before") {
        std::mt19937 engine;  // default seed
        for (int i = 0; i < n; i++) { engine(); std::cout << engine() % 1000 << "\n"; }
    }
    return 0;
}
"""

PYTHON = r"""
import random, sys, time
kind, n = sys.argv[1], int(sys.argv[2])
if kind == "typed":
    random.seed(8675309)
    for _ in range(n): print(random.randint(0, 999))
elif kind == "deep":
    random.seed(42)
    for _ in range(400): random.randint(0, 999)
    for _ in range(n): print(random.randint(0, 999))
elif kind == "digits3":
    random.seed(int(time.time()))
    for _ in range(n):
        print(100 * random.randint(0, 9) + 10 * random.randint(0, 9) + random.randint(0, 9))
"""

NUMPY = r"""
import sys, time
import numpy as np
n = int(sys.argv[2])
np.random.seed(int(time.time()))
for value in np.random.randint(0, 1000, n): print(int(value))
"""

PHP = r"""<?php
$n = intval($argv[2]);
mt_srand(time());
for ($i = 0; $i < $n; $i++) echo mt_rand(), "\n";
"""

RUBY = r"""
n = ARGV[1].to_i
random = Random.new(1234567)
n.times { puts random.rand(1000) }
"""


@dataclass(frozen=True)
class Kind:
    name: str
    runtime: str  # java, c, cpp, python, numpy, php, ruby
    argument: str
    draws: int
    timestamped: bool
    description: str
    budget: float | None = None  # None: the run's --budget


KINDS = [
    Kind("java_unix_nextint", "java", "nextint1000", 30, True,
         "new Random(currentTimeMillis()/1000).nextInt(1000)"),
    Kind("glibc_time_mod", "c", "time_mod", 30, False, "srand(time(NULL)); rand() % 1000"),
    Kind("python_typed_seed", "python", "typed", 30, True,
         "random.seed(8675309); randint(0, 999)"),
    Kind("glibc_typed_seed", "c", "typed_mod", 30, False, "srand(123456); rand() % 1000"),
    Kind("mt19937_full32", "cpp", "full32", 30, False,
         "std::mt19937(random_device{}()); engine() % 1000", budget=600),
    Kind("mt19937_discard_before", "cpp", "discard_before", 30, False,
         "std::mt19937 (default seed); engine(); engine() % 1000"),
    Kind("python_digits3", "python", "digits3", 30, True,
         "random.seed(int(time.time())); three randint(0, 9)"),
    Kind("java_digits3", "java", "digits3", 30, False,
         "new Random(seconds); three nextInt(10)"),
    Kind("glibc_raw_rand", "c", "raw", 12, True, "srand(time(NULL)); rand()"),
    Kind("php_raw_mt_rand", "php", "", 12, True, "mt_srand(time()); mt_rand()"),
    Kind("java_raw_nextint", "java", "raw", 12, False,
         "new Random(seconds).nextInt(), printed unsigned"),
    Kind("xorshift32_late", "c", "xorshift32_late", 30, True,
         "xorshift32 seeded with time(NULL), 5000 outputs before the first draw"),
    Kind("numpy_time_seed", "numpy", "", 30, False,
         "np.random.seed(int(time.time())); randint(0, 1000)"),
    Kind("ruby_typed_seed", "ruby", "", 30, True, "Random.new(1234567).rand(1000)"),
    Kind("mt19937_deep_default", "cpp", "deep_default", 10, False,
         "std::mt19937 (default seed); discard(850); engine()"),
    Kind("mt19937_deep_10000th", "cpp", "deep_10000th", 10, False,
         "std::mt19937 (default seed); discard(9999); engine()"),
    Kind("python_deep", "python", "deep", 20, False,
         "random.seed(42); 400 randint(0, 999) used; randint(0, 999)"),
    Kind("java_deep", "java", "deep", 20, False, "new Random(7); 300 nextInt(100) used; nextInt(100)"),
    Kind("glibc_deep_raw", "c", "deep_raw", 10, False, "srand(7); 2000 rand() used; rand()"),
    Kind("null_urandom", "urandom", "", 30, True,
         "os.urandom: no generator made these; the verdict must say so"),
]


def _build(runtime: str, work: Path) -> list[str]:
    """The command that runs a kind's program (compiled here first where needed)."""
    if runtime == "java":
        (work / "Draws.java").write_text(JAVA)
        subprocess.run(["javac", "Draws.java"], cwd=work, check=True)
        return ["java", "-cp", str(work), "Draws"]
    if runtime == "c":
        (work / "draws.c").write_text(C)
        subprocess.run(["gcc", "-O2", "-o", "draws_c", "draws.c"], cwd=work, check=True)
        return [str(work / "draws_c")]
    if runtime == "cpp":
        (work / "draws.cpp").write_text(CPP)
        subprocess.run(["g++", "-O2", "-o", "draws_cpp", "draws.cpp"], cwd=work, check=True)
        return [str(work / "draws_cpp")]
    if runtime in ("python", "numpy"):
        script = work / f"draws_{runtime}.py"
        script.write_text(PYTHON if runtime == "python" else NUMPY)
        return [sys.executable, str(script)]
    if runtime == "php":
        (work / "draws.php").write_text(PHP)
        return ["php", str(work / "draws.php")]
    if runtime == "ruby":
        (work / "draws.rb").write_text(RUBY)
        return ["ruby", str(work / "draws.rb")]
    if runtime == "urandom":
        script = work / "draws_urandom.py"
        script.write_text("import os, sys\nfor _ in range(int(sys.argv[2])): "
                          "print(int.from_bytes(os.urandom(4), 'little') % 1000)\n")
        return [sys.executable, str(script)]
    raise ValueError(runtime)


def _tool_for(runtime: str) -> str:
    return {"java": "javac", "c": "gcc", "cpp": "g++", "python": sys.executable,
            "numpy": sys.executable, "php": "php", "ruby": "ruby",
            "urandom": sys.executable}[runtime]


def _make_draws(kind: Kind, command: list[str], work: Path) -> tuple[Path, list[int]]:
    """Run the program; write the first draws to a draw file, return the held-out ones."""
    output = subprocess.run(command + [kind.argument or "-", str(kind.draws + HELD_OUT)],
                            check=True, capture_output=True, text=True).stdout
    observed_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    values = [int(line) for line in output.split()]
    shown, held = values[:kind.draws], values[kind.draws:]
    path = work / f"{kind.name}.{'jsonl' if kind.timestamped else 'json'}"
    if kind.timestamped:
        path.write_text("".join(json.dumps({"ts": observed_at, "draw": v}) + "\n" for v in shown))
    else:
        path.write_text(json.dumps(shown) + "\n")
    return path, held


def _identify(path: Path, budget: float, backend: str,
              env: dict[str, str] | None = None) -> tuple[dict, float]:
    began = time.monotonic()
    completed = subprocess.run(
        ["watcher", "identify", "--draws", str(path), "--budget", str(budget), "--json",
         "--predict", str(HELD_OUT), "--backend", backend, "--state", str(path) + ".state"],
        capture_output=True, text=True, env=env)
    elapsed = time.monotonic() - began
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1:]}, elapsed
    return json.loads(completed.stdout), elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", help="comma-separated kind names (default: all)")
    parser.add_argument("--budget", type=float, default=180.0,
                        help="identify's budget for kinds without their own (default 180)")
    parser.add_argument("--all-budget", type=float,
                        help="one budget for every kind, overriding their own (e.g. 600)")
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--list", action="store_true", help="list the kinds and exit")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="an earlier tree of this repository: identify each draw file with "
                             "it too (first), for a before/after column")
    args = parser.parse_args()
    kinds = KINDS
    if args.kinds:
        wanted = set(args.kinds.split(","))
        unknown = wanted - {k.name for k in KINDS}
        if unknown:
            parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
        kinds = [k for k in KINDS if k.name in wanted]
    if args.list:
        for kind in KINDS:
            print(f"{kind.name:24} {kind.runtime:6} {kind.description}")
        return 0
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)")
    header: tuple[str, ...] = ("kind", "runtime", "draws", "budget s", "identified", "next 10",
                               "time s", "plan covered", "found as", "load")
    if args.baseline:
        header += ("baseline",)
    rows = [header]
    with tempfile.TemporaryDirectory(prefix="identify-bench-") as tmp:
        work = Path(tmp)
        baseline_env = None
        if args.baseline:
            # the earlier tree's modules first, and its own cost cache (costs differ by version)
            baseline_env = dict(os.environ, PYTHONPATH=str(args.baseline.resolve()),
                                WATCHER_CACHE_DIR=str(work / "baseline-cache"))
            costs = Path(os.environ.get("WATCHER_CACHE_DIR") or os.path.join(
                os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                "prng-watcher")) / "seed-costs.json"
            (work / "baseline-cache").mkdir()
            if costs.exists():
                shutil.copy(costs, work / "baseline-cache" / "seed-costs.json")
        commands: dict[str, list[str] | None] = {}
        for kind in kinds:
            if kind.runtime not in commands:
                if shutil.which(_tool_for(kind.runtime)) is None:
                    commands[kind.runtime] = None
                else:
                    commands[kind.runtime] = _build(kind.runtime, work)
            command = commands[kind.runtime]
            budget = args.all_budget or kind.budget or args.budget
            if command is None:
                rows.append((kind.name, kind.runtime, "-", f"{budget:.0f}", "runtime missing",
                             "-", "-", "-", "-", "-") + (("-",) if args.baseline else ()))
                continue
            path, held = _make_draws(kind, command, work)
            before = ""
            if baseline_env is not None:
                old, old_elapsed = _identify(path, budget, args.backend, baseline_env)
                Path(str(path) + ".state").unlink(missing_ok=True)
                before = ("error" if "error" in old else
                          f"{'yes' if old['identified'] else 'no'} {old_elapsed:.1f} s")
            payload, elapsed = _identify(path, budget, args.backend)
            load = f"{os.getloadavg()[0]:.1f}"
            if "error" in payload:
                rows.append((kind.name, kind.runtime, str(kind.draws), f"{budget:.0f}",
                             "error: " + " ".join(payload["error"]), "-", f"{elapsed:.1f}", "-",
                             "-", load))
            else:
                best = payload["best"][0] if payload["best"] else None
                found = "-"
                if payload["identified"] and best:
                    h = best["hypothesis"]
                    found = f"{'='.join([h['generator'], *best['equivalent']])} seed={h['seed']} " \
                            f"{h['reduction']} o{h['offset']} s{h['skip']['then']}"
                elif payload["identified"]:  # by the state tier, whatever the seed
                    state = payload["state_tier"]["best"]
                    found = (f"{state['generator']} {state['reduction']} (state) seed="
                             f"{state['seed']} o{state['position']}")
                covered = payload.get("covered_prior")
                if kind.runtime == "urandom":
                    verdict = "no (right)" if not payload["identified"] else "YES (false)"
                else:
                    verdict = "yes" if payload["identified"] else "no"
                rows.append((kind.name, kind.runtime, str(kind.draws), f"{budget:.0f}", verdict,
                             "ok" if payload.get("next") == held else "WRONG" if payload.get("next")
                             else "-", f"{elapsed:.1f}",
                             "state tier" if covered is None else f"{covered:.1%}", found,
                             load))
            if args.baseline:
                rows[-1] = (*rows[-1], before)
            print("  ".join(rows[-1]), flush=True)
    print()
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
