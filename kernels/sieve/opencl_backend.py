"""The OpenCL backend (PyOpenCL): AMD and NVIDIA GPUs, and CPUs through pocl.

Only the launch lives here; the device program comes from ``kernel_source.program_source``,
shared with the CUDA backend: one launch per chunk covers every reduction, offset and skip. Variable skips, and generators without a device port, go to the
numpy backend (same results, slower).
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import Sequence

import numpy as np

from kernels.prng import PRNG
from kernels.reductions import Reduction
from kernels.sieve.kernel_source import (has_device_port, hits_from_device, port_covers,
                                         program_source)
from kernels.sieve.numpy_backend import NumpyBackend, ProbeHit

__all__ = ["OpenCLBackend", "opencl_available"]

#: work items per group. pocl runs a whole work group on one thread and keeps every item's
#: private memory on that thread's stack: its default groups of thousands overflow the stack
#: for ports with a few hundred words of state. 64 is small enough and still vectorises.
_LOCAL_SIZE = 64


def _global_size(lanes: int) -> int:
    """Lanes rounded up to whole groups. Ports that synchronise seeding with barrier() (the
    MT19937 family on pocl) rely on this: only the last group may hold items past ``lanes``, and
    the kernels return early for those items alone, before seeding. Never launch whole empty
    groups, and never return before ``stream_seed`` for any other reason."""
    return (lanes + _LOCAL_SIZE - 1) // _LOCAL_SIZE * _LOCAL_SIZE


def opencl_available() -> bool:
    try:
        import pyopencl as cl

        return any(platform.get_devices() for platform in cl.get_platforms())
    except Exception:  # no ICD, no platform, broken driver: all mean "not available"
        return False


class OpenCLBackend:
    """Sieve probes on an OpenCL device (the first GPU, else the first device found)."""

    name = "opencl"
    #: seeds per launch: enough to hide launch and transfer overheads
    preferred_chunk = 1 << 22

    def __init__(self, device_index: int | None = None, max_hits: int = 1 << 16) -> None:
        import pyopencl as cl

        self._cl = cl
        devices = [d for p in cl.get_platforms() for d in p.get_devices()]
        if not devices:
            raise RuntimeError("no OpenCL device found")
        if device_index is None:
            gpus = [d for d in devices if d.type & cl.device_type.GPU]
            device = (gpus or devices)[0]
        else:
            device = devices[device_index]
        self.device = device
        self.context = cl.Context([device])
        self.queue = cl.CommandQueue(self.context)
        self.max_hits = max_hits
        self._programs: dict[str, dict[str, object]] = {}
        self._fallback = NumpyBackend()

    @staticmethod
    def available() -> bool:
        return opencl_available()

    @cached_property
    def description(self) -> str:
        return f"{self.device.name.strip()} ({self.device.max_compute_units} compute units)"

    def supports(self, generator: type[PRNG], reduction: Reduction) -> bool:
        return has_device_port(generator) or self._fallback.supports(generator, reduction)

    def _kernel(self, generator: type[PRNG], reductions: Sequence[Reduction], probe: int,
                name: str, one_offset: bool = False):
        """A built kernel, cached per program source (building takes a while on pocl)."""
        source = program_source(generator, tuple(reductions), probe, one_offset)
        kernels = self._programs.get(source)
        if kernels is None:
            options = ["-cl-std=CL1.2"]
            if os.environ.get("WATCHER_CL_DEBUG"):
                options.append("-g")
            program = self._cl.Program(self.context, source).build(options=options)
            kernels = {kernel: self._cl.Kernel(program, kernel) for kernel in ("sieve", "draw_stream")}
            self._programs[source] = kernels
        return kernels[name]

    def draw_stream(self, generator: type[PRNG], reduction: Reduction, seeds: np.ndarray, n: int,
                    skip: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The first ``n`` draws of each seed on the device (for testing ports)."""
        cl = self._cl
        seeds = np.ascontiguousarray(seeds, dtype=np.uint64)
        kernel = self._kernel(generator, [reduction], 1, "draw_stream")
        flags = cl.mem_flags
        seeds_buf = cl.Buffer(self.context, flags.READ_ONLY | flags.COPY_HOST_PTR, hostbuf=seeds)
        out = np.zeros(len(seeds) * n, dtype=np.uint64)
        degenerate = np.zeros(len(seeds), dtype=np.uint32)
        out_buf = cl.Buffer(self.context, flags.WRITE_ONLY, out.nbytes)
        deg_buf = cl.Buffer(self.context, flags.WRITE_ONLY, degenerate.nbytes)
        kernel(self.queue, (_global_size(len(seeds)),), (_LOCAL_SIZE,), seeds_buf,
               np.uint32(len(seeds)), np.uint32(0), np.uint32(n), np.uint32(skip), out_buf, deg_buf)
        cl.enqueue_copy(self.queue, out, out_buf)
        cl.enqueue_copy(self.queue, degenerate, deg_buf)
        return out.reshape(len(seeds), n), degenerate.astype(bool)

    def probe(self, generator: type[PRNG], reductions: Sequence[Reduction],
              seeds: np.ndarray | range, offsets: range, skips: range, variable_skip: bool,
              observed: list[int]) -> tuple[list[ProbeHit], np.ndarray]:
        """One launch for every reduction, offset and skip (each seed seeded once); variable
        skips and ports not exact this deep go to numpy."""
        if variable_skip or not port_covers(generator, reductions, offsets, skips, len(observed)):
            return self._fallback.probe(generator, reductions, seeds, offsets, skips,
                                        variable_skip, observed)
        cl = self._cl
        start = int(seeds[0])
        if len(seeds) > 1 and not (int(seeds[-1]) - start == len(seeds) - 1):
            raise ValueError("the OpenCL backend searches contiguous seed ranges")
        kernel = self._kernel(generator, reductions, len(observed), "sieve",
                              one_offset=len(offsets) == 1)
        flags = cl.mem_flags
        observed_array = np.asarray(observed, dtype=np.uint64)
        observed_buf = cl.Buffer(self.context, flags.READ_ONLY | flags.COPY_HOST_PTR,
                                 hostbuf=observed_array)
        count = np.zeros(1, dtype=np.uint32)
        count_buf = cl.Buffer(self.context, flags.READ_WRITE | flags.COPY_HOST_PTR, hostbuf=count)
        hit_seeds_buf = cl.Buffer(self.context, flags.WRITE_ONLY, 8 * self.max_hits)
        hit_columns_bufs = [cl.Buffer(self.context, flags.WRITE_ONLY, 4 * self.max_hits)
                            for _ in range(3)]
        kernel(self.queue, (_global_size(len(seeds)),), (_LOCAL_SIZE,), np.uint64(start),
               np.uint32(len(seeds)), observed_buf, np.uint32(offsets.start),
               np.uint32(offsets.stop), np.uint32(skips.start), np.uint32(skips.stop - 1),
               count_buf, hit_seeds_buf, *hit_columns_bufs, np.uint32(self.max_hits))
        cl.enqueue_copy(self.queue, count, count_buf)
        found = int(count[0])
        if found > self.max_hits:
            raise RuntimeError(f"{found} device hits exceed the buffer of {self.max_hits}; "
                               "use a longer probe or smaller chunks")
        hit_seeds = np.empty(found, dtype=np.uint64)
        columns = [np.empty(found, dtype=np.uint32) for _ in range(3)]
        if found:
            cl.enqueue_copy(self.queue, hit_seeds, hit_seeds_buf)
            for column, buffer in zip(columns, hit_columns_bufs):
                cl.enqueue_copy(self.queue, column, buffer)
        return hits_from_device(hit_seeds, *columns)

