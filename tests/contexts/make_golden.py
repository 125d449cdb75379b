"""Regenerate the golden prompt hashes: ``python -m tests.contexts.make_golden``.

The only way ``golden_prompts.json`` changes. Run it after a deliberate change to the
rendering (and bump ``contexts.CONTEXT_VERSION``); review the diff of the prompts it prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.contexts.cases import GOLDEN_CASES, build_case

GOLDEN = Path(__file__).with_name("golden_prompts.json")


def main() -> int:
    table = {}
    for name in GOLDEN_CASES:
        prompt, grammar, bundle = build_case(name)
        table[name] = {"grammar": grammar, "prompt_sha256": bundle.prompt_sha256,
                       "bytes": len(prompt.encode("utf-8"))}
    GOLDEN.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(table)} golden prompt hashes to {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
