"""Crash points for the fault-injection tests and ``benchmarks/fault_sweep.py``.

:func:`inject` counts every write, rename, truncate and sync the process makes and, at the
``at``-th, makes it fail the way a crash or a full disk would: the process "dies" before or
after it (:class:`Crash`, a ``BaseException`` nothing in the code under test catches), a write
is torn (half of it written) or leaves a zeroed page, or the disk is full (``ENOSPC``).
:func:`run_scenario` runs a fixed workload through a runner with one such fault, restarts as a
daemon would (file descriptors of the "dead" process released), finishes the work, and returns
a digest of the outcome, keyed by request file names (request ids derive from claims, which
depend on where the ledger stood), that must equal the digest of an uninterrupted run.
"""

from __future__ import annotations

import errno
import gc
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ledger import JsonlRecorder, LedgerError, read_ledger, verify_ledger

from machine.fold import fold
from machine.home import Home
from machine.replay import replay

from .fakes import all_pass
from .helpers import drop, make_home, open_runner

MODES = ("before", "after", "torn", "zeros", "enospc")
_OPS = ("write", "pwrite", "rename", "replace", "ftruncate", "fsync", "fdatasync")

REQUESTS: dict[str, Any] = {
    "01-loop.json": {"kind": "learning_loop", "scope": [2, 3]},
    "02-broken.json": "{ not json",
    "03-dry.json": {"kind": "pipeline_rerun", "dry_run": True},
    "04-halt.json": {"kind": "halt", "reason": "pause"},
    "05-resume.json": {"kind": "resume"},
}


class Crash(BaseException):
    """The process died here."""


def _outcome(command: Any, ctx: Any = None) -> str:
    if command.kind == "step.2" and command.attempt == 1:
        return "fail"  # one retry in the workload
    return all_pass(command, ctx)


@contextmanager
def inject(at: int, mode: str) -> Iterator[Counter[str]]:
    """Fail the ``at``-th file operation (1-based) as ``mode`` says; yields the counts."""
    counts: Counter[str] = Counter()
    seen = [0]
    real = {name: getattr(os, name) for name in _OPS}

    def wrap(name: str) -> Any:
        def op(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            seen[0] += 1
            if seen[0] != at:
                return real[name](*args, **kwargs)
            if mode == "enospc":
                raise OSError(errno.ENOSPC, "No space left on device (injected)")
            if mode == "after":
                real[name](*args, **kwargs)
                raise Crash(f"after {name} #{at}")
            if name == "write" and mode in ("torn", "zeros") and len(args[1]) > 1:
                data = bytes(args[1])
                half = len(data) // 2
                if mode == "torn":
                    real[name](args[0], data[:half])
                else:  # the file grew, a page of it never reached the disk
                    real[name](args[0], data[:half // 2] + b"\0" * (len(data) - half // 2))
            raise Crash(f"{mode} {name} #{at}")

        return op

    opened: list[int] = []

    def track(name: str) -> Any:
        def op(*args: Any, **kwargs: Any) -> int:
            fd: int = real_open[name](*args, **kwargs)
            opened.append(fd)
            return fd

        return op

    real_open: dict[str, Callable[..., int]] = {"open": os.open, "dup": os.dup}
    with pytest.MonkeyPatch.context() as mp:
        for name in _OPS:
            mp.setattr(os, name, wrap(name))
        for name in real_open:
            mp.setattr(os, name, track(name))
        crashed = False
        try:
            yield counts
        except Crash:
            crashed = True
            raise
        finally:
            mp.undo()
            if crashed:
                # What the kernel does for a dead process: every descriptor closed, locks
                # released, nothing synced.
                for fd in opened:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                # The dead process's recorder must not close those numbers again later,
                # when they belong to the restarted one.
                dead = set(opened)
                for obj in gc.get_objects():
                    # type(), not isinstance(): some library objects warn when asked __class__
                    if issubclass(type(obj), JsonlRecorder):
                        for attr in ("_fd", "_lock_fd", "_witness_fd"):
                            if getattr(obj, attr, -1) in dead:
                                setattr(obj, attr, -1)


def prepare(root: Path) -> Home:
    home = make_home(root)
    for name, body in REQUESTS.items():
        drop(home, name, body)
    return home


def count_ops(root: Path) -> int:
    """How many file operations an uninterrupted run of the workload makes."""
    home = prepare(root)
    with inject(0, "before") as counts:
        with open_runner(home, _outcome) as runner:
            runner.run_until_idle()
    return sum(counts.values())


def digest(home: Home) -> dict[str, Any]:
    """The outcome of the workload, independent of seqs, times and request ids."""
    state = fold(read_ledger(home.ledger))
    names = {rid: r.name for rid, r in state.requests.items()}
    return {
        "halted": state.halted,
        "phase": state.phase.value,
        "requests": sorted((r.name, r.status, r.kind, r.reason) for r in state.requests.values()),
        "runs": sorted(
            (names[run.request_id], run.status, run.outcome, run.retries,
             json.dumps(sorted(run.attempts.items())), json.dumps(run.history))
            for run in state.runs.values()
        ),
    }


def run_scenario(root: Path, at: int | None, mode: str = "before") -> tuple[dict[str, Any], bool]:
    """Run the workload with one fault at operation ``at`` (None: no fault), restart, finish.

    Returns the digest and whether the fault fired. Checks what must hold after any fault:
    the ledger verifies, each file was received exactly once, nothing is left waiting.
    """
    home = prepare(root)
    fired = False
    if at is not None:
        try:
            with inject(at, mode):
                with open_runner(home, _outcome) as runner:
                    runner.run_until_idle()
        except (Crash, OSError, LedgerError):
            fired = True
    with open_runner(home, _outcome) as runner:
        runner.run_until_idle()
    received = Counter(r.data["name"] for r in read_ledger(home.ledger) if r.type == "RequestReceived")
    assert received == Counter(REQUESTS.keys()), received
    assert not os.listdir(home.requests) and not os.listdir(home.claimed)
    filed = os.listdir(home.archive) + os.listdir(home.quarantine)
    assert sorted(n.split("--", 1)[1] for n in filed) == sorted(REQUESTS)
    assert verify_ledger(home.ledger).ok
    assert replay(home.root).exit_code == 0, replay(home.root).as_dict()
    return digest(home), fired
