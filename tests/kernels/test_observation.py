"""The observation model's own laws, independent of any one generator."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kernels.observation import Hypothesis, SkipSchedule, parse_skip, predict, upgrade_draw_offset
from kernels.reductions import parse_reduction
from kernels.registry import all_generators

NAMES = sorted(all_generators())
REDUCTIONS = ["raw", "mod:1000", "mod:10", "float_mul:1000", "digits:3"]


def _applicable(name: str, spec: str) -> bool:
    try:
        parse_reduction(spec).check_generator(all_generators()[name])
    except ValueError:
        return False
    return True


hypotheses = st.builds(
    lambda name, seed, spec, offset, skips: (name, seed, spec, offset, skips),
    st.sampled_from(NAMES), st.integers(0, 2**32 - 1), st.sampled_from(REDUCTIONS),
    st.integers(0, 20), st.lists(st.integers(0, 5), max_size=6),
).filter(lambda t: _applicable(t[0], t[2]))


def valid_seed(name: str, seed: int) -> int:
    """``seed`` folded into the generator's seed space, nudged off the few seeds it refuses."""
    cls = all_generators()[name]
    seed %= 1 << cls.seed_bits
    for candidate in (seed, seed + 1, 1, 12345):
        try:
            return cls.check_seed(candidate)
        except ValueError:
            continue
    raise AssertionError(f"no valid seed found for {name}")


def _make(name, seed, spec, offset, skips) -> Hypothesis:
    seed = valid_seed(name, seed)
    schedule = SkipSchedule(skips=tuple(skips), then=skips[-1] if skips else 0)
    return Hypothesis(generator=name, seed=seed, reduction=spec, offset=offset, skip=schedule)


def _by_hand(h: Hypothesis, n: int) -> list[int]:
    """The observation model written out with nothing but next_raw and the reduction."""
    stream = all_generators()[h.generator](h.seed)
    for _ in range(h.offset):
        stream.next_raw()
    draws = []
    for index in range(n):
        if index:
            for _ in range(h.skip.after(index - 1)):
                stream.next_raw()
        draws.append(parse_reduction(h.reduction).draw(stream))
    return draws


@settings(max_examples=60, deadline=None)
@given(hypotheses, st.integers(0, 30))
def test_offsets_and_skips_count_raw_outputs(params, n):
    h = _make(*params)
    assert predict(h, n) == _by_hand(h, n)


@settings(max_examples=40, deadline=None)
@given(hypotheses, st.integers(0, 20))
def test_offset_drops_leading_raw_outputs(params, n):
    """Offset ``o`` is the raw-output stream with its first ``o`` outputs gone."""
    h = _make(*params)
    stream = all_generators()[h.generator](h.seed)
    raw = stream.outputs(h.offset + 40)
    shifted = Hypothesis(generator=h.generator, seed=h.seed, reduction="raw", offset=h.offset)
    assert predict(shifted, 40) == raw[h.offset:]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NAMES), st.integers(0, 2**32 - 1), st.sampled_from(REDUCTIONS),
       st.integers(0, 4))
def test_discard_before_each_draw(name, seed, spec, k):
    """``for _ in range(k): g(); x = draw()`` is offset k, skip k."""
    if not _applicable(name, spec):
        return
    seed = valid_seed(name, seed)
    stream = all_generators()[name](seed)
    reduction = parse_reduction(spec)
    expected = []
    for _ in range(12):
        for _ in range(k):
            stream.next_raw()
        expected.append(reduction.draw(stream))
    h = Hypothesis(generator=name, seed=seed, reduction=spec, offset=k,
                   skip=SkipSchedule.constant(k))
    assert predict(h, 12) == expected


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NAMES), st.integers(0, 2**32 - 1), st.integers(0, 6), st.integers(0, 3))
def test_discard_after_unobserved_draws(name, seed, d, k):
    """``d`` unobserved one-output draws, each followed by ``k`` discards: offset d (1 + k)."""
    seed = valid_seed(name, seed)
    stream = all_generators()[name](seed)
    expected = []
    for index in range(d + 10):
        value = stream.next_raw()
        if index >= d:
            expected.append(value)
        for _ in range(k):
            stream.next_raw()
    h = Hypothesis(generator=name, seed=seed, reduction="raw", offset=d * (1 + k),
                   skip=SkipSchedule.constant(k))
    assert predict(h, 10) == expected


@settings(max_examples=60, deadline=None)
@given(hypotheses)
def test_upgrade_from_draw_offsets(params):
    """A model-1 hypothesis (``offset`` draws, skips counted from seeding) converts exactly."""
    name, seed, spec, draws_before, skips = params
    seed = valid_seed(name, seed)
    schedule = SkipSchedule(skips=tuple(skips), then=skips[-1] if skips else 0)
    stream = all_generators()[name](seed)
    reduction = parse_reduction(spec)
    model_one = []
    for index in range(draws_before + 15):
        value = reduction.draw(stream)
        if index >= draws_before:
            model_one.append(value)
        for _ in range(schedule.after(index)):
            stream.next_raw()
    try:
        upgraded = upgrade_draw_offset(name, seed, spec, draws_before, schedule)
    except ValueError:
        # only a 64-bit generator's buffered 32-bit half-word is inexpressible
        assert all_generators()[name].output_bits == 64
        return
    assert predict(upgraded, 15) == model_one


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NAMES), st.integers(0, 2**32 - 1), st.integers(0, 4))
def test_constant_skip_samples_the_raw_stream(name, seed, k):
    cls = all_generators()[name]
    seed = valid_seed(name, seed)
    raw = cls(seed).outputs(10 * (k + 1))
    h = Hypothesis(generator=name, seed=seed, reduction="raw", skip=SkipSchedule.constant(k))
    assert predict(h, 10) == raw[:: k + 1]


def test_skip_schedule_parsing():
    assert parse_skip("3") == SkipSchedule.constant(3)
    assert parse_skip("0,2,1") == SkipSchedule(skips=(0, 2, 1), then=1)
    assert parse_skip("0,2,1").after(1) == 2 and parse_skip("0,2,1").after(99) == 1
    for bad in ("", "x", "1,-1", str(1 << 30)):
        with pytest.raises(ValueError):
            parse_skip(bad)


def test_hypothesis_is_frozen_and_hashable():
    h = Hypothesis(generator="java_random", seed=1, reduction="mod:1000")
    assert hash(h) == hash(Hypothesis(generator="java_random", seed=1, reduction="mod:1000"))
    with pytest.raises(Exception):
        h.seed = 2  # type: ignore[misc]


@pytest.mark.parametrize("spec", ["", "mod", "mod:1", "mod:x", "raw:3", "php_range:5:1",
                                  "digits:0", "digits:10", "nope:3", "java_nextint:10:2"])
def test_bad_reduction_specs(spec):
    with pytest.raises(ValueError):
        parse_reduction(spec)


def test_reduction_metadata():
    assert parse_reduction("mod:1000").fixed_outputs == 1
    assert parse_reduction("java_nextint:1000").fixed_outputs is None
    assert parse_reduction("php_range:0:999").alphabet == 1000
    assert parse_reduction("digits:3").alphabet == 1000


def test_java_nextint_power_of_two_takes_high_bits():
    # nextInt(2**k) is the top k bits of next(31): check the identity on raw outputs.
    cls = all_generators()["java_random"]
    raw = cls(99).outputs(50)
    h = Hypothesis(generator="java_random", seed=99, reduction="java_nextint:1024")
    assert predict(h, 50) == [(r >> 1) >> 21 for r in raw]
