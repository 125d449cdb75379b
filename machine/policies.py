"""The WATCHER's policies: thresholds, retry limits, timeouts, cooldowns and alpha.

They live in ``policies.json`` in the home folder (``watcher init`` writes the defaults below).
The policies in force are recorded in the ledger as a ``PoliciesSet`` event carrying the full
values and their SHA256, so replay decides with exactly the policies that were in force, not
with whatever the file says today.

Defaults (every field may be omitted from the file):

- ``alpha`` 0.01: significance level handed to the steps ("identified" means corrected p below).
- ``retries.per_step`` 3: retries of one step (so at most 4 attempts) before escalating.
- ``retries.per_run`` 10: retries summed over all steps of one run.
- ``retries.max_adjustments`` 4 and ``retries.max_factor`` 2.0: a retry verdict may adjust at
  most 4 parameters, each by a factor in [1/2, 2]; the machine clamps anything beyond.
- ``timeouts``: step 6 h, selfplay 6 h, LLM start 120 s, stop 60 s, evaluation 120 s (handed
  to handlers in each command; a handler past its timeout reports a failure).
- ``cooldowns.between_runs_s`` 0 and ``cooldowns.before_retry_s`` 0: the earliest time a
  command may run is derived from recorded timestamps (``not_before``), so waiting never
  makes a decision depend on the clock.
- ``autonomous`` false: whether Chapter 13 fires triggers, makes requests and issues the
  next prediction of an identified hypothesis by itself (it scores predictions either way).
  ``watcher init`` writes ``true``; a home without ``policies.json`` and ledgers recorded
  before the switch existed run without it.
- ``thresholds``: per unit (a step's number "1".."6", see ``machine.steps``, or "selfplay"),
  metric bounds that become gates named ``policy:<metric>``; a ``hard`` one failing can never
  proceed. A bound on a metric the step
  did not report is skipped unless ``required``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ledger import canonical

from .steps import UnitKey, step_for

__all__ = [
    "RetryPolicy",
    "TimeoutPolicy",
    "CooldownPolicy",
    "Threshold",
    "Policies",
    "DEFAULT_THRESHOLDS",
    "policies_sha256",
    "load_policies",
    "default_policies_json",
    "MAX_POLICIES_BYTES",
]

MAX_POLICIES_BYTES = 1 << 20


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RetryPolicy(_Frozen):
    """How often a unit may be retried, and how far a retry may move its parameters."""

    per_step: int = Field(default=3, ge=0, le=20, description="retries of one step")
    per_run: int = Field(default=10, ge=0, le=200, description="retries summed over a run")
    max_adjustments: int = Field(default=4, ge=0, le=32, description="parameters per retry")
    max_factor: float = Field(default=2.0, ge=1.0, le=10.0, description="bound on each factor")


class TimeoutPolicy(_Frozen):
    """Wall-clock limits handed to handlers with each command (seconds)."""

    step_s: float = Field(default=6 * 3600.0, gt=0, le=7 * 86400)
    selfplay_s: float = Field(default=6 * 3600.0, gt=0, le=7 * 86400)
    llm_start_s: float = Field(default=120.0, gt=0, le=3600)
    llm_stop_s: float = Field(default=60.0, gt=0, le=3600)
    llm_evaluate_s: float = Field(default=120.0, gt=0, le=3600)


class CooldownPolicy(_Frozen):
    """Minimum pauses, measured from recorded timestamps (seconds)."""

    between_runs_s: float = Field(default=0.0, ge=0, le=7 * 86400)
    before_retry_s: float = Field(default=0.0, ge=0, le=7 * 86400)


class Threshold(_Frozen):
    """A bound on one reported metric; it becomes the gate ``policy:<metric>``."""

    metric: str = Field(min_length=1, max_length=128)
    min: float | None = None
    max: float | None = None
    hard: bool = True
    required: bool = False

    @model_validator(mode="after")
    def _bounds(self) -> "Threshold":
        if self.min is None and self.max is None:
            raise ValueError(f"threshold on {self.metric!r} needs min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"threshold on {self.metric!r}: min {self.min} > max {self.max}")
        return self


#: Default metric bounds, each step's gates. Binding: a plan with little chance of detecting
#: a true generator, features with missing values, a test segment scored more than once, an
#: overfit model (test score far below training score), a pool promising more than certainty.
#: Advisory: a pool no better than chance on the test segment. Degenerate inputs (no
#: survivors, no model used) leave the metric unreported and the bound unchecked.
DEFAULT_THRESHOLDS: dict[UnitKey, tuple[Threshold, ...]] = {
    step_for("window_optimizer").unit: (Threshold(metric="expected_power", min=0.5, hard=True),),
    step_for("scoring").unit: (Threshold(metric="nan_fraction", max=0.05, hard=True),),
    step_for("training").unit: (
        Threshold(metric="train_test_gap", max=0.10, hard=True),
        Threshold(metric="test_evaluations", max=1, hard=True),
    ),
    step_for("prediction").unit: (
        Threshold(metric="pool_p_value", max=0.05, hard=False),
        Threshold(metric="probability_sum", min=0, max=1.000001, hard=True),
    ),
}


class Policies(_Frozen):
    """Every policy the machine consults. See the module docstring for the defaults."""

    version: Literal[1] = 1
    comment: str | None = Field(default=None, max_length=2000, description="free text")
    alpha: float = Field(default=0.01, gt=0, lt=1)
    retries: RetryPolicy = RetryPolicy()
    timeouts: TimeoutPolicy = TimeoutPolicy()
    cooldowns: CooldownPolicy = CooldownPolicy()
    thresholds: dict[UnitKey, tuple[Threshold, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_THRESHOLDS)
    )
    selfplay_default_episodes: int = Field(default=10, ge=1, le=50)
    autonomous: bool = False


#: Fields added after ledgers were recorded, with the value that means "as before": hashed
#: only when they differ from it, so the digests recorded in older ``PoliciesSet`` events hold.
_LATER_FIELDS: dict[str, object] = {"autonomous": False}


def policies_sha256(policies: Policies) -> str:
    """SHA256 (hex) of the canonical encoding of the policies' full values."""
    values = policies.model_dump(mode="json")
    for name, before in _LATER_FIELDS.items():
        if values.get(name) == before:
            del values[name]
    return hashlib.sha256(canonical(values)).hexdigest()


def load_policies(path: Path) -> tuple[Policies, str | None]:
    """Read ``policies.json``: the policies and the SHA256 of the file's bytes.

    A missing file gives the documented defaults (and ``None``). A file that is not valid
    raises ``ValueError`` with one line naming the field: the daemon does not start on
    policies it cannot read (fail-closed).
    """
    if not path.exists():
        return Policies(), None
    size = path.stat().st_size
    if size > MAX_POLICIES_BYTES:
        raise ValueError(f"{path}: {size} bytes; policies files are limited to 1 MiB")
    raw = path.read_bytes()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: must hold a JSON object")
    try:
        policies = Policies.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "policies"
        raise ValueError(f"{path}: {where}: {first['msg']}") from None
    return policies, hashlib.sha256(raw).hexdigest()


def default_policies_json() -> bytes:
    """The defaults, as ``watcher init`` writes them (indented, for people to edit)."""
    body = Policies(comment="WATCHER policies; see `pydoc machine.policies` for each field",
                    autonomous=True)
    return orjson.dumps(body.model_dump(mode="json"), option=orjson.OPT_INDENT_2) + b"\n"
