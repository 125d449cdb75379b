"""Raw outputs of every width the catalog has (15 to 64 bits) are found with reduction ``raw``,
in a space that also holds reductions the values rule out, on numpy and on the device."""

from __future__ import annotations

import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.registry import all_generators
from kernels.sieve.engine import SearchSpace, SkipSpace, search
from kernels.sieve.kernel_source import has_device_port
from kernels.sieve.numpy_backend import NumpyBackend
from kernels.sieve.opencl_backend import opencl_available
from tests.kernels.test_observation import valid_seed


def _one_per_width() -> list[str]:
    chosen: dict[int, str] = {}
    for name, cls in sorted(all_generators().items()):
        if not cls.legacy:
            chosen.setdefault(cls.output_bits, name)
    return [chosen[width] for width in sorted(chosen)]


WIDTHS = _one_per_width()


def test_every_catalog_width_is_covered():
    widths = {all_generators()[name].output_bits for name in WIDTHS}
    assert {15, 31, 32, 48, 52, 64} <= widths


def _keys(result):
    return sorted((s.hypothesis.reduction, s.hypothesis.seed, s.hypothesis.offset,
                   s.hypothesis.skip.then, s.matched) for s in result.survivors)


@pytest.mark.parametrize("name", WIDTHS)
def test_raw_outputs_are_found(name):
    cls = all_generators()[name]
    seed = valid_seed(name, 90_000 + cls.output_bits)
    planted = Hypothesis(generator=name, seed=seed, reduction="raw", offset=3,
                         skip=SkipSchedule.constant(1))
    observed = predict(planted, 8)
    assert max(observed) >= 1000  # mod:1000 is ruled out by the values themselves
    start = max(0, min(seed - 700, (1 << cls.seed_bits) - 1024))
    space = SearchSpace(generator=name, reductions=("raw", "mod:1000"), seed_start=start,
                        seed_stop=start + 1024, offset_stop=5, skip=SkipSpace(low=0, high=1))
    result = search([space], observed, backend=NumpyBackend())
    assert result.identified and result.best.hypothesis == planted
    # every hypothesis tried is counted, the ruled-out reduction's too
    assert result.hypotheses == 2 * 1024 * 5 * 2
    assert {r.reduction: r.survivors for r in result.reports} == {"raw": 1, "mod:1000": 0}
    if opencl_available() and has_device_port(cls):
        from kernels.sieve.opencl_backend import OpenCLBackend

        assert _keys(search([space], observed, backend=OpenCLBackend())) == _keys(result)
