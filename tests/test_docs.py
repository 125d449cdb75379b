"""docs/architecture.md and docs/generators.md say what the code does: the diagram is the state
table's, the catalog is the registry's, the steps are machine/steps.py's, every path they name
exists, and the code cites them rather than documents that are not in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kernels.reductions import REDUCTION_KINDS
from kernels.registry import all_generators
from machine.statechart import mermaid
from machine.steps import STEPS

REPO = Path(__file__).resolve().parents[1]
ARCHITECTURE = REPO / "docs" / "architecture.md"
GENERATORS = REPO / "docs" / "generators.md"
DOCS = (ARCHITECTURE, GENERATORS)


def _mermaid_block(text: str) -> str:
    blocks = re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "architecture.md holds one Mermaid diagram"
    return blocks[0]


def test_the_diagram_is_the_state_table() -> None:
    assert _mermaid_block(ARCHITECTURE.read_text()) == mermaid(), (
        "the state table changed: paste the output of `watcher machine --diagram` into "
        "docs/architecture.md"
    )


def test_the_step_table_is_machine_steps() -> None:
    rows = re.findall(r"^\| (\d) \| `(\w+)` \| [^|]+ \| (yes|no) \|$", ARCHITECTURE.read_text(),
                      flags=re.M)
    assert rows == [(str(s.number), s.name, "yes" if s.gpu_heavy else "no") for s in STEPS]


def _catalog_rows(text: str) -> dict[str, set[str]]:
    section = text.split("## The entries", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for family, entries in re.findall(r"^\| `(\w+)`:[^|]*\| (.*) \|$", section, flags=re.M):
        rows[family] = set(re.findall(r"`(\w+)`", entries))
    return rows


def test_the_catalog_is_the_registry() -> None:
    registry: dict[str, set[str]] = {}
    for name, cls in all_generators().items():
        registry.setdefault(cls.family, set()).add(name)
    assert _catalog_rows(GENERATORS.read_text()) == registry
    counts = re.search(r"(\d+) entries: (\d+) generators met in real code and (\d+) compatibility",
                       GENERATORS.read_text())
    assert counts is not None
    legacy = sum(1 for cls in all_generators().values() if cls.legacy)
    assert tuple(map(int, counts.groups())) == (len(all_generators()),
                                                len(all_generators()) - legacy, legacy)


def test_every_reduction_kind_is_described() -> None:
    section = GENERATORS.read_text().split("## Reductions", 1)[1]
    described = set(re.findall(r"^\| `(\w+)", section, flags=re.M))
    described |= set(re.findall(r"^\| `\w+:[\w:]+`, `(\w+)", section, flags=re.M))
    assert described == set(REDUCTION_KINDS)


def _named_paths(text: str) -> set[str]:
    """Repository paths the text names in backticks (placeholders like ``<name>`` left out)."""
    paths = set()
    for token in re.findall(r"`([^`\s]+)`", text):
        token = token.rstrip(",.:")
        if "<" in token or "*" in token or token.startswith(("-", "$")):
            continue
        if "/" in token or token.endswith((".py", ".md", ".sh", ".toml")):
            if not token.startswith(("http", "jdk.", "java.")):
                paths.add(token.split("#")[0])
    return paths


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_path_a_doc_names_exists(doc: Path) -> None:
    named = _named_paths(doc.read_text())
    assert len(named) > 5
    missing = sorted(p for p in named if not (REPO / p).exists() and not (doc.parent / p).exists())
    assert missing == []


def test_the_path_check_catches_a_missing_path(tmp_path: Path) -> None:
    named = _named_paths("see `machine/nowhere.py`, `handlers/<name>.py` and `ledger/`")
    assert named == {"machine/nowhere.py", "ledger/"}


def test_the_readme_links_both_docs() -> None:
    readme = (REPO / "README.md").read_text()
    assert "(docs/architecture.md)" in readme and "(docs/generators.md)" in readme


#: Documents outside the repository, and issue trackers, that code must not send a reader to.
_FOREIGN = re.compile(r"ARCHITECTURE\.md|GENERATORS\.md|(?i:\bthe issue\b|\bissue \d|design card)")


def test_code_cites_the_docs_in_the_repository() -> None:
    hits = []
    for path in sorted(REPO.rglob("*.py")):
        relative = path.relative_to(REPO)
        if relative.parts[0].startswith(".") or path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _FOREIGN.search(line):
                hits.append(f"{relative}:{number}: {line.strip()}")
    assert hits == []
