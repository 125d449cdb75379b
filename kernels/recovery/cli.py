"""`watcher recover`: recover a generator's state from draws of any shape, predict, name the seed.

Without ``--generator``/``--reduction`` the shape of the draws picks the hypotheses: doubles in
[0, 1) try each runtime's double, negative integers the signed 32-bit word, integers below
``2**31``/``2**32`` the raw words, smaller ranges the bounded reductions with the range rounded up
to a power of ten or two. Every hypothesis tried counts in the corrected p-value.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import orjson

from kernels.recovery import (IDENTIFIED, TOO_SHORT, Recovery, minimum_draws, recover,
                              recover_any, recoverable_generators)
from kernels.recovery.result import DEFAULT_ALPHA

__all__ = ["register_recover", "read_numbers", "default_hypotheses"]

#: hypotheses for doubles: (generator, reduction) per runtime double construction
_FLOAT_HYPOTHESES = [("cpython_random", "res53"), ("java_random", "java_double"),
                     ("v8_math_random", "v8_double"), ("tinymt32", "u32_double"),
                     ("well512a", "u32_double"), ("taus88", "u32_double"), ("lfsr113", "u32_double")]
#: raw-word hypotheses for 32-bit outputs (the MT19937 family once: the members share the core)
_WORD_GENERATORS = ["mt19937", "java_random", "xorshift32", "xorshift128", "xorwow", "tinymt32",
                    "well512a", "taus88", "lfsr113"]


def read_numbers(path: str) -> list[int | float]:
    """Draws as numbers: a JSON array (of numbers or records with a ``draw`` field), an object
    with a ``draws`` array, JSON Lines, or one number per line. Unlike the sieve's draw files,
    these may be negative or doubles. ``ValueError`` naming the line on anything else."""
    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    name = "standard input" if path == "-" else path
    try:
        items: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        items = []
        for number, line in enumerate(raw.decode(errors="replace").splitlines(), start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            try:
                items.append(orjson.loads(text))
            except orjson.JSONDecodeError:
                raise ValueError(f"{name}: line {number}: not a number: {text[:40]!r}") from None
    if isinstance(items, dict):
        items = items.get("draws", [items])
    if not isinstance(items, list):
        items = [items]
    numbers: list[int | float] = []
    for index, item in enumerate(items):
        value = item.get("draw") if isinstance(item, dict) else item
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not math.isfinite(value)):
            raise ValueError(f"{name}: draw {index}: not a number: {value!r}")
        numbers.append(value)
    if not numbers:
        raise ValueError(f"{name}: no draws")
    return numbers


def default_hypotheses(values: Sequence[int | float]) -> list[tuple[str, str]]:
    """The (generator, reduction) pairs the shape of ``values`` allows."""
    if any(isinstance(v, float) and v != math.floor(v) for v in values):
        if all(0.0 <= v < 1.0 for v in values):
            return list(_FLOAT_HYPOTHESES)
        return []
    ints = [int(v) for v in values]
    low, high = min(ints), max(ints)
    if low < 0:
        return [(g, "signed32") for g in _WORD_GENERATORS] if low >= -(1 << 31) and high < 1 << 31 else []
    pairs: list[tuple[str, str]] = []
    if high < 1 << 31:
        pairs += [("glibc_random", "raw"), ("php_mt_rand", "shr:1"), ("drand48", "raw")]
    if high < 1 << 32:
        pairs += [(g, "raw") for g in _WORD_GENERATORS]
    if high >= 1 << 32:
        pairs += [(g, "raw") for g in ("mt19937_64", "xorshift64", "xorshift128plus",
                                        "xoroshiro128plus", "xoshiro256plus", "xorshift64star")]
    if high + 1 < 1 << 20:
        bounds = {high + 1, 10 ** math.ceil(math.log10(high + 1)), 1 << (high).bit_length()}
        for bound in sorted(b for b in bounds if b >= 2):
            pairs += [("mt19937", f"mod:{bound}"), ("java_random", f"java_nextint:{bound}"),
                      ("drand48", f"c_rand_mod:{bound}"), ("xorshift128", f"mod:{bound}"),
                      ("mt19937_64", f"mod:{bound}"), ("xorshift128plus", f"mod:{bound}")]
    return pairs


def _applicable(pairs: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    found = []
    for generator, reduction in pairs:
        try:
            needed = minimum_draws(generator, reduction)
        except ValueError:
            continue
        if needed is not None:
            found.append((generator, reduction, needed))
    return found


def _cmd_recover(args: argparse.Namespace) -> int:
    if args.generator and args.generator not in recoverable_generators():
        raise ValueError(f"no state recovery for {args.generator}; recoverable: "
                         f"{', '.join(recoverable_generators())}")
    values = read_numbers(args.draws)
    if args.generator and args.reduction:
        pairs = [(args.generator, args.reduction)]
    else:
        pairs = [(g, r) for g, r in default_hypotheses(values)
                 if (not args.generator or g == args.generator)
                 and (not args.reduction or r == args.reduction)]
    candidates = _applicable(pairs)
    if not candidates:
        raise ValueError("no recoverable generator and reduction fit these draws"
                         + (f" ({args.generator} {args.reduction})" if args.generator else ""))
    ready = [(g, r) for g, r, needed in candidates if len(values) >= needed]
    started = time.perf_counter()
    if not args.json:
        print(f"{len(values)} draws; trying {len(ready)} of {len(candidates)} hypotheses "
              f"(the others need more draws)", file=sys.stderr, flush=True)
    best, attempts = recover_any(values, ready, predict=args.predict, alpha=args.alpha)
    too_short = [(g, r, n) for g, r, n in candidates if len(values) < n]
    if args.json:
        payload = {
            "draws": len(values),
            "verdict": IDENTIFIED if best else "no generator explains this data",
            "best": best.to_json() if best else None,
            "attempts": [a.to_json() for a in attempts],
            "needs_more_draws": [{"generator": g, "reduction": r, "minimum_draws": n}
                                 for g, r, n in too_short],
            "seconds": round(time.perf_counter() - started, 3),
        }
        sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    for attempt in attempts:
        print(f"  {attempt.generator:<20} {attempt.reduction:<20} {attempt.verdict:<13} "
              f"{attempt.seconds:6.1f}s  {attempt.message}")
    for generator, reduction, needed in too_short:
        print(f"  {generator:<20} {reduction:<20} {TOO_SHORT:<13}         needs {needed} draws")
    if best is None:
        print("no generator explains this data"
              + ("" if ready else f" (too short: the least any hypothesis needs is "
                                  f"{min(n for _, _, n in candidates)} draws)"))
        return 0
    _print_identified(best)
    return 0


def _print_identified(best: Recovery) -> None:
    log2_p = math.log2(best.trials) - best.bits_checked
    chance = f"{best.p_value:.3g}" if best.p_value > 1e-300 else f"2^{log2_p:.0f}"
    print(f"identified: {best.generator} through {best.reduction} (corrected p = {chance}: "
          f"{best.bits_checked:.0f} bits checked against 2^{math.log2(best.trials):.1f} "
          f"hypotheses)")
    if best.seed is not None:
        print(f"seed: {best.seed} (0x{best.seed:x}), position: {best.position} raw outputs "
              f"before the first draw")
    if best.state is not None:
        words = " ".join(f"{v:x}" for v in best.state[:8])
        more = f" ... ({len(best.state)} words; --json for all)" if len(best.state) > 8 else ""
        print(f"state at the first draw: {words}{more}")
    if best.predictions:
        print("next: " + " ".join(repr(v) for v in best.predictions))


def register_recover(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "recover", help="recover a generator's state from draws of any shape and predict",
        description="Recover a generator's internal state from observed draws (integers, signed "
                    "ints, doubles), check it on the draws it was not solved from, walk back to "
                    "the seed where the seeding inverts, and predict what comes next. Without "
                    "--generator/--reduction the draws' shape picks the hypotheses.",
        epilog="example: watcher recover --draws floats.txt --predict 10")
    parser.add_argument("--draws", required=True,
                        help="draw file (JSON array, JSON Lines, or one number per line; - for stdin)")
    parser.add_argument("--generator", help="only this generator (see --list)")
    parser.add_argument("--reduction", help="only this reduction, e.g. mod:1000, shr:1, res53")
    parser.add_argument("--predict", type=int, default=10, help="draws to predict (default 10)")
    parser.add_argument("--alpha", type=float, default=DEFAULT_ALPHA,
                        help=f"'identified' below this corrected p-value (default {DEFAULT_ALPHA})")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=_cmd_recover)
