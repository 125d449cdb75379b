"""The `watcher` command line.

Subcommands are contributed through the ``prng_watcher.cli`` entry-point group: each entry is a
callable ``register(subparsers)`` that adds its parsers and sets ``func`` on them. This keeps
the dependency arrows of the design card pointing one way (machine/ never imports kernels/).

Errors that come from bad input are reported as one line on stderr, never as a traceback:
any ``ValueError`` or ``OSError`` raised by a subcommand ends the program with exit code 2.
Set ``WATCHER_DEBUG=1`` to see the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import entry_points
from typing import Callable, Sequence

__all__ = ["main", "build_parser", "EXIT_USAGE"]

EXIT_USAGE = 2

CommandProvider = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _providers() -> list[tuple[str, CommandProvider]]:
    found = sorted(entry_points(group="prng_watcher.cli"), key=lambda ep: ep.name)
    return [(ep.name, ep.load()) for ep in found]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="watcher",
        description=(
            "prng-watcher: tell, with honest statistics, whether a sequence of numbers came from "
            "a known pseudo-random generator, and keep watching as new draws arrive. Every "
            "decision is recorded in an append-only, replayable ledger."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for _name, register in _providers():
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except (ValueError, OSError) as error:
        if os.environ.get("WATCHER_DEBUG"):
            raise
        print(f"watcher: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("watcher: interrupted", file=sys.stderr)
        return 130
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
