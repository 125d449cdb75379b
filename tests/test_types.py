"""mypy over the package, as configured in pyproject.toml's ``[tool.mypy]``: strict on
``ledger/`` and ``machine/``, the default checks elsewhere, unused ``# type: ignore`` reported,
and none in the package at all: a type the checker cannot follow is fixed, not silenced.

mypy keeps its cache in ``.mypy_cache/`` at the repository root, so only the first run of a
clone checks everything.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def configured_files() -> list[Path]:
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return [REPO / folder for folder in config["tool"]["mypy"]["files"]]


def test_mypy_reports_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-color-output"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, (
        f"mypy found problems (a library without type information belongs in the "
        f"ignore_missing_imports list of pyproject.toml's [tool.mypy]):\n{done.stdout}{done.stderr}"
    )
    # A configuration that checks nothing would succeed too: count what it checked.
    checked = re.search(r"no issues found in (\d+) source files", done.stdout)
    assert checked, done.stdout
    modules = [p for folder in configured_files() for p in folder.rglob("*.py")]
    assert int(checked.group(1)) == len(modules)


def test_every_package_folder_is_checked() -> None:
    folders = {p.name for p in configured_files()}
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    assert folders == packages


def test_the_package_silences_no_type_error() -> None:
    silenced = [f"{path.relative_to(REPO)}:{number}"
                for folder in configured_files() for path in sorted(folder.rglob("*.py"))
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if re.search(r"#\s*type:\s*ignore", line)]
    assert silenced == []
