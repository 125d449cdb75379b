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
from kernels.sieve.kernel_source import device_ported, program_source
from kernels.sieve.numpy_backend import NumpyBackend
from tests.kernels.test_observation import valid_seed

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


def _native_specs(name: str, specs: list[str]) -> list[str]:
    """Those of ``specs`` the generator takes."""
    cls = all_generators()[name]
    taken = []
    for spec in specs:
        try:
            parse_reduction(spec).check_generator(cls)
        except ValueError:
            continue
        taken.append(spec)
    return taken


@pytest.mark.parametrize("name", device_ported())
def test_every_port_first_raws_at_offset_0_same(backends, name):
    """Every port's first raw outputs from the SIMD loop (or the port's own), tested branch-free
    for raw and mod draws, skips 0..2: a planted seed (skip 1) with chance survivors beside it,
    and a seed whose first draw matches while its second does not, exactly what numpy finds."""
    fast, _, reference = backends
    specs = _native_specs(name, ["raw", "mod:10"])
    seed = valid_seed(name, 9000 + len(name))
    start = max(0, min(seed - 500, (1 << all_generators()[name].seed_bits) - 1000))
    space = SearchSpace(generator=name, reductions=tuple(specs), seed_start=start,
                        seed_stop=start + 1000, offset_start=0, offset_stop=1,
                        skip=SkipSpace(low=0, high=2))
    planted = Hypothesis(generator=name, seed=seed, reduction=specs[-1],
                         skip=SkipSchedule.constant(1))
    observed = predict(planted, 2)
    kwargs = dict(window=2, stop_when_certain=False)
    found = search([space], observed, backend=fast, **kwargs)
    assert planted in [s.hypothesis for s in found.survivors]
    assert _keys(found) == _keys(search([space], observed, backend=reference, **kwargs))
    second_wrong = [observed[0], observed[1] ^ 1]
    found = search([space], second_wrong, backend=fast, **kwargs)
    assert planted not in [s.hypothesis for s in found.survivors]
    assert _keys(found) == _keys(search([space], second_wrong, backend=reference, **kwargs))


#: moduli (mod:N takes 2..2**32) with each case of the branch-free test m | word - v
#: (m = 2**k q, q odd): q = 1, k = 0, both, and the largest
MODULI = [2, 7, 10, 1000, 1024, 3 << 20, (1 << 32) - 5, 1 << 32]


@pytest.mark.parametrize("name", ["philox4x32_10", "xoshiro256starstar"])
def test_branch_free_first_draw_test_same(backends, name):
    """Raw and mod draws of many moduli in one program (the first-draw test an OR of branch-free
    tests) and alone, observed values in range and out of it (v >= m matches nothing): exactly
    what numpy finds, with chance survivors of the small moduli."""
    fast, plain, reference = backends
    specs = _native_specs(name, ["raw"] + [f"mod:{m}" for m in MODULI])
    assert len(specs) >= 7
    rng = random.Random(f"branch-free/{name}")
    start = 3 << 30
    for together in (specs, ["mod:7"], ["mod:1000"]):
        for value in (0, 3, 6, 7, 999, 1000, rng.randrange(1 << 32)):
            space = SearchSpace(generator=name, reductions=tuple(together), seed_start=start,
                                seed_stop=start + 3000, offset_start=0, offset_stop=1)
            kwargs = dict(window=1, stop_when_certain=False, max_candidates=10_000)
            keys = [_keys(search([space], [value], backend=b, **kwargs))
                    for b in (fast, plain, reference)]
            assert keys[0] == keys[2]
            assert keys[1] == keys[2]
            moduli = {key[0] for key in keys[0]}
            if value == 0 and together == specs:
                assert {"mod:2", "mod:7", "mod:10"} <= moduli
            if value == 6 and together == specs:
                assert {"mod:7", "mod:10"} <= moduli
                assert "mod:2" not in moduli


def test_branch_free_test_only_for_raw_and_mod_draws():
    """The first-draw test is a SIMD loop with no branch where every reduction draws the raw
    output or it mod a constant; any other reduction in the program keeps the general test."""
    cls = all_generators()["xoshiro256starstar"]

    def source(*specs: str) -> str:
        program = program_source(cls, tuple(parse_reduction(s) for s in specs), 1, one_offset=True)
        return native_source(program)

    flag = "#define NATIVE_MAY_MATCH_BRANCH_FREE 1"
    assert flag in source("raw", "mod:1000")
    assert "native_divisible(" in source("mod:1000")
    assert flag not in source("mod:1000", "float_mul:1000")
    assert "native_may_match" in source("mod:1000", "float_mul:1000")


@pytest.mark.parametrize("modulus", MODULI + [3, 125])
def test_branch_free_mod_test_exact(modulus):
    """The branch-free test of ``word % m == v`` passes exactly the words that match: no seed
    lost (a false negative would be a missed seed) and none let through for nothing, at the
    edges (word = v, v - 1, v + m, multiples of m near 2**64, v >= m)."""
    import ctypes

    import numpy as np

    from kernels.sieve.native_backend import _library, compiler

    cls = all_generators()["xoshiro256starstar"]
    program = program_source(cls, (parse_reduction(f"mod:{modulus}"),), 1, one_offset=True)
    source = native_source(program) + """
void test_may_match(const ulong *words, ulong count, const ulong *observed, uchar *passed) {
    for (ulong i = 0; i < count; i++) passed[i] = (uchar)native_may_match(words[i], observed);
}"""
    assert "native_divisible(" in source
    function = _library(source, compiler()).test_may_match
    rng = random.Random(modulus)
    top = (1 << 64) - 1
    for value in sorted({0, 1, 6, modulus - 1, modulus, modulus + 1, rng.randrange(modulus)}):
        words = {0, 1, value, value + 1, value - 1, value + modulus, value + 2 * modulus,
                 top, top - top % modulus + value, top - top % modulus + value - modulus,
                 *(rng.randrange(1 << 64) for _ in range(200)),
                 *(rng.randrange(top // modulus + 1) * modulus + value for _ in range(200))}
        words = np.array(sorted(w for w in words if 0 <= w <= top), dtype=np.uint64)
        passed = np.zeros(len(words), dtype=np.uint8)
        function(words.ctypes.data_as(ctypes.c_void_p), ctypes.c_uint64(len(words)),
                 np.array([value], dtype=np.uint64).ctypes.data_as(ctypes.c_void_p),
                 passed.ctypes.data_as(ctypes.c_void_p))
        expected = [int(w) % modulus == value for w in words.tolist()]
        assert passed.astype(bool).tolist() == expected
        assert any(expected) == (value < modulus)


@pytest.mark.parametrize("offset", [0, 1, 3, 6])
def test_philox_first_raws_across_the_key_word_carry(backends, offset):
    """philox4x32_10's own first raws (16 keys to a vector, the high key word carried where the
    low one wraps inside a vector, any word of any block): seeds either side of 2**32 planted at
    each offset, and chance survivors, exactly what numpy finds."""
    fast, plain, reference = backends
    start = (1 << 32) - 21
    for seed in ((1 << 32) - 1, 1 << 32, (1 << 32) + 3):
        planted = Hypothesis(generator="philox4x32_10", seed=seed, reduction="mod:10",
                             offset=offset, skip=SkipSchedule())
        observed = predict(planted, 2)
        space = SearchSpace(generator="philox4x32_10", reductions=("raw", "mod:10"),
                            seed_start=start, seed_stop=start + 300, offset_start=offset,
                            offset_stop=offset + 1)
        kwargs = dict(window=1, stop_when_certain=False)
        keys = [_keys(search([space], observed, backend=b, **kwargs))
                for b in (fast, plain, reference)]
        assert keys[0] == keys[2]
        assert keys[1] == keys[2]
        assert ("mod:10", seed, offset) in [key[:3] for key in keys[0]]
    assert "native_philox_first_raws" in native_source(program_source(
        all_generators()["philox4x32_10"], (parse_reduction("raw"),), 1, one_offset=True))
