"""Test handlers for every external command kind, with scripted or derived outcomes.

In-process tests build them with :func:`make_handlers` and an outcome function; subprocess
tests (the daemon crash test, the recorded histories) reach the module-level handlers below
through the ``prng_watcher.handlers`` entry points of the test-only distribution in
``tests/machine/plugin/`` (put that folder on ``PYTHONPATH``). Those read their outcomes from
``<home>/fake_script.json`` when it exists, else derive them from a hash of the command id
and ``$WATCHER_FAKE_SEED`` (so two daemons on two homes with the same requests see the same
outcomes), and sleep up to ``$WATCHER_FAKE_DELAY`` seconds to give a crash test something to
interrupt.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from ledger import NewEvent

from machine.events import (
    CandidateEmitted,
    Gate,
    LLMStarted,
    LLMStopped,
    LLMUnavailable,
    SelfplayCompleted,
    SelfplayFailed,
    StepCompleted,
    StepFailed,
    VerdictRecorded,
)
from machine.registry import HandlerContext

__all__ = [
    "STEP_OUTCOMES",
    "FATAL_OUTCOMES",
    "hang_or_die",
    "SELFPLAY_OUTCOMES",
    "LLM_START_OUTCOMES",
    "LLM_STOP_OUTCOMES",
    "LLM_EVAL_OUTCOMES",
    "make_handlers",
    "all_pass",
    "HANDLER_KINDS",
]

STEP_OUTCOMES = ("complete", "soft_gate", "hard_gate", "fail", "raise", "garbage")
#: Outcomes only a handler in a worker process survives: stuck in C code, or killing its
#: own process (``machine.watchdog``).
FATAL_OUTCOMES = ("hang", "die")
SELFPLAY_OUTCOMES = ("candidates", "no_candidates", "fail", "raise")
LLM_START_OUTCOMES = ("ok", "unavailable", "raise")
LLM_STOP_OUTCOMES = ("ok", "fail")
LLM_EVAL_OUTCOMES = ("proceed", "retry", "retry_adjust", "escalate", "timeout", "raise")

HANDLER_KINDS = (
    *(f"step.{n}" for n in range(1, 7)),
    "selfplay.run",
    "llm.start",
    "llm.stop",
    "llm.evaluate",
)

#: ``outcome(command, ctx) -> str`` names what a handler does for one command.
Outcome = Callable[[Any, Any], str]


class FakeFailure(RuntimeError):
    """What a handler scripted to raise raises."""


def hang_or_die(what: str) -> None:
    """``hang``: block inside C code (no Python signal handler can run), for good; ``die``:
    kill the process, as a native crash or the OOM killer does."""
    if what == "hang":
        import ctypes

        libc = ctypes.CDLL(None)
        while True:
            libc.sleep(3600)
    if what == "die":
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _unit(command: Any) -> str:
    if command.kind.startswith("step."):
        return command.kind.split(".")[1]
    return getattr(command, "unit", "selfplay")


def step_handler(outcome: Outcome) -> Callable[..., Sequence[NewEvent]]:
    def handle(command: Any, ctx: HandlerContext) -> list[NewEvent]:
        what = outcome(command, ctx)
        hang_or_die(what)
        if what == "raise":
            raise FakeFailure(f"step {command.step} blew up")
        if what == "fail":
            return [ctx.event(StepFailed(step=command.step, attempt=command.attempt,
                                         reason="exit code 3", exit_code=3))]
        if what == "garbage":
            # A handler bug: a verdict instead of a step outcome. The machine must refuse it.
            return [ctx.event(VerdictRecorded(subject="step", unit=str(command.step),
                                              attempt=command.attempt, source="llm",
                                              decision="proceed", effective="proceed"))]
        gates = [Gate(name="ran", passed=True, hard=True)]
        if what == "soft_gate":
            gates.append(Gate(name="coverage", passed=False, hard=False, detail="low"))
        if what == "hard_gate":
            gates.append(Gate(name="sanity", passed=False, hard=True, detail="broken"))
        metrics = {"score": 0.5 + command.attempt / 100, **{k: v for k, v in command.adjustments.items()}}
        return [ctx.event(StepCompleted(step=command.step, attempt=command.attempt,
                                        metrics=metrics, gates=tuple(gates)))]

    return handle


def selfplay_handler(outcome: Outcome) -> Callable[..., Sequence[NewEvent]]:
    def handle(command: Any, ctx: HandlerContext) -> list[NewEvent]:
        what = outcome(command, ctx)
        if what == "raise":
            raise FakeFailure("selfplay blew up")
        if what == "fail":
            return [ctx.event(SelfplayFailed(attempt=command.attempt, reason="worker died"))]
        events = []
        count = 0 if what == "no_candidates" else 1 + command.seed % 2
        for index in range(count):
            policy = {"episodes": command.episodes, "seed": command.seed, "index": index}
            refs: tuple[Any, ...] = ()
            if ctx.artifacts is not None:
                body = json.dumps(policy, sort_keys=True).encode()
                refs = (ctx.artifacts.put_bytes(f"candidate-{index}.json", body),)
            events.append(ctx.event(
                CandidateEmitted(attempt=command.attempt,
                                 candidate_id=f"{command.run_id}-a{command.attempt}-c{index}",
                                 metrics={"reward": 0.1 * index}, policy=policy),
                artifacts=refs,
            ))
        events.append(ctx.event(SelfplayCompleted(attempt=command.attempt,
                                                  episodes_run=command.episodes,
                                                  metrics={"reward_mean": 0.05})))
        return events

    return handle


def llm_start_handler(outcome: Outcome) -> Callable[..., Sequence[NewEvent]]:
    def handle(command: Any, ctx: HandlerContext) -> list[NewEvent]:
        what = outcome(command, ctx)
        hang_or_die(what)
        if what == "raise":
            raise FakeFailure("llm would not load")
        if what == "unavailable":
            return [ctx.event(LLMUnavailable(phase="start", reason="model file missing"))]
        return [ctx.event(LLMStarted(model="fake-270m", model_sha256="0" * 64))]

    return handle


def llm_stop_handler(outcome: Outcome) -> Callable[..., Sequence[NewEvent]]:
    def handle(command: Any, ctx: HandlerContext) -> list[NewEvent]:
        if outcome(command, ctx) == "fail":
            return [ctx.event(LLMUnavailable(phase="stop", reason="process did not exit"))]
        return [ctx.event(LLMStopped(was_running=True))]

    return handle


def llm_evaluate_handler(outcome: Outcome) -> Callable[..., Sequence[NewEvent]]:
    def handle(command: Any, ctx: HandlerContext) -> list[NewEvent]:
        what = outcome(command, ctx)
        if what == "raise":
            raise FakeFailure("llm crashed")
        if what == "timeout":
            return [ctx.event(LLMUnavailable(phase="evaluate", reason="no answer in 120 s"))]
        decision = "retry" if what == "retry_adjust" else what
        adjustments = {"window": 3.0, "alpha": 0.1, "zeta": -1.0, "beta": 1.5, "gamma": 0.9,
                       "delta": 1.2} if what == "retry_adjust" else {}
        return [ctx.event(VerdictRecorded(
            subject=command.subject, unit=command.unit, attempt=command.attempt, source="llm",
            decision=decision, effective=decision, reasons=(f"fake says {decision}",),
            adjustments=adjustments, grammar="verdict.gbnf", tokens_in=10, tokens_out=3,
            latency_ms=1.0,
        ))]

    return handle


def make_handlers(outcome: Outcome) -> dict[str, Callable[..., Sequence[NewEvent]]]:
    """Handlers for every external kind; ``outcome(command, ctx)`` names what each one does."""
    handlers: dict[str, Callable[..., Sequence[NewEvent]]] = {
        f"step.{n}": step_handler(outcome) for n in range(1, 7)
    }
    handlers["selfplay.run"] = selfplay_handler(outcome)
    handlers["llm.start"] = llm_start_handler(outcome)
    handlers["llm.stop"] = llm_stop_handler(outcome)
    handlers["llm.evaluate"] = llm_evaluate_handler(outcome)
    return handlers


def all_pass(command: Any, ctx: Any = None) -> str:
    """The outcome function of a perfect world."""
    return {"selfplay.run": "candidates", "llm.evaluate": "proceed"}.get(
        command.kind, "complete" if command.kind.startswith("step.") else "ok"
    )


# --- entry-point handlers for subprocesses ----------------------------------------------

_CHOICES = {
    "step": ("complete", "complete", "complete", "soft_gate", "hard_gate", "fail", "raise"),
    "selfplay.run": ("candidates", "candidates", "no_candidates", "fail"),
    "llm.start": ("ok", "ok", "ok", "unavailable"),
    "llm.stop": ("ok", "ok", "ok", "ok", "fail"),
    "llm.evaluate": ("proceed", "proceed", "proceed", "retry", "retry_adjust", "escalate", "timeout"),
}


def _scripted(command: Any, ctx: Any) -> str:
    """Outcome from ``<home>/fake_script.json`` ({"kind/unit/attempt": outcome, "kind": ...})
    or derived from the command id."""
    home = ctx.home
    delay = float(os.environ.get("WATCHER_FAKE_DELAY", "0") or 0)
    digest = hashlib.sha256((os.environ.get("WATCHER_FAKE_SEED", "0") + command.id).encode())
    if delay > 0:
        time.sleep(delay * digest.digest()[0] / 255)
    script_path = Path(home) / "fake_script.json" if home else None
    if script_path is not None and script_path.is_file():
        script = json.loads(script_path.read_text())
        keys = (f"{command.kind}/{_unit(command)}/{getattr(command, 'attempt', 0)}",
                f"{command.kind}/{_unit(command)}", command.kind, "*")
        for key in keys:
            if key in script:
                return str(script[key])
        return all_pass(command)
    family = "step" if command.kind.startswith("step.") else command.kind
    choices = _CHOICES[family]
    return choices[int(digest.hexdigest()[:8], 16) % len(choices)]


_ENTRY = make_handlers(_scripted)
step_1 = _ENTRY["step.1"]
step_2 = _ENTRY["step.2"]
step_3 = _ENTRY["step.3"]
step_4 = _ENTRY["step.4"]
step_5 = _ENTRY["step.5"]
step_6 = _ENTRY["step.6"]
selfplay_run = _ENTRY["selfplay.run"]
llm_start = _ENTRY["llm.start"]
llm_stop = _ENTRY["llm.stop"]
llm_evaluate = _ENTRY["llm.evaluate"]
