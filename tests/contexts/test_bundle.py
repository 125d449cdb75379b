"""The bundle factory: one entry point, deterministic bytes, golden hashes, provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from contexts import SUBJECTS, build_llm_context, describe_answer
from contexts.bundle import example_answer
from contexts.samples import SAMPLE_RESULTS
from grammars import VERDICT_MODELS, get_grammar

from .cases import GOLDEN_CASES, ApproxCounter, build_case

GOLDEN = json.loads(Path(__file__).with_name("golden_prompts.json").read_text())


def test_golden_cases_and_file_agree() -> None:
    assert set(GOLDEN) == set(GOLDEN_CASES)


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_golden_prompt_hashes(name: str) -> None:
    """Regenerate only with ``python -m tests.contexts.make_golden`` after a deliberate change."""
    prompt, grammar, bundle = build_case(name)
    assert grammar == GOLDEN[name]["grammar"]
    assert bundle.prompt_sha256 == GOLDEN[name]["prompt_sha256"], (
        f"prompt of {name} changed; if on purpose, run python -m tests.contexts.make_golden"
    )
    assert len(prompt.encode()) == GOLDEN[name]["bytes"]


def test_same_inputs_same_bytes_and_bundle() -> None:
    first = build_case("step_2:history")
    second = build_case("step_2:history")
    assert first[0] == second[0]
    assert first[2] == second[2]
    assert first[2].model_dump_json() == second[2].model_dump_json()


def test_the_bundle_is_frozen_and_carries_its_prompt() -> None:
    prompt, grammar, bundle = build_case("step_3:ok")
    assert bundle.prompt == prompt and bundle.grammar == grammar
    with pytest.raises(ValidationError):
        bundle.prompt = "x"  # type: ignore[misc]
    assert [t.level for t in bundle.tiers] == [0, 1, 2]


def test_provenance_names_every_input() -> None:
    _, _, bundle = build_case("step_2:history")
    kinds = {p.kind: p for p in bundle.provenance}
    assert set(kinds) == {"results", "gates", "guardrail", "events", "artifact", "policies",
                          "grammar", "contexts", "tokenizer"}
    assert kinds["events"].sha256 == "ab" * 32 and "41" in kinds["events"].detail
    assert kinds["artifact"].sha256 == "cd" * 32
    assert kinds["policies"].sha256 == "ef" * 32
    assert kinds["grammar"].sha256 == get_grammar("step_verdict").sha256
    assert all(len(p.sha256) == 64 for p in bundle.provenance)


def test_any_changed_input_changes_the_prompt_or_its_provenance() -> None:
    counter = ApproxCounter()
    base = dict(SAMPLE_RESULTS["step_6"])
    _, _, a = build_llm_context(6, "r", base, tokenizer=counter)
    _, _, b = build_llm_context(6, "r", {**base, "hit_rate": 0.1}, tokenizer=counter)
    _, _, c = build_llm_context(6, "r", base, tokenizer=counter, policies_sha256="0" * 64)
    assert a.prompt_sha256 != b.prompt_sha256
    assert a.prompt_sha256 == c.prompt_sha256 and a.provenance != c.provenance


@pytest.mark.parametrize("key", sorted(SUBJECTS))
def test_every_subject_builds_and_states_its_contract(key: str) -> None:
    subject = SUBJECTS[key]
    prompt, grammar, bundle = build_llm_context(key, "r", SAMPLE_RESULTS[key],
                                                tokenizer=ApproxCounter())
    assert grammar == subject.grammar
    schema = VERDICT_MODELS[grammar].model_json_schema()
    objects = [schema] + list(schema.get("$defs", {}).values())
    contract = describe_answer(grammar, subject)
    for obj in objects:
        for field in obj.get("properties", {}):
            assert json.dumps(field) in contract
    assert contract in prompt
    assert subject.mission in prompt


@pytest.mark.parametrize("grammar", sorted(VERDICT_MODELS))
@pytest.mark.parametrize("floor", ["proceed", "retry", "escalate"])
def test_the_example_answer_is_valid_and_never_looser_than_the_floor(grammar: str, floor: str) -> None:
    text = example_answer(grammar, floor, ['a "quoted"\\ reason\nover lines' * 20])
    assert get_grammar(grammar).admits(text)
    verdict = get_grammar(grammar).model.model_validate_json(text)
    decision = getattr(verdict, "decision", None)
    if decision is not None:
        rank = {"proceed": 0, "retry": 1, "escalate": 2}
        assert rank[decision] >= rank[floor]


def test_unknown_step_ids_are_refused() -> None:
    with pytest.raises(KeyError):
        build_llm_context(7, "r", {}, tokenizer=ApproxCounter())


def test_a_failing_step_s_prompt_shows_the_failed_hard_gates_and_the_floor() -> None:
    prompt, _, _ = build_case("step_2:failing")
    assert "Guardrail verdict: retry" in prompt
    assert "FAILED hard gate schema:chunks_failed" in prompt
    assert "FAILED hard gate schema:survivor_cap_hit" in prompt
