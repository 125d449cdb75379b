"""Shared helpers for the machine tests: a fake clock, request files, runners, ledger checks."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from ledger import InMemoryRecorder, Record, format_ts

from machine.events import Fact, validate_event
from machine.home import Home, init_home
from machine.policies import Policies
from machine.registry import HandlerRegistry
from machine.runner import Runner

from .fakes import all_pass, make_handlers

REPO = Path(__file__).resolve().parents[2]
PLUGIN = Path(__file__).resolve().parent / "plugin"


@dataclass
class FakeClock:
    """A clock that advances 1 ms per reading (deterministic timestamps)."""

    now: datetime = datetime(2026, 11, 25, 10, 0, 0, tzinfo=timezone.utc)
    step: timedelta = timedelta(milliseconds=1)

    def __call__(self) -> str:
        self.now += self.step
        return format_ts(self.now)

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_home(root: Path, policies: Policies | dict[str, Any] | None = None) -> Home:
    home = Home(root)
    init_home(home)
    if policies is not None:
        body = policies.model_dump(mode="json") if isinstance(policies, Policies) else policies
        home.policies.write_text(json.dumps(body))
    # Like `watcher init`: the ledger exists, with the policies recorded.
    Runner.open(home, registry=HandlerRegistry(use_entry_points=False)).close()
    return home


def drop(home: Home, name: str, body: dict[str, Any] | bytes | str) -> Path:
    """Drop a request file into ``watcher_requests/`` (written then renamed, like the CLI)."""
    raw = body if isinstance(body, bytes) else (
        body.encode() if isinstance(body, str) else json.dumps(body).encode()
    )
    tmp = home.requests / f".{name}.tmp"
    tmp.write_bytes(raw)
    path = home.requests / name
    os.replace(tmp, path)
    return path


def registry(outcome: Callable[..., str] | None = all_pass) -> HandlerRegistry:
    """A registry of fake handlers only (``None``: no external handlers at all)."""
    handlers = make_handlers(outcome) if outcome is not None else {}
    return HandlerRegistry(handlers, use_process_registry=False, use_entry_points=False)


def open_runner(home: Home, outcome: Callable[..., str] | None = all_pass, *,
                clock: FakeClock | None = None, memory: bool = False) -> Runner:
    """A runner on ``home`` (its JSONL ledger, or an in-memory one) with fake handlers."""
    clock = clock or FakeClock()
    if memory:
        runner = Runner(InMemoryRecorder(validator=validate_event), home=home,
                        registry=registry(outcome), clock=clock, sleep=clock.sleep)
        runner.ensure_policies()
        return runner
    return Runner.open(home, registry=registry(outcome), clock=clock, sleep=clock.sleep)


def facts(records: Iterable[Record]) -> list[Fact]:
    return [Fact.of(r) for r in records]


def types(records: Iterable[Record]) -> list[str]:
    return [r.type for r in records]


# --- invariants over a recorded ledger ------------------------------------------------------

GPU_UNITS = {"1", "2", "3", "5", "selfplay"}


def check_invariants(records: list[Record], policies: Policies) -> None:
    """The WATCHER's safety properties (docs/architecture.md), checked on a recorded event
    stream."""
    halted = False
    llm = "unknown"
    retries_per_unit: dict[tuple[str | None, str], int] = {}
    last_failed: dict[str | None, str | None] = {}  # run -> unit whose last attempt failed
    guardrail: dict[tuple[str | None, str, int], str] = {}
    rank = {"proceed": 0, "retry": 1, "escalate": 2}
    dry_runs: set[str] = set()
    planned_runs: set[str] = set()
    for rec in records:
        t, d = rec.type, rec.data
        if rec.causation_id is not None and rec.causation_id.startswith("cmd:"):
            # No dispatch while halted: no command at all.
            assert not halted, f"seq {rec.seq}: {t} caused by a command while halted"
        if t == "Halted":
            halted = True
        elif t == "Resumed":
            halted = False
        elif t == "RequestValidated" and d["request"].get("dry_run"):
            dry_runs.add("run-" + d["request_id"].removeprefix("rq-"))
        elif t == "DispatchPlanned":
            planned_runs.add(d["run_id"])
        elif t == "LLMStarted":
            llm = "running"
        elif t == "LLMStopped":
            llm = "stopped"
        elif t == "LLMUnavailable":
            llm = "unknown" if d["phase"] != "start" else "unavailable"
        elif t in ("StepStarted", "SelfplayStarted"):
            unit = str(d["step"]) if t == "StepStarted" else "selfplay"
            if unit in GPU_UNITS:
                assert llm == "stopped", f"seq {rec.seq}: GPU-heavy {unit} started with LLM {llm}"
            # A failed unit is never followed by the next unit.
            failed = last_failed.get(rec.run_id)
            assert failed in (None, unit), f"seq {rec.seq}: unit {unit} after failed {failed}"
            assert d["attempt"] <= policies.retries.per_step + 1
            for name, factor in d["adjustments"].items():
                assert 1 / policies.retries.max_factor <= factor <= policies.retries.max_factor
            assert len(d["adjustments"]) <= policies.retries.max_adjustments
        elif t in ("StepFailed", "SelfplayFailed"):
            unit = str(d["step"]) if t == "StepFailed" else "selfplay"
            last_failed[rec.run_id] = unit
        elif t == "StepCompleted" or t == "SelfplayCompleted":
            unit = str(d["step"]) if t == "StepCompleted" else "selfplay"
            hard = any(g["hard"] and not g["passed"] for g in d["gates"])
            last_failed[rec.run_id] = unit if hard else None
        elif t == "VerdictRecorded":
            key = (rec.run_id, d["unit"], d["attempt"])
            if d["source"] == "guardrail":
                guardrail[key] = d["decision"]
            else:
                assert llm == "running", f"seq {rec.seq}: LLM verdict with LLM {llm}"
                assert rank[d["effective"]] >= rank[guardrail[key]], "LLM loosened a verdict"
            if d["unit"] != "screen":
                # Retry bounds: attempt n of a unit is its (n-1)th retry.
                unit_key = (rec.run_id, d["unit"])
                retries_per_unit[unit_key] = max(retries_per_unit.get(unit_key, 0), d["attempt"] - 1)
                assert retries_per_unit[unit_key] <= policies.retries.per_step
                total = sum(n for (run, _u), n in retries_per_unit.items() if run == rec.run_id)
                assert total <= policies.retries.per_run
            if d["unit"] != "screen" and d["effective"] == "proceed":
                assert last_failed.get(rec.run_id) is None, "a failed unit was recorded as proceed"
        if rec.run_id in dry_runs:
            assert t == "DispatchPlanned", f"seq {rec.seq}: {t} for a dry run"
        if t.startswith("Step") or t.startswith("Selfplay") or t == "DispatchStarted":
            assert rec.run_id not in dry_runs
    assert planned_runs <= dry_runs
