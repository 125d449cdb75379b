"""Write (or check) every grammar file from its model: ``python -m grammars.generate [--check]``.

This is the only way the ``*.gbnf`` files change. ``--check`` exits 1 when a file differs
from what its model generates, or when files and models do not pair up.
"""

from __future__ import annotations

import argparse
import sys

from .models import VERDICT_MODELS
from .registry import GRAMMAR_DIR, generate_grammar

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Regenerate the grammar files; with ``--check`` only compare."""
    parser = argparse.ArgumentParser(prog="python -m grammars.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on drift")
    args = parser.parse_args(argv)
    stale = []
    for name in sorted(VERDICT_MODELS):
        path = GRAMMAR_DIR / f"{name}.gbnf"
        text = generate_grammar(name)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path.name)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    orphans = sorted(
        p.name for p in GRAMMAR_DIR.glob("*.gbnf") if p.stem not in VERDICT_MODELS
    )
    if args.check:
        for name in stale:
            print(f"stale: {name}")
        for name in orphans:
            print(f"no model: {name}")
        return 1 if stale or orphans else 0
    for name in stale:
        print(f"wrote {name}")
    for name in orphans:
        print(f"warning: {name} has no model; delete it", file=sys.stderr)
    return 1 if orphans else 0


if __name__ == "__main__":
    sys.exit(main())
