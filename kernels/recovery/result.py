"""The answer of a state recovery, and the statistics behind its verdict.

Null model: the draws did not come from the recovered stream. A recovered stream then predicts
each draw it was *not* solved from with probability at most ``2**-b``, ``b`` being the bits the
draw carries (``log2`` of the values it can take: 53 for a ``random()`` double, ``log2 1000`` for
``% 1000``); of a draw it *was* solved from, only the bits the solver did not use are a check
(the rest match by construction). So ``P(every check passes) <= 2**-bits_checked`` for one
candidate state. A recovery tries several candidates (cache alignments, null-space
combinations, low-bit guesses, or the whole state space where a search enumerates it); the union
bound multiplies by their number, the ``trials``: ``p = min(1, trials * 2**-bits_checked)``. A
search over several generators and reductions multiplies the best attempt's p-value by the number
of attempts (:meth:`Recovery.among`). "identified" only when that corrected p-value is below
``alpha``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

__all__ = ["Recovery", "corrected_p_value", "IDENTIFIED", "REJECTED", "TOO_SHORT", "UNDETERMINED",
           "DEFAULT_ALPHA"]

IDENTIFIED = "identified"
#: no state of this generator reproduces the draws (inconsistent equations or failed checks)
REJECTED = "rejected"
#: fewer draws than this generator and reduction need
TOO_SHORT = "too short"
#: a state fits, but the draws do not pin down what comes next, or chance could explain it
UNDETERMINED = "undetermined"

DEFAULT_ALPHA = 0.01


def corrected_p_value(bits_checked: float, trials: int) -> float:
    """``min(1, trials * 2**-bits_checked)`` (computed in logs: bits may run to thousands)."""
    if trials <= 0:
        return 1.0
    log2_p = math.log2(trials) - bits_checked
    return 1.0 if log2_p >= 0 else 2.0 ** log2_p


@dataclass(frozen=True)
class Recovery:
    """One generator and reduction tried on one sequence of draws."""

    generator: str
    reduction: str
    verdict: str
    message: str
    #: the catalog ``get_state()`` at the first draw (``PRNG.from_state`` resumes it)
    state: tuple[int, ...] | None = None
    seed: int | None = None
    #: raw outputs consumed between seeding and the first draw (when the seed is known)
    position: int | None = None
    #: draws whose bits the solver used, and draws checked against the recovered stream only
    solving_draws: int = 0
    checked_draws: int = 0
    bits_checked: float = 0.0
    trials: int = 0
    p_value: float = 1.0
    rank: int | None = None
    nullity: int | None = None
    #: draws of this shape the recovery needs (solving plus checking)
    minimum_draws: int | None = None
    predictions: tuple[int | float, ...] = ()
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def identified(self) -> bool:
        return self.verdict == IDENTIFIED

    def among(self, attempts: int, alpha: float = DEFAULT_ALPHA) -> "Recovery":
        """The same recovery judged as the best of ``attempts`` recoveries tried on the same
        draws (other generators, other reductions): each attempt's p-value is valid for it
        alone, so the union bound multiplies the best one by their number."""
        p_value = min(1.0, self.p_value * max(1, attempts))
        verdict = self.verdict
        if verdict == IDENTIFIED and p_value >= alpha:
            verdict = UNDETERMINED
        return replace(self, p_value=p_value, verdict=verdict,
                       extra={**self.extra, "attempts_in_search": attempts})

    def to_json(self) -> dict[str, object]:
        state = None if self.state is None else [hex(v) for v in self.state]
        return {
            "generator": self.generator, "reduction": self.reduction, "verdict": self.verdict,
            "message": self.message, "state": state, "seed": self.seed, "position": self.position,
            "solving_draws": self.solving_draws, "checked_draws": self.checked_draws,
            "bits_checked": round(self.bits_checked, 3),
            # a whole state space may be past what JSON numbers hold: its log2 always is not
            "trials": self.trials if self.trials < 1 << 63 else None,
            "log2_trials": round(math.log2(self.trials), 3) if self.trials > 0 else None,
            "p_value": self.p_value, "rank": self.rank, "nullity": self.nullity,
            "minimum_draws": self.minimum_draws, "predictions": list(self.predictions),
            "seconds": round(self.seconds, 3), **self.extra,
        }
