"""``watcher predictions`` and ``watcher report``: what the WATCHER predicted and how it went,
for a terminal, a script, or a person with a browser.

Both read the ledger without its lock (a daemon may be writing) through the read models of
``projections``: :class:`projections.PredictionsView` for every prediction with its outcome, and
:func:`projections.report.render_report` for the HTML page.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from ledger import format_ts, read_ledger
from projections import PredictionsView
from projections.report import render_report

from .commands_cli import _echo, _home_arg, _json_arg, _print_json
from .home import locate_home

__all__ = ["register_predictions", "register_report", "prediction_line"]

Subparsers = Any  # argparse._SubParsersAction (private in typeshed)


def _ledger_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ledger", metavar="FILE",
                        help="read this ledger file (a copy, an archive) instead of the home's")


def _ledger_path(args: argparse.Namespace) -> Path:
    if args.ledger is None:
        return locate_home(args.home).require().ledger
    path = Path(args.ledger)
    if not path.is_file():
        raise ValueError(f"{path}: no such ledger file")
    return path


def register_predictions(subparsers: Subparsers) -> None:
    """``watcher predictions``."""
    p = subparsers.add_parser(
        "predictions",
        help="every prediction with its outcome (hit, rank, probability) or open",
        description=(
            "List every PredictionIssued in the ledger with its outcome: the draw that arrived "
            "at its target index, whether the pool held it, its rank in the pool (1 = most "
            "probable) and the probability the pool gave it; 'open' while that draw has not "
            "arrived. 'chance' is the rate at which a pool of that size hits a uniform draw. "
            "The first line sums the hits against the hits chance alone would give."
        ),
    )
    _home_arg(p)
    _ledger_arg(p)
    _json_arg(p, "the summary and every prediction")
    p.add_argument("--open", action="store_true", help="only the predictions still open")
    p.add_argument("--last", type=int, metavar="N", help="only the newest N predictions")
    p.set_defaults(func=_cmd_predictions)


def prediction_line(item: dict[str, Any]) -> str:
    """One prediction as a terminal line (before escaping)."""
    pool = item["pool"]
    values = " ".join(str(d) for d, _p in pool[:4]) + (f" +{len(pool) - 4}" if len(pool) > 4
                                                      else "")
    chance = "-" if item["chance"] is None else f"{item['chance']:.3g}"
    if item["status"] == "scored":
        outcome = (f"{item['draw']:>6}  {'hit' if item['hit'] else 'miss':<5}"
                   f"{item['rank'] if item['rank'] is not None else '-':>5}  "
                   f"{item['probability']:.3g}")
    elif item["draw"] is not None:  # late: shown, not counted
        outcome = f"{item['draw']:>6}  {item['status']} (issued after its draw; not counted)"
    else:
        outcome = f"{'-':>6}  {item['status']}"
    kind = "identified" if item["identified"] else "chance"
    return f"{item['target_index']:>7}  {kind:<10}  {values:<22} {chance:>7}  {outcome}"


def _cmd_predictions(args: argparse.Namespace) -> int:
    if args.last is not None and args.last < 1:
        raise ValueError("--last must be at least 1")
    view = PredictionsView()
    view.apply_all(read_ledger(_ledger_path(args)))
    items = [i for i in view.items if i["status"] == "open"] if args.open else view.items
    if args.last is not None:
        items = items[-args.last:]
    summary = view.summary()
    if args.json:
        _print_json({"summary": {**summary, "draws": view.draws, "alphabet": view.alphabet},
                     "predictions": items})
        return 0
    expected = summary["expected_hits"]
    _echo(f"{summary['predictions']} prediction(s) over {view.draws} draw(s): "
          f"{summary['scored']} scored, {summary['hits']} hit(s)"
          + ("" if expected is None else f" (chance alone: {expected:.3g})")
          + f", {summary['open']} open"
          + (f"; identified: {summary['identified_hits']} of {summary['identified']} exact"
             if summary["identified"] else ""))
    if not items:
        return 0
    _echo(f"{'target':>7}  {'kind':<10}  {'pool':<22} {'chance':>7}  {'draw':>6}  "
          f"{'out':<5}{'rank':>5}  probability")
    for item in items:
        _echo(prediction_line(item))
    return 0


def register_report(subparsers: Subparsers) -> None:
    """``watcher report``."""
    p = subparsers.add_parser(
        "report",
        help="write one self-contained HTML page of the draws, predictions, runs and decisions",
        description=(
            "Write an HTML page that reads offline (CSS and SVG charts inline, no scripts, no "
            "fonts or images fetched): the draws; the hit rate against the chance band over "
            "time; each identification with its lag and evidence; survivors against the "
            "survivors chance alone would give, per sieve run; the timeline of triggers, "
            "proposals, verdicts, runs and promotions; and every prediction with its outcome."
        ),
    )
    _home_arg(p)
    _ledger_arg(p)
    p.add_argument("--out", metavar="FILE", default="report.html",
                   help="where to write the page (default report.html; - for stdout)")
    p.add_argument("--title", default="prng-watcher report", help="the page's title")
    p.set_defaults(func=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    ledger = _ledger_path(args)
    generated = format_ts(_dt.datetime.now(_dt.timezone.utc))
    page = render_report(read_ledger(ledger), title=args.title, source=str(ledger),
                         generated=generated)
    if args.out == "-":
        sys.stdout.write(page)
        return 0
    out = Path(args.out)
    # Written beside its place, then renamed: a browser never shows half a page.
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _echo(f"report: {out} ({len(page.encode()) // 1024 + 1} KiB)")
    return 0
