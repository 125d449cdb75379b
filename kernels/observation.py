"""The observation model: the one alignment contract between a generator and observed draws.

A hypothesis ``H = (generator, seed, reduction, offset, skip)`` says how a sequence of draws came
out of a generator (the generator's registry entry fixes its seeding convention):

1. seed the generator the way its runtime does (``generator(seed)``);
2. discard ``offset`` raw outputs: everything the program consumed before observation began;
3. the first observed draw is one application of ``reduction`` (which may consume several raw
   outputs, when it rejects or builds a double from two words);
4. before each further observed draw, discard ``skip`` raw outputs.

Offsets and skips both count *raw outputs*, never draws, so every way a program interleaves its
draws with other uses of the generator is one hypothesis. With ``k`` outputs discarded before
each draw (``for _ in range(k): g(); x = g()``) the first observed draw comes after ``k``
outputs: ``offset=k, skip=k``. With ``k`` discarded after each draw, ``offset=0, skip=k``. With
``d`` unobserved draws of one raw output each before observation began and ``k`` discarded after
each draw: ``offset=d * (1 + k), skip=k``.

A skip schedule is either a constant ``k`` or an explicit list of skips: the ``i``-th entry is
discarded between observed draws ``i`` and ``i + 1`` (``0`` = the first observed draw),
continued with the constant ``then`` once the list is exhausted.

Hypotheses written before this model (offset counted in draws, skips counted from the first
draw after seeding) are converted exactly by :func:`upgrade_draw_offset`.

:func:`predict` is the single definition of what a hypothesis implies. The sieve kernels, the
scoring features, the prediction step and the injector are defined by it or tested against it.
"""

from __future__ import annotations

from typing import Annotated, Callable, Iterator, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kernels.prng import PRNG
from kernels.reductions import Reduction, parse_reduction
from kernels.registry import get_generator

_Draw = TypeVar("_Draw")

__all__ = ["SkipSchedule", "Hypothesis", "predict", "predict_doubles", "iter_draws", "parse_skip",
           "upgrade_draw_offset", "OBSERVATION_MODEL"]

NonNegative = Annotated[int, Field(ge=0)]

#: no hypothesis skips more outputs than this between two draws
MAX_SKIP = 1 << 20

#: version of the observation model, written beside stored hypotheses (truth files, survivor
#: files): 1 counted offsets in draws and skips from seeding; 2 counts both in raw outputs
OBSERVATION_MODEL = 2


class SkipSchedule(BaseModel):
    """Raw outputs discarded between observed draws: ``skips[i]`` between draws ``i`` and
    ``i + 1``, then ``then``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    skips: tuple[Annotated[int, Field(ge=0, le=MAX_SKIP)], ...] = ()
    then: Annotated[int, Field(ge=0, le=MAX_SKIP)] = 0

    @classmethod
    def constant(cls, k: int) -> "SkipSchedule":
        return cls(then=k)

    def after(self, draw_index: int) -> int:
        """Outputs discarded after observed draw ``draw_index`` (0 = the first observed draw),
        before the next one."""
        return self.skips[draw_index] if draw_index < len(self.skips) else self.then

    @property
    def is_constant(self) -> bool:
        return all(k == self.then for k in self.skips)

    def __str__(self) -> str:
        if self.is_constant:
            return str(self.then)
        return ",".join(map(str, self.skips)) + f"..{self.then}"


def parse_skip(spec: str | int | None) -> SkipSchedule:
    """``"3"`` -> constant 3; ``"0,2,1"`` -> those skips between observed draws, then the last
    one repeated."""
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
    """Every observed draw ``hypothesis`` implies, without end."""
    return _walk(hypothesis, hypothesis.parsed_reduction.draw)


def _walk(hypothesis: Hypothesis, take: Callable[[PRNG], _Draw]) -> Iterator[_Draw]:
    """``take`` at every observed draw's place: after the offset, then after each skip."""
    stream = hypothesis.generator_class(hypothesis.seed)
    skip = hypothesis.skip
    stream.jump(hypothesis.offset)
    index = 0
    while True:
        yield take(stream)
        stream.jump(skip.after(index))
        index += 1


def predict_doubles(hypothesis: Hypothesis, n: int) -> list[float]:
    """The generator's own doubles at the first ``n`` observed draws' places: what a
    ``float_mul`` hypothesis scaled (the doubles a program printed)."""
    doubles = _walk(hypothesis, lambda stream: stream.next_double())
    return [next(doubles) for _ in range(n)]


def predict(hypothesis: Hypothesis, n: int) -> list[int]:
    """The first ``n`` observed draws that ``hypothesis`` implies."""
    if n < 0:
        raise ValueError("n must be >= 0")
    draws = iter_draws(hypothesis)
    return [next(draws) for _ in range(n)]


def upgrade_draw_offset(generator: str, seed: int, reduction: str, draws_before: int,
                        skip: SkipSchedule) -> Hypothesis:
    """The hypothesis of this model equal to one of model 1, where ``draws_before`` draws (each
    followed by its skip, ``skip.after(i)`` after the ``i``-th draw since seeding) came before
    the first observed one.

    The raw outputs those draws consumed are counted on the seeded stream, so the conversion is
    exact for rejection reductions too. ``ValueError`` when the first observed draw would start
    inside a buffered 32-bit half-word (a 64-bit generator's ``next_u32``), which no raw-output
    offset expresses.
    """
    cls = get_generator(generator)
    parsed = parse_reduction(reduction)
    stream = cls(seed)
    consumed = 0
    original = stream.next_raw

    def counting() -> int:
        nonlocal consumed
        consumed += 1
        return original()

    setattr(stream, "next_raw", counting)  # every reduction and next_double reads next_raw
    for index in range(draws_before):
        parsed.draw(stream)
        before = consumed
        stream.jump(skip.after(index))  # a closed-form jump may bypass next_raw: count it here
        consumed = before + skip.after(index)
    if getattr(stream, "_pending_u32", None) is not None:
        raise ValueError(f"{generator} seed {seed}: after {draws_before} draws of {reduction} "
                         "the stream holds half a 64-bit output; no raw-output offset expresses it")
    later = SkipSchedule(skips=skip.skips[draws_before:], then=skip.then)
    if later.is_constant:
        later = SkipSchedule.constant(later.then)
    return Hypothesis(generator=generator, seed=seed, reduction=reduction, offset=consumed,
                      skip=later)
