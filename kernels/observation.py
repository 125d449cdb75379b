"""The observation model: the one alignment contract between a generator and observed draws.

A hypothesis ``H = (generator, seed, reduction, offset, skip)`` says how a sequence of draws came
out of a generator (the generator's registry entry fixes its seeding convention):

1. seed the generator the way its runtime does (``generator(seed)``);
2. produce draws one after another: each draw is one application of ``reduction`` (which may
   consume several raw outputs when it rejects), and after each draw ``skip`` raw outputs are
   discarded;
3. the first ``offset`` draws (with their skips) happened before observation began;
   the observed sequence is the draws from index ``offset`` on.

So ``offset`` counts draws, not raw outputs, and the skip pattern applies from the very first
draw. A skip schedule is either a constant ``k`` or an explicit list of per-draw skips (the
``i``-th entry follows draw ``i``, counted from the first draw after seeding), continued with the
constant ``then`` once the list is exhausted.

:func:`predict` is the single definition of what a hypothesis implies. The sieve kernels, the
scoring features, the prediction step and the injector are defined by it or tested against it.
"""

from __future__ import annotations

from typing import Annotated, Iterator

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kernels.prng import PRNG
from kernels.reductions import Reduction, parse_reduction
from kernels.registry import get_generator

__all__ = ["SkipSchedule", "Hypothesis", "predict", "iter_draws", "parse_skip"]

NonNegative = Annotated[int, Field(ge=0)]

#: no hypothesis skips more outputs than this between two draws
MAX_SKIP = 1 << 20


class SkipSchedule(BaseModel):
    """Raw outputs discarded after each draw: ``skips[i]`` after draw ``i``, then ``then``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    skips: tuple[Annotated[int, Field(ge=0, le=MAX_SKIP)], ...] = ()
    then: Annotated[int, Field(ge=0, le=MAX_SKIP)] = 0

    @classmethod
    def constant(cls, k: int) -> "SkipSchedule":
        return cls(then=k)

    def after(self, draw_index: int) -> int:
        """Outputs discarded after draw number ``draw_index`` (0 = first draw after seeding)."""
        return self.skips[draw_index] if draw_index < len(self.skips) else self.then

    @property
    def is_constant(self) -> bool:
        return all(k == self.then for k in self.skips)

    def __str__(self) -> str:
        if self.is_constant:
            return str(self.then)
        return ",".join(map(str, self.skips)) + f"..{self.then}"


def parse_skip(spec: str | int | None) -> SkipSchedule:
    """``"3"`` -> constant 3; ``"0,2,1"`` -> those per-draw skips then the last one repeated."""
    if spec is None:
        return SkipSchedule()
    if isinstance(spec, int):
        return SkipSchedule.constant(spec)
    text = spec.strip()
    try:
        values = [int(part) for part in text.split(",")] if text else []
    except ValueError:
        raise ValueError(f"skip {spec!r}: expected an integer or a comma-separated list") from None
    if not values:
        raise ValueError("empty skip spec")
    if any(v < 0 or v > MAX_SKIP for v in values):
        raise ValueError(f"skip {spec!r}: each skip must be 0..{MAX_SKIP}")
    if len(values) == 1:
        return SkipSchedule.constant(values[0])
    return SkipSchedule(skips=tuple(values), then=values[-1])


class Hypothesis(BaseModel):
    """How a sequence of draws came out of a generator. Immutable and hashable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    generator: str
    seed: NonNegative
    reduction: str = "raw"
    offset: NonNegative = 0
    skip: SkipSchedule = SkipSchedule()

    @field_validator("generator")
    @classmethod
    def _known_generator(cls, name: str) -> str:
        get_generator(name)
        return name

    @field_validator("reduction")
    @classmethod
    def _valid_reduction(cls, spec: str) -> str:
        return parse_reduction(spec).spec

    @model_validator(mode="after")
    def _consistent(self) -> "Hypothesis":
        generator = get_generator(self.generator)
        generator.check_seed(self.seed)
        parse_reduction(self.reduction).check_generator(generator)
        return self

    @property
    def generator_class(self) -> type[PRNG]:
        return get_generator(self.generator)

    @property
    def parsed_reduction(self) -> Reduction:
        return parse_reduction(self.reduction)

    def describe(self) -> str:
        return (f"{self.generator} seed={self.seed} reduce={self.reduction} "
                f"offset={self.offset} skip={self.skip}")


def iter_draws(hypothesis: Hypothesis) -> Iterator[int]:
    """Every draw ``hypothesis`` implies, from its offset on, without end."""
    stream = hypothesis.generator_class(hypothesis.seed)
    reduction = hypothesis.parsed_reduction
    skip = hypothesis.skip
    index = 0
    while True:
        value = reduction.draw(stream)
        if index >= hypothesis.offset:
            yield value
        stream.jump(skip.after(index))
        index += 1


def predict(hypothesis: Hypothesis, n: int) -> list[int]:
    """The first ``n`` observed draws that ``hypothesis`` implies."""
    if n < 0:
        raise ValueError("n must be >= 0")
    draws = iter_draws(hypothesis)
    return [next(draws) for _ in range(n)]
