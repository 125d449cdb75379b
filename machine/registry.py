"""Handlers: who does the work a command names. The only place with effects.

A handler is ``handle(command, ctx) -> list[NewEvent]``. It is looked up by the command's
``kind``: first among handlers given to the :class:`HandlerRegistry`, then the in-process
registry (:func:`register_handler`, for tests and embedding), then the
``prng_watcher.handlers`` entry-point group (entry name = kind, e.g. ``step.3`` or
``llm.evaluate``), which is how ``handlers/`` and ``contexts/`` plug in without ``machine``
importing them. ``$WATCHER_DISABLE_HANDLERS`` ignores installed handlers by pattern (e.g.
``llm.*`` to run on guardrails alone); two installed handlers for one kind are refused.

Built-in kinds (dispatch, guardrail verdicts, unit starts, escalation, completion) are pure and
handled here: they only turn the command into its event. A missing external handler is not an
error of the machine: a step fails with a clear ``StepFailed``; the LLM is reported
``LLMUnavailable`` and the guardrail verdict (recorded before the LLM is asked) stands; stopping
an LLM that is not installed is recorded as ``LLMStopped`` with ``was_running=False``, since
nothing holds GPU memory.

Whatever a handler returns is checked (event types allowed for its kind, the unit and attempt
it names, exactly one terminal event) and normalised (``run_id``, ``causation_id``); a
handler that raises or returns something else is recorded as a failure of that command. An
LLM verdict looser than the guardrail's is clamped and the clamp recorded.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from fnmatch import fnmatch
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence

from ledger import ArtifactRef, NewEvent, canonical

from .commands import (
    BUILTIN_KINDS,
    Command,
    CompleteRun,
    EscalateRun,
    EvaluateWithLLM,
    FailRun,
    PlanDispatch,
    PredictNext,
    RecordGuardrailVerdict,
    RequestFromTrigger,
    FireTrigger,
    ScorePredictions,
    RunSelfplay,
    RunStep,
    AdviseOnTrigger,
    JudgeProposal,
    RollBackPolicy,
    SettleCandidate,
    ShadowCandidate,
    StartDispatch,
    StartLLM,
    StartSelfplay,
    StartStep,
    StopLLM,
    kind_of,
)
from .events import (
    DispatchCompleted,
    DispatchFailed,
    DispatchPlanned,
    DispatchStarted,
    Escalated,
    EventModel,
    LLMStopped,
    LLMUnavailable,
    PredictionIssued,
    RequestReceived,
    RequestValidated,
    CandidateRetired,
    ProposalAccepted,
    ProposalMade,
    SelfplayFailed,
    SelfplayStarted,
    StepFailed,
    StepStarted,
    VerdictRecorded,
    new_event,
    parse_event,
    to_data,
)
from .requests import REQUEST_ADAPTER
from .steps import step_for
from .verdicts import clamp_verdict

__all__ = [
    "Handler",
    "HandlerContext",
    "HandlerError",
    "HandlerRegistry",
    "ENTRY_POINT_GROUP",
    "DISABLE_ENV",
    "disabled_patterns",
    "register_handler",
    "unregister_handler",
    "registered_handlers",
    "builtin_events",
    "fallback_events",
    "checked_events",
]

ENTRY_POINT_GROUP = "prng_watcher.handlers"
#: Comma-separated ``fnmatch`` patterns of installed handlers to ignore, matched against the
#: command kind (``llm.*``) or the entry point's target (``handlers.llm:*``); ``*`` runs with
#: built-ins only (every step then fails as "no handler installed", the guardrail judges).
DISABLE_ENV = "WATCHER_DISABLE_HANDLERS"


def disabled_patterns() -> list[str]:
    """The patterns of ``$WATCHER_DISABLE_HANDLERS``."""
    raw = os.environ.get(DISABLE_ENV, "")
    return [p.strip() for p in raw.split(",") if p.strip()]


class Handler(Protocol):
    """``handle(command, ctx) -> list[NewEvent]``; must be idempotent per command id."""

    def __call__(self, command: Any, ctx: "HandlerContext") -> Sequence[NewEvent]: ...


class HandlerError(ValueError):
    """A handler's result that cannot be recorded as it is."""


@dataclass
class HandlerContext:
    """What a handler may use: the home folder, the artifact store, a clock, and ids.

    Event ids come from :meth:`new_id`: ``<command id>/<n>`` in call order, so a handler that
    is re-run after a crash produces the same ids and the ledger ignores the repeat.
    """

    command: Any
    clock: Callable[[], str]
    home: Path | None = None
    artifacts: Any = None  # ledger.ArtifactStore when the home has one
    ledger_path: Path | None = None
    _counter: int = field(default=0, repr=False)

    def new_id(self) -> str:
        """The next event id derived from the command id."""
        event_id = f"{self.command.id}/{self._counter}"
        self._counter += 1
        return event_id

    def event(self, payload: EventModel, *, artifacts: tuple[ArtifactRef, ...] = ()) -> NewEvent:
        """Wrap ``payload`` as the command's next event (id, time, run, causation filled in)."""
        return new_event(
            payload,
            id=self.new_id(),
            ts=self.clock(),
            run_id=self.command.run_id,
            causation_id=self.command.id,
            artifacts=artifacts,
        )


_PROCESS_HANDLERS: dict[str, Callable[..., Sequence[NewEvent]]] = {}
_PROCESS_LOCK = threading.Lock()


def register_handler(kind: str, handler: Callable[..., Sequence[NewEvent]]) -> None:
    """Install ``handler`` for ``kind`` in this process (tests, embedding)."""
    if kind in BUILTIN_KINDS:
        raise ValueError(f"{kind!r} is built into the machine and cannot be replaced")
    with _PROCESS_LOCK:
        _PROCESS_HANDLERS[kind] = handler


def unregister_handler(kind: str) -> None:
    """Remove an in-process handler (no error if there was none)."""
    with _PROCESS_LOCK:
        _PROCESS_HANDLERS.pop(kind, None)


def registered_handlers() -> dict[str, Callable[..., Sequence[NewEvent]]]:
    """A copy of the in-process registry."""
    with _PROCESS_LOCK:
        return dict(_PROCESS_HANDLERS)


class HandlerRegistry:
    """Looks handlers up by command kind (explicit > in-process > entry points)."""

    def __init__(
        self,
        handlers: Mapping[str, Callable[..., Sequence[NewEvent]]] | None = None,
        *,
        use_process_registry: bool = True,
        use_entry_points: bool = True,
    ) -> None:
        self._explicit = dict(handlers or {})
        for kind in self._explicit:
            if kind in BUILTIN_KINDS:
                raise ValueError(f"{kind!r} is built into the machine and cannot be replaced")
        self._use_process = use_process_registry
        self._use_entry_points = use_entry_points
        self._entry_points: dict[str, Any] | None = None

    def _from_entry_points(self) -> dict[str, Any]:
        if self._entry_points is None:
            found = entry_points(group=ENTRY_POINT_GROUP) if self._use_entry_points else ()
            disabled = disabled_patterns()
            chosen: dict[str, Any] = {}
            for ep in sorted(found, key=lambda e: (e.name, e.value)):
                if any(fnmatch(ep.name, p) or fnmatch(ep.value, p) for p in disabled):
                    continue
                other = chosen.get(ep.name)
                if other is not None and other.value != ep.value:
                    # Two installed handlers for one kind: which one runs must not depend on
                    # install order. Refuse, and say how to choose.
                    raise ValueError(
                        f"two handlers installed for {ep.name!r}: {other.value} and {ep.value}; "
                        f"disable one with {DISABLE_ENV}=<module pattern>"
                    )
                chosen[ep.name] = ep
            self._entry_points = chosen
        return self._entry_points

    def check(self) -> None:
        """Resolve the entry points now (``ValueError`` on an ambiguous installation, or one
        that could start the LLM but never stop it: the machine would record it stopped,
        since nothing installed can hold its memory, while a model stays loaded)."""
        self._from_entry_points()
        if self._installed(kind_of(StartLLM)) and not self._installed(kind_of(StopLLM)):
            raise ValueError(
                "an llm.start handler is installed but no llm.stop: a started model could "
                f"never be freed before GPU work; disable both ({DISABLE_ENV}='llm.*') or none"
            )

    def _installed(self, kind: str) -> bool:
        if kind in self._explicit:
            return True
        if self._use_process:
            with _PROCESS_LOCK:
                if kind in _PROCESS_HANDLERS:
                    return True
        return kind in self._from_entry_points()

    def get(self, kind: str) -> Callable[..., Sequence[NewEvent]] | None:
        """The handler for ``kind``, or ``None`` when none is installed."""
        if kind in self._explicit:
            return self._explicit[kind]
        if self._use_process:
            with _PROCESS_LOCK:
                if kind in _PROCESS_HANDLERS:
                    return _PROCESS_HANDLERS[kind]
        ep = self._from_entry_points().get(kind)
        if ep is None:
            return None
        handler: Callable[..., Sequence[NewEvent]] = ep.load()
        self._explicit[kind] = handler  # load once
        return handler

    def describe(self) -> dict[str, str]:
        """Installed external kinds and where each comes from."""
        out = {kind: "entry point" for kind in self._from_entry_points()}
        if self._use_process:
            out.update({kind: "in-process" for kind in registered_handlers()})
        out.update({kind: "explicit" for kind in self._explicit})
        return dict(sorted(out.items()))


# --- built-in, fallback and checking -------------------------------------------------------


def builtin_events(command: Command) -> list[EventModel]:
    """The events of a built-in command: a pure function of the command."""
    c: Any = command
    if isinstance(c, PlanDispatch):
        return [DispatchPlanned(request_id=c.request_id, run_id=c.run_id, plan=c.plan)]
    if isinstance(c, StartDispatch):
        return [DispatchStarted(request_id=c.request_id, run_id=c.run_id, plan=c.plan)]
    if isinstance(c, RecordGuardrailVerdict):
        return [
            VerdictRecorded(
                subject=c.subject, unit=c.unit, attempt=c.attempt, source="guardrail",
                decision=c.decision, effective=c.decision, reasons=c.reasons,
            )
        ]
    if isinstance(c, StartStep):
        return [
            StepStarted(step=c.step, attempt=c.attempt, gpu_heavy=c.gpu_heavy, params=c.params,
                        adjustments=c.adjustments)
        ]
    if isinstance(c, StartSelfplay):
        return [SelfplayStarted(attempt=c.attempt, episodes=c.episodes, seed=c.seed,
                                adjustments=c.adjustments)]
    if isinstance(c, EscalateRun):
        return [Escalated(request_id=c.request_id, run_id=c.run_id, unit=c.unit,
                          attempt=c.attempt, reason=c.reason)]
    if isinstance(c, CompleteRun):
        return [DispatchCompleted(request_id=c.request_id, run_id=c.run_id, summary=c.summary)]
    if isinstance(c, FailRun):
        return [DispatchFailed(request_id=c.request_id, run_id=c.run_id, reason=c.reason)]
    if isinstance(c, ScorePredictions):
        return list(c.scores)
    if isinstance(c, FireTrigger):
        return [c.trigger]
    if isinstance(c, RequestFromTrigger):
        body = canonical(c.request)
        normalised = REQUEST_ADAPTER.validate_python(c.request).model_dump(mode="json")
        return [
            RequestReceived(request_id=c.new_request_id, source="chapter13", name=c.trigger_id,
                            sha256=hashlib.sha256(body).hexdigest(), bytes=len(body),
                            payload=c.request),
            RequestValidated(request_id=c.new_request_id, request=normalised),
        ]
    if isinstance(c, JudgeProposal):
        return _judgement_events(c)
    if isinstance(c, SettleCandidate):
        return [c.outcome]
    if isinstance(c, RollBackPolicy):
        return [c.rollback]
    raise HandlerError(f"{command.kind!r} is not a built-in command")


def _judgement_events(c: JudgeProposal) -> list[EventModel]:
    """A judged proposal, then its rollback or the request its accepted action makes."""
    events: list[EventModel] = [c.verdict]
    if c.rollback is not None:
        events.append(c.rollback)
    verdict = c.verdict
    if isinstance(verdict, ProposalAccepted) and verdict.request is not None:
        if c.new_request_id is None or verdict.request_name is None:
            raise HandlerError("an accepted proposal's request needs its id and name")
        body = canonical(verdict.request)
        normalised = REQUEST_ADAPTER.validate_python(verdict.request).model_dump(mode="json")
        events += [
            RequestReceived(request_id=c.new_request_id, source="chapter13",
                            name=verdict.request_name, sha256=hashlib.sha256(body).hexdigest(),
                            bytes=len(body), payload=verdict.request),
            RequestValidated(request_id=c.new_request_id, request=normalised),
        ]
    return events


def fallback_events(command: Command, reason: str) -> list[EventModel]:
    """What is recorded when an external handler is missing, raised, or returned garbage."""
    c: Any = command
    if isinstance(c, RunStep):
        return [StepFailed(step=c.step, attempt=c.attempt, reason=reason)]
    if isinstance(c, RunSelfplay):
        return [SelfplayFailed(attempt=c.attempt, reason=reason)]
    if isinstance(c, StartLLM):
        return [LLMUnavailable(phase="start", reason=reason)]
    if isinstance(c, EvaluateWithLLM):
        return [LLMUnavailable(phase="evaluate", reason=reason)]
    if isinstance(c, StopLLM):
        return [LLMUnavailable(phase="stop", reason=reason)]
    if isinstance(c, PredictNext):
        # No prediction could be made: an empty pool says so, and the hypothesis is dropped.
        return [PredictionIssued(target_index=c.target_index, identified=False,
                                 hypothesis={"failed": reason[:2000]})]
    if isinstance(c, AdviseOnTrigger):
        # No advice: the rules' own proposal, saying why the LLM gave none.
        return [ProposalMade.model_validate({**c.fallback, "llm_unavailable": reason[:4000]})]
    if isinstance(c, ShadowCandidate):
        return [CandidateRetired(candidate_id=c.candidate_id, reason="no shadow predictions",
                                 shadow_error=reason[:4000])]
    raise HandlerError(f"no fallback for {command.kind!r}")


def missing_handler_events(command: Command) -> list[EventModel]:
    """Events for an external command whose handler is not installed."""
    reason = f"no handler installed for {command.kind!r} (entry-point group {ENTRY_POINT_GROUP})"
    if isinstance(command, StopLLM):
        # No LLM handler, no LLM: nothing holds GPU memory, so the GPU-heavy unit may run.
        return [LLMStopped(was_running=False, detail=reason)]
    return fallback_events(command, reason)


_ALLOWED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # kind: (types allowed before the terminal one, terminal types)
    kind_of(StartLLM): (frozenset(), frozenset({"LLMStarted", "LLMUnavailable"})),
    kind_of(StopLLM): (frozenset(), frozenset({"LLMStopped", "LLMUnavailable"})),
    kind_of(EvaluateWithLLM): (frozenset(), frozenset({"VerdictRecorded", "LLMUnavailable"})),
    kind_of(RunSelfplay): (frozenset({"CandidateEmitted"}),
                           frozenset({"SelfplayCompleted", "SelfplayFailed"})),
    kind_of(AdviseOnTrigger): (frozenset(), frozenset({"ProposalMade"})),
    kind_of(ShadowCandidate): (frozenset(), frozenset({"ShadowScored", "CandidateRetired"})),
    kind_of(PredictNext): (frozenset(), frozenset({"PredictionIssued"})),
}
_STEP: tuple[frozenset[str], frozenset[str]] = (
    frozenset(), frozenset({"StepCompleted", "StepFailed"})
)
#: The prediction step records its prediction, then its outcome.
_PREDICTION_STEP: tuple[frozenset[str], frozenset[str]] = (frozenset({"PredictionIssued"}), _STEP[1])


def checked_events(command: Command, events: Sequence[Any]) -> list[NewEvent]:
    """Check and normalise a handler's result for ``command`` (``HandlerError`` if unusable).

    Sets ``run_id`` and ``causation_id`` to the command's; requires the allowed event types
    with exactly one terminal event, last; requires unit and attempt to match; clamps an LLM
    verdict to the guardrail floor (recording ``effective`` and ``clamped``).
    """
    kind = command.kind
    if kind == step_for("prediction").kind:
        before, terminal = _PREDICTION_STEP
    elif kind.startswith("step."):
        before, terminal = _STEP
    elif kind in _ALLOWED:
        before, terminal = _ALLOWED[kind]
    else:
        raise HandlerError(f"{kind!r} is not an external command kind")
    events = list(events)
    if not events:
        raise HandlerError(f"handler for {kind!r} returned no events")
    out: list[NewEvent] = []
    for index, event in enumerate(events):
        if not isinstance(event, NewEvent):
            raise HandlerError(f"handler for {kind!r} returned {type(event).__name__}, not NewEvent")
        last = index == len(events) - 1
        allowed = terminal if last else before
        if event.type not in allowed:
            where = "last" if last else "before the last"
            raise HandlerError(
                f"handler for {kind!r} returned {event.type} {where}; allowed: {sorted(allowed)}"
            )
        try:
            payload = parse_event(event.type, event.v, event.data)
        except ValueError as error:
            raise HandlerError(f"handler for {kind!r}: {error}") from None
        payload = _match(command, payload)
        out.append(
            event.model_copy(
                update={
                    "run_id": command.run_id,
                    "causation_id": command.id,
                    "data": to_data(payload),
                }
            )
        )
    return out


def _match(command: Any, payload: Any) -> Any:
    """Require the payload to name the command's unit and attempt; clamp LLM verdicts."""
    for name in ("step", "attempt"):
        if hasattr(payload, name) and hasattr(command, name):
            if getattr(payload, name) != getattr(command, name):
                raise HandlerError(
                    f"handler for {command.kind!r} reported {name} {getattr(payload, name)}, "
                    f"expected {getattr(command, name)}"
                )
    if isinstance(payload, VerdictRecorded):
        assert isinstance(command, EvaluateWithLLM)
        if payload.source != "llm":
            raise HandlerError(f"{command.kind} must return a verdict with source 'llm'")
        if (payload.subject, payload.unit) != (command.subject, command.unit):
            raise HandlerError(
                f"verdict on {payload.subject} {payload.unit}, expected {command.subject} "
                f"{command.unit}"
            )
        effective, clamped = clamp_verdict(
            payload.decision, floor=command.floor, retry_allowed=command.retry_allowed,
            subject=command.subject,
        )
        payload = payload.model_copy(update={"effective": effective, "clamped": clamped})
    if isinstance(command, AdviseOnTrigger) and isinstance(payload, ProposalMade):
        if (payload.proposal_id, payload.trigger_id) != (command.proposal_id, command.trigger_id):
            raise HandlerError(f"{command.kind} must answer proposal {command.proposal_id} on "
                               f"trigger {command.trigger_id}")
    if isinstance(command, ShadowCandidate) and hasattr(payload, "candidate_id"):
        if payload.candidate_id != command.candidate_id or getattr(
                payload, "first_index", command.first_index) != command.first_index:
            raise HandlerError(f"{command.kind} must shadow candidate {command.candidate_id} "
                               f"from draw {command.first_index}")
    if isinstance(payload, LLMUnavailable):
        expected: dict[type[Command], str] = {
            StartLLM: "start", StopLLM: "stop", EvaluateWithLLM: "evaluate"
        }
        if payload.phase != expected[type(command)]:
            raise HandlerError(f"LLMUnavailable phase {payload.phase!r} for {command.kind!r}")
    return payload
