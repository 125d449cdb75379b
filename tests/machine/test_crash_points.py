"""Crash points at the file operations of intake, dispatch and handlers (in-process, fast).

The workload of :mod:`tests.machine.crashpoints` is run with a fault injected at one of its
file operations: the process dies before or after it, a ledger write is torn or leaves a
zeroed page, or the disk is full. After a restart the work finishes with exactly the outcome
of an uninterrupted run: every file received once, nothing lost, replay clean.
``benchmarks/fault_sweep.py`` tries every operation in every mode; this test a spread of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .crashpoints import MODES, count_ops, run_scenario

#: Every STRIDE-th operation in each mode (offset per mode, so together they cover more).
STRIDE = 9


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], int]:
    root = tmp_path_factory.mktemp("reference")
    digest, fired = run_scenario(root / "clean", None)
    assert not fired
    return digest, count_ops(root / "count")


@pytest.mark.parametrize("mode", MODES)
def test_a_fault_anywhere_ends_like_an_uninterrupted_run(
    tmp_path: Path, reference: tuple[dict[str, object], int], mode: str
) -> None:
    expected, ops = reference
    assert ops > 50  # the workload does real work: intake, steps, retries, halts
    # the first operations (taking the lock, opening the ledger) in every mode, then a spread
    points = sorted({1, 2, 3, *range(4 + MODES.index(mode), ops + 1, STRIDE)})
    for at in points:
        got, fired = run_scenario(tmp_path / f"{mode}-{at}", at, mode)
        # (a full disk where a write is only informational, the lock's pid, is absorbed)
        assert fired or mode == "enospc", f"no fault at operation {at}"
        assert got == expected, f"{mode} at operation {at}"
