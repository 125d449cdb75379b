"""Deep offsets read from one stream per seed (kernels/sieve/deep_probe.py): the same candidates
as the numpy backend's offset-by-offset probe, for every kind of reduction (one word, rejection,
two-word doubles, 32-bit halves of 64-bit words), constant and variable skips; and the engine
routes searches of many offsets through it on CPU backends."""

from __future__ import annotations

from typing import cast

import numpy as np
import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.prng import PRNG
from kernels.reductions import parse_reduction
from kernels.registry import get_generator
from kernels.sieve import deep_probe as deep_module
from kernels.sieve.deep_probe import DEEP_PROBE_OFFSETS, deep_probe, raw_source, reads_streams
from kernels.sieve.engine import Backend, SearchSpace, SkipSpace, search
from kernels.sieve.numpy_backend import NumpyBackend

OFFSETS = range(8, 8 + 2 * DEEP_PROBE_OFFSETS)

CASES = [
    # generator, reduction, planted seed, planted offset, skip
    ("mt19937", "raw", 37, 100, 0),
    ("java_random", "java_nextint:1000", 12, 131, 0),      # rejection (rare)
    ("cpython_random", "python_randbelow:6", 3, 95, 1),      # rejection (often), a skip
    ("glibc_random", "c_rand_mod:10", 50, 64, 0),            # many chance first-draw matches
    ("mt19937", "float_mul:1000", 7, 77, 0),                 # two words a draw
    ("xoshiro256starstar", "lemire32:1000", 20, 90, 0),      # 32-bit halves of 64-bit words
]


@pytest.mark.parametrize("name,spec,seed,offset,skip", CASES)
def test_every_offset_from_one_stream_gives_the_numpy_backends_candidates(name, spec, seed,
                                                                         offset, skip):
    generator = get_generator(name)
    truth = Hypothesis(generator=name, seed=seed, reduction=spec, offset=offset,
                       skip=SkipSchedule.constant(skip))
    observed = predict(truth, 4)
    reductions = [parse_reduction(spec)]
    numpy = NumpyBackend()
    expected, expected_overflow = numpy.probe(generator, reductions, range(0, 64), OFFSETS,
                                              range(0, 2), False, observed)
    hits, overflow = deep_probe(numpy, generator, reductions, range(0, 64), OFFSETS,
                                range(0, 2), False, observed)
    assert sorted(hits) == sorted(expected)
    assert (seed, 0, offset, (skip,)) in hits
    assert sorted(overflow.tolist()) == sorted(expected_overflow.tolist())


def test_variable_skips_branch_as_on_the_numpy_backend():
    truth = Hypothesis(generator="mt19937", seed=9, reduction="mod:100", offset=70,
                       skip=SkipSchedule(skips=(1, 0, 2), then=0))
    observed = predict(truth, 4)
    generator, reductions = get_generator("mt19937"), [parse_reduction("mod:100")]
    expected, _ = NumpyBackend().probe(generator, reductions, range(0, 32), OFFSETS,
                                       range(0, 3), True, observed)
    hits, _ = deep_probe(NumpyBackend(), generator, reductions, range(0, 32), OFFSETS,
                         range(0, 3), True, observed)
    assert sorted(hits) == sorted(expected)
    assert (9, 0, 70, (1, 0, 2)) in hits


def test_seeds_in_several_passes_keep_their_own_offsets(monkeypatch):
    """Blocks of seeds small enough for the lane budget: a seed's hits are its own."""
    monkeypatch.setattr(deep_module, "_LANES_PER_PASS", 3 * len(OFFSETS))
    truth = Hypothesis(generator="pcg32", seed=10, reduction="raw", offset=120)
    observed = predict(truth, 3)
    hits, overflow = deep_probe(NumpyBackend(), get_generator("pcg32"), [parse_reduction("raw")],
                                range(0, 16), OFFSETS, range(0, 1), False, observed)
    assert hits == [(10, 0, 120, (0,))] and not len(overflow)


def test_the_raw_source_is_one_that_makes_the_generators_raw_outputs():
    generator = get_generator("mt19937")
    name, make = raw_source(NumpyBackend(), generator)
    seeds = np.array([1, 5489], dtype=np.uint64)
    assert name == "numpy"
    assert np.array_equal(make(seeds, 700), generator.raw_many(seeds, 700))


def test_only_many_offsets_on_a_cpu_backend_with_vector_reductions_read_streams():
    mt = get_generator("mt19937")
    raw = [parse_reduction("raw")]
    numpy = NumpyBackend()
    assert reads_streams(numpy, mt, raw, range(8, 1001))
    assert not reads_streams(numpy, mt, raw, range(0, 8))

    class Gpu:
        name = "cuda"

    assert not reads_streams(cast(Backend, Gpu()), mt, raw, range(8, 1001))
    # drand48's doubles have no vectorised form: the backend's own probe reads them
    drand48, doubles = get_generator("drand48"), [parse_reduction("float_mul:10")]
    assert not numpy.supports(drand48, doubles[0])
    assert not reads_streams(numpy, drand48, doubles, range(8, 1001))


def test_a_search_of_deep_offsets_finds_the_planted_hypothesis():
    truth = Hypothesis(generator="numpy_random_state", seed=400, reduction="mod:1000",
                       offset=900)
    observed = predict(truth, 10)
    space = SearchSpace(generator="numpy_random_state", reductions=("mod:1000",),
                        seed_start=300, seed_stop=500, offset_start=8, offset_stop=1001,
                        skip=SkipSpace(low=0, high=1))
    result = search([space], observed, backend=NumpyBackend())
    assert result.identified and result.survivors[0].hypothesis == truth


@pytest.mark.parametrize("name", ["mt19937", "java_random", "glibc_random", "cpython_random",
                                  "xoshiro256starstar", "v8_math_random", "wichmann_hill",
                                  "msvc_rand"])
def test_the_native_stream_program_makes_the_same_raw_rows(name):
    """Where the native backend's stream program is the faster raw source, its rows are the
    generator's own raw outputs (widths of 15 to 64 bits, past MT19937's first 624)."""
    from kernels.sieve.native_backend import NativeBackend, native_available

    if not native_available():
        pytest.skip("no C compiler with OpenMP here")
    generator = get_generator(name)
    make = deep_module._backend_raw(NativeBackend(), generator)
    assert make is not None
    seeds = np.array([s for s in (0, 1, 7, 5489, 65535) if _allowed(generator, s)],
                     dtype=np.uint64)
    assert np.array_equal(make(seeds, 1300).astype(np.uint64),
                          generator.raw_many(seeds, 1300).astype(np.uint64))


def _allowed(generator: type[PRNG], seed: int) -> bool:
    try:
        generator.check_seed(seed)
    except ValueError:
        return False
    return True
