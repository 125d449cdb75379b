"""Deep offsets on a CPU: each seed's stream made once, every offset read from it.

A backend's sieve kernel walks the offsets of a seed one raw output at a time, which is right for
the few offsets of the usual search. The deep tiers of ``watcher identify`` ask for thousands
(small seeds observed after up to 10,000 outputs), and there the walk is the wrong shape on a
CPU: the MT19937 ports are lazy (they keep a few words, not the 624-word table, and rebuild the
table every four outputs past the first 624: about 2.5 us an output, against 6 ns for numpy's
whole-table twist), and the numpy backend runs one vectorised pass per offset.

:func:`deep_probe` makes ``offsets.stop`` plus the probe's raw outputs per seed once, from the
faster of the generator's ``raw_many`` and the backend's ``draw_stream`` (measured on the first
use, per backend and generator; where the backend's is faster, its own walk is faster still and
:func:`reads_streams` leaves the probe to it), and reads every (seed, offset) pair as one lane of
:class:`~kernels.sieve.vector.LaneStreams`: the first observed draw of every offset of a block of
seeds in one vectorised pass, then the few lanes that match followed draw by draw as the numpy
backend follows them. Its contract is the backends' ``probe``: candidates for the engine's scalar
check, plus the seeds to check with the scalar reference (a lane that ran off its row).
"""

from __future__ import annotations

import math
import time
from typing import Callable, Sequence

import numpy as np

from kernels.prng import PRNG
from kernels.reductions import Reduction, parse_reduction
from kernels.sieve.engine import Backend, ProbeHit
from kernels.sieve.numpy_backend import NumpyBackend
from kernels.sieve.vector import LaneStreams, draw_lanes

__all__ = ["deep_probe", "reads_streams", "DEEP_PROBE_OFFSETS", "raw_source"]

#: offsets per seed from which a CPU search reads each seed's stream once rather than walking it
#: (identify's usual offsets are 8; its deep tiers hold 993 and 9,000)
DEEP_PROBE_OFFSETS = 64
#: (seed, offset) lanes read in one vectorised pass: bounds the lane arrays (~24 bytes a lane)
_LANES_PER_PASS = 1 << 20
#: the sample that times the raw sources: seeds x outputs (after one call that builds programs),
#: past MT19937's first 624 outputs, where its lazy ports slow down; small, because the slower
#: source can be hundreds of times slower
_SAMPLE_SEEDS, _SAMPLE_OUTPUTS = 8, 1536

RawSource = Callable[[np.ndarray, int], np.ndarray]
_chosen: dict[tuple[str, str], tuple[str, RawSource]] = {}


def _numpy_raw(generator: type[PRNG]) -> RawSource:
    return lambda seeds, n: generator.raw_many(seeds, n)


def _backend_raw(backend: Backend, generator: type[PRNG]) -> RawSource | None:
    """The backend's own stream program for raw outputs, where it has one for ``generator``."""
    from kernels.sieve.kernel_source import has_device_port

    draw_stream = getattr(backend, "draw_stream", None)
    if draw_stream is None or not has_device_port(generator):
        return None
    raw = parse_reduction("raw")

    def make(seeds: np.ndarray, n: int) -> np.ndarray:
        out, _degenerate = draw_stream(generator, raw, seeds, n)  # raw outputs never reject
        return out

    return make


def raw_source(backend: Backend, generator: type[PRNG]) -> tuple[str, RawSource]:
    """The faster way to make raw-output rows of ``generator`` on ``backend`` (``"numpy"`` or
    the backend's name, and the function), timed once per process on a small sample."""
    key = (getattr(backend, "description", backend.name), generator.name)
    if key in _chosen:
        return _chosen[key]
    options: list[tuple[str, RawSource]] = [("numpy", _numpy_raw(generator))]
    own = _backend_raw(backend, generator) if backend.name != "numpy" else None
    if own is not None:
        options.append((backend.name, own))
    best: tuple[float, str, RawSource] | None = None
    seeds = np.arange(1, 1 + _SAMPLE_SEEDS, dtype=np.uint64)
    for name, make in options:
        try:
            make(seeds[:2], 16)  # builds the backend's program: not part of the rate
            elapsed = math.inf
            for _ in range(2):  # the lesser of two: the CPU may be shared
                began = time.perf_counter()
                make(seeds, _SAMPLE_OUTPUTS)
                elapsed = min(elapsed, time.perf_counter() - began)
        except (RuntimeError, NotImplementedError):
            continue
        if best is None or elapsed < best[0]:
            best = (elapsed, name, make)
    assert best is not None, "numpy's raw_many always runs"
    _chosen[key] = (best[1], best[2])
    return _chosen[key]


def reads_streams(backend: Backend, generator: type[PRNG], reductions: Sequence[Reduction],
                  offsets: range) -> bool:
    """Whether a probe of ``offsets`` goes through :func:`deep_probe`: many offsets, on a CPU
    backend (a GPU walks a seed's offsets on the device, and its streams would cross the bus),
    with reductions that have a vectorised form, where numpy makes the generator's raw outputs
    faster than the backend does (always on numpy itself)."""
    if len(offsets) < DEEP_PROBE_OFFSETS:
        return False
    if backend.name == "opencl":
        if not _is_cpu(getattr(backend, "device", None)):
            return False
    elif backend.name not in ("numpy", "native"):
        return False
    vectorised = NumpyBackend()
    if not all(vectorised.supports(generator, reduction) for reduction in reductions):
        return False
    # where the backend's own stream program makes raw outputs faster than numpy, its kernel's
    # walk (the same stream, compared as it goes) beats reading rows of it (glibc_random's deep
    # tier on native: 3 us a seed walked, 8 us read); the lazy MT19937 ports are the other way
    return backend.name == "numpy" or raw_source(backend, generator)[0] == "numpy"


def _is_cpu(device: object) -> bool:
    """An OpenCL device that is a CPU (pocl)."""
    if device is None:
        return False
    try:
        import pyopencl as cl

        return bool(getattr(device, "type", 0) & cl.device_type.CPU)
    except ImportError:
        return False


def deep_probe(backend: Backend, generator: type[PRNG], reductions: Sequence[Reduction],
               seeds: np.ndarray | range, offsets: range, skips: range, variable_skip: bool,
               observed: list[int]) -> tuple[list[ProbeHit], np.ndarray]:
    """The backends' ``probe`` for many offsets (see the module's text): candidates among
    ``seeds`` whose draws under some reduction (all must have a vectorised form:
    ``NumpyBackend.supports``), offset and skip match ``observed``, and the seeds whose lanes ran
    off their rows."""
    seeds = (np.arange(seeds.start, seeds.stop, dtype=np.uint64) if isinstance(seeds, range)
             else np.asarray(seeds, dtype=np.uint64))
    width = max(NumpyBackend.columns_needed(generator, reduction, offsets, skips, len(observed))
                for reduction in reductions)
    _, make_raw = raw_source(backend, generator)
    per_pass = max(1, _LANES_PER_PASS // len(offsets))
    hits: list[ProbeHit] = []
    overflow: list[np.ndarray] = []
    for start in range(0, len(seeds), per_pass):
        part = seeds[start:start + per_pass]
        raw = make_raw(part, width)
        found, ran_off = _probe_rows(generator, reductions, part, raw, offsets, skips,
                                     variable_skip, observed)
        hits.extend(found)
        overflow.append(ran_off)
    return hits, (np.unique(np.concatenate(overflow)) if overflow
                  else np.zeros(0, dtype=np.uint64))


class _EveryOffset(LaneStreams):
    """Lanes (row, offset) for every row of ``raw`` and every offset, in row-major order: while
    every lane has taken as many outputs as the others, the next output of all of them is one
    contiguous slice of the matrix (a copy at memory speed, where fancy indexing costs ten times
    more), and the per-lane rows and positions are not even made; subsets (rejections, buffered
    halves) make them and take the general path."""

    def __init__(self, generator: type[PRNG], raw: np.ndarray, offsets: range) -> None:
        self.generator = generator
        self.raw = raw
        self.offsets = offsets
        count = raw.shape[0] * len(offsets)
        self.overflow = np.zeros(count, dtype=bool)
        self.pending = np.zeros(count, dtype=np.uint64)
        self.has_pending = np.zeros(count, dtype=bool)
        #: outputs every lane has taken while they all have taken the same number, else None
        self.in_step: int | None = 0
        self._rows: np.ndarray | None = None
        self._pos: np.ndarray | None = None

    def _materialise(self) -> None:
        if self._rows is None:
            self._rows = np.repeat(np.arange(self.raw.shape[0]), len(self.offsets))
            self._pos = np.tile(np.arange(self.offsets.start, self.offsets.stop, dtype=np.int64)
                                + (self.in_step or 0), self.raw.shape[0])

    @property
    def rows(self) -> np.ndarray:
        self._materialise()
        assert self._rows is not None
        return self._rows

    @rows.setter
    def rows(self, value: np.ndarray) -> None:
        self._rows = value

    @property
    def pos(self) -> np.ndarray:
        self._materialise()
        assert self._pos is not None
        return self._pos

    @pos.setter
    def pos(self, value: np.ndarray) -> None:
        self._pos = value

    @property
    def lanes(self) -> int:
        return len(self.overflow)

    def take(self, lanes: np.ndarray | None = None) -> np.ndarray:
        if lanes is None and self.in_step is not None:
            low = self.offsets.start + self.in_step
            if low + len(self.offsets) <= self.raw.shape[1]:
                self.in_step += 1
                if self._pos is not None:
                    self._pos += 1
                return self.raw[:, low:low + len(self.offsets)].astype(np.uint64).reshape(-1)
        self._materialise()
        self.in_step = None
        return super().take(lanes)

    def duplicate(self, lanes: np.ndarray) -> LaneStreams:
        if self._rows is not None or self.in_step is None:
            return super().duplicate(lanes)
        # lane i is (row i // offsets, offset i % offsets), every one in step
        rows, columns = np.divmod(lanes, len(self.offsets))
        twin = LaneStreams(self.generator, self.raw, rows,
                           columns + self.offsets.start + self.in_step)
        twin.overflow = self.overflow[lanes].copy()
        twin.pending = self.pending[lanes].copy()
        twin.has_pending = self.has_pending[lanes].copy()
        return twin

    def skip(self, count: int | np.ndarray) -> None:
        self._materialise()
        self.in_step = None
        super().skip(count)


def _probe_rows(generator: type[PRNG], reductions: Sequence[Reduction], seeds: np.ndarray,
                raw: np.ndarray, offsets: range, skips: range, variable_skip: bool,
                observed: list[int]) -> tuple[list[ProbeHit], np.ndarray]:
    """Every (row, offset) lane of ``raw`` at once: the first draw of each, then the matches
    followed through the rest of the probe."""
    first = np.uint64(observed[0])
    hits: list[ProbeHit] = []
    overflow = np.zeros(len(seeds), dtype=bool)
    for index, reduction in enumerate(reductions):
        streams = _EveryOffset(generator, raw, offsets)
        lanes = np.flatnonzero(draw_lanes(reduction, streams) == first)
        overflow[np.flatnonzero(streams.overflow) // len(offsets)] = True
        if not len(lanes):
            continue
        matched = streams.duplicate(lanes)
        for choices in ([list(skips)] if variable_skip else [[k] for k in skips]):
            follow = matched.duplicate(np.arange(matched.lanes))
            found, overflowed = NumpyBackend.follow(reduction, follow, observed[1:], choices,
                                                    variable_skip)
            for lane, chosen in found:
                row, offset = divmod(int(lanes[lane]), len(offsets))
                hits.append((int(seeds[row]), index, offsets.start + offset,
                             tuple(chosen) if variable_skip else (choices[0],)))
            overflow[lanes[overflowed] // len(offsets)] = True
    return hits, seeds[overflow]
