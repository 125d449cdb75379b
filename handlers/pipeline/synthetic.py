"""Synthetic draw histories for tests, the benchmark and trying ``watcher backtest``.

A *planted* history is what a program seeded with the clock would publish: the generator is
seeded with the Unix time a few seconds before the first draw, each draw is one reduction of
its outputs, and a few draws are then corrupted (transcription errors). A *random* history
is SHA-256 of a counter, reproducible and made by no generator of the catalog (Python's own
``random.Random`` would not do: it is the catalog's ``cpython_random``, and a small seed of it
is exactly what the sieve finds).
Both are JSON Lines records ``{"ts": ..., "draw": ...}``, one draw per ``every_s`` seconds.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from kernels.observation import Hypothesis, predict

__all__ = ["START", "planted_history", "random_history", "as_jsonl"]

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
