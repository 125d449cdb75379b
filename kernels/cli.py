"""`watcher prng ...` and `watcher inject`: the catalog, hypotheses' draws, the synthetic injector."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from kernels.draws import write_draws
from kernels.observation import (OBSERVATION_MODEL, Hypothesis, SkipSchedule, parse_skip,
                                 predict, upgrade_draw_offset)
from kernels.recovery import recovery_needs
from kernels.reductions import supported_reductions
from kernels.registry import all_generators, get_generator

__all__ = ["register_prng", "register_inject", "catalog_rows", "hypothesis_from_args",
           "truth_path_for", "read_truth", "TRUTH_VERSION"]

#: the most draws one `generate` or `inject` call produces
MAX_DRAWS = 10_000_000


def _int_arg(text: str) -> int:
    """Integers in decimal or with a 0x / 0o / 0b prefix."""
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _count_arg(text: str) -> int:
    value = _int_arg(text)
    if not 0 <= value <= MAX_DRAWS:
        raise argparse.ArgumentTypeError(f"must be 0..{MAX_DRAWS}, got {value}")
    return value


def _print_json(payload: Any) -> None:
    sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")


def catalog_rows(include_legacy: bool = True) -> list[dict[str, Any]]:
    """One row per registered generator, as `watcher prng list` shows it."""
    rows = []
    for name, cls in all_generators().items():
        if cls.legacy and not include_legacy:
            continue
        rows.append({
            "name": name,
            "family": cls.family,
            "seeding": cls.seeding,
            "state_bits": cls.state_bits,
            "output_bits": cls.output_bits,
            "seed_space": cls.seed_space,
            "invertible": cls.invertible,
            "legacy": cls.legacy,
            "native_below": cls.native_below,
            "reductions": supported_reductions(cls),
            "recovery_needs": recovery_needs(name),
            "vouched_by": cls.vouched_by,
            "prior": cls.prior,
        })
    return rows


def _cmd_list(args: argparse.Namespace) -> int:
    rows = catalog_rows(include_legacy=not args.no_legacy)
    if args.json:
        _print_json(rows)
        return 0
    header = ("name", "family", "prior", "state", "out", "inv", "seed space", "reductions")
    table = [header] + [
        (row["name"] + (" (legacy)" if row["legacy"] else ""), row["family"], f"{row['prior']:g}",
         str(row["state_bits"]),
         str(row["output_bits"]), "yes" if row["invertible"] else "no", row["seed_space"],
         ",".join(row["reductions"]))
        for row in rows
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        print("  ".join(cells + [row[-1]]))
    recoverable = [row for row in rows if row["recovery_needs"]]
    if recoverable:
        print("\nstate recovery (`watcher recover`, identify's state tier): draws each reduction "
              "needs to recover the state from any seed")
        width = max(len(row["name"]) for row in recoverable)
        for row in recoverable:
            needs = ", ".join(f"{spec} {count:,}" for spec, count in row["recovery_needs"].items())
            print(f"  {row['name'].ljust(width)}  {needs}")
    real = sum(1 for row in rows if not row["legacy"])
    print(f"\n{real} generators, {len(rows) - real} legacy; `watcher prng list --json` for seeding "
          "conventions and the runtime that vouches for each. prior: how often the generator is "
          "met in real code (relative weight; `watcher identify` searches the likeliest first).")
    return 0


def _add_hypothesis_args(parser: argparse.ArgumentParser, *, generator_flag: bool) -> None:
    if generator_flag:
        parser.add_argument("--generator", "-g", required=True, metavar="NAME",
                            help="registry name (see `watcher prng list`)")
    else:
        parser.add_argument("generator", metavar="NAME", help="registry name (see `watcher prng list`)")
    parser.add_argument("--seed", "-s", type=_int_arg, required=True,
                        help="the seed, as the runtime is seeded (decimal or 0x...)")
    parser.add_argument("-n", type=_count_arg, required=True, help="number of draws")
    parser.add_argument("--reduce", default="raw", metavar="SPEC",
                        help="how raw outputs become draws: raw (default), mod:N, java_nextint:N, "
                             "python_randbelow:N, masked:N, c_rand_mod:N, float_mul:N, "
                             "php_range:A:B, php_legacy_range:A:B, lua_range:A:B, digits:K")
    parser.add_argument("--offset", type=_int_arg, default=0, metavar="K",
                        help="raw outputs consumed after seeding, before the first draw "
                             "(default 0)")
    parser.add_argument("--skip", default="0", metavar="SPEC",
                        help="raw outputs discarded between draws: K, or a list K0,K1,... whose "
                             "last value repeats (default 0). Discarding K outputs before each "
                             "draw is --offset K --skip K")


def hypothesis_from_args(args: argparse.Namespace) -> Hypothesis:
    """Build and validate the hypothesis the command-line arguments describe."""
    from pydantic import ValidationError

    get_generator(args.generator)  # unknown names get the "did you mean" message
    try:
        return Hypothesis(generator=args.generator, seed=args.seed, reduction=args.reduce,
                          offset=args.offset, skip=parse_skip(args.skip))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise ValueError(f"{where + ': ' if where else ''}{message}") from None


def _cmd_generate(args: argparse.Namespace) -> int:
    draws = predict(hypothesis_from_args(args), args.n)
    if args.json:
        sys.stdout.write(orjson.dumps(draws).decode() + "\n")
    else:
        sys.stdout.write("".join(f"{d}\n" for d in draws))
    return 0


#: version of the injector's truth file: 2 holds a hypothesis of observation model 2 (offsets
#: and skips in raw outputs); files without a version hold one of model 1 (offsets in draws)
TRUTH_VERSION = 2


def truth_path_for(draws_path: Path) -> Path:
    """``draws.json`` -> ``draws.truth.json``: where the injector keeps the truth."""
    return draws_path.with_name(f"{draws_path.stem}.truth{draws_path.suffix or '.json'}")


def read_truth(path: str | Path) -> tuple[Hypothesis, dict[str, Any]]:
    """The hypothesis of an injector truth file (in the current observation model) and the
    whole record. A version-1 file (offset counted in draws) is converted exactly and checked
    against the next draws it recorded; a file this version cannot read is refused."""
    record = orjson.loads(Path(path).read_bytes())
    version = record.get("version", 1)
    if version == TRUTH_VERSION:
        return Hypothesis.model_validate(record["hypothesis"]), record
    if version != 1:
        raise ValueError(f"{path}: truth file version {version}; this version of watcher reads "
                         f"versions 1 and {TRUTH_VERSION}")
    old = record["hypothesis"]
    skip = SkipSchedule.model_validate(old.get("skip", {}))
    try:
        hypothesis = upgrade_draw_offset(old["generator"], old["seed"], old.get("reduction", "raw"),
                                         old.get("offset", 0), skip)
    except ValueError as error:
        raise ValueError(f"{path}: a version-1 truth file (offset in draws) that the current "
                         f"observation model cannot express: {error}") from None
    if predict(hypothesis, record["n"] + len(record["next"]))[record["n"]:] != record["next"]:
        raise ValueError(f"{path}: a version-1 truth file whose converted hypothesis does not "
                         "reproduce its recorded next draws")
    return hypothesis, record


def _cmd_inject(args: argparse.Namespace) -> int:
    hypothesis = hypothesis_from_args(args)
    out = Path(args.output)
    truth = truth_path_for(out)
    if not args.force:
        for path in (out, truth):
            if path.exists():
                raise ValueError(f"{path} exists (use --force to overwrite)")
    draws = predict(hypothesis, args.n)
    write_draws(out, draws)
    truth_record = {"version": TRUTH_VERSION, "observation_model": OBSERVATION_MODEL,
                    "hypothesis": hypothesis.model_dump(mode="json"), "n": args.n,
                    "draws_file": out.name, "next": predict(hypothesis, args.n + 10)[args.n:]}
    truth.write_bytes(orjson.dumps(truth_record, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"wrote {len(draws)} draws to {out}; the truth to {truth}", file=sys.stderr)
    return 0


def register_prng(subparsers: Any) -> None:
    prng = subparsers.add_parser(
        "prng", help="the generator catalog and the draws a hypothesis implies",
        description="Inspect the generator catalog and compute the draws a hypothesis implies "
                    "(generator, seed, reduction, offset, skip), exactly as the sieve and the "
                    "predictions define them.")
    sub = prng.add_subparsers(dest="prng_command", metavar="SUBCOMMAND")
    sub.required = True

    listing = sub.add_parser("list", help="list every generator",
                             description="List every generator: family, seeding convention, state "
                                         "and output bits, seed space, invertibility, reductions.")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.add_argument("--no-legacy", action="store_true",
                         help="hide the original system's compatibility families")
    listing.set_defaults(func=_cmd_list)

    generate = sub.add_parser(
        "generate", help="print the draws of a hypothesis",
        description="Print the draws a hypothesis implies, one per line (or a JSON array).",
        epilog="example: watcher prng generate java_random --seed 42 -n 5 --reduce java_nextint:1000")
    _add_hypothesis_args(generate, generator_flag=False)
    generate.add_argument("--json", action="store_true", help="print a JSON array")
    generate.set_defaults(func=_cmd_generate)


def register_inject(subparsers: Any) -> None:
    inject = subparsers.add_parser(
        "inject", help="write a synthetic draw file from a known hypothesis",
        description="The synthetic injector: write the draws of a hypothesis to a draw file (a bare "
                    "JSON array) and the truth (the hypothesis and the next 10 draws) to a separate "
                    "FILE.truth.json, never into the draw file itself. The truth file carries "
                    "a version: 2 counts --offset and --skip in raw outputs.",
        epilog="example: watcher inject --generator mt19937 --seed 1234 -n 200 --reduce mod:1000 "
               "-o draws.json")
    _add_hypothesis_args(inject, generator_flag=True)
    inject.add_argument("-o", "--output", required=True, metavar="FILE", help="the draw file to write")
    inject.add_argument("--force", action="store_true", help="overwrite existing files")
    inject.set_defaults(func=_cmd_inject)
