"""The bundle factory: :func:`build_llm_context` is the only way to build an LLM prompt.

Callers hand over what they know (the unit, the run, the results, gates, guardrail verdict,
history, artifacts) and get back ``(prompt, grammar_name, bundle)``. They never choose the
order of the prompt or count tokens (the original system's Guardrails 1 and 2): the factory
renders the tiers in a fixed order, fits them to the token budget with the model's own
tokenizer, and records the provenance of every input.

Deterministic by construction: no clock, no randomness, sorted keys, fixed number formats.
The same inputs (and the same tokenizer) give the same prompt bytes and the same SHA256;
``tests/contexts`` pins golden prompt hashes, regenerated only by
``tests/contexts/make_golden.py``.

Prompt layout (tier in brackets)::

    [0] role, mission, metrics that matter, rules, guardrail verdict
    [2] history from the ledger: open escalations, recent outcomes, metric trends
    [1] this result: outcome, metrics against thresholds, gates
    [0] the answer contract (keys, order, allowed values)
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, Iterable, Literal, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from grammars import get_grammar
from grammars.models import MAX_PROPOSALS
from machine.events import Gate

from .budget import ANSWER_TOKENS, Budget, FitResult, TierItems, TokenCounter, fit_tiers
from .guardrails import guardrail_floor, schema_gates
from .history import EMPTY_HISTORY, History
from .subjects import Subject, resolve_subject

__all__ = [
    "CONTEXT_VERSION",
    "ProvenanceItem",
    "TierInfo",
    "StepAwarenessBundle",
    "build_llm_context",
    "describe_answer",
    "example_answer",
    "canonical_json",
    "sha256_text",
]

#: Bumped whenever the rendering changes, so that old prompt hashes are recognisably old.
CONTEXT_VERSION = 3


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProvenanceItem(_Frozen):
    """One input the prompt drew on, by SHA256."""

    name: str
    kind: Literal[
        "results", "gates", "guardrail", "events", "artifact", "policies", "grammar",
        "contexts", "tokenizer",
    ]
    sha256: str
    detail: str = ""


class TierInfo(_Frozen):
    """One tier as rendered: its text, tokens, cap, and how many items were kept or cut."""

    level: Literal[0, 1, 2]
    text: str
    tokens: int = Field(ge=0)
    cap: int | None = None
    items: int = Field(ge=0)
    cut: int = Field(ge=0)


class StepAwarenessBundle(_Frozen):
    """Everything about one prompt: what it judges, its tiers and budget, its provenance, and
    the rendered prompt with its SHA256. Frozen: a bundle is a record, not a workspace."""

    version: int = CONTEXT_VERSION
    subject: str
    title: str
    step_id: str
    run_id: str | None
    attempt: int | None
    grammar: str
    grammar_sha256: str
    tiers: tuple[TierInfo, TierInfo, TierInfo]
    n_ctx: int
    answer_tokens: int
    prompt_tokens: int
    provenance: tuple[ProvenanceItem, ...]
    prompt: str
    prompt_sha256: str


# --- helpers ---------------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: the form every provenance hash is taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot hash {type(value).__name__} into provenance")


def sha256_text(text: str) -> str:
    """SHA256 (hex) of ``text``'s UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _one_line(value, 120)
    return _one_line(canonical_json(value), 160)


# --- the answer contract -----------------------------------------------------------------


def _describe(node: Mapping[str, Any], defs: Mapping[str, Any], subject: Subject) -> str:
    if "$ref" in node:
        return _describe(defs[node["$ref"].split("/")[-1]], defs, subject)
    if "anyOf" in node or "oneOf" in node:
        return " or ".join(_describe(o, defs, subject) for o in node.get("anyOf", node.get("oneOf")))
    if "const" in node:
        return json.dumps(node["const"])
    if "enum" in node:
        return "|".join(json.dumps(v) for v in node["enum"])
    kind = node.get("type")
    if kind == "object":
        parts = []
        for key, sub in node["properties"].items():
            if key == "name" and subject.factors and "factor" in node["properties"]:
                desc = "|".join(json.dumps(b.name) for b in subject.factors)
            elif key == "name" and subject.values and "value" in node["properties"]:
                desc = "|".join(json.dumps(b.name) for b in subject.values)
            else:
                desc = _describe(sub, defs, subject)
            parts.append(f"{json.dumps(key)}: {desc}")
        return "{" + ", ".join(parts) + "}"
    if kind == "array":
        return f"list of at most {node['maxItems']} items, each {_describe(node['items'], defs, subject)}"
    if kind == "string":
        return f"one sentence, at most {node['maxLength']} characters"
    if kind == "number":
        return f"number from {node['minimum']:g} to {node['maximum']:g}"
    if kind == "boolean":
        return "true|false"
    return kind or "value"


def describe_answer(grammar: str, subject: Subject) -> str:
    """The answer contract in words, generated from the grammar's model (so it cannot drift).

    A union (the step verdict) is described as one object whose variant-only keys say which
    decision they belong to.
    """
    schema = get_grammar(grammar).model.model_json_schema()
    defs = schema.get("$defs", {})
    variants = schema.get("oneOf") or schema.get("anyOf")
    if not variants:
        return "Answer with one JSON object, keys in this order: " + _describe(schema, defs, subject)
    objects = [defs[v["$ref"].split("/")[-1]] for v in variants]
    order = list(max(objects, key=lambda o: len(o["properties"]))["properties"])
    for obj in objects:
        order += [k for k in obj["properties"] if k not in order]
    tag = next(iter(objects[0]["properties"]))
    parts = []
    for key in order:
        owners = [o for o in objects if key in o["properties"]]
        if key == tag:
            desc = "|".join(json.dumps(o["properties"][key]["const"]) for o in objects)
        else:
            desc = _describe(owners[0]["properties"][key], defs, subject)
        if len(owners) < len(objects):
            only = "|".join(o["properties"][tag]["const"] for o in owners)
            desc += f" (only when {tag} is {only})"
        parts.append(f"{json.dumps(key)}: {desc}")
    return "Answer with one JSON object, keys in this order: {" + ", ".join(parts) + "}"


def _plain(text: str, limit: int) -> str:
    """``text`` in the grammars' text alphabet (no quote, backslash or control), cut to fit."""
    clean = "".join(ch for ch in " ".join(str(text).split()) if ch not in '"\\')
    return (clean[:limit] or "see the numbers").strip() or "see the numbers"


def example_answer(grammar: str, floor: str, floor_reasons: Sequence[str]) -> str:
    """A valid answer of ``grammar`` that repeats the guardrail verdict: the shape to follow.

    Built from the floor, so that the example never suggests anything looser than the
    guardrail; validated by the grammar's model (and checked against the grammar in tests).
    """
    model = get_grammar(grammar).model
    why = _plain(floor_reasons[0] if floor_reasons else f"guardrail verdict {floor}", 160)
    data: dict[str, Any]
    if grammar == "step_verdict":
        data = {"decision": floor, "confidence": 0.8, "reasoning": why, "warnings": []}
        if floor == "retry":
            data = {"decision": "retry", "confidence": 0.8, "reasoning": why,
                    "retry_reason": _plain(why, 80), "suggested_params": [], "warnings": []}
    elif grammar == "request_validation":
        decision = "proceed" if floor == "proceed" else "escalate"
        data = {"decision": decision, "confidence": 0.8, "reasoning": why, "concerns": []}
    elif grammar == "selfplay_evaluation":
        data = {"decision": floor, "confidence": 0.8, "reasoning": why,
                "forward_to_chapter13": False, "concerns": []}
    elif grammar == "chapter13_proposal":
        data = {"failure_mode": "none", "recommended_action": "hold", "risk_level": "low",
                "retrain_scope": "none", "confidence": 0.8, "reasoning": why,
                "parameter_proposals": []}
    elif grammar == "sieve_analysis":
        data = {"signal": "none", "chance_explains": True, "generator_family": "none",
                "next_search": "stop", "confidence": 0.8, "reasoning": why}
    elif grammar == "strategy_advisor":
        data = {"focus": "data", "priority": "low", "actions": [], "confidence": 0.8,
                "reasoning": why}
    else:  # pragma: no cover - tests check every grammar has an example
        raise KeyError(grammar)
    return model.model_validate(data).model_dump_json()


# --- tiers ---------------------------------------------------------------------------------


def _tier0_head(subject: Subject, floor: str, floor_reasons: Sequence[str],
                retry_allowed: bool | None) -> str:
    lines = [
        f"You are the WATCHER's judge for {subject.title}, in a system that tells whether "
        "observed numbers come from a known pseudo-random generator.",
        f"Mission: {subject.mission}",
    ]
    if subject.metrics:
        lines.append("Metrics that matter:")
        lines += [f"- {m.name}: {m.meaning} ({m.threshold_text()})" for m in subject.metrics]
    lines.append("Rules:")
    lines.append(
        "- The guardrail verdict below is a floor: answer the same or stricter "
        "(proceed < retry < escalate), never looser. A failed hard gate is never proceed."
    )
    if subject.factors:
        lines.append(
            f"- A retry may multiply at most {MAX_PROPOSALS} parameters: "
            + ", ".join(f"{b.name} ({b.low:g} to {b.high:g})" for b in subject.factors)
            + ". Out-of-bound factors are clamped."
        )
    if subject.values:
        lines.append(
            f"- You may propose at most {MAX_PROPOSALS} values: "
            + ", ".join(f"{b.name} ({b.low:g} to {b.high:g})" for b in subject.values)
            + ". Out-of-bound values are clamped."
        )
    lines += [f"- {note}" for note in subject.notes]
    lines.append("- Keep reasoning to one short sentence about the numbers.")
    verdict = f"Guardrail verdict: {floor}"
    if retry_allowed is False:
        verdict += " (no retry budget left: a retry becomes escalate)"
    lines.append(verdict)
    lines += [f"- {_one_line(r, 200)}" for r in floor_reasons[:6]]
    return "\n".join(lines) + "\n"


def _tier1_items(subject: Subject, results: Mapping[str, Any], gates: Sequence[Gate],
                 run_id: str | None, attempt: int | None, outcome: str | None,
                 reason: str | None) -> list[str]:
    head = f"run {run_id or '-'}"
    if attempt is not None:
        head += f", attempt {attempt}"
    if outcome is not None:
        head += f", outcome {outcome}"
        if reason:
            head += f" ({_one_line(reason, 160)})"
    items = [head]
    by_name = {g.name: g for g in gates}
    failed = [g for g in gates if not g.passed]
    items += [
        f"FAILED {'hard' if g.hard else 'soft'} gate {g.name}: {_one_line(g.detail or '', 160)}"
        for g in failed
    ]
    schema_names = [m.name for m in subject.metrics]
    for spec in subject.metrics:
        if spec.name not in results:
            continue
        marks = []
        for name in (f"schema:{spec.name}", f"schema:{spec.name}:soft"):
            gate = by_name.get(name)
            if gate is not None:
                marks.append(("ok" if gate.passed else "FAIL") + (" hard" if gate.hard else " soft"))
        note = f" [{', '.join(marks)}]" if marks else ""
        items.append(f"{spec.name} = {_value(results[spec.name])}{note}")
    for key in sorted(k for k in results if k not in schema_names):
        items.append(f"{key} = {_value(results[key])}")
    passed = sorted(g.name for g in gates if g.passed)
    if passed:
        items.append("passed gates: " + ", ".join(passed))
    return items


def _tier2_items(history: History) -> list[tuple[str, str]]:
    items = [("escalations", e.line()) for e in history.escalations]
    outcomes = [("outcomes", o.line()) for o in history.outcomes]
    trends = [("trends", t.line()) for t in history.trends]
    # Priority: open escalations, the three newest outcomes, trends, then older outcomes.
    return items + outcomes[:3] + trends + outcomes[3:]


_GROUP_TITLES = {
    "escalations": "Open escalations:",
    "outcomes": "Recent outcomes of this unit (newest first):",
    "trends": "Metric trends (oldest to newest):",
}


def _render(head: str, tail: str, t1: Sequence[str], kept1: int,
            t2: Sequence[tuple[str, str]], kept2: int) -> str:
    parts = [head]
    if t2:
        lines = ["History from the ledger:"]
        kept = t2[:kept2]
        for group in ("escalations", "outcomes", "trends"):
            mine = [text for g, text in kept if g == group]
            if mine:
                lines.append(_GROUP_TITLES[group])
                lines += [f"- {text}" for text in mine]
        if kept2 < len(t2):
            lines.append(f"({len(t2) - kept2} older history lines cut for the token budget)")
        parts.append("\n".join(lines) + "\n")
    lines = ["This result:"] + [f"- {text}" for text in t1[:kept1]]
    if kept1 < len(t1):
        lines.append(f"({len(t1) - kept1} result lines cut for the token budget)")
    parts.append("\n".join(lines) + "\n")
    parts.append(tail)
    return "".join(parts)


# --- the factory ---------------------------------------------------------------------------


def build_llm_context(
    step_id: str | int,
    run_id: str | None,
    results: Mapping[str, Any],
    *,
    tokenizer: TokenCounter,
    attempt: int | None = None,
    outcome: str | None = "completed",
    reason: str | None = None,
    gates: Iterable[Gate] = (),
    guardrail: tuple[str, Sequence[str]] | None = None,
    retry_allowed: bool | None = None,
    history: History | None = None,
    artifacts: Iterable[Any] = (),
    policies_sha256: str | None = None,
    n_ctx: int = 2048,
) -> tuple[str, str, StepAwarenessBundle]:
    """Build the prompt for judging ``step_id`` of ``run_id``: ``(prompt, grammar, bundle)``.

    ``step_id``: a step's number, name or kind (``3``, ``scoring``, ``step.3``; see
    ``machine.steps``), ``screen``/``request``, ``selfplay``, ``chapter13``,
    ``sieve_analysis`` or ``strategy``. ``results``: the unit's metrics (or the request's
    fields), flat JSON values preferred. ``gates``: those recorded with the result; the
    subject's schema gates are added (each name once). ``guardrail``: the verdict the machine
    recorded, ``(decision, reasons)``; without it the gates' own floor is used. ``history``:
    tier 2 (:mod:`contexts.history`). ``artifacts``: refs with ``name``, ``sha256`` and
    ``bytes``. ``tokenizer``: the loaded model's (:class:`contexts.budget.TokenCounter`).
    Raises ``KeyError`` for an unknown step id and ``BudgetError`` when tier 0 cannot fit.
    """
    subject = resolve_subject(step_id)
    grammar = get_grammar(subject.grammar)
    results = dict(results)
    gates_in = list(gates)
    seen = {g.name for g in gates_in}
    all_gates = gates_in + [g for g in schema_gates(subject, results) if g.name not in seen]
    if guardrail is None:
        floor, floor_reasons = guardrail_floor(all_gates, outcome=outcome, reason=reason)
    else:
        floor, floor_reasons = guardrail[0], tuple(guardrail[1])
    history = history or EMPTY_HISTORY

    head = _tier0_head(subject, floor, floor_reasons, retry_allowed)
    tail = (
        describe_answer(subject.grammar, subject)
        + "\nExample of the form (judge for yourself): "
        + example_answer(subject.grammar, floor, floor_reasons)
        + "\n"
    )
    t1 = _tier1_items(subject, results, all_gates, run_id, attempt, outcome, reason)
    t2 = _tier2_items(history)
    budget = Budget(n_ctx=n_ctx, answer=ANSWER_TOKENS[subject.grammar])

    fit: FitResult = fit_tiers(
        (head, tail),
        TierItems(tuple(t1), budget.tier1_max),
        TierItems(tuple(text for _, text in t2), budget.tier2_max),
        budget=budget,
        counter=tokenizer,
        render=lambda k1, k2: _render(head, tail, t1, k1, t2, k2),
    )
    prompt = _render(head, tail, t1, fit.kept1, t2, fit.kept2)

    provenance = [
        ProvenanceItem(name="results", kind="results", sha256=sha256_text(canonical_json(results)),
                       detail=f"{len(results)} keys"),
        ProvenanceItem(name="gates", kind="gates",
                       sha256=sha256_text(canonical_json([g.model_dump() for g in all_gates])),
                       detail=f"{len(all_gates)} gates"),
        ProvenanceItem(name="guardrail", kind="guardrail",
                       sha256=sha256_text(canonical_json([floor, list(floor_reasons)])),
                       detail=floor),
    ]
    if history.last_hash is not None:
        provenance.append(ProvenanceItem(
            name="ledger", kind="events", sha256=history.last_hash,
            detail=f"seq 0..{history.last_seq} (chain hash of the last record read)"))
    for ref in sorted(artifacts, key=lambda r: (r.name, r.sha256)):
        provenance.append(ProvenanceItem(name=ref.name, kind="artifact", sha256=ref.sha256,
                                         detail=f"{ref.bytes} bytes"))
    if policies_sha256 is not None:
        provenance.append(ProvenanceItem(name="policies", kind="policies",
                                         sha256=policies_sha256))
    provenance.append(ProvenanceItem(name=grammar.name, kind="grammar", sha256=grammar.sha256))
    provenance.append(ProvenanceItem(
        name=subject.key, kind="contexts", sha256=sha256_text(canonical_json(
            {"version": CONTEXT_VERSION, "head": head, "tail": tail})),
        detail=f"contexts v{CONTEXT_VERSION}"))
    ident = tokenizer.identity
    provenance.append(ProvenanceItem(
        name="tokenizer", kind="tokenizer",
        sha256=ident if _is_hex64(ident) else sha256_text(ident), detail=ident[:80]))

    tiers = (
        TierInfo(level=0, text=head + tail, tokens=fit.tokens[0], cap=None, items=2, cut=0),
        TierInfo(level=1, text="\n".join(t1[: fit.kept1]), tokens=fit.tokens[1],
                 cap=budget.tier1_max, items=fit.kept1, cut=len(t1) - fit.kept1),
        TierInfo(level=2, text="\n".join(text for _, text in t2[: fit.kept2]),
                 tokens=fit.tokens[2], cap=budget.tier2_max, items=fit.kept2,
                 cut=len(t2) - fit.kept2),
    )
    bundle = StepAwarenessBundle(
        subject=subject.key,
        title=subject.title,
        step_id=str(step_id),
        run_id=run_id,
        attempt=attempt,
        grammar=grammar.name,
        grammar_sha256=grammar.sha256,
        tiers=tiers,
        n_ctx=n_ctx,
        answer_tokens=budget.answer,
        prompt_tokens=fit.prompt_tokens,
        provenance=tuple(provenance),
        prompt=prompt,
        prompt_sha256=sha256_text(prompt),
    )
    return prompt, grammar.name, bundle


def _is_hex64(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
