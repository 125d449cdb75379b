"""Request files: their schema, their ids, and their validation.

A request is a JSON object in ``watcher_requests/*.json`` (or built by a CLI command). Kinds:

- ``selfplay_retrain``: ``episodes`` 1..50 (default from policies), optional ``seed``.
- ``learning_loop``: ``scope`` ``"steps_3_5_6"`` (default: 3 scoring, 5 training, 6 prediction),
  ``"full"`` (1..6) or a list of step numbers 1..6 (no repeats; run in pipeline order). The
  steps and scopes are defined in ``machine.steps``.
- ``pipeline_rerun``: the full loop.
- control kinds, applied on receipt: ``halt``, ``resume``, ``approve`` (``run_id``, ``action``
  ``continue`` or ``abort``); ``policy_rollback`` (optional ``reason``) and
  ``proposal_approve`` (``proposal_id``, ``action`` ``accept`` or ``reject``) are applied by
  the machine right after.

Dispatch kinds also take ``dry_run`` (record the plan, consume nothing), ``draws`` (a file
inside the home folder) and ``params`` (at most 32 scalar parameters handed to the steps).
Every kind takes ``id`` (a client id: a second request with the same id is rejected) and
``note``. Unknown fields, wrong types and out-of-range numbers are rejected with one line that
names the field. Files over 1 MiB are rejected unread.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from .steps import SCOPES, STEPS, ScopeName

if TYPE_CHECKING:
    from .state import State

__all__ = [
    "MAX_REQUEST_BYTES",
    "MAX_REASON_CHARS",
    "RequestFile",
    "read_request_file",
    "bounded_reason",
    "DISPATCH_KINDS",
    "CONTROL_KINDS",
    "RequestStatus",
    "validated_status",
    "RequestError",
    "SelfplayRequest",
    "LearningLoopRequest",
    "PipelineRerunRequest",
    "HaltRequest",
    "ResumeRequest",
    "ApproveRequest",
    "PolicyRollbackRequest",
    "ProposalApproveRequest",
    "RequestSpec",
    "DispatchSpec",
    "REQUEST_ADAPTER",
    "parse_request",
    "parse_request_bytes",
    "check_request",
    "request_id_for",
    "run_id_for",
    "scope_steps",
]

MAX_REQUEST_BYTES = 1 << 20
#: A recorded rejection reason is cut to this many characters (it may quote what was sent).
MAX_REASON_CHARS = 1000
DISPATCH_KINDS = ("selfplay_retrain", "learning_loop", "pipeline_rerun")
CONTROL_KINDS = ("halt", "resume", "approve", "policy_rollback", "proposal_approve")

#: What became of a request: ``received``, then ``rejected``, or validated -- a dispatch
#: request is then ``queued`` (and later ``planned`` by a dry run, or ``running`` and
#: ``completed``/``failed``), a control request ``validated`` until it is ``applied``.
RequestStatus = Literal[
    "received", "rejected", "queued", "validated", "planned", "running", "completed", "failed",
    "applied",
]


def validated_status(kind: str) -> RequestStatus:
    """The status of a request of ``kind`` once ``RequestValidated`` is recorded."""
    return "queued" if kind in DISPATCH_KINDS else "validated"

#: The steps as a person reads them in an error: "1..6 (1 window_optimizer, ..., 6 prediction)".
_STEP_LIST = f"1..{len(STEPS)} ({', '.join(step.label for step in STEPS)})"
_CLIENT_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
#: A parameter's string value is short: a request's parameters are copied into its run's plan
#: and into every step it starts, so what a request may carry bounds what it writes.
MAX_PARAM_CHARS = 256
_Scalar = Union[bool, int, float, Annotated[str, Field(max_length=MAX_PARAM_CHARS)]]


class RequestError(ValueError):
    """A request that cannot run; the message is the one-line reason that gets recorded."""

    #: the request file's JSON object, when it was one (set by ``parse_request_bytes``)
    payload: dict[str, Any] | None = None


class _Request(BaseModel):
    # strict: "5" is not an episode count and true is not a step number.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    id: str | None = Field(default=None, pattern=_CLIENT_ID, description="client id")
    note: str | None = Field(default=None, max_length=2000)


class _Dispatch(_Request):
    dry_run: bool = False
    draws: str | None = Field(
        default=None, min_length=1, max_length=1024, description="a file inside the home folder"
    )
    params: dict[Annotated[str, Field(min_length=1, max_length=64)], _Scalar] = Field(
        default_factory=dict, max_length=32
    )


class SelfplayRequest(_Dispatch):
    """Explore: run selfplay episodes, emit candidate policies, have them judged."""

    kind: Literal["selfplay_retrain"]
    episodes: int | None = Field(default=None, ge=1, le=50)
    seed: int | None = Field(default=None, ge=0, lt=2**63)


class LearningLoopRequest(_Dispatch):
    """Run pipeline steps (default 3, 5, 6), judging each before the next."""

    kind: Literal["learning_loop"]
    scope: ScopeName | list[int] = "steps_3_5_6"

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: Any) -> Any:
        if isinstance(value, list):
            if not value:
                raise ValueError("an explicit scope lists at least one step")
            for step in value:
                if not 1 <= step <= len(STEPS):
                    raise ValueError(f"step {step} is not one of {_STEP_LIST}")
            if len(set(value)) != len(value):
                raise ValueError("an explicit scope lists each step once")
            return sorted(value)  # the pipeline has one order, whatever order was written
        return value


class PipelineRerunRequest(_Dispatch):
    """Re-run the whole pipeline (steps 1 to 6)."""

    kind: Literal["pipeline_rerun"]


class HaltRequest(_Request):
    """Pull the kill switch: nothing is dispatched until resumed."""

    kind: Literal["halt"]
    reason: str = Field(default="", max_length=2000)


class ResumeRequest(_Request):
    """Lift the kill switch."""

    kind: Literal["resume"]
    reason: str = Field(default="", max_length=2000)


class ApproveRequest(_Request):
    """Answer an escalation: continue past it, or abort the run."""

    kind: Literal["approve"]
    run_id: str = Field(min_length=1, max_length=80)
    action: Literal["continue", "abort"] = "continue"


class PolicyRollbackRequest(_Request):
    """Restore the baseline loop policy (``machine.loop_policy``): applied by the machine
    before any other work, as ``PolicyRolledBack``."""

    kind: Literal["policy_rollback"]
    reason: str = Field(default="", max_length=2000)


class ProposalApproveRequest(_Request):
    """A person's answer to an escalated Chapter 13 proposal: ``accept`` (the acceptance
    rules judge it again without the escalation) or ``reject``."""

    kind: Literal["proposal_approve"]
    proposal_id: str = Field(min_length=1, max_length=128)
    action: Literal["accept", "reject"] = "accept"


DispatchSpec = Union[SelfplayRequest, LearningLoopRequest, PipelineRerunRequest]
RequestSpec = Annotated[
    Union[
        SelfplayRequest,
        LearningLoopRequest,
        PipelineRerunRequest,
        HaltRequest,
        ResumeRequest,
        ApproveRequest,
        PolicyRollbackRequest,
        ProposalApproveRequest,
    ],
    Field(discriminator="kind"),
]
REQUEST_ADAPTER: TypeAdapter[Any] = TypeAdapter(RequestSpec)


def scope_steps(spec: DispatchSpec) -> tuple[int, ...]:
    """The pipeline steps a dispatch request runs (empty for selfplay)."""
    if isinstance(spec, PipelineRerunRequest):
        return SCOPES["full"]
    if isinstance(spec, LearningLoopRequest):
        if isinstance(spec.scope, list):
            return tuple(spec.scope)
        return SCOPES[spec.scope]
    return ()


def _reason(error: ValidationError, payload: dict[str, Any]) -> str:
    first = error.errors()[0]
    loc = [str(p) for p in first["loc"]]
    # The discriminated union puts the kind first in the location; people think in fields.
    if loc and loc[0] == payload.get("kind"):
        loc = loc[1:]
    # A union field reports which member failed ("scope.literal[...]"): name the field only.
    loc = [p for p in loc if "[" not in p]
    where = ".".join(loc)
    message = first["msg"].removeprefix("Value error, ")
    if where == "scope" and first["type"] not in ("value_error",):
        message = f"must be {', '.join(map(repr, SCOPES))} or a list of steps {_STEP_LIST}"
        return f"field 'scope': {message}"
    if first["type"] == "extra_forbidden":
        message = "unknown field (not part of this kind of request)"
    elif first["type"] == "missing":
        message = "required field is missing"
    elif first["type"] == "union_tag_invalid":
        kinds = ", ".join(DISPATCH_KINDS + CONTROL_KINDS)
        return f"unknown kind {payload.get('kind')!r}; known kinds: {kinds}"
    elif first["type"] == "union_tag_not_found":
        return "missing field 'kind'"
    more = error.error_count() - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"field {where!r}: {message}{tail}" if where else f"{message}{tail}"


def parse_request(payload: Any) -> Any:
    """Validate a request's JSON value against the schema (no I/O); ``RequestError`` if bad."""
    if not isinstance(payload, dict):
        raise RequestError(f"a request is a JSON object, not {type(payload).__name__}")
    try:
        return REQUEST_ADAPTER.validate_python(payload)
    except ValidationError as error:
        raise RequestError(_reason(error, payload)) from None


def parse_request_bytes(raw: bytes) -> tuple[dict[str, Any] | None, Any]:
    """Parse a request file's bytes: ``(payload or None, spec)``; ``RequestError`` if bad.

    The payload (when the bytes were a JSON object) is returned even when the spec is bad,
    through ``RequestError.payload``, so that the rejection can record what was received.
    """
    import orjson

    if len(raw) > MAX_REQUEST_BYTES:
        raise RequestError(
            f"request file is {len(raw)} bytes; the limit is {MAX_REQUEST_BYTES} (1 MiB)"
        )
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise RequestError(f"not valid JSON: {error}") from None
    payload = value if isinstance(value, dict) else None
    try:
        return payload, parse_request(value)
    except RequestError as error:
        error.payload = payload
        raise


def _inside(home: Path, relative: str, what: str) -> Path:
    """Resolve ``relative`` against the home folder; it must stay inside it and exist."""
    root = home.resolve()
    candidate = Path(relative)
    path = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not path.is_relative_to(root):
        raise RequestError(f"field {what!r}: {relative!r} is outside the home folder {root}")
    if not path.is_file():
        raise RequestError(f"field {what!r}: {relative!r} is not a file in the home folder")
    return path


def check_request(spec: Any, *, home: Path, state: "State") -> Any:
    """Checks that need the home folder or the machine's state; returns the normalised spec.

    - referenced files exist inside the home (symlinks resolved: no way out);
    - a client ``id`` is not already taken by an earlier request;
    - an approval names a run that is waiting for one (run id or its request id).
    """
    if spec.id is not None and spec.id in state.client_ids:
        first = state.client_ids[spec.id]
        raise RequestError(f"duplicate request id {spec.id!r}: already used by request {first}")
    if isinstance(spec, (SelfplayRequest, LearningLoopRequest, PipelineRerunRequest)):
        if spec.draws is not None:
            _inside(home, spec.draws, "draws")
    if isinstance(spec, ProposalApproveRequest):
        proposal = state.loop.proposals.get(spec.proposal_id)
        if proposal is None:
            raise RequestError(f"no proposal {spec.proposal_id!r} in this ledger")
        if proposal.status != "escalated" or spec.proposal_id in state.loop.approvals.values():
            raise RequestError(f"proposal {spec.proposal_id} is {proposal.status}, not "
                               "escalated and waiting for a person")
    if isinstance(spec, ApproveRequest):
        run_id = spec.run_id
        if run_id.startswith("rq-"):
            run_id = run_id_for(run_id)
        run = state.runs.get(run_id)
        if run is None:
            raise RequestError(f"no run {spec.run_id!r} in this ledger")
        if state.active != run_id or state.phase.value != "escalated":
            raise RequestError(
                f"run {run_id} is not waiting for approval (it is {run.status})"
            )
        if run_id != spec.run_id:
            spec = spec.model_copy(update={"run_id": run_id})
    return spec


def request_id_for(name: str, sha256: str, claim: str | None = None) -> str:
    """The id of a request: derived from its claim (see ``Runner.intake``), its file's name
    and the SHA256 of its bytes, so a claimed file picked up again after a crash maps to the
    same ``RequestReceived`` (and the ledger's idempotent append makes the second append a
    no-op), while the same bytes dropped again later are claimed anew: a new request."""
    key = name.encode("utf-8", "surrogateescape") + b"\0" + sha256.encode()
    if claim is not None:
        key = claim.encode() + b"\0" + key
    return "rq-" + hashlib.sha256(key).hexdigest()[:20]


def bounded_reason(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """One line of at most ``limit`` characters (a reason may quote what was sent)."""
    line = " ".join(text.split()) or "rejected"
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


@dataclass(frozen=True)
class RequestFile:
    """What was read of a request file: its bytes (None when it was not read), the SHA256 and
    size of what was read, and why it cannot be a request (None when it was read whole)."""

    raw: bytes | None
    sha256: str
    size: int
    problem: str | None


_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def read_request_file(path: Path, limit: int = MAX_REQUEST_BYTES,
                      what: str = "request file") -> RequestFile:
    """Read a dropped file (a request, or ``what``) safely: never through a symlink, regular
    files only, at most ``limit + 1`` bytes (a huge or sparse file is refused unread). Never
    raises ``OSError``."""
    empty = hashlib.sha256(b"").hexdigest()
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return RequestFile(None, empty, 0, f"a symbolic link: {what}s are not followed")
        return RequestFile(None, empty, 0, f"cannot be opened: {error.strerror or error}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a file")
            return RequestFile(None, empty, 0, f"not a regular file ({kind})")
        if info.st_size > limit:
            return RequestFile(
                None, empty, info.st_size,
                f"{what} is {info.st_size} bytes; the limit is {limit}"
                + (f" ({limit >> 20} MiB)" if limit and not limit % (1 << 20) else "") + "; not read",
            )
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, limit + 1 - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        raw = b"".join(chunks)
    except OSError as error:
        return RequestFile(None, empty, 0, f"cannot be read: {error.strerror or error}")
    finally:
        os.close(fd)
    sha = hashlib.sha256(raw).hexdigest()
    if len(raw) > limit:
        return RequestFile(None, sha, len(raw), f"{what} grew past the limit of {limit}")
    return RequestFile(raw, sha, len(raw), None)


def run_id_for(request_id: str) -> str:
    """The id of the run a dispatch request becomes (one run per request)."""
    return "run-" + request_id.removeprefix("rq-")
