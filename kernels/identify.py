"""What `watcher identify` reads in a draw file, and its state tier.

The draws may be anything a runtime prints: non-negative integers, signed ints, doubles.
:func:`infer_number_shape` says what they are (sign, width, integer or float, range) and what
the seed sieve can read of them:

* non-negative integers: the sieve reads them minus the range's start (:attr:`NumberShape.shift`):
  draws from 1 (dice, ``randint(1, 10)``, ``nextInt(6) + 1``, ``rand() % 6 + 1``,
  ``Math.floor(Math.random() * 6) + 1``, ``mt_rand(1, 100)``, Ruby ``rand(1..6)``, numpy
  ``randint(1, 7)``) are each runtime's own "integer below N" plus one, and a range that starts
  higher (``randint(100, 999)``) is read from its observed minimum once the draws are many
  enough for that minimum to be the start;
* signed 32-bit ints (Java ``nextInt()``, C ``int32_t``): the raw 32-bit words they are, so the
  sieve searches seeds of the raw words and the answer is printed signed again;
* doubles in [0, 1): the seed sieve reads ``floor(d * N)`` of each, ``float_mul:N`` of the
  generator's own double, with ``N`` as fine as the printed digits allow (``2**32`` for
  doubles printed in full, ``2**10`` for ``printf("%f")``'s six decimals,
  :func:`double_scale`); the state tier reads them in full.

The state tier (:func:`run_state_tier`) is ``kernels.recovery.by_shape.recover_by_shape``: every
generator and reduction the shape allows whose draws are enough, solved for the state at the
first draw whatever the seed, checked on the draws not used to solve.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field, replace
from typing import Collection, Sequence

import orjson

from kernels.recovery import IDENTIFIED, Recovery
from kernels.recovery.by_shape import recover_by_shape
from kernels.recovery.cli import chance_text, recovery_lines
from kernels.recovery.result import DEFAULT_ALPHA
from kernels.sieve.plan import raw_width_plausible

__all__ = ["NumberShape", "infer_number_shape", "StateTier", "run_state_tier",
           "state_tier_lines", "family_needs", "state_tier_seconds", "report_without_seed_search",
           "NO_GENERATOR", "RANGE_START_MISS", "OTHER_START_SHARE", "double_scale",
           "printed_decimals"]

NO_GENERATOR = "no generator explains this data"

#: a range is read as starting at the observed minimum (not at 0) when draws from 0 would stay
#: that high by chance less often than this
RANGE_START_MISS = 1e-3
#: ranges wider than this are raw-looking words, not a range call: no start is inferred
_RANGE_LIMIT = 1 << 20
#: doubles are read at most at this many bits each (``float_mul:2**32``), and at least at
#: ``MIN_DOUBLE_SCALE_BITS`` (fewer digits than that: no seed search reads them)
DOUBLE_SCALE_BITS = 32
MIN_DOUBLE_SCALE_BITS = 4
#: chance per draw that a double printed with few digits reads differently from the
#: generator's own (a multiple of 1/N between them) that the scale is chosen to stay below
DOUBLE_EDGE_MISS = 1e-3
#: a double printed with this many decimals or more is the generator's double itself
_FULL_DECIMALS = 13
#: a reading of the draws with less of the prior than this is not searched: it would double
#: the correction of every hypothesis for almost none of the prior (20 dice from 1..6 read as
#: 0..6, which misses 0 one time in 22)
MIN_READING_SHARE = 0.05
#: the prior share of the second reading of a range whose start may be 0 or 1
#: (:attr:`NumberShape.other_start`): programs write both, the draws did not say which
OTHER_START_SHARE = 0.4


@dataclass(frozen=True)
class NumberShape:
    """What a file of numbers holds, and what the seed sieve reads of it."""

    count: int
    is_float: bool
    low: int | float
    high: int | float
    #: subtracted from every draw before the sieve reads it (the range's start)
    shift: int = 0
    #: signed 32-bit ints, read by the sieve as the raw words they are
    signed32: bool = False
    #: what the sieve reads (``None``: nothing a seed sieve can read)
    sieve_values: list[int] | None = field(default=None, repr=False)
    #: doubles in [0, 1): the sieve reads ``floor(d * double_scale)`` of each, the
    #: ``float_mul:<double_scale>`` reduction of the generator's own double (``None``: it
    #: does not read them)
    double_scale: int | None = None
    #: the decimals the doubles were printed with, below full precision (``None``: in full)
    double_decimals: int | None = None
    #: a second start the range may as well have (0 or 1: no draw of 0 and no end of the range
    #: seen tells ``rand() % 100`` from ``mt_rand(1, 100)``), searched beside ``shift``
    other_start: int | None = None

    def readings(self) -> list[tuple[int, float]]:
        """How the seed sieve reads :attr:`sieve_values`: ``(start, share of the prior)``, the
        draws minus ``start`` (relative to :attr:`shift`). The reading from 0 weighs as likely
        as its draws are to show no 0: 30 dice from 1..6 read as 0..6 hardly ever would; a
        range below 0 is read from its round start first, then from its observed minimum."""
        if self.other_start is None:
            return [(0, 1.0)]
        no_zero = (self.high / (self.high + 1)) ** self.count
        if self.shift == 0 and self.other_start == 1:  # first read from 0
            weights = [(0, (1.0 - OTHER_START_SHARE) * no_zero), (1, OTHER_START_SHARE)]
        elif self.shift == 1 and self.other_start == 0:
            weights = [(0, 1.0 - OTHER_START_SHARE), (-1, OTHER_START_SHARE * no_zero)]
        else:  # a range below 0: its round start, and the observed minimum
            weights = [(0, 1.0 - OTHER_START_SHARE),
                       (self.other_start - self.shift, OTHER_START_SHARE)]
        total = sum(weight for _, weight in weights)
        shares = [(start, weight / total) for start, weight in weights]
        # a reading this unlikely costs every hypothesis a doubled correction for little prior
        kept = [(start, share) for start, share in shares if share >= MIN_READING_SHARE]
        return [(start, share / sum(s for _, s in kept)) for start, share in kept]

    def describe(self) -> str:
        if self.is_float:
            inside = 0 <= self.low and self.high < 1
            scale = (f", read as floor(d * 2**{self.double_scale.bit_length() - 1})"
                     if self.double_scale else "")
            return (f"doubles in [{self.low:.3g}, {self.high:.3g}]{scale}"
                    + ("" if inside else ", outside [0, 1): no runtime double makes them"))
        if self.signed32:
            return f"signed 32-bit ints ({self.low:,} .. {self.high:,})"
        if self.low < 0 and self.sieve_values is None:
            return f"signed integers ({self.low:,} .. {self.high:,}), wider than 32 bits"
        text = f"integers {self.low:,} .. {self.high:,}"
        starts = [self.shift + start for start, _ in self.readings()]
        if len(starts) > 1:
            text += f", read as a range from {starts[0]} and as one from {starts[1]}"
        elif starts[0]:
            text += f", read as a range from {starts[0]} (each draw minus {starts[0]})"
        return text

    def print_double(self, value: float) -> str:
        """A predicted double as the file printed its doubles (as many decimals)."""
        return repr(value) if self.double_decimals is None else f"{value:.{self.double_decimals}f}"

    def to_sieve(self, value: int) -> int:
        return (value & 0xFFFFFFFF) if self.signed32 else value - self.shift

    def from_sieve(self, value: int) -> int:
        """A sieve draw (a prediction) in the file's own terms."""
        if self.signed32:
            return value - (1 << 32) if value >> 31 else value
        return value + self.shift


def _is_float(values: Sequence[int | float]) -> bool:
    return any(isinstance(v, float) and v != math.floor(v) for v in values)


def infer_number_shape(values: Sequence[int | float]) -> NumberShape:
    """The shape of ``values`` (at least one)."""
    if not values:
        raise ValueError("no observed draws")
    if _is_float(values):
        low, high = min(values), max(values)
        scale = double_scale(values) if 0 <= low and high < 1 else None
        decimals = printed_decimals(values)
        return NumberShape(len(values), True, low, high, double_scale=scale,
                           double_decimals=decimals if decimals < _FULL_DECIMALS else None,
                           sieve_values=[math.floor(v * scale) for v in values]
                           if scale else None)
    ints = [int(v) for v in values]
    low, high = min(ints), max(ints)
    if low < 0:
        # full-width signed words (Java nextInt()), not small signed values such as -7 and 9
        signed = (low >= -(1 << 31) and high < 1 << 31
                  and raw_width_plausible(max(-low - 1, high), len(ints), 31))
        if not signed and high - low < _RANGE_LIMIT:
            # a range below 0: randint(-10, 10), uniform_int_distribution(-50, 50), read from a
            # round start below the draws (symmetric ranges are the usual ones) and from the
            # observed minimum
            start = -_round_up(max(-low, high))
            shape = NumberShape(len(ints), False, low, high, shift=start,
                                other_start=low if low != start else None)
            return replace(shape, sieve_values=[shape.to_sieve(v) for v in ints])
        shape = NumberShape(len(ints), False, low, high, signed32=signed)
        return replace(shape, sieve_values=[shape.to_sieve(v) for v in ints] if signed else None)
    shift = _range_start(ints, low, high)
    shape = NumberShape(len(ints), False, low, high, shift=shift,
                        other_start=_other_start(shift, low, high))
    return replace(shape, sieve_values=[shape.to_sieve(v) for v in ints])


def _round_up(value: int) -> int:
    """The smallest of 1, 2, 3, 5, 10, 20, 30, 50, 100... at least ``value``."""
    scale = 1
    while True:
        for step in (1, 2, 3, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def _other_start(shift: int, low: int, high: int) -> int | None:
    """1 for draws from 0 that hold no 0, 0 for draws from 1 whose range end was not what
    said so (a draw of 1 and none of 0 is as likely from ``rand() % 100`` as from
    ``randint(1, 100)``: it only rules out neither); ``None`` when nothing else is likely."""
    if high >= _RANGE_LIMIT or low < 1:
        return None
    if shift == 0:
        return 1
    if shift == 1 and high != 10 ** (len(str(high)) - 1):
        return 0
    return None


def double_scale(values: Sequence[int | float]) -> int | None:
    """The power of two ``N`` at which ``floor(d * N)`` of each printed double ``d`` is, but
    for a chance below :data:`DOUBLE_EDGE_MISS` a draw, ``floor(N * x)`` of the double ``x``
    the generator made: ``2**32`` for doubles printed in full (13 or more decimals: Python's
    ``repr``, Java, JavaScript, PHP's and Lua's 14 digits), fewer bits for fewer digits (``printf("%f")``'s six decimals
    leave 10); ``None`` when the digits leave fewer than :data:`MIN_DOUBLE_SCALE_BITS`."""
    decimals = printed_decimals(values)
    if decimals >= _FULL_DECIMALS:
        return 1 << DOUBLE_SCALE_BITS
    # printed with `decimals` decimals, a double is off by at most half of 10**-decimals: a
    # multiple of 1/N lies in between with chance N * 10**-decimals / 2
    bits = math.floor(math.log2(2 * DOUBLE_EDGE_MISS * 10 ** decimals))
    return 1 << min(bits, DOUBLE_SCALE_BITS) if bits >= MIN_DOUBLE_SCALE_BITS else None


def printed_decimals(values: Sequence[int | float]) -> int:
    """The decimals the doubles were printed with: the median of each one's (a fixed-decimals
    print drops a trailing zero one time in ten; six significant digits, C++'s ``cout``, give
    most of them six decimals and the few below 0.1 seven, each as close to its double)."""
    return sorted(_decimals(float(v)) for v in values)[len(values) // 2]


def _decimals(value: float) -> int:
    """The decimals ``value`` was printed with (the fewest that hold it), up to
    :data:`_FULL_DECIMALS` (a double printed in full)."""
    for decimals in range(_FULL_DECIMALS):
        scaled = value * 10 ** decimals
        if abs(scaled - round(scaled)) <= max(1e-9, abs(scaled) * 1e-15):
            return decimals
    return _FULL_DECIMALS


def _range_start(ints: list[int], low: int, high: int) -> int:
    """The start of the range the draws come from: 0, 1 (a draw of 1 and none of 0: a range
    from 1 explains a minimum of exactly 1 better than any range from 0; or none of 0 and a
    largest draw of exactly 10, 100, 1000...: ``randint(1, 100)``), or the minimum when
    draws from 0 would almost never all stay at or above it and the draws are many enough for
    the range's start to have shown up."""
    if low == 0 or high >= _RANGE_LIMIT:
        return 0
    if low == 1 or (high >= 10 and high == 10 ** (len(str(high)) - 1)):
        return 1  # a draw of 1 and none of 0, or a draw of 10, 100, 1000...: 1..10**k
    count = len(ints)
    span = high - low + 1
    all_above = (span / (high + 1)) ** count
    start_seen = 1 - (1 - 1 / span) ** count
    if all_above < RANGE_START_MISS and start_seen > 1 - RANGE_START_MISS:
        return low
    return 0


@dataclass
class StateTier:
    """What the state tier tried and found."""

    #: the identified recovery (p-value corrected for every attempt; judged against half of
    #: alpha when the seed sieve searches the same draws), or ``None``
    best: Recovery | None
    attempts: list[Recovery]
    #: (generator, reduction, draws needed) of the hypotheses the draws are too short for
    too_short: list[tuple[str, str, int]]
    seconds: float
    #: the hypotheses the shape allows at all (0: nothing to recover from, whatever the length)
    hypotheses: int
    #: the hypotheses the draws are long enough for (tried unless the time ran out)
    ready: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": IDENTIFIED if self.best else "no state explains the draws",
            "best": self.best.to_json() if self.best else None,
            "attempts": [a.to_json() for a in self.attempts],
            "needs_more_draws": [{"generator": g, "reduction": r, "minimum_draws": n}
                                 for g, r, n in self.too_short],
            "seconds": round(self.seconds, 3),
        }


def run_state_tier(values: Sequence[int | float], *, predict: int = 0,
                   alpha: float = DEFAULT_ALPHA, seconds: float | None = None,
                   only: Collection[str] | None = None, start: int = 1) -> StateTier:
    """Recover every generator (of ``only``, when given) and reduction the shape of ``values``
    allows and the draws are long enough for, within ``seconds`` (0: count them, try none);
    draws from ``start`` (:attr:`NumberShape.shift`, else 1) are tried minus it too."""
    started = time.monotonic()
    counted: list[int] = []
    try:
        best, attempts, too_short = recover_by_shape(
            values, predict=predict, alpha=alpha, seconds=seconds, only=only, start=start,
            announce=lambda ready, _total: counted.append(ready))
    except ValueError:  # no hypothesis fits the shape at all
        return StateTier(None, [], [], time.monotonic() - started, 0)
    ready = counted[0] if counted else 0
    return StateTier(best, attempts, too_short, time.monotonic() - started,
                     ready + len(too_short), ready)


def state_tier_lines(state: StateTier) -> list[str]:
    """The state tier in a few lines: what it tried, and how far each family is from enough
    draws (the least any of its reductions needs)."""
    if not state.hypotheses:
        return ["state tier: no recoverable generator makes draws of this shape"]
    lines = [f"state tier: {len(state.attempts)} of {state.hypotheses} generator/reduction "
             f"hypotheses tried in {state.seconds:.1f} s"
             + (f" ({state.ready - len(state.attempts)} left at the time limit)"
                if state.ready > len(state.attempts) else "")
             + (", none explains the draws" if state.attempts and state.best is None else "")]
    lines += [f"  {g} through {r}: needs {n:,} draws" for g, r, n in family_needs(state)]
    return lines


def family_needs(state: StateTier) -> list[tuple[str, str, int]]:
    """Per generator the draws are too short for: its least demanding reduction and the draws
    that needs, fewest first."""
    least: dict[str, tuple[str, int]] = {}
    for generator, reduction, needed in state.too_short:
        if generator not in least or needed < least[generator][1]:
            least[generator] = (reduction, needed)
    return sorted(((g, r, n) for g, (r, n) in least.items()), key=lambda item: (item[2], item[0]))


def state_tier_seconds(remaining: float, seed_search: bool) -> float:
    """The state tier's share of what is left of the budget: half when the seed sieve can run
    after it (its attempts take seconds; a few need tens of seconds), all of it otherwise."""
    return max(0.0, remaining * (0.5 if seed_search else 1.0))


def report_without_seed_search(state: StateTier, shape: NumberShape, *, alpha: float,
                               as_json: bool, elapsed: float,
                               seed_search: str | None = None,
                               seed_search_too_short: bool = False) -> int:
    """The answer when the state tier identified the draws, or when no seed search could run
    (``seed_search`` says why, ``None``: the state tier answered first;
    ``seed_search_too_short``: because the draws are too few). Returns the exit
    status; raises ``ValueError`` (one line: the least draws anything needs) when nothing at
    all could be tried."""
    if state.best is None and not state.attempts:
        needs = family_needs(state)
        least = (f"; state recovery needs at least {needs[0][2]:,} draws ({needs[0][0]} through "
                 f"{needs[0][1]})" if needs else "")
        # too short for what could read them, or nothing reads them at all
        verdict = ("too short" if needs or seed_search_too_short
                   else "no catalog generator makes these")
        if as_json:
            _print_json({"verdict": verdict, "identified": False, "observed": shape.count,
                         "number_shape": shape.describe(), "seed_search": seed_search,
                         "state_tier": state.to_json()})
        else:
            print(f"{verdict}: {shape.count} draw{'s' if shape.count != 1 else ''} "
                  f"({shape.describe()})")
            if seed_search:
                print(f"seed search: {seed_search}")
            print("\n".join(state_tier_lines(state)))
        raise ValueError((seed_search or f"no seed search reads {shape.describe()}") + least)
    best = state.best
    if as_json:
        _print_json({
            "verdict": IDENTIFIED if best else NO_GENERATOR, "identified": best is not None,
            "identified_by": "state" if best else None, "alpha": alpha, "observed": shape.count,
            "number_shape": shape.describe(), "seed_search": seed_search,
            "state_tier": state.to_json(), "elapsed_seconds": round(elapsed, 3),
            "next": list(best.predictions) if best and best.predictions else None,
            # the seed plan's keys, for scripts that read either answer: it did not run
            "best": [], "survivors": 0, "covered_prior": None,
        })
        return 0
    print("\n".join(state_tier_lines(state)))
    if seed_search:
        print(f"seed search: {seed_search}")
    if best is None:
        near = min(state.attempts, key=lambda a: a.p_value, default=None)
        print(f"verdict: {NO_GENERATOR} (alpha {alpha})")
        if near is not None and near.p_value < 1:
            print(f"  best candidate: {near.generator} through {near.reduction}: {near.message}")
        return 0
    lines = recovery_lines(best)
    print(f"IDENTIFIED by its state: {best.generator} through {best.reduction} (corrected p = "
          f"{chance_text(best)} < alpha {alpha}, from the draws not used to solve for the "
          f"state; whatever the seed)")
    for line in lines[1:]:
        print(line.replace("next: ", "next draws: ", 1) if line.startswith("next: ") else line)
    print(f"({lines[0]})")
    return 0


def _print_json(payload: dict[str, object]) -> None:
    sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")
