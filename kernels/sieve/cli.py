"""`watcher sieve` (one search) and `watcher identify` (the default plan over the catalog)."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from typing import Any, Callable

import orjson

from kernels.draws import read_draws
from kernels.observation import predict
from kernels.registry import get_generator
from kernels.sieve.backends import BACKEND_NAMES, make_backend
from kernels.sieve.backward import plausible_ranges, walk_back
from kernels.sieve.engine import SearchResult, SearchSpace, SkipSpace, Survivor, search
from kernels.sieve.plan import default_plan, default_reductions, infer_alphabet
from kernels.sieve.survivors import write_survivors

__all__ = ["register_sieve", "register_identify", "result_payload"]

NO_GENERATOR = "no generator explains this data"


def _range_arg(text: str) -> tuple[int, int]:
    """``A:B`` (B exclusive), decimal or 0x...; ``B`` alone means ``0:B``."""
    try:
        parts = [int(p, 0) for p in text.split(":")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected A:B, got {text!r}") from None
    if len(parts) == 1:
        parts = [0, parts[0]]
    if len(parts) != 2 or parts[0] < 0 or parts[1] <= parts[0]:
        raise argparse.ArgumentTypeError(f"expected A:B with 0 <= A < B, got {text!r}")
    return parts[0], parts[1]


def _progress_printer(label: str) -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None
    began = time.monotonic()

    def show(done: int, total: int) -> None:
        elapsed = time.monotonic() - began
        rate = done / elapsed if elapsed > 0 else 0.0
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] "
                         f"{done:,}/{total:,} seeds  {rate:,.0f}/s ")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _survivor_payload(survivor: Survivor) -> dict[str, Any]:
    return {"hypothesis": survivor.hypothesis.model_dump(mode="json"),
            "description": survivor.hypothesis.describe(), "matched": survivor.matched,
            "compared": survivor.compared, "p_value": survivor.p_value,
            "log10_p_value": survivor.log10_p_value}


def result_payload(result: SearchResult, *, top: int = 20) -> dict[str, Any]:
    return {
        "verdict": "identified" if result.identified else NO_GENERATOR,
        "identified": result.identified,
        "alpha": result.alpha,
        "window": result.window,
        "observed": result.observed,
        "hypotheses": result.hypotheses,
        "expected_chance_survivors": result.expected_chance_survivors,
        "survivors": len(result.survivors),
        "best": [_survivor_payload(s) for s in result.survivors[:top]],
        "near_miss": _survivor_payload(result.near_miss) if result.near_miss else None,
        "stopped_early": result.stopped_early,
        "spaces": [{"space": r.space.describe(), "hypotheses": r.hypotheses, "q": r.q,
                    "survival_probability": r.survival_probability,
                    "expected_chance_survivors": r.expected_chance_survivors,
                    "survivors": r.survivors} for r in result.reports],
    }


def _print_result(result: SearchResult, predicted: list[int] | None, top: int = 10) -> None:
    print(f"searched {result.hypotheses:,} hypotheses in {len(result.reports)} spaces; "
          f"window {result.window} of {result.observed} draws")
    print(f"expected chance survivors for a search this size: {result.expected_chance_survivors:.3g}")
    if result.survivors:
        print(f"survivors: {len(result.survivors)} (best first)")
        for survivor in result.survivors[:top]:
            print(f"  {survivor.hypothesis.describe()}  matched {survivor.matched}/"
                  f"{survivor.compared}  corrected p = 10^{survivor.log10_p_value:.1f}")
    if result.identified:
        best = result.survivors[0]
        print(f"IDENTIFIED: {best.hypothesis.describe()} (corrected p = "
              f"10^{best.log10_p_value:.1f} < alpha {result.alpha})")
    else:
        print(f"verdict: {NO_GENERATOR} (alpha {result.alpha})")
        odds = result.survivors[0] if result.survivors else result.near_miss
        if odds is not None:
            print(f"  best candidate: {odds.hypothesis.describe()}, matched {odds.matched} of "
                  f"{odds.compared} leading draws; chance alone explains that with p = "
                  f"{odds.p_value:.3g}")
        else:
            print("  no hypothesis matched even the first few draws")
    if result.stopped_early:
        print("(stopped early: the best hypothesis is beyond doubt)")
    if predicted is not None:
        print("next draws:", " ".join(map(str, predicted)))


def _next_draws(result: SearchResult, observed: int, count: int) -> list[int] | None:
    if not count or not result.identified:
        return None
    best = result.survivors[0].hypothesis
    if not best.skip.is_constant:
        raise ValueError("cannot predict past the window with a variable skip schedule")
    return predict(best, observed + count)[observed:]


def _check_window(window: int | None) -> None:
    if window is not None and window < 1:
        raise ValueError("--window must be at least 1")


def _run_search(args: argparse.Namespace, spaces: list[SearchSpace], observed: list[int],
                label: str) -> SearchResult:
    backend = make_backend(args.backend)
    run_chunks = None
    if getattr(args, "scheduler", None):
        from kernels.sieve.distributed import dask_chunk_runner

        run_chunks, backend = dask_chunk_runner(args.scheduler, args.backend)
    return search(spaces, observed, window=args.window, alpha=args.alpha, backend=backend,
                  progress=None if args.json else _progress_printer(label),
                  run_chunks=run_chunks, max_candidates=args.max_candidates)


def _cmd_sieve(args: argparse.Namespace) -> int:
    observed = read_draws(args.draws)
    _check_window(args.window)
    names = [n.strip() for n in args.generators.split(",") if n.strip()]
    if not names:
        raise ValueError("--generators names no generator")
    skip = SkipSpace.parse(args.skip)
    alphabet = infer_alphabet(observed)
    spaces = []
    for name in names:
        generator = get_generator(name)
        reductions = ([r.strip() for r in args.reduce.split(",")] if args.reduce
                      else default_reductions(generator, alphabet))
        seed_start, seed_stop = args.seeds
        seed_stop = min(seed_stop, 1 << generator.seed_bits)
        if seed_start >= seed_stop:
            raise ValueError(f"--seeds {args.seeds[0]}:{args.seeds[1]} lies outside "
                             f"{name}'s seed space ({generator.seed_space})")
        for spec in reductions:
            spaces.append(SearchSpace(generator=name, reduction=spec, seed_start=seed_start,
                                      seed_stop=seed_stop, offset_start=args.offsets[0],
                                      offset_stop=args.offsets[1], skip=skip))
    result = _run_search(args, spaces, observed, "sieve")
    if args.survivors:
        write_survivors(args.survivors, result.survivors)
    predicted = _next_draws(result, len(observed), args.predict)
    if args.json:
        payload = result_payload(result)
        payload["next"] = predicted
        sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        _print_result(result, predicted)
    return 0


def _parse_time(text: str) -> int:
    """An ISO-8601 time (UTC unless it says otherwise) or Unix seconds -> Unix milliseconds."""
    try:
        return int(float(text) * 1000)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--around {text!r}: expected an ISO-8601 time or Unix seconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def _cmd_identify(args: argparse.Namespace) -> int:
    observed = read_draws(args.draws)
    _check_window(args.window)
    backend = make_backend(args.backend)
    around_ms = _parse_time(args.around) if args.around else None
    names = None
    if args.generators:
        names = [n.strip() for n in args.generators.split(",") if n.strip()]
        for name in names:
            get_generator(name)
    if not args.json:
        print(f"planning on backend {backend.name} (budget {args.budget:.0f} s)...", file=sys.stderr)
    plan = default_plan(observed, backend, now_unix=int(time.time()), around_ms=around_ms,
                        budget_seconds=args.budget, generators=names,
                        include_legacy=args.legacy)
    if not plan.scheduled:
        raise ValueError("nothing fits the budget; raise --budget")
    result = _run_search(args, [p.space for p in plan.scheduled], observed, "identify")
    predicted = _next_draws(result, len(observed), args.predict)
    origins = []
    if result.identified and args.walk_back:
        around_unix = around_ms // 1000 if around_ms is not None else None
        origins = walk_back(result.survivors[0].hypothesis, max_outputs=args.walk_back,
                            ranges=plausible_ranges(around_unix))
    if args.json:
        payload = result_payload(result)
        payload["origins"] = [{"hypothesis": o.hypothesis.model_dump(mode="json"),
                               "outputs_before": o.outputs_before, "chance": o.chance}
                              for o in origins]
        payload["next"] = predicted
        payload["backend"] = backend.name
        payload["plan"] = {
            "searched": [{"tier": p.tier, "space": p.space.describe()} for p in plan.scheduled],
            "not_searched_for_budget": [{"tier": p.tier, "space": p.space.describe(),
                                         "estimated_seconds": p.estimated_seconds}
                                        for p in plan.skipped]}
        sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        tiers: dict[str, int] = {}
        for planned in plan.scheduled:
            tiers[planned.tier] = tiers.get(planned.tier, 0) + 1
        print("plan: " + ", ".join(f"{count} {tier} spaces" for tier, count in tiers.items()))
        if plan.skipped:
            print(f"not searched (over the budget): {len(plan.skipped)} spaces, e.g. "
                  f"{plan.skipped[0].space.describe()} (~{plan.skipped[0].estimated_seconds:.0f} s)")
        _print_result(result, predicted)
        for origin in origins:
            print(f"walked back {origin.outputs_before} outputs to a plausible seed: "
                  f"{origin.hypothesis.describe()} (a walk this long meets such a seed by chance "
                  f"{origin.chance:.2g} times)")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--draws", required=True, metavar="FILE",
                        help="the observed draws: a JSON array, records with a 'draw' field, "
                             "or one integer per line")
    parser.add_argument("--window", type=int, metavar="W",
                        help="leading draws a survivor must match (default: all, up to 64)")
    parser.add_argument("--alpha", type=float, default=0.01,
                        help="significance level for 'identified' (default 0.01)")
    parser.add_argument("--backend", choices=BACKEND_NAMES, default="auto",
                        help="auto (default: cuda, else opencl, else numpy) or a named backend")
    parser.add_argument("--scheduler", metavar="ADDR",
                        help="run chunks on a Dask distributed scheduler (tcp://host:8786)")
    parser.add_argument("--predict", type=int, default=0, metavar="N",
                        help="print the next N draws of the identified hypothesis")
    parser.add_argument("--max-candidates", type=int, default=100_000, metavar="N",
                        help="stop with an error past N candidates (the window is too short)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def register_sieve(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sieve", help="search a seed space for hypotheses that explain a draw file",
        description="One search: generators x seeds x offsets x skips x reductions. Reports the "
                    "survivors with corrected p-values, the expected number of chance survivors "
                    "for a search this size, and the verdict.",
        epilog="example: watcher sieve --draws draws.json --generators mt19937,java_random "
               "--seeds 0:1000000 --offsets 0:10 --skip 0:2")
    _common(parser)
    parser.add_argument("--generators", required=True, metavar="NAMES",
                        help="comma-separated registry names (see `watcher prng list`)")
    parser.add_argument("--seeds", type=_range_arg, required=True, metavar="A:B",
                        help="seed range, B exclusive (0x... allowed)")
    parser.add_argument("--offsets", type=_range_arg, default=(0, 1), metavar="A:B",
                        help="draws consumed before the first observed one, B exclusive "
                             "(default 0:1)")
    parser.add_argument("--skip", default="0", metavar="SPEC",
                        help="outputs discarded after each draw: K, A:B (one constant in A..B) or "
                             "var:A:B (chosen per draw) (default 0)")
    parser.add_argument("--reduce", metavar="SPECS",
                        help="comma-separated reductions (default: each generator's own bounded "
                             "integer, mod and float_mul, with N inferred from the draws)")
    parser.add_argument("--survivors", metavar="FILE", help="write every survivor to an npz file")
    parser.set_defaults(func=_cmd_sieve)


def register_identify(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "identify", help="search the whole catalog with the default plan",
        description="The forensic main job: search every generator with the seeds people use "
                    "(small integers, Unix seconds over 30 years, milliseconds around --around, "
                    "the full 32-bit space where fast enough), the common reductions, offsets "
                    "0..7 and skips 0..1, within a time budget; report ranked results with their "
                    "statistics or 'no generator explains this data'.")
    _common(parser)
    parser.add_argument("--around", metavar="TIME",
                        help="also search millisecond seeds within a day of TIME (ISO-8601 or "
                             "Unix seconds)")
    parser.add_argument("--budget", type=float, default=180.0, metavar="SECONDS",
                        help="time budget for the search (default 180)")
    parser.add_argument("--generators", metavar="NAMES",
                        help="restrict to these generators (default: the whole catalog)")
    parser.add_argument("--walk-back", type=int, default=100_000, metavar="N",
                        help="for a generator whose state is its seed, step back up to N outputs "
                             "from the state found, looking for a small-integer seed or one within "
                             "a day of --around (default 100000; 0 to skip)")
    parser.add_argument("--legacy", action="store_true",
                        help="include the original system's compatibility families")
    parser.set_defaults(func=_cmd_identify)
