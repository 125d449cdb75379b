"""Recover a GF(2)-linear generator's state from the bits its draws reveal, check it on the
bits and draws the solver did not use, walk back to the seed, predict.

Draws are split in two: the first ``solving`` draws give equations (their exactly known bits
that are linear in the state, :mod:`kernels.recovery.observe`), the rest are only replayed. The
system is solved once per discrete alignment of the model (V8's cache position); free unknowns
that change what the draws or the predictions are (the null space seen through the stream) are
enumerated when few, completed from whole raw words for the Weyl counter of xorwow, and
otherwise leave the recovery undetermined.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any, Callable, Sequence

import numpy as np

from kernels.generators._bits import MASK32
from kernels.prng import PRNG
from kernels.recovery.gf2 import GF2Solution, solve
from kernels.recovery.linear import LinearModel, linear_model
from kernels.recovery.observe import Shape, shape_of
from kernels.recovery.result import (DEFAULT_ALPHA, IDENTIFIED, REJECTED, TOO_SHORT, UNDETERMINED,
                                     Recovery, corrected_p_value)
from kernels.recovery.seeds import (DEFAULT_MAX_POSITION, INIT_BY_ARRAY_GENERATORS,
                                    INIT_GENRAND_GENERATORS, init_by_array_seed,
                                    init_genrand_seed, v8_seed)

__all__ = ["recover_linear", "linear_plan", "LinearPlan", "MARGIN_BITS", "CHECK_BITS"]

#: equations beyond the state's effective bits, so that a short system is rarely rank-deficient
MARGIN_BITS = 64
#: bits the draws held out for checking must carry at least (before the trials correction)
CHECK_BITS = 40
#: enumerate the null space when at most this many free directions change the draws
MAX_ENUMERATED = 10

#: solving draws after which the MT19937 recurrence is pinned, where the bits kept per word are
#: fewer than 32: rank grows more slowly than the equation count near the end (the unobserved
#: bits of a word are learnt only from words one or two blocks later). Measured by bisection
#: over the solving draws of random streams (``python benchmarks/state_bench.py --measure``),
#: plus 1% for variation between streams; other partial shapes are estimated from these (see
#: ``LinearPlan``), and a recovery that finds the state still loose uses more of the draws
#: anyway. Key: (recurrence, raw words per draw, bits kept per word, N of floor(u * N) or 0).
MEASURED_SOLVING: dict[tuple[str, int, tuple[tuple[int, int], ...], int], int] = {
    ("mt19937", 1, ((1, 31),), 0): 1261,          # shr:1 (PHP mt_rand()): measured 1248, 1252
    ("mt19937", 2, ((5, 27), (6, 26)), 0): 635,   # res53 (random()): measured 628, 625
    ("mt19937", 1, ((0, 3),), 0): 6950,           # mod:N, 8 | N: measured 6881, 6857
    # floor(random() * 1000): measured 3346 (benchmarks/state_bench.py --measure)
    ("mt19937", 2, ((5, 27), (6, 26)), 1000): 3400,
}


class LinearPlan:
    """How many draws of one shape a recovery of one generator solves from and checks on."""

    def __init__(self, model: LinearModel, shape: Shape) -> None:
        self.model = model
        self.shape = shape
        linear_kept = [(word, first + bit) for word, (first, count) in enumerate(shape.kept)
                       for bit in range(count) if (model.linear_bits >> (first + bit)) & 1]
        #: linear bits a draw fixes (on average, for floor(u * N), whose draws fix more or fewer)
        self.bits_per_draw: float = float(len(linear_kept))
        if shape.scaled_bound:
            values = range(shape.scaled_bound) if shape.scaled_bound <= 4096 else [
                (k * shape.scaled_bound) // 4096 for k in range(4096)]
            linear = {(word, bit) for word, bit in linear_kept}
            counts = [sum(1 for position, _ in shape.scaled_prefix(v)
                          if shape.word_bit(position) in linear) for v in values]
            self.bits_per_draw = sum(counts) / len(counts)
        elif shape.rounded:
            sample = model.generator(12345)
            linear = {(word, bit) for word, bit in linear_kept}
            counts = [sum(1 for position, _ in shape.scaled_prefix(
                shape.integer_form(shape.reduction.draw(sample)))
                if shape.word_bit(position) in linear) for _ in range(256)]
            self.bits_per_draw = sum(counts) / len(counts)
        if self.bits_per_draw:
            self.solving = math.ceil((model.effective_bits + MARGIN_BITS) / self.bits_per_draw)
        else:
            self.solving = 0
        measured = MEASURED_SOLVING.get((model.recurrence, shape.words, shape.kept,
                                         shape.scaled_bound))
        if measured is not None:
            self.solving = max(self.solving, measured)
        elif self.bits_per_draw and (shape.by_interval
                                     or self.bits_per_draw < shape.words * model.word_bits):
            # not measured: what the measured MT shapes show, 3.5% above the information bound
            # and, for MT19937, two blocks of words
            words = max(math.ceil(1.035 * self.solving * shape.words), model.partial_words)
            self.solving = max(self.solving, math.ceil(words / shape.words))
        self.measured = measured is not None
        self.checking = max(2, math.ceil(CHECK_BITS / shape.draw_bits))

    @property
    def minimum_draws(self) -> int:
        return self.solving + self.checking

    @property
    def lower_bound(self) -> int:
        """Draws below which no method can pin the state: effective bits over bits per draw."""
        return math.ceil(self.model.effective_bits / self.bits_per_draw)


def linear_plan(generator: str, reduction: str) -> LinearPlan | None:
    """The plan for ``generator`` observed through ``reduction``, or ``None`` if its draws give
    no linear equation."""
    model = linear_model(generator)
    if model is None:
        return None
    shape = shape_of(reduction, model.generator)
    if shape is None:
        return None
    plan = LinearPlan(model, shape)
    return plan if plan.bits_per_draw else None


def _linear_known(plan: LinearPlan, values: Sequence[int | float]) -> list[tuple[int, int, int]]:
    """The bits the draws fix that the model calls linear: ``(raw output, bit, value)``."""
    mask = plan.model.linear_bits
    return [(t, b, v) for t, b, v in plan.shape.known_bits(values) if (mask >> b) & 1]


def _equations(plan: LinearPlan, known: list[tuple[int, int, int]],
               alignment: int | None) -> np.ndarray:
    model = plan.model
    rows = model.equations([(t, b) for t, b, _ in known], alignment)
    rhs_word, rhs_bit = model.unknowns // 64, np.uint64(model.unknowns % 64)
    rows[:, rhs_word] ^= np.array([v for _, _, v in known], dtype=np.uint64) << rhs_bit
    return rows


def _raw_span(stream: PRNG, count: int) -> list[int]:
    return [stream.next_raw() for _ in range(count)]


def _complete_weyl(model: LinearModel, bits: np.ndarray, alignment: int | None,
                   shape: Shape, numbers: Sequence[int]) -> np.ndarray | None:
    """xorwow: the linear bits fix the xorshift words and bit 0 of the Weyl counter ``d``; a
    whole raw word ``v + d`` then gives ``d`` by subtraction."""
    if shape.kept[0] != (0, 32):
        return None
    trial = bits.copy()
    trial[160:192] = 0
    without_d = model.stream(trial, alignment).next_raw()  # v_1 + 0 + WEYL
    d = (numbers[0] - without_d) & MASK32
    trial[160:192] = [(d >> b) & 1 for b in range(32)]
    return trial


#: generator -> how to fill free unknowns that no linear bit reaches
_COMPLETIONS: dict[str, Callable[[LinearModel, np.ndarray, int | None, Shape, Sequence[int]],
                                 np.ndarray | None]] = {"xorwow": _complete_weyl}


def _changed_outputs(model: LinearModel, base: np.ndarray, vector: np.ndarray,
                     alignment: int | None, span: int) -> np.ndarray:
    """Raw output positions (of the first ``span``) where ``base`` and ``base ^ vector`` differ."""
    one = _raw_span(model.stream(base, alignment), span)
    two = _raw_span(model.stream(base ^ vector, alignment), span)
    return np.flatnonzero(np.array([a != b for a, b in zip(one, two)], dtype=bool))


def _candidates(plan: LinearPlan, solution: GF2Solution, alignment: int | None,
                numbers: Sequence[int], solving: int, span: int
                ) -> tuple[list[np.ndarray], set[int], str | None]:
    """The solutions worth replaying: one per distinct stream past the solving draws.

    Returns the candidates, the solving draws a free unknown can change (left out of the
    checks: MT19937's first word keeps 31 bits no later output reads), and a reason when the
    candidates cannot be listed (then the list is empty)."""
    model, words = plan.model, plan.shape.words
    base = solution.particular
    if solution.nullity == 0:
        return [base], set(), None
    completion = _COMPLETIONS.get(model.generator.name)
    if len(solution.null_basis) != solution.nullity:
        return [], set(), f"{solution.nullity} state bits stay free"
    uncertain: set[int] = set()
    visible = []
    for vector in solution.null_basis:
        changed = _changed_outputs(model, base, vector, alignment, span)
        if changed.size and changed.max() >= solving * words:
            visible.append(vector)
        else:  # it changes solving draws only: those are left out of the checks
            uncertain.update(int(t) // words for t in changed)
    if not visible:
        return [base], uncertain, None
    if completion is not None:
        completed = completion(model, base, alignment, plan.shape, numbers)
        if completed is None:
            return [], set(), "this shape does not reveal the non-linear part of the state"
        return [completed], set(), None
    if len(visible) > MAX_ENUMERATED:
        return [], set(), f"{len(visible)} free state bits change the later draws"
    found = []
    for mask in range(1 << len(visible)):
        vector = base.copy()
        for i, z in enumerate(visible):
            if (mask >> i) & 1:
                vector ^= z
        found.append(vector)
    return found, uncertain, None


def recover_linear(values: Sequence[int | float], generator: str, reduction: str, *,
                   predict: int = 0, alpha: float = DEFAULT_ALPHA,
                   max_position: int = DEFAULT_MAX_POSITION) -> Recovery:
    """Recover ``generator``'s state from ``values`` observed through ``reduction``.

    ``ValueError`` if the generator has no linear model or the reduction reveals no linear bit
    (see :func:`linear_plan`). The result's ``state`` is the catalog state at the first draw;
    ``seed``/``position`` are filled for ``init_genrand`` seedings found within
    ``max_position`` outputs of the first draw. When the planned solving draws leave state bits
    free that later draws depend on, more of the draws are used for solving, as long as enough
    are left to check.
    """
    started = time.perf_counter()
    plan = linear_plan(generator, reduction)
    if plan is None:
        raise ValueError(f"no linear state recovery of {generator} from {reduction} draws")
    model, shape = plan.model, plan.shape
    fields = Recovery(generator=generator, reduction=reduction, verdict=REJECTED, message="",
                      minimum_draws=plan.minimum_draws)

    def finish(**more: Any) -> Recovery:
        return replace(fields, **more, seconds=time.perf_counter() - started)

    if len(values) < plan.minimum_draws:
        return finish(verdict=TOO_SHORT, message=(
            f"{len(values)} draws; recovering {generator} from {reduction} draws needs at least "
            f"{plan.minimum_draws} ({plan.solving} to solve, {plan.checking} to check)"))
    try:
        numbers = [shape.integer_form(v) for v in values]
    except ValueError as error:
        return finish(verdict=REJECTED, message=f"not {reduction} draws: {error}")
    span = (len(values) + predict) * shape.words
    trials = 0
    solving = plan.solving
    reason = "the equations contradict each other: no state of this generator fits"
    verdict = REJECTED
    while True:
        undetermined = False
        fits: list[tuple[np.ndarray, int | None, tuple[float, int]]] = []
        known = _linear_known(plan, values[:solving])
        used = [0] * solving
        for t, _, _ in known:
            used[t // shape.words] += 1
        for alignment in model.alignments:
            solution = solve(_equations(plan, known, alignment), model.unknowns)
            if solution is None:
                trials += 1
                continue
            fields = replace(fields, rank=solution.rank, nullity=solution.nullity)
            candidates, uncertain, why = _candidates(plan, solution, alignment, numbers, solving,
                                                     span)
            if why is not None:
                undetermined = True
                reason, verdict = (f"{why} after {solving} solving draws; more draws would pin "
                                   f"them"), UNDETERMINED
                continue
            trials += len(candidates)
            for bits in candidates:
                checked = _check(plan, bits, alignment, used, numbers, uncertain)
                if checked is None:
                    if verdict != UNDETERMINED:
                        reason = "a state fits the solving bits but not the other draws"
                    continue
                fits.append((bits, alignment, checked))
        if fits:
            return _identified(plan, fits, values, solving, trials, predict, alpha,
                               max_position, fields, started)
        room = len(values) - plan.checking
        if not undetermined or solving >= room:
            break
        solving = min(room, max(solving + 1, int(solving * 1.4)))
    return finish(verdict=verdict, message=reason, trials=trials, solving_draws=solving)


def _identified(plan: LinearPlan, fits: list[tuple[np.ndarray, int | None, tuple[float, int]]],
                values: Sequence[int | float], solving: int, trials: int, predict: int,
                alpha: float, max_position: int, fields: Recovery, started: float) -> Recovery:
    """The verdict on the states that reproduce every draw. Several can (V8: the draws may not
    show where a cache refill falls); they are all this generator, but the predictions are only
    those every one of them agrees on."""
    model, shape = plan.model, plan.shape
    runs = []
    for bits, alignment, _ in fits:
        stream = model.stream(bits, alignment)
        start_state = stream.get_state()
        for _ in values:
            shape.reduction.draw(stream)
        runs.append((start_state, [shape.reduction.draw(stream) for _ in range(predict)]))
    agreed = 0
    while agreed < predict and all(run[agreed] == runs[0][1][agreed] for _, run in runs):
        agreed += 1
    predictions = tuple(runs[0][1][:agreed])
    state: tuple[int, ...] | None = runs[0][0] if len(fits) == 1 else None
    bits_checked, left_out = min((fit[2] for fit in fits), key=lambda c: c[0])
    p_value = corrected_p_value(bits_checked, trials)
    identified = p_value < alpha
    seed = position = None
    name = model.generator.name
    other_seeding: dict[str, object] = {}
    if identified and state is not None and name in (*INIT_GENRAND_GENERATORS,
                                                     *INIT_BY_ARRAY_GENERATORS):
        found = None
        if name in INIT_GENRAND_GENERATORS:
            found = init_genrand_seed(model.generator, state, max_position)
        if found is None and name in INIT_BY_ARRAY_GENERATORS:
            found = init_by_array_seed(model.generator, state, max_position)
        if found is not None:
            seed, position = found
        elif getattr(model, "recurrence", "") == "mt19937":
            # the MT19937 members share the core: the stream may come from another runtime's
            # seeding (random() doubles are numpy's random_sample() too, mt_rand words are
            # std::mt19937's)
            if name not in INIT_GENRAND_GENERATORS:
                other = init_genrand_seed(model.generator, state, max_position)
                if other is not None:
                    other_seeding = {"init_genrand_seed": other[0],
                                     "init_genrand_position": other[1],
                                     "note": "init_genrand(seed) makes this stream: "
                                             "numpy.random.RandomState(seed), mt_srand(seed), "
                                             "std::mt19937(seed)"}
            if not other_seeding and name not in INIT_BY_ARRAY_GENERATORS:
                other = init_by_array_seed(model.generator, state, max_position)
                if other is not None:
                    other_seeding = {"init_by_array_seed": other[0],
                                     "init_by_array_position": other[1],
                                     "note": "init_by_array(words of seed) makes this stream: "
                                             "CPython random.seed(seed)"}
    if identified and name == "v8_math_random":
        # every fit lies on the same xorshift128+ sequence; the seed then decides which cache
        # position the draws started at
        past = model.generator.from_state(runs[0][0])
        past.jump(len(values) + 64)  # beyond every fit's window, whatever its cache position
        found_seed = v8_seed(model.generator, past.get_state(), max_position + len(values) + 128)
        if found_seed is not None:
            located = _locate(model.generator(found_seed), shape, values, predict, max_position)
            if located is not None:
                seed = found_seed
                position, state, predictions = located
    if identified:
        message = (f"state recovered from {solving} draws and confirmed by "
                   f"{bits_checked:.0f} bits the solver did not use")
        if len(fits) > 1:
            message += (f"; {len(fits)} states fit (the draws do not show where the generator's "
                        f"output cache was refilled): {agreed} of {predict} predictions agree")
    else:
        message = f"a state fits, but chance could explain it (p = {p_value:.3g} >= {alpha})"
    extra: dict[str, object] = {"left_out_draws": left_out, "fitting_states": len(fits),
                                **other_seeding}
    if len(fits) > 1 and seed is None:
        fresh = [run for (_, alignment, _), run in zip(fits, runs) if alignment == 0]
        if fresh:  # a new process: its first draw opens a cache
            extra["predictions_if_first_draw_opens_a_cache"] = fresh[0][1]
    return replace(fields, verdict=IDENTIFIED if identified else UNDETERMINED, message=message,
                   state=state, seed=seed, position=position, solving_draws=solving,
                   checked_draws=len(values) - solving, bits_checked=bits_checked, trials=trials,
                   p_value=p_value, predictions=predictions, extra=extra,
                   seconds=time.perf_counter() - started)


def _locate(stream: PRNG, shape: Shape, values: Sequence[int | float], predict: int,
            max_position: int) -> tuple[int, tuple[int, ...], tuple[int | float, ...]] | None:
    """Where in ``stream`` (a seeded catalog stream) the draws start: ``(position, state there,
    predictions)``, searching the first ``max_position`` raw outputs (one-word draws only)."""
    if shape.words != 1:
        return None
    first = shape.integer_form(values[0])
    probe = type(stream).from_state(stream.get_state())
    for position in range(max_position + 1):
        state = probe.get_state()
        if shape.integer_form(shape.reduction.draw(probe)) != first:
            continue
        replay = type(stream).from_state(state)
        if all(shape.reduction.draw(replay) == v for v in values):
            return position, state, tuple(shape.reduction.draw(replay) for _ in range(predict))
        probe = type(stream).from_state(state)
        probe.next_raw()
    return None


def _check(plan: LinearPlan, bits: np.ndarray, alignment: int | None, used: list[int],
           numbers: Sequence[int], uncertain: set[int]) -> tuple[float, int] | None:
    """Replay every draw from the candidate state: ``(bits checked, draws left out)``, or
    ``None`` if a draw comes out wrong. A solving draw checks only the bits the solver did not
    use (``used[i]`` of draw ``i``); a held-out draw checks all of its bits; draws a free unknown
    can change are left out."""
    shape, model = plan.shape, plan.model
    stream = model.stream(bits, alignment)
    checked = 0.0
    for index, want in enumerate(numbers):
        got = shape.integer_form(shape.reduction.draw(stream))
        if index in uncertain:
            continue
        if got != want:
            return None
        if index < len(used):
            # the solver's bits and the rest of a uniform draw are independent when the draw's
            # alphabet is a multiple of 2**used (mod N, masks, shifts, doubles); a floor(u * N)
            # or rounded draw's fixed bits are a function of the draw itself: it counts nothing
            if not shape.by_interval:
                checked += max(0.0, shape.draw_bits - used[index])
        else:
            checked += shape.draw_bits
    return checked, len(uncertain)
