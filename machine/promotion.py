"""When Chapter 13 promotes a selfplay candidate: a sequential test on post-emission draws.

Pure. Selfplay optimises on the recorded history; its candidates are hypotheses about a better
policy, never active. After a candidate is emitted, every draw that arrives is predicted in
shadow by the candidate's policy and by the active one (``ShadowScored``). Draws where both hit
or both miss say nothing about which is better; the test looks at the others only: a *win*
(the candidate hit, the active policy missed) or a *loss* (the reverse).

Wald's sequential probability ratio test on those discordant draws, with H0 "the candidate
wins half of them" against H1 "it wins ``0.5 + margin``" (the active policy's
``acceptance_margin``, at least :data:`MIN_MARGIN`): promote once the log-likelihood ratio
reaches ``log((1 - beta) / alpha)``, retire the candidate once it falls to
``log(beta / (1 - alpha))`` or after :data:`MAX_SHADOW_DRAWS` draws without a decision. Only
draws that arrived after the emission count, so the history selfplay tuned on never does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "PROMOTION_ALPHA",
    "PROMOTION_BETA",
    "MIN_MARGIN",
    "MAX_SHADOW_DRAWS",
    "PromotionTest",
    "promotion_test",
]

#: Chance of promoting a candidate that is no better than the active policy.
PROMOTION_ALPHA = 0.05
#: Chance of retiring a candidate that is better by the margin.
PROMOTION_BETA = 0.2
#: A margin of 0 would make the two hypotheses equal: the test needs some separation.
MIN_MARGIN = 0.05
#: A candidate not decided after this many shadow draws is retired (it rarely differs).
MAX_SHADOW_DRAWS = 1000


@dataclass(frozen=True, slots=True)
class PromotionTest:
    """The test's state: the decision, the log-likelihood ratio and its two bounds."""

    decision: Literal["promote", "retire", "continue"]
    llr: float
    upper: float
    lower: float
    wins: int
    losses: int
    draws: int

    def describe(self) -> str:
        """One line for people and the ledger."""
        return (
            f"{self.wins} win(s), {self.losses} loss(es) over {self.draws} shadow draw(s): "
            f"log-likelihood ratio {self.llr:.2f} (promote at {self.upper:.2f}, retire at "
            f"{self.lower:.2f})"
        )


def promotion_test(wins: int, losses: int, draws: int, margin: float) -> PromotionTest:
    """The sequential test after ``draws`` shadow draws with ``wins`` and ``losses``."""
    if min(wins, losses, draws) < 0 or wins + losses > draws:
        raise ValueError(f"impossible evidence: {wins} wins, {losses} losses in {draws} draws")
    p1 = min(0.5 + max(margin, MIN_MARGIN), 0.99)
    llr = wins * math.log(p1 / 0.5) + losses * math.log((1 - p1) / 0.5)
    upper = math.log((1 - PROMOTION_BETA) / PROMOTION_ALPHA)
    lower = math.log(PROMOTION_BETA / (1 - PROMOTION_ALPHA))
    decision: Literal["promote", "retire", "continue"] = "continue"
    if llr >= upper:
        decision = "promote"
    elif llr <= lower or draws >= MAX_SHADOW_DRAWS:
        decision = "retire"
    return PromotionTest(decision, llr, upper, lower, wins, losses, draws)
