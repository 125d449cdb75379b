"""Every test checks something: it asserts, expects an exception or a warning, or calls a helper
of the test tree that does (helpers are followed through any depth).

A test that only runs code passes whatever the code does, unless it crashes. Read with ``ast``:
nothing is imported or run.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
#: Calls that check by themselves (``pytest.raises(...)``, ``pytest.fail(...)``, ...).
CHECKING_CALLS = ("raises", "warns", "fail", "assert_")


def _functions(tree: ast.AST) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


def _called_names(function: ast.FunctionDef) -> set[str]:
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def _checks_directly(function: ast.FunctionDef) -> bool:
    if any(isinstance(node, ast.Assert) for node in ast.walk(function)):
        return True
    return any(name.startswith(CHECKING_CALLS) for name in _called_names(function))


def unchecked_tests(root: Path) -> list[str]:
    """``path:line name`` of every test function under ``root`` that checks nothing."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
             for path in sorted(root.rglob("*.py"))}
    helpers: dict[str, list[ast.FunctionDef]] = {}
    for tree in trees.values():
        for function in _functions(tree):
            helpers.setdefault(function.name, []).append(function)
    checking: set[str] = set()  # helper names known to check
    changed = True
    while changed:  # a helper checks if it checks itself or calls one that does
        changed = False
        for name, defs in helpers.items():
            if name not in checking and any(
                _checks_directly(d) or _called_names(d) & checking for d in defs
            ):
                checking.add(name)
                changed = True
    found = []
    for path, tree in trees.items():
        if not path.name.startswith("test_"):
            continue
        for function in _functions(tree):
            if function.name.startswith("test") and not (
                _checks_directly(function) or _called_names(function) & checking
            ):
                found.append(f"{path.relative_to(root.parent)}:{function.lineno} {function.name}")
    return found


def test_every_test_function_checks_something() -> None:
    assert unchecked_tests(TESTS) == []


def test_a_test_that_only_runs_code_is_found(tmp_path: Path) -> None:
    (tmp_path / "test_fake.py").write_text(
        "def _helper(x):\n    return x + 1\n\n"
        "def _check(x):\n    assert x\n\n"
        "def _indirect(x):\n    _check(x)\n\n"
        "def test_runs_only():\n    _helper(1)\n\n"
        "def test_asserts():\n    assert _helper(1) == 2\n\n"
        "def test_through_two_helpers():\n    _indirect(1)\n\n"
        "def test_raises():\n    import pytest\n    with pytest.raises(ValueError):\n"
        "        int('x')\n"
    )
    assert unchecked_tests(tmp_path) == [f"{tmp_path.name}/test_fake.py:10 test_runs_only"]
