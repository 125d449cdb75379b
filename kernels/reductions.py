"""Reductions: how a runtime turns a generator's raw outputs into one observed draw.

A reduction is written as a spec string, ``KIND`` or ``KIND:ARG[:ARG]``:

=====================  =======================================================================
``raw``                the raw output itself
``mod:N``              ``raw % N``
``c_rand_mod:N``       ``rand() % N``: the C idiom; for C library generators the raw output *is*
                       ``rand()``, so this is ``mod:N`` restricted to outputs of at most 31 bits
``java_nextint:N``     ``java.util.Random.nextInt(N)``: ``next(31)`` with its rejection loop
                       (``next(31)`` is the raw 32-bit word shifted right by one)
``python_randbelow:N`` CPython ``_randbelow_with_getrandbits`` (``randrange``/``randint``):
                       ``getrandbits(k)`` (top ``k`` bits of a 32-bit word), rejecting ``>= N``
``masked:N``           mask-and-reject on 32-bit words: numpy ``RandomState.randint(N)``,
                       Ruby ``Random#rand(N)``
``lemire32:N``         Lemire's multiply-and-reject on 32-bit words: numpy
                       ``Generator.integers(N)``, libstdc++ ``uniform_int_distribution`` on a
                       32-bit engine
``lemire64:N``         the same on 64-bit raw words: libstdc++ ``uniform_int_distribution`` on a
                       64-bit engine
``pcg_bounded:N``      the PCG reference's ``pcg32_boundedrand_r``: reject below ``2**32 mod N``
``php_range:A:B``      PHP 7.1+ ``mt_rand(A, B)`` (uniform ``rand_range32`` with rejection)
``php_legacy_range:A:B`` PHP 5.2.1..7.0 ``mt_rand(A, B)`` (``RAND_RANGE_BADSCALING``)
``lua_range:A:B``      Lua 5.4 ``math.random(A, B)`` (``math.random(M)`` is ``lua_range:1:M``):
                       ``A`` plus the low bits of a 64-bit word under the smallest ``2**k - 1``
                       at least ``B - A``, rejecting values above ``B - A`` (``project``)
``float_mul:N``        ``floor(u * N)`` with ``u`` the runtime's double (``PRNG.next_double``)
``digits:K``           ``K`` calls of the runtime's own "integer below 10", read as a K-digit number
=====================  =======================================================================

Reductions that reject consume a variable number of raw outputs per draw; ``fixed_outputs``
is ``None`` for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Callable

from kernels.prng import PRNG, TWO_POW_53

__all__ = ["Reduction", "DegenerateStream", "MAX_REJECTIONS", "parse_reduction", "native_below",
           "REDUCTION_KINDS", "RANGE_KINDS", "example_spec", "supported_reductions",
           "cpp_downscale_terms"]

_MAX_ALPHABET = 1 << 32

#: consecutive rejections after which a stream is declared degenerate (a sound generator rejects
#: at most half of its words, so 4096 in a row has probability below 2**-4096)
MAX_REJECTIONS = 4096


class DegenerateStream(ValueError):
    """A rejection loop that never ends: the stream repeats a rejected word (e.g. all zeros)."""


def _attempts(_stream: PRNG) -> range:
    return range(MAX_REJECTIONS)


def _degenerate(stream: PRNG) -> DegenerateStream:
    return DegenerateStream(f"{stream.name}: {MAX_REJECTIONS} rejections in a row; "
                            "the stream is degenerate for this seed")


@dataclass(frozen=True)
class Reduction:
    """A parsed reduction spec; :meth:`draw` pulls one draw from a stream."""

    spec: str
    kind: str
    args: tuple[int, ...]
    #: number of distinct draw values (``None`` for ``raw``: the generator's output width decides)
    alphabet: int | None
    #: raw outputs consumed per draw when constant, ``None`` when it varies (rejection)
    fixed_outputs: int | None
    _draw: Callable[[PRNG], int]

    def draw(self, stream: PRNG) -> int:
        return self._draw(stream)

    def alphabet_for(self, generator: type[PRNG]) -> int:
        """Distinct values a draw can take for ``generator``."""
        return self.alphabet if self.alphabet is not None else 1 << generator.output_bits

    def check_generator(self, generator: type[PRNG]) -> None:
        """``ValueError`` if this reduction makes no sense for ``generator``."""
        needs = _REQUIREMENTS.get(self.kind)
        if needs is not None:
            problem = needs(generator, self)
            if problem:
                raise ValueError(f"reduction {self.spec!r} does not apply to {generator.name}: {problem}")

    def __str__(self) -> str:
        return self.spec


# ---- the draw functions ------------------------------------------------------------------------


def _java_nextint(bound: int) -> Callable[[PRNG], int]:
    if bound & (bound - 1) == 0:
        shift = 31

        def power_of_two(stream: PRNG) -> int:
            return (bound * (stream.next_raw() >> 1)) >> shift

        return power_of_two

    def rejecting(stream: PRNG) -> int:
        for _ in _attempts(stream):
            bits = stream.next_raw() >> 1
            value = bits % bound
            # Java rejects when bits - value + (bound - 1) overflows a signed 32-bit int.
            if bits - value + (bound - 1) < (1 << 31):
                return value
        raise _degenerate(stream)

    return rejecting


def _python_randbelow(bound: int) -> Callable[[PRNG], int]:
    k = bound.bit_length()
    if k > 32:
        raise ValueError("python_randbelow supports bounds up to 2**32 (one getrandbits word)")
    shift = 32 - k

    def draw(stream: PRNG) -> int:
        for _ in _attempts(stream):
            value = stream.next_u32() >> shift
            if value < bound:
                return value
        raise _degenerate(stream)

    return draw


def _masked(bound: int) -> Callable[[PRNG], int]:
    limit = bound - 1
    mask = (1 << limit.bit_length()) - 1 if limit else 0

    def draw(stream: PRNG) -> int:
        if limit == 0:
            return 0
        for _ in _attempts(stream):
            value = stream.next_u32() & mask
            if value <= limit:
                return value
        raise _degenerate(stream)

    return draw


def _php_range(low: int, high: int) -> Callable[[PRNG], int]:
    span = high - low  # umax in php_mt_rand_range
    if span == 0xFFFFFFFF:
        return lambda stream: low + stream.next_u32()
    size = span + 1
    if size & (size - 1) == 0:
        return lambda stream: low + (stream.next_u32() & span)
    limit = 0xFFFFFFFF - (0xFFFFFFFF % size) - 1

    def draw(stream: PRNG) -> int:
        for _ in _attempts(stream):
            value = stream.next_u32()
            if value <= limit:
                return low + value % size
        raise _degenerate(stream)

    return draw


def _lua_range(low: int, high: int) -> Callable[[PRNG], int]:
    # lmathlib.c project(): no rejection when the span is 2**k - 1 (1..2, 1..4, 1..8...)
    span = high - low
    limit = (1 << span.bit_length()) - 1
    if span == limit:
        return lambda stream: low + (stream.next_raw() & span)

    def draw(stream: PRNG) -> int:
        for _ in _attempts(stream):
            value = stream.next_raw() & limit
            if value <= span:
                return low + value
        raise _degenerate(stream)

    return draw


def _php_legacy_range(low: int, high: int) -> Callable[[PRNG], int]:
    # RAND_RANGE_BADSCALING with PHP_MT_RAND_MAX = 0x7FFFFFFF on mt_rand() = genrand >> 1.
    width = high - low + 1.0

    def draw(stream: PRNG) -> int:
        n = stream.next_u32() >> 1
        return low + int(width * (n / (0x7FFFFFFF + 1.0)))

    return draw


def _lemire(bound: int, word_bits: int) -> Callable[[PRNG], int]:
    mask = (1 << word_bits) - 1
    threshold = (1 << word_bits) % bound

    def draw(stream: PRNG) -> int:
        word = stream.next_u32 if word_bits == 32 else stream.next_raw
        for _ in _attempts(stream):
            product = word() * bound
            if (product & mask) >= threshold:
                return product >> word_bits
        raise _degenerate(stream)

    return draw


def cpp_downscale_terms(generator: type[PRNG] | PRNG, bound: int) -> tuple[int, int, int]:
    """libstdc++ ``uniform_int_distribution``'s downscaling for an engine whose range is not
    a full 32- or 64-bit word: ``(min, scaling, past)``; a raw output ``r`` is accepted when
    ``r - min < past`` and gives ``(r - min) // scaling``."""
    low = generator.raw_min
    high = generator.raw_max if generator.raw_max is not None else (1 << generator.output_bits) - 1
    scaling = (high - low) // bound
    return low, scaling, bound * scaling


def _cpp_downscale(bound: int) -> Callable[[PRNG], int]:
    def draw(stream: PRNG) -> int:
        low, scaling, past = cpp_downscale_terms(stream, bound)
        for _ in _attempts(stream):
            value = stream.next_raw() - low
            if value < past:
                return value // scaling
        raise _degenerate(stream)

    return draw


def _pcg_bounded(bound: int) -> Callable[[PRNG], int]:
    threshold = (1 << 32) % bound

    def draw(stream: PRNG) -> int:
        for _ in _attempts(stream):
            value = stream.next_raw()
            if value >= threshold:
                return value % bound
        raise _degenerate(stream)

    return draw


def _float_mul(bound: int) -> Callable[[PRNG], int]:
    return lambda stream: math.floor(stream.next_double() * bound)


def _mod(bound: int) -> Callable[[PRNG], int]:
    return lambda stream: stream.next_raw() % bound


def native_below(generator: type[PRNG] | PRNG, bound: int) -> "Reduction":
    """The runtime's own "integer below ``bound``" for ``generator`` (``PRNG.native_below``)."""
    kind = generator.native_below
    if kind in RANGE_KINDS:
        return parse_reduction(f"{kind}:0:{bound - 1}")
    return parse_reduction(f"{kind}:{bound}")


def _digits(count: int) -> Callable[[PRNG], int]:
    def draw(stream: PRNG) -> int:
        below_ten = native_below(stream, 10)
        value = 0
        for _ in range(count):
            value = value * 10 + below_ten.draw(stream)
        return value

    return draw


# ---- applicability -----------------------------------------------------------------------------


def _needs_u32(generator: type[PRNG], _reduction: Reduction) -> str | None:
    if generator.output_bits not in (32, 64):
        return f"it needs 32-bit words and {generator.name} outputs {generator.output_bits} bits"
    return None


def _needs_32_bit_raw(generator: type[PRNG], _reduction: Reduction) -> str | None:
    if generator.output_bits != 32:
        return f"it reads 32-bit raw outputs and {generator.name} outputs {generator.output_bits} bits"
    return None


def _needs_c_rand(generator: type[PRNG], _reduction: Reduction) -> str | None:
    if generator.output_bits > 31:
        return f"rand() returns at most 31 bits and {generator.name} outputs {generator.output_bits}"
    return None


def _needs_wide_enough(generator: type[PRNG], reduction: Reduction) -> str | None:
    if reduction.alphabet is not None and reduction.alphabet > (1 << generator.output_bits):
        return f"N={reduction.alphabet} exceeds the {generator.output_bits}-bit output range"
    return None


def _needs_64_bit_raw(generator: type[PRNG], _reduction: Reduction) -> str | None:
    if generator.output_bits != 64:
        return f"it reads 64-bit raw outputs and {generator.name} outputs {generator.output_bits} bits"
    return None


def _needs_native_digit(generator: type[PRNG], _reduction: Reduction) -> str | None:
    below = native_below(generator, 10)
    check = _REQUIREMENTS.get(below.kind)
    return check(generator, below) if check else None


def _needs_cpp_downscaled_range(generator: type[PRNG], reduction: Reduction) -> str | None:
    high = generator.raw_max if generator.raw_max is not None else (1 << generator.output_bits) - 1
    span = high - generator.raw_min
    if span in (0xFFFFFFFF, (1 << 64) - 1):
        return "a full-width engine: libstdc++ uses Lemire's method (lemire32, lemire64)"
    if reduction.alphabet is None or reduction.alphabet > span:
        return (f"N={reduction.alphabet} is not below the engine's {span + 1:,} values "
                "(libstdc++ combines several outputs then)")
    return None


_REQUIREMENTS: dict[str, Callable[[type[PRNG], Reduction], str | None]] = {
    "mod": _needs_wide_enough,
    "c_rand_mod": _needs_c_rand,
    "java_nextint": _needs_32_bit_raw,
    "python_randbelow": _needs_u32,
    "masked": _needs_u32,
    "lemire32": _needs_u32,
    "lemire64": _needs_64_bit_raw,
    "pcg_bounded": _needs_32_bit_raw,
    "cpp_downscale": _needs_cpp_downscaled_range,
    "php_range": _needs_u32,
    "php_legacy_range": _needs_u32,
    "lua_range": _needs_64_bit_raw,
    "digits": _needs_native_digit,
}

# kind -> (argument names, constructor, fixed outputs per draw or None, alphabet from args)
_KINDS: dict[str, tuple[tuple[str, ...], Callable[..., Callable[[PRNG], int]], bool]] = {
    "mod": (("N",), _mod, True),
    "c_rand_mod": (("N",), _mod, True),
    "java_nextint": (("N",), _java_nextint, False),
    "python_randbelow": (("N",), _python_randbelow, False),
    "masked": (("N",), _masked, False),
    "lemire32": (("N",), lambda bound: _lemire(bound, 32), False),
    "lemire64": (("N",), lambda bound: _lemire(bound, 64), False),
    "pcg_bounded": (("N",), _pcg_bounded, False),
    "cpp_downscale": (("N",), _cpp_downscale, False),
    "php_range": (("A", "B"), _php_range, False),
    "php_legacy_range": (("A", "B"), _php_legacy_range, True),
    "lua_range": (("A", "B"), _lua_range, False),
    "float_mul": (("N",), _float_mul, False),
    "digits": (("K",), _digits, False),
}

REDUCTION_KINDS: tuple[str, ...] = ("raw", *_KINDS)
#: the kinds written ``KIND:A:B``: a range call from ``A`` to ``B``, both included
RANGE_KINDS: tuple[str, ...] = ("php_range", "php_legacy_range", "lua_range")


@cache
def parse_reduction(spec: str) -> Reduction:
    """Parse a reduction spec such as ``"java_nextint:1000"``; ``ValueError`` on a bad spec."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError("empty reduction spec")
    spec = spec.strip()
    kind, *raw_args = spec.split(":")
    if kind == "raw":
        if raw_args:
            raise ValueError("reduction 'raw' takes no arguments")
        return Reduction("raw", "raw", (), None, 1, lambda stream: stream.next_raw())
    if kind not in _KINDS:
        raise ValueError(f"unknown reduction {kind!r}; known: {', '.join(REDUCTION_KINDS)}")
    names, make, fixed = _KINDS[kind]
    if len(raw_args) != len(names):
        usage = ":".join((kind, *names))
        raise ValueError(f"reduction {spec!r}: expected {usage}")
    try:
        args = tuple(int(a) for a in raw_args)
    except ValueError:
        raise ValueError(f"reduction {spec!r}: arguments must be integers") from None
    alphabet: int
    if kind == "lua_range":
        low, high = args
        if not 0 <= low <= high < 1 << 63 or high - low >= _MAX_ALPHABET:
            raise ValueError(f"reduction {spec!r}: need 0 <= A <= B < 2**63, B - A < 2**32")
        alphabet = high - low + 1
    elif kind in RANGE_KINDS:
        low, high = args
        if not 0 <= low <= high <= 0xFFFFFFFF:
            raise ValueError(f"reduction {spec!r}: need 0 <= A <= B < 2**32")
        alphabet = high - low + 1
    elif kind == "digits":
        (count,) = args
        if not 1 <= count <= 9:
            raise ValueError(f"reduction {spec!r}: K must be 1..9")
        alphabet = 10**count
    else:
        (bound,) = args
        if not 2 <= bound <= _MAX_ALPHABET:
            raise ValueError(f"reduction {spec!r}: N must be 2..2**32")
        alphabet = bound
    outputs = 1 if fixed else None
    if kind == "float_mul":
        outputs = None  # the double may take one or two raw words, by generator
    return Reduction(spec, kind, args, alphabet, outputs, make(*args))


def example_spec(kind: str, size: int = 10) -> str:
    """A spec of reduction ``kind`` drawing from ``size`` values (``raw`` takes no size and
    ``digits`` is 3 digits), e.g. ``example_spec("php_range", 1000) == "php_range:0:999"``."""
    if kind not in REDUCTION_KINDS:
        raise ValueError(f"unknown reduction {kind!r}; known: {', '.join(REDUCTION_KINDS)}")
    if kind == "raw":
        return "raw"
    if kind == "digits":
        return "digits:3"
    if kind in RANGE_KINDS:
        return f"{kind}:0:{size - 1}"
    return f"{kind}:{size}"


def supported_reductions(generator: type[PRNG]) -> list[str]:
    """The reduction kinds that apply to ``generator`` (checked with a representative N)."""
    kinds = []
    for kind in REDUCTION_KINDS:
        try:
            parse_reduction(example_spec(kind)).check_generator(generator)
        except ValueError:
            continue
        kinds.append(kind)
    return kinds


# ---- word reductions: whole raw words per draw, no rejection, integers or doubles ---------------
#
# What runtimes print besides bounded integers. Each reads a fixed number of raw words and keeps
# a fixed set of their bits, so a draw reveals those bits exactly (state recovery reads them
# back). They live beside the table above, not in it, because the sieve's vectorised kernels do
# not implement them.

_TWO_POW_32 = 4294967296.0


@dataclass(frozen=True)
class WordReduction:
    """A parsed word-reduction spec (``shr:K``, ``signed32``, ``res53``, ``java_double``,
    ``u32_double``, ``u53_double``, ``v8_double``, ``native_double``); :meth:`draw` pulls one
    draw (an ``int`` or a ``float``)."""

    spec: str
    kind: str
    args: tuple[int, ...]
    #: raw outputs consumed by one draw (0: it depends on the generator)
    words: int
    #: whether draws are doubles in [0, 1)
    is_float: bool
    _draw: Callable[[PRNG], int | float]

    def draw(self, stream: PRNG) -> int | float:
        return self._draw(stream)

    def check_generator(self, generator: type[PRNG]) -> None:
        """``ValueError`` if this reduction makes no sense for ``generator``."""
        bits = generator.output_bits
        if self.kind == "shr":
            if not 1 <= self.args[0] < bits:
                raise ValueError(f"reduction {self.spec!r} does not apply to {generator.name}: "
                                 f"K must be 1..{bits - 1} for {bits}-bit outputs")
            return
        if self.kind == "native_double":
            return
        wanted = {"u53_double": 64, "v8_double": 52}.get(self.kind, 32)
        if bits != wanted:
            raise ValueError(f"reduction {self.spec!r} does not apply to {generator.name}: it reads "
                             f"{wanted}-bit raw outputs and {generator.name} outputs {bits} bits")

    def value_bits(self, generator: type[PRNG]) -> int:
        """Bits of one draw: ``log2`` of the number of values it can take."""
        if self.kind == "shr":
            return generator.output_bits - self.args[0]
        return {"res53": 53, "java_double": 53, "u53_double": 53, "v8_double": 52,
                "native_double": 53}.get(self.kind, 32)

    def __str__(self) -> str:
        return self.spec


def _signed32(stream: PRNG) -> int:
    # Java's nextInt() is next(32) read as an int; C's (int32_t) of a 32-bit word
    raw = stream.next_raw()
    return raw - (1 << 32) if raw >> 31 else raw


def _res53(stream: PRNG) -> float:
    # CPython random.random(), numpy RandomState.random_sample(): genrand_res53
    a = stream.next_raw() >> 5
    b = stream.next_raw() >> 6
    return (a * 67108864.0 + b) / TWO_POW_53


def _java_double(stream: PRNG) -> float:
    # java.util.Random.nextDouble(): ((long) next(26) << 27) + next(27), times 2**-53
    high = stream.next_raw() >> 6
    low = stream.next_raw() >> 5
    return ((high << 27) + low) / TWO_POW_53


def _u32_double(stream: PRNG) -> float:
    return stream.next_raw() / _TWO_POW_32


def _v8_double(stream: PRNG) -> float:
    # V8's Math.random(): the 52 mantissa bits of state0 (v8_math_random's raw word) / 2**52
    return stream.next_raw() / 4503599627370496.0


def _u53_double(stream: PRNG) -> float:
    # numpy Generator.random() on a 64-bit bit generator, Vigna's to_double: (x >> 11) * 2**-53
    return (stream.next_raw() >> 11) / TWO_POW_53


#: kind -> (raw words per draw, is a double, draw function); ``shr`` takes its K apart
_WORD_KINDS: dict[str, tuple[int, bool, Callable[[PRNG], int | float]]] = {
    "signed32": (1, False, _signed32),
    "res53": (2, True, _res53),
    "java_double": (2, True, _java_double),
    "u32_double": (1, True, _u32_double),
    "u53_double": (1, True, _u53_double),
    "v8_double": (1, True, _v8_double),
    # the generator's own double, whichever construction its runtime uses (PRNG.next_double):
    # std::generate_canonical for std::mt19937, random() for CPython...; its words vary
    "native_double": (0, True, lambda stream: stream.next_double()),
}

WORD_REDUCTION_KINDS: tuple[str, ...] = ("shr", *_WORD_KINDS)
__all__ += ["WordReduction", "WORD_REDUCTION_KINDS", "parse_word_reduction"]


@cache
def parse_word_reduction(spec: str) -> WordReduction:
    """Parse a word-reduction spec:

    ``shr:K``        ``raw >> K`` (PHP's ``mt_rand()`` is ``shr:1`` of ``php_mt_rand``)
    ``signed32``     a 32-bit raw word as a signed int (Java's ``nextInt()``, C ``int32_t``)
    ``res53``        CPython/numpy ``random()``: two words, ``(a >> 5) * 2**26 + (b >> 6)``, / 2**53
    ``java_double``  Java ``nextDouble()``: two words, ``(a >> 6) * 2**27 + (b >> 5)``, / 2**53
    ``u32_double``   one 32-bit word / 2**32
    ``u53_double``   one 64-bit word ``>> 11``, / 2**53
    ``v8_double``    V8 ``Math.random()``: one 52-bit ``v8_math_random`` word / 2**52
    ``native_double`` the generator's own double (``PRNG.next_double``), e.g. libstdc++'s
                     ``generate_canonical`` for ``mt19937`` (``words`` is 0: it varies)

    ``ValueError`` on a bad spec.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError("empty reduction spec")
    spec = spec.strip()
    kind, *raw_args = spec.split(":")
    if kind == "shr":
        if len(raw_args) != 1:
            raise ValueError(f"reduction {spec!r}: expected shr:K")
        try:
            shift = int(raw_args[0])
        except ValueError:
            raise ValueError(f"reduction {spec!r}: K must be an integer") from None
        if not 1 <= shift <= 63:
            raise ValueError(f"reduction {spec!r}: K must be 1..63")
        return WordReduction(spec, "shr", (shift,), 1, False, lambda stream: stream.next_raw() >> shift)
    if kind not in _WORD_KINDS:
        raise ValueError(f"unknown word reduction {kind!r}; known: {', '.join(WORD_REDUCTION_KINDS)}")
    if raw_args:
        raise ValueError(f"reduction {kind!r} takes no arguments")
    words, is_float, draw = _WORD_KINDS[kind]
    return WordReduction(spec, kind, (), words, is_float, draw)
