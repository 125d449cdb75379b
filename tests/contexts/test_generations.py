"""Real generations with the embedded model: every subject's bundle gets an answer that its
grammar admits and its model accepts, and the same bundle gets the same answer twice.

Marked ``llm`` (loads Gemma 3 270M through llama.cpp; about 30 s on 2 cores).
"""

from __future__ import annotations

import pytest

from contexts import SUBJECTS, build_llm_context
from contexts.samples import SAMPLE_RESULTS
from grammars import get_grammar
from handlers.llm_model import LLMConfig
from handlers.llm_service import LLMService, evaluate_bundle

from .cases import GOLDEN_CASES, build_case

pytestmark = pytest.mark.llm


@pytest.fixture(scope="module")
def service():
    svc = LLMService(LLMConfig(timeout_s=60))
    svc.start()
    yield svc
    svc.stop()


def _bundle(service: LLMService, key: str):
    return build_llm_context(key, "gen", SAMPLE_RESULTS[key], tokenizer=service.tokenizer,
                             attempt=1, n_ctx=service.config.n_ctx)[2]


@pytest.mark.parametrize("key", sorted(SUBJECTS))
def test_each_subject_gets_a_valid_answer(service: LLMService, key: str) -> None:
    bundle = _bundle(service, key)
    assert bundle.prompt_tokens + bundle.answer_tokens <= service.config.n_ctx
    answer = evaluate_bundle(service, bundle)
    assert answer.ok, (answer.status, answer.reason)
    spec = get_grammar(bundle.grammar)
    assert spec.admits(answer.generation.text)
    assert spec.model.model_validate_json(answer.generation.text) == answer.verdict
    assert answer.generation.prompt_tokens == bundle.prompt_tokens


@pytest.mark.parametrize("key", ["step_2", "step_5"])
def test_the_same_bundle_gets_the_same_answer_twice(service: LLMService, key: str) -> None:
    bundle = _bundle(service, key)
    first = evaluate_bundle(service, bundle)
    second = evaluate_bundle(service, bundle)
    assert first.generation.text == second.generation.text
    assert first.verdict == second.verdict


def test_golden_prompts_are_the_same_with_the_real_tokenizer(service: LLMService) -> None:
    """Nothing is cut in the golden cases, so the model's tokenizer renders the same bytes
    as the stand-in (and the counts it reports are the real ones)."""
    for name in GOLDEN_CASES:
        _, _, approx = build_case(name)
        _, _, real = build_case(name, counter=service.tokenizer)
        assert real.prompt_sha256 == approx.prompt_sha256, name
        assert real.prompt_tokens == service.tokenizer.count_prompt(real.prompt)
        assert real.prompt_tokens + real.answer_tokens <= real.n_ctx
