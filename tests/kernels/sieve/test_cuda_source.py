"""The device programs compile as CUDA too (nvcc's front end, no GPU needed); where a GPU is
lent, the CUDA backend gives exactly the reference draws."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.reductions import DegenerateStream, parse_reduction
from kernels.registry import all_generators
from kernels.sieve.cuda_backend import cuda_available
from kernels.sieve.kernel_source import device_ported, program_source
from tests.kernels.test_observation import valid_seed

NVCC = shutil.which("nvcc")


def _applies(cls, spec: str) -> bool:
    try:
        parse_reduction(spec).check_generator(cls)
    except ValueError:
        return False
    return True


def _spec_for(cls) -> str:
    for spec in ("digits:3", "mod:1000", "raw"):
        try:
            parse_reduction(spec).check_generator(cls)
            return spec
        except ValueError:
            continue
    return "raw"


@pytest.mark.skipif(NVCC is None, reason="nvcc not installed")
@pytest.mark.parametrize("name", device_ported())
def test_program_compiles_as_cuda(tmp_path, name):
    cls = all_generators()[name]
    source = tmp_path / f"{name}.cu"
    # every reduction the port takes among these, in one program, as the sieve builds it
    specs = [spec for spec in ("digits:3", "mod:1000", "float_mul:1000", "raw")
             if _applies(cls, spec)]
    source.write_text(program_source(cls, tuple(parse_reduction(spec) for spec in specs), 4))
    result = subprocess.run([NVCC, "-std=c++14", "-cuda", str(source), "-o", str(tmp_path / "out.ii"),
                             "-diag-suppress", "177"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.gpu
@pytest.mark.skipif(not cuda_available(), reason="no CUDA device")
@pytest.mark.parametrize("name", device_ported())
def test_cuda_port_equals_reference(name):
    from kernels.sieve.cuda_backend import CudaBackend

    backend = CudaBackend()
    cls = all_generators()[name]
    spec = _spec_for(cls)
    seeds = sorted({valid_seed(name, s) for s in (0, 1, 42, 3735928495)})
    got, degenerate = backend.draw_stream(cls, parse_reduction(spec),
                                          np.array(seeds, dtype=np.uint64), 700, 1)
    for row, seed in enumerate(seeds):
        h = Hypothesis(generator=name, seed=seed, reduction=spec, skip=SkipSchedule.constant(1))
        if degenerate[row]:
            # only a stream stuck in a rejection loop may be flagged: the reference says so too
            with pytest.raises(DegenerateStream):
                predict(h, 700)
            continue
        assert got[row].tolist() == predict(h, 700), f"seed {seed}"
