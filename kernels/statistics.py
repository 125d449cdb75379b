"""The sieve's statistics: how likely chance alone is to produce what the search found.

Null model. A hypothesis that is *not* the source of the data matches each observed draw with
probability at most ``q``, the largest probability the hypothesis's reduction puts on one value
(``1/N`` for an exactly uniform reduction such as ``java_nextint:N``; slightly more for
``mod:N`` on a word whose range is not a multiple of ``N``). Whenever either side is i.i.d. (the
data are random, or the wrong hypothesis's draws behave as random), the number of matches ``X``
in a window of ``W`` draws is stochastically at most ``Binomial(W, q)``.

A search tries ``M`` hypotheses. Their checks are *not* independent: overlapping skips and
offsets reuse the same raw outputs, forward and backward walks reuse the same state. Two
statements stay exact under any dependence, and they are the only two we make:

* the expected number of chance survivors is ``M * P(X >= T)`` (linearity of expectation);
* the probability that *any* wrong hypothesis reaches ``x`` matches is at most
  ``M * P(X >= x)`` (the union bound), which is our corrected p-value (Bonferroni).

"Identified" means the corrected p-value of the best hypothesis is below the policy's alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "binomial_tail",
    "log_binomial_tail",
    "corrected_p_value",
    "expected_chance_survivors",
    "match_probability",
    "minimum_window",
    "SearchStatistics",
]


def log_binomial_tail(trials: int, successes: int, q: float) -> float:
    """``log P(X >= successes)`` for ``X ~ Binomial(trials, q)``, accurate far into the tail."""
    if successes <= 0:
        return 0.0
    if successes > trials:
        return -math.inf
    if q <= 0.0:
        return -math.inf
    if q >= 1.0:
        return 0.0
    log_q, log_1q = math.log(q), math.log1p(-q)
    terms = [
        math.lgamma(trials + 1) - math.lgamma(k + 1) - math.lgamma(trials - k + 1)
        + k * log_q + (trials - k) * log_1q
        for k in range(successes, trials + 1)
    ]
    peak = max(terms)
    return min(0.0, peak + math.log(sum(math.exp(t - peak) for t in terms)))


def binomial_tail(trials: int, successes: int, q: float) -> float:
    """``P(X >= successes)`` for ``X ~ Binomial(trials, q)``."""
    return math.exp(log_binomial_tail(trials, successes, q))


def corrected_p_value(hypotheses: int, trials: int, matches: int, q: float) -> float:
    """Bonferroni-corrected p-value: at most ``hypotheses * P(X >= matches)``, capped at 1."""
    log_p = math.log(max(hypotheses, 1)) + log_binomial_tail(trials, matches, q)
    return 1.0 if log_p >= 0.0 else math.exp(log_p)


def expected_chance_survivors(hypotheses: int, trials: int, threshold: int, q: float) -> float:
    """How many wrong hypotheses are expected to reach ``threshold`` matches by chance."""
    return hypotheses * binomial_tail(trials, threshold, q)


def match_probability(alphabet: int, resolution_bits: int | None = None) -> float:
    """Largest probability one draw takes any single value: ``ceil(2**b / N) / 2**b``.

    ``resolution_bits`` is the number of uniform bits the reduction maps onto ``N`` values
    (``None`` for an exactly uniform reduction, which gives ``1/N``).
    """
    if alphabet < 1:
        raise ValueError("alphabet must be >= 1")
    if resolution_bits is None:
        return 1.0 / alphabet
    span = 1 << resolution_bits
    return min(1.0, -(-span // alphabet) / span)


def minimum_window(hypotheses: int, q: float, alpha: float, errors: int = 0) -> int:
    """The fewest draws that, all but ``errors`` of them matching, make a single survivor
    significant at ``alpha``."""
    if not 0.0 < q < 1.0:
        raise ValueError("q must be in (0, 1)")
    needed = (math.log(max(hypotheses, 1)) - math.log(alpha)) / -math.log(q)
    window = max(1, math.ceil(needed - 1e-12))
    if errors <= 0:
        return window
    window += errors
    bound = math.log(alpha) - math.log(max(hypotheses, 1))
    while log_binomial_tail(window, window - errors, q) >= bound:
        window += 1
    return window


@dataclass(frozen=True)
class SearchStatistics:
    """What a search must report about its own size, whatever it found."""

    hypotheses: int
    window: int
    threshold: int
    q: float

    @property
    def survival_probability(self) -> float:
        """Probability that one wrong hypothesis survives (reaches ``threshold`` matches)."""
        return binomial_tail(self.window, self.threshold, self.q)

    @property
    def expected_chance_survivors(self) -> float:
        return self.hypotheses * self.survival_probability

    def p_value(self, matches: int, window: int | None = None) -> float:
        """Corrected p-value of a survivor with ``matches`` out of ``window`` (default: the window)."""
        return corrected_p_value(self.hypotheses, window or self.window, matches, self.q)
