"""Many streams at once: the observation model vectorised over lanes, for the numpy backend.

A :class:`LaneStreams` object plays the part of a :class:`~kernels.prng.PRNG` for many lanes at
once. Each lane reads a row of a precomputed raw-output matrix (``PRNG.raw_many``) at its own
position, so lanes may consume different numbers of outputs (rejection reductions) and lanes
may be duplicated (branching over variable skips) without recomputing the generator.

:func:`draw_lanes` is the vectorised twin of ``Reduction.draw``; the scalar version in
``kernels/reductions.py`` stays the definition, and tests check the two agree on every
generator and reduction. A lane that runs off the end of its row is flagged in ``overflow``;
the caller re-checks such lanes with the scalar reference, so a short matrix costs time, never
correctness.
"""

from __future__ import annotations

import numpy as np

from kernels.prng import PRNG
from kernels.reductions import Reduction, cpp_downscale_terms, native_below

__all__ = ["LaneStreams", "draw_lanes", "has_vector_double", "outputs_per_draw_bound"]

_U64 = np.uint64


class LaneStreams:
    """Per-lane read positions over a raw-output matrix.

    ``rows[i]`` is the matrix row lane ``i`` reads, ``pos[i]`` its next column. All methods act
    on every lane; rejection loops call :meth:`take` with a subset of lanes.
    """

    def __init__(self, generator: type[PRNG], raw: np.ndarray, rows: np.ndarray | None = None,
                 pos: np.ndarray | None = None) -> None:
        self.generator = generator
        self.raw = raw
        self.rows = np.arange(raw.shape[0]) if rows is None else rows
        lanes = len(self.rows)
        self.pos = np.zeros(lanes, dtype=np.int64) if pos is None else pos.astype(np.int64)
        self.overflow = np.zeros(lanes, dtype=bool)
        # numpy's 64-bit generators hand out 32-bit words in buffered halves
        self.pending = np.zeros(lanes, dtype=_U64)
        self.has_pending = np.zeros(lanes, dtype=bool)

    @property
    def lanes(self) -> int:
        return len(self.rows)

    def take(self, lanes: np.ndarray | None = None) -> np.ndarray:
        """The next raw output of each selected lane (all when ``None``), as uint64."""
        if lanes is None:
            lanes = np.arange(self.lanes)
        pos = self.pos[lanes]
        width = self.raw.shape[1]
        beyond = pos >= width
        if beyond.any():
            self.overflow[lanes[beyond]] = True
            pos = np.minimum(pos, width - 1)
        self.pos[lanes] += 1
        return self.raw[self.rows[lanes], pos].astype(_U64)

    def take_u32(self, lanes: np.ndarray | None = None) -> np.ndarray:
        """``PRNG.next_u32`` for the selected lanes."""
        bits = self.generator.output_bits
        if bits == 32:
            return self.take(lanes)
        if bits != 64:
            raise ValueError(f"{self.generator.name}: no 32-bit word convention")
        if lanes is None:
            lanes = np.arange(self.lanes)
        out = np.empty(len(lanes), dtype=_U64)
        buffered = self.has_pending[lanes]
        out[buffered] = self.pending[lanes[buffered]]
        self.has_pending[lanes[buffered]] = False
        fresh = lanes[~buffered]
        if len(fresh):
            words = self.take(fresh)
            out[~buffered] = words & _U64(0xFFFFFFFF)
            self.pending[fresh] = words >> _U64(32)
            self.has_pending[fresh] = True
        return out

    def skip(self, count: int | np.ndarray) -> None:
        """Discard ``count`` raw outputs in every lane (``PRNG.jump``)."""
        self.pos += count

    def take_double(self, lanes: np.ndarray | None = None) -> np.ndarray:
        """``PRNG.next_double`` for the selected lanes (``PRNG.vector_double``)."""
        return self.generator.vector_double(self, lanes)

    def duplicate(self, lanes: np.ndarray) -> "LaneStreams":
        """New streams continuing the selected lanes (repeats allowed), positions copied."""
        twin = LaneStreams(self.generator, self.raw, self.rows[lanes], self.pos[lanes])
        twin.overflow = self.overflow[lanes].copy()
        twin.pending = self.pending[lanes].copy()
        twin.has_pending = self.has_pending[lanes].copy()
        return twin


def has_vector_double(generator: type[PRNG]) -> bool:
    """Whether ``float_mul`` (and digits over it) can run vectorised for ``generator``."""
    return generator.has_vector_double()


def _rejecting(streams: LaneStreams, word, accept) -> np.ndarray:
    """Draw with a rejection loop: lanes whose word is rejected pull another, the rest wait."""
    out = np.zeros(streams.lanes, dtype=_U64)
    pending = np.arange(streams.lanes)
    while len(pending):
        words = word(pending)
        ok, values = accept(words)
        out[pending[ok]] = values[ok]
        pending = pending[~ok]
        # a lane past the end of its row rejects forever on its clamped word: stop it
        pending = pending[~streams.overflow[pending]]
    return out


def draw_lanes(reduction: Reduction, streams: LaneStreams) -> np.ndarray:
    """One draw per lane: the vectorised ``reduction.draw``. Returns uint64 values."""
    kind, args = reduction.kind, reduction.args
    if kind == "raw":
        return streams.take()
    if kind in ("mod", "c_rand_mod"):
        return streams.take() % _U64(args[0])
    if kind == "java_nextint":
        bound = args[0]
        if bound & (bound - 1) == 0:
            return (_U64(bound) * (streams.take() >> _U64(1))) >> _U64(31)

        def accept_java(words: np.ndarray):
            bits = words >> _U64(1)
            values = bits % _U64(bound)
            return bits - values + _U64(bound - 1) < _U64(1 << 31), values

        return _rejecting(streams, streams.take, accept_java)
    if kind == "python_randbelow":
        bound = args[0]
        shift = _U64(32 - bound.bit_length())

        def accept_below(words: np.ndarray):
            values = words >> shift
            return values < _U64(bound), values

        return _rejecting(streams, streams.take_u32, accept_below)
    if kind == "masked":
        limit = args[0] - 1
        mask = _U64((1 << limit.bit_length()) - 1)

        def accept_masked(words: np.ndarray):
            values = words & mask
            return values <= _U64(limit), values

        return _rejecting(streams, streams.take_u32, accept_masked)
    if kind in ("lemire32", "pcg_bounded"):
        bound = args[0]
        threshold = _U64((1 << 32) % bound)
        if kind == "pcg_bounded":
            def accept_pcg(words: np.ndarray):
                return words >= threshold, words % _U64(bound)

            return _rejecting(streams, streams.take, accept_pcg)

        def accept_lemire(words: np.ndarray):
            product = words * _U64(bound)  # < 2**64: 32-bit word times a bound below 2**32
            return (product & _U64(0xFFFFFFFF)) >= threshold, product >> _U64(32)

        return _rejecting(streams, streams.take_u32, accept_lemire)
    if kind == "cpp_downscale":
        low, scaling, past = cpp_downscale_terms(streams.generator, args[0])

        def accept_downscaled(words: np.ndarray):
            values = words - _U64(low)  # raw outputs are never below the engine's min()
            return values < _U64(past), values // _U64(scaling)

        return _rejecting(streams, streams.take, accept_downscaled)
    if kind == "lemire64":
        bound = args[0]
        threshold = _U64((1 << 64) % bound)

        def accept_lemire64(words: np.ndarray):
            high, low = _mul_64x32(words, bound)
            return low >= threshold, high

        return _rejecting(streams, streams.take, accept_lemire64)
    if kind == "php_range":
        low, high = args
        span = high - low
        if span == 0xFFFFFFFF:
            return streams.take_u32() + _U64(low)
        size = span + 1
        if size & (size - 1) == 0:
            return (streams.take_u32() & _U64(span)) + _U64(low)
        limit = 0xFFFFFFFF - (0xFFFFFFFF % size) - 1

        def accept_php(words: np.ndarray):
            return words <= _U64(limit), words % _U64(size) + _U64(low)

        return _rejecting(streams, streams.take_u32, accept_php)
    if kind == "lua_range":
        low, high = args
        span = high - low
        under = _U64((1 << span.bit_length()) - 1)  # lmathlib.c project()'s lim

        def accept_lua(words: np.ndarray):
            values = words & under
            return values <= _U64(span), values + _U64(low)

        return _rejecting(streams, streams.take, accept_lua)
    if kind == "php_legacy_range":
        low, high = args
        n = (streams.take_u32() >> _U64(1)).astype(np.float64)
        width = high - low + 1.0
        return (_U64(low) + (width * (n / (0x7FFFFFFF + 1.0))).astype(_U64))
    if kind == "float_mul":
        return np.floor(streams.take_double() * args[0]).astype(_U64)
    if kind == "digits":
        below_ten = native_below(streams.generator, 10)
        value = np.zeros(streams.lanes, dtype=_U64)
        for _ in range(args[0]):
            value = value * _U64(10) + draw_lanes(below_ten, streams)
        return value
    raise NotImplementedError(f"no vectorised form of reduction {reduction.spec!r}")


def _mul_64x32(words: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``words * bound`` as (high 64 bits, low 64 bits) for uint64 words and bound < 2**32."""
    b = _U64(bound)
    lo32 = words & _U64(0xFFFFFFFF)
    hi32 = words >> _U64(32)
    low_product = lo32 * b                  # < 2**64
    high_product = hi32 * b                 # < 2**64
    middle = (low_product >> _U64(32)) + (high_product & _U64(0xFFFFFFFF))
    low = (middle << _U64(32)) | (low_product & _U64(0xFFFFFFFF))
    high = (high_product >> _U64(32)) + (middle >> _U64(32))
    return high, low


def outputs_per_draw_bound(reduction: Reduction, generator: type[PRNG]) -> int:
    """Raw outputs one draw usually takes, for sizing matrices (callers add slack for rejection)."""
    per_word = 2 if reduction.kind in ("float_mul", "digits") and generator.output_bits <= 32 else 1
    return per_word * (reduction.args[0] if reduction.kind == "digits" else 1)
