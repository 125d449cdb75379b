"""Fixed inputs for the bundle tests and the golden prompt hashes.

``ApproxCounter`` is a deterministic stand-in tokenizer for the fast tests (the real one,
the model's own, is used by the tests marked ``llm``); the golden cases render the same bytes
with either as long as nothing is cut, which ``test_golden_prompts_with_the_real_tokenizer``
checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contexts import History, build_llm_context
from contexts.history import EscalationItem, OutcomeItem, Trend
from contexts.samples import FAILING_RESULTS, SAMPLE_RESULTS
from machine.events import Gate

__all__ = ["ApproxCounter", "Ref", "GOLDEN_CASES", "build_case"]


class ApproxCounter:
    """One token per 4 characters, plus 8 for the chat template: deterministic and fast."""

    identity = "approx-4-chars"

    def count(self, text: str) -> int:
        return (len(text) + 3) // 4

    def count_prompt(self, prompt: str) -> int:
        return self.count(prompt) + 8


@dataclass(frozen=True)
class Ref:
    """An artifact reference (name, sha256, bytes), like ``ledger.ArtifactRef``."""

    name: str
    sha256: str
    bytes: int


HISTORY = History(
    outcomes=(
        OutcomeItem("run-b", "2", 1, "completed", ("guardrail proceed", "llm proceed")),
        OutcomeItem("run-a", "2", 2, "failed (chunk 7 lost)",
                    ("guardrail retry", "llm proceed (acted on retry)")),
    ),
    trends=(Trend("survivors", (12, 4, 1)), Trend("best_corrected_p", (0.2, 0.01, 2.1e-9))),
    escalations=(EscalationItem("run-z", "hard gate schema:pool_size failed"),),
    last_seq=41,
    last_hash="ab" * 32,
)


def build_case(name: str, counter: Any = None) -> tuple[str, str, Any]:
    """Build golden case ``name`` (see :data:`GOLDEN_CASES`)."""
    subject, variant = name.split(":")
    counter = counter or ApproxCounter()
    results = (FAILING_RESULTS if variant == "failing" else SAMPLE_RESULTS)[subject]
    kwargs: dict[str, Any] = {}
    if variant == "history":
        kwargs = {
            "history": HISTORY,
            "artifacts": [Ref("survivors", "cd" * 32, 4096)],
            "policies_sha256": "ef" * 32,
            "gates": [Gate(name="handler:chunks", passed=True, hard=True, detail="all 64")],
        }
    if variant == "machine":
        kwargs = {"guardrail": ("retry", ("hard gate policy:train_test_gap failed",)),
                  "retry_allowed": False}
    return build_llm_context(subject, f"run-{variant}", results, tokenizer=counter, attempt=1,
                             **kwargs)


GOLDEN_CASES = tuple(
    [f"{key}:ok" for key in sorted(SAMPLE_RESULTS)]
    + [f"{key}:failing" for key in sorted(FAILING_RESULTS)]
    + ["step_2:history", "step_5:machine"]
)
