"""Token budgets: tier 2 is cut first, tier 0 never; the prompt fits with the answer's reserve."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contexts import BudgetError, History, build_llm_context
from contexts.history import OutcomeItem, Trend
from contexts.samples import SAMPLE_RESULTS

from .cases import ApproxCounter


def _history(n: int) -> History:
    return History(
        outcomes=tuple(
            OutcomeItem(f"run-{i:03d}", "2", 1, "completed",
                        ("guardrail proceed", "llm proceed with a long explanation " * 2))
            for i in range(n)
        ),
        trends=(Trend("survivors", tuple(range(6))),),
        last_seq=10 * n, last_hash="0" * 64,
    )


def test_an_oversized_tier_2_is_cut_and_tier_0_is_not() -> None:
    _, _, small = build_llm_context(2, "r", SAMPLE_RESULTS["step_2"], tokenizer=ApproxCounter(),
                                    history=_history(1))
    _, _, big = build_llm_context(2, "r", SAMPLE_RESULTS["step_2"], tokenizer=ApproxCounter(),
                                  history=_history(200))
    assert small.tiers[2].cut == 0
    assert big.tiers[2].cut > 0 and big.tiers[2].tokens <= big.tiers[2].cap
    assert big.tiers[0] == small.tiers[0]
    assert big.tiers[1] == small.tiers[1]
    assert "older history lines cut for the token budget" in big.prompt


def test_a_small_context_cuts_tier_2_before_tier_1() -> None:
    results = {**SAMPLE_RESULTS["step_2"], **{f"extra_{i:03d}": i for i in range(60)}}
    counter = ApproxCounter()
    sizes = []
    for n_ctx in (2048, 1100, 1000, 900):
        try:
            _, _, bundle = build_llm_context(2, "r", results, tokenizer=counter,
                                             history=_history(10), n_ctx=n_ctx)
        except BudgetError:
            break
        sizes.append((bundle.tiers[1].cut, bundle.tiers[2].cut, bundle.tiers[2].items))
        assert bundle.prompt_tokens <= n_ctx - bundle.answer_tokens
        if bundle.tiers[1].cut:
            assert bundle.tiers[2].items == 0  # tier 1 only loses lines once tier 2 is empty
    assert any(cut1 for cut1, _, _ in sizes)


def test_tier_0_that_cannot_fit_is_an_error_not_a_cut() -> None:
    with pytest.raises(BudgetError, match="tier 0"):
        build_llm_context(2, "r", SAMPLE_RESULTS["step_2"], tokenizer=ApproxCounter(),
                          n_ctx=512)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 80), st.integers(0, 120), st.sampled_from([1024, 1536, 2048, 4096]))
def test_the_rendered_prompt_always_fits_with_the_generation_reserve(
    outcomes: int, extras: int, n_ctx: int
) -> None:
    results = {**SAMPLE_RESULTS["step_5"], **{f"m{i}": i * 0.5 for i in range(extras)}}
    counter = ApproxCounter()
    _, _, bundle = build_llm_context(5, "r", results, tokenizer=counter,
                                     history=_history(outcomes), n_ctx=n_ctx)
    assert counter.count_prompt(bundle.prompt) == bundle.prompt_tokens
    assert bundle.prompt_tokens + bundle.answer_tokens <= n_ctx
    assert bundle.tiers[1].tokens <= bundle.tiers[1].cap
    assert bundle.tiers[2].tokens <= bundle.tiers[2].cap
