"""Every device port (kernels/cl/generators/*.cl) gives exactly the reference draws, on every
device backend available here (OpenCL through pocl on CPUs; CUDA where a GPU is lent)."""

from __future__ import annotations

import numpy as np
import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.reductions import REDUCTION_KINDS, DegenerateStream, example_spec, parse_reduction
from kernels.registry import all_generators
from kernels.sieve.kernel_source import device_ported
from tests.kernels.sieve.device_backends import CPU_DEVICE_BACKENDS, cpu_device_backend
from tests.kernels.test_observation import valid_seed

#: one spec of every reduction kind
REDUCTIONS = [example_spec(kind, 1000) for kind in REDUCTION_KINDS]

@pytest.fixture(scope="module", params=CPU_DEVICE_BACKENDS)
def backend(request):
    return cpu_device_backend(request.param)


def test_every_port_is_a_registered_generator():
    assert set(device_ported()) <= set(all_generators())


#: the reduction code is generated once for every port, so every reduction is checked on one
#: port per output width and word convention; the other ports are checked on raw, their own
#: bounded integer and their double (each extra program is a device compile on a fresh machine)
ALL_REDUCTIONS_ON = {"java_random", "mt19937", "mt19937_64", "glibc_random", "msvc_rand",
                     "pcg64", "v8_math_random", "wichmann_hill", "drand48", "php_mt_rand"}


def _specs_for(name: str) -> list[str]:
    if name in ALL_REDUCTIONS_ON:
        return REDUCTIONS
    from kernels.reductions import native_below

    cls = all_generators()[name]
    return list(dict.fromkeys(["raw", native_below(cls, 1000).spec, "float_mul:1000"]))


def _cases():
    for name in device_ported():
        cls = all_generators().get(name)
        if cls is None:
            continue
        for spec in _specs_for(name):
            try:
                parse_reduction(spec).check_generator(cls)
            except ValueError:
                continue
            yield pytest.param(name, spec, id=f"{name}-{spec}")


@pytest.mark.parametrize("name, spec", list(_cases()))
def test_port_equals_reference(backend, name, spec):
    cls = all_generators()[name]
    seeds = sorted({valid_seed(name, s) for s in (0, 1, 42, 3735928495, 2**40 + 17)})
    draws, skip = 40, 1
    got, degenerate = backend.draw_stream(cls, parse_reduction(spec),
                                          np.array(seeds, dtype=np.uint64), draws, skip)
    for row, seed in enumerate(seeds):
        h = Hypothesis(generator=name, seed=seed, reduction=spec, skip=SkipSchedule.constant(skip))
        if degenerate[row]:
            # only a stream stuck in a rejection loop may be flagged: the reference says so too
            with pytest.raises(DegenerateStream):
                predict(h, draws)
            continue
        assert got[row].tolist() == predict(h, draws), f"seed {seed}"


@pytest.mark.parametrize("name", device_ported())
def test_port_long_stream(backend, name):
    """700+ outputs: crosses MT's 624-word block and other refill points."""
    cls = all_generators()[name]
    seeds = [valid_seed(name, s) for s in (5, 3735928495)]
    got, _ = backend.draw_stream(cls, parse_reduction("raw"), np.array(seeds, dtype=np.uint64), 1300)
    for row, seed in enumerate(seeds):
        assert got[row].tolist() == cls(seed).outputs(1300)


@pytest.mark.parametrize("name", device_ported())
def test_port_survives_a_realistic_launch(backend, name):
    """Thousands of seeds in one launch: large private state must not overflow pocl's stack."""
    cls = all_generators()[name]
    start = valid_seed(name, 1000)
    seeds = np.arange(start, start + 8192, dtype=np.uint64)
    seeds = seeds[seeds < np.uint64(1 << min(cls.seed_bits, 63))]
    got, _ = backend.draw_stream(cls, parse_reduction("raw"), seeds, 4)
    expected = cls.raw_many(seeds, 4)
    assert np.array_equal(got, expected.astype(np.uint64))
