"""The uniform interface every generator of the catalog implements.

A generator class reproduces one real-world generator *and its seeding convention*, bit for bit.
One instance is one stream: construct it from an integer seed (the way the runtime is seeded),
then pull raw outputs with :meth:`PRNG.next_raw`.

The raw output is the generator's natural output word (``output_bits`` wide, unsigned), the value
from which the runtime's own functions derive everything else:

* ``java_random``: ``next(32)`` as an unsigned 32-bit integer (``nextInt() & 0xffffffffL``);
* ``mt19937`` / ``cpython_random`` / ``numpy_random_state``: the tempered 32-bit word
  (``genrand_uint32``);
* ``glibc_random``: ``rand()`` (31 bits); ``msvc_rand``: ``rand()`` (15 bits);
* 64-bit generators: the 64-bit output word.

Reductions (``kernels/reductions.py``) turn raw outputs into draws. Runtime-specific pieces that
reductions need (how the runtime builds a double, how it splits 64-bit words into 32-bit ones) are
methods here with documented defaults that subclasses override where their runtime differs.

Metadata lives in class variables so that the registry can list a generator without seeding it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:  # only for annotations: kernels.sieve imports this module
    from kernels.sieve.vector import LaneStreams

__all__ = ["PRNG", "Raw32Double", "NotInvertible", "TWO_POW_32", "TWO_POW_53", "FAMILIES"]

TWO_POW_32 = float(1 << 32)
TWO_POW_53 = float(1 << 53)

#: the catalog's families: every generator's ``family`` is one of these
FAMILIES: tuple[str, ...] = ("lcg", "mersenne_twister", "xorshift", "pcg_counter", "other", "legacy")


class NotInvertible(NotImplementedError):
    """Raised by :meth:`PRNG.step_back` for generators that cannot step backwards."""


class PRNG(ABC):
    """One stream of a catalogued generator.

    Subclasses set the metadata class variables and implement ``__init__(seed)``,
    :meth:`next_raw`, :meth:`get_state` and :meth:`set_state`; invertible ones also implement
    :meth:`step_back`; those with cheap jump-ahead override :meth:`jump`.
    """

    #: registry key, e.g. ``"java_random"``; unique across the catalog
    name: ClassVar[str]
    #: catalog family, one of :data:`FAMILIES`
    family: ClassVar[str]
    #: the real-world seeding convention reproduced, e.g. ``"new java.util.Random(seed)"``
    seeding: ClassVar[str]
    #: bits of internal state (MT19937: 19937, stored as 624 words)
    state_bits: ClassVar[int]
    #: width of :meth:`next_raw`
    output_bits: ClassVar[int]
    #: seeds accepted by the constructor are ``0 <= seed < 2**seed_bits``
    seed_bits: ClassVar[int]
    #: human description of the seed space, e.g. ``"0 <= seed < 2**48 (seed ^ 0x5DEECE66D)"``
    seed_space: ClassVar[str]
    #: whether :meth:`step_back` is implemented
    invertible: ClassVar[bool] = False
    #: ``True`` for the original system's families, kept for compatibility only
    legacy: ClassVar[bool] = False
    #: the reduction the runtime itself uses for "an integer below n" (used by ``digits:K``):
    #: ``"java_nextint"``, ``"python_randbelow"``, ``"php_range"``, ``"masked"``, ``"mod"``, ...
    native_below: ClassVar[str] = "mod"
    #: the smallest and largest raw output (the engine's ``min()`` and ``max()``, what
    #: libstdc++'s ``uniform_int_distribution`` reads; ``None``: ``2**output_bits - 1``)
    raw_min: ClassVar[int] = 0
    raw_max: ClassVar[int | None] = None
    #: who vouches for this generator's known answers: the runtime or published reference
    vouched_by: ClassVar[str]
    #: how often this generator is met in real code, as a relative weight (Java's and glibc's
    #: default generators 100, niche ones 1-10, the legacy families 0.5): the search plan of
    #: ``watcher identify`` spends its time where identification is likeliest per second, and
    #: reports the share of this prior mass it covered. Each class says why beside its value.
    prior: ClassVar[float] = 1.0

    @abstractmethod
    def __init__(self, seed: int) -> None: ...

    @abstractmethod
    def next_raw(self) -> int:
        """Advance one step and return the next raw output (unsigned, ``output_bits`` wide)."""

    @abstractmethod
    def get_state(self) -> tuple[int, ...]:
        """The full internal state, enough for :meth:`set_state` to resume the stream exactly."""

    @abstractmethod
    def set_state(self, state: tuple[int, ...]) -> None:
        """Restore a state returned by :meth:`get_state`."""

    @classmethod
    def from_state(cls, state: tuple[int, ...]) -> "PRNG":
        """A stream at ``state`` without seeding one first (a state recovered from outputs).

        ``set_state`` must therefore set every attribute that ``next_raw`` reads; the state
        recovery tests check this for every generator they recover.
        """
        stream = cls.__new__(cls)
        stream.set_state(state)
        return stream

    # ---- optional capabilities -------------------------------------------------------------

    def step_back(self) -> None:
        """Undo one :meth:`next_raw`: afterwards ``next_raw()`` returns the same output again."""
        raise NotInvertible(f"{self.name} cannot step backwards")

    def jump(self, n: int) -> None:
        """Advance ``n`` raw outputs. Subclasses with closed-form jump-ahead override this."""
        for _ in range(n):
            self.next_raw()

    @classmethod
    def has_fast_jump(cls) -> bool:
        """Whether :meth:`jump` is the class's own closed form (any ``n``, ``2**100`` included,
        in about ``log n`` or state-size steps) rather than the default one output at a time."""
        return _defining_class(cls, "jump") is not PRNG

    # ---- runtime conventions used by reductions ---------------------------------------------

    def next_u32(self) -> int:
        """A 32-bit word as the runtime's bounded-integer code consumes it.

        Default: the raw output for 32-bit generators; for 64-bit generators, numpy's
        convention (one 64-bit output buffered as two 32-bit halves, low half first).
        Narrower generators must override or not support the reductions that use it.
        """
        if self.output_bits == 32:
            return self.next_raw()
        if self.output_bits == 64:
            pending = getattr(self, "_pending_u32", None)
            if pending is not None:
                self._pending_u32 = None
                return pending
            word = self.next_raw()
            self._pending_u32 = word >> 32
            return word & 0xFFFFFFFF
        raise ValueError(f"{self.name} has {self.output_bits}-bit outputs; no 32-bit word convention")

    def next_double(self) -> float:
        """A double in [0, 1) built the way the runtime builds it.

        Default for 32-bit generators: CPython/numpy ``genrand_res53`` (two words, 27 + 26 bits).
        Default for 64-bit generators: ``(x >> 11) * 2**-53`` (numpy, xoshiro authors).
        Generators whose runtime differs (Java, V8, C ``rand()/RAND_MAX``...) override this.
        """
        if self.output_bits == 32:
            a = self.next_raw() >> 5
            b = self.next_raw() >> 6
            return (a * 67108864.0 + b) / TWO_POW_53
        if self.output_bits == 64:
            return (self.next_raw() >> 11) / TWO_POW_53
        return self.next_raw() / float(1 << self.output_bits)

    # ---- many streams at once --------------------------------------------------------------

    @classmethod
    def raw_many(cls, seeds: np.ndarray, n: int) -> np.ndarray:
        """The first ``n`` raw outputs of every seed, shape ``(len(seeds), n)``.

        The default runs the scalar reference per seed; generators override it with a numpy
        implementation vectorised over seeds (dtype ``uint32`` or ``uint64``, by
        ``output_bits``). The two must agree exactly (tested for every generator).
        """
        dtype = np.uint64 if cls.output_bits > 32 else np.uint32
        out = np.empty((len(seeds), n), dtype=dtype)
        for row, seed in enumerate(seeds):
            stream = cls(int(seed))
            for col in range(n):
                out[row, col] = stream.next_raw()
        return out

    @classmethod
    def vector_double(cls, streams: LaneStreams, lanes: np.ndarray | None = None) -> np.ndarray:
        """:meth:`next_double` for many lanes at once: the numpy sieve's ``float_mul``.

        ``streams`` hands out each lane's raw outputs (``streams.take(lanes)``, ``lanes`` a subset
        or ``None`` for all); the result is one double per selected lane, equal to what
        :meth:`next_double` returns on that lane's stream. The default vectorises the default
        :meth:`next_double`; a class that overrides :meth:`next_double` overrides this too, or
        goes without (:meth:`has_vector_double` is then false and ``float_mul`` runs scalar).
        """
        if not cls.has_vector_double():
            raise NotImplementedError(f"{cls.name} has no vectorised next_double")
        u64 = np.uint64
        if cls.output_bits == 32:
            high = streams.take(lanes) >> u64(5)
            low = streams.take(lanes) >> u64(6)
            return (high.astype(np.float64) * 67108864.0 + low.astype(np.float64)) / TWO_POW_53
        if cls.output_bits == 64:
            return (streams.take(lanes) >> u64(11)).astype(np.float64) / TWO_POW_53
        return streams.take(lanes).astype(np.float64) / float(1 << cls.output_bits)

    @classmethod
    def has_vector_double(cls) -> bool:
        """Whether :meth:`vector_double` matches this class's :meth:`next_double`: it is defined
        by the class that defines :meth:`next_double`, or by a subclass of it."""
        return issubclass(_defining_class(cls, "vector_double"), _defining_class(cls, "next_double"))

    # ---- helpers -----------------------------------------------------------------------------

    @classmethod
    def check_seed(cls, seed: int) -> int:
        """Validate ``seed`` against the seed space; return it as ``int``."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"{cls.name}: seed must be an integer, got {seed!r}")
        seed = int(seed)
        if not 0 <= seed < (1 << cls.seed_bits):
            raise ValueError(f"{cls.name}: seed {seed} outside its seed space ({cls.seed_space})")
        return seed

    def outputs(self, n: int) -> list[int]:
        """The next ``n`` raw outputs as a list (convenience for tests and the CLI)."""
        return [self.next_raw() for _ in range(n)]


class Raw32Double(PRNG):
    """A generator whose runtime builds a double from one 32-bit raw output: ``raw * 2**-32``."""

    def next_double(self) -> float:
        return self.next_raw() / TWO_POW_32

    @classmethod
    def vector_double(cls, streams: LaneStreams, lanes: np.ndarray | None = None) -> np.ndarray:
        return streams.take(lanes).astype(np.float64) / TWO_POW_32


def _defining_class(cls: type, attribute: str) -> type:
    """The class in ``cls``'s method resolution order whose body defines ``attribute``."""
    return next(klass for klass in cls.__mro__ if attribute in vars(klass))
