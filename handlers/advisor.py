"""Chapter 13's LLM advisor: the handler of ``chapter13.advise`` (``ProposalMade``).

After a regime change or a drifting hit rate (``machine.acceptance.ADVISED_TRIGGERS``) the
machine asks for advice. The prompt comes from ``contexts.build_llm_context`` with the
``chapter13`` subject (its mission and metrics, the loop policy's bounds) and the Chapter 13
grammar; the answer is read through the grammar's own model
(``grammars.models.Chapter13Proposal``), so only keys the grammar produces are read.

The LLM is optional. When no model can be loaded, the time runs out, or the answer does not
parse, the proposal recorded is the rules' own (the command's ``fallback``) with
``llm_unavailable`` saying why, and the acceptance rules decide on it alone.
"""

from __future__ import annotations

import time
from typing import Any

from contexts import build_llm_context
from grammars import GrammarError
from grammars.models import Chapter13Proposal
from ledger import NewEvent
from machine.commands import AdviseOnTrigger
from machine.events import ProposalMade, ProposedValue
from machine.registry import HandlerContext

from .llm import service_for
from .llm_model import LLMError
from .llm_service import evaluate_bundle

__all__ = ["advise", "advice_results"]


def _clip(text: str, limit: int = 1000) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def advice_results(command: AdviseOnTrigger) -> dict[str, Any]:
    """What the prompt's tier 1 shows: the trigger, its evidence, the loop policy in force."""
    results: dict[str, Any] = {"trigger": command.trigger}
    scored, hits = command.evidence.get("scored"), command.evidence.get("hits")
    if isinstance(scored, int):
        results["predictions_scored"] = scored  # the subject's names for the trigger's counts
        if isinstance(hits, int) and scored > 0:
            results["hit_rate"] = hits / scored
    results.update(command.evidence)
    results.update({f"policy.{name}": value for name, value in command.policy.items()
                    if name != "version"})
    return results


def advise(command: AdviseOnTrigger, ctx: HandlerContext) -> list[NewEvent]:
    """Ask the LLM about the trigger; the rules' proposal when it cannot answer."""
    began = time.monotonic()

    def rules(why: str) -> list[NewEvent]:
        data = {**command.fallback, "llm_unavailable": _clip(why, 4000)}
        return [ctx.event(ProposalMade.model_validate(data))]

    try:
        service = service_for(ctx.home)
        if not service.running:
            service.start()
    except (LLMError, GrammarError, ValueError, OSError) as error:
        return rules(f"the LLM could not be loaded: {error}")
    try:
        _prompt, _grammar, bundle = build_llm_context(
            "chapter13", None, advice_results(command), tokenizer=service.tokenizer,
            outcome=None, n_ctx=service.config.n_ctx)
    except (ValueError, KeyError) as error:
        return rules(f"the prompt could not be built: {error}")
    left = command.timeout_s - (time.monotonic() - began)
    if left <= 0:
        return rules(f"loading the model took the whole {command.timeout_s:g} s")
    answer = evaluate_bundle(service, bundle, timeout_s=left)
    gen = answer.generation
    if not answer.ok or not isinstance(answer.verdict, Chapter13Proposal) or gen is None:
        raw = f"; answer {gen.text[:200]!r}" if gen and gen.text else ""
        return rules(f"{answer.status}: {answer.reason}{raw}")
    advice: Chapter13Proposal = answer.verdict
    made = ProposalMade(
        proposal_id=command.proposal_id,
        trigger_id=command.trigger_id,
        source="llm",
        failure_mode=advice.failure_mode,
        recommended_action=advice.recommended_action,
        risk_level=advice.risk_level,
        retrain_scope=advice.retrain_scope,
        confidence=advice.confidence,
        reasoning=advice.reasoning,
        parameter_proposals=tuple(ProposedValue(name=p.name, value=p.value)
                                  for p in advice.parameter_proposals),
        **answer.provenance,
    )
    return [ctx.event(made)]
