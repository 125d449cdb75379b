"""The CUDA backend (CuPy): NVIDIA GPUs. Same device program as OpenCL, compiled by NVRTC.

Only the launch lives here. Variable skips and generators without a device port go to the numpy
backend.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from kernels.prng import PRNG
from kernels.reductions import Reduction
from kernels.sieve.kernel_source import (has_device_port, hits_from_device, port_covers,
                                         program_source)
from kernels.sieve.numpy_backend import NumpyBackend, ProbeHit

__all__ = ["CudaBackend", "cuda_available"]

_THREADS = 256


def cuda_available() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no cupy, no driver, no device: all mean "not available"
        return False


class CudaBackend:
    """Sieve probes on the current CUDA device."""

    name = "cuda"
    #: seeds per launch: enough to fill a large GPU
    preferred_chunk = 1 << 24

    def __init__(self, max_hits: int = 1 << 16) -> None:
        import cupy

        self._cp = cupy
        self.max_hits = max_hits
        self._modules: dict[str, Any] = {}  # source -> cupy.RawModule
        self._fallback = NumpyBackend()
        props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
        self.description = f"{props['name'].decode()} ({props['multiProcessorCount']} SMs)"

    @staticmethod
    def available() -> bool:
        return cuda_available()

    def supports(self, generator: type[PRNG], reduction: Reduction) -> bool:
        return has_device_port(generator) or self._fallback.supports(generator, reduction)

    def _kernel(self, generator: type[PRNG], reductions: Sequence[Reduction], probe: int,
                name: str, one_offset: bool = False):
        source = program_source(generator, tuple(reductions), probe, one_offset)
        module = self._modules.get(source)
        if module is None:
            module = self._cp.RawModule(code=source, options=("-std=c++14",))
            self._modules[source] = module
        return module.get_function(name)

    def draw_stream(self, generator: type[PRNG], reduction: Reduction, seeds: np.ndarray, n: int,
                    skip: int = 0) -> tuple[np.ndarray, np.ndarray]:
        cp = self._cp
        seeds_d = cp.asarray(np.ascontiguousarray(seeds, dtype=np.uint64))
        out = cp.zeros(len(seeds) * n, dtype=cp.uint64)
        degenerate = cp.zeros(len(seeds), dtype=cp.uint32)
        kernel = self._kernel(generator, [reduction], 1, "draw_stream")
        blocks = (len(seeds) + _THREADS - 1) // _THREADS
        kernel((blocks,), (_THREADS,), (seeds_d, np.uint32(len(seeds)), np.uint32(0),
                                        np.uint32(n), np.uint32(skip), out, degenerate))
        return cp.asnumpy(out).reshape(len(seeds), n), cp.asnumpy(degenerate).astype(bool)

    def probe(self, generator: type[PRNG], reductions: Sequence[Reduction],
              seeds: np.ndarray | range, offsets: range, skips: range, variable_skip: bool,
              observed: list[int]) -> tuple[list[ProbeHit], np.ndarray]:
        """One launch for every reduction, offset and skip (each seed seeded once); variable
        skips and ports not exact this deep go to numpy."""
        if variable_skip or not port_covers(generator, reductions, offsets, skips, len(observed)):
            return self._fallback.probe(generator, reductions, seeds, offsets, skips,
                                        variable_skip, observed)
        cp = self._cp
        start = int(seeds[0])
        if len(seeds) > 1 and int(seeds[-1]) - start != len(seeds) - 1:
            raise ValueError("the CUDA backend searches contiguous seed ranges")
        kernel = self._kernel(generator, reductions, len(observed), "sieve",
                              one_offset=len(offsets) == 1)
        observed_d = cp.asarray(np.asarray(observed, dtype=np.uint64))
        count = cp.zeros(1, dtype=cp.uint32)
        hit_seeds = cp.zeros(self.max_hits, dtype=cp.uint64)
        columns = [cp.zeros(self.max_hits, dtype=cp.uint32) for _ in range(3)]
        blocks = (len(seeds) + _THREADS - 1) // _THREADS
        kernel((blocks,), (_THREADS,), (
            np.uint64(start), np.uint32(len(seeds)), observed_d, np.uint32(offsets.start),
            np.uint32(offsets.stop), np.uint32(skips.start), np.uint32(skips.stop - 1), count,
            hit_seeds, *columns, np.uint32(self.max_hits)))
        found = int(count.get()[0])
        if found > self.max_hits:
            raise RuntimeError(f"{found} device hits exceed the buffer of {self.max_hits}; "
                               "use a longer probe or smaller chunks")
        return hits_from_device(cp.asnumpy(hit_seeds[:found]),
                                *(cp.asnumpy(column[:found]) for column in columns))
