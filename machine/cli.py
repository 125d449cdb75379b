"""The `watcher` command line.

Subcommands are contributed through the ``prng_watcher.cli`` entry-point group: each entry is a
callable ``register(subparsers)`` that adds its parsers and sets ``func`` on them. This keeps
the folders' dependencies pointing one way (machine/ never imports kernels/; see
docs/architecture.md).

Errors that come from bad input are reported as one line on stderr, never as a traceback:
any ``ValueError``, ``OSError`` or ledger error (tampered, locked by another writer) raised by
a subcommand ends the program with exit code 2. Set ``WATCHER_DEBUG=1`` to see the traceback
instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import entry_points
from typing import Callable, Sequence

from ledger import LedgerError

__all__ = ["main", "build_parser", "EXIT_USAGE"]

EXIT_USAGE = 2

CommandProvider = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _providers(only: str | None = None) -> list[tuple[str, CommandProvider]]:
    found = sorted(entry_points(group="prng_watcher.cli"), key=lambda ep: ep.name)
    if only is not None and any(ep.name == only for ep in found):
        # one command asked for: load only its module (the others' imports, the kernels' numba
        # and OpenCL among them, cost a second at every start of a per-draw `watcher ingest`)
        found = [ep for ep in found if ep.name == only]
    providers = []
    for ep in found:
        # One broken contributor must not take every other command down with it.
        try:
            providers.append((ep.name, ep.load()))
        except Exception as error:  # noqa: BLE001 - reported, then skipped
            print(
                f"watcher: warning: command {ep.name!r} unavailable ({ep.value}): {error}",
                file=sys.stderr,
            )
    return providers


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
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
    for _name, register in _providers(only):
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    # the command is the first word; options before it (`watcher --help`) need every command
    parser = build_parser(words[0] if words and not words[0].startswith("-") else None)
    args = parser.parse_args(words)
    try:
        code = args.func(args)
    except BrokenPipeError:
        # The reader went away (`watcher status --json | head`): not an error of ours. Point
        # stdout at /dev/null so the interpreter's final flush does not complain again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 0
    except (ValueError, OSError, LedgerError) as error:
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
