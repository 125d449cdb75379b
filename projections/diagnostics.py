"""Chapter 13's diagnostics: pure functions of the scored predictions and the folded state.

Each takes what the fold keeps (``machine.state.Outcome``, ``machine.state.Chapter13``) or
plain values, and returns a frozen record whose fields are flat numbers, so that a trigger can
carry them as its evidence and a report can print them. Nothing here reads a clock, a file or
a random number; ``machine.triggers`` decides with them and ``watcher report`` shows them.

- :func:`hit_rate_band`: hits against what chance gives pools of the sizes issued, with the
  band chance stays inside 95% of the time (normal approximation of the Poisson-binomial).
- :func:`sequential_test`: Wald's sequential probability ratio test of "chance" against "a
  ``lift`` times better than chance", outcome by outcome: it says *above chance* or *chance*
  once the evidence crosses its bounds, not after the first miss.
- :func:`calibration`: what the predictions claimed against what happened (Brier score, and
  the z-score of hits against the claimed mass).
- :func:`survivor_churn`: how many hypotheses two searches share, by identity (generator,
  seed, reduction, offset and skip), never by count.
- :func:`regime_change`: where an identified hypothesis missed (the generator was reseeded or
  replaced), if it did and nothing was identified since.
- :func:`drift`: the hit rate over the newest window of predictions fell below the floor of
  what they claimed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Literal, Mapping, Sequence

from machine.state import Chapter13, Outcome

__all__ = [
    "HitRate",
    "Sequential",
    "Calibration",
    "Churn",
    "Drift",
    "hit_rate_band",
    "sequential_test",
    "calibration",
    "hypothesis_identity",
    "survivor_churn",
    "regime_change",
    "drift",
    "evidence",
]

#: Two-sided 95% normal quantile: the chance band.
BAND_Z = 1.959963984540054


def evidence(record: Any, prefix: str = "") -> dict[str, float | int | bool | str | None]:
    """A diagnostic record as flat scalars (a trigger's evidence), names ``prefix``-ed."""
    return {f"{prefix}{name}": value for name, value in asdict(record).items()}


@dataclass(frozen=True)
class HitRate:
    """Hits of the predictions whose chance rate is known, against chance."""

    scored: int
    hits: int
    expected: float  # hits chance alone gives these pools
    band_low: float
    band_high: float

    @property
    def inside_band(self) -> bool:
        return self.band_low <= self.hits <= self.band_high


def hit_rate_band(outcomes: Iterable[Outcome]) -> HitRate:
    """Hits against chance over ``outcomes`` (those without a chance rate are left out)."""
    known = [o for o in outcomes if o.chance_rate is not None]
    rates = [o.chance_rate for o in known if o.chance_rate is not None]
    expected = sum(rates)
    spread = BAND_Z * math.sqrt(sum(p * (1 - p) for p in rates))
    return HitRate(scored=len(known), hits=sum(o.hit for o in known), expected=expected,
                   band_low=max(expected - spread, 0.0), band_high=expected + spread)


@dataclass(frozen=True)
class Sequential:
    """Wald's test after ``n`` outcomes: the log likelihood ratio and its verdict."""

    n: int
    log_ratio: float
    accept_at: float  # log ratio at or above which "above chance" is accepted
    reject_at: float  # at or below which "chance" is accepted
    verdict: Literal["above chance", "chance", "undecided"]


def sequential_test(outcomes: Iterable[Outcome], *, lift: float = 5.0, alpha: float = 0.01,
                    beta: float = 0.01) -> Sequential:
    """Wald's SPRT of H0 "each pool hits at its chance rate p" against H1 "at ``lift`` x p"
    (capped below 1), with error rates ``alpha`` (a false "above chance") and ``beta``. The
    verdict is the first bound crossed; the log ratio keeps running for the record."""
    accept_at = math.log((1 - beta) / alpha)
    reject_at = math.log(beta / (1 - alpha))
    log_ratio, n = 0.0, 0
    verdict: Literal["above chance", "chance", "undecided"] = "undecided"
    for outcome in outcomes:
        p0 = outcome.chance_rate
        if p0 is None or not 0 < p0 < 1:
            continue
        p1 = min(lift * p0, (1 + p0) / 2)
        log_ratio += math.log(p1 / p0) if outcome.hit else math.log((1 - p1) / (1 - p0))
        n += 1
        if verdict == "undecided":
            if log_ratio >= accept_at:
                verdict = "above chance"
            elif log_ratio <= reject_at:
                verdict = "chance"
    return Sequential(n=n, log_ratio=log_ratio, accept_at=accept_at, reject_at=reject_at,
                      verdict=verdict)


@dataclass(frozen=True)
class Calibration:
    """What the predictions claimed (their pools' mass) against what happened."""

    scored: int
    hits: int
    claimed: float  # hits the predictions' own probabilities expect
    brier: float | None  # mean squared gap between claim and outcome
    z: float | None  # (hits - claimed) / its standard deviation under the claims


def calibration(outcomes: Iterable[Outcome]) -> Calibration:
    """Claims against outcomes over ``outcomes``."""
    items = list(outcomes)
    claimed = sum(o.claimed for o in items)
    hits = sum(o.hit for o in items)
    variance = sum(o.claimed * (1 - o.claimed) for o in items)
    brier = sum((o.claimed - o.hit) ** 2 for o in items) / len(items) if items else None
    z = (hits - claimed) / math.sqrt(variance) if variance > 0 else None
    return Calibration(scored=len(items), hits=hits, claimed=claimed, brier=brier, z=z)


def hypothesis_identity(hypothesis: Mapping[str, Any]) -> str:
    """What makes two hypotheses the same: generator, seed, reduction, offset and skip (the
    anchor where a search met it is not part of it)."""
    parts = [str(hypothesis.get(name)) for name in ("generator", "seed", "reduction", "offset")]
    return "/".join(parts + [str(sorted(dict(hypothesis.get("skip") or {}).items()))])


@dataclass(frozen=True)
class Churn:
    """Two searches' survivors compared by identity."""

    kept: int
    gone: int
    new: int
    jaccard: float | None  # shared over either; None when both are empty


def survivor_churn(before: Iterable[Mapping[str, Any]],
                   after: Iterable[Mapping[str, Any]]) -> Churn:
    """How the survivors (hypothesis dicts) of one search compare with the next's."""
    old = {hypothesis_identity(h) for h in before}
    new = {hypothesis_identity(h) for h in after}
    union = old | new
    return Churn(kept=len(old & new), gone=len(old - new), new=len(new - old),
                 jaccard=len(old & new) / len(union) if union else None)


def regime_change(c13: Chapter13) -> int | None:
    """The position where an identified hypothesis missed, while nothing replaced it."""
    return c13.miss_at if c13.identified is None else None


@dataclass(frozen=True)
class Drift:
    """The newest ``window`` outcomes' hits against the floor of what they claimed."""

    window: int
    hits: int
    claimed: float
    floor_rate: float
    log10_p: float  # the binomial tail of so few hits at the floor rate

    @property
    def drifted(self) -> bool:
        return self.log10_p < -2.0


def drift(outcomes: Sequence[Outcome], *, window: int, floor: float) -> Drift | None:
    """The hit rate of the newest ``window`` identified predictions against ``floor`` times
    their claimed rate: drifted when so few hits have a binomial tail below 1% at that rate.
    ``None`` until ``window`` identified predictions were scored."""
    recent = [o for o in outcomes if o.identified][-window:]
    if len(recent) < window:
        return None
    claimed = sum(o.claimed for o in recent)
    hits = sum(o.hit for o in recent)
    rate = min(max(floor * claimed / window, 1e-12), 1 - 1e-12)
    return Drift(window=window, hits=hits, claimed=claimed, floor_rate=rate,
                 log10_p=_log10_lower_tail(window, hits, rate))


def _log10_lower_tail(n: int, k: int, p: float) -> float:
    """log10 P(X <= k) for X ~ Binomial(n, p)."""
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
             + i * math.log(p) + (n - i) * math.log1p(-p) for i in range(k + 1)]
    top = max(terms)
    return (top + math.log(sum(math.exp(t - top) for t in terms))) / math.log(10)
