"""The grammar files and their models: load once, check loudly, parse answers.

``grammars/<name>.gbnf`` pairs with ``VERDICT_MODELS[name]``. :func:`load_grammars` reads
every file once per process and refuses to go on when the set of files and the set of models
differ, when a file does not parse, or when a file is not what its model generates today (a
hand edit, or a model changed without ``python -m grammars.generate``). The check against
llama.cpp's own parser needs a loaded vocabulary and happens in the LLM service's start.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ValidationError

from .gbnf import Grammar, GrammarError, admits, parse_gbnf, schema_to_gbnf
from .models import VERDICT_MODELS

__all__ = [
    "GRAMMAR_DIR",
    "GrammarSpec",
    "VerdictParseError",
    "generate_grammar",
    "load_grammars",
    "get_grammar",
    "parse_verdict",
]

#: Where the grammar files live (inside the package, shipped as package data).
GRAMMAR_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class GrammarSpec:
    """One grammar: its name, GBNF text, SHA256 of the text's UTF-8 bytes, parsed tree and
    the model every answer is validated against."""

    name: str
    text: str
    sha256: str
    tree: Grammar
    model: type[BaseModel]
    path: Path

    def admits(self, answer: str) -> bool:
        """Whether this grammar admits ``answer``."""
        return admits(self.tree, answer)


class VerdictParseError(ValueError):
    """An answer that the grammar does not admit or the model does not accept."""


def generate_grammar(name: str) -> str:
    """The GBNF text that ``VERDICT_MODELS[name]`` generates (what the file must hold)."""
    model = VERDICT_MODELS[name]
    return schema_to_gbnf(model.model_json_schema(), title=name)


_LOCK = threading.Lock()
_LOADED: dict[str, GrammarSpec] | None = None


def _load(directory: Path) -> dict[str, GrammarSpec]:
    files = {p.stem: p for p in sorted(directory.glob("*.gbnf"))}
    if set(files) != set(VERDICT_MODELS):
        missing = sorted(set(VERDICT_MODELS) - set(files))
        orphans = sorted(set(files) - set(VERDICT_MODELS))
        raise GrammarError(
            f"grammar files and verdict models differ: models without a file {missing}, "
            f"files without a model {orphans}"
        )
    out: dict[str, GrammarSpec] = {}
    for name, path in files.items():
        text = path.read_text(encoding="utf-8")
        if text != generate_grammar(name):
            raise GrammarError(
                f"{path} is not what its model generates; run `python -m grammars.generate`"
            )
        tree = parse_gbnf(text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        out[name] = GrammarSpec(name, text, digest, tree, VERDICT_MODELS[name], path)
    return out


def load_grammars(directory: Path | None = None) -> Mapping[str, GrammarSpec]:
    """Every grammar, keyed by name. Loaded and checked once per process for the package's
    own folder (``GrammarError`` on any mismatch); another ``directory`` is read afresh."""
    global _LOADED
    if directory is not None:
        return _load(directory)
    with _LOCK:
        if _LOADED is None:
            _LOADED = _load(GRAMMAR_DIR)
        return dict(_LOADED)


def get_grammar(name: str) -> GrammarSpec:
    """One grammar by name (``KeyError`` for an unknown name)."""
    grammars = load_grammars()
    if name not in grammars:
        raise KeyError(f"unknown grammar {name!r}; known: {sorted(grammars)}")
    return grammars[name]


def parse_verdict(name: str, answer: str) -> Any:
    """Validate an LLM answer: admitted by grammar ``name`` and accepted by its model.

    Both checks, because a truncated generation (token or time limit) can be cut inside the
    grammar, and because the model is the contract consumers read.
    """
    spec = get_grammar(name)
    if not spec.admits(answer):
        raise VerdictParseError(f"answer is not admitted by grammar {name!r}: {answer[:200]!r}")
    try:
        return spec.model.model_validate_json(answer)
    except ValidationError as error:
        raise VerdictParseError(f"answer does not fit model {spec.model.__name__}: {error}") from None
