"""The backward half of the bidirectional sieve: from a state found at the window start, walk
the generator *backwards* to where it was seeded.

For generators whose state is their seed (at most 32 bits: xorshift32, the 32-bit LCGs, minstd,
``rand_r``...), searching every seed at offset 0 is searching every state at the window start,
which finds sequences observed long after seeding. A survivor there says "the state at the first
observed draw was S". Stepping back from S (``PRNG.step_back``, an exact inverse) visits the
states before it; one that is a seed people use (a small integer, a Unix time) is where the
generator was probably seeded, and the observation then starts at a known position after it.

The original system's "reverse" sieve ran the forward generator over the reversed window and
rejected the true seed; nothing of it is reproduced here.
"""

from __future__ import annotations

from dataclasses import dataclass
from kernels.observation import Hypothesis, predict
from kernels.prng import PRNG
from kernels.registry import get_generator

__all__ = ["seed_is_state", "SeedOrigin", "walk_back", "plausible_ranges"]

SMALL_SEEDS = 1 << 16
DAY = 86_400


def seed_is_state(generator: type[PRNG]) -> bool:
    """Whether seeding sets the state to the seed itself (checked, not declared)."""
    if generator.state_bits > 32 or not generator.invertible:
        return False
    samples = [12345, 2**31 - 5, 99991]
    try:
        return all(generator(s).get_state() == (s,) for s in samples)
    except ValueError:
        return False


def plausible_ranges(around_unix: int | None = None) -> list[tuple[int, int]]:
    """Seeds specific enough to mean something when a walk meets one: small integers, and Unix
    seconds within a day of a time the user names. (All of the last 30 years of Unix seconds
    would be a fifth of the 32-bit states: meeting one says nothing.)"""
    ranges = [(0, SMALL_SEEDS)]
    if around_unix is not None:
        ranges.append((max(around_unix - DAY, SMALL_SEEDS), around_unix + DAY))
    return ranges


@dataclass(frozen=True)
class SeedOrigin:
    """An earlier seed that explains the same observation, ``outputs_before`` outputs back.

    ``chance`` is how many states of the walk were expected to fall in the plausible ranges by
    accident: an origin is evidence only when it is much below 1."""

    hypothesis: Hypothesis
    outputs_before: int
    chance: float


def walk_back(found: Hypothesis, *, max_outputs: int, ranges: list[tuple[int, int]],
              check_draws: int = 16) -> list[SeedOrigin]:
    """Seeds in ``ranges`` up to ``max_outputs`` raw outputs before ``found``'s first draw.

    Offsets count raw outputs, so every state the walk meets is a possible origin, whatever the
    reduction; each origin is confirmed by ``predict`` to give the same draws.
    """
    generator = get_generator(found.generator)
    if not seed_is_state(generator):
        return []
    density = sum(high - low for low, high in ranges) / float(1 << generator.state_bits)
    chance = max_outputs * density
    stream = generator(found.seed)
    stream.jump(found.offset)  # the state at the first observed draw
    expected = predict(found, check_draws)
    origins = []
    for back in range(1, max_outputs + 1):
        stream.step_back()
        (state,) = stream.get_state()
        if not any(low <= state < high for low, high in ranges):
            continue
        try:
            candidate = found.model_copy(update={"seed": generator.check_seed(state),
                                                 "offset": found.offset + back})
        except ValueError:
            continue
        if predict(candidate, check_draws) == expected:
            origins.append(SeedOrigin(candidate, back, chance))
    return origins
