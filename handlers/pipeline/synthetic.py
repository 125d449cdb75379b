"""Synthetic draw histories for tests, the benchmark and trying ``watcher backtest``.

A *planted* history is what a program seeded with the clock would publish: the generator is
seeded with the Unix time a few seconds before the first draw, each draw is one reduction of
its outputs, and a few draws are then corrupted (transcription errors). A *random* history
is SHA-256 of a counter, reproducible and made by no generator of the catalog (Python's own
``random.Random`` would not do: it is the catalog's ``cpython_random``, and a small seed of it
is exactly what the sieve finds).
Both are JSON Lines records ``{"ts": ..., "draw": ...}``, one draw per ``every_s`` seconds.

A *reseeded stream* is what a server publishes that reseeds its generator with the clock now
and then: random draws, then segments each made by a real runtime (:data:`RESEED_PROGRAMS`:
glibc's ``srand(time)`` then ``rand() % 1000``, ``new java.util.Random(millis)``'s
``nextInt(1000)``, ``std::mt19937(time)() % 1000``), compiled and run here with the seed the
clock would have given at the reseed, a few seconds before the segment's first draw.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from kernels.observation import Hypothesis, predict

__all__ = ["START", "planted_history", "random_history", "as_jsonl", "RESEED_PROGRAMS",
           "Reseed", "RuntimeMissing", "runtime_draws", "reseeded_stream"]

#: The time of the first draw of every synthetic history.
START = datetime(2026, 11, 24, 16, 0, 0, tzinfo=timezone.utc)


def _stamp(index: int, every_s: int) -> str:
    return (START + timedelta(seconds=index * every_s)).strftime("%Y-%m-%dT%H:%M:%SZ")


def planted_history(n: int, *, generator: str = "mt19937", reduction: str = "mod:1000",
                    seeded_before_s: int = 37, corrupt: int = 3, every_s: int = 60,
                    rng_seed: int = 7) -> tuple[list[dict[str, Any]], Hypothesis, list[int]]:
    """``n`` timed records from ``generator`` seeded ``seeded_before_s`` seconds before the
    first draw, with ``corrupt`` draws replaced by other values (never in the first 12 or
    the last draw). Returns the records, the hypothesis and the clean draws plus the next one."""
    seed = int(START.timestamp()) - seeded_before_s
    hypothesis = Hypothesis(generator=generator, seed=seed, reduction=reduction)
    clean = predict(hypothesis, n + 1)
    alphabet = max(clean) + 1
    draws = list(clean[:n])
    rng = random.Random(rng_seed)
    for index in rng.sample(range(12, n - 1), min(corrupt, max(n - 13, 0))):
        draws[index] = (draws[index] + rng.randrange(1, alphabet)) % alphabet
    records = [{"ts": _stamp(i, every_s), "draw": d} for i, d in enumerate(draws)]
    return records, hypothesis, clean


def random_history(n: int, *, alphabet: int = 1000, every_s: int = 60,
                   rng_seed: int = 11) -> list[dict[str, Any]]:
    """``n`` timed records of uniform draws below ``alphabet`` (a 256-bit digest modulo the
    alphabet: the bias is below 2**-240)."""
    def draw(index: int) -> int:
        digest = hashlib.sha256(f"random-history/{rng_seed}/{index}".encode()).digest()
        return int.from_bytes(digest, "big") % alphabet

    return [{"ts": _stamp(i, every_s), "draw": draw(i)} for i in range(n)]


def as_jsonl(records: list[dict[str, Any]]) -> str:
    """JSON Lines text of ``records``."""
    import json

    return "".join(json.dumps(r) + "\n" for r in records)


#: The reseeding programs, by name: the tools they need, the source, how to build and run it,
#: and whether the clock seed is in milliseconds. Each prints ``n`` draws of ``seed``.
RESEED_PROGRAMS: dict[str, dict[str, Any]] = {
    "glibc_srand_time": {
        "tools": ("gcc",), "millis": False, "file": "draws.c",
        "source": "#include <stdio.h>\n#include <stdlib.h>\n"
                  "int main(int c, char **v) { unsigned s = (unsigned) strtoul(v[1], 0, 10);"
                  " int n = atoi(v[2]); srand(s);"
                  " for (int i = 0; i < n; i++) printf(\"%d\\n\", rand() % 1000); return 0; }\n",
        "build": [["gcc", "-O1", "-o", "draws", "draws.c"]], "run": ["./draws"],
    },
    "java_random_millis": {
        "tools": ("javac", "java"), "millis": True, "file": "Draws.java",
        "source": "import java.util.Random;\npublic class Draws { public static void main(String[] a)"
                  " { Random r = new Random(Long.parseLong(a[0])); int n = Integer.parseInt(a[1]);"
                  " for (int i = 0; i < n; i++) System.out.println(r.nextInt(1000)); } }\n",
        "build": [["javac", "Draws.java"]], "run": ["java", "-cp", ".", "Draws"],
    },
    "mt19937_time": {
        "tools": ("g++",), "millis": False, "file": "draws.cpp",
        "source": "#include <cstdio>\n#include <cstdlib>\n#include <random>\n"
                  "int main(int c, char **v) { std::mt19937 g((unsigned) std::strtoul(v[1], 0, 10));"
                  " int n = std::atoi(v[2]);"
                  " for (int i = 0; i < n; i++) std::printf(\"%u\\n\", g() % 1000u); return 0; }\n",
        "build": [["g++", "-O1", "-o", "draws", "draws.cpp"]], "run": ["./draws"],
    },
}


class RuntimeMissing(RuntimeError):
    """A reseeding program's compiler or runtime is not installed."""


def runtime_draws(program: str, seed: int, n: int) -> list[int]:
    """``n`` draws of the real runtime's generator seeded with ``seed`` (``RuntimeMissing``
    when its tools are not installed)."""
    spec = RESEED_PROGRAMS[program]
    missing = [tool for tool in spec["tools"] if shutil.which(tool) is None]
    if missing:
        raise RuntimeMissing(f"{program} needs {', '.join(missing)}, not installed")
    with tempfile.TemporaryDirectory(prefix="reseed-") as folder:
        with open(f"{folder}/{spec['file']}", "w", encoding="utf-8") as fh:
            fh.write(spec["source"])
        for command in spec["build"]:
            subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=300)
        done = subprocess.run([*spec["run"], str(seed), str(n)], cwd=folder, check=True,
                              capture_output=True, text=True, timeout=300)
    return [int(line) for line in done.stdout.split()]


@dataclass(frozen=True)
class Reseed:
    """One segment of a reseeded stream: its program, first position and seed."""

    program: str
    position: int
    seed: int


def reseeded_stream(random_draws: int, segments: list[tuple[str, int]], *, every_s: int = 60,
                    seeded_before_ms: int = 4_321,
                    rng_seed: int = 11) -> tuple[list[dict[str, Any]], list[Reseed]]:
    """``random_draws`` random records, then one segment per ``(program, draws)``, each made
    by the real runtime seeded with the clock ``seeded_before_ms`` before its first draw
    (Unix seconds, or milliseconds for a millisecond program). ``RuntimeMissing`` when a
    program cannot run here."""
    records = random_history(random_draws, every_s=every_s, rng_seed=rng_seed)
    reseeds = []
    for program, count in segments:
        position = len(records)
        moment_ms = int((START + timedelta(seconds=position * every_s)).timestamp() * 1000)
        moment_ms -= seeded_before_ms
        seed = moment_ms if RESEED_PROGRAMS[program]["millis"] else moment_ms // 1000
        draws = runtime_draws(program, seed, count)
        records += [{"ts": _stamp(position + i, every_s), "draw": d} for i, d in enumerate(draws)]
        reseeds.append(Reseed(program=program, position=position, seed=seed))
    return records, reseeds
