"""The folders depend on each other one way only (docs/architecture.md, the folder table).

Every ``import`` of every module of the package folders is read with ``ast`` (those inside
functions too) and checked against what its folder may import. The rules are those of the
folder table, as the code keeps them today:

- ``ledger`` imports the standard library, orjson, pydantic and numpy (the writer's compact
  id set), nothing else;
- ``grammars`` imports the standard library and pydantic, nothing else;
- ``kernels`` imports no other folder of the package (the machine least of all);
- ``machine`` imports ``ledger`` and ``projections``, never ``kernels``, ``handlers`` or
  ``contexts`` (handlers are found through entry points);
- ``projections`` imports ``ledger`` and the machine's contracts: its models and single
  definitions (events, commands, requests, policies, steps, the folded state, verdict rules),
  which import nothing of the machine but each other, so never what runs the machine;
- ``contexts`` imports ``projections``, ``grammars`` and the machine's contracts;
- ``handlers`` may import the other folders, but not what decides what runs next.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("ledger", "machine", "kernels", "handlers", "projections", "contexts", "grammars")
#: The machine's contracts: what other folders may know of the machine without running it.
MACHINE_CONTRACTS = ("machine.events", "machine.commands", "machine.requests", "machine.policies",
                     "machine.loop_policy", "machine.steps", "machine.state", "machine.verdicts")


@dataclass(frozen=True)
class Rule:
    """What one folder may import: ``folders`` (a folder, or one of its modules),
    ``third_party`` (``None``: any), and ``never`` (modules refused even if a folder allows
    them)."""

    folders: tuple[str, ...]
    third_party: tuple[str, ...] | None = None
    never: tuple[str, ...] = ()


RULES: dict[str, Rule] = {
    "ledger": Rule(folders=(), third_party=("orjson", "pydantic", "numpy")),
    "grammars": Rule(folders=(), third_party=("pydantic",)),
    "kernels": Rule(folders=()),
    "machine": Rule(folders=("ledger", "projections")),
    "projections": Rule(folders=("ledger", *MACHINE_CONTRACTS)),
    "contexts": Rule(folders=("projections", "grammars", *MACHINE_CONTRACTS)),
    "handlers": Rule(folders=("kernels", "contexts", "ledger", "projections", "grammars",
                              "machine"),
                     never=("machine.decide", "machine.statechart")),
}


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name of the imported module
    where: str  # path:line of the import statement


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    """Every module ``path`` imports, relative imports resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, where) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                base = ".".join(package[: len(package) - node.level + 1]
                                + ([node.module] if node.module else []))
            # ``from machine import events`` imports the module machine.events.
            found.extend(Import(f"{base}.{alias.name}" if alias.name != "*" else base, where)
                         for alias in node.names)
    return found


def folder_imports(folder: str) -> list[Import]:
    files = sorted((REPO / folder).rglob("*.py"))
    assert files, f"no modules under {folder}/"
    return [imp for path in files for imp in imports_of(path)]


def within(module: str, allowed: str) -> bool:
    """Whether ``module`` is ``allowed`` or inside it (``from machine.events import Gate``
    reads as ``machine.events.Gate``)."""
    return module == allowed or module.startswith(allowed + ".")


def violations(folder: str, imports: list[Import]) -> list[str]:
    rule = RULES[folder]
    bad = []
    for imp in imports:
        top = imp.module.split(".")[0]
        if top == folder:
            continue
        if top in FOLDERS:
            allowed = any(within(imp.module, a) for a in rule.folders)
            if not allowed or any(within(imp.module, n) for n in rule.never):
                bad.append(f"{imp.where}: {folder}/ imports {imp.module}")
        elif top not in sys.stdlib_module_names and rule.third_party is not None:
            if top not in rule.third_party:
                bad.append(f"{imp.where}: {folder}/ imports third-party {top}")
    return bad


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_folder_imports_only_what_the_table_allows(folder: str) -> None:
    assert violations(folder, folder_imports(folder)) == []


def test_the_machine_contracts_import_only_each_other_and_the_ledger() -> None:
    bad = []
    for contract in MACHINE_CONTRACTS:
        path = REPO / (contract.replace(".", "/") + ".py")
        for imp in imports_of(path):
            top = imp.module.split(".")[0]
            if top in FOLDERS and not (within(imp.module, "ledger")
                                       or any(within(imp.module, c) for c in MACHINE_CONTRACTS)):
                bad.append(f"{imp.where}: contract {contract} imports {imp.module}")
    assert bad == []


def test_every_folder_has_a_rule() -> None:
    assert set(RULES) == set(FOLDERS)
    on_disk = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    assert on_disk == set(FOLDERS), "a new top-level package needs its row here"


def test_the_check_sees_relative_and_nested_imports() -> None:
    # The reader itself: a rule checked on imports it cannot see would pass by accident.
    fold = {i.module for i in imports_of(REPO / "machine" / "fold.py")}
    assert "machine.events.Fact" in fold and "pydantic.ValidationError" in fold
    # inside a function body
    assert "ledger.read_ledger" in {i.module for i in imports_of(REPO / "handlers" / "llm.py")}
    bad = [Import("kernels.registry", "x.py:1"), Import("contexts", "x.py:2"),
           Import("handlers.llm.start_llm", "x.py:3"), Import("ledger.format_ts", "x.py:4")]
    assert len(violations("machine", bad)) == 3
    assert violations("ledger", [Import("torch", "x.py:1")]) == ["x.py:1: ledger/ imports third-party torch"]
    assert violations("handlers", [Import("machine.decide.decide", "x.py:1")])
    assert not violations("handlers", [Import("machine.events.Gate", "x.py:1")])
