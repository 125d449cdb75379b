"""One contract, every generator: the interface properties of :class:`kernels.prng.PRNG`.

Each test runs over every registered generator (``all_generators()``), so a new generator is held
to the whole contract the moment it is registered. Family test files keep only what is particular
to their family (published known answers, quirks, runtime cross-checks).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.prng import FAMILIES, PRNG, NotInvertible
from kernels.reductions import native_below
from kernels.registry import all_generators
from kernels.sieve.vector import LaneStreams

GENERATORS = list(all_generators().values())
every_generator = pytest.mark.parametrize("cls", GENERATORS, ids=lambda cls: cls.name)
invertible = pytest.mark.parametrize("cls", [cls for cls in GENERATORS if cls.invertible],
                                     ids=lambda cls: cls.name)
with_fast_jump = pytest.mark.parametrize("cls", [cls for cls in GENERATORS if cls.has_fast_jump()],
                                         ids=lambda cls: cls.name)

EXAMPLES = settings(max_examples=15, deadline=None)


def _accepts(cls: type[PRNG], seed: int) -> bool:
    try:
        cls.check_seed(seed)
    except ValueError:
        return False
    return True


def seeds_of(cls: type[PRNG]) -> st.SearchStrategy[int]:
    """Seeds the generator accepts (a few refuse a fixed point such as 0)."""
    return st.integers(0, (1 << cls.seed_bits) - 1).filter(lambda seed: _accepts(cls, seed))


def refill_length(cls: type[PRNG]) -> int:
    """Outputs that run through the whole state at least once (MT's twist, CMWC's table, V8's
    cache...): where a vectorised path that handles only the first block would go wrong."""
    return cls.state_bits // cls.output_bits + 64


def test_registry_covers_every_family():
    assert {cls.family for cls in GENERATORS} == set(FAMILIES)


@every_generator
def test_metadata(cls):
    assert all_generators()[cls.name] is cls
    assert cls.family in FAMILIES
    assert cls.legacy == (cls.family == "legacy")
    for attr in ("seeding", "seed_space", "vouched_by"):
        assert isinstance(getattr(cls, attr), str) and getattr(cls, attr), attr
    for attr in ("state_bits", "output_bits", "seed_bits"):
        assert isinstance(getattr(cls, attr), int) and getattr(cls, attr) > 0, attr
    assert isinstance(cls.invertible, bool)
    native_below(cls, 1000).check_generator(cls)  # its own bounded integer applies to it


@invertible
@EXAMPLES
@given(data=st.data())
def test_step_back_undoes_next_raw(cls, data):
    stream = cls(data.draw(seeds_of(cls), label="seed"))
    stream.jump(data.draw(st.integers(0, 300), label="before"))
    steps = data.draw(st.integers(1, 150), label="steps")
    ahead = stream.outputs(steps)
    for _ in range(steps):
        stream.step_back()
    # the same stream, though not always the same words (MT untwists into the previous block)
    assert stream.outputs(steps) == ahead


@every_generator
def test_non_invertible_say_so(cls):
    stream = cls(next(seed for seed in (1, 12345, 2) if _accepts(cls, seed)))
    stream.next_raw()
    if cls.invertible:
        stream.step_back()
    else:
        with pytest.raises(NotInvertible):
            stream.step_back()


@every_generator
@EXAMPLES
@given(data=st.data())
def test_jump_equals_stepping(cls, data):
    # up to 1500: past the GF(2) jumps' linear_bits, glibc's polynomial threshold, MT's twists
    seed = data.draw(seeds_of(cls), label="seed")
    head = data.draw(st.integers(0, 70), label="head")
    n = data.draw(st.integers(0, 1500), label="n")
    jumped, stepped = cls(seed), cls(seed)
    jumped.jump(head)
    stepped.jump(head)
    jumped.jump(n)
    for _ in range(n):
        stepped.next_raw()
    assert jumped.get_state() == stepped.get_state()
    assert jumped.outputs(5) == stepped.outputs(5)


#: pairs of distances whose sum carries out of 32, 64 and 128 bits
HUGE_JUMPS = [((1 << 32) - 5, 7), ((1 << 100) + (1 << 63) + 12345, 3 * (1 << 99) + (1 << 63) + 777),
              ((1 << 127) + 5, (1 << 127) + (1 << 90))]


@with_fast_jump
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_fast_jump_composes_at_any_distance(cls, data):
    seed = data.draw(seeds_of(cls), label="seed")
    for first, second in HUGE_JUMPS:
        twice, once = cls(seed), cls(seed)
        twice.jump(first)
        twice.jump(second)
        once.jump(first + second)
        assert twice.get_state() == once.get_state(), (first, second)
        assert twice.outputs(3) == once.outputs(3)


@every_generator
@EXAMPLES
@given(data=st.data())
def test_state_round_trip(cls, data):
    stream = cls(data.draw(seeds_of(cls), label="seed"))
    stream.jump(data.draw(st.integers(0, refill_length(cls)), label="before"))
    state = stream.get_state()
    assert isinstance(state, tuple) and all(isinstance(word, int) for word in state)
    ahead = stream.outputs(30)
    other = cls(data.draw(seeds_of(cls), label="other seed"))
    other.set_state(state)
    assert other.get_state() == state
    assert other.outputs(30) == ahead
    stream.set_state(state)
    assert stream.outputs(30) == ahead


@every_generator
def test_check_seed_rejects_what_is_not_a_seed(cls):
    top = (1 << cls.seed_bits) - 1
    assert cls.check_seed(top) == top
    for bad in (-1, top + 1, 1 << 80, 1.5, "7", True, None):
        with pytest.raises(ValueError):
            cls(bad)


@every_generator
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_raw_many_agrees_with_scalar(cls, data):
    seeds = data.draw(st.lists(seeds_of(cls), min_size=1, max_size=4, unique=True), label="seeds")
    n = refill_length(cls)
    rows = cls.raw_many(np.array(seeds, dtype=np.uint64), n)
    assert rows.dtype == (np.uint32 if cls.output_bits <= 32 else np.uint64)
    assert rows.shape == (len(seeds), n)
    assert rows.tolist() == [cls(seed).outputs(n) for seed in seeds]
    assert int(rows.max(initial=0)) < 1 << cls.output_bits


@every_generator
def test_vector_double_is_next_double_on_every_lane(cls):
    seeds = [seed for seed in (1, 7, 12345, 3735928495) if _accepts(cls, seed % (1 << cls.seed_bits))]
    seeds = [seed % (1 << cls.seed_bits) for seed in seeds]
    streams = LaneStreams(cls, cls.raw_many(np.array(seeds, dtype=np.uint64), 40))
    if not cls.has_vector_double():
        with pytest.raises(NotImplementedError):
            cls.vector_double(streams)
        return
    got = np.stack([cls.vector_double(streams) for _ in range(10)], axis=1)
    expected = []
    for seed in seeds:
        stream = cls(seed)
        expected.append([stream.next_double() for _ in range(10)])
    assert got.tolist() == expected
    assert not streams.overflow.any()
