"""The native backend's fast paths (the first-draw test before the sieve kernel, the first raw
outputs computed straight from the seeds) find exactly what numpy and the native program without
them find: single-offset searches, every reduction a generator takes in one program, at offset 0
and past it, over seed ranges with the edge cases of each seeding."""

from __future__ import annotations

import random

import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.reductions import parse_reduction
from kernels.registry import all_generators
from kernels.sieve.engine import SearchSpace, SkipSpace, search
from kernels.sieve.native_backend import NativeBackend, native_available, native_source
from kernels.sieve.kernel_source import program_source
from kernels.sieve.numpy_backend import NumpyBackend

pytestmark = pytest.mark.skipif(not native_available(),
                                reason="no C compiler with OpenMP to build the native backend")

#: the generators whose first outputs have a fast path of their own, and ones on the generic path
FAST = ["php_mt_rand", "mt19937", "glibc_random", "tinymt32", "philox4x32_10",
        "xoshiro256starstar"]

#: reductions of every kind that reads one raw output, several, or rejects
SPECS = ["raw", "mod:10", "c_rand_mod:10", "java_nextint:10", "python_randbelow:10",
         "masked:10", "lemire32:10", "lemire64:10", "pcg_bounded:10", "php_range:0:9",
         "php_legacy_range:0:9", "float_mul:10", "digits:1"]

#: seed ranges (start, length) with each seeding's edge cases: 0 (glibc makes it 1), the signed
#: word boundary of glibc's srandom (2**31 - 1, 2**31, 2**31 + 1: -n with n = 2**31 - 1)
RANGES = [(0, 1200), (2**31 - 600, 1200)]


def _specs(name: str) -> list[str]:
    cls = all_generators()[name]
    specs = []
    for spec in SPECS:
        try:
            parse_reduction(spec).check_generator(cls)
        except ValueError:
            continue
        specs.append(spec)
    return specs


def _keys(result):
    return sorted((s.hypothesis.reduction, s.hypothesis.seed, s.hypothesis.offset,
                   s.hypothesis.skip.then, s.matched) for s in result.survivors)


@pytest.fixture(scope="module")
def backends():
    return NativeBackend(), NativeBackend(fast_paths=False), NumpyBackend()


@pytest.mark.parametrize("offset", [0, 3])
@pytest.mark.parametrize("name", FAST)
def test_single_offset_chance_survivors_same(backends, name, offset):
    """One small draw at one offset: many chance survivors per reduction, identical on all
    three, for every reduction at once."""
    fast, plain, reference = backends
    specs = _specs(name)
    rng = random.Random(f"{name}/{offset}")
    observed = [rng.randrange(10), rng.randrange(10)]
    results = []
    for start, length in RANGES:
        space = SearchSpace(generator=name, reductions=tuple(specs), seed_start=start,
                            seed_stop=start + length, offset_start=offset,
                            offset_stop=offset + 1, skip=SkipSpace(low=0, high=1))
        kwargs = dict(window=1, stop_when_certain=False)
        keys = [_keys(search([space], observed, backend=b, **kwargs))
                for b in (fast, plain, reference)]
        assert keys[0] == keys[2]
        assert keys[1] == keys[2]
        results.append(keys[0])
    assert {key[0] for keys in results for key in keys} >= set(specs) - {"raw"}


@pytest.mark.parametrize("name", FAST)
def test_single_offset_planted_raw_found(backends, name):
    """A planted seed's raw output at offset 0 and 2 (with the signed-word boundary seeds of
    glibc beside it): found by the fast path, and only what numpy finds."""
    fast, _, reference = backends
    for seed in (2**31 - 1, 2**31, 2**31 + 1, 7):
        for offset in (0, 2):
            planted = Hypothesis(generator=name, seed=seed, reduction="raw", offset=offset,
                                 skip=SkipSchedule())
            observed = predict(planted, 3)
            space = SearchSpace(generator=name, reductions=("raw",), seed_start=max(0, seed - 40),
                                seed_stop=seed + 40, offset_start=offset, offset_stop=offset + 1)
            found = search([space], observed, backend=fast, window=3)
            assert planted in [s.hypothesis for s in found.survivors]
            assert _keys(found) == _keys(search([space], observed, backend=reference, window=3))


def test_fast_paths_only_in_single_offset_programs():
    """The first-draw test is compiled into single-offset programs whose kernel tests the same
    first draw, and left out of the program without fast paths and of multi-offset ones."""
    cls = all_generators()["glibc_random"]
    reductions = (parse_reduction("raw"), parse_reduction("mod:10"))
    one = program_source(cls, reductions, 2, one_offset=True)
    several = program_source(cls, reductions, 2, one_offset=False)
    assert "native_may_match" in native_source(one)
    assert "native_glibc_first_raws" in native_source(one)
    assert "native_may_match" not in native_source(one, fast_paths=False)
    assert "native_may_match" not in native_source(several)


def test_auto_prefers_native_to_opencl_on_a_cpu():
    """Without a GPU, ``auto`` is the native backend wherever it builds, ahead of OpenCL."""
    from kernels.sieve.backends import available_backends, make_backend

    names = available_backends()
    assert names.index("native") < names.index("numpy")
    if "opencl" in names:
        assert names.index("native") < names.index("opencl")
    if "cuda" not in names:
        assert make_backend("auto").name == "native"


def test_auto_falls_back_without_a_c_compiler(monkeypatch):
    """No C compiler: native is not offered and ``auto`` is the next backend."""
    from kernels.sieve import native_backend
    from kernels.sieve.backends import available_backends, make_backend

    monkeypatch.setenv("CC", "/nonexistent/cc")
    native_backend.native_available.cache_clear()
    try:
        names = available_backends()
        assert "native" not in names
        assert make_backend("auto").name == names[0]
        with pytest.raises(ValueError, match="not available"):
            make_backend("native")
    finally:
        monkeypatch.delenv("CC")
        native_backend.native_available.cache_clear()
    assert native_backend.native_available()
