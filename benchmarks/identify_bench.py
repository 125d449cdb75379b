"""`watcher identify` on sequences made by the real runtimes, seeded the way programs seed them.

Each kind is a small program (Java, C with glibc, C++ with libstdc++, CPython, numpy, PHP,
Ruby), compiled and run here at benchmark time: seeds come from the clock at that moment, from
`std::random_device`, or are numbers typed into the program, never chosen to suit the search.
The program prints N + 10 draws; identify sees the first N (as a JSON Lines file with the time
of observation where the kind says so, else a bare array) and must predict the last 10.

    python benchmarks/identify_bench.py                       # every kind, default budget
    python benchmarks/identify_bench.py --kinds mt19937_full32 --budget 600
    python benchmarks/identify_bench.py --list

Columns: time to identification (the whole `watcher identify` process, planning and compiles
included), the share of the plan's prior probability covered when it stopped, the budget, and
whether the 10 held-out draws were predicted. The machine's load average is printed beside the
table: the CPU may be shared.
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


def _identify(path: Path, budget: float, backend: str) -> tuple[dict, float]:
    began = time.monotonic()
    completed = subprocess.run(
        ["watcher", "identify", "--draws", str(path), "--budget", str(budget), "--json",
         "--predict", str(HELD_OUT), "--backend", backend, "--state", str(path) + ".state"],
        capture_output=True, text=True)
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
    header = ("kind", "runtime", "draws", "budget s", "identified", "next 10", "time s",
              "plan covered", "found as", "load")
    rows = [header]
    with tempfile.TemporaryDirectory(prefix="identify-bench-") as tmp:
        work = Path(tmp)
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
                             "-", "-", "-", "-", "-"))
                continue
            path, held = _make_draws(kind, command, work)
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
            print("  ".join(rows[-1]), flush=True)
    print()
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
