"""`watcher sieve` (one search) and `watcher identify` (the default plan over the catalog)."""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import orjson

from kernels.draws import DrawRecord, read_draws, read_number_records, timestamp_seconds
from kernels.identify import (NO_GENERATOR, infer_number_shape, report_without_seed_search,
                              run_state_tier, state_tier_lines, state_tier_seconds)
from kernels.observation import Hypothesis, predict, predict_doubles
from kernels.reductions import RANGE_KINDS, parse_reduction
from kernels.registry import all_generators, get_generator
from kernels.sieve.backends import BACKEND_NAMES, make_backend
from kernels.sieve.backward import plausible_ranges, walk_back
from kernels.sieve.engine import SearchResult, SearchSpace, SkipSpace, Survivor, search
from kernels.sieve.plan import (AROUND_SPAN_S, FORWARD_SLACK_S, TIERS, CostCache, Coverage,
                                DrawShape, NotEnoughDraws, PlanRun, build_plan, default_reductions,
                                equivalent_generators, infer_alphabet, plan_fingerprint, run_plan,
                                state_path_for)
from kernels.sieve.survivors import write_survivors

__all__ = ["register_sieve", "register_identify", "result_payload"]


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


def wrong_draws(survivor: Survivor) -> str:
    """`` (2 wrong: draws 0, 7)`` for a survivor that got draws wrong, else nothing."""
    if not survivor.mismatches:
        return ""
    shown = ", ".join(str(i) for i in survivor.mismatches[:8])
    more = f", ... ({len(survivor.mismatches)} in all)" if len(survivor.mismatches) > 8 else ""
    return f" ({len(survivor.mismatches)} wrong: draws {shown}{more})"


def identified_errors(survivor: Survivor) -> str:
    """What a search that tolerated errors says of the identified hypothesis's wrong draws."""
    where = ", ".join(str(i) for i in survivor.mismatches)
    return (f"it got {survivor.errors} of the {survivor.compared} draws wrong"
            + (f": draws {where} (counted from 0)" if where else ""))


def _survivor_payload(survivor: Survivor) -> dict[str, Any]:
    return {"hypothesis": survivor.hypothesis.model_dump(mode="json"),
            "description": survivor.hypothesis.describe(), "matched": survivor.matched,
            "compared": survivor.compared, "p_value": survivor.p_value,
            "log10_p_value": survivor.log10_p_value, "errors": survivor.errors,
            "mismatches": list(survivor.mismatches), "start": survivor.start}


def result_payload(result: SearchResult, *, top: int = 20) -> dict[str, Any]:
    return {
        "verdict": "identified" if result.identified else NO_GENERATOR,
        "identified": result.identified,
        "alpha": result.alpha,
        "window": result.window,
        "tolerated_errors": result.errors,
        "observed": result.observed,
        "hypotheses": result.hypotheses,
        "expected_chance_survivors": result.expected_chance_survivors,
        "survivors": len(result.survivors),
        "best": [_survivor_payload(s) for s in result.survivors[:top]],
        "near_miss": _survivor_payload(result.near_miss) if result.near_miss else None,
        "stopped_early": result.stopped_early,
        "spaces": [{"space": r.describe(), "reduction": r.reduction,
                    "hypotheses": r.hypotheses, "q": r.q,
                    "survival_probability": r.survival_probability,
                    "expected_chance_survivors": r.expected_chance_survivors,
                    "survivors": r.survivors} for r in result.reports],
    }


def _print_result(result: SearchResult, predicted: list[int] | None, top: int = 10) -> None:
    spaces = len({report.space.describe() for report in result.reports})
    print(f"searched {result.hypotheses:,} hypotheses in {spaces} spaces "
          f"({len(result.reports)} space x reduction pairs); "
          f"window {result.window} of {result.observed} draws"
          + (f", up to {result.errors} wrong" if result.errors else ""))
    print(f"expected chance survivors for a search this size: {result.expected_chance_survivors:.3g}")
    if result.survivors:
        print(f"survivors: {len(result.survivors)} (best first)")
        for survivor in result.survivors[:top]:
            print(f"  {survivor.hypothesis.describe()}  matched {survivor.matched}/"
                  f"{survivor.compared}{wrong_draws(survivor)}  corrected p = "
                  f"10^{survivor.log10_p_value:.1f}")
    if result.identified:
        best = result.survivors[0]
        print(f"IDENTIFIED: {best.hypothesis.describe()} (corrected p = "
              f"10^{best.log10_p_value:.1f} < alpha {result.alpha})")
        if result.errors:
            print(f"  {identified_errors(best)}")
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
                  run_chunks=run_chunks, max_candidates=args.max_candidates, errors=args.errors)


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
        # one space per generator: every reduction is read from the same seeding of each seed
        spaces.append(SearchSpace(generator=name, reductions=tuple(dict.fromkeys(reductions)),
                                  seed_start=seed_start, seed_stop=seed_stop,
                                  offset_start=args.offsets[0], offset_stop=args.offsets[1],
                                  skip=skip))
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


def _reference_time(args: argparse.Namespace, records: list[DrawRecord[int | float]]
                    ) -> tuple[int, str, int]:
    """The time seeds are searched back from: ``--around`` (a day both ways), else the first
    draw's timestamp (a bare date: the end of that day), else now. Returns (Unix seconds, what
    it is, seconds searched past it)."""
    if args.around:
        return _parse_time(args.around) // 1000, f"--around {args.around}", AROUND_SPAN_S
    stamped = next((r.ts for r in records if r.ts is not None), None)
    if stamped is not None:
        seconds = int(timestamp_seconds(stamped))
        if len(stamped) == 10:  # a date: the program ran some time that day
            return seconds + 86_400, f"the first draw's date {stamped}", FORWARD_SLACK_S
        return seconds, f"the first draw's time {stamped}", FORWARD_SLACK_S
    return int(time.time()), "now (no timestamps in the draw file)", 0


def _identify_progress(budget: float, quiet: bool) -> Callable[[float, float, str], None] | None:
    if quiet or not sys.stderr.isatty():
        return None

    def show(covered: float, elapsed: float, what: str) -> None:
        sys.stderr.write(f"\ridentify: {covered:6.1%} of the prior covered, {elapsed:5.0f} s of "
                         f"{budget:.0f} s  ({what})".ljust(100)[:100])
        sys.stderr.flush()

    return show


def _load_state(path: Path, fingerprint: str) -> dict[str, Any]:
    if not path.exists():
        raise ValueError(f"--continue: no stopped search to resume ({path} does not exist)")
    try:
        state = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise ValueError(f"--continue: {path} is not a state file ({error})") from None
    if state.get("fingerprint") != fingerprint:
        raise ValueError(f"--continue: {path} belongs to other draws or another plan")
    return state


def _coverage_cells(run: PlanRun) -> list[dict[str, Any]]:
    return [{"generator": c.generator, "tier": c.tier, "reductions": list(c.reductions),
             "seeds": c.seeds,
             "covered_seeds": c.covered_seeds, "prior": c.prior, "covered_prior": c.covered_prior}
            for c in run.coverage]


def _print_coverage(run: PlanRun) -> None:
    """The tier x generator table: share of each tier's seeds searched (weighted by prior where
    a tier has several reduction groups)."""
    rows: dict[str, dict[str, list[Coverage]]] = {}
    for cell in run.coverage:
        rows.setdefault(cell.generator, {}).setdefault(cell.tier, []).append(cell)
    print(f"coverage: share of each tier's seeds searched; by the catalog's priors the covered "
          f"part held the answer with probability {run.covered_prior:.1%} (if the plan holds it)")
    header = ["generator", "prior"] + list(TIERS) + ["covered prior"]
    table = [header]
    total = sum(c.prior for c in run.coverage) or 1.0
    ranked = sorted(rows, key=lambda n: (-get_generator(n).prior, n))
    for name in ranked:
        cells = rows[name]
        line = [name, f"{get_generator(name).prior:g}"]
        for tier in TIERS:
            group = cells.get(tier)
            if not group:
                line.append("-")
            else:
                weight = sum(c.prior for c in group) or 1.0
                share = sum(c.prior * (c.covered_seeds / c.seeds if c.seeds else 1.0)
                            for c in group) / weight
                line.append("100%" if share >= 1 else f"{share:.0%}" if share >= 0.01 or not share
                            else "<1%")
        covered = sum(c.covered_prior for group in cells.values() for c in group) / total
        whole = sum(c.prior for group in cells.values() for c in group) / total
        line.append(f"{covered:.2%} of {whole:.2%}")
        table.append(line)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)))


def _own_process() -> bool:
    """Whether this process is the user's `watcher identify`, not a program that runs identify
    inside it (tests, the daemon)."""
    return Path(sys.argv[0]).name == "watcher" and "identify" in sys.argv[1:]


def _startup_seconds() -> float:
    """Seconds this process spent before the command began (interpreter start-up and imports,
    several seconds on a busy machine); 0 inside another program, whose age says nothing."""
    return _process_age() if _own_process() else 0.0


def _process_age() -> float:
    """Seconds since this process started (Linux; 0 where /proc does not say)."""
    try:
        with open("/proc/self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime") as uptime:
            since_boot = float(uptime.read().split()[0])
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return max(0.0, since_boot - started)
    except (OSError, ValueError, IndexError):
        return 0.0


def _cmd_identify(args: argparse.Namespace) -> int:
    # the budget counts from when the user started the command: interpreter start-up and
    # imports included
    began = time.monotonic() - _startup_seconds()
    deadline = began + args.budget
    draws_path = Path(args.draws)
    records = read_number_records(draws_path)
    # signed ints and ranges from 1 are read by the sieve as raw words and from 0; doubles not
    shape = infer_number_shape([r.draw for r in records])
    observed = shape.sieve_values or []
    _check_window(args.window)
    if args.budget <= 0:
        raise ValueError("--budget must be positive")
    state_path = Path(args.state) if args.state else state_path_for(draws_path)
    names = None
    if args.generators:
        names = [n.strip() for n in args.generators.split(",") if n.strip()]
        for name in names:
            get_generator(name)
    reductions = [r.strip() for r in args.reduce.split(",") if r.strip()] if args.reduce else None
    for spec in reductions or []:
        parse_reduction(spec)
    # the state tier first: where the draws are enough it covers every seed in seconds; resumed
    # or with named reductions it is only counted (its share of alpha stays the same)
    reserve = min(2.0 + 0.01 * args.budget, 0.5 * args.budget)
    counting_only = bool(reductions) or getattr(args, "continue_search")
    # two searches on the same draws: each has half of alpha (the union bound over both)
    state_alpha = args.alpha / 2 if observed else args.alpha
    state_tier = run_state_tier(
        [r.draw for r in records], predict=args.predict, alpha=state_alpha, only=names,
        start=max(shape.shift, 1),
        seconds=0.0 if counting_only else state_tier_seconds(
            deadline - reserve - time.monotonic(), seed_search=bool(observed)))
    # (a resumed search keeps the split its first run made; named reductions run no state tier)
    seed_alpha = args.alpha / 2 if state_tier.ready and not reductions else args.alpha
    if state_tier.best is not None or not observed:
        return report_without_seed_search(state_tier, shape, alpha=state_alpha, as_json=args.json,
                                          elapsed=time.monotonic() - began,
                                          seed_search=None if observed else
                                          f"not run: it reads integers, not {shape.describe()}")
    skip = SkipSpace.parse(args.skip)
    offsets = range(*args.offsets)
    previous: list[Survivor] = []
    covered: dict[str, list[tuple[int, int]]] = {}
    resumed_elapsed = 0.0
    if getattr(args, "continue_search"):
        # the stopped search's own parameters: the same plan, the same corrections
        try:
            peek = orjson.loads(state_path.read_bytes()) if state_path.exists() else {}
        except (OSError, orjson.JSONDecodeError):
            peek = {}
        params = peek.get("parameters") or {}
        if not params:
            _load_state(state_path, "")  # says why
        plan = build_plan(observed, reference_s=params["reference_s"],
                          reference_source=params["reference_source"],
                          forward_s=params["forward_s"], generators=params["generators"],
                          reductions=params["reductions"], offsets=range(*params["offsets"]),
                          skip=SkipSpace.parse(params["skip"]), window=params["window"],
                          alpha=seed_alpha, errors=int(params.get("errors", 0)),
                          readings=[(int(a), float(b))
                                    for a, b in params.get("readings", [[0, 1.0]])])
        state = _load_state(state_path, plan_fingerprint(observed, plan.parameters))
        covered = {key: [tuple(r) for r in ranges] for key, ranges in state["covered"].items()}
        previous = [Survivor.model_validate(s) for s in state.get("survivors", [])]
        resumed_elapsed = float(state.get("elapsed", 0.0))
    else:
        reference_s, source, forward_s = _reference_time(args, records)
        names = names or [n for n, c in all_generators().items() if args.legacy or not c.legacy]
        try:
            # doubles: the generator's own double, scaled as the shape reads the printed ones
            plan_reductions = reductions or ([f"float_mul:{shape.double_scale}"]
                                             if shape.double_scale else None)
            plan = build_plan(observed, reference_s=reference_s, reference_source=source,
                              forward_s=forward_s, generators=names, reductions=plan_reductions,
                              offsets=offsets, skip=skip, window=args.window, alpha=seed_alpha,
                              errors=args.errors, readings=shape.readings())
        except ValueError as error:  # too few draws, or no reduction makes them
            return report_without_seed_search(state_tier, shape, alpha=state_alpha,
                                              as_json=args.json, seed_search=str(error),
                                              elapsed=time.monotonic() - began,
                                              seed_search_too_short=isinstance(error,
                                                                               NotEnoughDraws))
    backend = make_backend(args.backend)
    search_on_workers = search
    if args.scheduler:
        from kernels.sieve.distributed import dask_chunk_runner

        run_chunks, backend = dask_chunk_runner(args.scheduler, args.backend)
        search_on_workers = functools.partial(search, run_chunks=run_chunks)
    if not args.json:
        read_as = shape.describe() + ("" if shape.double_scale else f": {plan.shape.describe()}")
        print(f"identify: {len(observed)} draws ({read_as}); "
              f"seed times searched "
              f"back from {plan.reference_source}; backend {backend.name}; budget "
              f"{args.budget:.0f} s", file=sys.stderr)
    cache = CostCache(Path(args.cost_cache) if args.cost_cache else CostCache.default_path())
    # what follows the search (equivalents, the walk back, the report, the interpreter's exit
    # with its OpenCL teardown) needs a moment too
    run = run_plan(plan, observed, backend, deadline=deadline - reserve, alpha=seed_alpha,
                   covered=covered,
                   cost_cache=cache, max_candidates=args.max_candidates, previous=previous,
                   progress=_identify_progress(args.budget, args.json),
                   search_function=search_on_workers)
    if not args.json and sys.stderr.isatty():
        sys.stderr.write("\n")
    equivalents: dict[int, list[str]] = {}
    for index, survivor in enumerate(run.survivors[:5]):
        equivalents[index] = equivalent_generators(
            survivor.hypothesis, [v - survivor.start for v in observed],
            nearby_offsets=2 if index == 0 else 0)
    # the range's start as the identified hypothesis read the draws
    start = shape.shift + (run.survivors[0].start if run.identified else 0)
    predicted: list[int] | list[float] | None = None
    if args.predict and run.identified:
        best = run.survivors[0].hypothesis
        if not best.skip.is_constant:
            raise ValueError("cannot predict past the window with a variable skip schedule")
        if shape.double_scale:
            predicted = predict_doubles(best, len(observed) + args.predict)[len(observed):]
        else:
            predicted = [shape.from_sieve(v + run.survivors[0].start) for v in
                         predict(best, len(observed) + args.predict)[len(observed):]]
    other_bounds = (bounds_that_fit_too(run.survivors[0].hypothesis,
                                        [v - run.survivors[0].start for v in observed],
                                        plan.shape)
                    if run.identified else [])
    origins = []
    if run.identified and args.walk_back and time.monotonic() < deadline:
        origins = walk_back(run.survivors[0].hypothesis, max_outputs=args.walk_back,
                            ranges=plausible_ranges(plan.reference_s))
    state_written = None
    if run.complete or run.identified:
        if state_path.exists() and getattr(args, "continue_search"):
            state_path.unlink()
    else:
        state = {"fingerprint": plan_fingerprint(observed, plan.parameters),
                 "parameters": plan.parameters, "covered": run.covered,
                 "survivors": [s.model_dump(mode="json") for s in run.survivors[:100]],
                 "elapsed": resumed_elapsed + run.elapsed}
        try:
            state_path.write_bytes(orjson.dumps(state))
            state_written = str(state_path)
        except OSError as error:
            print(f"identify: could not write {state_path} ({error}); --continue will not be "
                  f"possible", file=sys.stderr)
    elapsed = time.monotonic() - began
    if args.json:
        payload = {
            "verdict": "identified" if run.identified else NO_GENERATOR,
            "identified": run.identified,
            "alpha": args.alpha,
            "window": plan.window,
            "observed": len(observed),
            "shape": {"description": plan.shape.describe(), "alphabet": plan.shape.alphabet,
                      "digits": plan.shape.digits, "raw_widths": list(plan.shape.raw_widths)},
            "reference": {"unix_seconds": plan.reference_s, "source": plan.reference_source},
            "hypotheses": plan.hypotheses,
            "hypotheses_searched": run.hypotheses_searched,
            "expected_chance_survivors": run.expected_chance_survivors,
            "survivors": len(run.survivors),
            "best": [_survivor_payload(s) | {"equivalent": equivalents.get(i, [])}
                     for i, s in enumerate(run.survivors[:20])],
            "near_miss": _survivor_payload(run.near_miss) if run.near_miss else None,
            "stopped_early": run.stopped_early,
            "stopped_by_budget": run.stopped_by_budget,
            "complete": run.complete,
            "budget_seconds": args.budget,
            "elapsed_seconds": elapsed,
            "covered_prior": run.covered_prior,
            "coverage": _coverage_cells(run),
            "not_applicable": plan.inapplicable,
            "errors": run.errors,
            "tolerated_errors": plan.errors,
            "abandoned_at_deadline": run.abandoned,
            "state_file": state_written,
            "origins": [{"hypothesis": o.hypothesis.model_dump(mode="json"),
                         "outputs_before": o.outputs_before, "chance": o.chance} for o in origins],
            "next": predicted,
            "bounds_that_fit_too": other_bounds,
            "backend": backend.name,
            "identified_by": "seed" if run.identified else None,
            "number_shape": shape.describe(),
            "sieve_reads": ({"shift": start} if start else
                            {"signed32_as_raw": True} if shape.signed32 else {}),
            "state_tier": state_tier.to_json(),
        }
        sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")
        return _finish(run)
    print(f"searched {run.hypotheses_searched:.3g} of the plan's {plan.hypotheses:.3g} hypotheses "
          f"in {elapsed:.0f} s (budget {args.budget:.0f} s); window {plan.window} of "
          f"{len(observed)} draws"
          + (f", up to {plan.errors} wrong" if plan.errors else "")
          + "; p-values corrected for the whole plan, weighted by its priors")
    print(f"expected chance survivors in what was searched: {run.expected_chance_survivors:.3g}")
    if run.survivors:
        print(f"survivors: {len(run.survivors)} (best first)")
        for index, survivor in enumerate(run.survivors[:10]):
            twins = equivalents.get(index)
            read_from = shape.shift + survivor.start
            print(f"  {survivor.hypothesis.describe()}"
                  + (f" (draws from {read_from})" if read_from else "")
                  + f"  matched {survivor.matched}/"
                  f"{survivor.compared}{wrong_draws(survivor)}  corrected p = "
                  f"10^{survivor.log10_p_value:.1f}"
                  + (f"  (same draws: {', '.join(twins)})" if twins else ""))
    if run.identified:
        top = run.survivors[0]
        twins = equivalents.get(0) or []
        names_shown = " = ".join([top.hypothesis.generator, *twins])
        print(f"IDENTIFIED: {top.hypothesis.describe()} (corrected p = "
              f"10^{top.log10_p_value:.1f} < alpha {args.alpha})")
        if plan.errors:
            print(f"  {identified_errors(top)}")
        if start:
            print(f"  each draw is that reduction's value {'+' if start > 0 else '-'} "
                  f"{abs(start)} (a range from {start})")
        elif shape.signed32:
            print("  the draws are those raw words read as signed 32-bit ints")
        elif shape.double_scale:
            print(f"  the draws are its doubles (compared as floor(d * {shape.double_scale}))")
        if twins:
            print(f"  equivalent catalog entries, identical draws for this seed and reduction: "
                  f"{names_shown}")
        if other_bounds:
            print(f"  the draws fit {', '.join(other_bounds)} as well (their largest value never "
                  f"showed): predictions differ once a larger value comes")
    else:
        print(f"verdict: {NO_GENERATOR} (alpha {args.alpha})")
        odds = run.survivors[0] if run.survivors else run.near_miss
        if odds is not None:
            print(f"  best candidate: {odds.hypothesis.describe()}, matched {odds.matched} of "
                  f"{odds.compared} leading draws; chance alone explains that with p = "
                  f"{odds.p_value:.3g}")
    for warning in run.errors:
        print(f"  warning: {warning}")
    if run.stopped_early:
        print("(stopped early: the best hypothesis is beyond doubt)")
    elif run.stopped_by_budget:
        if run.abandoned:
            print(f"(at the deadline a chunk was still running, left unsearched: {run.abandoned})")
        print(f"stopped at the budget: covered {run.covered_prior:.1%} of the plan's prior; "
              f"`--continue` resumes it" + (f" (state in {state_written})" if state_written else ""))
    elif run.complete:
        print("the whole plan was searched")
    if not run.identified:
        _print_coverage(run)
        print("\n".join(state_tier_lines(state_tier)))
    if plan.inapplicable:
        print(f"not searched (no reduction makes these draws): {', '.join(plan.inapplicable)}")
    if predicted is not None:
        print("next draws:", " ".join(shape.print_double(v) if isinstance(v, float) else str(v)
                                      for v in predicted))
    for origin in origins:
        print(f"walked back {origin.outputs_before} outputs to a plausible seed: "
              f"{origin.hypothesis.describe()} (a walk this long meets such a seed by chance "
              f"{origin.chance:.2g} times)")
    return _finish(run)


def bounds_that_fit_too(found: Hypothesis, observed: list[int], shape: DrawShape) -> list[str]:
    """The same seed's reduction at the other bounds the shape searched that make exactly the
    observed draws (``randbelow(20)`` and ``randbelow(21)`` agree until a 20 is drawn): the
    draws cannot tell them apart, and their predictions part at the first larger value."""
    reduction = parse_reduction(found.reduction)
    if reduction.alphabet is None or reduction.kind in ("raw", "digits"):
        return []
    fitting = []
    for bound in (shape.alphabet, *shape.other_bounds):
        if bound is None or bound == reduction.alphabet:
            continue
        spec = (f"{reduction.kind}:{reduction.args[0]}:{reduction.args[0] + bound - 1}"
                if reduction.kind in RANGE_KINDS else f"{reduction.kind}:{bound}")
        try:
            other = found.model_copy(update={"reduction": parse_reduction(spec).spec})
            other = Hypothesis.model_validate(other.model_dump())
            if predict(other, len(observed)) == observed:
                fitting.append(spec)
        except (ValueError, ArithmeticError):
            continue
    return fitting


def _finish(run: PlanRun) -> int:
    """Exit status 0; when a chunk was abandoned at the deadline (a device compile still
    running on its thread), exit now: the interpreter would otherwise wait for it."""
    if run.abandoned and _own_process():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--draws", required=True, metavar="FILE",
                        help="the observed draws: a JSON array, records with a 'draw' field, "
                             "or one integer per line")
    parser.add_argument("--window", type=int, metavar="W",
                        help="leading draws a survivor must match (default: all, up to 64)")
    parser.add_argument("--alpha", type=float, default=0.01,
                        help="significance level for 'identified' (default 0.01)")
    parser.add_argument("--errors", type=int, default=0, metavar="K",
                        help="tolerate up to K wrong draws in the window (transcription "
                             "errors; default 0): a survivor matches at least W - K of its W "
                             "draws, and the statistics count the chance of that exactly")
    parser.add_argument("--backend", choices=BACKEND_NAMES, default="auto",
                        help="auto (default: cuda, else native where a C compiler with "
                             "OpenMP builds it, else opencl, else numpy) or a named backend")
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
                        help="raw outputs consumed after seeding before the first observed draw, "
                             "B exclusive (default 0:1)")
    parser.add_argument("--skip", default="0", metavar="SPEC",
                        help="raw outputs discarded between observed draws: K, A:B (one constant "
                             "in A..B) or var:A:B (chosen per draw) (default 0). A program that "
                             "discards K outputs before each draw is --offsets K:K+1 --skip K")
    parser.add_argument("--reduce", metavar="SPECS",
                        help="comma-separated reductions (default: each generator's own bounded "
                             "integer, mod and float_mul, with N inferred from the draws)")
    parser.add_argument("--survivors", metavar="FILE", help="write every survivor to an npz file")
    parser.set_defaults(func=_cmd_sieve)


def register_identify(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "identify", help="search the whole catalog with the default plan",
        description="The forensic main job: what generator, seed and position made these draws. "
                    "The plan infers the reductions from the draws (raw words, the runtime's own "
                    "bounded integer, mod, float_mul, K digits), then searches where seeds are "
                    "likeliest per second of measured cost, by each generator's prior (`watcher "
                    "prng list`): small integers up to 10**7, Unix seconds and milliseconds newest "
                    "first from the first draw's timestamp (or --around, or now), then the full "
                    "32-bit space, and small seeds up to 10,000 outputs deep; offsets and skips "
                    "in raw outputs. Before the seeds, a state tier recovers every generator whose "
                    "state the draws are enough to solve for (any seed; doubles and signed ints "
                    "too). The budget is a hard "
                    "wall-clock limit, compiles included; a stopped search reports what it covered "
                    "(tier x generator) and the odds that the covered part held the answer, and "
                    "`--continue` resumes it.")
    _common(parser)
    parser.add_argument("--around", metavar="TIME",
                        help="search time seeds around TIME (ISO-8601 or Unix seconds), a day on "
                             "both sides, instead of back from the first draw's timestamp")
    parser.add_argument("--budget", type=float, default=180.0, metavar="SECONDS",
                        help="wall-clock limit, planning and device compiles included "
                             "(default 180)")
    parser.add_argument("--continue", dest="continue_search", action="store_true",
                        help="resume the search that stopped at its budget for these draws")
    parser.add_argument("--state", metavar="FILE",
                        help="where a stopped search is kept for --continue (default: "
                             "DRAWS.identify-state.json beside the draw file)")
    parser.add_argument("--cost-cache", metavar="FILE",
                        help="measured seeds/s per generator and backend, kept between runs "
                             "(default: $WATCHER_CACHE_DIR or ~/.cache/prng-watcher)")
    parser.add_argument("--generators", metavar="NAMES",
                        help="restrict to these generators (default: the whole catalog)")
    parser.add_argument("--reduce", metavar="SPECS",
                        help="comma-separated reductions instead of the inferred ones")
    parser.add_argument("--offsets", type=_range_arg, default=(0, 8), metavar="A:B",
                        help="raw outputs consumed after seeding before the first observed draw, "
                             "B exclusive (default 0:8)")
    parser.add_argument("--skip", default="0:1", metavar="SPEC",
                        help="raw outputs discarded between observed draws: K, A:B or var:A:B "
                             "(default 0:1)")
    parser.add_argument("--walk-back", type=int, default=100_000, metavar="N",
                        help="for a generator whose state is its seed, step back up to N outputs "
                             "from the state found, looking for a small-integer seed or one within "
                             "a day of the reference time (default 100000; 0 to skip)")
    parser.add_argument("--legacy", action="store_true",
                        help="include the original system's compatibility families")
    parser.set_defaults(func=_cmd_identify)
