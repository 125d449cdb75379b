"""Every available backend finds exactly the survivors the numpy backend finds."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.registry import all_generators
from kernels.sieve.engine import SearchSpace, SkipSpace, search
from kernels.sieve.kernel_source import device_ported
from kernels.sieve.numpy_backend import NumpyBackend
from kernels.sieve.plan import default_reductions
from tests.kernels.sieve.device_backends import CPU_DEVICE_BACKENDS, cpu_device_backend
from tests.kernels.test_observation import valid_seed

PORTED = device_ported()


@pytest.fixture(scope="module", params=CPU_DEVICE_BACKENDS)
def opencl(request):
    """Each device backend of this machine in turn (the name is the first one's)."""
    return cpu_device_backend(request.param)


def _keys(result):
    return sorted((s.hypothesis.generator, s.hypothesis.reduction, s.hypothesis.seed,
                   s.hypothesis.offset, s.hypothesis.skip.then, s.matched) for s in result.survivors)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(PORTED), which=st.integers(0, 2), seed=st.integers(0, 2**32),
       offset=st.integers(0, 5), skip=st.integers(0, 2))
def test_planted_same_survivors(opencl, name, which, seed, offset, skip):
    """One space with every default reduction (one seeding per seed on the device); the planted
    hypothesis, offset and skip counted in raw outputs, is found by both backends alike."""
    cls = all_generators()[name]
    reductions = default_reductions(cls, 1000) or ["raw"]
    spec = reductions[which % len(reductions)]
    seed = valid_seed(name, seed)
    start = max(0, min(seed - 300, (1 << cls.seed_bits) - 2048))
    planted = Hypothesis(generator=name, seed=seed, reduction=spec, offset=offset,
                         skip=SkipSchedule.constant(skip))
    observed = predict(planted, 16)
    space = SearchSpace(generator=name, reductions=tuple(reductions), seed_start=start,
                        seed_stop=start + 2048, offset_stop=6, skip=SkipSpace(low=0, high=2))
    device = search([space], observed, backend=opencl, window=10)
    reference = search([space], observed, backend=NumpyBackend(), window=10)
    assert _keys(device) == _keys(reference)
    assert device.identified
    assert planted in [s.hypothesis for s in device.survivors]


def _tolerant_keys(result):
    return sorted((s.hypothesis.generator, s.hypothesis.reduction, s.hypothesis.seed,
                   s.hypothesis.offset, s.hypothesis.skip.then, s.matched, s.mismatches)
                  for s in result.survivors)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(PORTED), which=st.integers(0, 2), seed=st.integers(0, 2**32),
       offset=st.integers(0, 3), skip=st.integers(0, 1), errors=st.integers(1, 3),
       wrong=st.sets(st.integers(0, 11), max_size=3))
def test_planted_with_wrong_draws_same_survivors(opencl, name, which, seed, offset, skip, errors,
                                                 wrong):
    """Tolerated errors: a planted hypothesis with up to three wrong draws in the window is
    found by both backends alike, with the same wrong positions, whenever K covers them."""
    cls = all_generators()[name]
    reductions = default_reductions(cls, 1000) or ["raw"]
    spec = reductions[which % len(reductions)]
    seed = valid_seed(name, seed)
    start = max(0, min(seed - 300, (1 << cls.seed_bits) - 1024))
    planted = Hypothesis(generator=name, seed=seed, reduction=spec, offset=offset,
                         skip=SkipSchedule.constant(skip))
    observed = predict(planted, 16)
    for index in wrong:  # a different value of the same kind (raw words stay raw words)
        observed[index] ^= 1
    space = SearchSpace(generator=name, reductions=tuple(reductions), seed_start=start,
                        seed_stop=start + 1024, offset_stop=4, skip=SkipSpace(low=0, high=1))
    device = search([space], observed, backend=opencl, window=12, errors=errors)
    reference = search([space], observed, backend=NumpyBackend(), window=12, errors=errors)
    assert _tolerant_keys(device) == _tolerant_keys(reference)
    found = {s.hypothesis: s.mismatches for s in device.survivors}
    if len(wrong) <= errors:
        assert found[planted] == tuple(sorted(wrong))
    else:
        assert planted not in found


@pytest.mark.parametrize("name", PORTED[1::6])
def test_chance_survivors_with_wrong_draws_same(opencl, name):
    """Short windows on random data with one wrong draw tolerated: many chance survivors,
    with the same wrong positions on both backends."""
    cls = all_generators()[name]
    reductions = default_reductions(cls, 10) or ["raw"]
    rng = random.Random(f"{name}/tolerant")
    observed = ([rng.randrange(10) for _ in range(4)] if reductions != ["raw"]
                else [rng.randrange(2) for _ in range(2)])
    start = valid_seed(name, 1)
    space = SearchSpace(generator=name, reductions=tuple(reductions), seed_start=start,
                        seed_stop=start + 1000, offset_stop=2)
    kwargs = dict(window=len(observed), stop_when_certain=False, errors=1)
    device = search([space], observed, backend=opencl, **kwargs)
    reference = search([space], observed, backend=NumpyBackend(), **kwargs)
    assert _tolerant_keys(device) == _tolerant_keys(reference)
    if reductions != ["raw"]:
        assert any(s.errors == 1 for s in reference.survivors)


@pytest.mark.parametrize("name", PORTED[::3])
def test_chance_survivors_same(opencl, name):
    """Short windows on random data: a non-trivial set of chance survivors, identical."""
    cls = all_generators()[name]
    reductions = default_reductions(cls, 10) or ["raw"]
    rng = random.Random(name)
    observed = ([rng.randrange(10) for _ in range(3)] if reductions != ["raw"]
                else [rng.randrange(2)])
    start = valid_seed(name, 1)
    space = SearchSpace(generator=name, reductions=tuple(reductions), seed_start=start,
                        seed_stop=start + 3000, offset_stop=3, skip=SkipSpace(low=0, high=1))
    kwargs = dict(window=len(observed), stop_when_certain=False)
    device = search([space], observed, backend=opencl, **kwargs)
    reference = search([space], observed, backend=NumpyBackend(), **kwargs)
    assert _keys(device) == _keys(reference)
    if reductions != ["raw"]:
        assert len(reference.survivors) > 0


@pytest.mark.parametrize("name", PORTED[::2])
def test_one_offset_kernel_same(opencl, name):
    """The straight-line kernel for a single offset, with a skip, planted and by chance."""
    cls = all_generators()[name]
    spec = (default_reductions(cls, 10) or ["raw"])[0]
    seed = valid_seed(name, 777)
    planted = Hypothesis(generator=name, seed=seed, reduction=spec, offset=2,
                         skip=SkipSchedule.constant(1))
    observed = predict(planted, 6)
    start = max(0, min(seed - 1000, (1 << cls.seed_bits) - 4096))
    space = SearchSpace(generator=name, reduction=spec, seed_start=start, seed_stop=start + 4096,
                        offset_start=2, offset_stop=3, skip=SkipSpace(low=1, high=1))
    kwargs = dict(window=2, stop_when_certain=False)
    device = search([space], observed, backend=opencl, **kwargs)
    reference = search([space], observed, backend=NumpyBackend(), **kwargs)
    assert _keys(device) == _keys(reference)
    assert (name, spec, seed) in [key[:3] for key in _keys(device)]


#: one port per word convention: 64-bit words split into 32-bit halves, a port with its own
#: double, a 31-bit generator (no 32-bit words: those reductions do not apply)
EVERY_REDUCTION_ON = ["mt19937_64", "java_random", "glibc_random"]
SMALL_REDUCTIONS = ["mod:10", "c_rand_mod:10", "java_nextint:10", "python_randbelow:10",
                    "masked:10", "lemire32:10", "lemire64:10", "pcg_bounded:10", "php_range:0:9",
                    "php_legacy_range:0:9", "float_mul:10", "digits:1"]


@pytest.mark.parametrize("name", EVERY_REDUCTION_ON)
def test_every_reduction_in_one_program_same(opencl, name):
    """Every reduction in one device program (first draws read from the look-ahead words or,
    for the port's own double, from a copy of the stream), many chance survivors: identical."""
    from kernels.reductions import parse_reduction

    cls = all_generators()[name]
    specs = []
    for spec in SMALL_REDUCTIONS:
        try:
            parse_reduction(spec).check_generator(cls)
        except ValueError:
            continue
        specs.append(spec)
    assert len(specs) >= 4
    rng = random.Random(f"every/{name}")
    observed = [rng.randrange(10) for _ in range(2)]
    start = valid_seed(name, 5000)
    space = SearchSpace(generator=name, reductions=tuple(specs), seed_start=start,
                        seed_stop=start + 1500, offset_start=1, offset_stop=5,
                        skip=SkipSpace(low=0, high=2))
    kwargs = dict(window=2, stop_when_certain=False)
    device = search([space], observed, backend=opencl, **kwargs)
    reference = search([space], observed, backend=NumpyBackend(), **kwargs)
    assert _keys(device) == _keys(reference)
    assert {s.hypothesis.reduction for s in reference.survivors} == set(specs)


def _planted_found_alike(backend, name: str, spec: str, *, draws: int, offset: int,
                         seed_start: int, seeds: int) -> None:
    """A seed planted at ``offset`` under ``spec`` is found by ``backend`` as numpy finds it,
    with the same chance survivors, in ``seeds`` seeds from ``seed_start``."""
    planted = Hypothesis(generator=name, seed=valid_seed(name, seed_start + seeds // 2),
                         reduction=spec, offset=offset)
    observed = predict(planted, draws)
    space = SearchSpace(generator=name, reduction=spec, seed_start=seed_start,
                        seed_stop=seed_start + seeds, offset_stop=offset + 2)
    device = search([space], observed, backend=backend, window=draws)
    reference = search([space], observed, backend=NumpyBackend(), window=draws)
    assert _keys(device) == _keys(reference)
    assert planted in [s.hypothesis for s in device.survivors]


@pytest.mark.parametrize("name", PORTED[1::5])
def test_doubles_at_full_scale_same(opencl, name):
    """``float_mul:2**32``, how identify reads doubles printed in full: the port's own double
    scaled to 32 bits finds the planted seed as numpy does (a float rounding in the port would
    miss it, or meet others)."""
    start = max(0, min(4321 - 500, (1 << all_generators()[name].seed_bits) - 1024))
    _planted_found_alike(opencl, name, f"float_mul:{1 << 32}", draws=6, offset=1,
                         seed_start=start, seeds=1024)


@pytest.mark.parametrize("name", ["minstd_rand0", "knuth_b", "ranlux24_base", "ranlux48_base"])
def test_libstdcxx_downscaled_range_same(opencl, name):
    """``cpp_downscale:6``, libstdc++'s ``uniform_int_distribution`` over an engine that is not
    a full word (its min() subtracted, the division's top rejected): planted seed found alike."""
    _planted_found_alike(opencl, name, "cpp_downscale:6", draws=24, offset=2, seed_start=0,
                         seeds=2048)


@pytest.mark.parametrize("name", ["minstd_rand0", "minstd_rand", "knuth_b", "ranlux24_base",
                                  "ranlux48_base"])
def test_libstdcxx_canonical_doubles_same(opencl, name):
    """Doubles of ``std::uniform_real_distribution<double>`` over an engine that is not a full
    word (``generate_canonical`` of two or three calls, each word's product rounded once): read
    at 32 bits and at printf's six decimals, the planted seed is found alike."""
    for spec in (f"float_mul:{1 << 32}", "float_mul:1000000"):
        _planted_found_alike(opencl, name, spec, draws=8, offset=1, seed_start=3800, seeds=1000)


@pytest.mark.parametrize("name", ["php_mt_rand", "php_mt_rand_legacy"])
def test_php_float_idiom_same(opencl, name):
    """PHP's ``mt_rand() / mt_getrandmax()`` (a division by 2**31 - 1, rounded once), read at
    32 bits and at four printed decimals: the planted seed is found alike."""
    for spec in (f"float_mul:{1 << 32}", "float_mul:10000"):
        _planted_found_alike(opencl, name, spec, draws=10, offset=1, seed_start=3800, seeds=1000)
