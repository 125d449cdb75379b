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
from typing import Any

import orjson

from kernels.draws import read_numbers
from kernels.recovery import IDENTIFIED, TOO_SHORT, Recovery, recoverable_generators
from kernels.recovery.by_shape import recover_by_shape
from kernels.recovery.result import DEFAULT_ALPHA

__all__ = ["register_recover", "recovery_lines", "chance_text"]


def _cmd_recover(args: argparse.Namespace) -> int:
    if args.generator and args.generator not in recoverable_generators():
        raise ValueError(f"no state recovery for {args.generator}; recoverable: "
                         f"{', '.join(recoverable_generators())}")
    values = read_numbers(args.draws)
    started = time.perf_counter()

    def announce(tried: int, total: int) -> None:
        if not args.json:
            print(f"{len(values)} draws; trying {tried} of {total} hypotheses (the others need "
                  f"more draws)", file=sys.stderr, flush=True)

    best, attempts, too_short = recover_by_shape(
        values, generator=args.generator, reduction=args.reduction, predict=args.predict,
        alpha=args.alpha, announce=announce)
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
              + ("" if attempts else f" (too short: the least any hypothesis needs is "
                                     f"{min(n for _, _, n in too_short)} draws)"))
        return 0
    print("\n".join(recovery_lines(best)))
    return 0


def chance_text(best: Recovery) -> str:
    """A recovery's corrected p-value, as a power of two where a float would underflow."""
    attempts = int(str(best.extra.get("attempts_in_search", 1)))
    log2_p = math.log2(max(1, best.trials) * attempts) - best.bits_checked
    return f"{best.p_value:.3g}" if best.p_value > 1e-300 else f"2^{log2_p:.0f}"


def recovery_lines(best: Recovery) -> list[str]:
    """An identified recovery told in lines: the verdict with its corrected p-value and the
    bits behind it, the seed and position where the seeding inverts, the state at the first
    draw (hex), the predictions."""
    attempts = int(str(best.extra.get("attempts_in_search", 1)))
    chance = chance_text(best)
    lines = [f"identified: {best.generator} through {best.reduction} (corrected p = {chance}: "
             f"{best.bits_checked:.0f} bits checked against 2^{math.log2(max(1, best.trials)):.1f} "
             f"candidate states, in a search of {attempts} generator/reduction pairs)"]
    if best.seed is not None:
        lines.append(f"seed: {best.seed} (0x{best.seed:x}), position: {best.position} raw "
                     f"outputs before the first draw")
    for kind in ("init_genrand", "init_by_array"):
        other = best.extra.get(f"{kind}_seed")
        if other is not None:
            lines.append(f"seed under another seeding: {other}, position "
                         f"{best.extra.get(f'{kind}_position')} ({best.extra.get('note')})")
    if best.state is not None:
        words = " ".join(f"{v:x}" for v in best.state[:8])
        more = f" ... ({len(best.state)} words; --json for all)" if len(best.state) > 8 else ""
        lines.append(f"state at the first draw: {words}{more}")
    if best.predictions:
        lines.append("next: " + " ".join(repr(v) for v in best.predictions))
    fresh = best.extra.get("predictions_if_first_draw_opens_a_cache")
    if isinstance(fresh, list) and fresh:
        lines.append("next, if the first draw opened a cache (a fresh process): "
                     + " ".join(repr(v) for v in fresh))
    return lines


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
    parser.add_argument("--generator",
                        help="only this generator: " + ", ".join(recoverable_generators()))
    parser.add_argument("--reduction",
                        help="only this reduction, e.g. mod:1000, shr:1, res53; a +K suffix adds "
                             "K to every draw (java_nextint:6+1 is nextInt(6) + 1)")
    parser.add_argument("--predict", type=int, default=10, help="draws to predict (default 10)")
    parser.add_argument("--alpha", type=float, default=DEFAULT_ALPHA,
                        help=f"'identified' below this corrected p-value (default {DEFAULT_ALPHA})")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=_cmd_recover)
