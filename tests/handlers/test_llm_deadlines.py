"""``llm.evaluate`` keeps to its command's timeout as a whole: loading the model and reading
the ledger count, and the generation gets only what is left."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import handlers.llm as llm_handlers
from contexts.samples import SAMPLE_RESULTS
from machine.commands import EvaluateWithLLM, make_command
from machine.registry import HandlerContext

from tests.handlers.test_llm_handlers import Clock, FakeService, scripted


class SlowService(FakeService):
    """Takes ``load_s`` to load, and notes the time each generation was given."""

    load_s: float = 0.0
    given: list[float] = []

    def start(self) -> Any:
        time.sleep(self.load_s)
        return super().start()

    def generate(self, prompt: str, grammar: Any, *, max_tokens: int, timeout_s: float) -> Any:
        self.given.append(timeout_s)
        return super().generate(prompt, grammar, max_tokens=max_tokens, timeout_s=timeout_s)


def _evaluate(tmp_path: Path, timeout_s: float) -> list[Any]:
    command = make_command(
        EvaluateWithLLM, "test", request_id="rq-t", run_id="run-t", subject="step", unit="3",
        attempt=1, floor="proceed", floor_reasons=(), retry_allowed=True,
        metrics=dict(SAMPLE_RESULTS["step_3"]), timeout_s=timeout_s,
    )
    ctx = HandlerContext(command=command, clock=Clock(), home=tmp_path)
    return list(llm_handlers.evaluate(command, ctx))


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> SlowService:
    fake = SlowService(scripted())
    fake.given = []
    monkeypatch.setattr(llm_handlers, "service_for", lambda home=None, config=None: fake)
    return fake


def test_a_model_load_longer_than_the_timeout_is_an_unavailable_llm(
    tmp_path: Path, service: SlowService
) -> None:
    service.load_s = 0.5
    [event] = _evaluate(tmp_path, timeout_s=0.3)
    assert event.type == "LLMUnavailable" and event.data["phase"] == "evaluate"
    assert event.data["reason"].startswith("timeout: loading the model")
    assert service.given == []  # nothing was asked


def test_reading_the_ledger_counts_against_the_timeout(
    tmp_path: Path, service: SlowService, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = llm_handlers._ledger_inputs

    def slow_read(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.4)
        return real(*args, **kwargs)

    monkeypatch.setattr(llm_handlers, "_ledger_inputs", slow_read)
    [event] = _evaluate(tmp_path, timeout_s=0.3)
    assert event.type == "LLMUnavailable"
    assert "reading the ledger" in event.data["reason"]
    # with time to spare, the generation gets what is left, not the whole timeout
    [event] = _evaluate(tmp_path, timeout_s=5.0)
    assert event.type == "VerdictRecorded"
    assert service.given and service.given[-1] <= 5.0 - 0.4


def test_each_evaluation_reads_only_what_was_appended_since_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contexts import history_from_records
    from ledger import read_ledger
    from tests.machine.fakes import all_pass
    from tests.machine.helpers import drop, make_home, open_runner

    monkeypatch.setenv("WATCHER_DISABLE_HANDLERS", "*")
    home = make_home(tmp_path / "home")
    read: list[int] = []
    real_read = llm_handlers.read_ledger

    def counting(*args: Any, **kwargs: Any) -> Any:
        reader = real_read(*args, **kwargs)

        def counted() -> Any:
            for record in reader:
                read.append(record.seq)
                yield record

        class Counted:
            resume_point = property(lambda _self: reader.resume_point)

            def __iter__(self) -> Any:
                return counted()

        return Counted()

    monkeypatch.setattr(llm_handlers, "read_ledger", counting)
    command = make_command(
        EvaluateWithLLM, "test", request_id="rq-t", run_id="run-t", subject="step", unit="3",
        attempt=1, floor="proceed", floor_reasons=(), retry_allowed=True,
        metrics=dict(SAMPLE_RESULTS["step_3"]), timeout_s=5.0,
    )
    ctx = HandlerContext(command=command, clock=Clock(), home=home.root,
                         ledger_path=home.ledger)
    metrics = ["score"]
    for n in range(3):
        drop(home, f"loop{n}.json", {"kind": "learning_loop", "scope": [3, 5]})
        with open_runner(home, all_pass) as runner:
            runner.run_until_idle()
            last = runner.state.last_seq
        before = len(read)
        history, _artifacts, policies = llm_handlers._ledger_inputs(ctx, command, metrics)
        seen = read[before:]
        assert seen and seen[-1] == last
        if n:
            assert seen[0] > 0 and len(seen) < last / 2, "the whole ledger was read again"
        full = history_from_records(read_ledger(home.ledger), unit="3", metrics=metrics,
                                    exclude=("run-t", "3", 1))
        assert history == full
        assert policies is not None
