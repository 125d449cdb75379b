"""The numpy backend: the reference search, always available.

It finds *candidates*: hypotheses whose first ``probe`` observed draws match. The engine then
checks every candidate with the scalar ``predict`` over the whole observation, so what counts
as a survivor is decided by the one definition of the observation model, whatever the backend.
"""

from __future__ import annotations

import numpy as np

from kernels.prng import PRNG
from kernels.reductions import Reduction
from kernels.sieve.vector import LaneStreams, draw_lanes, has_vector_double, outputs_per_draw_bound

__all__ = ["NumpyBackend", "ProbeHit"]

#: extra raw columns per draw for rejection reductions (their mean overhead is at most ~1.5x)
_REJECTION_SLACK = 1.6
#: raw outputs one probe holds in memory at once (x 4 or 8 bytes)
_MATRIX_BUDGET = 1 << 24

ProbeHit = tuple[int, int, tuple[int, ...]]
"""(seed, offset, skips) of a candidate: ``(k,)`` for a constant skip, else the skip chosen
after each observed draw of the probe but the last."""


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
        draws_needed = offsets.stop - 1 + probe
        return int(draws_needed * (per_draw * slack + skips.stop - 1)) + 8

    def probe(self, generator: type[PRNG], reduction: Reduction, seeds: np.ndarray | range,
              offsets: range, skips: range, variable_skip: bool,
              observed: list[int]) -> tuple[list[ProbeHit], np.ndarray]:
        """Candidates among ``seeds`` whose draws match ``observed`` (the probe prefix).

        With a constant skip, every ``k`` in ``skips`` is tried for the whole sequence; with a
        variable skip, the skip before each observed draw after the first is chosen from
        ``skips`` independently (draws before the first observed one use ``skips.start``).

        Returns the hits and the seeds whose lanes overflowed the precomputed matrix (the
        caller must check those with the scalar reference).
        """
        if isinstance(seeds, range):
            seeds = np.arange(seeds.start, seeds.stop, dtype=np.uint64)
        width = self.columns_needed(generator, reduction, offsets, skips, len(observed))
        rows = max(64, _MATRIX_BUDGET // width)
        if len(seeds) > rows:
            # bound memory whatever the caller's chunk: probe slices of the seeds in turn
            hits_all: list[ProbeHit] = []
            overflow_all = []
            for start in range(0, len(seeds), rows):
                hits, overflow = self.probe(generator, reduction, seeds[start:start + rows],
                                            offsets, skips, variable_skip, observed)
                hits_all.extend(hits)
                overflow_all.append(overflow)
            return hits_all, np.concatenate(overflow_all)
        last_offset = offsets.stop - 1
        raw = generator.raw_many(seeds, width)
        hits: list[ProbeHit] = []
        overflow = np.zeros(len(seeds), dtype=bool)
        skip_choices = [skips.start] if variable_skip else list(skips)
        for k in skip_choices:
            streams = LaneStreams(generator, raw)
            # draws before the first observed one, and the first observed one, at every offset
            columns = np.empty((len(seeds), last_offset + 1), dtype=np.uint64)
            for index in range(last_offset + 1):
                columns[:, index] = draw_lanes(reduction, streams)
                streams.skip(k)
            first = np.uint64(observed[0])
            for offset in offsets:
                lanes = np.flatnonzero(columns[:, offset] == first)
                if not len(lanes):
                    continue
                # replay those lanes to just after draw `offset`, then follow the rest
                follow = LaneStreams(generator, raw, lanes)
                for _ in range(offset + 1):
                    draw_lanes(reduction, follow)
                    follow.skip(k)
                if variable_skip:
                    # the skip after the first observed draw is chosen too: undo the constant one
                    follow.skip(-k)
                found = self._follow(reduction, follow, observed[1:],
                                     list(skips) if variable_skip else [k], variable_skip)
                for lane, chosen in found:
                    hits.append((int(seeds[lanes[lane]]), offset,
                                 tuple(chosen) if variable_skip else (k,)))
                overflow[lanes[follow.overflow]] = True
            overflow |= streams.overflow
        return hits, seeds[overflow]

    @staticmethod
    def _follow(reduction: Reduction, streams: LaneStreams, rest: list[int],
                skip_choices: list[int], variable: bool) -> list[tuple[int, list[int]]]:
        """Extend matching lanes draw by draw; with variable skips, branch over the choices."""
        origin = np.arange(streams.lanes)
        chosen: list[list[int]] = [[] for _ in range(streams.lanes)]
        for target in rest:
            if not streams.lanes:
                return []
            if variable:
                branches = []
                for k in skip_choices:
                    twin = streams.duplicate(np.arange(streams.lanes))
                    twin.skip(k)
                    values = draw_lanes(reduction, twin)
                    keep = np.flatnonzero(values == np.uint64(target))
                    branches.append((twin.duplicate(keep), origin[keep],
                                     [chosen[i] + [k] for i in keep]))
                streams = _concat([b[0] for b in branches], streams)
                origin = np.concatenate([b[1] for b in branches]) if branches else origin[:0]
                chosen = [c for b in branches for c in b[2]]
            else:
                values = draw_lanes(reduction, streams)
                streams.skip(skip_choices[0])
                keep = np.flatnonzero(values == np.uint64(target))
                streams = streams.duplicate(keep)
                origin = origin[keep]
                chosen = [chosen[i] for i in keep]
        return [(int(o), c) for o, c in zip(origin, chosen)]


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
