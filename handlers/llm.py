"""The WATCHER's handlers of the local LLM (entry-point group ``prng_watcher.handlers``).

- ``llm.start`` -> ``LLMStarted`` (or ``LLMUnavailable`` phase start);
- ``llm.stop`` -> ``LLMStopped`` (memory freed);
- ``llm.evaluate`` -> ``VerdictRecorded`` with source ``llm`` and the model, grammar and
  prompt SHA256, token counts and latency; or ``LLMUnavailable`` phase evaluate when the model
  cannot be loaded, runs out of time, or answers something its grammar's model rejects. The
  machine then acts on the guardrail verdict it recorded before asking (``source:
  guardrail``); nothing here ever defaults to ``proceed``.

The model and its configuration are in :mod:`handlers.llm_model`, the llama.cpp service in
:mod:`handlers.llm_service`, ``watcher llm`` in :mod:`handlers.llm_cli`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence, cast

from contexts import (
    History,
    build_llm_context,
    guardrail_floor,
    schema_gates,
    subject_for_unit,
)
from contexts.history import history_from_views
from grammars import GrammarError
from ledger import LedgerError, ResumePoint, read_ledger
from machine.events import (
    DECISION_RANK,
    Decision,
    LLMStarted,
    LLMStopped,
    LLMUnavailable,
    VerdictRecorded,
)
from machine.steps import SELFPLAY
from projections.views import Projection, build_views

from .llm_model import LLMConfig, LLMError
from .llm_service import LLMService, evaluate_bundle

__all__ = ["service_for", "start_llm", "stop_llm", "evaluate"]

_SERVICES: dict[LLMConfig, LLMService] = {}
_SERVICES_LOCK = threading.Lock()


def service_for(home: Path | None = None, config: LLMConfig | None = None) -> LLMService:
    """The process's service for a configuration (``<home>/llm.json`` unless given): one
    model per configuration, kept between ``llm.start``, ``llm.evaluate`` and ``llm.stop``."""
    config = config or LLMConfig.load(home)
    with _SERVICES_LOCK:
        if config not in _SERVICES:
            _SERVICES[config] = LLMService(config)
        return _SERVICES[config]


def _clip(text: str, limit: int = 1000) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def start_llm(command: Any, ctx: Any) -> list[Any]:
    """Handler of ``llm.start``: load the model (``LLMStarted``) or say why not."""
    try:
        service = service_for(ctx.home)
        info = service.start()
    except (LLMError, GrammarError, ValueError, OSError) as error:
        return [ctx.event(LLMUnavailable(phase="start", reason=_clip(f"load failed: {error}")))]
    detail = (
        "already running" if info.already_running else
        f"loaded in {info.load_s:.2f} s; n_ctx {service.config.n_ctx}, "
        f"{info.threads} threads; grammars accepted by llama.cpp: "
        + ", ".join(info.grammars)
    )
    return [ctx.event(LLMStarted(model=info.path.name, model_sha256=info.sha256, detail=detail))]


def stop_llm(command: Any, ctx: Any) -> list[Any]:
    """Handler of ``llm.stop``: free the memory of every model this process loaded
    (``LLMStopped``), whatever ``llm.json`` says now: it may have been edited since a model
    was started, and the machine runs GPU-heavy work on the strength of this event."""
    with _SERVICES_LOCK:
        services = list(_SERVICES.values())
    freed = sum(1 for service in services if service.stop())
    detail = f"memory of {freed} model(s) freed" if freed else "no model was loaded"
    return [ctx.event(LLMStopped(was_running=bool(freed), detail=detail))]


@dataclass
class _LedgerRead:
    """What this process has read of one ledger: the projections built so far, where the read
    stopped, the policies in force, and the artifacts of the latest completed attempts."""

    resume: ResumePoint | None = None
    views: dict[str, Projection] = field(default_factory=lambda: build_views(()))
    last_hash: str | None = None
    policies_sha256: str | None = None
    artifacts: OrderedDict[tuple[str | None, str, int], list[Any]] = field(
        default_factory=OrderedDict)


#: Completed attempts whose artifacts are kept (an evaluation asks about one just finished).
_KEPT_ATTEMPTS = 256
_READS: dict[str, _LedgerRead] = {}


def _read_new(path: Path) -> _LedgerRead:
    """The ledger's projections, brought up to date by reading only what was appended since
    the last call in this process (the daemon's handler worker lives on between commands);
    a ledger that does not continue where the last read stopped is read again in full."""
    key = str(path)
    for attempt in range(2):
        read = _READS.get(key) or _LedgerRead()
        try:
            # the first read only parses; a resumed one checks that the chain goes on
            reader = read_ledger(path, verify=read.resume is not None, resume=read.resume)
            for record in reader:
                for view in read.views.values():
                    view.apply(record)
                read.last_hash = record.hash
                if record.type == "PoliciesSet":
                    read.policies_sha256 = record.data.get("sha256")
                elif record.type in ("StepCompleted", "SelfplayCompleted", "CandidateEmitted"):
                    where = (record.run_id, str(record.data.get("step", SELFPLAY)),
                             int(record.data.get("attempt", 0)))
                    read.artifacts.setdefault(where, []).extend(record.artifacts)
                    read.artifacts.move_to_end(where)
                    while len(read.artifacts) > _KEPT_ATTEMPTS:
                        read.artifacts.popitem(last=False)
            read.resume = reader.resume_point or read.resume
        except (LedgerError, ValueError):
            _READS.pop(key, None)
            if attempt or read.resume is None:
                raise
            continue
        _READS[key] = read
        return read
    raise AssertionError("unreachable")


def _ledger_inputs(ctx: Any, command: Any, metrics: Sequence[str]) -> tuple[History | None, list[Any], str | None]:
    """Tier-2 history, the unit's artifacts and the policies' SHA256 (the ledger read only
    from where this process last stopped)."""
    path = getattr(ctx, "ledger_path", None)
    if path is None or not Path(path).exists():
        return None, [], None
    read = _read_new(Path(path))
    unit, attempt, run_id = str(command.unit), command.attempt, command.run_id
    history = history_from_views(
        read.views, unit=unit, metrics=metrics, exclude=(run_id, unit, attempt),
        last_hash=read.last_hash,
    )
    artifacts = list(read.artifacts.get((run_id, unit, attempt), []))
    return history, artifacts, read.policies_sha256


def evaluate(command: Any, ctx: Any) -> list[Any]:
    """Handler of ``llm.evaluate``: build the bundle, ask the LLM, record its verdict.

    Any failure (no model, timeout, an answer its grammar or model rejects) is recorded as
    ``LLMUnavailable`` with the reason, and the guardrail verdict the machine recorded before
    asking stands. The recorded decision is the LLM's, except that it is tightened (and says
    so) when the subject's own schema gates are stricter than the floor the machine sent,
    e.g. when a step handler did not attach them; the machine clamps to its floor after that.

    The command's timeout covers everything: loading the model, reading the ledger, building
    the bundle and generating (the daemon's watchdog kills what runs past it anyway; this way
    the failure says where the time went).
    """
    began = time.monotonic()
    deadline = began + command.timeout_s

    def overrun(what: str) -> list[Any]:
        return [ctx.event(LLMUnavailable(phase="evaluate", reason=_clip(
            f"timeout: {what} took {time.monotonic() - began:.1f} s of the "
            f"{command.timeout_s:g} s allowed; no answer asked for")))]

    try:
        service = service_for(ctx.home)
        if not service.running:
            # The machine believes the LLM runs (it recorded LLMStarted); after a restart of
            # this process the model is loaded again before answering.
            service.start()
    except (LLMError, GrammarError, ValueError, OSError) as error:
        return [ctx.event(LLMUnavailable(phase="evaluate", reason=_clip(f"load failed: {error}")))]
    if time.monotonic() >= deadline:
        return overrun("loading the model")

    subject = subject_for_unit(command.subject, str(command.unit))
    results = dict(command.request) if command.subject == "request" else dict(command.metrics)
    try:
        history, artifacts, policies_sha = _ledger_inputs(
            ctx, command, [m.name for m in subject.metrics])
        _prompt, _grammar, bundle = build_llm_context(
            subject.key, command.run_id, results, tokenizer=service.tokenizer,
            attempt=command.attempt, outcome=command.outcome, reason=command.reason,
            gates=command.gates, guardrail=(command.floor, command.floor_reasons),
            retry_allowed=command.retry_allowed, history=history, artifacts=artifacts,
            policies_sha256=policies_sha, n_ctx=service.config.n_ctx,
        )
    except (ValueError, KeyError, OSError) as error:
        return [ctx.event(LLMUnavailable(phase="evaluate",
                                         reason=_clip(f"context not built: {error}")))]

    left = deadline - time.monotonic()
    if left <= 0:
        return overrun("loading the model and reading the ledger")
    own_floor, _ = guardrail_floor(schema_gates(subject, results), outcome=command.outcome)
    tighter = own_floor if DECISION_RANK[own_floor] > DECISION_RANK[command.floor] else None
    answer = evaluate_bundle(service, bundle, timeout_s=left, floor=tighter)
    gen = answer.generation
    facts = (
        f"model {answer.model_sha256}, grammar {bundle.grammar} {bundle.grammar_sha256}, "
        f"prompt {bundle.prompt_sha256}"
        + (f", {gen.prompt_tokens}+{gen.completion_tokens} tokens, "
           f"{gen.latency_s * 1000:.0f} ms" if gen else "")
    )
    if not answer.ok or answer.interpretation is None or answer.interpretation.decision is None:
        raw = f"; answer {gen.text[:200]!r}" if gen and gen.text else ""
        reason = _clip(f"{answer.status}: {answer.reason} ({facts}){raw}")
        return [ctx.event(LLMUnavailable(phase="evaluate", reason=reason))]
    meaning = answer.interpretation
    assert gen is not None
    # a decision of the grammar's models, tightened by contexts.interpret; the event validates it
    decision = cast(Decision, meaning.decision)
    verdict = VerdictRecorded(
        subject=command.subject,
        unit=command.unit,
        attempt=command.attempt,
        source="llm",
        decision=decision,
        effective=decision,  # the machine re-derives it
        reasons=tuple(_clip(r, 300) for r in meaning.reasons[:12]),
        adjustments=meaning.adjustments,
        **answer.provenance,
    )
    return [ctx.event(verdict)]
