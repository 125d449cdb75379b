"""GF(2)-linear models of catalog generators: each output bit as an equation in the state.

A model names the unknowns (the generator's state at the first observed output, as bits), and
for any output position ``t`` and bit ``b`` gives the packed row of coefficients and the
constant term of ``bit b of raw output t = row . state + constant``. Models never restate a
generator's algorithm: they run the catalog class itself, on one basis state per unknown at
once, and read the coefficients off the outputs, so the catalog stays the one definition of
each generator.

* :class:`MersenneTwisterModel` steps all 19,968 basis states of MT19937 (or MT19937-64) as the
  columns of the catalog's vectorised twist (``_twist_many``/``_temper_many``). The unknowns are
  the 624 (312) untempered words ``y[0..N-1]`` of which the first observed output is the tempered
  ``y[0]``: any ``N`` consecutive words continue the stream with the catalog's in-place twist,
  wherever the window starts.
* :class:`BasisModel` runs the scalar catalog stream from each basis state (small states:
  xorshift, xorwow, tinymt32, WELL512a, Tausworthe, xoroshiro/xoshiro ``+``, V8).

Only the output bits a model lists in ``linear_bits`` are affine in the state (all of them for
MT19937, xorshift, WELL and Tausworthe; bit 0 for generators whose output adds two words or
multiplies: ``a + b`` and ``a * odd`` keep bit 0 linear). The tests check that claim on random
states for every model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache
from typing import Callable, Sequence

import numpy as np

from kernels.generators._bits import MASK32, MASK64
from kernels.prng import PRNG
from kernels.recovery.gf2 import words_for
from kernels.registry import get_generator

__all__ = ["LinearModel", "MersenneTwisterModel", "BasisModel", "linear_model", "LINEAR_GENERATORS"]


def _pack_lanes(bits: np.ndarray, width: int) -> np.ndarray:
    """``(rows, lanes)`` 0/1 -> ``(rows, width)`` uint64 rows, lane ``j`` at bit ``j``."""
    rows, lanes = bits.shape
    packed = np.packbits(bits, axis=1, bitorder="little")
    out = np.zeros((rows, width * 8), dtype=np.uint8)
    out[:, :packed.shape[1]] = packed
    return out.view(np.uint64)


class LinearModel(ABC):
    """Raw output bits of one generator as affine functions of its state at the window start."""

    generator: type[PRNG]
    #: number of unknown state bits
    unknowns: int
    #: mask of the raw output bits that are affine in the state
    linear_bits: int
    #: bits of state that actually reach the outputs (the rank a full recovery reaches)
    effective_bits: int
    #: discrete parts of the state tried one by one (V8's cache position); ``(None,)`` if none
    alignments: tuple[int | None, ...] = (None,)
    #: name of the state recurrence (generators sharing one share their equations' structure)
    recurrence: str
    #: bits of one raw output word
    word_bits: int
    #: raw words a recovery from partial words needs at least (MT19937: two blocks, since a
    #: word's unseen bits show only in the words the twist makes from it)
    partial_words: int = 0

    @abstractmethod
    def equations(self, wanted: Sequence[tuple[int, int]], alignment: int | None = None
                  ) -> np.ndarray:
        """Packed rows for ``(output position, bit)`` pairs, sorted by position: coefficients in
        bits ``0..unknowns-1``, the constant term at bit ``unknowns``."""

    @abstractmethod
    def state_tuple(self, bits: np.ndarray, alignment: int | None = None) -> tuple[int, ...]:
        """The catalog ``set_state`` tuple for a solution (0/1 vector of ``unknowns``)."""

    def stream(self, bits: np.ndarray, alignment: int | None = None) -> PRNG:
        """A catalog stream whose next raw output is the first observed one."""
        return self.generator.from_state(self.state_tuple(bits, alignment))

    @property
    def width(self) -> int:
        return words_for(self.unknowns + 1)


# ---- MT19937 and MT19937-64 --------------------------------------------------------------------


class MersenneTwisterModel(LinearModel):
    """Every member of the MT19937 family: one recurrence, whatever the seeding.

    The unknowns are the untempered words ``y[0..N-1]``, the first observed output being
    ``temper(y[0])``. Later words follow ``y[k+N] = y[k+M] ^ L1(y[k]) ^ L2(y[k+1])`` (the twist,
    in place, is exactly this recurrence wherever the window starts). ``L1``, ``L2`` and the
    tempering are read off the catalog class (its ``_twist`` and ``_temper`` on basis words), so
    PHP's legacy twist and MT19937-64 come with their own matrices. Words are carried bit-sliced:
    word ``k`` is ``W`` packed rows, row ``b`` the coefficients of its bit ``b``, so a twist step
    is a few row XORs and the tempered bits are rows already.
    """

    def __init__(self, generator: type[PRNG]) -> None:
        self.generator = generator
        self.word_bits = int(getattr(generator, "W"))
        self.words = int(getattr(generator, "N"))
        self.middle = int(getattr(generator, "M"))
        self.unknowns = self.word_bits * self.words
        self.linear_bits = (1 << self.word_bits) - 1
        self.effective_bits = int(generator.state_bits)
        self.partial_words = 2 * self.words + 8
        if getattr(generator, "LEGACY_PHP_TWIST"):
            self.recurrence = "mt19937_php_legacy"
        else:
            self.recurrence = "mt19937_64" if self.word_bits == 64 else "mt19937"
        self._twist_terms, self._temper_terms = self._read_matrices()

    def _read_matrices(self) -> tuple[list[list[tuple[int, int]]], list[list[int]]]:
        """Per output bit ``b``: the ``(word offset, bit)`` terms of ``y[k+N]`` bit ``b`` (offset
        0: ``y[k]``, 1: ``y[k+1]``, ``M``: ``y[k+M]``), and the ``y`` bits of tempered bit ``b``."""
        gen, n, m, w = self.generator, self.words, self.middle, self.word_bits
        twist, temper = getattr(gen, "_twist"), getattr(gen, "_temper")
        terms: list[list[tuple[int, int]]] = [[] for _ in range(w)]
        for offset in (0, 1, m):
            for bit in range(w):
                block = [0] * n
                block[offset] = 1 << bit
                twist(block)
                for b in range(w):
                    if (block[0] >> b) & 1:
                        terms[b].append((offset, bit))
        tempering: list[list[int]] = [[] for _ in range(w)]
        for bit in range(w):
            out = temper(1 << bit)
            for b in range(w):
                if (out >> b) & 1:
                    tempering[b].append(bit)
        return terms, tempering

    def equations(self, wanted: Sequence[tuple[int, int]], alignment: int | None = None
                  ) -> np.ndarray:
        n, w, width = self.words, self.word_bits, self.width
        out = np.zeros((len(wanted), width), dtype=np.uint64)
        if not wanted:
            return out
        positions = np.array([t for t, _ in wanted])
        if np.any(np.diff(positions) < 0):
            raise ValueError("wanted bits must be sorted by output position")
        last = int(positions[-1])
        # a ring of the most recent 2N words, bit-sliced: (2N, W, width)
        ring_size = 2 * n
        ring = np.zeros((ring_size, w, width), dtype=np.uint64)
        unknown = np.arange(self.unknowns)
        ring[unknown // w, unknown % w, unknown // 64] = np.uint64(1) << (unknown % 64).astype(np.uint64)
        step = n - self.middle  # words of one batch depend only on words before it
        made = n
        row = 0
        for batch_start in range(0, last + 1, step):
            batch_end = min(batch_start + step, last + 1)
            while made < batch_end:  # extend the ring up to the batch
                hi = min(made + step, batch_end)
                k = np.arange(made - n, hi - n)
                new = np.zeros((len(k), w, width), dtype=np.uint64)
                for b, terms in enumerate(self._twist_terms):
                    for offset, bit in terms:
                        new[:, b] ^= ring[(k + offset) % ring_size, bit]
                ring[np.arange(made, hi) % ring_size] = new
                made = hi
            stop = int(np.searchsorted(positions, batch_end))
            for index in range(row, stop):
                t, b = int(positions[index]), wanted[index][1]
                source = ring[t % ring_size]
                acc = source[self._temper_terms[b][0]].copy()
                for bit in self._temper_terms[b][1:]:
                    acc ^= source[bit]
                out[index] = acc
            row = stop
        return out

    def state_tuple(self, bits: np.ndarray, alignment: int | None = None) -> tuple[int, ...]:
        weights = [1 << b for b in range(self.word_bits)]
        grid = np.asarray(bits[:self.unknowns], dtype=np.uint8).reshape(self.words, self.word_bits)
        words = [sum(w for w, bit in zip(weights, row) if bit) for row in grid.tolist()]
        return (*words, 0)


# ---- small states, simulated one basis state at a time -----------------------------------------


@dataclass(frozen=True)
class _Layout:
    """How a generator's ``set_state`` tuple holds its linear words."""

    words: int
    word_bits: int
    #: builds the state tuple from the linear words and the alignment
    assemble: Callable[[tuple[int, ...], int | None], tuple[int, ...]]
    linear_bits: int
    effective_bits: int
    alignments: tuple[int | None, ...] = (None,)
    #: where an alignment's stream starts within another's: ``(that alignment, outputs in)``,
    #: so that one simulation serves them all (``None``: each alignment simulated alone)
    within: Callable[[int | None], tuple[int | None, int]] | None = None


class BasisModel(LinearModel):
    """Any generator whose state tuple is (mostly) linear words: the coefficient of unknown ``j``
    in output ``t`` is read from the stream started at basis state ``e_j`` (xor the stream from
    the zero state, which gives the constant terms of affine outputs)."""

    def __init__(self, generator: type[PRNG], layout: _Layout) -> None:
        self.generator = generator
        self.layout = layout
        self.unknowns = layout.words * layout.word_bits
        self.linear_bits = layout.linear_bits
        self.effective_bits = layout.effective_bits
        self.alignments = layout.alignments
        self.recurrence = generator.name
        self.word_bits = generator.output_bits
        self._outputs: dict[tuple[int | None, int], np.ndarray] = {}

    def _words_of(self, bits: np.ndarray) -> tuple[int, ...]:
        wb = self.layout.word_bits
        return tuple(sum(int(bits[i * wb + b]) << b for b in range(wb))
                     for i in range(self.layout.words))

    def _raw_outputs(self, count: int, alignment: int | None) -> np.ndarray:
        """``(unknowns + 1, count)`` raw outputs (object ints): row ``j`` from basis state ``e_j``,
        the last row from the zero state."""
        if self.layout.within is not None:
            base, skip = self.layout.within(alignment)
            if (base, skip) != (alignment, 0):
                return self._raw_outputs(count + skip, base)[:, skip:skip + count]
        for (held_alignment, held_count), held in self._outputs.items():
            if held_alignment == alignment and held_count >= count:
                return held
        wb = self.layout.word_bits
        rows = []
        for j in range(self.unknowns + 1):
            words = [0] * self.layout.words
            if j < self.unknowns:
                words[j // wb] = 1 << (j % wb)
            stream = self.generator.from_state(self.layout.assemble(tuple(words), alignment))
            rows.append([stream.next_raw() for _ in range(count)])
        table = np.array(rows, dtype=np.uint64)  # every modelled output fits 64 bits
        self._outputs = {k: v for k, v in self._outputs.items() if k[0] != alignment}
        self._outputs[(alignment, count)] = table
        return table

    def equations(self, wanted: Sequence[tuple[int, int]], alignment: int | None = None
                  ) -> np.ndarray:
        out = np.zeros((len(wanted), self.width), dtype=np.uint64)
        if not wanted:
            return out
        count = max(t for t, _ in wanted) + 1
        table = self._raw_outputs(count, alignment)
        positions = np.array([t for t, _ in wanted])
        shifts = np.array([b for _, b in wanted], dtype=np.uint64)
        # (unknowns + 1, rows): bit b of output t from every basis state and the zero state
        bits = ((table[:, positions] >> shifts) & np.uint64(1)).astype(np.uint8)
        constant = bits[-1]
        coefficients = bits[:-1] ^ constant
        return _pack_lanes(np.vstack([coefficients, constant[None, :]]).T.copy(), self.width)

    def state_tuple(self, bits: np.ndarray, alignment: int | None = None) -> tuple[int, ...]:
        return self.layout.assemble(self._words_of(bits), alignment)


def _plain(words: tuple[int, ...], _alignment: int | None) -> tuple[int, ...]:
    return words


def _well_at_index_zero(words: tuple[int, ...], _alignment: int | None) -> tuple[int, ...]:
    return (0, *words)


def _v8_at_cache_position(words: tuple[int, ...], alignment: int | None) -> tuple[int, ...]:
    return (*words, alignment or 0)


def _v8_within_full_cache(alignment: int | None) -> tuple[int | None, int]:
    # with 64 entries left the stream serves the whole cache of the last refill; with fewer
    # (0: none, the next call refills) it is that stream past the entries already served
    return 64, 64 - (alignment or 0)



#: generator name -> how its state tuple holds the linear words (MT19937 members separately)
_LAYOUTS: dict[str, _Layout] = {
    "xorshift32": _Layout(1, 32, _plain, MASK32, 32),
    "xorshift64": _Layout(1, 64, _plain, MASK64, 64),
    "xorshift64star": _Layout(1, 64, _plain, 1, 64),
    "xorshift128": _Layout(4, 32, _plain, MASK32, 128),
    # the Weyl counter d enters the output by addition: bit 0 of v + d is v0 ^ d0
    "xorwow": _Layout(6, 32, _plain, 1, 161),
    "xorshift128plus": _Layout(2, 64, _plain, 1, 128),
    "xoroshiro128plus": _Layout(2, 64, _plain, 1, 128),
    "xoshiro256plus": _Layout(4, 64, _plain, 1, 256),
    "v8_math_random": _Layout(2, 64, _v8_at_cache_position, (1 << 52) - 1, 128,
                              tuple(range(64)), _v8_within_full_cache),
    "tinymt32": _Layout(4, 32, _plain, 1, 127),
    "well512a": _Layout(16, 32, _well_at_index_zero, MASK32, 512),
    "taus88": _Layout(3, 32, _plain, MASK32, 88),
    "lfsr113": _Layout(4, 32, _plain, MASK32, 113),
    # LuaJIT's Tausworthe words: the top k of each 64 (63, 58, 55, 47) carry the state
    "luajit_random": _Layout(4, 64, _plain, (1 << 52) - 1, 223),
}

#: every generator with a linear model
LINEAR_GENERATORS: tuple[str, ...] = (
    "mt19937", "mt19937_64", "cpython_random", "numpy_random_state", "php_mt_rand",
    "php_mt_rand_legacy", "ruby_random", *_LAYOUTS)


@cache
def linear_model(name: str) -> LinearModel | None:
    """The linear model of generator ``name``, or ``None`` when it has none."""
    if name not in LINEAR_GENERATORS:
        return None
    generator = get_generator(name)
    if name in _LAYOUTS:
        return BasisModel(generator, _LAYOUTS[name])
    return MersenneTwisterModel(generator)
