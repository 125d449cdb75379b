"""Chapter 13's policy side end to end: the advisor's proposals judged by the rules, changes
the next runs read, selfplay candidates, promotion on post-emission evidence, rollback.

The runner, registry, fold, ledger, contexts and the selfplay and shadow handlers are real;
the LLM's generation is scripted (the fake service of the LLM handler tests), and Chapter 13's
own triggers are off (``autonomous`` false) so that each test fires exactly the trigger it
means, as ``TriggerFired`` events appended by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import handlers.advisor as advisor
from handlers.history import draw_history
from handlers.llm_model import LLMConfig, LLMError
from handlers.llm_service import Generation, StartInfo
from handlers.policy_shadow import shadow
from handlers.selfplay import run as selfplay_run
from kernels.observation import Hypothesis, predict
from ledger import NewEvent, read_ledger
from machine.cli import main
from machine.events import (
    CandidateEmitted,
    DrawIngested,
    SelfplayCompleted,
    TriggerFired,
    new_event,
)
from machine.fold import fold
from machine.home import Home, init_home
from machine.loop_policy import BASELINE, LoopPolicy, with_values
from machine.policies import Policies
from machine.registry import HandlerContext, HandlerRegistry
from machine.replay import replay
from machine.runner import Runner

from tests.contexts.cases import ApproxCounter
from tests.handlers.test_llm_handlers import Clock

EXPLORE_12 = json.dumps({
    "failure_mode": "regime_change", "recommended_action": "explore", "risk_level": "low",
    "retrain_scope": "none", "confidence": 0.9, "reasoning": "explore a little more",
    "parameter_proposals": [{"name": "exploration_budget_episodes", "value": 12}],
}, separators=(",", ":"))


@dataclass
class FakeService:
    """Stands in for the LLM service: one scripted answer, a deterministic tokenizer."""

    answer: str
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
        return StartInfo(Path("fake.gguf"), self.model_sha256, 0.01, ("chapter13_proposal",), was)

    def stop(self) -> bool:
        was, self.running = self.running, False
        return was

    def generate(self, prompt: str, grammar: Any, *, max_tokens: int,
                 timeout_s: float) -> Generation:
        self.prompts.append(prompt)
        return Generation(self.answer, "stop", 300, 40, 0.5, 0.3, 0.2, 0.01)


def emitting(policy: LoopPolicy) -> Callable[[Any, HandlerContext], list[NewEvent]]:
    """A selfplay handler that emits ``policy`` as its candidate and records its episodes."""
    def handle(command: Any, ctx: HandlerContext) -> list[NewEvent]:
        return [
            ctx.event(CandidateEmitted(attempt=command.attempt,
                                       candidate_id=f"{command.run_id}-a{command.attempt}",
                                       metrics={"episodes": command.episodes},
                                       policy=policy.model_dump(mode="json"))),
            ctx.event(SelfplayCompleted(attempt=command.attempt, episodes_run=command.episodes,
                                        metrics={"episodes_run": command.episodes})),
        ]
    return handle


class Loop:
    """A home with Chapter 13's own triggers off, and a runner to drive it."""

    def __init__(self, root: Path, handlers: dict[str, Any]) -> None:
        self.home = Home(root / "home")
        init_home(self.home)
        self.home.policies.write_text(json.dumps(Policies().model_dump(mode="json")))
        self.clock = Clock()
        self.registry = HandlerRegistry(handlers, use_process_registry=False,
                                        use_entry_points=False)
        self.count = 0

    def runner(self) -> Runner:
        return Runner.open(self.home, registry=self.registry, clock=self.clock,
                           sleep=self.clock.sleep)

    def append(self, payload: Any) -> None:
        with self.runner() as runner:
            self.count += 1
            runner.append([new_event(payload, id=f"test-{self.count}", ts=self.clock())])

    def draws(self, values: list[int], times: list[str]) -> None:
        self.append(DrawIngested(source="test", position=len(draw_history(self.home.ledger)),
                                 values=tuple(values), timestamps=tuple(times)))

    def trigger(self, kind: str, evidence: dict[str, Any] | None = None) -> str:
        position = len(draw_history(self.home.ledger))
        trigger_id = f"{kind}-{position}"
        self.append(TriggerFired.model_validate({
            "trigger_id": trigger_id, "trigger": kind, "position": position, "since": 0,
            "evidence": evidence or {"scored": 12, "hits": 3}, "cooldown_draws": 1,
            "request": {"kind": "learning_loop", "scope": [2, 6]}}))
        return trigger_id

    def run(self) -> None:
        with self.runner() as runner:
            runner.run_until_idle()

    def records(self) -> list[Any]:
        return list(read_ledger(self.home.ledger))

    def of(self, kind: str) -> list[Any]:
        return [r for r in self.records() if r.type == kind]


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeService]:
    fake = FakeService(EXPLORE_12)
    monkeypatch.setattr(advisor, "service_for", lambda home=None, config=None: fake)
    yield fake


def _clean_replay(loop: Loop) -> None:
    report = replay(loop.home.ledger)
    assert report.verdict == "clean", report


def test_an_accepted_proposal_changes_the_policy_and_the_next_run_reads_it(
        tmp_path: Path, service: FakeService, capsys: pytest.CaptureFixture[str]) -> None:
    loop = Loop(tmp_path, {"chapter13.advise": advisor.advise,
                           "selfplay.run": emitting(with_values(BASELINE, {"pool_size": 20}))})
    trigger_id = loop.trigger("regime_change")
    loop.run()
    made = loop.of("ProposalMade")[0]
    assert made.data["source"] == "llm" and made.data["trigger_id"] == trigger_id
    assert made.data["prompt_sha256"] and made.data["grammar"] == "chapter13_proposal"
    assert (made.data["tokens_in"], made.data["tokens_out"]) == (300, 40)  # the fake's counts
    accepted = loop.of("ProposalAccepted")[0].data
    assert accepted["changes"] == [{"name": "exploration_budget_episodes", "old": 10.0,
                                    "new": 12.0, "proposed": 12.0}]
    # the accepted exploration is a request of Chapter 13 with the changed episode count,
    # and the selfplay run it became started with it
    received = [r for r in loop.of("RequestReceived") if r.data["source"] == "chapter13"]
    assert received[0].data["name"] == made.data["proposal_id"]
    assert received[0].data["payload"]["episodes"] == 12
    assert loop.of("SelfplayStarted")[0].data["episodes"] == 12
    state = fold(loop.records())
    assert state.loop.policy.exploration_budget_episodes == 12
    assert state.loop.policy_id == made.data["proposal_id"]
    assert list(state.loop.candidates) and state.loop.policy.pool_size == 10  # never active
    assert main(["policy", "show", "--json", "--home", str(loop.home.root)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["changed_from_baseline"] == {
        "exploration_budget_episodes": {"baseline": 10, "active": 12}}
    assert [item["kind"] for item in shown["lineage"]] == ["baseline", "proposal"]
    assert shown["candidates"][0]["status"] == "pending"
    _clean_replay(loop)


def test_without_the_llm_the_rules_decide_alone_and_say_so(
        tmp_path: Path, service: FakeService) -> None:
    service.fail_start = True
    loop = Loop(tmp_path, {"chapter13.advise": advisor.advise,
                           "selfplay.run": emitting(BASELINE)})
    loop.trigger("drift")
    loop.run()
    made = loop.of("ProposalMade")[0].data
    assert made["source"] == "rules" and "could not be loaded" in made["llm_unavailable"]
    assert made["recommended_action"] == "explore" and made["parameter_proposals"] == []
    assert loop.of("ProposalAccepted")[0].data["reasons"] == ["no parameter change"]
    assert loop.of("SelfplayStarted")[0].data["episodes"] == BASELINE.exploration_budget_episodes
    # no advisor installed at all: the same, said by the machine
    other = Loop(tmp_path / "other", {})
    other.trigger("regime_change")
    other.run()
    made = other.of("ProposalMade")[0].data
    assert made["source"] == "rules" and "no handler installed" in made["llm_unavailable"]
    assert other.of("ProposalAccepted") and not other.of("SelfplayStarted")
    _clean_replay(other)


@pytest.mark.parametrize("answer, outcome, why", [
    (EXPLORE_12.replace('"low"', '"medium"'), "ProposalEscalated", "risk medium"),
    (EXPLORE_12.replace('"exploration_budget_episodes"', '"acceptance_margin"')
     .replace('"value":12', '"value":0.25'), "ProposalRejected", "acceptance_margin is frozen"),
    (EXPLORE_12.replace('"value":12', '"value":30'), "ProposalRejected", "at most 30%"),
    (EXPLORE_12.replace("0.9", "0.4"), "ProposalRejected", "below the floor"),
])
def test_the_rules_escalate_or_reject_and_nothing_applies(
        tmp_path: Path, service: FakeService, answer: str, outcome: str, why: str) -> None:
    service.answer = answer
    loop = Loop(tmp_path, {"chapter13.advise": advisor.advise})
    loop.trigger("regime_change")
    loop.run()
    judged = loop.of(outcome)
    assert judged and any(why in reason for reason in judged[0].data["reasons"])
    assert not loop.of("ProposalAccepted") and not loop.of("SelfplayStarted")
    assert fold(loop.records()).loop.policy == BASELINE
    _clean_replay(loop)


def test_a_parameter_changed_is_not_changed_again_within_three_runs(
        tmp_path: Path, service: FakeService) -> None:
    service.answer = EXPLORE_12.replace('"explore"', '"hold"')
    loop = Loop(tmp_path, {"chapter13.advise": advisor.advise})
    loop.trigger("regime_change")
    loop.run()
    service.answer = service.answer.replace('"value":12', '"value":14')
    loop.append(DrawIngested(source="t", position=0, values=(1,)))
    loop.trigger("regime_change")
    loop.run()
    rejected = loop.of("ProposalRejected")[0].data["reasons"]
    assert rejected == ["exploration_budget_episodes changed 0 run(s) ago; no change again "
                        "within 3"]
    assert fold(loop.records()).loop.policy.exploration_budget_episodes == 12


def _timed(start: datetime, count: int, every_s: int = 60) -> list[str]:
    return [(start + timedelta(seconds=every_s * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for i in range(count)]


def test_selfplay_episodes_differ_and_the_candidate_is_never_active(tmp_path: Path) -> None:
    loop = Loop(tmp_path, {"selfplay.run": selfplay_run})
    start = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)
    loop.draws([(i * 7919) % 1000 for i in range(30)], _timed(start, 30))
    request = {"kind": "selfplay_retrain", "episodes": 3, "seed": 5,
               "params": {"generators": "glibc_random,java_random", "episode_draws": 24,
                          "candidates": 2}}
    (loop.home.requests / "explore.json").write_text(json.dumps(request))
    loop.run()  # the request file is taken from watcher_requests/ and run
    completed = loop.of("SelfplayCompleted")[0]
    assert completed.data["episodes_run"] == 3
    report = json.loads((loop.home.artifacts / completed.artifacts[0].sha256[:2]
                         / completed.artifacts[0].sha256).read_bytes())
    planted = {(e["planted"]["generator"], e["planted"]["seed"], e["start"])
               for e in report["episodes"]}
    assert len(planted) == 3  # every episode plants its own segment
    assert len(report["policies"]) == 3 and report["policies"][0]["policy"] == BASELINE.model_dump(
        mode="json")
    emitted = loop.of("CandidateEmitted")[0].data
    candidate = LoopPolicy.model_validate(emitted["policy"])
    assert candidate != BASELINE and "improvement" in emitted["metrics"]
    state = fold(loop.records())
    assert state.loop.policy == BASELINE and state.loop.candidates[emitted["candidate_id"]].status \
        == "pending"
    assert state.runs[completed.run_id].status == "completed"
    _clean_replay(loop)


def _planted(seed_time: int, count: int, corrupt: tuple[int, ...]) -> list[int]:
    values = predict(Hypothesis(generator="java_random", seed=seed_time, reduction="mod:1000"),
                     count)
    for index in corrupt:
        values[index] = (values[index] + 500) % 1000
    return values


def test_promotion_needs_post_emission_evidence_and_rollback_restores_the_baseline(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tolerant = with_values(BASELINE, {"tolerated_errors": 2})
    loop = Loop(tmp_path, {"selfplay.run": emitting(tolerant), "policy.shadow": shadow})
    start = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)
    seed_time = int(start.timestamp()) - 100
    stream = _planted(seed_time, 44, corrupt=(14, 22, 30, 38))
    times = _timed(start, 44)
    # the first 10 draws come before the candidate: they never count for it
    loop.draws(stream[:10], times[:10])
    (loop.home.requests / "explore.json").write_text(json.dumps(
        {"kind": "selfplay_retrain", "episodes": 1}))
    loop.run()
    state = fold(loop.records())
    (candidate_id, candidate), = state.loop.candidates.items()
    assert candidate.emitted_at == 10 and candidate.draws == 0 and not loop.of("ShadowScored")
    for index in range(10, 44, 4):  # the draws after it, a few at a time
        loop.draws(stream[index:index + 4], times[index:index + 4])
        loop.run()
    shadows = loop.of("ShadowScored")
    assert shadows and min(s.data["first_index"] for s in shadows) == 10
    promoted = loop.of("PolicyPromoted")
    assert promoted and promoted[0].data["candidate_id"] == candidate_id
    assert promoted[0].data["wins"] >= 9 and promoted[0].data["losses"] == 0
    state = fold(loop.records())
    assert state.loop.policy == tolerant and state.loop.policy_id == candidate_id
    assert main(["policy", "rollback", "--reason", "back to basics", "--home",
                 str(loop.home.root)]) == 0
    capsys.readouterr()
    state = fold(loop.records())
    assert state.loop.policy == BASELINE and loop.of("PolicyRolledBack")[0].data["reason"] == \
        "back to basics"
    assert main(["policy", "show", "--json", "--home", str(loop.home.root)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [item["kind"] for item in shown["lineage"]] == ["baseline", "promotion", "rollback"]
    assert shown["is_baseline"] and shown["candidates"][0]["status"] == "promoted"
    _clean_replay(loop)


def test_an_escalated_proposal_waits_for_a_person(
        tmp_path: Path, service: FakeService, capsys: pytest.CaptureFixture[str]) -> None:
    service.answer = EXPLORE_12.replace('"low"', '"high"')
    loop = Loop(tmp_path, {"chapter13.advise": advisor.advise,
                           "selfplay.run": emitting(BASELINE)})
    loop.trigger("regime_change")
    loop.run()
    (escalated,) = loop.of("ProposalEscalated")
    proposal_id = escalated.data["proposal_id"]
    home = str(loop.home.root)
    # only an escalated proposal can be answered: a wrong id is refused, nothing recorded
    before = len(loop.records())
    assert main(["policy", "approve", "proposal-nothing", "--home", home]) == 2
    assert "no proposal 'proposal-nothing'" in capsys.readouterr().err
    assert len([r for r in loop.records() if r.type == "RequestValidated"]) == 0
    assert main(["policy", "approve", proposal_id, "--home", home]) == 0
    capsys.readouterr()
    loop.run()
    (accepted,) = loop.of("ProposalAccepted")
    assert accepted.data["approval_id"] and accepted.data["reasons"][0].startswith(
        "approved by a person")
    assert fold(loop.records()).loop.policy.exploration_budget_episodes == 12
    assert loop.of("SelfplayStarted")[0].data["episodes"] == 12
    assert len(loop.records()) > before
    # a second answer to the same proposal is refused
    assert main(["policy", "approve", proposal_id, "--reject", "--home", home]) == 2
    assert "not escalated" in capsys.readouterr().err
    _clean_replay(loop)


def test_a_person_may_reject_an_escalated_proposal(tmp_path: Path, service: FakeService) -> None:
    service.answer = EXPLORE_12.replace('"low"', '"medium"')
    loop = Loop(tmp_path, {"chapter13.advise": advisor.advise})
    loop.trigger("drift")
    loop.run()
    proposal_id = loop.of("ProposalEscalated")[0].data["proposal_id"]
    assert main(["policy", "approve", proposal_id, "--reject", "--home",
                 str(loop.home.root)]) == 0
    loop.run()
    (rejected,) = loop.of("ProposalRejected")
    assert rejected.data["reasons"][0].startswith("rejected by a person")
    assert fold(loop.records()).loop.policy == BASELINE and not loop.of("SelfplayStarted")
    _clean_replay(loop)
