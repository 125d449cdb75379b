"""The set of grammar files equals the set of verdict models, both ways, and the files are
exactly what the models generate (one source of truth)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grammars import GRAMMAR_DIR, VERDICT_MODELS, GrammarError, generate_grammar, load_grammars
from grammars.gbnf import parse_gbnf, schema_to_gbnf


def test_every_model_has_a_grammar_file_and_every_file_a_model() -> None:
    files = {p.stem for p in GRAMMAR_DIR.glob("*.gbnf")}
    assert files == set(VERDICT_MODELS)


def test_the_issue_s_grammars_are_all_there() -> None:
    assert {"step_verdict", "request_validation", "chapter13_proposal", "selfplay_evaluation",
            "sieve_analysis", "strategy_advisor"} <= set(VERDICT_MODELS)


@pytest.mark.parametrize("name", sorted(VERDICT_MODELS))
def test_each_file_is_what_its_model_generates(name: str) -> None:
    path = GRAMMAR_DIR / f"{name}.gbnf"
    assert path.read_text(encoding="utf-8") == generate_grammar(name)
    parse_gbnf(path.read_text(encoding="utf-8"))


def test_the_generate_script_checks_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "grammars.generate", "--check"],
                          capture_output=True, text=True, cwd=GRAMMAR_DIR.parent)
    assert done.returncode == 0, done.stdout + done.stderr


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "g"
    target.mkdir(parents=True)
    for path in GRAMMAR_DIR.glob("*.gbnf"):
        shutil.copy(path, target / path.name)
    return target


def test_loading_fails_loudly_on_a_hand_edited_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "step_verdict.gbnf"
    path.write_text(path.read_text().replace("{1,160}", "{1,999}"))
    with pytest.raises(GrammarError, match="not what its model generates"):
        load_grammars(folder)


def test_loading_fails_loudly_on_a_missing_or_orphan_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "sieve_analysis.gbnf").unlink()
    with pytest.raises(GrammarError, match="sieve_analysis"):
        load_grammars(folder)
    folder = _copy(tmp_path / "x")
    (folder / "orphan.gbnf").write_text('root ::= "x"\n')
    with pytest.raises(GrammarError, match="orphan"):
        load_grammars(folder)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
        {"type": "object", "properties": {"a": {"type": "number", "minimum": 0, "maximum": 1}},
         "additionalProperties": False},
        {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "boolean"}}},
         "additionalProperties": False},
        {"type": "object", "properties": {"a": {"type": "boolean"}}},
    ],
)
def test_the_generator_refuses_what_it_cannot_bound(schema: dict) -> None:
    """Unbounded text, numbers without the Decimal marker, unbounded lists, open objects."""
    with pytest.raises(GrammarError):
        schema_to_gbnf(schema, title="t")


def test_the_parser_reads_the_gbnf_features_llama_cpp_documents() -> None:
    from grammars.gbnf import admits

    tree = parse_gbnf(
        '# comment\nroot ::= "a"? item+ ("," item)* end\n'
        'item ::= [a-c] | [^\\x00-\\x60] "\\n"\nend ::= "!"{2} "?"{0,1} [0-9]{1,}\n'
    )
    assert admits(tree, "ab,c!!1")
    assert admits(tree, "b,z\n!!?42")
    assert not admits(tree, "ab!1")
    assert not admits(tree, "ab,!!1")
    with pytest.raises(GrammarError):
        parse_gbnf("root ::= missing\n")
