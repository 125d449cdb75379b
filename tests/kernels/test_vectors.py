"""Every generator against the known answers of its real runtime (``tests/vectors/``)."""

from __future__ import annotations

import numpy as np
import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.registry import all_generators
from tests.kernels.vectors import load_vector_files

FILES = load_vector_files()
RAW = [f for f in FILES if f.stream == "raw" and f.offset == f.skip == 0]
REDUCED = [f for f in FILES if f not in RAW]


def test_every_generator_has_two_raw_seeds_and_every_vector_a_generator():
    with_vectors: dict[str, set[int]] = {}
    for f in RAW:
        assert len(f.values) >= 1000, f"{f.id}: only {len(f.values)} values"
        with_vectors.setdefault(f.generator, set()).add(f.seed)
    registered = set(all_generators())
    assert set(with_vectors) == registered, (
        f"generators without vectors: {sorted(registered - set(with_vectors))}; "
        f"vectors without generator: {sorted(set(with_vectors) - registered)}")
    too_few = sorted(name for name, seeds in with_vectors.items() if len(seeds) < 2)
    assert not too_few, f"need raw vectors for two seeds: {too_few}"


@pytest.mark.parametrize("vector", RAW, ids=lambda f: f.id)
def test_raw_outputs(vector):
    stream = all_generators()[vector.generator](vector.seed)
    assert stream.outputs(len(vector.values)) == list(vector.values)


def _other_seeds(cls, seed: int) -> list[int]:
    """Seeds of ``cls`` other than ``seed`` and each other, around it and at the ends of the seed
    space (a vectorised path that mixes up rows, or reads one seed for all, disagrees on them)."""
    top = (1 << cls.seed_bits) - 1
    candidates = (seed ^ 1, seed + 12345, top - seed, top, 1, 0x9E3779B9 & top)
    others: list[int] = []
    for candidate in candidates:
        candidate &= top
        try:
            cls.check_seed(candidate)
        except ValueError:
            continue
        if candidate != seed and candidate not in others:
            others.append(candidate)
    return others[:3]


@pytest.mark.parametrize("vector", RAW, ids=lambda f: f.id)
def test_vectorised_reference_agrees(vector):
    cls = all_generators()[vector.generator]
    n = min(len(vector.values), 200)
    others = _other_seeds(cls, vector.seed)
    assert len(others) >= 2
    seeds = [others[0], vector.seed, *others[1:]]  # the known answer not in the first row
    rows = cls.raw_many(np.array(seeds, dtype=np.uint64), n)
    assert rows.shape == (len(seeds), n)
    assert rows[1].tolist() == list(vector.values[:n])
    for row, seed in zip(rows, seeds):
        assert row.tolist() == cls(seed).outputs(n), f"seed {seed}"


@pytest.mark.parametrize("vector", REDUCED, ids=lambda f: f.id)
def test_reduced_draws(vector):
    hypothesis = Hypothesis(generator=vector.generator, seed=vector.seed, reduction=vector.stream,
                            offset=vector.offset, skip=SkipSchedule.constant(vector.skip))
    assert predict(hypothesis, len(vector.values)) == list(vector.values)


DISCARDING = [f for f in FILES if f.offset or f.skip]


def test_runtimes_discarding_before_each_draw_are_covered():
    """Programs that discard outputs before each draw (``sources/discard``), several runtimes."""
    assert len({f.generator for f in DISCARDING}) >= 5
    assert all(f.offset == f.skip for f in DISCARDING)
