"""Token budgets by tier, counted with the model's own tokenizer.

A prompt is three tiers of items:

- tier 0: mission, evaluation schema, rules, answer contract -- never cut; if it does not fit
  the context with the answer's reserve, the context is too small and that is an error;
- tier 1: this unit's result (metrics, gates, guardrail verdict) -- cut only when tier 2 is
  already empty;
- tier 2: history from the ledger -- cut first.

Each of tiers 1 and 2 has a cap (so that a verdict stays fast on a small CPU however long the
history is) and items in priority order: cutting drops items from the end of that order. The
final check counts the whole rendered prompt (chat template included) with the tokenizer,
because token counts do not add up exactly across concatenation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

__all__ = [
    "TokenCounter",
    "Budget",
    "BudgetError",
    "TierItems",
    "FitResult",
    "fit_tiers",
    "ANSWER_TOKENS",
]


class TokenCounter(Protocol):
    """The loaded model's tokenizer, as the bundle factory needs it.

    ``identity`` names the tokenizer (the model's SHA256) for provenance; ``count`` counts a
    piece of text alone; ``count_prompt`` counts what the model will actually read for a
    prompt (chat template and BOS included).
    """

    @property
    def identity(self) -> str: ...

    def count(self, text: str) -> int: ...

    def count_prompt(self, prompt: str) -> int: ...


#: The generation reserve per grammar: the most tokens an answer may take. Sized to the
#: grammar's longest plausible answer for the embedded model's tokenizer; an answer cut at
#: the reserve does not parse and falls back to the guardrail.
ANSWER_TOKENS = {
    "step_verdict": 192,
    "request_validation": 128,
    "chapter13_proposal": 224,
    "selfplay_evaluation": 160,
    "sieve_analysis": 112,
    "strategy_advisor": 192,
}


class BudgetError(ValueError):
    """Tier 0 alone does not fit the context with the answer's reserve."""


@dataclass(frozen=True)
class Budget:
    """How the context is shared: ``n_ctx`` tokens, of which ``answer`` are reserved for the
    answer; tiers 1 and 2 are capped at ``tier1_max`` and ``tier2_max`` tokens."""

    n_ctx: int = 2048
    answer: int = 192
    tier1_max: int = 320
    tier2_max: int = 192

    @property
    def prompt_max(self) -> int:
        """The most tokens the prompt may take."""
        return self.n_ctx - self.answer


@dataclass(frozen=True)
class TierItems:
    """One cuttable tier: items in priority order (the last is cut first)."""

    items: tuple[str, ...]
    cap: int


@dataclass(frozen=True)
class FitResult:
    """What was kept: the number of items kept per cuttable tier, and the token counts."""

    kept1: int
    kept2: int
    tokens: tuple[int, int, int]
    prompt_tokens: int


def _prefix_within(items: Sequence[str], cap: int, count: Callable[[str], int]) -> tuple[int, int]:
    used = 0
    for index, item in enumerate(items):
        cost = count(item)
        if used + cost > cap:
            return index, used
        used += cost
    return len(items), used


def fit_tiers(
    tier0: Sequence[str],
    tier1: TierItems,
    tier2: TierItems,
    *,
    budget: Budget,
    counter: TokenCounter,
    render: Callable[[int, int], str],
) -> FitResult:
    """Choose how many items of tiers 1 and 2 to keep.

    ``render(kept1, kept2)`` renders the prompt with the first ``kept1`` and ``kept2`` items.
    Items are first kept while within each tier's cap; then, while the rendered prompt is over
    ``budget.prompt_max``, tier 2 loses its last item, and only when it has none left, tier 1.
    Raises :class:`BudgetError` when tier 0 alone is over.
    """
    t0 = sum(counter.count(text) for text in tier0)
    kept1, _ = _prefix_within(tier1.items, tier1.cap, counter.count)
    kept2, _ = _prefix_within(tier2.items, tier2.cap, counter.count)
    while True:
        total = counter.count_prompt(render(kept1, kept2))
        if total <= budget.prompt_max:
            break
        if kept2 > 0:
            kept2 -= 1
        elif kept1 > 0:
            kept1 -= 1
        else:
            raise BudgetError(
                f"tier 0 alone takes {total} tokens; the context allows {budget.prompt_max} "
                f"(n_ctx {budget.n_ctx} minus {budget.answer} for the answer)"
            )
    t1 = sum(counter.count(text) for text in tier1.items[:kept1])
    t2 = sum(counter.count(text) for text in tier2.items[:kept2])
    return FitResult(kept1, kept2, (t0, t1, t2), total)
