"""The autonomous loop's policy: the parameters Chapter 13 tunes and selfplay explores.

``Policies`` (``machine.policies``) are the operator's: alpha, retries, timeouts, thresholds,
read from ``policies.json``. :class:`LoopPolicy` is the loop's own, and it changes without a
person: an accepted Chapter 13 proposal changes some of its values (``ProposalAccepted``), a
promoted selfplay candidate replaces it (``PolicyPromoted``), and ``watcher policy rollback``
restores :data:`BASELINE` (``PolicyRolledBack``). The active policy is therefore a fold of
those events (``State.loop``), never a file, and replay sees exactly the values each decision
was made with.

Each parameter says who may change it and where it takes effect:

- ``advisor``: the Chapter 13 grammar (``grammars.models.Chapter13ParamName``) names it, so
  the LLM advisor may propose a value; every parameter may be explored by selfplay;
- ``request_param``: the request parameter it becomes in the requests Chapter 13 makes (the
  pipeline steps read ``budget_s``, ``pool_size``, ``model_trials``...), so a changed value
  reaches the next run.

The bounds here are the only definition: the Chapter 13 prompt's value bounds
(``contexts.subjects``) and the acceptance rules (``machine.chapter13``) read them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field

from ledger import canonical

__all__ = [
    "LoopPolicy",
    "LoopParameter",
    "LOOP_PARAMETERS",
    "ADVISOR_PARAMETERS",
    "BASELINE",
    "BASELINE_ID",
    "loop_policy_sha256",
    "request_params",
    "with_values",
]


def _param(default: float, low: float, high: float, meaning: str, *, advisor: bool = False,
           request_param: str | None = None) -> Any:
    extra: dict[str, Any] = {"advisor": advisor}
    if request_param is not None:
        extra["request_param"] = request_param
    return Field(default=default, ge=low, le=high, description=meaning, json_schema_extra=extra)


class LoopPolicy(BaseModel):
    """The values the loop runs with. Every field has bounds; integers stay integers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    # --- Chapter 13 (the advisor's grammar names these) ---------------------------------
    retrain_hit_rate_floor: float = _param(
        0.5, 0.0, 1.0, "while a hypothesis is identified, a hit rate over the drift window "
        "below this fires the drift trigger", advisor=True)
    drift_window_draws: int = _param(
        20, 10, 1000, "draws over which the hit rate is compared with the floor", advisor=True)
    min_new_draws: int = _param(
        2, 1, 1000, "sentinel cadence: while nothing is identified, a sentinel search after "
        "this many new draws", advisor=True)
    exploration_budget_episodes: int = _param(
        10, 1, 50, "episodes of each selfplay exploration Chapter 13 requests", advisor=True)
    acceptance_margin: float = _param(
        0.2, 0.0, 0.5, "promotion test: a candidate must win the draws where the two "
        "policies differ with probability 0.5 + margin", advisor=True)
    cooldown_hours: float = _param(
        0.0, 0.0, 168.0, "least time between two selfplay explorations Chapter 13 requests",
        advisor=True)
    # --- explored by selfplay only -------------------------------------------------------
    sentinel_budget_s: float = _param(
        20.0, 1.0, 3600.0, "wall-clock budget of one sentinel search", request_param="budget_s")
    clock_span_s: int = _param(
        86400, 60, 30 * 86400, "time seeds a sentinel covers: this many seconds (and their "
        "milliseconds) before the draws' own timestamps", request_param="clock_span_s")
    tolerated_errors: int = _param(
        0, 0, 8, "draws a hypothesis may miss in its window and still survive",
        request_param="errors")
    pool_size: int = _param(
        10, 1, 1000, "candidates in a prediction pool when nothing is identified",
        request_param="pool_size")
    model_trials: int = _param(
        12, 1, 500, "hyper-parameter trials per model family in training",
        request_param="model_trials")


@dataclass(frozen=True, slots=True)
class LoopParameter:
    """One parameter of :class:`LoopPolicy`: its bounds, kind and where it takes effect."""

    name: str
    low: float
    high: float
    integer: bool
    advisor: bool
    request_param: str | None
    meaning: str

    def clamp(self, value: float) -> float | int:
        """``value`` within the bounds, rounded to an integer for integer parameters."""
        inside = min(max(float(value), self.low), self.high)
        return int(round(inside)) if self.integer else inside


def _parameters() -> dict[str, LoopParameter]:
    table: dict[str, LoopParameter] = {}
    for name, info in LoopPolicy.model_fields.items():
        if name == "version":
            continue
        extra = info.json_schema_extra
        assert isinstance(extra, dict)
        low = high = None
        for item in info.metadata:
            low = getattr(item, "ge", low)
            high = getattr(item, "le", high)
        assert low is not None and high is not None, name
        request_param = extra.get("request_param")
        table[name] = LoopParameter(
            name=name, low=float(low), high=float(high), integer=info.annotation is int,
            advisor=bool(extra.get("advisor")),
            request_param=str(request_param) if request_param is not None else None,
            meaning=info.description or name,
        )
    return table


#: name -> parameter, in declaration order.
LOOP_PARAMETERS: Mapping[str, LoopParameter] = _parameters()
#: The parameters the Chapter 13 advisor may propose values for.
ADVISOR_PARAMETERS: tuple[str, ...] = tuple(p.name for p in LOOP_PARAMETERS.values() if p.advisor)

#: The policy the loop starts with and ``watcher policy rollback`` restores.
BASELINE = LoopPolicy()
#: The lineage name of the baseline.
BASELINE_ID = "baseline"


def loop_policy_sha256(policy: LoopPolicy) -> str:
    """SHA256 (hex) of the canonical encoding of the policy's values."""
    return hashlib.sha256(canonical(policy.model_dump(mode="json"))).hexdigest()


def request_params(policy: LoopPolicy, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The request parameters the policy sets (``request_param`` -> value), for the requests
    Chapter 13 makes; ``names`` restricts them to some parameters."""
    values: Mapping[str, Any] = policy.model_dump()
    return {
        p.request_param: values[p.name]
        for p in LOOP_PARAMETERS.values()
        if p.request_param is not None and (names is None or p.name in names)
    }


def with_values(policy: LoopPolicy, values: Mapping[str, float]) -> LoopPolicy:
    """``policy`` with some parameters set (``ValueError`` outside their bounds); integer
    parameters take integral values only."""
    update: dict[str, Any] = {}
    for name, value in values.items():
        spec = LOOP_PARAMETERS.get(name)
        if spec is None:
            raise ValueError(f"{name!r} is not a loop policy parameter")
        if spec.integer:
            if float(value) != int(value):
                raise ValueError(f"{name} takes whole numbers, not {value}")
            value = int(value)
        update[name] = value
    return LoopPolicy.model_validate({**policy.model_dump(), **update})
