"""The numpy backend: the reference search, always available.

It finds *candidates*: hypotheses whose first ``probe`` observed draws match. Each seed's raw
outputs are computed once (``PRNG.raw_many``, the seeding) and every reduction, offset and skip
reads them. The engine then
checks every candidate with the scalar ``predict`` over the whole observation, so what counts
as a survivor is decided by the one definition of the observation model, whatever the backend.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from kernels.prng import PRNG
from kernels.reductions import Reduction
from kernels.sieve.engine import ProbeHit
from kernels.sieve.vector import LaneStreams, draw_lanes, has_vector_double, outputs_per_draw_bound

__all__ = ["NumpyBackend", "ProbeHit"]

#: extra raw columns per draw for rejection reductions (their mean overhead is at most ~1.5x)
_REJECTION_SLACK = 1.6
#: raw outputs one probe holds in memory at once (x 4 or 8 bytes)
_MATRIX_BUDGET = 1 << 24

class NumpyBackend:
    """Vectorised over the seeds of a chunk with numpy."""

    name = "numpy"
    #: seeds per chunk: a raw matrix that stays within the memory budget
    preferred_chunk = 1 << 16

    @staticmethod
    def available() -> bool:
        return True

    def supports(self, generator: type[PRNG], reduction: Reduction) -> bool:
        if reduction.kind == "float_mul" or (
                reduction.kind == "digits" and generator.native_below == "float_mul"):
            return has_vector_double(generator)
        return True

    @staticmethod
    def columns_needed(generator: type[PRNG], reduction: Reduction, offsets: range, skips: range,
                       probe: int) -> int:
        """Raw outputs per seed that a probe of ``probe`` draws usually needs."""
        per_draw = outputs_per_draw_bound(reduction, generator)
        slack = 1.0 if reduction.fixed_outputs == 1 else _REJECTION_SLACK
        return int(offsets.stop - 1 + probe * per_draw * slack + (probe - 1) * (skips.stop - 1)) + 8

    def probe(self, generator: type[PRNG], reductions: Sequence[Reduction],
              seeds: np.ndarray | range, offsets: range, skips: range, variable_skip: bool,
              observed: list[int]) -> tuple[list[ProbeHit], np.ndarray]:
        """Candidates among ``seeds`` whose draws match ``observed`` (the probe prefix), for
        every reduction, offset and skip, from one raw-output matrix.

        With a constant skip, every ``k`` in ``skips`` is tried for the whole sequence; with a
        variable skip, the skip before each observed draw after the first is chosen from
        ``skips`` independently.

        Returns the hits and the seeds whose lanes overflowed the precomputed matrix (the
        caller must check those with the scalar reference).
        """
        if isinstance(seeds, range):
            seeds = np.arange(seeds.start, seeds.stop, dtype=np.uint64)
        width = max(self.columns_needed(generator, reduction, offsets, skips, len(observed))
                    for reduction in reductions)
        rows = max(64, _MATRIX_BUDGET // width)
        if len(seeds) > rows:
            # bound memory whatever the caller's chunk: probe slices of the seeds in turn
            hits_all: list[ProbeHit] = []
            overflow_all = []
            for start in range(0, len(seeds), rows):
                part, part_overflow = self.probe(generator, reductions, seeds[start:start + rows],
                                                 offsets, skips, variable_skip, observed)
                hits_all.extend(part)
                overflow_all.append(part_overflow)
            return hits_all, np.concatenate(overflow_all)
        raw = generator.raw_many(seeds, width)  # the seeding: once for everything below
        hits: list[ProbeHit] = []
        overflow = np.zeros(len(seeds), dtype=bool)
        first = np.uint64(observed[0])
        for index, reduction in enumerate(reductions):
            for offset in offsets:
                # the first observed draw at this offset, whatever the skips after it
                streams = LaneStreams(generator, raw, pos=np.full(len(seeds), offset))
                lanes = np.flatnonzero(draw_lanes(reduction, streams) == first)
                overflow |= streams.overflow
                if not len(lanes):
                    continue
                matched = streams.duplicate(lanes)
                for choices in ([list(skips)] if variable_skip else [[k] for k in skips]):
                    follow = matched.duplicate(np.arange(matched.lanes))
                    found, overflowed = self.follow(reduction, follow, observed[1:], choices,
                                                    variable_skip)
                    for lane, chosen in found:
                        hits.append((int(seeds[lanes[lane]]), index, offset,
                                     tuple(chosen) if variable_skip else (choices[0],)))
                    overflow[lanes[overflowed]] = True
        return hits, seeds[overflow]

    @staticmethod
    def follow(reduction: Reduction, streams: LaneStreams, rest: list[int],
               skip_choices: list[int], variable: bool
               ) -> tuple[list[tuple[int, list[int]]], np.ndarray]:
        """Extend matching lanes draw by draw, skipping before each; with variable skips,
        branch over the choices. Returns the matches (lane given, skips chosen) and the lanes
        given that ran off their rows (to be checked by the scalar reference)."""
        origin = np.arange(streams.lanes)
        overflowed: list[np.ndarray] = [origin[streams.overflow]]
        chosen: list[list[int]] = [[] for _ in range(streams.lanes)]
        current = streams
        for target in rest:
            if not current.lanes:
                break
            if variable:
                branches = []
                for k in skip_choices:
                    twin = current.duplicate(np.arange(current.lanes))
                    twin.skip(k)
                    values = draw_lanes(reduction, twin)
                    overflowed.append(origin[twin.overflow])
                    keep = np.flatnonzero((values == np.uint64(target)) & ~twin.overflow)
                    branches.append((twin.duplicate(keep), origin[keep],
                                     [chosen[i] + [k] for i in keep]))
                current = _concat([b[0] for b in branches], current)
                origin = np.concatenate([b[1] for b in branches])
                chosen = [c for b in branches for c in b[2]]
            else:
                current.skip(skip_choices[0])
                values = draw_lanes(reduction, current)
                overflowed.append(origin[current.overflow])
                keep = np.flatnonzero((values == np.uint64(target)) & ~current.overflow)
                current = current.duplicate(keep)
                origin = origin[keep]
                chosen = [chosen[i] for i in keep]
        return [(int(o), c) for o, c in zip(origin, chosen)], np.unique(np.concatenate(overflowed))


def _concat(parts: list[LaneStreams], template: LaneStreams) -> LaneStreams:
    if not parts:
        return template.duplicate(np.arange(0))
    merged = LaneStreams(template.generator, template.raw,
                         np.concatenate([p.rows for p in parts]),
                         np.concatenate([p.pos for p in parts]))
    merged.overflow = np.concatenate([p.overflow for p in parts])
    merged.pending = np.concatenate([p.pending for p in parts])
    merged.has_pending = np.concatenate([p.has_pending for p in parts])
    return merged
